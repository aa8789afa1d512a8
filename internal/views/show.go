package views

import (
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Show is the report of `heapsnap show`: one object in detail.
type Show struct {
	SchemaVersion int       `json:"schema_version"`
	File          string    `json:"file"`
	Object        ObjectRow `json:"object"`
	// Location is where V8 recorded the object was created (closures and
	// instances of user classes), 1-based, as "original (compiled)" when a
	// source map covers it; empty when there is none. Created has both as
	// fields.
	Location string            `json:"location,omitempty"`
	Created  *sources.Location `json:"created,omitempty"`
	// AllocationStack is the stack that allocated the object, innermost
	// frame first, when the snapshot was taken with allocation tracking.
	AllocationStack []sources.Frame `json:"allocation_stack,omitempty"`
	// Path is the owner path: DevTools' retainer chain cut at the global
	// object.
	Path string `json:"path"`
	// Dominators are the object's dominators, from its immediate
	// dominator up to the root.
	Dominators []ObjectRow `json:"dominators"`
	// EdgeCount is the number of outgoing references; References holds
	// the ones whose targets retain the most.
	EdgeCount      int            `json:"edge_count"`
	References     []ReferenceRow `json:"references"`
	RetainerCount  int            `json:"retainer_count"`
	Retainers      []RetainerRow  `json:"retainers"`
	DominatorsMore bool           `json:"dominators_truncated"`
}

// ReferenceRow is an outgoing reference.
type ReferenceRow struct {
	Edge     Name      `json:"edge"`
	EdgeType string    `json:"edge_type"`
	Object   ObjectRow `json:"object"`
}

// ShowOptions selects what the report includes.
type ShowOptions struct {
	File       string
	Names      *retainers.Namer // owner paths and locations
	References int              // outgoing references to list; 0 lists all
	Retainers  int              // retainers to list; 0 lists all
	// Allocations is the snapshot's allocation profile, nil without one.
	Allocations *devtools.AllocationProfile
}

// maxDominators bounds the dominator chain shown: chains can be millions
// of objects long (a linked list).
const maxDominators = 100

// BuildShow describes node i.
func BuildShow(r *devtools.Analysis, x *devtools.RetainerIndex, i uint32, o ShowOptions) *Show {
	if o.Names == nil {
		o.Names = retainers.NewNamer(r, nil)
	}
	rep := &Show{SchemaVersion: SchemaVersion, File: o.File, Object: displayObject(r, i),
		References: []ReferenceRow{}}
	if loc, ok := o.Names.Locations().Node(i); ok {
		rep.Location, rep.Created = loc.String(), &loc
	}
	if o.Allocations != nil {
		rep.AllocationStack = o.Names.Locations().Frames(o.Allocations.Stack(i))
	}
	rep.Path = o.Names.OwnerPaths(x, []uint32{i}, retainers.MaxOwnerDepth)[0]
	rep.Dominators, rep.DominatorsMore = dominators(r, i)
	edges := References(r, i)
	rep.EdgeCount = len(edges)
	if o.References > 0 && len(edges) > o.References {
		edges = edges[:o.References]
	}
	rep.References = referenceRows(r, edges)
	rs := x.Retainers(i)
	rep.RetainerCount = len(rs)
	rep.Retainers = retainerRows(r, rs, o.Retainers)
	return rep
}

// dominators lists node i's dominators, from its immediate dominator up to
// the root, at most maxDominators of them; more is set when there are more.
func dominators(r *devtools.Analysis, i uint32) (doms []ObjectRow, more bool) {
	doms = []ObjectRow{}
	root := r.Snapshot.Root()
	for d := i; d != root; {
		d = r.Dominator[d]
		if len(doms) == maxDominators {
			return doms, true
		}
		doms = append(doms, displayObject(r, d))
	}
	return doms, false
}
