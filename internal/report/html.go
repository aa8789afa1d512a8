package report

import (
	_ "embed"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// The HTML report is one file with its style and script inline and a
// Content-Security-Policy that forbids loading anything, so that it opens
// the same anywhere: a CI artifact, a mail attachment, offline.
var (
	//go:embed html/report.html
	htmlTemplate string
	//go:embed html/report.css
	htmlStyle string
	//go:embed html/report.js
	htmlScript string

	reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
		"bytes": units.Bytes, "count": units.Count[int], "count64": units.Count[uint64],
		"pct": func(n, total uint64) string { return percent(int64(n), total) }, "distance": Distance,
		"clip":  func(s views.Name, n int) string { return Shorten(string(s), n) },
		"limit": FormatLimit, "actual": FormatActual, "note": note,
	}).Parse(htmlTemplate))
)

// htmlReport is what the template reads.
type htmlReport struct {
	*views.Overview
	Style  template.CSS
	Script template.JS
	Slices []statSlice
	Boxes  []icicleBox
	Height float64 // of the icicle, in em
}

type statSlice struct {
	Name  string
	Size  uint64
	Color template.CSS
}

// icicleRow is the height of an icicle level, in em.
const icicleRow = 1.5

// icicleBox is one box of the icicle, placed in percent of the width.
type icicleBox struct {
	Left, Width float64 // percent
	Top         float64 // em
	Label, Size string
	Title       string
	Color       template.CSS
}

func writeHTML(w io.Writer, o *views.Overview) error {
	st := o.Statistics
	rep := &htmlReport{
		Overview: o, Style: template.CSS(htmlStyle), Script: template.JS(htmlScript),
		Slices: []statSlice{
			{"Code", st.Code, "#f59e0b"}, {"Strings", st.Strings, "#a855f7"}, {"JS arrays", st.JSArrays, "#3b82f6"},
			{"Typed arrays", st.TypedArrays, "#06b6d4"}, {"System objects", st.System, "#94a3b8"},
			{"Other JS objects", uint64(max(0, st.OtherJSObjects)), "#22c55e"}, {"Other non-JS objects", uint64(max(0, st.OtherNonJSObjects)), "#f43f5e"},
		},
	}
	var rows int
	rep.Boxes, rows = icicle(o.Tree)
	rep.Height = float64(rows) * icicleRow
	return reportTemplate.Execute(w, rep)
}

// icicle lays out the tree's boxes level by level, each as wide as its
// share of the root's retained size, children from the left edge of their
// parent.
func icicle(t *views.Top) ([]icicleBox, int) {
	var root uint64
	for _, n := range t.Objects {
		root += n.RetainedSize
	}
	root = max(root, t.TotalSize, 1)
	type item struct {
		n     *views.TopNode
		left  float64
		depth int
	}
	var boxes []icicleBox
	rows := 0
	var queue []item
	left := 0.0
	for k := range t.Objects {
		queue = append(queue, item{&t.Objects[k], left, 0})
		left += 100 * float64(t.Objects[k].RetainedSize) / float64(root)
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		n := it.n
		width := 100 * float64(n.RetainedSize) / float64(root)
		label := string(n.Class)
		if n.Name != "" && n.Name != n.Class {
			label += " " + Shorten(string(n.Name), 60)
		}
		edge := ""
		if n.Edge != "" {
			edge = string(n.Edge) + " · "
		}
		boxes = append(boxes, icicleBox{
			Left: it.left, Width: width, Top: float64(it.depth) * icicleRow, Label: label, Size: units.Bytes(n.RetainedSize),
			Title: fmt.Sprintf("%s @%d\n%sretained %s (%s), shallow %s, dominates %s", label, n.ID, edge, units.Bytes(n.RetainedSize),
				percent(int64(n.RetainedSize), t.TotalSize), units.Bytes(n.ShallowSize), units.Count(n.ChildCount)),
			Color: classColor(string(n.Class), n.Type),
		})
		rows = max(rows, it.depth+1)
		x := it.left
		for k := range n.Children {
			queue = append(queue, item{&n.Children[k], x, it.depth + 1})
			x += 100 * float64(n.Children[k].RetainedSize) / float64(root)
		}
	}
	return boxes, rows
}

// classColor gives each class a stable hue; V8's own objects are paler.
func classColor(class, typ string) template.CSS {
	if typ == "synthetic" {
		return "#cbd5e1"
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(class))
	light := 84
	if typ == "object" || typ == "closure" {
		light = 74
	}
	return template.CSS(fmt.Sprintf("hsl(%d 62%% %d%%)", h.Sum32()%360, light))
}
