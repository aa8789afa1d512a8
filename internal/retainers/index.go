package retainers

import (
	"container/heap"
	"sort"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Index is a reverse edge index: every node's retaining edges in DevTools'
// slot order (the reverse of source ordinal, then edge order). It costs 4
// bytes per edge and 4 per node.
type Index struct {
	g     *graph
	first []uint32 // node i's slots are first[i] .. first[i+1]-1
	slots []uint32 // edge indices
}

// NewIndex builds the reverse index of an analyzed snapshot.
func NewIndex(r *analysis.Result) *Index {
	s := r.Snap
	n := uint32(s.NodeCount)
	first := make([]uint32, n+1)
	for _, t := range s.EdgeTo {
		first[t]++
	}
	// Running sums make first[t] the end of t's range; filling backwards
	// then leaves it at the start, with slots in reverse edge order.
	for i := uint32(1); i <= n; i++ {
		first[i] += first[i-1]
	}
	slots := make([]uint32, len(s.EdgeTo))
	for e, t := range s.EdgeTo {
		first[t]--
		slots[first[t]] = uint32(e)
	}
	return &Index{g: newGraph(r), first: first, slots: slots}
}

// Source returns the node that edge e leaves from.
func Source(s *heapsnapshot.Snapshot, e uint32) uint32 {
	// FirstEdge is non-decreasing: the source is the last node whose first
	// edge is at or before e.
	return uint32(sort.Search(s.NodeCount, func(i int) bool { return s.FirstEdge[i+1] > e }))
}

// Retainer is one row of DevTools' Retainers view.
type Retainer struct {
	Edge uint32 // the retaining edge
	From uint32 // the retaining node
	// Distance is the distance the view shows and sorts by: the node's
	// distance, or BaseUnreachableDist for unreachable nodes.
	Distance int32
	Name     string // the retaining node's display name
	slot     int
}

// Retainers returns node i's retainers in the order DevTools' Retainers
// view lists them by default: weak edges and the root's edges left out,
// then by distance, display name (UTF-16 order) and slot.
func (x *Index) Retainers(i uint32) []Retainer {
	g := x.g
	var out []Retainer
	for k := x.first[i]; k < x.first[i+1]; k++ {
		e := x.slots[k]
		src := Source(g.s, e)
		if !g.listed(src, e) {
			continue
		}
		out = append(out, Retainer{Edge: e, From: src, Distance: g.shownDistance(src), Name: string(g.displayName(src)), slot: int(k)})
	}
	sort.Slice(out, func(a, b int) bool { return retainerLess(&out[a], &out[b]) })
	return out
}

func retainerLess(a, b *Retainer) bool {
	if a.Distance != b.Distance {
		return a.Distance < b.Distance
	}
	if c := heapsnapshot.CompareUTF16([]byte(a.Name), []byte(b.Name)); c != 0 {
		return c < 0
	}
	return a.slot < b.slot
}

// Chain is a retainer chain: Nodes[0] is where it starts (a GC root, the
// global object, or the last node expanded) and the last node is the
// object itself; Edges[k] leads from Nodes[k] to Nodes[k+1].
type Chain struct {
	Nodes []uint32
	Edges []uint32
	// Truncated is set when the depth limit cut the chain before a root.
	Truncated bool
	// ScriptScope is set when an owner chain starts at a script's
	// top-level scope (Owners only).
	ScriptScope bool
}

// Len returns the number of edges.
func (c Chain) Len() int { return len(c.Edges) }

// terminal reports whether DevTools stops expanding at a retainer with
// this shown distance: user roots (≤ 1) and unreachable nodes.
func terminal(d int32) bool { return d <= 1 || d >= analysis.BaseUnreachableDist }

// DevToolsChain returns the chain DevTools' Retainers view expands on its
// own (expandRetainersChain): from the object, the first retainer listed,
// then its first retainer, and so on until a retainer at distance ≤ 1, an
// unreachable one, one already on the chain, or depth levels.
func (x *Index) DevToolsChain(target uint32, depth int) Chain { return x.expand(target, depth, false) }

// OwnerChain returns node i's owner chain as Owners finds it, using the
// index: DevTools' chain, stopped at a global object or a script's
// top-level scope.
func (x *Index) OwnerChain(target uint32, depth int) Chain { return x.expand(target, depth, true) }

func (x *Index) expand(target uint32, depth int, owner bool) Chain {
	g := x.g
	rev := Chain{Nodes: []uint32{target}}
	if owner && g.shownDistance(target) <= 1 {
		return rev // a user root is its own owner
	}
	onChain := map[uint32]bool{target: true}
	for cur := target; ; {
		rs := x.Retainers(cur)
		if len(rs) == 0 {
			break
		}
		if owner && x.ownerStop(rs, &rev) {
			break
		}
		if len(rev.Edges) == depth {
			rev.Truncated = true
			break
		}
		first := rs[0]
		if onChain[first.From] {
			break
		}
		rev.Nodes = append(rev.Nodes, first.From)
		rev.Edges = append(rev.Edges, first.Edge)
		onChain[first.From] = true
		if terminal(first.Distance) {
			break
		}
		cur = first.From
	}
	return rev.reversed()
}

// ownerStop reports whether an owner chain ends at the node with these
// retainers: a global object (its native context's global_object edge) or
// a script scope (held by the script context table).
func (x *Index) ownerStop(rs []Retainer, c *Chain) bool {
	stop := false
	for _, rt := range rs {
		if x.g.scriptTable(rt.From) {
			c.ScriptScope = true
			return true
		}
		stop = stop || x.g.globalObjectEdge(rt.Edge)
	}
	return stop
}

// reversed turns a chain collected from the object upwards around.
func (c Chain) reversed() Chain {
	n := len(c.Nodes)
	out := Chain{Nodes: make([]uint32, n), Edges: make([]uint32, len(c.Edges)), Truncated: c.Truncated, ScriptScope: c.ScriptScope}
	for k, v := range c.Nodes {
		out.Nodes[n-1-k] = v
	}
	for k, e := range c.Edges {
		out.Edges[len(c.Edges)-1-k] = e
	}
	return out
}

// Chains returns up to n retainer chains to target, each at most depth
// edges long. The first is DevToolsChain; the others follow as a
// best-first search finds them: chains from user roots before chains from
// system roots (as DevTools sorts retainers by distance), shortest first
// (the estimate of the rest of a chain is the distance of its top node),
// and among equally long ones in the order of the Retainers view at each
// step. A chain never visits a node twice, and ends where DevTools stops
// expanding.
func (x *Index) Chains(target uint32, n, depth int) []Chain {
	if n <= 0 {
		return nil
	}
	first := x.DevToolsChain(target, depth)
	out := []Chain{first}
	if n == 1 {
		return out
	}
	g := x.g
	type state struct {
		node, edge uint32
		parent     int32 // index of the state below (towards the object), -1 for the object
		depth      int32
	}
	states := []state{{node: target, parent: -1}}
	onChain := func(k int32, node uint32) bool {
		for ; k >= 0; k = states[k].parent {
			if states[k].node == node {
				return true
			}
		}
		return false
	}
	chainOf := func(k int32, truncated bool) Chain {
		var c Chain
		for ; k >= 0; k = states[k].parent {
			c.Nodes = append(c.Nodes, states[k].node)
			if states[k].parent >= 0 {
				c.Edges = append(c.Edges, states[k].edge)
			}
		}
		c.Truncated = truncated
		return c // already root first: the walk goes from the top down
	}
	q := &frontier{}
	heap.Push(q, item{class: g.rootClass(target), f: int64(g.estimate(target)), state: 0})
	cache := map[uint32][]Retainer{}
	// Bounds for pathological graphs (hubs retained by millions of
	// objects): the search stops early rather than run for minutes.
	const maxStates, maxPops = 1 << 20, 1 << 17
	for pops := 0; q.Len() > 0 && len(out) < n && pops < maxPops; pops++ {
		it := heap.Pop(q).(item)
		st := states[it.state]
		rs, ok := cache[st.node]
		if !ok {
			rs = x.Retainers(st.node)
			cache[st.node] = rs
		}
		done := len(rs) == 0 || (st.parent >= 0 && terminal(g.shownDistance(st.node)))
		if !done && int(st.depth) == depth {
			c := chainOf(it.state, true)
			if !sameChain(c, first) {
				out = append(out, c)
			}
			continue
		}
		if done {
			if c := chainOf(it.state, false); !sameChain(c, first) {
				out = append(out, c)
			}
			continue
		}
		for _, rt := range rs {
			if onChain(it.state, rt.From) || len(states) >= maxStates {
				continue
			}
			states = append(states, state{node: rt.From, edge: rt.Edge, parent: it.state, depth: st.depth + 1})
			heap.Push(q, item{class: g.rootClass(rt.From), f: int64(st.depth+1) + int64(g.estimate(rt.From)),
				depth: st.depth + 1, state: int32(len(states) - 1), seq: q.seq})
			q.seq++
		}
	}
	return out
}

// rootClass orders chains as DevTools orders retainers by distance: those
// from user roots first, then those from system roots, then unreachable
// ones.
func (g *graph) rootClass(i uint32) int8 {
	switch d := g.shownDistance(i); {
	case d >= analysis.BaseUnreachableDist:
		return 2
	case d >= analysis.BaseSystemDistance:
		return 1
	}
	return 0
}

// estimate is the number of edges left from node i to where a chain
// stops: its distance from the user roots, or from "(GC roots)" for nodes
// that only system roots reach.
func (g *graph) estimate(i uint32) int32 {
	d := g.shownDistance(i)
	switch {
	case d >= analysis.BaseUnreachableDist:
		return 0
	case d >= analysis.BaseSystemDistance:
		return max(0, d-analysis.BaseSystemDistance-1)
	}
	return max(0, d-1)
}

func sameChain(a, b Chain) bool {
	if len(a.Edges) != len(b.Edges) || len(a.Nodes) != len(b.Nodes) {
		return false
	}
	for k := range a.Edges {
		if a.Edges[k] != b.Edges[k] {
			return false
		}
	}
	return a.Nodes[0] == b.Nodes[0]
}

// frontier is a min-heap of search states: by root class, estimated chain
// length, then deepest first (which follows one chain to its end instead
// of widening every tie) and insertion order, which keeps the Retainers
// view's order among ties.
type frontier struct {
	items []item
	seq   int64
}

type item struct {
	class int8
	f     int64
	depth int32
	seq   int64
	state int32
}

func (q *frontier) Len() int { return len(q.items) }
func (q *frontier) Less(a, b int) bool {
	x, y := &q.items[a], &q.items[b]
	switch {
	case x.class != y.class:
		return x.class < y.class
	case x.f != y.f:
		return x.f < y.f
	case x.depth != y.depth:
		return x.depth > y.depth
	}
	return x.seq < y.seq
}
func (q *frontier) Swap(a, b int) { q.items[a], q.items[b] = q.items[b], q.items[a] }
func (q *frontier) Push(v any)    { q.items = append(q.items, v.(item)) }
func (q *frontier) Pop() any {
	v := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return v
}
