package heapsnapshot_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/internal/synth"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// TestParseSplitsAgree parses one snapshot with different worker counts,
// with and without a known size (exact columns vs growing ones, and
// different chunk sizes), and requires identical columns: every split of
// the number arrays into parts must give the same values.
func TestParseSplitsAgree(t *testing.T) {
	var buf bytes.Buffer
	if _, err := synth.Write(&buf, synth.Config{Nodes: 60000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var want *heapsnapshot.Snapshot
	for _, workers := range []int{1, 2, 3, 5} {
		for _, size := range []int64{int64(len(data)), -1} {
			s, err := heapsnapshot.Read(bytes.NewReader(data), size, heapsnapshot.Options{Workers: workers})
			if err != nil {
				t.Fatalf("workers=%d size=%d: %v", workers, size, err)
			}
			if want == nil {
				want = s
				continue
			}
			if !slices.Equal(s.NodeID, want.NodeID) || !slices.Equal(s.NodeName, want.NodeName) ||
				!slices.Equal(s.NodeSelfSize, want.NodeSelfSize) || !slices.Equal(s.FirstEdge, want.FirstEdge) ||
				!slices.Equal(s.EdgeTo, want.EdgeTo) || !slices.Equal(s.EdgeName, want.EdgeName) ||
				!slices.Equal(s.EdgeType, want.EdgeType) || !slices.Equal(s.Locations, want.Locations) ||
				!sameStrings(&s.Strings, &want.Strings) {
				t.Errorf("workers=%d size=%d: columns differ", workers, size)
			}
		}
	}
}

func sameStrings(a, b *heapsnapshot.Strings) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range uint32(a.Len()) {
		if !bytes.Equal(a.Bytes(i), b.Bytes(i)) {
			return false
		}
	}
	return true
}

// TestParseLargeStrings decodes a 4 MB strings section full of escapes,
// non-ASCII text and lone surrogates, across many read chunks, with one
// worker and with several, and finds a bad escape deep inside it.
func TestParseLargeStrings(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]},"node_count":1,"edge_count":0},` + "\n")
	b.WriteString(`"nodes":[0,0,1,0,0],` + "\n" + `"edges":[],` + "\n" + `"strings":["<dummy>"`)
	samples := []string{`plain`, `quote \" inside`, `back\\slash`, `caf\u00E9`, `lone \ud800 surrogate`, `pair \ud83d\ude00`,
		`tab\tnew\nline`, `comma \", inside`, ``, `ünicode raw`,
		// Not JSON (a raw newline in a string), but accepted: a place that
		// looks like a cut between strings and is not.
		"raw \\\",\nnewline"}
	for i := 0; b.Len() < 4<<20; i++ {
		b.WriteString(",\n\"")
		b.WriteString(samples[i%len(samples)])
		b.WriteString(fmt.Sprint(i))
		b.WriteString("\"")
	}
	b.WriteString("]}")
	data := b.Bytes()
	one, err := heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 3, 4} {
		many, err := heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if !sameStrings(&one.Strings, &many.Strings) {
			t.Fatalf("workers=%d: strings differ", workers)
		}
	}
	if one.Strings.Len() < 100000 {
		t.Fatalf("only %d strings", one.Strings.Len())
	}
	// A malformed string deep in the section is still reported at its byte.
	bad := bytes.Replace(data, []byte(`back\\slash149998"`), []byte(`back\qslash149998"`), 1)
	_, err = heapsnapshot.Read(bytes.NewReader(bad), int64(len(bad)), heapsnapshot.Options{Workers: 2})
	var se *heapsnapshot.SyntaxError
	if !errors.As(err, &se) || se.Offset != int64(bytes.Index(bad, []byte(`\qslash149998`))) {
		t.Fatalf("error %v", err)
	}
}

// TestParseLocationsInParallel parses a 1 MB locations array, in runs of
// increasing nodes as V8 writes it, with repeats, on one worker and on
// several, which store their parts of it side by side.
func TestParseLocationsInParallel(t *testing.T) {
	const nodes = 60000
	const half = nodes / 2
	var b bytes.Buffer
	b.WriteString(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]],` +
		`"location_fields":["object_index","script_id","line","column"]},"node_count":60000,"edge_count":0},` + "\n")
	b.WriteString(`"nodes":[`)
	for i := range nodes {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "0,0,%d,0,0", 2*i+1)
	}
	b.WriteString("],\n" + `"edges":[],` + "\n" + `"locations":[`)
	records := 0
	start := b.Len()
	for ; b.Len()-start < 1<<20; records++ {
		i := records
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "%d,%d,%d,%d", (i*7%half)*5, i%13, i, i%97)
	}
	b.WriteString("],\n" + `"strings":["<dummy>"]}`)
	data := b.Bytes()
	one, err := heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if records <= half || records > nodes {
		t.Fatalf("%d records: the test needs repeats, and no more records than nodes", records)
	}
	if len(one.Locations) != half {
		t.Fatalf("%d locations kept, want one per node named (%d)", len(one.Locations), half)
	}
	for _, workers := range []int{2, 3} {
		for _, size := range []int64{int64(len(data)), -1} {
			many, err := heapsnapshot.Read(bytes.NewReader(data), size, heapsnapshot.Options{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(one.Locations, many.Locations) {
				t.Fatalf("workers=%d size=%d: locations differ", workers, size)
			}
		}
	}
	// DevTools keeps the last location written for a node: node 0's is
	// record i's for the last i with i*7 % half == 0, a multiple of half.
	last := (records - 1) / half * half
	if l := one.Locations[0]; l.Node != 0 || l.Line != uint32(last) || l.ScriptID != uint32(last%13) {
		t.Fatalf("node 0's location %+v, want line %d", l, last)
	}
}
