package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// TestDocsUpToDate regenerates the command reference in memory and
// compares it with docs/cli/. It fails whenever a command, flag or help
// text changes without the reference; `make docs` (go test ./internal/cli
// -run TestDocsUpToDate -update) rewrites it.
func TestDocsUpToDate(t *testing.T) {
	dir := filepath.Join(testutil.Root(), "docs", "cli")
	pages, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pages["heapsnap_check.md"]; !ok {
		t.Fatal("no page for heapsnap check")
	}
	existing, _ := filepath.Glob(filepath.Join(dir, "heapsnap*.md"))
	if testutil.Updating() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, path := range existing {
			if _, ok := pages[filepath.Base(path)]; !ok {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, data := range pages {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	const fix = "run `make docs` to regenerate docs/cli"
	var stale []string
	for _, path := range existing {
		if _, ok := pages[filepath.Base(path)]; !ok {
			stale = append(stale, filepath.Base(path))
		}
	}
	if len(stale) > 0 {
		t.Errorf("docs/cli has pages for commands that no longer exist: %s; %s", strings.Join(stale, ", "), fix)
	}
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case os.IsNotExist(err):
			t.Errorf("docs/cli/%s is missing; %s", name, fix)
		case err != nil:
			t.Error(err)
		case string(want) != string(pages[name]):
			t.Errorf("docs/cli/%s is out of date; %s", name, fix)
		}
	}
}

func TestDocsDeterministic(t *testing.T) {
	a, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HEAPSNAP_ANALYZE_FORMAT", "json")
	b, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatal("page count differs")
	}
	for name, page := range a {
		if string(b[name]) != string(page) {
			t.Errorf("%s differs between runs", name)
		}
		if strings.Contains(string(page), "Auto generated") {
			t.Errorf("%s has cobra's dated footer", name)
		}
	}
}

// TestConfigDocUpToDate regenerates docs/config.md, every section, key
// and environment variable, and compares it with the file; `make docs`
// rewrites it.
func TestConfigDocUpToDate(t *testing.T) {
	path := filepath.Join(testutil.Root(), "docs", "config.md")
	got := ConfigDoc()
	if testutil.Updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Error("docs/config.md is out of date; run `make docs` to regenerate it")
	}
	// Every section and every bound key is in it, and the analyze
	// section the README once left out.
	for _, want := range []string{"## analyze", "## check", "`HEAPSNAP_CHECK_MAX_TOTAL_SIZE`", "`HEAPSNAP_ANALYZE_LISTENER_THRESHOLD`",
		"`HEAPSNAP_MAX_INFLATE`", "`baseline_optional`", "`HEAPSNAP_RETAINERS_CLASS`"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("docs/config.md lacks %s", want)
		}
	}
}
