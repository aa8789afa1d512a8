package views

import (
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Profile is the dominator tree by class, as a profiler's call tree
// (analyze --format pprof): each object's stack is the classes of its
// dominators from the top down to its own, and its value is its self
// size. A frame's flat value is then the self size of the objects whose
// stack ends there, and its cumulative value the retained size of those
// whose stack passes through it, which is what a flame graph's widths
// show.
//
// As in DevTools' Summary, objects of size 0 (V8 arrays whose size
// DevTools counts in their owner) are no frame of their own: what they
// dominate hangs from their dominator. Runs of one class (a linked list
// of Nodes) are one frame, and stacks
// stop growing at MaxDepth frames: deeper objects count in the frame
// their path reaches there. The root is no frame; DevTools'
// extra_native_bytes, part of its total but of no object, are a frame of
// their own, so that the profile's total is DevTools' total size.
type Profile struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	TotalSize     uint64 `json:"total_size"`
	// Frames are the names stacks refer to (class names, each once).
	Frames []Name `json:"frames"`
	// Stacks is a trie: each stack is its parent's frames plus one more.
	Stacks []ProfileStack `json:"stacks"`
}

// ProfileStack is one stack: the objects whose dominator path it is.
type ProfileStack struct {
	Parent  int32  `json:"parent"` // -1 for a stack of one frame
	Frame   int32  `json:"frame"`
	Objects int    `json:"objects"`
	Self    uint64 `json:"self_size"`
}

// DefaultProfileDepth is the deepest stack of a Profile by default.
const DefaultProfileDepth = 64

// ExtraNativeFrame names the frame of DevTools' extra_native_bytes.
const ExtraNativeFrame = "(extra native bytes)"

// BuildProfile builds the profile of r; maxDepth ≤ 0 means
// DefaultProfileDepth.
func BuildProfile(r *devtools.Analysis, file string, maxDepth int) *Profile {
	if maxDepth <= 0 {
		maxDepth = DefaultProfileDepth
	}
	s := r.Snapshot
	p := &Profile{SchemaVersion: SchemaVersion, File: file, TotalSize: r.TotalSize, Frames: []Name{}, Stacks: []ProfileStack{}}
	frameOf := map[string]int32{}
	frame := func(name string) int32 {
		f, ok := frameOf[name]
		if !ok {
			f = int32(len(p.Frames))
			frameOf[name] = f
			p.Frames = append(p.Frames, Name(name))
		}
		return f
	}
	classFrame := make([]int32, len(r.Classes))
	for c := range r.Classes {
		classFrame[c] = frame(r.ClassName(&r.Classes[c]))
	}
	var depth []int32 // of each stack
	type edge struct{ parent, frame int32 }
	child := map[edge]int32{}
	stackOf := func(parent, f int32) int32 {
		if parent >= 0 && (p.Stacks[parent].Frame == f || int(depth[parent]) >= maxDepth) {
			return parent
		}
		k := edge{parent, f}
		if st, ok := child[k]; ok {
			return st
		}
		st := int32(len(p.Stacks))
		child[k] = st
		d := int32(1)
		if parent >= 0 {
			d = depth[parent] + 1
		}
		p.Stacks = append(p.Stacks, ProfileStack{Parent: parent, Frame: f})
		depth = append(depth, d)
		return st
	}

	// Each node's stack is its dominator's plus its class. A node's stack
	// is found by walking up to the first dominator already resolved,
	// then down again: every node is resolved once, without recursion.
	const unresolved = -2
	root := s.Root()
	stack := make([]int32, s.NodeCount)
	for i := range stack {
		stack[i] = unresolved
	}
	stack[root] = -1
	var path []uint32
	for i := range uint32(s.NodeCount) {
		path = path[:0]
		for d := i; stack[d] == unresolved; d = r.Dominator[d] {
			path = append(path, d)
		}
		for k := len(path) - 1; k >= 0; k-- {
			n := path[k]
			if s.NodeSelfSize[n] == 0 {
				stack[n] = stack[r.Dominator[n]]
			} else {
				stack[n] = stackOf(stack[r.Dominator[n]], classFrame[r.Class[n]])
			}
		}
		if i == root || s.NodeSelfSize[i] == 0 {
			continue
		}
		st := &p.Stacks[stack[i]]
		st.Objects++
		st.Self += uint64(s.NodeSelfSize[i])
	}
	if self := s.NodeSelfSize[root]; self > 0 {
		p.Stacks[stackOf(-1, frame(r.ClassName(&r.Classes[r.Class[root]])))].Self += uint64(self)
	}
	if s.ExtraNativeBytes > 0 {
		p.Stacks[stackOf(-1, frame(ExtraNativeFrame))].Self += s.ExtraNativeBytes
	}
	return p
}
