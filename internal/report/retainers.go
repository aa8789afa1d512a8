package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/units"
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
	Object ObjectRow  `json:"object"`
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
	Class string
	Paths int // chains per object
	Depth int // edges per chain at most
	List  int // rows of the Retainers view per object; 0 lists all
}

// BuildRetainers reports what retains each of the objects.
func BuildRetainers(r *devtools.Analysis, x *devtools.RetainerIndex, objects []uint32, o RetainersOptions) *Retainers {
	rep := &Retainers{SchemaVersion: SchemaVersion, File: o.File, Class: o.Class, Objects: []RetainersOf{}}
	for _, i := range objects {
		of := RetainersOf{Object: displayObject(r, i), Chains: []ChainRow{}, Retainers: []RetainerRow{}}
		for _, c := range retainers.Chains(r, x, i, o.Paths, o.Depth) {
			of.Chains = append(of.Chains, chainRow(r, c))
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

func chainRow(r *devtools.Analysis, c retainers.Chain) ChainRow {
	row := ChainRow{Path: retainers.FormatPath(r, c), Length: c.Len(), Truncated: c.Truncated}
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

// WriteRetainers renders the report.
func WriteRetainers(w io.Writer, rep *Retainers, f Format) error {
	if f == JSON {
		return WriteJSON(w, rep)
	}
	p := &printer{w: w, f: f}
	p.heading("heapsnap retainers: " + rep.File)
	if rep.Class != "" {
		what := fmt.Sprintf("The %d biggest objects of class %s.", len(rep.Objects), rep.Class)
		if len(rep.Objects) == 1 {
			what = fmt.Sprintf("The biggest object of class %s.", rep.Class)
		}
		p.printf("\n%s\n", p.text(what))
	}
	for _, of := range rep.Objects {
		p.objectHeading(of.Object)
		for k, c := range of.Chains {
			what := fmt.Sprintf("Chain %d, %d edges", k+1, c.Length)
			if c.Length == 1 {
				what = fmt.Sprintf("Chain %d, 1 edge", k+1)
			}
			if k == 0 {
				what += ", the one DevTools expands"
			}
			if c.Truncated {
				what += ", cut at --depth"
			}
			p.section(what)
			p.printf("%s\n\n", p.text(c.Text))
			g := Grid{
				Header: []string{"#", "Edge", "Object", "Id", "Distance", "Retained"},
				Align:  []Align{Right, Left, Left, Right, Right, Right},
			}
			internal := false
			for j, s := range c.Steps {
				obj := objectLabel(s.Object)
				if s.Internal {
					obj += " *"
					internal = true
				}
				g.Add(fmt.Sprint(j), Clip(string(s.Edge), 40), Clip(obj, 60), fmt.Sprintf("@%d", s.Object.ID),
					Distance(s.Object.Distance), units.Bytes(s.Object.RetainedSize))
			}
			p.grid(&g)
			if internal {
				p.printf("%s\n", p.text("* V8-internal step: an internal edge ({name}) or a system object"))
			}
		}
		p.retainerList(of.Retainers, of.RetainerCount)
	}
	return p.err
}

// objectHeading introduces one object.
func (p *printer) objectHeading(o ObjectRow) {
	p.section(fmt.Sprintf("%s @%d", Clip(objectLabel(o), 80), o.ID))
	p.fields([][2]string{
		{"Type", o.Type},
		{"Class", string(o.Class)},
		{"Size", fmt.Sprintf("shallow %s, retained %s (%s bytes)", units.Bytes(o.ShallowSize), units.Bytes(o.RetainedSize), units.Count(o.RetainedSize))},
		{"Distance", Distance(o.Distance)},
	})
}

// retainerList writes the first rows of DevTools' Retainers view.
func (p *printer) retainerList(rows []RetainerRow, total int) {
	p.section(fmt.Sprintf("Retainers, in DevTools' order (%d of %s)", len(rows), units.Count(total)))
	if total == 0 {
		p.printf("%s\n", p.text("None: nothing but weak references or the root holds it."))
		return
	}
	g := Grid{
		Header: []string{"#", "Edge", "From", "Id", "Distance", "Retained"},
		Align:  []Align{Right, Left, Left, Right, Right, Right},
	}
	for k, rt := range rows {
		g.Add(fmt.Sprint(k+1), Clip(string(rt.Edge), 40), Clip(objectLabel(rt.Object), 60), fmt.Sprintf("@%d", rt.Object.ID),
			Distance(rt.Distance), units.Bytes(rt.Object.RetainedSize))
	}
	p.grid(&g)
}

// objectLabel names an object in a table: its class, and its name when
// that says more ("Function formatSession", "Object {a, b}").
func objectLabel(o ObjectRow) string {
	name := oneLine(string(o.Name))
	switch {
	case name == "" || name == string(o.Class):
		return string(o.Class)
	case strings.HasPrefix(string(o.Class), "("):
		return Clip(name, 60)
	}
	return string(o.Class) + " " + Clip(name, 60)
}

// text escapes a line of prose for the output format.
func (p *printer) text(s string) string {
	if p.f == Markdown {
		return escapeMarkdown(s)
	}
	return oneLine(s)
}

// heading writes a report's title without the blank line title leaves,
// for reports whose first section follows at once.
func (p *printer) heading(s string) {
	if p.f == Markdown {
		p.printf("# %s\n", escapeMarkdown(s))
	} else {
		p.printf("%s\n", s)
	}
}
