package diff_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// BenchmarkCollectFacts reduces a snapshot to its diff facts: every
// listener list and collection with its owner path, the part of a diff
// that walks Map entries once per path. It reads HEAPSNAP_BENCH_FILE if
// set (a Node service heap: testdata/bench/service-heap.js), else a
// synthetic 1 M-node heap.
func BenchmarkCollectFacts(b *testing.B) {
	var s *heapsnapshot.Snapshot
	var err error
	if path := os.Getenv("HEAPSNAP_BENCH_FILE"); path != "" {
		s, err = heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	} else {
		data := testutil.Synthetic(b, 1_000_000)
		s, err = heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	r, err := devtools.Analyze(s, devtools.Options{})
	if err != nil {
		b.Fatal(err)
	}
	names := retainers.NewNamer(r, nil)
	b.ResetTimer()
	for b.Loop() {
		diff.CollectFacts(r, names)
	}
}
