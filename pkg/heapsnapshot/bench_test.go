package heapsnapshot_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// benchNodes is the size of the synthetic snapshot the benchmarks parse:
// about 70 MB, large enough for the parallel paths and chunk pipeline.
const benchNodes = 1_000_000

// BenchmarkParse measures parsing throughput (MB/s of snapshot text) on a
// synthetic service-like snapshot held in memory.
func BenchmarkParse(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			data := testutil.Synthetic(b, benchNodes)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := heapsnapshot.Read(bytes.NewReader(data), int64(len(data)), heapsnapshot.Options{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseFile parses HEAPSNAP_BENCH_FILE, a real snapshot of the
// caller's choosing (skipped when unset).
func BenchmarkParseFile(b *testing.B) {
	path := os.Getenv("HEAPSNAP_BENCH_FILE")
	if path == "" {
		b.Skip("HEAPSNAP_BENCH_FILE not set")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
