package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

func scenarioSnapshot(name string) string {
	return testutil.Testdata("scenarios", "snapshots", name+".heapsnapshot.gz")
}

// TestSuspectsGolden covers the Suspects section in every format and the
// detector flags.
func TestSuspectsGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"suspects-incident.txt", []string{"analyze", sample, "--suspects-only"}},
		{"suspects-incident.md", []string{"analyze", sample, "--suspects-only", "--format", "markdown"}},
		{"suspects-incident.json", []string{"analyze", sample, "--suspects-only", "--format", "json"}},
		{"suspects-big-map.txt", []string{"analyze", scenarioSnapshot("big-map"), "--suspects-only", "--collection-threshold", "3000"}},
		{"suspects-big-map.json", []string{"analyze", scenarioSnapshot("big-map"), "--suspects-only", "--format", "json"}},
		{"suspects-detached-dom.md", []string{"analyze", scenarioSnapshot("detached-dom"), "--suspects-only", "--format", "markdown"}},
		{"suspects-abort.txt", []string{"analyze", scenarioSnapshot("abort-leak"), "--suspects-only"}},
		{"suspects-none.txt", []string{"analyze", sample, "--suspects", "none", "--top", "3", "--largest", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, tc.args...) })
	}
}

// TestSuspectsJSON checks the analyze JSON schema of a suspect: kind,
// title, count, retained_size, path and evidence.
func TestSuspectsJSON(t *testing.T) {
	stdout, stderr, code := run(t, nil, "analyze", sample, "--format", "json", "--top", "1", "--largest", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		SuspectKinds []string `json:"suspect_kinds"`
		Suspects     []struct {
			Kind         string `json:"kind"`
			Title        string `json:"title"`
			Count        int    `json:"count"`
			RetainedSize uint64 `json:"retained_size"`
			Path         string `json:"path"`
			Evidence     struct {
				Emitter string `json:"emitter"`
				Event   string `json:"event"`
				Warned  bool   `json:"warned"`
				Groups  []struct {
					Count    int    `json:"count"`
					Function string `json:"function"`
					Location struct {
						File   string `json:"file"`
						Line   int    `json:"line"`
						Column int    `json:"column"`
					} `json:"location"`
				} `json:"groups"`
			} `json:"evidence"`
		} `json:"suspects"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Suspects) != 1 || len(rep.SuspectKinds) != 7 {
		t.Fatalf("%+v", rep)
	}
	s := rep.Suspects[0]
	g := s.Evidence.Groups
	if s.Kind != "listeners" || s.Count != 2000 || s.RetainedSize != 368400 || s.Path != "global.processor.emitter" ||
		s.Evidence.Event != "data" || s.Evidence.Emitter != "EventEmitter" || !s.Evidence.Warned || len(g) != 1 ||
		g[0].Count != 2000 || !strings.HasSuffix(g[0].Location.File, "incident/src/data-processor.js") ||
		g[0].Location.Line != 24 || g[0].Location.Column != 31 {
		t.Errorf("suspect %+v", s)
	}
}

func TestSuspectFlags(t *testing.T) {
	// Above the count, the leak is not flagged; the fixed program is clean.
	for _, args := range [][]string{
		{"analyze", sample, "--suspects-only", "--listener-threshold", "2000"},
		{"analyze", scenarioSnapshot("incident-fixed"), "--suspects-only", "--listener-threshold", "2"},
		{"analyze", sample, "--suspects-only", "--suspects", "collection,closure"},
	} {
		stdout, stderr, code := run(t, nil, args...)
		if code != 0 || !strings.Contains(stdout, "No leak suspects above the thresholds.") {
			t.Errorf("%v: exit %d, %s%s", args[2:], code, stdout, stderr)
		}
	}
	t.Setenv("HEAPSNAP_ANALYZE_LISTENER_THRESHOLD", "5000")
	stdout, _, _ := run(t, nil, "analyze", sample, "--suspects-only")
	if !strings.Contains(stdout, "No leak suspects") {
		t.Errorf("HEAPSNAP_ANALYZE_LISTENER_THRESHOLD ignored:\n%s", stdout)
	}
	stdout, _, _ = run(t, nil, "analyze", sample, "--suspects-only", "--listener-threshold", "10")
	if !strings.Contains(stdout, "2,000 listeners for 'data'") {
		t.Errorf("--listener-threshold should beat the environment:\n%s", stdout)
	}
}

func TestRetainersGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"retainers.txt", []string{"retainers", sample, "@68697", "--list", "5"}},
		{"retainers.md", []string{"retainers", sample, "@68697", "--paths", "2", "--format", "markdown"}},
		{"retainers.json", []string{"retainers", sample, "@71451", "--paths", "2", "--format", "json"}},
		{"retainers-class.txt", []string{"retainers", sample, "--class", "DataProcessor", "--paths", "1", "--list", "3"}},
		{"retainers-depth.txt", []string{"retainers", sample, "@68697", "--paths", "1", "--depth", "2", "--list", "1"}},
		{"show.txt", []string{"show", sample, "@71451"}},
		{"show.md", []string{"show", sample, "@71445", "--references", "5", "--retainers", "5", "--format", "markdown"}},
		{"show.json", []string{"show", sample, "@71451", "--references", "3", "--retainers", "3", "--format", "json"}},
		{"top.txt", []string{"top", sample}},
		{"top.md", []string{"top", sample, "--depth", "1", "--limit", "3", "--format", "markdown"}},
		{"top.json", []string{"top", sample, "--depth", "1", "--limit", "2", "--format", "json"}},
		{"top-detached-dom.txt", []string{"top", scenarioSnapshot("detached-dom"), "--depth", "3", "--limit", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, tc.args...) })
	}
}

// TestRetainersMatchOracle runs `retainers --format json --list 0` on
// sampled nodes and compares the listed retainers with DevTools' order
// (the oracle's goldens; the package tests compare every sampled node).
func TestRetainersMatchOracle(t *testing.T) {
	base := testutil.Testdata("versions", "node20")
	rows := testutil.TSV(t, base+".retainers.tsv.gz")
	nodes := testutil.TSV(t, base+".nodes.tsv.gz")
	want := map[string][]string{}
	var targets []string
	for _, row := range rows {
		id := nodes[atoi(t, row["target_ordinal"])]["id"]
		if _, ok := want[id]; !ok {
			targets = append(targets, id)
		}
		want[id] = append(want[id], fmt.Sprintf("%s %s %s", nodes[atoi(t, row["retainer_ordinal"])]["id"], row["edge_type"], row["retainer_distance"]))
	}
	checked := 0
	for k := 0; k < len(targets); k += len(targets) / 8 {
		id := targets[k]
		stdout, stderr, code := run(t, nil, "retainers", base+".heapsnapshot.gz", "@"+id, "--list", "0", "--paths", "1", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var rep struct {
			Objects []struct {
				RetainerCount int `json:"retainer_count"`
				Retainers     []struct {
					EdgeType string `json:"edge_type"`
					Distance int32  `json:"distance"`
					Object   struct {
						ID uint32 `json:"id"`
					} `json:"object"`
				} `json:"retainers"`
			} `json:"objects"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rep.Objects[0].Retainers {
			got = append(got, fmt.Sprintf("%d %s %d", r.Object.ID, r.EdgeType, r.Distance))
		}
		if strings.Join(got, "\n") != strings.Join(want[id], "\n") || rep.Objects[0].RetainerCount != len(want[id]) {
			t.Errorf("@%s: retainers\n%s\nDevTools:\n%s", id, strings.Join(got, "\n"), strings.Join(want[id], "\n"))
		}
		checked++
	}
	if checked < 8 {
		t.Errorf("checked %d nodes", checked)
	}
}

func atoi(t *testing.T, s string) int {
	var v int
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRetainersUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"retainers", sample}, "expected a snapshot file and an object id"},
		{[]string{"retainers", sample, "@abc"}, `invalid object id "@abc": want @ID`},
		{[]string{"retainers", sample, "@999999999"}, "no object @999999999 in this snapshot"},
		{[]string{"retainers", sample, "--class", "NoSuchClass"}, `no objects of class "NoSuchClass"`},
		{[]string{"retainers", sample, "@1", "--paths", "0"}, "--paths: must be at least 1, got 0"},
		{[]string{"retainers", sample, "@1", "--format", "xml"}, `invalid format "xml"`},
		{[]string{"show", sample}, "expected a snapshot file and an object id"},
		{[]string{"show", sample, "12x"}, `invalid object id "12x"`},
		{[]string{"show", sample, "@4"}, "no object @4 in this snapshot"},
		{[]string{"top", sample, "--depth", "-1"}, "must not be negative"},
		{[]string{"analyze", sample, "--suspects", "leaks"}, `unknown suspect kind "leaks"`},
		{[]string{"analyze", sample, "--listener-threshold", "0"}, "--listener-threshold: must be at least 1, got 0"},
		{[]string{"analyze", sample, "--min-context-size", "big"}, `--min-context-size: invalid size "big"`},
	} {
		_, stderr, code := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "heapsnap: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args[2:], code, stderr, tc.want)
		}
	}
	_, stderr, code := run(t, nil, "show", "/no/such/file", "@1")
	if code != ExitFailure || !strings.HasPrefix(stderr, "heapsnap: /no/such/file: ") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
}

// TestTopLeavesOutInternals checks top's defaults: no V8-internal object
// (code, internal arrays, shapes, hidden) at any level shown, counted in
// left_out, and every object shown with --internals --min-share 0.
func TestTopLeavesOutInternals(t *testing.T) {
	type node struct {
		Type     string `json:"type"`
		Retained uint64 `json:"retained_size"`
		Children []node `json:"children"`
	}
	var rep struct {
		TotalSize uint64 `json:"total_size"`
		LeftOut   struct {
			Internal     int    `json:"internal"`
			InternalSize uint64 `json:"internal_size"`
			Small        int    `json:"small"`
		} `json:"left_out"`
		Objects []node `json:"objects"`
	}
	internalTypes := map[string]bool{"hidden": true, "array": true, "code": true, "object shape": true}
	walk := func(ns []node) (internal, small int) {
		stack := append([]node(nil), ns...)
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = append(stack[:len(stack)-1], n.Children...)
			if internalTypes[n.Type] {
				internal++
			}
			if n.Retained*100 < rep.TotalSize {
				small++
			}
		}
		return internal, small
	}
	out, stderr, code := run(t, nil, "top", sample, "--format", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if internal, small := walk(rep.Objects); internal != 0 || small != 0 {
		t.Errorf("by default %d internal and %d small objects shown", internal, small)
	}
	if rep.LeftOut.Internal == 0 || rep.LeftOut.InternalSize == 0 || rep.LeftOut.Small == 0 {
		t.Errorf("left_out %+v: nothing counted", rep.LeftOut)
	}
	out, _, _ = run(t, nil, "top", sample, "--format", "json", "--internals", "--min-share", "0")
	rep.LeftOut.Internal, rep.LeftOut.Small = 0, 0
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if internal, small := walk(rep.Objects); internal == 0 || small == 0 || rep.LeftOut.Internal != 0 || rep.LeftOut.Small != 0 {
		t.Errorf("--internals --min-share 0: %d internal and %d small objects shown, left_out %+v", internal, small, rep.LeftOut)
	}
	_, stderr, code = run(t, nil, "top", sample, "--min-share", "abc")
	if code != ExitUsage || !strings.Contains(stderr, `--min-share: invalid share "abc"`) {
		t.Errorf("--min-share abc: exit %d, %s", code, stderr)
	}
}
