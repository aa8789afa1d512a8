package heapsnapshot

import (
	"os"
	"testing"
)

// BenchmarkParseFile parses HEAPSNAP_BENCH_FILE (skipped when unset) and
// reports input MB/s.
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
		if _, err := ParseFile(path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseFileOneWorker(b *testing.B) {
	path := os.Getenv("HEAPSNAP_BENCH_FILE")
	if path == "" {
		b.Skip("HEAPSNAP_BENCH_FILE not set")
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := ParseFile(path, Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
