package devtools_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func allocationRow(n devtools.AllocationNode) string {
	return fmt.Sprintf("%d|%s|%s|%d|%d|%d|%d|%d|%d|%d|%v", n.ID, n.Function, n.Script, n.ScriptID, n.Line, n.Column,
		n.Count, n.Size, n.LiveCount, n.LiveSize, n.HasChildren)
}

func goldenAllocationRow(row map[string]string) string {
	return strings.Join([]string{row["id"], row["name"], row["script_name"], row["script_id"], row["line"], row["column"],
		row["count"], row["size"], row["live_count"], row["live_size"], row["has_children"]}, "|")
}

// TestAllocationsMatchDevTools compares the Allocation view, every top's
// callers tree expanded as the grid expands it, and every node's
// allocation stack with DevTools' own (the oracle's --allocation-tops,
// --allocation-callers and --allocation-stacks), on snapshots of Node 20,
// 22, 24 and 26 taken with --track-heap-objects (testdata/alloc).
func TestAllocationsMatchDevTools(t *testing.T) {
	for _, v := range []string{"node20", "node22", "node24", "node26"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			base := testutil.Testdata("alloc", "snapshots", v)
			a := analyze(t, base+".heapsnapshot.gz")
			p := a.Allocations()
			if p == nil {
				t.Fatal("no allocation profile")
			}
			var got, want []string
			for _, n := range p.Tops() {
				got = append(got, allocationRow(n))
			}
			for _, row := range testutil.TSV(t, base+".tops.tsv.gz") {
				want = append(want, goldenAllocationRow(row))
			}
			compareRows(t, "tops", got, want)

			// The grid's walk: each top, then its single callers one level
			// each, then its branching callers sorted by size (stable),
			// each of those expanded in turn.
			got = got[:0]
			var walk func(n devtools.AllocationNode, top, depth int, kind string, index int)
			walk = func(n devtools.AllocationNode, top, depth int, kind string, index int) {
				got = append(got, fmt.Sprintf("%d|%d|%s|%d|%s", top, depth, kind, index, allocationRow(n)))
				if !n.HasChildren || kind == "single" {
					return
				}
				single, branching, err := p.Callers(n.ID)
				if err != nil {
					t.Fatal(err)
				}
				for k, s := range single {
					got = append(got, fmt.Sprintf("%d|%d|single|%d|%s", top, depth+1+k, k, allocationRow(s)))
				}
				type indexed struct {
					n devtools.AllocationNode
					i int
				}
				var bs []indexed
				for k, b := range branching {
					bs = append(bs, indexed{b, k})
				}
				slices.SortStableFunc(bs, func(x, y indexed) int {
					switch {
					case x.n.Size > y.n.Size:
						return -1
					case x.n.Size < y.n.Size:
						return 1
					}
					return 0
				})
				for _, b := range bs {
					walk(b.n, top, depth+1+len(single), "branch", b.i)
				}
			}
			for k, n := range p.Tops() {
				walk(n, n.ID, 0, "top", k)
			}
			want = want[:0]
			for _, row := range testutil.TSV(t, base+".callers.tsv.gz") {
				want = append(want, strings.Join([]string{row["top_id"], row["depth"], row["kind"], row["worker_index"], goldenAllocationRow(row)}, "|"))
			}
			compareRows(t, "callers", got, want)

			got, want = got[:0], want[:0]
			for i := range uint32(a.Snapshot.NodeCount) {
				stack := p.Stack(i)
				if stack == nil {
					continue
				}
				var frames []string
				for _, f := range stack {
					frames = append(frames, fmt.Sprintf("%s|%s|%d|%d|%d", f.Function, f.Script, f.ScriptID, f.Line, f.Column))
				}
				got = append(got, fmt.Sprintf("%d|%d|%d|%s", i, a.Snapshot.NodeID[i], len(stack), strings.Join(frames, ";")))
			}
			for _, row := range testutil.TSV(t, base+".stacks.tsv.gz") {
				// The oracle escapes | and ; inside fields; these names have none.
				want = append(want, strings.Join([]string{row["ordinal"], row["id"], row["frame_count"], row["stack"]}, "|"))
			}
			compareRows(t, "stacks", got, want)
		})
	}
}

func compareRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, DevTools %d", what, len(got), len(want))
	}
	bad := 0
	for k := range min(len(got), len(want)) {
		if got[k] != want[k] {
			if bad++; bad <= 3 {
				t.Errorf("%s row %d:\n got  %s\n want %s", what, k, got[k], want[k])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d rows differ", what, bad, len(want))
	}
}
