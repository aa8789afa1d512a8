package heapsnapshot_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// FuzzParse feeds arbitrary bytes to the parser and, when they parse, to
// the whole DevTools analysis: neither may panic, hang or break the graph's
// invariants, and an error's message must be one printable line. Crashers
// found by `make fuzz` are kept in testdata/fuzz/FuzzParse and replayed by
// every `go test`.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "corner", "corner0[1-6].heapsnapshot"))
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic","object"]],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property","weak","shortcut","internal"]]},"node_count":2,"edge_count":2},` +
		`"nodes":[0,0,1,0,2,1,1,3,10,0],"edges":[0,1,5,2,1,5],"strings":["","x"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{})
		if err != nil {
			var se *heapsnapshot.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a SyntaxError: %v", err)
			}
			if se.Offset < 0 || se.Offset > int64(len(data)) {
				t.Fatalf("offset %d outside the %d-byte input", se.Offset, len(data))
			}
			if msg := err.Error(); !utf8.ValidString(msg) || len(msg) > 512 || strings.ContainsFunc(msg, unicode.IsControl) {
				t.Fatalf("unsafe message %q", msg)
			}
			return
		}
		if len(s.FirstEdge) != s.NodeCount+1 || int(s.FirstEdge[s.NodeCount]) != s.EdgeCount {
			t.Fatalf("FirstEdge does not cover the edges")
		}
		for _, to := range s.EdgeTo {
			if int(to) >= s.NodeCount {
				t.Fatalf("edge target %d out of range", to)
			}
		}
		r, err := devtools.Analyze(s, devtools.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, size := range s.NodeSelfSize {
			sum += uint64(size)
		}
		// Every byte is counted exactly once: the root retains them all
		// unless the dominator chain of a leftover cycle misses it.
		if r.Leftovers == 0 && r.Retained.At(s.Root()) != sum {
			t.Fatalf("root retains %d of %d bytes", r.Retained.At(s.Root()), sum)
		}
	})
}
