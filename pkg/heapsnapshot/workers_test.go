package heapsnapshot_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/heapsnap/heapsnap/internal/synth"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// TestParseSplitsAgree parses one snapshot with different worker counts,
// with and without a known size (exact columns vs growing ones, and
// different chunk sizes), and requires identical columns: every split of
// the number arrays into parts must give the same values.
func TestParseSplitsAgree(t *testing.T) {
	var buf bytes.Buffer
	if _, err := synth.Write(&buf, synth.Config{Nodes: 60000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var want *heapsnapshot.Snapshot
	for _, workers := range []int{1, 2, 3, 5} {
		for _, size := range []int64{int64(len(data)), -1} {
			s, err := heapsnapshot.Read(bytes.NewReader(data), size, heapsnapshot.Options{Workers: workers})
			if err != nil {
				t.Fatalf("workers=%d size=%d: %v", workers, size, err)
			}
			if want == nil {
				want = s
				continue
			}
			if !slices.Equal(s.NodeID, want.NodeID) || !slices.Equal(s.NodeName, want.NodeName) ||
				!slices.Equal(s.NodeSelfSize, want.NodeSelfSize) || !slices.Equal(s.FirstEdge, want.FirstEdge) ||
				!slices.Equal(s.EdgeTo, want.EdgeTo) || !slices.Equal(s.EdgeName, want.EdgeName) ||
				!slices.Equal(s.EdgeType, want.EdgeType) || !slices.Equal(s.Locations, want.Locations) ||
				s.Strings.Len() != want.Strings.Len() {
				t.Errorf("workers=%d size=%d: columns differ", workers, size)
			}
		}
	}
}
