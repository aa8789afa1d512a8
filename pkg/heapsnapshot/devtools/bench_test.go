package devtools

import (
	"bytes"
	"os"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

const benchNodes = 1_000_000

// benchInput returns the snapshot benchmarks analyze: HEAPSNAP_BENCH_FILE
// if set, else a synthetic 1 M-node service heap.
func benchInput(b *testing.B) *heapsnapshot.Snapshot {
	b.Helper()
	var s *heapsnapshot.Snapshot
	var err error
	if path := os.Getenv("HEAPSNAP_BENCH_FILE"); path != "" {
		s, err = heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	} else {
		data := testutil.Synthetic(b, benchNodes)
		s, err = heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDominators measures the Lengauer–Tarjan stage alone, in nodes
// per second.
func BenchmarkDominators(b *testing.B) {
	s := benchInput(b)
	r := &Analysis{Snapshot: s}
	r.findKnownNames()
	r.findWeakMapNames()
	r.propagateDOMState()
	essential := r.essentialEdges(r.markPageOwned())
	shape := r.retainerShapeOf(essential)
	for b.Loop() {
		r.Orphans, r.Leftovers = 0, 0
		r.computeDominators(essential, shape)
	}
	b.ReportMetric(float64(s.NodeCount)*float64(b.N)/b.Elapsed().Seconds(), "nodes/s")
}

// BenchmarkAnalyze measures the whole analysis (not parsing), in nodes per
// second. Analyze changes the snapshot, so each iteration parses anew
// outside the timer.
func BenchmarkAnalyze(b *testing.B) {
	var nodes int
	for b.Loop() {
		b.StopTimer()
		s := benchInput(b)
		nodes = s.NodeCount
		b.StartTimer()
		if _, err := Analyze(s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(nodes)*float64(b.N)/b.Elapsed().Seconds(), "nodes/s")
}
