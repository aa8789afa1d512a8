package report

import (
	"bufio"
	"io"
	"strconv"

	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// NodesHeader is the header row of `heapsnap nodes --format tsv`.
const NodesHeader = "id\tself_size\tretained_size\tdistance\tdominator_id\ttype\tclass\tname"

// writeNodes writes one row per node in file order: id, DevTools' adjusted
// self size, retained size, internal distance, the dominator's id, the node
// type, the Summary class name and the raw name (after DevTools' "Detached"
// renaming). TSV escapes tab, newline, carriage return and backslash as
// the DevTools oracle does, and lone surrogates as \udxxx (see AppendTSV);
// JSON is an array with one object per line.
func writeNodes(w io.Writer, nodes views.Nodes, f Format) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	if f == JSON {
		bw.WriteString("[\n")
	} else {
		bw.WriteString(NodesHeader + "\n")
	}
	left := nodes.Len()
	err := nodes.Each(func(n *views.NodeRow) error {
		left--
		b = b[:0]
		if f == JSON {
			b = append(b, `{"id":`...)
			b = strconv.AppendUint(b, uint64(n.ID), 10)
			b = append(b, `,"self_size":`...)
			b = strconv.AppendUint(b, uint64(n.SelfSize), 10)
			b = append(b, `,"retained_size":`...)
			b = strconv.AppendUint(b, n.RetainedSize, 10)
			b = append(b, `,"distance":`...)
			b = strconv.AppendInt(b, int64(n.Distance), 10)
			b = append(b, `,"dominator_id":`...)
			b = strconv.AppendUint(b, uint64(n.DominatorID), 10)
			b = append(b, `,"type":`...)
			b = heapsnapshot.AppendJSString(b, n.Type)
			b = append(b, `,"class":`...)
			b = heapsnapshot.AppendJSString(b, n.Class)
			b = append(b, `,"name":`...)
			b = heapsnapshot.AppendJSString(b, n.Name)
			b = append(b, '}')
			if left > 0 {
				b = append(b, ',')
			}
		} else {
			b = strconv.AppendUint(b, uint64(n.ID), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, uint64(n.SelfSize), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, n.RetainedSize, 10)
			b = append(b, '\t')
			b = strconv.AppendInt(b, int64(n.Distance), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, uint64(n.DominatorID), 10)
			b = append(b, '\t')
			b = append(b, n.Type...)
			b = append(b, '\t')
			b = AppendTSV(b, n.Class)
			b = append(b, '\t')
			b = AppendTSV(b, n.Name)
		}
		b = append(b, '\n')
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if f == JSON {
		bw.WriteString("]\n")
	}
	return bw.Flush()
}

// AppendTSV appends a TSV field, escaping tab, newline, carriage return
// and backslash. A lone UTF-16 surrogate, which names hold as WTF-8 (see
// heapsnapshot.Strings) and which is not UTF-8, is written as \udxxx, as
// in JSON, so that the output is valid UTF-8 and no two names merge.
func AppendTSV(b, field []byte) []byte {
	for i := 0; i < len(field); i++ {
		switch c := field[i]; c {
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\\':
			b = append(b, '\\', '\\')
		case 0xED:
			var n int
			if b, n = heapsnapshot.AppendSurrogateEscape(b, field[i:]); n == 0 {
				b = append(b, c)
			} else {
				i += n - 1
			}
		default:
			b = append(b, c)
		}
	}
	return b
}
