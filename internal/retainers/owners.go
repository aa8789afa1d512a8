package retainers

import (
	"strings"

	"github.com/heapsnap/heapsnap/internal/bitset"
	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// MaxOwnerDepth is the longest owner path, in edges, that commands print.
const MaxOwnerDepth = 32

// Owners returns, for each target, its owner chain: the chain DevTools'
// Retainers view expands (see DevToolsChain), stopped as soon as it
// reaches a global object (global in Node.js, Window in a browser) or a
// script's top-level scope, and limited to depth edges. It is the one
// definition of an owner path: every command that prints one uses it.
//
// With a reverse index x, each step looks up the heads' retainers. Without
// one (x nil) it builds none: each round scans the edge arrays once and
// moves every unfinished chain one retainer up, so the cost is one pass
// over the edges per edge of the longest chain, and the memory a bit per
// node. Both give the same chains.
func Owners(r *devtools.Analysis, x *devtools.RetainerIndex, targets []uint32, depth int) []Chain {
	s := r.Snapshot
	type walk struct {
		rev     Chain // from the target upwards
		head    uint32
		done    bool
		onChain map[uint32]bool
	}
	walks := make([]walk, len(targets))
	for k, t := range targets {
		// A user root (the global object) is its own owner.
		walks[k] = walk{rev: Chain{Nodes: []uint32{t}}, head: t, onChain: map[uint32]bool{t: true}, done: r.ShownDistance(t) <= 1}
	}
	heads := bitset.New(s.NodeCount)
	type best struct {
		ok       bool
		rt       devtools.Retainer
		isGlobal bool // the head is a global object
		isScript bool // the head is a script's top-level scope
	}
	for {
		heads.Clear()
		var active []uint32
		for k := range walks {
			if w := &walks[k]; !w.done && !heads.Has(w.head) {
				heads.Add(w.head)
				active = append(active, w.head)
			}
		}
		if len(active) == 0 {
			break
		}
		found := map[uint32]*best{}
		// The comparison is a total order, so the result does not depend
		// on the order in which the heads' retaining edges are seen.
		consider := func(e uint32) {
			src := s.EdgeSource(e)
			if !r.ListsRetainer(src, e) {
				return
			}
			to := s.EdgeTo[e]
			b := found[to]
			if b == nil {
				b = &best{}
				found[to] = b
			}
			if isGlobalObjectEdge(r, e) {
				b.isGlobal = true
			}
			if isScriptTable(r, src) {
				b.isScript = true
			}
			cand := devtools.Retainer{Edge: e, From: src, Distance: r.ShownDistance(src)}
			if b.ok && cand.Distance > b.rt.Distance {
				return
			}
			cand.Name = r.DisplayName(src)
			if !b.ok || devtools.CompareRetainers(&cand, &b.rt) < 0 {
				b.rt, b.ok = cand, true
			}
		}
		if x != nil {
			for _, h := range active {
				for _, e := range x.Edges(h) {
					consider(e)
				}
			}
		} else {
			for _, e := range scanHits(s.EdgeTo, heads, active) {
				consider(e)
			}
		}
		for k := range walks {
			w := &walks[k]
			if w.done {
				continue
			}
			b := found[w.head]
			switch {
			case b == nil || !b.ok:
				w.done = true
			case b.isScript:
				w.done, w.rev.ScriptScope = true, true
			case b.isGlobal:
				w.done = true
			case len(w.rev.Edges) == depth:
				w.done, w.rev.Truncated = true, true
			case w.onChain[b.rt.From]:
				w.done = true
			default:
				w.rev.Nodes = append(w.rev.Nodes, b.rt.From)
				w.rev.Edges = append(w.rev.Edges, b.rt.Edge)
				w.onChain[b.rt.From] = true
				w.head = b.rt.From
				w.done = terminal(b.rt.Distance)
			}
		}
	}
	out := make([]Chain, len(walks))
	for k := range walks {
		out[k] = walks[k].rev.reversed()
	}
	return out
}

// OwnerPaths returns the targets' readable owner paths (Owners, then
// Path), with the reverse index x if there is one.
func (n *Namer) OwnerPaths(x *devtools.RetainerIndex, targets []uint32, depth int) []string {
	chains := Owners(n.r, x, targets, depth)
	out := make([]string, len(chains))
	for k, c := range chains {
		out[k] = n.Path(c)
	}
	return out
}

// scanHits returns, in increasing order, the edges whose target is one of
// active (whose bits heads holds), scanning parts of the array in
// parallel. A few heads are first looked up in a filter of their low 16
// bits: its 8 KB stay in the first-level cache, where a bit per node of a
// big heap (megabytes) misses on nearly every edge.
func scanHits(edgeTo []uint32, heads bitset.Set, active []uint32) []uint32 {
	const filterBits = 1 << 16
	var filter *[filterBits / 64]uint64
	if len(active) <= filterBits/16 && len(heads) > 8*len(filter) {
		filter = new([filterBits / 64]uint64)
		for _, h := range active {
			g := h % filterBits
			filter[g/64] |= 1 << (g % 64)
		}
	}
	parts := make([][]uint32, par.Workers())
	n := par.Range(len(edgeTo), 1<<20, func(part, lo, hi int) {
		var hits []uint32
		if filter != nil {
			for e, to := range edgeTo[lo:hi] {
				if g := to % filterBits; filter[g/64]&(1<<(g%64)) != 0 && heads.Has(to) {
					hits = append(hits, uint32(lo+e))
				}
			}
		} else {
			for e, to := range edgeTo[lo:hi] {
				if heads.Has(to) {
					hits = append(hits, uint32(lo+e))
				}
			}
		}
		parts[part] = hits
	})
	var all []uint32
	for _, p := range parts[:n] {
		all = append(all, p...)
	}
	return all
}

// isGlobalObjectEdge reports whether edge e is a native context's link to
// its global object, which marks the target as a global object.
func isGlobalObjectEdge(r *devtools.Analysis, e uint32) bool {
	s := r.Snapshot
	return s.EdgeType[e] == s.Types.Internal && r.IsText(s.EdgeName[e], "global_object")
}

// isScriptTable reports whether node i is a script context table, whose
// entries are scripts' top-level scopes.
func isScriptTable(r *devtools.Analysis, i uint32) bool {
	return r.IsText(r.Snapshot.NodeName[i], "system / ScriptContextTable")
}

// pathStep writes edge e as a step of an owner path: ".name" for property
// names that are identifiers, `["name"]` (a JSON string) for other
// property names, "[i]" for elements, "->name" for context variables and
// "{name}" for V8-internal edges.
func pathStep(s *heapsnapshot.Snapshot, b []byte, e uint32) []byte {
	t := &s.Types
	switch s.EdgeType[e] {
	case t.Property, t.Shortcut:
		name := s.Strings.Bytes(s.EdgeName[e])
		if isIdentifier(name) {
			return append(append(b, '.'), name...)
		}
		b = append(b, '[')
		b = heapsnapshot.AppendJSString(b, name)
		return append(b, ']')
	case t.Element:
		return append(s.AppendEdgeName(append(b, '['), e), ']')
	case t.Context:
		return s.AppendEdgeName(append(b, "->"...), e)
	case t.Weak:
		return append(s.AppendEdgeName(append(b, "[["...), e), "]]"...)
	}
	return append(s.AppendEdgeName(append(b, '{'), e), '}')
}

// isIdentifier reports whether a property name can follow a dot: ASCII
// letters, digits, _ and $, not starting with a digit; private names
// (#field) too.
func isIdentifier(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '$':
		case c >= '0' && c <= '9' && i > 0:
		case c == '#' && i == 0 && len(b) > 1:
		default:
			return false
		}
	}
	return true
}

// HeadName is how a chain's first node is named in an owner path: a
// global object or other user root by the first word of its name
// ("Window [JSGlobalObject] / file://" is Window, Node 26's
// "global (global*)" is global), anything else by its display name
// ((GC roots), system / Context, …).
func HeadName(r *devtools.Analysis, i uint32) string {
	name := r.DisplayName(i)
	d := r.Distance[i]
	if (d >= 0 && d <= 1) || strings.Contains(name, "[JSGlobalObject]") || strings.Contains(name, " (global") {
		if k := strings.IndexByte(name, ' '); k > 0 {
			return name[:k]
		}
	}
	return name
}

// PathShape returns the shape that objects held the same way share: a
// path with element indices and numbered slots written [*] and {*}, Map
// and Set keys by their pattern (.get('req-<n>')), and a hop repeated
// along a linked list written once and marked (.next…), so that the
// items of one list or one collection have one shape whatever their
// position.
func PathShape(path string) string {
	steps := splitSteps(path)
	var b strings.Builder
	for k, st := range steps {
		st = generalStep(st)
		if k > 0 && st == generalStep(steps[k-1]) && st != "" {
			if k+1 == len(steps) || generalStep(steps[k+1]) != st {
				b.WriteString("…")
			}
			continue
		}
		b.WriteString(st)
	}
	return b.String()
}

// generalStep writes one step of a path without what varies between the
// items of a collection.
func generalStep(st string) string {
	switch {
	case len(st) > 2 && st[0] == '[' && st[len(st)-1] == ']' && isDigits(st[1:len(st)-1]):
		return "[*]"
	case len(st) > 2 && st[0] == '{' && st[len(st)-1] == '}' && isDigits(st[1:len(st)-1]):
		return "{*}"
	case strings.HasPrefix(st, ".get(") || strings.HasPrefix(st, ".has("):
		return st[:5] + keyPattern(st[5:len(st)-1]) + ")"
	}
	return st
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// keyPattern writes a key with each run of digits as <n> ('req-17' is
// 'req-<n>', 42 is <n>).
func keyPattern(key string) string {
	var b []byte
	for i := 0; i < len(key); i++ {
		if key[i] >= '0' && key[i] <= '9' {
			for i+1 < len(key) && key[i+1] >= '0' && key[i+1] <= '9' {
				i++
			}
			b = append(b, "<n>"...)
			continue
		}
		b = append(b, key[i])
	}
	return string(b)
}

// splitSteps cuts a path after its head at each step: .name, [i], ["a b"],
// {context}, .get(…). The head (the anchor, up to the first step) is the
// first element.
func splitSteps(path string) []string {
	var out []string
	depth, quote := 0, byte(0)
	start := 0
	// The head of a scope anchor ("file: name") ends after ": ".
	if k := strings.Index(path, ": "); k >= 0 && !strings.ContainsAny(path[:k], "[{(") {
		start = k + 2
		for start < len(path) && path[start] != '.' && path[start] != '[' && path[start] != '{' {
			start++
		}
		out = append(out, path[:start])
	}
	for i := start; i < len(path); i++ {
		c := path[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '"':
			quote = c
			continue
		case c == '(' || c == '[' || c == '{':
			if depth == 0 && c != '(' && i > start {
				out = append(out, path[start:i])
				start = i
			}
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == '.' && depth == 0 && i > start:
			out = append(out, path[start:i])
			start = i
		}
	}
	return append(out, path[start:])
}

// ArrowStep writes edge e as a step of an arrow chain (global → processor
// → [3]): a property's bare name, "[i]" for elements, "->name" for
// context variables and "{name}" for V8-internal edges.
func ArrowStep(r *devtools.Analysis, e uint32) string {
	s := r.Snapshot
	switch s.EdgeType[e] {
	case s.Types.Property, s.Types.Shortcut:
		return s.EdgeNameString(e)
	}
	return r.EdgeLabel(e)
}

// InternalEdge reports whether edge e is a V8-internal link (internal,
// hidden or shortcut) rather than one JavaScript can see.
func InternalEdge(s *heapsnapshot.Snapshot, e uint32) bool {
	switch s.EdgeType[e] {
	case s.Types.Internal, s.Types.HiddenEdge, s.Types.Shortcut:
		return true
	}
	return false
}

// InternalNode reports whether node i is a V8 or embedder system object
// (hidden, array, code, object shape or synthetic node).
func InternalNode(s *heapsnapshot.Snapshot, i uint32) bool {
	switch s.NodeType[i] {
	case s.Types.Hidden, s.Types.Array, s.Types.Code, s.Types.Synthetic, s.Types.ObjectShape:
		return true
	}
	return false
}
