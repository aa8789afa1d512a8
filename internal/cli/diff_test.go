package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// snap returns the path of a scenario snapshot, relative to this package's
// directory (where go test runs), so that golden files do not depend on
// where the checkout lives.
func snap(name string) string {
	return filepath.Join("..", "..", "testdata", "scenarios", "snapshots", name+".heapsnapshot.gz")
}

// diffGolden runs args and compares stdout with testdata/golden/NAME.
func diffGolden(t *testing.T, name string, args ...string) string {
	t.Helper()
	stdout, stderr, code := run(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	testutil.Golden(t, testutil.Testdata("golden", name), []byte(stdout))
	return stdout
}

func TestDiffGolden(t *testing.T) {
	growth := []string{snap("growth-1"), snap("growth-2"), snap("growth-3"), snap("growth-4")}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"diff.txt", []string{"diff", snap("growth-1"), snap("growth-2")}},
		{"diff.md", []string{"diff", snap("growth-1"), snap("growth-2"), "--format", "markdown", "--top", "8"}},
		{"diff.json", []string{"diff", snap("growth-1"), snap("growth-2"), "--format", "json", "--top", "8"}},
		{"diff-alloc.txt", []string{"diff", snap("growth-3"), snap("growth-4"), "--sort", "alloc", "--top", "10"}},
		{"diff-retained.txt", []string{"diff", snap("growth-3"), snap("growth-4"), "--sort", "retained-delta", "--top", "5"}},
		{"diff-processes.txt", []string{"diff", snap("incident-fixed"), snap("incident-leak"), "--top", "10"}},
		{"diff-processes.json", []string{"diff", snap("incident-fixed"), snap("incident-leak"), "--top", "5", "--format", "json"}},
		{"diff-series.txt", append([]string{"diff"}, growth...)},
		{"diff-series.md", append([]string{"diff", "--format", "markdown"}, growth...)},
		{"diff-series.json", append([]string{"diff", "--format", "json"}, growth...)},
		{"diff-stable.txt", []string{"diff", snap("stable-1"), snap("stable-2"), snap("stable-3")}},
	} {
		t.Run(tc.name, func(t *testing.T) { diffGolden(t, tc.name, tc.args...) })
	}
}

// TestDiffJSONMatchesDevTools checks every class row of `diff --format json
// --sort alloc --top 0` against the DevTools oracle's Comparison view.
func TestDiffJSONMatchesDevTools(t *testing.T) {
	for _, pair := range [][3]string{
		{"growth-1", "growth-2", "growth-1-to-2"},
		{"growth-3", "growth-4", "growth-3-to-4"},
		{"stable-1", "stable-2", "stable-1-to-2"},
	} {
		stdout, stderr, code := run(t, nil, "diff", snap(pair[0]), snap(pair[1]), "--format", "json", "--sort", "alloc", "--top", "0")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var rep struct {
			Matching string `json:"matching"`
			Classes  []struct {
				Name         string `json:"name"`
				Key          string `json:"key"`
				NewCount     *int   `json:"new_count"`
				DeletedCount *int   `json:"deleted_count"`
				DeltaCount   int64  `json:"delta_count"`
				AllocSize    *int64 `json:"alloc_size"`
				FreedSize    *int64 `json:"freed_size"`
				SizeDelta    int64  `json:"size_delta"`
				OldRetained  *int64 `json:"old_retained_size"`
				NewRetained  *int64 `json:"new_retained_size"`
			} `json:"classes"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		want := testutil.TSV(t, testutil.Testdata("scenarios", "snapshots", pair[2]+".diff.tsv.gz"))
		if rep.Matching != "ids" || len(rep.Classes) != len(want) {
			t.Fatalf("%s: matching %s, %d rows, DevTools %d", pair[2], rep.Matching, len(rep.Classes), len(want))
		}
		for i, c := range rep.Classes {
			w := want[i]
			got := strings.Join([]string{c.Key, c.Name, itoa(int64(*c.NewCount)), itoa(int64(*c.DeletedCount)), itoa(c.DeltaCount),
				itoa(*c.AllocSize), itoa(*c.FreedSize), itoa(c.SizeDelta)}, " ")
			exp := strings.Join([]string{w["class_key"], w["name"], w["new_count"], w["deleted_count"], w["delta_count"],
				w["alloc_size"], w["freed_size"], w["size_delta"]}, " ")
			if got != exp || c.OldRetained == nil || c.NewRetained == nil {
				t.Errorf("%s row %d: got %s, DevTools %s", pair[2], i, got, exp)
			}
		}
	}
}

func itoa(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDiffUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"diff", snap("growth-1")}, "expected two or more snapshot files, got 1", ExitUsage},
		{[]string{"diff", snap("growth-1"), snap("growth-2"), "--sort", "size"}, `--sort: invalid value "size"`, ExitUsage},
		{[]string{"diff", snap("growth-1"), snap("growth-2"), "--match", "names"}, `--match: invalid value "names"`, ExitUsage},
		{[]string{"diff", snap("growth-1"), snap("growth-2"), "--format", "xml"}, `invalid format "xml"`, ExitUsage},
		{[]string{"diff", snap("growth-1"), snap("growth-2"), "--top", "-2"}, "must not be negative", ExitUsage},
		{[]string{"diff", "-", "-"}, "standard input (-) can be read only once", ExitUsage},
		{[]string{"diff", snap("growth-1"), "/nonexistent.heapsnapshot"}, "/nonexistent.heapsnapshot: no such file or directory", ExitFailure},
	} {
		_, stderr, code := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "heapsnap: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
		if code == ExitFailure && strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: error not on one line: %q", tc.args, stderr)
		}
	}
}

func TestDiffDeterministic(t *testing.T) {
	args := []string{"diff", snap("growth-1"), snap("growth-2"), snap("growth-3"), "--format", "json", "--top", "0"}
	a, _, _ := run(t, nil, args...)
	b, _, _ := run(t, nil, args...)
	if a != b {
		t.Error("two runs gave different output")
	}
}
