package heapsnapshot

import (
	"bytes"
	"compress/gzip"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// tiny is a complete snapshot in V8's layout: a root, (GC roots), a global
// object holding a string, and a weak edge.
const tinyHeader = `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],` +
	`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],` +
	`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],` +
	`"location_fields":["object_index","script_id","line","column"]},"node_count":4,"edge_count":4,"trace_function_count":0},` + "\n"

const tinyBody = `"nodes":[9,1,1,0,2,0,0` + "\n" +
	`,9,2,3,0,0,0,0` + "\n" +
	`,3,3,5,40,2,0,0` + "\n" +
	`,2,4,7,16,0,0,0],` + "\n" +
	`"edges":[1,1,7` + "\n" +
	`,5,5,14` + "\n" +
	`,2,6,21` + "\n" +
	`,6,7,21],` + "\n" +
	`"trace_function_infos":[],"trace_tree":[],"samples":[],` + "\n" +
	`"locations":[14,7,2,9],` + "\n" +
	`"strings":["<dummy>","","(GC roots)","global","h\u00e9llo \ud83d\ude00 \ud800!","2","greeting","weakref"]}`

const tiny = tinyHeader + tinyBody

func TestParseTiny(t *testing.T) {
	for _, workers := range []int{1, 4} {
		s, err := Parse(strings.NewReader(tiny), Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if s.NodeCount != 4 || s.EdgeCount != 4 {
			t.Fatalf("counts %d %d", s.NodeCount, s.EdgeCount)
		}
		if got := s.FirstEdge; !equal(got, []uint32{0, 2, 2, 4, 4}) {
			t.Errorf("FirstEdge %v", got)
		}
		if got := s.EdgeTo; !equal(got, []uint32{1, 2, 3, 3}) {
			t.Errorf("EdgeTo %v", got)
		}
		if s.NodeID[2] != 5 || s.NodeSelfSize[2] != 40 || s.Meta.NodeTypeName(s.NodeType[2]) != "object" {
			t.Errorf("node 2: id %d size %d type %d", s.NodeID[2], s.NodeSelfSize[2], s.NodeType[2])
		}
		if got := s.Strings.String(s.NodeName[3]); got != "héllo 😀 \xed\xa0\x80!" {
			t.Errorf("string with a surrogate pair and a lone surrogate: %q", got)
		}
		if got := UTF16Len(s.Strings.Bytes(4)); got != 11 {
			t.Errorf("UTF-16 length %d, want 11", got)
		}
		if l, ok := s.LocationOf(2); !ok || l != (Location{Node: 2, ScriptID: 7, Line: 2, Column: 9}) {
			t.Errorf("location %+v %v", l, ok)
		}
	}
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestParseLayouts checks that field positions come from meta: reordered
// fields, no detachedness, no locations, different key order, and
// whitespace all parse to the same graph.
func TestParseLayouts(t *testing.T) {
	want, err := Parse(strings.NewReader(tiny), Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := `{"snapshot":{"meta":{"node_fields":["id","type","self_size","name","edge_count"],` +
		`"node_types":["number",["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"number","string","number"],` +
		`"edge_fields":["to_node","type","name_or_index"],"edge_types":["node",["context","element","property","internal","hidden","shortcut","weak"],"string_or_number"]},` +
		`"node_count":4,"edge_count":4},` +
		` "strings" : [ "<dummy>","","(GC roots)","global","h\u00e9llo \ud83d\ude00 \ud800!","2","greeting","weakref" ] ,` +
		"\n\t\"edges\": [ 5 , 1 , 1 , 10, 5,5, 15,2,6, 15,6,7 ],\r\n" +
		`"nodes":[1,9,0,1,2, 3,9,0,2,0, 5,3,40,3,2, 7,2,16,4,0]}`
	got, err := Parse(strings.NewReader(old), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.NodeDetachedness != nil || got.Locations != nil {
		t.Error("old layout should have no detachedness and no locations")
	}
	if !equal(got.EdgeTo, want.EdgeTo) || !equal(got.NodeID, want.NodeID) || !equal(got.NodeSelfSize, want.NodeSelfSize) ||
		!equal(got.FirstEdge, want.FirstEdge) || !equal(got.EdgeName, want.EdgeName) {
		t.Errorf("old layout parsed differently")
	}
}

// TestParseChunked parses through a reader that returns one byte at a
// time, so that every token straddles a chunk boundary.
func TestParseChunked(t *testing.T) {
	s, err := Parse(oneByteReader{strings.NewReader(tiny)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount != 4 || s.Strings.Len() != 8 {
		t.Fatalf("%d nodes, %d strings", s.NodeCount, s.Strings.Len())
	}
}

type oneByteReader struct{ r *strings.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func TestReadGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(tiny))
	zw.Close()
	s, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount != 4 {
		t.Fatal(s.NodeCount)
	}
}

// TestBadInput checks that every kind of malformed input gives a
// SyntaxError naming the byte offset and the problem.
func TestBadInput(t *testing.T) {
	billion := strings.Replace(tinyHeader, `"node_count":4`, `"node_count":1000000000`, 1) + tinyBody
	cases := []struct {
		name, input string
		offset      int64
		msg         string
	}{
		{"empty", "", 0, "unexpected end of input before any data: the input is empty"},
		{"only whitespace", " \n", 2, "unexpected end of input before any data: the input holds only whitespace"},
		{"not JSON", "hello", 0, `not a heap snapshot: this is not JSON (it starts with "hello")`},
		{"JSON array", "[1,2]", 0, "not a heap snapshot: this is a JSON array"},
		{"JSON object", `{"a":1}`, 7, `not a heap snapshot: this JSON object has no "snapshot" header`},
		{"truncated header", tiny[:100], 100, "unexpected end of input in the snapshot header"},
		{"truncated nodes", tiny[:len(tinyHeader)+30], int64(len(tinyHeader) + 30), "unexpected end of input in nodes"},
		{"truncated strings", tiny[:len(tiny)-20], int64(len(tiny) - 20), "unexpected end of input"},
		{"no meta", `{"snapshot":{"node_count":1,"edge_count":0}}`, 12, `no "meta" object`},
		{"meta lacks id", strings.Replace(tiny, `"id",`, ``, 1), valueAt(tiny, "node_fields"), `node_fields lacks "id"`},
		{"duplicate field", strings.Replace(tiny, `"trace_node_id"`, `"id"`, 1), valueAt(tiny, "node_fields"), `lists "id" 2 times`},
		{"types not an array", strings.Replace(tiny, `"node_types":[[`, `"node_types":[7,[`, 1), valueAt(tiny, "node_types"), "no list of type names"},
		{"node_count too high", strings.Replace(tiny, `"node_count":4`, `"node_count":5`, 1), int64(strings.Index(tiny, `,2,4,7,16,0,0,0]`) + 15), "nodes array has 28 values, but node_count 5 × 7 fields needs 35"},
		{"node_count too low", strings.Replace(tiny, `"node_count":4`, `"node_count":3`, 1), int64(strings.Index(tiny, `,2,4,7,16,0,0,0]`) + 1), "more values than the header declares"},
		{"edge_count disagrees", strings.Replace(tiny, `"edge_count":4`, `"edge_count":3`, 1), int64(strings.Index(tiny, `,6,7,21]`) + 1), "more values than the header declares"},
		{"edge counts disagree", strings.Replace(tiny, `,3,3,5,40,2,0,0`, `,3,3,5,40,1,0,0`, 1), int64(strings.Index(tiny, `"nodes":[`) + 8), "node edge counts add up to 3, but edge_count is 4"},
		{"edge past last node", strings.Replace(tiny, `,6,7,21]`, `,6,7,28]`, 1), int64(strings.Index(tiny, `,6,7,21]`) + 5), "to_node 28 points past the last node"},
		{"edge not a node index", strings.Replace(tiny, `,6,7,21]`, `,6,7,20]`, 1), int64(strings.Index(tiny, `,6,7,21]`) + 5), "to_node 20 is not a multiple of the node field count"},
		{"string index out of range", strings.Replace(tiny, `,2,4,7,16`, `,2,99,7,16`, 1), int64(strings.Index(tiny, `"nodes":[`) + 8), "node 3 (@7): name is string 99, but there are only 8 strings"},
		{"edge name out of range", strings.Replace(tiny, `,2,6,21`, `,2,66,21`, 1), int64(strings.Index(tiny, `"edges":[`) + 8), "edge 2: name is string 66, but there are only 8 strings"},
		{"node type out of range", strings.Replace(tiny, `,2,4,7,16`, `,20,4,7,16`, 1), int64(strings.Index(tiny, `,2,4,7,16`) + 1), "node type 20 is not in meta.node_types"},
		{"negative number", strings.Replace(tiny, `,3,3,5,40`, `,3,3,5,-40`, 1), int64(strings.Index(tiny, `,3,3,5,40`) + 7), "expected a number, found '-'"},
		{"float", strings.Replace(tiny, `,3,3,5,40`, `,3,3,5,40.5`, 1), int64(strings.Index(tiny, `,3,3,5,40`) + 9), "expected ',' between numbers, found '.'"},
		{"missing comma", strings.Replace(tiny, `,3,3,5,40`, `,3,3,5 40`, 1), int64(strings.Index(tiny, `,3,3,5,40`) + 7), "expected ',' between numbers, found '4'"},
		{"bad escape", strings.Replace(tiny, `"weakref"`, `"weak\qref"`, 1), int64(strings.Index(tiny, `"weakref"`) + 5), "invalid escape in string"},
		{"trailing garbage", tiny + "x", int64(len(tiny)), "unexpected 'x' after the end of the snapshot"},
		{"location of no node", strings.Replace(tiny, `"locations":[14,7,2,9]`, `"locations":[15,7,2,9]`, 1), int64(strings.Index(tiny, `"locations":[`) + 13), "location object_index 15 is not a node index"},
		{"location past the nodes", strings.Replace(tiny, `"locations":[14,7,2,9]`, `"locations":[14,7,2,9,28,1,1,1]`, 1), int64(strings.Index(tiny, `"locations":[`) + 22), "location object_index 28 is not a node index"},
		{"more locations than nodes", strings.Replace(tiny, `"locations":[14,7,2,9]`, `"locations":[0,0,0,0,7,0,0,0,14,0,0,0,21,0,0,0,0,1,1,1]`, 1), int64(strings.Index(tiny, `"locations":[`) + 13 + 34), "more locations than the 4 nodes"},
		{"no strings", strings.Replace(tiny, `"strings"`, `"strung"`, 1), int64(len(tiny) - 1), `no "strings" array`},
		{"a billion nodes in a small file", billion, 12, "header declares 1000000000 nodes and 4 edges, more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantSyntaxError(t, tc.input, tc.offset, tc.msg) })
	}
}

// wantSyntaxError reads input, of known size, and requires a SyntaxError
// whose message holds msg, at offset unless that is -1.
func wantSyntaxError(t *testing.T, input string, offset int64, msg string) {
	t.Helper()
	_, err := Read(strings.NewReader(input), int64(len(input)), Options{})
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a SyntaxError", err, err)
	}
	if (offset >= 0 && se.Offset != offset) || !strings.Contains(se.Msg, msg) {
		t.Errorf("got %q at byte %d, want %q at byte %d", se.Msg, se.Offset, msg, offset)
	}
}

// valueAt returns the offset of the value of the first key named key in
// snapshot text.
func valueAt(text, key string) int64 {
	return int64(strings.Index(text, `"`+key+`":`) + len(key) + 3)
}

// TestHugeHeaderAllocatesLittle feeds a header that declares a billion
// nodes through a pipe (size unknown) and through gzip, and checks that
// the parser fails without allocating for them.
func TestHugeHeaderAllocatesLittle(t *testing.T) {
	billion := strings.Replace(tinyHeader, `"node_count":4`, `"node_count":1000000000`, 1) + tinyBody
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(billion))
	zw.Close()
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{"stream", func() error { _, err := Read(strings.NewReader(billion), -1, Options{}); return err }},
		{"gzip file", func() error { _, err := Read(bytes.NewReader(gz.Bytes()), int64(gz.Len()), Options{}); return err }},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := tc.read()
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte input", tc.name, alloc, len(billion))
		}
	}
}

func TestBrokenGzip(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(tiny))
	zw.Close()
	b := gz.Bytes()
	corrupt := append([]byte(nil), b...)
	corrupt[len(corrupt)/2] ^= 0xff
	for name, input := range map[string][]byte{
		"truncated": b[:len(b)/2],
		"corrupt":   corrupt,
		"header":    b[:5],
	} {
		_, err := Read(bytes.NewReader(input), int64(len(input)), Options{})
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "gzip") && !strings.Contains(se.Msg, "unexpected end") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCompareUTF16(t *testing.T) {
	// In UTF-16, U+1F600 (a surrogate pair, 0xD83D…) sorts before U+FF21;
	// in UTF-8 bytes it sorts after.
	cases := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1}, {"b", "a", 1}, {"ab", "ab", 0}, {"a", "ab", -1},
		{"😀", "Ａ", -1}, {"Ａ", "😀", 1}, {"x😀", "xＡ", -1},
		{"\xed\xa0\x80", "\uE000", -1}, // lone surrogate before U+E000
	}
	for _, c := range cases {
		if got := CompareUTF16([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("CompareUTF16(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestAppendJSString(t *testing.T) {
	got := string(AppendJSString(nil, []byte("a\"b\\c\n\x01<&>\u2028é\xed\xa0\x80")))
	want := `"a\"b\\c\n\u0001<&>` + "\u2028" + `é\ud800"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
