package devtools_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// TestMatchesDevTools checks every node's adjusted self size, retained
// size, distance, dominator and class, every Summary row, the total size
// and the Statistics against goldens written by DevTools' own engine (the
// oracle in testdata/tools/oracle-goldens.sh), for snapshots of several V8
// versions, a Chromium page and the generator's corner cases.
//
// Each fixture is analyzed three times: as it is, with the columns the
// dominator stage does not read compressed in memory meanwhile, and with
// them compressed and written to a file.
func TestMatchesDevTools(t *testing.T) {
	for _, base := range testutil.OracleFixtures(t) {
		for _, mode := range []string{"", "park", "spill"} {
			name := filepath.Base(base)
			if mode != "" {
				name += "/" + mode
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				snap, err := heapsnapshot.ParseFile(testutil.SnapshotPath(t, base), heapsnapshot.Options{})
				if err != nil {
					t.Fatal(err)
				}
				opts := devtools.Options{LowMemory: mode == "park"}
				if mode == "spill" {
					opts.SpillDir = t.TempDir()
				}
				r, err := devtools.Analyze(snap, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkNodes(t, r, base+".nodes.tsv.gz")
				checkClasses(t, r, base+".classes.tsv.gz")
				checkSummary(t, r, base+".summary.json")
			})
		}
	}
}

func checkNodes(t *testing.T, r *devtools.Analysis, path string) {
	rows := testutil.TSV(t, path)
	s := r.Snapshot
	if len(rows) != s.NodeCount {
		t.Fatalf("oracle has %d nodes, snapshot %d", len(rows), s.NodeCount)
	}
	bad := 0
	for _, row := range rows {
		o := atoi(t, row["ordinal"])
		want := strings.Join([]string{row["id"], row["self_size"], row["retained_size"], row["distance"],
			row["dominator_ordinal"], row["class_name"], row["name"]}, " | ")
		name := unclip(s.Strings.String(s.NodeName[o]), row["name"])
		got := strings.Join([]string{
			strconv.FormatUint(uint64(s.NodeID[o]), 10),
			strconv.FormatUint(uint64(s.NodeSelfSize[o]), 10),
			strconv.FormatUint(r.Retained.At(uint32(o)), 10),
			strconv.Itoa(int(r.Distance[o])),
			strconv.FormatUint(uint64(r.Dominator[o]), 10),
			unclip(r.ClassName(&r.Classes[r.Class[o]]), row["class_name"]),
			name,
		}, " | ")
		if got != want {
			if bad++; bad <= 5 {
				t.Errorf("node %d: got  %s\n         want %s", o, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d nodes differ from DevTools", bad, len(rows))
	}
}

func checkClasses(t *testing.T, r *devtools.Analysis, path string) {
	want := map[string]string{}
	for _, row := range testutil.TSV(t, path) {
		want[row["class_key"]] = strings.Join([]string{row["name"], row["count"], row["distance"], row["shallow_size"], row["retained_size"]}, " | ")
	}
	rows := r.SummaryRows()
	if len(rows) != len(want) {
		t.Errorf("%d Summary rows, DevTools has %d", len(rows), len(want))
	}
	for _, c := range rows {
		key := r.ClassKey(c)
		got := strings.Join([]string{r.ClassName(c), strconv.Itoa(c.Count), strconv.Itoa(int(c.Distance)),
			strconv.FormatUint(c.Self, 10), strconv.FormatUint(c.Retained, 10)}, " | ")
		if want[key] != got {
			t.Errorf("class %q: got %q, DevTools %q", key, got, want[key])
		}
	}
}

func checkSummary(t *testing.T, r *devtools.Analysis, path string) {
	o := testutil.ReadOracleSummary(t, path)
	st := r.Statistics
	got := []uint64{r.TotalSize, st.Total, st.Native, st.TypedArrays, st.V8Heap, st.Code, st.JSArrays, st.Strings, st.System}
	want := []uint64{o.TotalSize, o.Statistics.Total, o.Statistics.Native.Total, o.Statistics.Native.TypedArrays,
		o.Statistics.V8Heap.Total, o.Statistics.V8Heap.Code, o.Statistics.V8Heap.JSArrays, o.Statistics.V8Heap.Strings, o.Statistics.V8Heap.System}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("total size and statistics: got %v, DevTools %v", got, want)
			break
		}
	}
	var count int
	var self uint64
	for _, c := range r.SummaryRows() {
		count += c.Count
		self += c.Self
	}
	if count != o.SummaryTotal.Count || self != o.SummaryTotal.Self {
		t.Errorf("Summary status bar: got %d objects, %d bytes; DevTools %d, %d", count, self, o.SummaryTotal.Count, o.SummaryTotal.Self)
	}
}

// unclip returns the oracle's text when it is a clipped form of ours: the
// oracle shortens long names to "prefix…".
func unclip(ours, oracle string) string {
	if clipped, ok := strings.CutSuffix(oracle, "…"); ok && len(ours) > len(clipped) && strings.HasPrefix(ours, clipped) {
		return oracle
	}
	return ours
}

func atoi(t *testing.T, s string) int {
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
