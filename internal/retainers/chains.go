// Package retainers answers "what keeps this object alive?" beyond
// DevTools' Retainers view (devtools.RetainerIndex): the retainer chain
// DevTools expands from an object to a GC root or the global object,
// further chains shortest first, and owner paths such as
// global.processor.emitter — one definition of an object's owner path,
// used by every command (Owners).
package retainers

import (
	"container/heap"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

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
func terminal(d int32) bool { return d <= 1 || d >= devtools.BaseUnreachableDistance }

// DevToolsChain returns the chain DevTools' Retainers view expands on its
// own (expandRetainersChain): from the object, the first retainer listed,
// then its first retainer, and so on until a retainer at distance ≤ 1, an
// unreachable one, one already on the chain, or depth levels.
func DevToolsChain(x *devtools.RetainerIndex, target uint32, depth int) Chain {
	rev := Chain{Nodes: []uint32{target}}
	onChain := map[uint32]bool{target: true}
	for cur := target; ; {
		rs := x.Retainers(cur)
		if len(rs) == 0 {
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
func Chains(r *devtools.Analysis, x *devtools.RetainerIndex, target uint32, n, depth int) []Chain {
	if n <= 0 {
		return nil
	}
	first := DevToolsChain(x, target, depth)
	out := []Chain{first}
	if n == 1 {
		return out
	}
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
	heap.Push(q, item{class: rootClass(r, target), f: int64(estimate(r, target)), state: 0})
	cache := map[uint32][]devtools.Retainer{}
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
		done := len(rs) == 0 || (st.parent >= 0 && terminal(r.ShownDistance(st.node)))
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
			heap.Push(q, item{class: rootClass(r, rt.From), f: int64(st.depth+1) + int64(estimate(r, rt.From)),
				depth: st.depth + 1, state: int32(len(states) - 1), seq: q.seq})
			q.seq++
		}
	}
	return out
}

// rootClass orders chains as DevTools orders retainers by distance: those
// from user roots first, then those from system roots, then unreachable
// ones.
func rootClass(r *devtools.Analysis, i uint32) int8 {
	switch d := r.ShownDistance(i); {
	case d >= devtools.BaseUnreachableDistance:
		return 2
	case d >= devtools.BaseSystemDistance:
		return 1
	}
	return 0
}

// estimate is the number of edges left from node i to where a chain
// stops: its distance from the user roots, or from "(GC roots)" for nodes
// that only system roots reach.
func estimate(r *devtools.Analysis, i uint32) int32 {
	d := r.ShownDistance(i)
	switch {
	case d >= devtools.BaseUnreachableDistance:
		return 0
	case d >= devtools.BaseSystemDistance:
		return max(0, d-devtools.BaseSystemDistance-1)
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
