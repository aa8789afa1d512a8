package retainers_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

func analyze(t testing.TB, path string) *analysis.Result {
	t.Helper()
	snap, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return analysis.Analyze(snap, analysis.Options{})
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
			x := retainers.NewIndex(r)
			efc := len(r.Snap.Meta.EdgeFields)
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
						r.Snap.Meta.EdgeTypeName(r.Snap.EdgeType[rt.Edge]), jsClip(retainers.EdgeName(r, rt.Edge), 80),
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

func atoi(t testing.TB, s string) int {
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	incidentOnce sync.Once
	incident     *analysis.Result
)

// incidentLeak is the analyzed incident snapshot, shared by the tests.
func incidentLeak(t *testing.T) *analysis.Result {
	incidentOnce.Do(func() {
		incident = analyze(t, testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz"))
	})
	return incident
}

func nodeByID(t *testing.T, r *analysis.Result, id uint32) uint32 {
	for i, v := range r.Snap.NodeID {
		if v == id {
			return uint32(i)
		}
	}
	t.Fatalf("no node @%d", id)
	return 0
}

// TestOwnersAgreeWithIndex checks that the scan-based owner chains equal
// the ones found with the full index, and that they are the end of the
// chain DevTools expands.
func TestOwnersAgreeWithIndex(t *testing.T) {
	for _, path := range []string{
		testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz"),
		testutil.Testdata("versions", "chromium.heapsnapshot.gz"),
	} {
		r := incidentLeak(t)
		if !strings.Contains(path, "incident") {
			r = analyze(t, path)
		}
		x := retainers.NewIndex(r)
		s := r.Snap
		var targets []uint32
		for i := uint32(0); i < uint32(s.NodeCount); i += 97 {
			targets = append(targets, i)
		}
		owners := retainers.Owners(r, targets, 30)
		for k, tgt := range targets {
			o := owners[k]
			if want := x.OwnerChain(tgt, 30); fmt.Sprint(o) != fmt.Sprint(want) {
				t.Fatalf("%s @%d: Owners %+v, OwnerChain %+v", filepath.Base(path), s.NodeID[tgt], o, want)
			}
			full := x.DevToolsChain(tgt, 30)
			if len(o.Nodes) > len(full.Nodes) {
				t.Fatalf("@%d: owner chain longer than DevTools' chain", s.NodeID[tgt])
			}
			off := len(full.Nodes) - len(o.Nodes)
			for j := range o.Nodes {
				if o.Nodes[j] != full.Nodes[off+j] {
					t.Fatalf("@%d: owner chain %v is not a suffix of %v", s.NodeID[tgt], o.Nodes, full.Nodes)
				}
			}
		}
	}
}

func TestOwnerPaths(t *testing.T) {
	r := incidentLeak(t)
	ids := map[uint32]string{
		71451: "global.processor.emitter",
		68691: "global.processor.input",
		68697: "global.processor.emitter._events.data",
		71449: "global.processor",
		6047:  "global",
	}
	var targets []uint32
	var want []string
	for id, path := range ids {
		targets = append(targets, nodeByID(t, r, id))
		want = append(want, path)
	}
	for k, c := range retainers.Owners(r, targets, 30) {
		if got := retainers.FormatPath(r, c); got != want[k] {
			t.Errorf("@%d: owner path %q, want %q", r.Snap.NodeID[targets[k]], got, want[k])
		}
	}
}

func TestChains(t *testing.T) {
	r := incidentLeak(t)
	x := retainers.NewIndex(r)
	arr := nodeByID(t, r, 68697) // _events.data
	// A listener closure: the array's last element.
	var closure uint32
	for e := r.Snap.FirstEdge[arr]; e < r.Snap.FirstEdge[arr+1]; e++ {
		if r.Snap.Meta.EdgeTypeName(r.Snap.EdgeType[e]) == "element" {
			closure = r.Snap.EdgeTo[e]
		}
	}
	chains := x.Chains(closure, 3, 20)
	if len(chains) != 3 {
		t.Fatalf("%d chains, want 3", len(chains))
	}
	if got := retainers.FormatPath(r, chains[0]); got != "global.processor.emitter._events.data[1999]" {
		t.Errorf("first chain %q", got)
	}
	for k := 1; k < len(chains); k++ {
		if chains[k].Len() < chains[k-1].Len() && k > 1 {
			t.Errorf("chain %d is shorter than chain %d", k, k-1)
		}
		last := chains[k].Nodes[len(chains[k].Nodes)-1]
		if last != closure {
			t.Errorf("chain %d ends at %d", k, last)
		}
	}
	if got := x.Chains(closure, 1, 2); !got[0].Truncated || got[0].Len() != 2 {
		t.Errorf("depth 2: %+v", got[0])
	}
}

// TestOddGraphs walks chains from many nodes of the generated corner
// cases (cycles, unreachable islands, weak-only nodes): every chain ends
// at its object, never repeats a node and respects the depth limit.
func TestOddGraphs(t *testing.T) {
	for k := 1; k <= 12; k++ {
		name := fmt.Sprintf("corner%02d", k)
		t.Run(name, func(t *testing.T) {
			r := analyze(t, testutil.Testdata("corner", name+".heapsnapshot"))
			x := retainers.NewIndex(r)
			var targets []uint32
			for i := uint32(0); i < uint32(r.Snap.NodeCount); i += 7 {
				targets = append(targets, i)
			}
			owners := retainers.Owners(r, targets, 6)
			for j, i := range targets {
				for _, c := range append(x.Chains(i, 4, 6), owners[j]) {
					seen := map[uint32]bool{}
					for _, n := range c.Nodes {
						if seen[n] {
							t.Fatalf("node %d: chain %v repeats %d", i, c.Nodes, n)
						}
						seen[n] = true
					}
					if c.Nodes[len(c.Nodes)-1] != i || len(c.Edges) != len(c.Nodes)-1 || c.Len() > 6 {
						t.Fatalf("node %d: chain %+v", i, c)
					}
					_ = retainers.FormatPath(r, c)
				}
			}
		})
	}
}
