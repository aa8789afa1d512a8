package report

import (
	"bufio"
	"io"
	"strconv"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// NodesHeader is the header row of `heapsnap nodes --format tsv`.
const NodesHeader = "id\tself_size\tretained_size\tdistance\tdominator_id\ttype\tclass\tname"

// WriteNodes writes one row per node in file order: id, DevTools' adjusted
// self size, retained size, internal distance, the dominator's id, the node
// type, the Summary class name and the raw name (after DevTools' "Detached"
// renaming). TSV escapes tab, newline, carriage return and backslash as
// the DevTools oracle does, and lone surrogates as \udxxx (see AppendTSV);
// JSON is an array with one object per line.
func WriteNodes(w io.Writer, r *analysis.Result, f Format) error {
	s := r.Snap
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	if f == JSON {
		bw.WriteString("[\n")
	} else {
		bw.WriteString(NodesHeader + "\n")
	}
	className := make([][]byte, len(r.Classes))
	for id := range r.Classes {
		className[id] = s.Strings.Bytes(r.Classes[id].NameIndex)
	}
	typeName := make([][]byte, len(s.Meta.NodeTypes))
	for t, name := range s.Meta.NodeTypes {
		typeName[t] = []byte(name)
	}
	for i := range uint32(s.NodeCount) {
		b = b[:0]
		cls := className[r.Class[i]]
		name := s.NodeNameBytes(i)
		if f == JSON {
			b = append(b, `{"id":`...)
			b = strconv.AppendUint(b, uint64(s.NodeID[i]), 10)
			b = append(b, `,"self_size":`...)
			b = strconv.AppendUint(b, uint64(s.NodeSelfSize[i]), 10)
			b = append(b, `,"retained_size":`...)
			b = strconv.AppendUint(b, r.Retained.At(i), 10)
			b = append(b, `,"distance":`...)
			b = strconv.AppendInt(b, int64(r.Distance[i]), 10)
			b = append(b, `,"dominator_id":`...)
			b = strconv.AppendUint(b, uint64(s.NodeID[r.Dominator[i]]), 10)
			b = append(b, `,"type":`...)
			b = heapsnapshot.AppendJSString(b, typeName[s.NodeType[i]])
			b = append(b, `,"class":`...)
			b = heapsnapshot.AppendJSString(b, cls)
			b = append(b, `,"name":`...)
			b = heapsnapshot.AppendJSString(b, name)
			b = append(b, '}')
			if int(i)+1 < s.NodeCount {
				b = append(b, ',')
			}
		} else {
			b = strconv.AppendUint(b, uint64(s.NodeID[i]), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, uint64(s.NodeSelfSize[i]), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, r.Retained.At(i), 10)
			b = append(b, '\t')
			b = strconv.AppendInt(b, int64(r.Distance[i]), 10)
			b = append(b, '\t')
			b = strconv.AppendUint(b, uint64(s.NodeID[r.Dominator[i]]), 10)
			b = append(b, '\t')
			b = append(b, typeName[s.NodeType[i]]...)
			b = append(b, '\t')
			b = AppendTSV(b, cls)
			b = append(b, '\t')
			b = AppendTSV(b, name)
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
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
