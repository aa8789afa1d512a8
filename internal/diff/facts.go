package diff

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Facts are the things whose growth a comparison tracks besides classes:
// EventEmitter listener lists, JS collections and detached DOM nodes.
type Facts struct {
	Listeners   []Listeners
	Collections []Collection
	// Detached lists the detached DOM nodes (DevTools' "Detached" natives,
	// without Node.js's own binding objects), by id.
	Detached []DetachedNode
}

// Listeners is one event of one EventEmitter (its _events holder).
type Listeners struct {
	EmitterID uint32
	Emitter   string // class name of the emitter
	Path      string // owner path of the emitter from the global object
	Event     string
	Count     int
	// Retained is the retained size of what _events holds for the event:
	// the listener Array, or the one listener function.
	Retained uint64
	// Function is the most common listener: its name and source location.
	Function string
}

// Key identifies the list within one process.
func (l *Listeners) Key() string {
	return strconv.FormatUint(uint64(l.EmitterID), 10) + "\x00" + l.Event
}

// Collection is a JS Array, Map or Set and its number of entries.
type Collection struct {
	ID       uint32
	Kind     string // Array, Map or Set
	Class    string // DevTools class name
	Path     string
	Count    int
	Retained uint64
}

// DetachedNode is a detached DOM node.
type DetachedNode struct {
	ID       uint32
	Class    string
	Retained uint64
}

// graph is the small part of the snapshot's vocabulary the facts need.
type graph struct {
	r *analysis.Result
	s *heapsnapshot.Snapshot
	// node types
	object, closure, native, regexp int
	// edge types
	weak, shortcut int
	// parent and parentEdge are the owners() tree: how the global object
	// first reaches each node, breadth first.
	parent, parentEdge []uint32
}

const none = ^uint32(0)

func newGraph(r *analysis.Result) *graph {
	s := r.Snap
	m := &s.Meta
	return &graph{
		r: r, s: s,
		object: m.NodeTypeIndex("object"), closure: m.NodeTypeIndex("closure"), native: m.NodeTypeIndex("native"), regexp: m.NodeTypeIndex("regexp"),
		weak: m.EdgeTypeIndex("weak"), shortcut: m.EdgeTypeIndex("shortcut"),
	}
}

func (g *graph) name(i uint32) string { return g.s.Strings.String(g.s.NodeName[i]) }

// globalObject is where owner paths start: Node's global (the root's
// shortcut edge), or Chromium's Window, else the root.
func (g *graph) globalObject() (uint32, string) {
	s := g.s
	root := s.Root()
	for e := s.FirstEdge[root]; e < s.FirstEdge[root+1]; e++ {
		if int(s.EdgeType[e]) == g.shortcut {
			return s.EdgeTo[e], "global"
		}
	}
	for i := range uint32(s.NodeCount) {
		if int(s.NodeType[i]) == g.object && strings.HasPrefix(g.name(i), "Window [JSGlobalObject]") {
			return i, "window"
		}
	}
	return root, "(root)"
}

// owners finds, breadth first from the global object over edges that are
// neither weak nor shortcuts, the first shortest path to every node.
func (g *graph) owners() (label string) {
	s := g.s
	start, label := g.globalObject()
	g.parent = make([]uint32, s.NodeCount)
	g.parentEdge = make([]uint32, s.NodeCount)
	for i := range g.parent {
		g.parent[i] = none
	}
	g.parent[start] = start
	queue := []uint32{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for e := s.FirstEdge[n]; e < s.FirstEdge[n+1]; e++ {
			t := int(s.EdgeType[e])
			if t == g.weak || t == g.shortcut {
				continue
			}
			to := s.EdgeTo[e]
			if g.parent[to] != none {
				continue
			}
			g.parent[to] = n
			g.parentEdge[to] = e
			queue = append(queue, to)
		}
	}
	return label
}

var (
	indexStep = regexp.MustCompile(`\[\d+\]`)
	slotStep  = regexp.MustCompile(`\{\d+\}`)
)

// path returns node i's owner path in the style of heapsnap's retainer
// chains (global.app.bus), or "" if the global object does not reach it.
// With generic, element indices and numbered slots are left out ([] and
// {*}): the shape of the path.
func (g *graph) path(i uint32, generic bool) string {
	if g.parent[i] == none {
		return ""
	}
	var edges []uint32
	n := i
	for ; g.parent[n] != n; n = g.parent[n] {
		edges = append(edges, g.parentEdge[n])
	}
	slices.Reverse(edges)
	p := retainers.FormatPath(g.r, retainers.Chain{Nodes: []uint32{n}, Edges: edges})
	if generic {
		p = slotStep.ReplaceAllString(indexStep.ReplaceAllString(p, "[]"), "{*}")
	}
	return p
}

// CollectFacts finds the listener lists, collections and detached DOM nodes
// of an analyzed snapshot, with owner paths.
func CollectFacts(r *analysis.Result) Facts {
	g := newGraph(r)
	g.owners()
	return g.facts()
}

func (g *graph) facts() Facts {
	r, s := g.r, g.s
	var f Facts
	holders := map[uint32]bool{}
	for _, ev := range suspects.Events(r) {
		holders[ev.Storage] = true
		event := ev.Name
		if event == "" {
			event = "(DOM listeners)"
		}
		f.Listeners = append(f.Listeners, Listeners{
			EmitterID: s.NodeID[ev.Emitter], Emitter: r.ClassName(&r.Classes[r.Class[ev.Emitter]]), Path: g.path(ev.Emitter, false),
			Event: event, Count: len(ev.Functions), Retained: r.Retained.At(ev.Storage), Function: g.mostCommon(ev.Functions),
		})
	}
	for _, c := range suspects.Collections(r, 1) {
		switch c.Type {
		case suspects.TypeArray, suspects.TypeMap, suspects.TypeSet:
		default:
			continue
		}
		if holders[c.Node] {
			continue // a listener list: reported as listeners
		}
		f.Collections = append(f.Collections, Collection{
			ID: s.NodeID[c.Node], Kind: c.Type, Class: r.ClassName(&r.Classes[r.Class[c.Node]]), Path: g.path(c.Node, false),
			Count: c.Entries, Retained: r.Retained.At(c.Node),
		})
	}
	for i := range uint32(s.NodeCount) {
		if int(s.NodeType[i]) == g.native && r.DOMState != nil && r.DOMState[i] == analysis.DOMDetached {
			class := r.ClassName(&r.Classes[r.Class[i]])
			if !strings.HasPrefix(class, "Detached Node / ") {
				f.Detached = append(f.Detached, DetachedNode{ID: s.NodeID[i], Class: class, Retained: r.Retained.At(i)})
			}
		}
	}
	slices.SortFunc(f.Collections, func(a, b Collection) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(f.Detached, func(a, b DetachedNode) int { return cmp.Compare(a.ID, b.ID) })
	return f
}

// mostCommon describes the most common listener function of a list
// ("onData app.js:21:33", with its share when there are several).
func (g *graph) mostCommon(fns []uint32) string {
	if len(fns) == 0 {
		return ""
	}
	type fn struct {
		name uint32
		loc  heapsnapshot.Location
	}
	counts := map[fn]int{}
	var order []fn
	first := map[fn]uint32{}
	for _, f := range fns {
		loc, _ := g.s.LocationOf(f)
		loc.Node = 0
		k := fn{g.s.NodeName[f], loc}
		if counts[k] == 0 {
			order = append(order, k)
			first[k] = f
		}
		counts[k]++
	}
	best := order[0]
	for _, k := range order[1:] {
		if counts[k] > counts[best] {
			best = k
		}
	}
	node := first[best]
	d := g.name(node)
	if d == "" {
		d = "(anonymous)"
	}
	if loc, ok := suspects.Locate(g.r, node); ok {
		d += " " + loc.String()
	}
	if len(order) > 1 {
		return fmt.Sprintf("%s (%d of %d)", d, counts[best], len(fns))
	}
	return d
}
