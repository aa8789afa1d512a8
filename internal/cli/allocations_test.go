package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// The Allocation view and source maps are tested on the source-map
// fixture's snapshot taken with --track-heap-objects in a container
// (/app), whose maps only --source-maps finds, and on testdata/alloc's
// snapshots, checked against DevTools' engine.
var (
	trackedSnapshot = testutil.Testdata("sourcemaps", "snapshots", "tracked.heapsnapshot.gz")
	containerSnap   = testutil.Testdata("sourcemaps", "snapshots", "container.heapsnapshot.gz")
	distMaps        = testutil.Testdata("sourcemaps", "dist")
)

// trackedSeries is step n of a growing leak snapshotted with allocation
// tracking: every round adds 300 listeners made by subscribe and 200
// LeakedRecords.
func trackedSeries(n int) string {
	return testutil.Testdata("alloc", "snapshots", fmt.Sprintf("growth-tracked-%d.heapsnapshot.gz", n))
}

// leakedListener is one of the 2,000 listener closures processOrders
// registers in the tracked snapshot.
const leakedListener = "@84879"

func TestAllocationsGolden(t *testing.T) {
	// From the repository root, with relative paths: the source files'
	// paths, which the maps give relative to themselves, then do not
	// depend on the checkout's place (Markdown pads columns to them).
	t.Chdir(testutil.Root())
	rel := func(p string) string { return strings.TrimPrefix(p, testutil.Root()+"/") }
	trackedSnapshot, containerSnap, distMaps := rel(trackedSnapshot), rel(containerSnap), rel(distMaps)
	trackedSeries := func(n int) string { return rel(trackedSeries(n)) }
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"allocations.txt", []string{"allocations", trackedSnapshot, "--source-maps", distMaps, "--limit", "12"}},
		{"allocations.md", []string{"allocations", trackedSnapshot, "--source-maps", distMaps, "--limit", "5", "--format", "markdown"}},
		{"allocations.json", []string{"allocations", trackedSnapshot, "--source-maps", distMaps, "--limit", "3", "--format", "json"}},
		{"allocations.tsv", []string{"allocations", trackedSnapshot, "--format", "tsv"}},
		{"allocations-callers.txt", []string{"allocations", trackedSnapshot, "--source-maps", distMaps, "--callers", "processOrders"}},
		{"allocations-callers.json", []string{"allocations", trackedSnapshot, "--source-maps", distMaps, "--callers", "#162", "--limit", "3", "--format", "json"}},
		{"show-allocation.txt", []string{"show", trackedSnapshot, leakedListener, "--source-maps", distMaps, "--references", "3", "--retainers", "3"}},
		{"show-allocation.json", []string{"show", trackedSnapshot, leakedListener, "--source-maps", distMaps, "--references", "1", "--retainers", "1", "--format", "json"}},
		{"suspects-tracked.txt", []string{"analyze", trackedSnapshot, "--source-maps", distMaps, "--suspects-only"}},
		{"suspects-container.md", []string{"analyze", containerSnap, "--source-maps", distMaps, "--suspects-only", "--format", "markdown"}},
		{"diff-series-tracked.txt", []string{"diff", trackedSeries(1), trackedSeries(2), trackedSeries(3)}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, tc.args...) })
	}
}

// TestAllocationsMatchDevToolsTSV checks the TSV forms of the view and
// of the stacks against DevTools' engine's, column for column.
func TestAllocationsMatchDevToolsTSV(t *testing.T) {
	for _, v := range []string{"node20", "node26"} {
		t.Run(v, func(t *testing.T) {
			base := testutil.Testdata("alloc", "snapshots", v)
			stdout, stderr, code := run(t, nil, "allocations", base+".heapsnapshot.gz", "--format", "tsv")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// DevTools' tops: id name script_name script_id line column
			// count size live_count live_size has_children.
			tops := pick(string(testutil.ReadFile(t, base+".tops.tsv.gz")), 1, 2, 4, 5, 6, 7, 8, 9)
			if stdout != tops {
				t.Errorf("view differs from DevTools':\n%s", firstDifference(stdout, tops))
			}
			stdout, stderr, code = run(t, nil, "allocations", base+".heapsnapshot.gz", "--stacks")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// DevTools' stacks: ordinal id trace_node_id frame_count stack,
			// frames function|script|script_id|line|column.
			oracle := pick(string(testutil.ReadFile(t, base+".stacks.tsv.gz")), 1, 4)
			frame := regexp.MustCompile(`\|\d+(\|\d+\|\d+)(;|\n)`)
			if want := frame.ReplaceAllString(oracle, "$1$2"); stdout != want {
				t.Errorf("stacks differ from DevTools':\n%s", firstDifference(stdout, want))
			}
		})
	}
}

// pick keeps the given columns of every TSV line.
func pick(tsv string, cols ...int) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(tsv, "\n"), "\n") {
		f := strings.Split(line, "\t")
		for k, c := range cols {
			if k > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(f[c])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for k := range max(len(g), len(w)) {
		gl, wl := "", ""
		if k < len(g) {
			gl = g[k]
		}
		if k < len(w) {
			wl = w[k]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  got:  %q\n  want: %q", k+1, gl, wl)
		}
	}
	return "(equal)"
}

// TestAllocationStacksThroughSourceMaps checks one leaked listener's stack
// in both stack formats: TSV as V8 recorded it, JSON also original.
func TestAllocationStacksThroughSourceMaps(t *testing.T) {
	stdout, stderr, code := run(t, nil, "allocations", trackedSnapshot, "--source-maps", distMaps, "--stacks")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var row []string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, strings.TrimPrefix(leakedListener, "@")+"\t") {
			row = strings.Split(line, "\t")
		}
	}
	// TSV is V8's compiled frames; processOrders allocated the closure,
	// called by main.
	if len(row) != 2 || !strings.HasPrefix(row[1], "processOrders|/app/dist/data-processor.js|21|18;main|/app/dist/main.js|13|14;") ||
		!strings.HasSuffix(row[1], ";(root)||0|0") {
		t.Fatalf("row for %s = %q", leakedListener, row)
	}

	stdout, _, code = run(t, nil, "allocations", trackedSnapshot, "--source-maps", distMaps, "--stacks", "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d", code)
	}
	var stacks []struct {
		ID    int `json:"id"`
		Stack []struct {
			Function string `json:"function"`
			File     string `json:"file"`
			Line     int    `json:"line"`
			Source   *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"source"`
		} `json:"stack"`
	}
	if err := json.Unmarshal([]byte(stdout), &stacks); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range stacks {
		if fmt.Sprintf("@%d", s.ID) != leakedListener {
			continue
		}
		found = true
		f, caller, root := s.Stack[0], s.Stack[1], s.Stack[len(s.Stack)-1]
		if f.Function != "processOrders" || f.File != "/app/dist/data-processor.js" || f.Line != 21 ||
			f.Source == nil || !strings.HasSuffix(f.Source.File, "src/data-processor.ts") || f.Source.Line != 42 {
			t.Errorf("first frame = %+v (source %+v)", f, f.Source)
		}
		if caller.Function != "main" || caller.Source == nil || !strings.HasSuffix(caller.Source.File, "src/main.ts") || caller.Source.Line != 17 {
			t.Errorf("second frame = %+v (source %+v)", caller, caller.Source)
		}
		if root.Function != "(root)" || root.Source != nil {
			t.Errorf("last frame = %+v", root)
		}
	}
	if !found || len(stacks) != 28464 {
		t.Errorf("found %s: %v; %d stacks, want 28,464", leakedListener, found, len(stacks))
	}
}

// TestSuspectAllocated checks that a suspect says which stack allocated
// its objects, through source maps.
func TestSuspectAllocated(t *testing.T) {
	stdout, stderr, code := run(t, nil, "analyze", trackedSnapshot, "--source-maps", distMaps, "--suspects-only", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Suspects []struct {
			Kind      string `json:"kind"`
			Count     int    `json:"count"`
			Allocated *struct {
				Count int `json:"count"`
				Of    int `json:"of"`
				Stack []struct {
					Function string `json:"function"`
					Source   *struct {
						File string `json:"file"`
						Line int    `json:"line"`
					} `json:"source"`
				} `json:"stack"`
			} `json:"allocated"`
		} `json:"suspects"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Suspects) == 0 || rep.Suspects[0].Kind != "listeners" {
		t.Fatalf("suspects = %+v", rep.Suspects)
	}
	s := rep.Suspects[0]
	if s.Count != 2000 || s.Allocated == nil || s.Allocated.Count != 2000 || s.Allocated.Of != 2000 {
		t.Fatalf("listeners suspect: count %d, allocated %+v", s.Count, s.Allocated)
	}
	top := s.Allocated.Stack[0]
	if top.Function != "processOrders" || top.Source == nil || !strings.HasSuffix(top.Source.File, "src/data-processor.ts") || top.Source.Line != 42 {
		t.Errorf("allocated by %+v (source %+v)", top, top.Source)
	}
}

// TestSeriesCandidatesAllocated checks that a series' leak candidates name
// the stack that allocated them.
func TestSeriesCandidatesAllocated(t *testing.T) {
	stdout, stderr, code := run(t, nil, "diff", trackedSeries(1), trackedSeries(2), trackedSeries(3), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Candidates []struct {
			Name      string `json:"name"`
			Counts    []int  `json:"counts"`
			Allocated *struct {
				Count int `json:"count"`
				Of    int `json:"of"`
				Stack []struct {
					Function string `json:"function"`
					File     string `json:"file"`
					Line     int    `json:"line"`
				} `json:"stack"`
			} `json:"allocated"`
		} `json:"leak_candidates"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string][3]any{"Function": {300, "subscribe", 20}, "LeakedRecord": {200, "round", 23}}
	for _, c := range rep.Candidates {
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		delete(want, c.Name)
		a := c.Allocated
		if a == nil || a.Count != w[0] || a.Of != w[0] || a.Stack[0].Function != w[1] || a.Stack[0].Line != w[2] {
			t.Errorf("%s: allocated %+v, want %d by %s at line %d", c.Name, a, w[0], w[1], w[2])
		}
	}
	if len(want) > 0 {
		t.Errorf("no candidates %v in %+v", want, rep.Candidates)
	}
}

// TestSourceMapSettings covers finding the container's maps, the warning
// and hint without them, silence with --no-source-maps, the environment
// variable and a bad directory.
func TestSourceMapSettings(t *testing.T) {
	const mapped = "all created by (anonymous) at testdata/sourcemaps/src/data-processor.ts:45:31 (/app/dist/data-processor.js:24:37)"
	const compiled = "all created by (anonymous) at /app/dist/data-processor.js:24:37"
	check := func(t *testing.T, env map[string]string, args []string, wantOut, wantErr string, wantCode int) {
		t.Helper()
		for k, v := range env {
			t.Setenv(k, v)
		}
		stdout, stderr, code := run(t, nil, append([]string{"analyze", containerSnap, "--suspects-only"}, args...)...)
		stdout = strings.ReplaceAll(stdout, testutil.Root()+"/", "")
		if code != wantCode {
			t.Fatalf("exit %d, want %d; stderr: %s", code, wantCode, stderr)
		}
		if !strings.Contains(stdout, wantOut) {
			t.Errorf("stdout lacks %q:\n%s", wantOut, stdout)
		}
		if wantErr == "" && stderr != "" || !strings.Contains(stderr, wantErr) {
			t.Errorf("stderr = %q, want %q", stderr, wantErr)
		}
	}
	t.Run("flag", func(t *testing.T) {
		// One group of 2,000: mapped listeners group by position, as
		// compiled ones do.
		check(t, nil, []string{"--source-maps", distMaps}, "1. 2,000 listeners for 'data' on EventEmitter [listeners]", "", 0)
		check(t, nil, []string{"--source-maps", distMaps}, mapped, "", 0)
	})
	t.Run("environment", func(t *testing.T) {
		check(t, map[string]string{"HEAPSNAP_SOURCE_MAPS": distMaps}, nil, mapped, "", 0)
	})
	t.Run("missing", func(t *testing.T) {
		check(t, nil, nil, compiled,
			"heapsnap: warning: source map not used, locations are compiled ones: /app/dist/data-processor.js: /app/dist/data-processor.js.map: not found\n", 0)
		check(t, nil, nil, compiled, "heapsnap: hint: --source-maps DIR", 0)
	})
	t.Run("off", func(t *testing.T) {
		check(t, nil, []string{"--source-maps", distMaps, "--no-source-maps"}, compiled, "", 0)
	})
	t.Run("not a directory", func(t *testing.T) {
		check(t, nil, []string{"--source-maps", containerSnap}, "", "is not a directory", 2)
		check(t, map[string]string{"HEAPSNAP_SOURCE_MAPS": "/nonexistent"}, nil, "", "HEAPSNAP_SOURCE_MAPS", 2)
	})
}

func TestAllocationsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no tracking", []string{"allocations", sample}, 3, "no allocation stacks: the snapshot was taken without allocation tracking"},
		{"stacks and callers", []string{"allocations", trackedSnapshot, "--stacks", "--callers", "main"}, 2, "cannot be combined with --stacks"},
		{"unknown function", []string{"allocations", trackedSnapshot, "--callers", "noSuchFunction"}, 2, "noSuchFunction"},
		{"stacks as a table", []string{"allocations", trackedSnapshot, "--stacks", "--format", "table"}, 2, "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %.100q; want exit %d and %q", code, stderr, stdout, tc.code, tc.msg)
			}
			if strings.Count(stderr, "\n") != 1 {
				t.Errorf("want one line, got %q", stderr)
			}
		})
	}
	if _, err := os.Stat(trackedSnapshot); err != nil {
		t.Fatal(err)
	}
}
