package devtools_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func analyze(t testing.TB, path string) *devtools.Analysis {
	t.Helper()
	r, err := devtools.ReadFile(path, devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRetainersMatchDevTools compares the Retainers view of every sampled
// node with the order DevTools' own engine gives (the oracle's
// --retainers-dump goldens): the edges listed, their order, the distance
// shown and the display names.
func TestRetainersMatchDevTools(t *testing.T) {
	var bases []string
	for _, dir := range []string{"versions", "corner"} {
		m, err := filepath.Glob(testutil.Testdata(dir, "*.retainers.tsv.gz"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			bases = append(bases, strings.TrimSuffix(f, ".retainers.tsv.gz"))
		}
	}
	if len(bases) < 19 {
		t.Fatalf("found %d retainers goldens, want the 7 versions and 12 corner cases", len(bases))
	}
	for _, base := range bases {
		t.Run(filepath.Base(base), func(t *testing.T) {
			t.Parallel()
			r := analyze(t, testutil.SnapshotPath(t, base))
			x := devtools.NewRetainerIndex(r)
			efc := len(r.Snapshot.Meta.EdgeFields)
			want := map[int][]string{}
			var targets []int
			for _, row := range testutil.TSV(t, base+".retainers.tsv.gz") {
				tgt := atoi(t, row["target_ordinal"])
				if _, ok := want[tgt]; !ok {
					targets = append(targets, tgt)
				}
				want[tgt] = append(want[tgt], fmt.Sprintf("%d %s %s %s %s %s", atoi(t, row["edge_index"])/efc,
					row["retainer_ordinal"], row["edge_type"], row["edge_name"], row["retainer_distance"], row["retainer_name"]))
			}
			bad := 0
			for _, tgt := range targets {
				var got []string
				for _, rt := range x.Retainers(uint32(tgt)) {
					got = append(got, fmt.Sprintf("%d %d %s %s %d %s", rt.Edge, rt.From,
						r.Snapshot.Meta.EdgeTypeName(r.Snapshot.EdgeType[rt.Edge]), jsClip(r.Snapshot.EdgeNameString(rt.Edge), 80),
						rt.Distance, jsClip(rt.Name, 80)))
				}
				if strings.Join(got, "\n") != strings.Join(want[tgt], "\n") {
					if bad++; bad <= 3 {
						t.Errorf("target %d:\n got  %q\n want %q", tgt, head(got), head(want[tgt]))
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d targets differ", bad, len(targets))
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 4)] }

// jsClip is the oracle's clip: the first n UTF-16 units and "…".
func jsClip(s string, n int) string {
	u := utf16.Encode([]rune(s))
	if len(u) <= n {
		return s
	}
	return string(utf16.Decode(u[:n])) + "…"
}

// oraclePairs lists (base, current, oracle TSV) for every Comparison golden:
// the scenario pairs and testdata/diff/pairs.tsv.
func oraclePairs(t *testing.T) [][3]string {
	snaps := testutil.Testdata("scenarios", "snapshots")
	pairs := [][3]string{
		{filepath.Join(snaps, "growth-1"), filepath.Join(snaps, "growth-2"), filepath.Join(snaps, "growth-1-to-2.diff.tsv.gz")},
		{filepath.Join(snaps, "growth-3"), filepath.Join(snaps, "growth-4"), filepath.Join(snaps, "growth-3-to-4.diff.tsv.gz")},
		{filepath.Join(snaps, "stable-1"), filepath.Join(snaps, "stable-2"), filepath.Join(snaps, "stable-1-to-2.diff.tsv.gz")},
	}
	f, err := os.Open(testutil.Testdata("diff", "pairs.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		base, cur, _ := strings.Cut(sc.Text(), "\t")
		pairs = append(pairs, [3]string{testutil.Testdata(base), testutil.Testdata(cur),
			testutil.Testdata("diff", filepath.Base(base)+"-to-"+filepath.Base(cur)+".diff.tsv.gz")})
	}
	return pairs
}

// TestComparisonMatchesDevTools checks every row of the Comparison view,
// in DevTools' order, against the DevTools oracle (run.mjs --diff), for
// snapshots of one process and, matched by id all the same, of different
// processes, V8 versions and the generator's corner cases. As a comparison
// does, the current snapshot is reduced to its census and released before
// the base is read.
func TestComparisonMatchesDevTools(t *testing.T) {
	for _, p := range oraclePairs(t) {
		t.Run(filepath.Base(p[2]), func(t *testing.T) {
			t.Parallel()
			cur := analyze(t, testutil.SnapshotPath(t, p[1])).Census()
			base := analyze(t, testutil.SnapshotPath(t, p[0])).BaseCensus(cur)
			rows := devtools.Compare(base, cur)
			want := testutil.TSV(t, p[2])
			if len(rows) != len(want) {
				t.Errorf("%d rows, DevTools %d", len(rows), len(want))
			}
			bad := 0
			for i := range min(len(rows), len(want)) {
				r, w := &rows[i], want[i]
				got := fmt.Sprintf("%s | %s | %d %d %d | %d %d %d", r.Key, r.Name, r.New, r.Deleted, r.CountDelta(), r.AllocSize, r.FreedSize, r.SizeDelta())
				exp := fmt.Sprintf("%s | %s | %s %s %s | %s %s %s", w["class_key"], w["name"], w["new_count"], w["deleted_count"], w["delta_count"],
					w["alloc_size"], w["freed_size"], w["size_delta"])
				if got != exp {
					if bad++; bad <= 5 {
						t.Errorf("row %d:\n got  %s\n want %s", i, got, exp)
					}
				}
			}
		})
	}
}

// TestAnalyzeTwiceIsRefused: the analysis takes the snapshot over, so a
// second analysis must not run on adjusted sizes.
func TestAnalyzeTwiceIsRefused(t *testing.T) {
	s, err := heapsnapshot.ParseFile(testutil.Testdata("corner", "corner01.heapsnapshot"), heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devtools.Analyze(s, devtools.Options{}); err != nil {
		t.Fatal(err)
	}
	if !s.Analyzed {
		t.Error("Analyze did not mark the snapshot analyzed")
	}
	if _, err := devtools.Analyze(s, devtools.Options{}); err != devtools.ErrAnalyzed {
		t.Errorf("second Analyze: %v, want ErrAnalyzed", err)
	}
}
