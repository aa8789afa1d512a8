package retainers

import (
	"runtime"
	"strings"
	"sync"

	"github.com/heapsnap/heapsnap/internal/analysis"
)

// Owners returns, for each target, its owner chain: the chain DevTools'
// Retainers view expands (see Index.DevToolsChain), stopped as soon as it
// reaches a global object (global in Node.js, Window in a browser) or a
// script's top-level scope, and limited to depth edges.
//
// It builds no reverse index. Each round scans the edge arrays once and
// moves every unfinished chain one retainer up, so the cost is one pass
// over the edges per edge of the longest chain, and the memory a bit per
// node.
func Owners(r *analysis.Result, targets []uint32, depth int) []Chain {
	g := newGraph(r)
	s := g.s
	n := uint32(s.NodeCount)
	type walk struct {
		rev     Chain // from the target upwards
		head    uint32
		done    bool
		onChain map[uint32]bool
	}
	walks := make([]walk, len(targets))
	for k, t := range targets {
		// A user root (the global object) is its own owner.
		walks[k] = walk{rev: Chain{Nodes: []uint32{t}}, head: t, onChain: map[uint32]bool{t: true}, done: g.shownDistance(t) <= 1}
	}
	heads := make(bitset, (n+63)/64)
	type best struct {
		ok       bool
		rt       Retainer
		isGlobal bool // the head is a global object
		isScript bool // the head is a script's top-level scope
	}
	for {
		clear(heads)
		active := 0
		for k := range walks {
			if !walks[k].done {
				heads.set(walks[k].head)
				active++
			}
		}
		if active == 0 {
			break
		}
		found := map[uint32]*best{}
		// Scan the edge targets on every core; the edges that hit a head
		// are few, and are then examined in order (the comparison is a
		// total order, so the result does not depend on the split).
		for _, e := range scanHits(s.EdgeTo, heads) {
			to := s.EdgeTo[e]
			src := Source(s, e)
			if !g.listed(src, e) {
				continue
			}
			b := found[to]
			if b == nil {
				b = &best{}
				found[to] = b
			}
			if g.globalObjectEdge(e) {
				b.isGlobal = true
			}
			if g.scriptTable(src) {
				b.isScript = true
			}
			// Slot order is the reverse of edge order: among ties the
			// later edge comes first.
			cand := Retainer{Edge: e, From: src, Distance: g.shownDistance(src), slot: -int(e)}
			if b.ok && cand.Distance > b.rt.Distance {
				continue
			}
			cand.Name = string(g.displayName(src))
			if !b.ok || retainerLess(&cand, &b.rt) {
				b.rt, b.ok = cand, true
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

// scanHits returns, in increasing order, the edges whose target is in
// heads, scanning parts of the array in parallel.
func scanHits(edgeTo []uint32, heads bitset) []uint32 {
	workers := runtime.GOMAXPROCS(0)
	const minPart = 1 << 20
	if workers > 1+len(edgeTo)/minPart {
		workers = 1 + len(edgeTo)/minPart
	}
	parts := make([][]uint32, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(edgeTo)*w/workers, len(edgeTo)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hits []uint32
			for e, to := range edgeTo[lo:hi] {
				if heads.has(to) {
					hits = append(hits, uint32(lo+e))
				}
			}
			parts[w] = hits
		}()
	}
	wg.Wait()
	var all []uint32
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// FormatPath writes a chain as an owner path: its first node's short name
// followed by each edge as a path step, e.g. global.processor.emitter or
// Window.leakedPanels[0]; "(script)" names a script's top-level scope
// (let and const declarations). A truncated chain starts with "…".
func FormatPath(r *analysis.Result, c Chain) string {
	g := newGraph(r)
	var b []byte
	if c.Truncated {
		b = append(b, "…"...)
	}
	if c.ScriptScope {
		b = append(b, "(script)"...)
	} else {
		b = append(b, HeadName(r, c.Nodes[0])...)
	}
	for _, e := range c.Edges {
		b = g.pathStep(b, e)
	}
	return string(b)
}

// HeadName is how a chain's first node is named in an owner path: a
// global object or other user root by the first word of its name
// ("Window [JSGlobalObject] / file://" is Window, Node 26's
// "global (global*)" is global), anything else by its display name
// ((GC roots), system / Context, …).
func HeadName(r *analysis.Result, i uint32) string {
	name := DisplayName(r, i)
	d := r.Distance[i]
	if (d >= 0 && d <= 1) || strings.Contains(name, "[JSGlobalObject]") || strings.Contains(name, " (global") {
		if k := strings.IndexByte(name, ' '); k > 0 {
			return name[:k]
		}
	}
	return name
}

// globalObjectEdge reports whether edge e is a native context's link to
// its global object, which marks the target as a global object.
func (g *graph) globalObjectEdge(e uint32) bool {
	return int(g.s.EdgeType[e]) == g.internal && g.r.IsText(g.s.EdgeName[e], "global_object")
}

// scriptTable reports whether node i is a script context table, whose
// entries are scripts' top-level scopes.
func (g *graph) scriptTable(i uint32) bool {
	return g.r.IsText(g.s.NodeName[i], "system / ScriptContextTable")
}

// bitset is a fixed-size set of node ordinals.
type bitset []uint64

func (b bitset) has(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) set(i uint32)      { b[i>>6] |= 1 << (i & 63) }
