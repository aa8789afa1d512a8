package views

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Show is the report of `heapsnap show`: one object in detail.
type Show struct {
	SchemaVersion int       `json:"schema_version"`
	File          string    `json:"file"`
	Object        ObjectRow `json:"object"`
	// Location is where V8 recorded the object was created (closures and
	// instances of user classes), 1-based; empty when there is none.
	Location string `json:"location,omitempty"`
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
}

// maxDominators bounds the dominator chain shown: chains can be millions
// of objects long (a linked list).
const maxDominators = 100

// BuildShow describes node i.
func BuildShow(r *devtools.Analysis, x *devtools.RetainerIndex, i uint32, o ShowOptions) *Show {
	s := r.Snapshot
	rep := &Show{SchemaVersion: SchemaVersion, File: o.File, Object: displayObject(r, i),
		Dominators: []ObjectRow{}, References: []ReferenceRow{}}
	if loc, ok := o.Names.Locations().Node(i); ok {
		rep.Location = loc.String()
	}
	rep.Path = o.Names.OwnerPaths(x, []uint32{i}, retainers.MaxOwnerDepth)[0]
	root := s.Root()
	for d := i; d != root; {
		d = r.Dominator[d]
		if len(rep.Dominators) == maxDominators {
			rep.DominatorsMore = true
			break
		}
		rep.Dominators = append(rep.Dominators, displayObject(r, d))
	}
	// Outgoing references by what their targets retain, as DevTools'
	// containment view sorts them; ties in edge order.
	var edges []uint32
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		edges = append(edges, e)
	}
	rep.EdgeCount = len(edges)
	slices.SortStableFunc(edges, func(a, b uint32) int { return cmp.Compare(r.Retained.At(s.EdgeTo[b]), r.Retained.At(s.EdgeTo[a])) })
	for k, e := range edges {
		if o.References > 0 && k == o.References {
			break
		}
		rep.References = append(rep.References, ReferenceRow{
			Edge: Name(r.EdgeLabel(e)), EdgeType: s.Meta.EdgeTypeName(s.EdgeType[e]), Object: displayObject(r, s.EdgeTo[e]),
		})
	}
	rs := x.Retainers(i)
	rep.RetainerCount = len(rs)
	rep.Retainers = retainerRows(r, rs, o.Retainers)
	return rep
}
