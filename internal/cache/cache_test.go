package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

var fixture = testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz")

func analyzed(t *testing.T, path string) *devtools.Analysis {
	t.Helper()
	r, err := devtools.ReadFile(path, devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// copyTo copies the fixture into dir.
func copyTo(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// An analysis read back from its file is the one written, array for
// array.
func TestAnalysisRoundTrip(t *testing.T) {
	c := &Cache{Dir: t.TempDir(), MaxSize: 1 << 30, Build: "test"}
	defer c.Close()
	r := analyzed(t, fixture)
	e, err := c.Entry(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if e.LoadAnalysis() != nil {
		t.Fatal("a hit in an empty cache")
	}
	e.SaveAnalysis(r)
	c.Wait()
	back := e.LoadAnalysis()
	if back == nil {
		t.Fatal("no analysis read back")
	}
	want, got := r.Parts(), back.Parts()
	// gob gives no empty slice back; the analysis does not tell them
	// apart.
	for k := range want.Interfaces {
		if len(want.Interfaces[k].Props) == 0 {
			want.Interfaces[k].Props = nil
		}
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatal("parts differ after the round trip")
	}
}

// A full disk leaves no file, not even a temporary one, and says
// nothing; the next write that fits succeeds.
func TestFullDisk(t *testing.T) {
	var warn bytes.Buffer
	c := &Cache{Dir: t.TempDir(), MaxSize: 1 << 30, Build: "test", Warn: &warn}
	defer c.Close()
	r := analyzed(t, fixture)
	e, _ := c.Entry(fixture)
	writeAt = func(f *os.File, b []byte, off int64) (int, error) {
		if off > 1<<20 {
			return 0, syscall.ENOSPC
		}
		return f.WriteAt(b, off)
	}
	e.SaveAnalysis(r)
	c.Wait()
	writeAt = (*os.File).WriteAt
	if files, _ := os.ReadDir(c.Dir); len(files) != 0 {
		t.Fatalf("a full disk left %v", files)
	}
	if e.LoadAnalysis() != nil || warn.Len() != 0 {
		t.Fatalf("a miss after a failed write: warned %q", warn.String())
	}
	e.SaveAnalysis(r)
	c.Wait()
	if e.LoadAnalysis() == nil {
		t.Fatal("no file after the disk had room again")
	}
}

// Past the size cap, the entries used least recently go first.
func TestSizeCapLeastRecentlyUsed(t *testing.T) {
	tmp := t.TempDir()
	c := &Cache{Dir: filepath.Join(tmp, "cache"), MaxSize: 1 << 30, Build: "test"}
	defer c.Close()
	var entries []*Entry
	for k, name := range []string{"a.heapsnapshot.gz", "b.heapsnapshot.gz", "c.heapsnapshot.gz"} {
		p := copyTo(t, tmp, name)
		e, err := c.Entry(p)
		if err != nil {
			t.Fatal(err)
		}
		e.SaveAnalysis(analyzed(t, p))
		c.Wait()
		when := time.Now().Add(time.Duration(k-10) * time.Minute)
		if err := os.Chtimes(e.file("analysis"), when, when); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	// Using a, the oldest, makes b the least recently used.
	if entries[0].LoadAnalysis() == nil {
		t.Fatal("a not cached")
	}
	st, err := os.Stat(entries[0].file("analysis"))
	if err != nil {
		t.Fatal(err)
	}
	c.MaxSize = 2*st.Size() + 1
	c.wrote = true
	c.Wait()
	for k, want := range []bool{true, false, true} {
		if _, err := os.Stat(entries[k].file("analysis")); (err == nil) != want {
			t.Errorf("entry %d kept: %v, want %v", k, err == nil, want)
		}
	}
	list, err := c.List()
	if err != nil || len(list) != 2 || list[0].Snapshot != entries[0].key.Path || list[0].Stale {
		t.Fatalf("list %+v, %v", list, err)
	}
}
