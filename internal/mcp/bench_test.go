package mcp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// benchSnapshot is the snapshot the benchmarks hold: the incident fixture,
// or $HEAPSNAP_BENCH_SNAPSHOT (e.g. testdata/bench's service heaps).
func benchSnapshot() (root, name string) {
	if p := os.Getenv("HEAPSNAP_BENCH_SNAPSHOT"); p != "" {
		return filepath.Dir(p), filepath.Base(p)
	}
	return testutil.Testdata(), incident
}

// BenchmarkOpen is the first call on a snapshot: read and analyze it.
func BenchmarkOpen(b *testing.B) {
	root, name := benchSnapshot()
	for b.Loop() {
		_, cs := connect(b, Options{Roots: []string{root}})
		if _, msg := call(b, cs, "open", map[string]any{"path": name}, nil); msg != "" {
			b.Fatal(msg)
		}
	}
}

// BenchmarkHeldCall is one call of each tool, with its default answer, on
// a held snapshot whose indexes the first calls built.
func BenchmarkHeldCall(b *testing.B) {
	root, name := benchSnapshot()
	_, cs := connect(b, Options{Roots: []string{root}})
	var sus SuspectsOut
	if _, msg := call(b, cs, "suspects", map[string]any{"path": name}, &sus); msg != "" {
		b.Fatal(msg)
	}
	var top ChildrenOut
	call(b, cs, "dominator_children", map[string]any{"path": name}, &top)
	id := top.Children[0].ID
	if len(sus.Suspects) > 0 && sus.Suspects[0].ID != 0 {
		id = sus.Suspects[0].ID
	}
	var sum SummaryOut
	call(b, cs, "summary", map[string]any{"path": name}, &sum)
	class := sum.Classes.Classes[0].Name
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"summary", map[string]any{"path": name}},
		{"suspects", map[string]any{"path": name}},
		{"show_object", map[string]any{"path": name, "id": id}},
		{"retainers", map[string]any{"path": name, "id": id}},
		{"dominator_children", map[string]any{"path": name, "id": id}},
		{"class_instances", map[string]any{"path": name, "class": string(class)}},
		{"check", map[string]any{"path": name, "max_total_size": "1GB"}},
	} {
		b.Run(c.tool, func(b *testing.B) {
			call(b, cs, c.tool, c.args, nil) // builds what the tool's first call builds
			for b.Loop() {
				if _, msg := call(b, cs, c.tool, c.args, nil); msg != "" {
					b.Fatal(msg)
				}
			}
		})
	}
}

// BenchmarkFirstCall is a tool's first call on a held snapshot, which
// builds the index it reads (the suspects, the reverse edges, the
// dominator tree, the classes' instances).
func BenchmarkFirstCall(b *testing.B) {
	root, name := benchSnapshot()
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"suspects", map[string]any{"path": name}},
		{"show_object", map[string]any{"path": name, "id": 1}},
		{"dominator_children", map[string]any{"path": name}},
		{"class_instances", map[string]any{"path": name, "class": "(system)"}},
	} {
		b.Run(c.tool, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				_, cs := connect(b, Options{Roots: []string{root}})
				call(b, cs, "open", map[string]any{"path": name}, nil)
				b.StartTimer()
				if _, msg := call(b, cs, c.tool, c.args, nil); msg != "" {
					b.Fatal(msg)
				}
			}
		})
	}
}
