package report

import (
	"bufio"
	"io"
	"strconv"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// NodesHeader is the header row of `heapsnap nodes --format tsv`.
const NodesHeader = "id\tself_size\tretained_size\tdistance\tdominator_id\ttype\tclass\tname"

// WriteNodes writes one row per node in file order: id, DevTools' adjusted
// self size, retained size, internal distance, the dominator's id, the node
// type, the Summary class name and the raw name (after DevTools' "Detached"
// renaming). TSV escapes tab, newline, carriage return and backslash as
// the DevTools oracle does; JSON is an array with one object per line.
func WriteNodes(w io.Writer, r *devtools.Analysis, f Format) error {
	s := r.Snapshot
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
// and backslash.
func AppendTSV(b, field []byte) []byte {
	for _, c := range field {
		switch c {
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\\':
			b = append(b, '\\', '\\')
		default:
			b = append(b, c)
		}
	}
	return b
}
