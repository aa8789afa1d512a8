package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// TestTablesFitTheWidth runs every command with tables at 80 and 200
// columns, $COLUMNS standing for the terminal (as it does for a terminal
// stdout), and checks each table row against the width.
func TestTablesFitTheWidth(t *testing.T) {
	growth := []string{snap("growth-1"), snap("growth-2"), snap("growth-3"), snap("growth-4")}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"analyze", []string{"analyze", sample, "--top", "8", "--largest", "5"}},
		{"diff", []string{"diff", snap("growth-1"), snap("growth-2"), "--top", "6"}},
		{"diff-processes", []string{"diff", snap("incident-fixed"), snap("incident-leak"), "--top", "4"}},
		{"diff-series", append([]string{"diff"}, growth...)},
		{"retainers", []string{"retainers", sample, "@71451", "--list", "5"}},
		{"show", []string{"show", sample, "@71451", "--references", "5", "--retainers", "5"}},
		{"top", []string{"top", sample}},
		{"check", []string{"check", snap("growth-4"), "--baseline", snap("growth-1"), "--max-growth", "50%",
			"--class", "LeakedRecord:max_count=10000", "--class", "Function:max_retained_size=10MB"}},
		{"allocations", []string{"allocations", testutil.Testdata("alloc", "snapshots", "node24.heapsnapshot.gz"), "--limit", "5"}},
	} {
		for _, width := range []int{80, 200} {
			t.Run(fmt.Sprintf("%s-%d", tc.name, width), func(t *testing.T) {
				t.Setenv("COLUMNS", strconv.Itoa(width))
				out := goldenRun(t, fmt.Sprintf("width/%s-%d.txt", tc.name, width), tc.args...)
				t.Setenv("COLUMNS", "")
				full, _, _ := run(t, nil, tc.args...)
				full = strings.ReplaceAll(full, sample, relSample)
				full = strings.ReplaceAll(full, testutil.Root()+string(filepath.Separator), "")
				// A line wider than the width must be prose, which the
				// terminal wraps, not a table row, which fitting changes.
				wide := map[string]bool{}
				for line := range strings.Lines(full) {
					wide[line] = true
				}
				for line := range strings.Lines(out) {
					if n := twwidth.Width(strings.TrimSuffix(line, "\n")); n > width && !wide[line] {
						t.Errorf("a table row of %d columns, wider than %d: %q", n, width, line)
					}
				}
			})
		}
	}
}

// TestWideKeepsCells checks that --wide beats $COLUMNS and leaves every
// cell whole, even the ones a table without a width bounds.
func TestWideKeepsCells(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	out, _, code := run(t, nil, "top", sample, "--wide", "--depth", "1", "--limit", "12")
	if code != 0 {
		t.Fatal(code)
	}
	if strings.Contains(out, "…") && !strings.Contains(out, "{ERR_SOCKET_CLOSED, ERR_WORKER_OUT_OF_MEMORY,") {
		t.Errorf("--wide shortened a cell:\n%s", out)
	}
	fitted, _, _ := run(t, nil, "top", sample, "--depth", "1", "--limit", "12")
	if !strings.Contains(fitted, "…") {
		t.Errorf("at 80 columns nothing was shortened:\n%s", fitted)
	}
}
