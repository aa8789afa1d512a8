// Package report renders views (package views) as tables, Markdown, JSON
// and TSV, through one entry point, Write. It only formats: every number
// comes from the analyses, every row from the views.
package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
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

// Clip shortens s to at most max UTF-16 units for display in a table cell.
func Clip(s string, max int) string {
	if heapsnapshot.UTF16Len([]byte(s)) <= max {
		return s
	}
	var b strings.Builder
	units := 0
	for _, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if units+w > max-1 {
			break
		}
		b.WriteRune(r)
		units += w
	}
	b.WriteString("…")
	return b.String()
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

// Grid is a table with a header row, rendered as an aligned plain-text
// table or as Markdown.
type Grid struct {
	Header []string
	Align  []Align
	Rows   [][]string
}

// Add appends a row.
func (g *Grid) Add(cells ...string) { g.Rows = append(g.Rows, cells) }

// Render writes the grid in the given format (Table or Markdown).
func (g *Grid) Render(w io.Writer, f Format) error {
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
		for i, r := range g.Rows {
			for j, c := range r {
				g.Rows[i][j] = oneLine(c)
			}
		}
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
	return nil
}

func escapeMarkdown(s string) string {
	s = oneLine(s)
	r := strings.NewReplacer(`\`, `\\`, `|`, `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
