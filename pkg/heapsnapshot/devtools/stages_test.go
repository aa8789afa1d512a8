package devtools

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// TestStageProfile prints each stage's time and heap for the snapshot in
// HEAPSNAP_PROFILE_FILE; it is skipped otherwise. It is a tool for
// docs/performance.md, not a check.
func TestStageProfile(t *testing.T) {
	path := os.Getenv("HEAPSNAP_PROFILE_FILE")
	if path == "" {
		t.Skip("HEAPSNAP_PROFILE_FILE not set")
	}
	var last time.Time
	var name string
	mark := func(next string) {
		now := time.Now()
		if name != "" {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			t.Logf("%-16s %7.3fs heap %5d MB sys %5d MB", name, now.Sub(last).Seconds(), m.HeapAlloc>>20, m.Sys>>20)
		}
		name, last = next, now
	}
	mark("parse")
	s, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(s, Options{Progress: mark}); err != nil {
		t.Fatal(err)
	}
	mark("")
}
