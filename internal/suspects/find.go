package suspects

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	orDefault(&o.MaxListeners, d.MaxListeners)
	orDefault(&o.CollectionThreshold, d.CollectionThreshold)
	orDefault(&o.CollectionShare, d.CollectionShare)
	orDefault(&o.MinCollectionEntries, d.MinCollectionEntries)
	orDefault(&o.MinTimers, d.MinTimers)
	orDefault(&o.MinReactions, d.MinReactions)
	orDefault(&o.MinDuplicateWaste, d.MinDuplicateWaste)
	orDefault(&o.MinDuplicateCopies, d.MinDuplicateCopies)
	orDefault(&o.MinContextSize, d.MinContextSize)
	orDefault(&o.MinDetachedNodes, d.MinDetachedNodes)
	orDefault(&o.PathDepth, d.PathDepth)
	return o
}

// orDefault replaces a zero option with its default.
func orDefault[T int | uint64 | float64](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

func (o Options) enabled(k Kind) bool { return o.Kinds == nil || slices.Contains(o.Kinds, k) }

// finder holds what the detectors share.
type finder struct {
	r     *devtools.Analysis
	s     *heapsnapshot.Snapshot
	o     Options
	names *names
	t     *heapsnapshot.Types
	// paths lists the nodes whose owner paths are wanted, with where to
	// write each path.
	paths []pathRequest
	// claimed are nodes a detector has reported, which the collections
	// detector then leaves out (a listener Array is not also a big Array).
	claimed map[uint32]bool
}

type pathRequest struct {
	node uint32
	dst  *string
}

func newFinder(r *devtools.Analysis, o Options) *finder {
	return &finder{
		r: r, s: r.Snapshot, o: o, names: newNames(r.Snapshot), t: &r.Snapshot.Types,
		claimed: map[uint32]bool{},
	}
}

func find(r *devtools.Analysis, o Options) []Suspect {
	f := newFinder(r, o)
	// Two independent lines of detectors, one per core: the collections
	// detector leaves out what the listeners detector claimed, so those
	// two go in order. Each line records its own path requests and
	// script names.
	a, b := f.fork(), f.fork()
	var listeners, timers, dom, collections, strs, closures, promises []*Suspect
	par.Do(func() {
		if o.enabled(Listeners) {
			listeners = a.listeners()
		}
		if o.enabled(Collection) {
			collections = a.collections()
		}
		if o.enabled(Timers) {
			timers = a.timers()
		}
	}, func() {
		if o.enabled(DetachedDOM) {
			dom = b.detachedDOM()
		}
		if o.enabled(DuplicateStrings) {
			strs = b.duplicateStrings()
		}
		if o.enabled(Closure) {
			closures = b.closures()
		}
		if o.enabled(Promises) {
			promises = b.promises()
		}
	})
	f.paths = append(a.paths, b.paths...)
	f.resolvePaths()
	out := slices.Concat(listeners, timers, dom, collections, strs, closures, promises)
	f.allocations(out)
	res := make([]Suspect, len(out))
	for k, s := range out {
		res[k] = *s
	}
	rank(res)
	return res
}

// fork returns a copy of f with its own path requests and script-name
// cache, to run detectors beside f's other copies.
func (f *finder) fork() *finder {
	c := *f
	c.paths = nil
	return &c
}

// wantPath asks for node i's owner path, to be written to *dst.
func (f *finder) wantPath(i uint32, dst *string) { f.paths = append(f.paths, pathRequest{i, dst}) }

// resolvePaths finds every requested owner path in one batch.
func (f *finder) resolvePaths() {
	if len(f.paths) == 0 {
		return
	}
	var targets []uint32
	seen := map[uint32]int{}
	for _, p := range f.paths {
		if _, ok := seen[p.node]; !ok {
			seen[p.node] = len(targets)
			targets = append(targets, p.node)
		}
	}
	chains := retainers.Owners(f.r, nil, targets, f.o.PathDepth)
	for _, p := range f.paths {
		*p.dst = f.o.Names.Path(chains[seen[p.node]])
	}
}

// rank orders suspects by retained size, then count (both descending),
// then kind and title, so that the order is total.
func rank(s []Suspect) {
	slices.SortStableFunc(s, func(a, b Suspect) int {
		if c := cmp.Compare(b.RetainedSize, a.RetainedSize); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// className returns node i's Summary class name.
func (f *finder) className(i uint32) string { return f.r.ClassName(&f.r.Classes[f.r.Class[i]]) }

// edgeTo returns the target of node i's first edge of type t named name.
func (f *finder) edgeTo(i uint32, t uint8, name int) (uint32, bool) {
	s := f.s
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == t && s.EdgeNameIsString(e) && f.names.is(s.EdgeName[e], name) {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// tableSlots returns the slots of a V8 hash table (the backing store of a
// Map, Set or EventTarget's listener map): its internal edges named by
// index, with their indices, in edge order.
func (f *finder) tableSlots(table uint32) (idx []int, edges []uint32) {
	s := f.s
	for e := s.FirstEdge[table]; e < s.FirstEdge[table+1]; e++ {
		if s.EdgeType[e] != f.t.Internal {
			continue
		}
		k, ok := index(s.Strings.Bytes(s.EdgeName[e]))
		if !ok {
			continue
		}
		idx = append(idx, k)
		edges = append(edges, e)
	}
	return idx, edges
}

// index parses a slot index: decimal digits, without allocating (tables
// can have millions of slots).
func index(b []byte) (int, bool) {
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

// isOddball reports whether node i is one of V8's oddballs (undefined,
// null, true, false, the hole…): a system object named "system / Oddball"
// (V8 ≤ 12) or, in newer V8, named after its value, with a hidden edge to
// its string value.
func (f *finder) isOddball(i uint32) bool {
	s := f.s
	if s.NodeType[i] != f.t.Hidden {
		return false
	}
	if f.names.is(s.NodeName[i], nOddball) {
		return true
	}
	v, ok := f.oddballString(i)
	return ok && bytes.Equal(s.Strings.Bytes(s.NodeName[v]), s.NodeNameBytes(i))
}

// oddballValue returns an oddball's value ("true", "undefined", …): the
// string behind its first hidden edge to a string.
func (f *finder) oddballValue(i uint32) string {
	if v, ok := f.oddballString(i); ok {
		return f.s.Strings.String(f.s.NodeName[v])
	}
	return ""
}

func (f *finder) oddballString(i uint32) (uint32, bool) {
	s := f.s
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeType[e] == f.t.HiddenEdge && s.NodeType[s.EdgeTo[e]] == f.t.String {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// isTrue reports whether node i is the oddball true.
func (f *finder) isTrue(i uint32) bool { return f.isOddball(i) && f.oddballValue(i) == "true" }

// function describes a closure: its name ("(anonymous)" when empty) and
// where it is defined. A bound function (fn.bind(…)) has no position of
// its own: it is described by the function it binds, named "f (bound)".
func (f *finder) function(c uint32) (string, Location) {
	s := f.s
	bound := false
	for k := 0; k < 8; k++ {
		target, ok := f.edgeTo(c, f.t.Internal, nBoundFunction)
		if !ok || s.NodeType[target] != f.t.Closure {
			break
		}
		c, bound = target, true
	}
	name := s.Strings.String(s.NodeName[c])
	if name == "" {
		name = "(anonymous)"
	}
	if bound {
		name += " (bound)"
	}
	if loc, ok := f.o.Names.Locations().Node(c); ok {
		return name, loc
	}
	return name, Location{Position: sources.Position{File: sources.ClosureScript(s, c)}}
}

// groupFunctions groups closures (with their once flags) by function
// name and location, the largest group first.
func (f *finder) groupFunctions(fns []uint32, once []bool) []FunctionGroup {
	// The compiled position decides the original one, and Location's
	// Source is a pointer, new for each resolution: group by the former.
	type key struct {
		name string
		pos  sources.Position
	}
	index := map[key]int{}
	var groups []FunctionGroup
	for k, c := range fns {
		name, loc := f.function(c)
		g, ok := index[key{name, loc.Position}]
		if !ok {
			g = len(groups)
			index[key{name, loc.Position}] = g
			groups = append(groups, FunctionGroup{Function: name, Location: loc})
		}
		groups[g].Count++
		if once != nil && once[k] {
			groups[g].Once++
		}
	}
	slices.SortStableFunc(groups, func(a, b FunctionGroup) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Location.String(), b.Location.String()); c != 0 {
			return c
		}
		return cmp.Compare(a.Function, b.Function)
	})
	return groups
}

// describeGroups says where functions were created: "all created by f at
// file:1:2", or the biggest groups.
func describeGroups(total int, groups []FunctionGroup) string {
	if len(groups) == 0 {
		return ""
	}
	where := func(g FunctionGroup) string {
		if g.Location.File == "" && g.Location.Line == 0 {
			return g.Function
		}
		return g.Function + " at " + g.Location.String()
	}
	once := 0
	for _, g := range groups {
		once += g.Once
	}
	onceNote := ""
	switch {
	case once == total && total == 1:
		onceNote = ", added with once() and not yet emitted"
	case once == total:
		onceNote = ", all added with once() and not yet emitted"
	case once > 0:
		onceNote = fmt.Sprintf("; %s added with once() and not yet emitted", units.Count(once))
	}
	if len(groups) == 1 {
		if total == 1 {
			return "created by " + where(groups[0]) + onceNote
		}
		return "all created by " + where(groups[0]) + onceNote
	}
	var parts []string
	for k, g := range groups {
		if k == 3 {
			parts = append(parts, fmt.Sprintf("%d more functions", len(groups)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s by %s", units.Count(g.Count), where(g)))
	}
	return "created " + strings.Join(parts, ", ") + onceNote
}

// names maps the few names the detectors test to their string indices, so
// that edges are matched by integer. A text normally has one index; all
// of them are kept in case a snapshot repeats one.
type names struct {
	idx [nCount][]uint32
}

// Name ids.
const (
	nNone = iota
	nEvents
	nKEvents
	nListener
	nCallback
	nNext
	nWarned
	nTable
	nContext
	nProto
	nOddball
	nArray
	nMap
	nSet
	nTargetWarned
	nObject
	nSystemContext
	nBoundFunction
	nBareSymbol
	nListeners
	nOnTimeout
	nRepeat
	nTimeout
	nPromise
	nReactions
	nPromiseReaction
	nPrevious
	nExtension
	nFunction
	nNativeContext
	nDOMTimer
	// matched by prefix or substring, with or without DevTools' "Detached "
	nEventTargetData
	nRegisteredListener
	nListenerNative
	nListenerVector
	nHeapBacking
	nCount
)

var nameText = map[string]int{
	"_events": nEvents, "<symbol kEvents>": nKEvents, "listener": nListener, "callback": nCallback,
	"next": nNext, "warned": nWarned, "table": nTable,
	"context": nContext, "__proto__": nProto, "system / Oddball": nOddball,
	"Array": nArray, "Map": nMap, "Set": nSet,
	"<symbol events.maxEventTargetListenersWarned>": nTargetWarned, "Object": nObject,
	"bound_function": nBoundFunction, "<symbol>": nBareSymbol, "listeners": nListeners,
	"_onTimeout": nOnTimeout, "_repeat": nRepeat, "Timeout": nTimeout, "DOMTimer": nDOMTimer,
	"Promise": nPromise, "reactions_or_result": nReactions, "system / PromiseReaction": nPromiseReaction,
	"previous": nPrevious, "extension": nExtension, "function": nFunction,
}

func newNames(s *heapsnapshot.Snapshot) *names {
	// The string table can hold tens of millions of strings: each core
	// scans a range, and the ranges' matches are joined in order.
	parts := make([]names, par.Workers())
	n := par.Range(s.Strings.Len(), 1<<16, func(part, lo, hi int) { parts[part].scan(s, lo, hi) })
	out := &names{}
	for _, p := range parts[:n] {
		for id := range out.idx {
			out.idx[id] = append(out.idx[id], p.idx[id]...)
		}
	}
	return out
}

// scan records the known names among strings lo to hi.
func (n *names) scan(s *heapsnapshot.Snapshot, lo, hi int) {
	for i := lo; i < hi; i++ {
		b := s.Strings.Bytes(uint32(i))
		if len(b) <= 64 {
			if id, ok := nameText[string(b)]; ok {
				n.idx[id] = append(n.idx[id], uint32(i))
			}
		}
		// Blink's names are long, but none of interest is longer than a
		// few hundred bytes: strings' texts can be megabytes.
		if len(b) > 1024 {
			continue
		}
		// Function contexts: "system / Context", or in Chromium
		// "system / Context / scope @id".
		if string(b) == "system / Context" || bytes.HasPrefix(b, []byte("system / Context / ")) {
			n.idx[nSystemContext] = append(n.idx[nSystemContext], uint32(i))
		}
		if bytes.HasPrefix(b, []byte("system / NativeContext")) {
			n.idx[nNativeContext] = append(n.idx[nNativeContext], uint32(i))
		}
		b = bytes.TrimPrefix(b, []byte("Detached "))
		if bytes.HasPrefix(b, []byte("blink::EventTargetData")) {
			n.idx[nEventTargetData] = append(n.idx[nEventTargetData], uint32(i))
		}
		if bytes.HasPrefix(b, []byte("blink::BasicHeapVector<")) && bytes.Contains(b, []byte("RegisteredEventListener")) {
			n.idx[nListenerVector] = append(n.idx[nListenerVector], uint32(i))
		}
		if bytes.HasPrefix(b, []byte("blink::HeapVectorBacking<")) {
			n.idx[nHeapBacking] = append(n.idx[nHeapBacking], uint32(i))
		}
		if bytes.HasPrefix(b, []byte("blink::RegisteredEventListener")) {
			n.idx[nRegisteredListener] = append(n.idx[nRegisteredListener], uint32(i))
		}
		if bytes.Contains(b, []byte("EventListener")) && !bytes.Contains(b, []byte("<")) {
			n.idx[nListenerNative] = append(n.idx[nListenerNative], uint32(i))
		}
	}
}

// is reports whether string idx is the name with id want.
func (n *names) is(idx uint32, want int) bool {
	for _, v := range n.idx[want] {
		if v == idx {
			return true
		}
	}
	return false
}
