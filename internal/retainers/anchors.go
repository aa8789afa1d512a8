package retainers

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// A readable owner path starts at the last anchor of an object's owner
// chain (Owners): the node nearest the object that an engineer would name.
// Anchors are:
//
//   - a global object: global (Node.js), window (a page), globalThis (Deno);
//   - a module's or a classic script's top-level scope, named by its file
//     and the variable: "/app/src/cache.js: cache";
//   - a timer, named by its callback: "setInterval callback poll at
//     /app/timers.js:21:44";
//   - the page's window and document and attached DOM elements.
//
// Everything before the anchor (GC-root categories, handle scopes, the
// module system's own objects, timer lists, Blink's backing stores) is
// left out, and the hops after it read as JavaScript: .name, [i],
// .get('key') for a Map entry, .has('key') for a Set member, {context}.v
// for a variable a closure keeps. docs/suspects.md has the notation.

// Namer formats owner paths and locations for one analysis. It is safe for
// concurrent use.
type Namer struct {
	r   *devtools.Analysis
	s   *heapsnapshot.Snapshot
	loc *sources.Resolver

	once        sync.Once
	contextFile map[uint32]string // a function context → the file of a closure it belongs to

	// firstSlot caches each hash table's first written entry slot
	// (entryStep): paths through one big Map would otherwise scan its
	// table once each.
	mu        sync.Mutex
	firstSlot map[uint32]int
}

// NewNamer returns a namer for r. loc resolves locations (through source
// maps); nil means no maps, compiled locations only.
func NewNamer(r *devtools.Analysis, loc *sources.Resolver) *Namer {
	if loc == nil {
		loc = sources.NewResolver(r.Snapshot, sources.ScriptsOf(r.Snapshot), sources.Options{NoMaps: true})
	}
	return &Namer{r: r, s: r.Snapshot, loc: loc}
}

// Locations returns the namer's resolver.
func (n *Namer) Locations() *sources.Resolver { return n.loc }

// anchorKind is what kind of anchor a node is.
type anchorKind uint8

const (
	notAnchor anchorKind = iota
	anchorGlobal
	anchorScope // a module's or script's top-level scope: needs the variable after it
	anchorTimer
	anchorDOM
)

// anchorOf says whether node i of a chain is an anchor, and its label.
// next is the edge the chain leaves i by (none for the chain's last node).
func (n *Namer) anchorOf(i, next uint32) (anchorKind, string) {
	s := n.s
	t := &s.Types
	name := s.NodeNameBytes(i)
	switch s.NodeType[i] {
	case t.Object:
		if label, ok := n.globalLabel(i); ok {
			return anchorGlobal, label
		}
		if next != none && s.EdgeType[next] == t.Context && isContextName(name) {
			if file, ok := n.scopeFile(i); ok {
				return anchorScope, file
			}
		}
		if string(name) == "Timeout" {
			if label, ok := n.nodeTimer(i); ok {
				return anchorTimer, label
			}
		}
	case t.Native:
		switch {
		case bytes.HasPrefix(name, []byte("Window / ")):
			return anchorDOM, "window"
		case string(name) == "HTMLDocument" || string(name) == "Document":
			return anchorDOM, "document"
		case string(name) == "DOMTimer":
			if _, _, label, ok := n.Timer(i); ok {
				return anchorTimer, label
			}
		case len(name) > 0 && name[0] == '<' && n.r.DOMState[i] == devtools.DOMAttached:
			return anchorDOM, string(name)
		}
	}
	return notAnchor, ""
}

const none = ^uint32(0)

// isContextName reports whether a node name is a function context's:
// "system / Context", or in V8 15 "system / Context / scope @N".
func isContextName(name []byte) bool {
	return string(name) == "system / Context" || bytes.HasPrefix(name, []byte("system / Context / "))
}

// globalLabel names a global object: the node the chain starts at when it
// reaches one (see HeadName).
func (n *Namer) globalLabel(i uint32) (string, bool) {
	name := n.r.DisplayName(i)
	switch {
	case strings.HasPrefix(name, "Window [JSGlobalObject] / "):
		if strings.TrimPrefix(name, "Window [JSGlobalObject] / ") == "" {
			return "globalThis", true // Deno: a window with no page
		}
		return "window", true
	case strings.HasPrefix(name, "global"):
		d := n.r.Distance[i]
		if (d >= 0 && d <= 1) || strings.Contains(name, " (global") {
			return "global", true
		}
	}
	return "", false
}

// scopeFile reports whether context ctx is a top-level scope — a module
// function's context (CommonJS, ES modules), whose enclosing context is the
// native context, or a classic script's, held by the script context table
// — and returns the file of the functions defined in it.
func (n *Namer) scopeFile(ctx uint32) (string, bool) {
	if !n.isTopLevel(ctx) {
		return "", false
	}
	n.once.Do(n.findContextFiles)
	file, ok := n.contextFile[ctx]
	return file, ok
}

// isTopLevel reports whether context ctx's enclosing context is the
// native context.
func (n *Namer) isTopLevel(ctx uint32) bool {
	s := n.s
	prev, ok := edgeNamed(s, ctx, s.Types.Internal, "previous")
	return ok && bytes.HasPrefix(s.NodeNameBytes(prev), []byte("system / NativeContext"))
}

// findContextFiles maps every top-level scope to the file of a closure
// defined in it, preferring the program's scripts to the runtime's own
// (node:…, ext:…), through source maps. It walks the snapshot's locations,
// which are in node order, once, and looks at each context once.
func (n *Namer) findContextFiles() {
	s := n.s
	t := &s.Types
	n.contextFile = map[uint32]string{}
	checked := bitset.New(s.NodeCount)
	for _, l := range s.Locations {
		c := l.Node
		if s.NodeType[c] != t.Closure {
			continue
		}
		ctx, ok := edgeNamed(s, c, t.Internal, "context")
		if !ok {
			continue
		}
		prev, seen := n.contextFile[ctx]
		if (seen && !sources.IsRuntimeScript(prev)) || (!seen && checked.Has(ctx)) {
			continue
		}
		if !seen {
			checked.Add(ctx)
			if !n.isTopLevel(ctx) {
				continue
			}
		}
		loc := n.loc.Resolve(l.ScriptID, l.Line, l.Column)
		file := loc.File
		if loc.Source != nil {
			file = loc.Source.File
		}
		if file != "" {
			n.contextFile[ctx] = file
		}
	}
}

// edgeNamed returns the target of node i's first edge of type t named name.
func edgeNamed(s *heapsnapshot.Snapshot, i uint32, t uint8, name string) (uint32, bool) {
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == t && s.EdgeNameIsString(e) && string(s.Strings.Bytes(s.EdgeName[e])) == name {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// nodeTimer names a Node.js or Deno Timeout by its callback: setInterval's
// repeat is a small integer V8 does not write in Node (Deno writes a
// boolean), setTimeout's is null.
func (n *Namer) nodeTimer(i uint32) (string, bool) {
	s := n.s
	t := &s.Types
	fn, ok := edgeNamed(s, i, t.Property, "_onTimeout")
	if !ok || s.NodeType[fn] != t.Closure {
		return "", false
	}
	what := "setInterval"
	if rep, ok := edgeNamed(s, i, t.Property, "_repeat"); ok {
		if v := oddballValue(s, rep); v == "null" || v == "false" {
			what = "setTimeout"
		}
	}
	return what + " callback " + n.Function(fn), true
}

// nativeCallback finds the JavaScript function behind a Blink object (a
// DOMTimer → ScheduledAction → V8Function → the callback), following up to
// depth hops of native nodes. setInterval and setTimeout look alike there.
func (n *Namer) nativeCallback(i uint32, depth int) (uint32, bool) {
	s := n.s
	t := &s.Types
	frontier := []uint32{i}
	for ; depth > 0 && len(frontier) > 0; depth-- {
		var next []uint32
		for _, k := range frontier {
			for e := s.FirstEdge[k]; e < s.FirstEdge[k+1]; e++ {
				if s.EdgeType[e] == t.Weak {
					continue
				}
				switch to := s.EdgeTo[e]; s.NodeType[to] {
				case t.Closure:
					return to, true
				case t.Native:
					next = append(next, to)
				}
			}
		}
		frontier = next
	}
	return 0, false
}

// oddballValue returns the value of an oddball node ("undefined", "null",
// "true", "false"), as V8 11–15 write them, or "".
func oddballValue(s *heapsnapshot.Snapshot, i uint32) string {
	name := s.Strings.String(s.NodeName[i])
	switch name {
	case "undefined", "null", "true", "false":
		return name
	case "system / Oddball":
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if to := s.EdgeTo[e]; s.NodeType[to] == s.Types.String {
				return s.Strings.String(s.NodeName[to])
			}
		}
	}
	return ""
}

// Function describes a closure as "name at file:line:column" ("(anonymous)"
// for an unnamed one), through source maps when the namer has them.
func (n *Namer) Function(c uint32) string {
	name := n.s.Strings.String(n.s.NodeName[c])
	if name == "" {
		name = "(anonymous)"
	}
	if l, ok := n.loc.Node(c); ok {
		return name + " at " + l.String()
	}
	return name
}

// Path formats a chain as a readable owner path (see the top of this file).
func (n *Namer) Path(c Chain) string {
	// The last anchor: the one nearest the object.
	at, kind, label := -1, notAnchor, ""
	for k := len(c.Nodes) - 1; k >= 0; k-- {
		next := none
		if k < len(c.Edges) {
			next = c.Edges[k]
		}
		if ak, l := n.anchorOf(c.Nodes[k], next); ak != notAnchor {
			at, kind, label = k, ak, l
			break
		}
	}
	var b []byte
	start := at
	switch {
	case at < 0:
		// No anchor: what holds the object is V8's or the embedder's own;
		// skip its root categories and start at the first real object.
		start = n.firstObject(c)
		if start > 0 || c.Truncated {
			b = append(b, "…"...)
		}
		b = append(b, HeadName(n.r, c.Nodes[start])...)
	case kind == anchorScope:
		// The variable is part of the anchor: "file: name".
		b = append(b, label...)
		b = append(b, ": "...)
		b = n.s.AppendEdgeName(b, c.Edges[at])
		start++
	default:
		b = append(b, label...)
	}
	for k := start; k < len(c.Edges); k++ {
		b = n.step(b, c, k)
	}
	return string(b)
}

// firstObject returns the index of the first chain node that is not a
// synthetic root or root category.
func (n *Namer) firstObject(c Chain) int {
	for k, i := range c.Nodes {
		if n.s.NodeType[i] != n.s.Types.Synthetic {
			return k
		}
	}
	return len(c.Nodes) - 1
}

// step writes edge k of chain c (from Nodes[k] to Nodes[k+1]).
func (n *Namer) step(b []byte, c Chain, k int) []byte {
	s := n.s
	t := &s.Types
	e := c.Edges[k]
	from := c.Nodes[k]
	switch s.EdgeType[e] {
	case t.Internal:
		switch string(s.Strings.Bytes(s.EdgeName[e])) {
		case "context":
			return append(b, "{context}"...)
		case "previous":
			return b // an enclosing scope: its variables read as the closure's
		case "table":
			return b // a Map's or Set's hash table: the entry step says which
		}
		if k > 0 && n.isCollectionTable(c.Nodes[k-1], from) {
			return n.entryStep(b, c.Nodes[k-1], from, e)
		}
	case t.Context:
		return s.AppendEdgeName(append(b, '.'), e)
	}
	return pathStep(s, b, e)
}

// isCollectionTable reports whether table is the hash table of a Map or
// Set node.
func (n *Namer) isCollectionTable(holder, table uint32) bool {
	s := n.s
	name := s.NodeNameBytes(holder)
	if s.NodeType[holder] != s.Types.Object || (string(name) != "Map" && string(name) != "Set") {
		return false
	}
	tbl, ok := edgeNamed(s, holder, s.Types.Internal, "table")
	return ok && tbl == table
}

// entryStep writes a Map entry as .get(key) and a Set member as
// .has(key). A table's slots are a header, the buckets, then per entry a
// key, (for a Map) a value, and a chain link; slots holding small integers
// are not written, so the first written entry slot gives the layout.
func (n *Namer) entryStep(b []byte, holder, table, e uint32) []byte {
	s := n.s
	slot, ok := slotIndex(s.Strings.Bytes(s.EdgeName[e]))
	if !ok {
		return pathStep(s, b, e)
	}
	if string(s.NodeNameBytes(holder)) == "Set" {
		return append(append(append(b, ".has("...), n.keyText(s.EdgeTo[e])...), ')')
	}
	first := n.tableFirstSlot(table)
	if first < 0 || (slot-first)%3 != 1 {
		return pathStep(s, b, e) // not a value slot as far as the layout tells
	}
	key, ok := n.slotTarget(table, e, slot-1)
	if !ok {
		return append(b, ".get(…)"...) // a small-integer key
	}
	return append(append(append(b, ".get("...), n.keyText(key)...), ')')
}

// tableFirstSlot is the smallest slot index among a table's written
// slots, -1 when it has none.
func (n *Namer) tableFirstSlot(table uint32) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if first, ok := n.firstSlot[table]; ok {
		return first
	}
	s := n.s
	first := -1
	for x := s.FirstEdge[table]; x < s.FirstEdge[table+1]; x++ {
		if s.EdgeType[x] != s.Types.Internal {
			continue
		}
		if k, ok := slotIndex(s.Strings.Bytes(s.EdgeName[x])); ok && (first < 0 || k < first) {
			first = k
		}
	}
	if n.firstSlot == nil {
		n.firstSlot = map[uint32]int{}
	}
	n.firstSlot[table] = first
	return first
}

// slotTarget finds what a table's slot want holds, given edge e of a
// later slot. V8 writes a table's slots in order, so the edge before e
// is the slot's or the slot holds a small integer (not written); only
// out-of-order edges need the scan.
func (n *Namer) slotTarget(table, e uint32, want int) (uint32, bool) {
	s := n.s
	for x := e; x > s.FirstEdge[table]; {
		x--
		if s.EdgeType[x] != s.Types.Internal {
			continue
		}
		k, ok := slotIndex(s.Strings.Bytes(s.EdgeName[x]))
		switch {
		case !ok:
			continue
		case k == want:
			return s.EdgeTo[x], true
		case k < want:
			return 0, false
		}
		break // out of order: scan
	}
	for x := s.FirstEdge[table]; x < s.FirstEdge[table+1]; x++ {
		if s.EdgeType[x] == s.Types.Internal {
			if k, ok := slotIndex(s.Strings.Bytes(s.EdgeName[x])); ok && k == want {
				return s.EdgeTo[x], true
			}
		}
	}
	return 0, false
}

// keyText writes a Map key or Set member as JavaScript would: a quoted
// string, a number, or the class of an object.
func (n *Namer) keyText(i uint32) string {
	s := n.s
	t := &s.Types
	switch s.NodeType[i] {
	case t.String, t.SlicedString:
		name := s.NodeNameBytes(i)
		if heapsnapshot.UTF16Len(name) > 40 {
			name = append(bytes.Clone(name[:min(len(name), 37)]), "…"...)
		}
		return "'" + strings.ReplaceAll(string(name), "'", `\'`) + "'"
	case t.Number:
		return s.Strings.String(s.NodeName[i])
	}
	return n.r.ClassName(&n.r.Classes[n.r.Class[i]]) + " @" + strconv.FormatUint(uint64(s.NodeID[i]), 10)
}

// slotIndex parses a hash table slot's edge name: decimal digits.
func slotIndex(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	k := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		k = 10*k + int(c-'0')
	}
	return k, true
}

// Timer says whether node i is a timer — a Node.js or Deno Timeout with a
// callback, or a page's DOMTimer — and returns the callback, the kind
// ("setInterval", "setTimeout", or "timer" where a page does not tell
// them apart) and its anchor label.
func (n *Namer) Timer(i uint32) (callback uint32, kind, label string, ok bool) {
	s := n.s
	t := &s.Types
	switch {
	case s.NodeType[i] == t.Object && string(s.NodeNameBytes(i)) == "Timeout":
		label, ok = n.nodeTimer(i)
		if ok {
			callback, _ = edgeNamed(s, i, t.Property, "_onTimeout")
		}
	case s.NodeType[i] == t.Native && string(s.NodeNameBytes(i)) == "DOMTimer":
		if callback, ok = n.nativeCallback(i, 3); ok {
			label = "timer callback " + n.Function(callback)
		}
	}
	if !ok {
		return 0, "", "", false
	}
	kind, _, _ = strings.Cut(label, " ")
	return callback, kind, label, true
}

// DOMLabel names a page's window, document or attached element as an
// owner path starts with it, or returns false.
func (n *Namer) DOMLabel(i uint32) (string, bool) {
	if kind, label := n.anchorOf(i, none); kind == anchorDOM {
		return label, true
	}
	return "", false
}

// UserPath formats a chain like Path and reports whether it starts at an
// anchor of the program's own — a global variable (not one of the
// runtime's symbol-keyed ones), a scope of a script of the program, a
// timer, the page — rather than at the runtime's internals.
func (n *Namer) UserPath(c Chain) (string, bool) {
	path := n.Path(c)
	for k := len(c.Nodes) - 1; k >= 0; k-- {
		next := none
		if k < len(c.Edges) {
			next = c.Edges[k]
		}
		kind, label := n.anchorOf(c.Nodes[k], next)
		switch kind {
		case notAnchor:
			continue
		case anchorScope:
			return path, !sources.IsRuntimeScript(label)
		case anchorGlobal:
			if next != none && n.s.EdgeType[next] == n.s.Types.Property &&
				bytes.HasPrefix(n.s.Strings.Bytes(n.s.EdgeName[next]), []byte("<symbol")) {
				return path, false
			}
		}
		return path, true
	}
	return path, false
}

// IsGlobal reports whether node i is a global object (global, window,
// globalThis).
func (n *Namer) IsGlobal(i uint32) bool {
	_, ok := n.globalLabel(i)
	return ok
}
