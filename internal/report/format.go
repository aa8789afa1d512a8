// Package report renders views (package views) as tables, Markdown, JSON
// and TSV, through one entry point, Write. It only formats: every number
// comes from the analyses, every row from the views.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Format is an output format.
type Format string

const (
	Table    Format = "table"
	JSON     Format = "json"
	Markdown Format = "markdown"
	TSV      Format = "tsv"
	HTML     Format = "html"
	// PProf is a gzipped profile.proto: binary.
	PProf Format = "pprof"
)

// Distance formats a DevTools distance as its UI does: the number below
// 100,000,000, otherwise "-" (unreachable, or reachable only from system
// roots).
func Distance(d int32) string {
	if d < 0 || d >= 100000000 {
		return "-"
	}
	return strconv.Itoa(int(d))
}

// Shorten fits s in width columns by cutting out its middle: the head
// says what a cell is (a class, the start of a path) and the tail is often
// what tells it apart (a path's last hop, a location's line number), so
// both stay, joined by "…". It is the one way every report shortens text.
func Shorten(s string, width int) string {
	if twwidth.Width(s) <= width {
		return s
	}
	if width < 2 {
		return "…"
	}
	runes := []rune(s)
	keep := width - 1 // what the ellipsis leaves
	headWidth := keep / 2
	var head, tail int // runes kept at each end
	for w := 0; head < len(runes); head++ {
		rw := twwidth.Width(string(runes[head]))
		if w+rw > headWidth {
			break
		}
		w += rw
		keep -= rw
	}
	for w := 0; tail < len(runes)-head; tail++ {
		rw := twwidth.Width(string(runes[len(runes)-1-tail]))
		if w+rw > keep {
			break
		}
		w += rw
	}
	return string(runes[:head]) + "…" + string(runes[len(runes)-tail:])
}

// oneLine replaces control characters so that a name cannot break a table.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '␣'
		}
		return r
	}, s)
}

// WriteJSON writes v as indented JSON followed by a newline, without
// HTML escaping.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Align is a column alignment.
type Align int

const (
	Left Align = iota
	Right
)

// Layout is how much room a report's tables have.
type Layout struct {
	// Width is the line width tables are fitted to (a terminal's); 0
	// leaves them as wide as their cells.
	Width int
	// Wide keeps every cell whole: no column bounds, no fitting.
	Wide bool
}

// Grid is a table with a header row, rendered as an aligned plain-text
// table or as Markdown.
type Grid struct {
	Header []string
	Align  []Align
	// Max bounds the text of each column's cells, in display columns and
	// not counting a tree's indentation (0: no bound), unless the layout
	// is wide: a name or a path can run to thousands of characters.
	Max []int
	// Drop ranks the columns a fitted table may leave out when shortening
	// text is not enough: 1 goes first, then 2…; 0 always stays. What is
	// left out is said below the table.
	Drop    []int
	Rows    [][]string
	dropped []string
}

// Add appends a row.
func (g *Grid) Add(cells ...string) { g.Rows = append(g.Rows, cells) }

// treeIndent draws one level of depth in a tree column. Tables trim cells,
// so depth is drawn with dots, not spaces; shortening keeps the dots.
const treeIndent = "· "

func indent(depth int) string { return strings.Repeat(treeIndent, depth) }

// gap is the space between two columns of a plain-text table.
const gap = 2

// fit shortens cells: each to its column's bound, then, in a plain-text
// table with a width, the widest left-aligned (text) columns, level by
// level, until the table fits: numbers are never cut, and a column is not
// cut below its header or 12 columns, so that what is left still says
// something. Before that, while the table would not fit with its text at
// a readable 20 columns, the columns Drop ranks are left out, a rank at a
// time; a table that cannot fit even so is left wider.
func (g *Grid) fit(f Format, l Layout) {
	if l.Wide {
		return
	}
	for _, r := range g.Rows {
		for j, c := range r {
			if j < len(g.Max) && g.Max[j] > 0 {
				prefix, text := splitIndent(c)
				r[j] = prefix + Shorten(text, g.Max[j])
			}
		}
	}
	if f != Table || l.Width <= 0 {
		return
	}
	widths, floors := g.widths(12)
	for rank := 1; slices.Contains(g.Drop, rank); rank++ {
		if _, readable := g.widths(20); sum(readable)+gap*(len(readable)-1) <= l.Width {
			break
		}
		var names []string
		for i := len(g.Header) - 1; i >= 0; i-- {
			if i < len(g.Drop) && g.Drop[i] == rank {
				names = append([]string{g.Header[i]}, names...)
				g.dropColumn(i)
			}
		}
		g.dropped = append(g.dropped, names...)
		widths, floors = g.widths(12)
	}
	total := sum(widths) + gap*(len(widths)-1)
	// Lower a common level until the text columns above it fit.
	for level := slices.Max(widths); level > 0 && total > l.Width; level-- {
		for i, w := range widths {
			if w >= level && level > floors[i] {
				widths[i] = level - 1
				total--
			}
		}
	}
	for _, r := range g.Rows {
		for j, c := range r {
			r[j] = shortenCell(c, widths[j])
		}
	}
}

// widths returns each column's width and the width fitting may shorten
// it to: a text column's header or floor columns, if it is wider.
func (g *Grid) widths(floor int) (widths, floors []int) {
	widths = make([]int, len(g.Header))
	for i, h := range g.Header {
		widths[i] = twwidth.Width(h)
	}
	for _, r := range g.Rows {
		for j, c := range r {
			widths[j] = max(widths[j], twwidth.Width(c))
		}
	}
	floors = slices.Clone(widths)
	for i, w := range widths {
		if i < len(g.Align) && g.Align[i] == Left {
			floors[i] = min(w, max(twwidth.Width(g.Header[i]), floor))
		}
	}
	return widths, floors
}

func (g *Grid) dropColumn(i int) {
	del := func(v []int) []int {
		if i < len(v) {
			return slices.Delete(v, i, i+1)
		}
		return v
	}
	g.Header = slices.Delete(g.Header, i, i+1)
	g.Max, g.Drop = del(g.Max), del(g.Drop)
	if i < len(g.Align) {
		g.Align = slices.Delete(g.Align, i, i+1)
	}
	for r, row := range g.Rows {
		g.Rows[r] = slices.Delete(row, i, i+1)
	}
}

func sum(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

// shortenCell is Shorten for a table cell, keeping a tree column's
// indentation whole.
func shortenCell(c string, width int) string {
	prefix, text := splitIndent(c)
	if prefix == "" {
		return Shorten(c, width)
	}
	return prefix + Shorten(text, max(width-twwidth.Width(prefix), 2))
}

// splitIndent splits a tree column's cell into its indentation and text.
func splitIndent(c string) (prefix, text string) {
	n := 0
	for strings.HasPrefix(c[n:], treeIndent) {
		n += len(treeIndent)
	}
	return c[:n], c[n:]
}

// Render writes the grid in the given format (Table or Markdown), its
// cells fitted to the layout.
func (g *Grid) Render(w io.Writer, f Format, l Layout) error {
	for _, r := range g.Rows {
		for j, c := range r {
			r[j] = oneLine(c)
		}
	}
	g.fit(f, l)
	aligns := make(tw.Alignment, len(g.Header))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if i < len(g.Align) && g.Align[i] == Right {
			aligns[i] = tw.AlignRight
		}
	}
	rows := g.Rows
	var opts []tablewriter.Option
	if f == Markdown {
		rows = make([][]string, len(g.Rows))
		for i, r := range g.Rows {
			rows[i] = make([]string, len(r))
			for j, c := range r {
				rows[i][j] = escapeMarkdown(c)
			}
		}
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})))
	}
	opts = append(opts,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithAlignment(aligns),
	)
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf, opts...)
	t.Header(g.Header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	// The borderless renderer pads every line to full width and starts
	// with a space; keep lines tidy for diffs and terminals.
	for line := range strings.Lines(buf.String()) {
		line = strings.TrimRight(line, " \n")
		if f != Markdown {
			line = strings.TrimPrefix(line, " ")
		}
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	if len(g.dropped) > 0 {
		_, err := fmt.Fprintf(w, "(--wide adds: %s)\n", strings.Join(g.dropped, ", "))
		return err
	}
	return nil
}

func escapeMarkdown(s string) string {
	s = oneLine(s)
	r := strings.NewReplacer(`\`, `\\`, `|`, `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
