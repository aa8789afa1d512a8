package views

import (
	"fmt"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Retainers is the report of `heapsnap retainers`.
type Retainers struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	// Class is set with --class: the objects are that class's biggest.
	Class   string        `json:"class,omitempty"`
	Objects []RetainersOf `json:"objects"`
}

// RetainersOf is what keeps one object alive.
type RetainersOf struct {
	Object ObjectRow `json:"object"`
	// Path is the object's owner path, as every command prints it.
	Path   string     `json:"path"`
	Chains []ChainRow `json:"chains"`
	// RetainerCount is the number of rows of DevTools' Retainers view;
	// Retainers holds the first ones.
	RetainerCount int           `json:"retainer_count"`
	Retainers     []RetainerRow `json:"retainers"`
}

// ChainRow is a retainer chain from a root (or the place DevTools stops)
// to the object.
type ChainRow struct {
	// Path is the chain as an owner path (global.processor.emitter).
	Path string `json:"path"`
	// Text is the chain with arrows (global → processor → emitter →
	// EventEmitter @71451).
	Text      string    `json:"text"`
	Length    int       `json:"length"`
	Truncated bool      `json:"truncated"`
	Steps     []StepRow `json:"steps"`
}

// StepRow is one node of a chain and the edge that leads to it (none for
// the first).
type StepRow struct {
	Edge     Name   `json:"edge,omitempty"`      // DevTools' notation: .name, [i], ->name, {name}
	EdgeType string `json:"edge_type,omitempty"` // V8 edge type
	// Internal marks V8-internal steps: an internal, hidden or shortcut
	// edge, or a system object (hidden, array, code, shape, synthetic).
	Internal bool      `json:"internal"`
	Object   ObjectRow `json:"object"`
}

// RetainerRow is one row of DevTools' Retainers view.
type RetainerRow struct {
	Edge     Name   `json:"edge"`
	EdgeType string `json:"edge_type"`
	// Distance is the retainer's distance as the view sorts by it
	// (200000000 for unreachable retainers).
	Distance int32     `json:"distance"`
	Object   ObjectRow `json:"object"`
}

// RetainersOptions selects what the report includes.
type RetainersOptions struct {
	File  string
	Names *retainers.Namer // owner paths
	Class string
	Paths int // chains per object
	Depth int // edges per chain at most
	List  int // rows of the Retainers view per object; 0 lists all
}

// BuildRetainers reports what retains each of the objects.
func BuildRetainers(r *devtools.Analysis, x *devtools.RetainerIndex, objects []uint32, o RetainersOptions) *Retainers {
	if o.Names == nil {
		o.Names = retainers.NewNamer(r, nil)
	}
	rep := &Retainers{SchemaVersion: SchemaVersion, File: o.File, Class: o.Class, Objects: []RetainersOf{}}
	paths := o.Names.OwnerPaths(x, objects, retainers.MaxOwnerDepth)
	for k, i := range objects {
		of := RetainersOf{Object: displayObject(r, i), Path: paths[k], Chains: []ChainRow{}, Retainers: []RetainerRow{}}
		for _, c := range retainers.Chains(r, x, i, o.Paths, o.Depth) {
			of.Chains = append(of.Chains, chainRow(r, o.Names, c))
		}
		rs := x.Retainers(i)
		of.RetainerCount = len(rs)
		of.Retainers = retainerRows(r, rs, o.List)
		rep.Objects = append(rep.Objects, of)
	}
	return rep
}

// displayObject describes node i with DevTools' display name (the
// Retainers view's: "{a, b}" for plain objects, a cons string's text).
func displayObject(r *devtools.Analysis, i uint32) ObjectRow {
	o := Object(r, i)
	o.Name = Name(r.DisplayName(i))
	return o
}

func retainerRows(r *devtools.Analysis, rs []devtools.Retainer, n int) []RetainerRow {
	out := []RetainerRow{}
	for k, rt := range rs {
		if n > 0 && k == n {
			break
		}
		out = append(out, RetainerRow{
			Edge: Name(r.EdgeLabel(rt.Edge)), EdgeType: r.Snapshot.Meta.EdgeTypeName(r.Snapshot.EdgeType[rt.Edge]),
			Distance: rt.Distance, Object: displayObject(r, rt.From),
		})
	}
	return out
}

func chainRow(r *devtools.Analysis, names *retainers.Namer, c retainers.Chain) ChainRow {
	row := ChainRow{Path: names.Path(c), Length: c.Len(), Truncated: c.Truncated}
	var text []string
	if c.Truncated {
		text = append(text, "…")
	}
	text = append(text, retainers.HeadName(r, c.Nodes[0]))
	for k, n := range c.Nodes {
		step := StepRow{Object: displayObject(r, n), Internal: retainers.InternalNode(r.Snapshot, n)}
		if k > 0 {
			e := c.Edges[k-1]
			step.Edge = Name(r.EdgeLabel(e))
			step.EdgeType = r.Snapshot.Meta.EdgeTypeName(r.Snapshot.EdgeType[e])
			step.Internal = step.Internal || retainers.InternalEdge(r.Snapshot, e)
			text = append(text, retainers.ArrowStep(r, e))
		}
		row.Steps = append(row.Steps, step)
	}
	last := row.Steps[len(row.Steps)-1].Object
	if len(c.Nodes) > 1 {
		text = append(text, fmt.Sprintf("%s @%d", last.Class, last.ID))
	}
	row.Text = strings.Join(text, " → ")
	return row
}
