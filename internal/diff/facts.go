package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
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
	r     *devtools.Analysis
	s     *heapsnapshot.Snapshot
	names *retainers.Namer
}

func newGraph(r *devtools.Analysis, names *retainers.Namer) *graph {
	return &graph{r: r, s: r.Snapshot, names: names}
}

func (g *graph) name(i uint32) string { return g.s.Strings.String(g.s.NodeName[i]) }

// className returns node i's Summary class name.
func (g *graph) className(i uint32) string { return g.r.ClassName(&g.r.Classes[g.r.Class[i]]) }

// CollectFacts finds the listener lists, collections and detached DOM nodes
// of an analyzed snapshot, with owner paths.
func CollectFacts(r *devtools.Analysis, names *retainers.Namer) Facts {
	return newGraph(r, names).facts()
}

func (g *graph) facts() Facts {
	r, s := g.r, g.s
	var f Facts
	holders := map[uint32]bool{}
	// Owner paths are found for every emitter and collection at once.
	var owned []uint32
	var paths []*string
	for _, ev := range suspects.Events(r) {
		holders[ev.Storage] = true
		event := ev.Name
		if event == "" {
			event = "(DOM listeners)"
		}
		f.Listeners = append(f.Listeners, Listeners{
			EmitterID: s.NodeID[ev.Emitter], Emitter: g.className(ev.Emitter),
			Event: event, Count: len(ev.Functions), Retained: r.Retained.At(ev.Storage), Function: g.mostCommon(ev.Functions),
		})
		owned = append(owned, ev.Emitter)
	}
	var collections []uint32
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
			ID: s.NodeID[c.Node], Kind: c.Type, Class: g.className(c.Node),
			Count: c.Entries, Retained: r.Retained.At(c.Node),
		})
		collections = append(collections, c.Node)
	}
	for k := range f.Listeners {
		paths = append(paths, &f.Listeners[k].Path)
	}
	for k := range f.Collections {
		paths = append(paths, &f.Collections[k].Path)
	}
	for k, p := range g.names.OwnerPaths(nil, append(owned, collections...), retainers.MaxOwnerDepth) {
		*paths[k] = p
	}
	for i := range uint32(s.NodeCount) {
		if s.NodeType[i] == s.Types.Native && r.DOMState != nil && r.DOMState[i] == devtools.DOMDetached {
			class := g.className(i)
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
	if loc, ok := g.names.Locations().Node(node); ok {
		d += " " + loc.String()
	}
	if len(order) > 1 {
		return fmt.Sprintf("%s (%d of %d)", d, counts[best], len(fns))
	}
	return d
}
