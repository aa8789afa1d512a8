package views

import (
	"bytes"
	"cmp"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Members are in the order a comparison of retained size, then id,
// gives, for small classes and for those big enough to be sorted by
// radix.
func TestMembersOrder(t *testing.T) {
	s, err := heapsnapshot.Read(bytes.NewReader(testutil.Synthetic(t, 200_000)), -1, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := devtools.Analyze(s, devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMembers(r)
	big := 0
	for c := range r.Classes {
		got := m.Of(uint32(c))
		want := slices.Clone(got)
		slices.Sort(want)
		slices.SortFunc(want, func(a, b uint32) int {
			return cmp.Or(cmp.Compare(r.Retained.At(b), r.Retained.At(a)), cmp.Compare(s.NodeID[a], s.NodeID[b]))
		})
		if !slices.Equal(got, want) {
			t.Fatalf("class %s: members out of order", r.ClassName(&r.Classes[c]))
		}
		if len(got) >= 1<<12 {
			big++
		}
	}
	if big == 0 {
		t.Fatal("no class big enough for the radix sort")
	}
}
