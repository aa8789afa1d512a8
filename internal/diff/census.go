// Package diff compares heap snapshots: DevTools' Comparison view between
// two snapshots (devtools.Compare: objects matched by node id, per class),
// the same by class totals when the snapshots come from different
// processes, and, over three or more snapshots of one process, memlab-style
// leak candidates and the classes, collections and listener lists that grow
// at every step.
//
// Snapshots are analyzed one at a time. Each is reduced to a Census — the
// devtools.Census (node ids, per-class members, Summary totals) and the
// growth facts — and its graph is released before the next one is loaded,
// so comparing snapshots needs little more memory than analyzing the
// largest of them.
package diff

import "github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"

// Census is what a comparison keeps of a snapshot after its graph is gone.
type Census struct {
	*devtools.Census
	File string
	// Facts are the growth facts: listener lists, collections, detached DOM.
	Facts Facts
	// made counts the program's objects by class and creation site
	// (graph.madeWhere), for series.
	made map[string]int
}
