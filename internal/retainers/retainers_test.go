package retainers_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func analyze(t testing.TB, path string) *devtools.Analysis {
	t.Helper()
	snap, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := devtools.Analyze(snap, devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var (
	incidentOnce sync.Once
	incident     *devtools.Analysis
)

// incidentLeak is the analyzed incident snapshot, shared by the tests.
func incidentLeak(t *testing.T) *devtools.Analysis {
	incidentOnce.Do(func() {
		incident = analyze(t, testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz"))
	})
	return incident
}

func nodeByID(t *testing.T, r *devtools.Analysis, id uint32) uint32 {
	for i, v := range r.Snapshot.NodeID {
		if v == id {
			return uint32(i)
		}
	}
	t.Fatalf("no node @%d", id)
	return 0
}

// TestOwnersAgreeWithIndex checks that the scan-based owner chains equal
// the ones found with the reverse index, and that they are the end of the
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
		x := devtools.NewRetainerIndex(r)
		s := r.Snapshot
		var targets []uint32
		for i := uint32(0); i < uint32(s.NodeCount); i += 97 {
			targets = append(targets, i)
		}
		owners := retainers.Owners(r, nil, targets, 30)
		indexed := retainers.Owners(r, x, targets, 30)
		for k, tgt := range targets {
			o := owners[k]
			if want := indexed[k]; fmt.Sprint(o) != fmt.Sprint(want) {
				t.Fatalf("%s @%d: by scan %+v, by index %+v", filepath.Base(path), s.NodeID[tgt], o, want)
			}
			full := retainers.DevToolsChain(x, tgt, 30)
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
	for k, c := range retainers.Owners(r, nil, targets, 30) {
		if got := retainers.NewNamer(r, nil).Path(c); got != want[k] {
			t.Errorf("@%d: owner path %q, want %q", r.Snapshot.NodeID[targets[k]], got, want[k])
		}
	}
}

func TestChains(t *testing.T) {
	r := incidentLeak(t)
	x := devtools.NewRetainerIndex(r)
	arr := nodeByID(t, r, 68697) // _events.data
	// A listener closure: the array's last element.
	var closure uint32
	for e := r.Snapshot.FirstEdge[arr]; e < r.Snapshot.FirstEdge[arr+1]; e++ {
		if r.Snapshot.Meta.EdgeTypeName(r.Snapshot.EdgeType[e]) == "element" {
			closure = r.Snapshot.EdgeTo[e]
		}
	}
	chains := retainers.Chains(r, x, closure, 3, 20)
	if len(chains) != 3 {
		t.Fatalf("%d chains, want 3", len(chains))
	}
	if got := retainers.NewNamer(r, nil).Path(chains[0]); got != "global.processor.emitter._events.data[1999]" {
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
	if got := retainers.Chains(r, x, closure, 1, 2); !got[0].Truncated || got[0].Len() != 2 {
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
			x := devtools.NewRetainerIndex(r)
			var targets []uint32
			for i := uint32(0); i < uint32(r.Snapshot.NodeCount); i += 7 {
				targets = append(targets, i)
			}
			owners := retainers.Owners(r, nil, targets, 6)
			for j, i := range targets {
				for _, c := range append(retainers.Chains(r, x, i, 4, 6), owners[j]) {
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
					_ = retainers.NewNamer(r, nil).Path(c)
				}
			}
		})
	}
}
