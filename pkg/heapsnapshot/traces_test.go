package heapsnapshot

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// traced is tiny with allocation traces: two functions, a trace tree of
// four nodes (one a grandchild) and two samples.
var traced = strings.NewReplacer(
	`"location_fields"`, `"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],`+
		`"trace_node_fields":["id","function_info_index","count","size","children"],`+
		`"sample_fields":["timestamp_us","last_assigned_id"],"location_fields"`,
	`"trace_function_count":0`, `"trace_function_count":2`,
	`,3,3,5,40,2,0,0`, `,3,3,5,40,2,4,0`,
	`,2,4,7,16,0,0,0]`, `,2,4,7,16,0,2,0]`,
	`"trace_function_infos":[],"trace_tree":[],"samples":[]`,
	`"trace_function_infos":[0,2,1,0,0,0,9,6,7,3,12,4],`+"\n"+
		`"trace_tree":[1,0,0,0,[2,1,3,96,[],4,1,1,40,[5,0,1,16,[]]]],`+"\n"+
		`"samples":[100,1,4294967396,7]`,
).Replace(tiny)

func TestTraceSections(t *testing.T) {
	s, err := Read(strings.NewReader(traced), int64(len(traced)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantFns := []TraceFunction{{FunctionID: 0, Name: 2, ScriptName: 1}, {FunctionID: 9, Name: 6, ScriptName: 7, ScriptID: 3, Line: 12, Column: 4}}
	wantTree := []TraceNode{
		{ID: 1, Parent: NoTraceParent, Function: 0},
		{ID: 2, Parent: 0, Function: 1, Count: 3, Size: 96},
		{ID: 4, Parent: 0, Function: 1, Count: 1, Size: 40},
		{ID: 5, Parent: 2, Function: 0, Count: 1, Size: 16},
	}
	wantSamples := []Sample{{TimestampMicros: 100, LastAssignedID: 1}, {TimestampMicros: 1<<32 + 100, LastAssignedID: 7}}
	if !slices.Equal(s.TraceFunctions, wantFns) {
		t.Errorf("TraceFunctions %+v", s.TraceFunctions)
	}
	if !slices.Equal(s.TraceTree, wantTree) {
		t.Errorf("TraceTree %+v", s.TraceTree)
	}
	if !slices.Equal(s.Samples, wantSamples) {
		t.Errorf("Samples %+v", s.Samples)
	}
	if !slices.Equal(s.NodeTraceID, []uint32{0, 0, 4, 2}) {
		t.Errorf("NodeTraceID %v", s.NodeTraceID)
	}
	// Without traces, trace_node_id is not kept.
	plain, err := Read(strings.NewReader(tiny), int64(len(tiny)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.NodeTraceID != nil || plain.TraceFunctions != nil || plain.TraceTree != nil || plain.Samples != nil {
		t.Errorf("a snapshot without traces has trace columns")
	}
	// The children may come first in a node; the tree is the same.
	first := strings.NewReplacer(`["id","function_info_index","count","size","children"]`, `["children","id","function_info_index","count","size"]`,
		`[1,0,0,0,[2,1,3,96,[],4,1,1,40,[5,0,1,16,[]]]]`, `[[[],2,1,3,96,[[],5,0,1,16],4,1,1,40],1,0,0,0]`).Replace(traced)
	s, err = Read(strings.NewReader(first), int64(len(first)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.TraceTree, wantTree) {
		t.Errorf("children first: TraceTree %+v", s.TraceTree)
	}
}

func TestTraceErrors(t *testing.T) {
	at := func(text, marker string, skip int) int64 { return int64(strings.Index(text, marker) + skip) }
	deep := strings.Repeat("1,0,0,0,[", 5000) + strings.Repeat("]", 5000)
	cases := []struct {
		name, old, new, marker string
		skip                   int
		msg                    string
	}{
		{"function index", `[5,0,1,16,[]]`, `[5,2,1,16,[]]`, `2,1,16,[]]`, 0, "trace_tree node 3: function_info_index 2, but trace_function_count is 2"},
		{"partial node", `[5,0,1,16,[]]`, `[5,0,1]`, `]]],`, 0, "trace_tree node 3 ends after 3 of its 5 fields"},
		{"comma before bracket", `16,[]]]]`, `16,[]]],]`, `,]`, 1, "expected a value in trace_tree after ',', found ']'"},
		{"not children", `[5,0,1,16,[]]`, `[5,0,1,16,7]`, `7]`, 0, "expected '[' (the children of trace_tree node 3), found '7'"},
		{"missing comma", `[5,0,1,16,[]]`, `[5,0 1,16,[]]`, ` 1,16`, 1, "expected ',' or ']' in trace_tree, found '1'"},
		{"too large", `[5,0,1,16,[]]`, `[5,0,1,4294967296,[]]`, `4294967296`, 0, "number 4294967296 does not fit in 32 bits"},
		{"too deep", `[1,0,0,0,[2,1,3,96,[],4,1,1,40,[5,0,1,16,[]]]]`, `[` + deep + `]`, `1,0,0,0,[`, 9*4096 + 8, "trace_tree is nested more than 4096 levels deep"},
		{"negative", `[5,0,1,16,[]]`, `[5,0,-1,16,[]]`, `-1`, 0, "expected a number in trace_tree, found '-'"},
		{"too many functions", `[0,2,1,0,0,0,9,6,7,3,12,4]`, `[0,2,1,0,0,0,9,6,7,3,12,4,1]`, `,1],`, 1, "more values than trace_function_count declares"},
		{"too few functions", `[0,2,1,0,0,0,9,6,7,3,12,4]`, `[0,2,1,0,0,0]`, `],` + "\n" + `"trace_tree"`, 0, "trace_function_infos has 6 values, but trace_function_count 2 × 6 fields needs 12"},
		{"function name", `9,6,7,3,12,4]`, `9,6,70,3,12,4]`, `"trace_function_infos"`, 23, "trace function 1: name or script name is string 70, but there are only 8 strings"},
		{"no functions", `"trace_function_infos":[0,2,1,0,0,0,9,6,7,3,12,4],`, ``, `}`, -1, "declares 2 trace functions but has no \"trace_function_infos\""},
		{"partial sample", `[100,1,4294967396,7]`, `[100,1,4]`, `"samples"`, 10, "samples has 3 values, not a multiple of 2 fields"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := strings.Replace(traced, tc.old, tc.new, 1)
			if input == traced {
				t.Fatal("the case changes nothing")
			}
			want := at(input, tc.marker, tc.skip)
			if tc.skip < 0 {
				want = int64(len(input))
			}
			wantSyntaxError(t, input, want, tc.msg)
		})
	}
}

// TestTracesOfNodeSnapshot parses a Node 20 snapshot taken with
// --track-heap-objects (testdata/traces/make.sh) and compares every trace
// column with what encoding/json, decoding the same file independently,
// says the sections hold.
func TestTracesOfNodeSnapshot(t *testing.T) {
	f, err := os.Open("testdata/traces/node20-track.heapsnapshot.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(bytes.NewReader(text), int64(len(text)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Snapshot struct {
			Meta struct {
				NodeFields []string `json:"node_fields"`
			} `json:"meta"`
		} `json:"snapshot"`
		Nodes     []uint32 `json:"nodes"`
		Functions []uint32 `json:"trace_function_infos"`
		Tree      []any    `json:"trace_tree"`
	}
	if err := json.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	var fns []TraceFunction
	for k := 0; k+6 <= len(doc.Functions); k += 6 {
		v := doc.Functions[k : k+6]
		fns = append(fns, TraceFunction{FunctionID: v[0], Name: v[1], ScriptName: v[2], ScriptID: v[3], Line: v[4], Column: v[5]})
	}
	// The tree in preorder, by an explicit stack of (array, parent) pairs.
	var tree []TraceNode
	type open struct {
		items  []any
		parent uint32
	}
	stack := []open{{doc.Tree, NoTraceParent}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(top.items) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		v := top.items[:5]
		top.items = top.items[5:]
		num := func(i int) uint32 { return uint32(v[i].(float64)) }
		tree = append(tree, TraceNode{ID: num(0), Parent: top.parent, Function: num(1), Count: num(2), Size: num(3)})
		stack = append(stack, open{v[4].([]any), uint32(len(tree) - 1)})
	}
	nf := len(doc.Snapshot.Meta.NodeFields)
	ti := slices.Index(doc.Snapshot.Meta.NodeFields, "trace_node_id")
	var ids []uint32
	for k := ti; k < len(doc.Nodes); k += nf {
		ids = append(ids, doc.Nodes[k])
	}
	if s.TraceFunctionCount == 0 || len(fns) != s.TraceFunctionCount || len(tree) < 100 {
		t.Fatalf("the fixture has %d functions (header %d) and %d trace nodes", len(fns), s.TraceFunctionCount, len(tree))
	}
	if !slices.Equal(s.TraceFunctions, fns) {
		t.Error("TraceFunctions differ from encoding/json's reading")
	}
	if !slices.Equal(s.TraceTree, tree) {
		t.Error("TraceTree differs from encoding/json's reading")
	}
	if !slices.Equal(s.NodeTraceID, ids) {
		t.Error("NodeTraceID differs from encoding/json's reading")
	}
	// The allocating function of the program's orders is among them.
	found := false
	for _, fn := range s.TraceFunctions {
		found = found || s.Strings.String(fn.Name) == "makeOrder"
	}
	if !found {
		t.Error("no trace function named makeOrder")
	}
}
