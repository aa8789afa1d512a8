package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// AllocationsHeader is the header row of `heapsnap allocations --format
// tsv`: DevTools' Allocation view, for checking against its engine.
// Locations through source maps are in the other formats.
const AllocationsHeader = "name\tscript_name\tline\tcolumn\tcount\tsize\tlive_count\tlive_size"

// StacksHeader is the header row of `heapsnap allocations --stacks
// --format tsv`.
const StacksHeader = "id\tstack"

// writeAllocations renders the Allocation view: a table, Markdown, or TSV
// in DevTools' order (every row, V8's line and column, for checking).
func writeAllocations(w io.Writer, rep *views.Allocations, f Format, l Layout) error {
	if f == TSV {
		bw := bufio.NewWriter(w)
		bw.WriteString(AllocationsHeader + "\n")
		for _, r := range rep.Rows {
			b := AppendTSV(nil, []byte(r.Function))
			b = append(b, '\t')
			b = AppendTSV(b, []byte(r.Script))
			b = fmt.Appendf(b, "\t%d\t%d\t%d\t%d\t%d\t%d\n", r.Line, r.Column, r.Count, r.Size, r.LiveCount, r.LiveSize)
			bw.Write(b)
		}
		return bw.Flush()
	}
	p := &printer{w: w, f: f, l: l}
	p.title("heapsnap allocations: " + rep.File)
	p.printf("Allocated since tracking began  %s in %s; still alive %s in %s\n",
		units.Bytes(rep.Allocated.Size), units.Plural(rep.Allocated.Count, "object", "objects"), units.Bytes(rep.Live.Size), units.Count(rep.Live.Count))
	p.section("Allocation view: " + counted(len(rep.Rows), rep.RowCount, "function", "functions") + ", by size allocated")
	g := Grid{
		Header: []string{"#", "Size", "Count", "Live size", "Live count", "Function", "Location"},
		Align:  []Align{Right, Right, Right, Right, Right, Left, Left},
		Max:    []int{0, 0, 0, 0, 0, 50, 0},
	}
	for _, r := range rep.Rows {
		g.Add(fmt.Sprintf("#%d", r.ID), units.Bytes(r.Size), units.Count(r.Count), units.Bytes(r.LiveSize), units.Count(r.LiveCount),
			functionName(r.Function), r.Location.String())
	}
	p.grid(&g)
	if len(rep.Callers) > 0 {
		p.section("Callers of " + functionName(rep.Callers[0].Function) + ", bottom up")
		c := Grid{
			Header: []string{"Size", "Count", "Live size", "Live count", "Function", "Location"},
			Align:  []Align{Right, Right, Right, Right, Left, Left},
			Max:    []int{0, 0, 0, 0, 50, 0},
		}
		for _, r := range rep.Callers {
			c.Add(units.Bytes(r.Size), units.Count(r.Count), units.Bytes(r.LiveSize), units.Count(r.LiveCount),
				indent(r.Depth)+functionName(r.Function), r.Location.String())
		}
		p.grid(&c)
	}
	return p.err
}

func functionName(n views.Name) string {
	if n == "" {
		return "(anonymous)"
	}
	return string(n)
}

// writeStacks writes every node's allocation stack, in file order: TSV
// rows "id stack", the frames innermost first as V8 recorded them,
// function|script|line|column joined by ";" (inside a field \, |, ;, tab,
// newline and CR are escaped, as DevTools' oracle writes them); or JSON,
// one object per line, the frames as show writes them, through source maps.
func writeStacks(w io.Writer, st views.Stacks, f Format) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if f == JSON {
		bw.WriteString("[\n")
	} else {
		bw.WriteString(StacksHeader + "\n")
	}
	first := true
	var b []byte
	err := st.Each(func(id uint32, frames []devtools.AllocationFrame, resolved []sources.Frame) error {
		b = b[:0]
		if f == JSON {
			if !first {
				b = append(b, ",\n"...)
			}
			b = fmt.Appendf(b, `{"id":%d,"stack":`, id)
			js, err := json.Marshal(resolved)
			if err != nil {
				return err
			}
			b = append(b, js...)
			b = append(b, '}')
		} else {
			b = strconv.AppendUint(b, uint64(id), 10)
			b = append(b, '\t')
			for k, fr := range frames {
				if k > 0 {
					b = append(b, ';')
				}
				b = appendStackField(b, fr.Function)
				b = append(b, '|')
				b = appendStackField(b, fr.Script)
				b = fmt.Appendf(b, "|%d|%d", fr.Line, fr.Column)
			}
			b = append(b, '\n')
		}
		first = false
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if f == JSON {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

// appendStackField escapes a stack field: \ | ; and TSV's tab, newline and
// carriage return.
func appendStackField(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '|', ';':
			b = append(b, '\\', c)
		default:
			b = AppendTSV(b, []byte{c})
		}
	}
	return b
}
