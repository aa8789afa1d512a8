package cli

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/schollz/progressbar/v3"
)

// TestProgressBarFitsTheTerminal draws bars and spinners for a long file
// name in terminals from 30 to 200 columns: every line drawn must leave
// the last column free, or the terminal wraps it and clearing it leaves
// the first half behind.
func TestProgressBarFitsTheTerminal(t *testing.T) {
	label := strings.Repeat("a-very-long-file-name-", 6) + ".heapsnapshot (2/4)"
	for _, width := range []int{30, 40, 60, 80, 200} {
		for _, total := range []int64{-1, 1 << 30} {
			var buf bytes.Buffer
			bar := newProgressBar(&buf, width, total, "reading", label)
			if bar == nil {
				if width >= 40 {
					t.Errorf("%d columns: no bar", width)
				}
				continue
			}
			for k := int64(1); k <= 3; k++ {
				if total < 0 {
					_ = bar.Add(1)
				} else {
					_ = bar.Set64(total * k / 4)
				}
				time.Sleep(110 * time.Millisecond) // past the throttle, so that each step draws
			}
			_ = bar.Finish()
			drawn := 0
			for _, line := range strings.FieldsFunc(buf.String(), func(r rune) bool { return r == '\r' || r == '\n' }) {
				if strings.TrimSpace(line) == "" {
					continue // the clearing
				}
				drawn++
				if n := twwidth.Width(strings.TrimRight(line, " ")); n >= width {
					t.Errorf("%d columns, total %d: a line of %d: %q", width, total, n, line)
				}
				if !strings.Contains(line, "reading a-") {
					t.Errorf("%d columns: the file name is lost: %q", width, line)
				}
			}
			if drawn == 0 {
				t.Errorf("%d columns, total %d: nothing drawn", width, total)
			}
		}
	}
	// The worst case the layout budgets for: the widest rate and times.
	for _, width := range []int{60, 80, 200} {
		desc, barWidth, predict, _ := barLayout(width, "reading", label, true)
		line := desc + "  42% |" + strings.Repeat("█", barWidth) + "| (999 MB/s)"
		if predict {
			line += " [59m59s:59m59s]"
		}
		if n := twwidth.Width(line); n >= width {
			t.Errorf("%d columns: the widest line is %d: %q", width, n, line)
		}
	}
}

// TestProgressRateIsMeasured checks that the first rate a bar shows is an
// average since the bar started, not the first read's bytes over the
// microseconds since the read began (which showed 96 GB/s).
func TestProgressRateIsMeasured(t *testing.T) {
	var buf bytes.Buffer
	const total = 1 << 30
	bar := newProgressBar(&buf, 120, total, "reading", "heap.heapsnapshot")
	bar.StartWithoutRender()
	p := &progress{}
	p.start = func() *progressbar.ProgressBar { return bar }
	start := time.Now()
	p.set(total / 2) // before the delay: nothing is drawn
	if buf.Len() != 0 {
		t.Fatalf("drawn before the delay: %q", buf.String())
	}
	time.Sleep(600 * time.Millisecond)
	p.show()
	elapsed := time.Since(start).Seconds()
	p.finish()
	m := regexp.MustCompile(`\((\d+(?:\.\d)?) (kB|MB|GB|TB)/s\)`).FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no rate in %q", buf.String())
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	scale := map[string]float64{"kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[m[2]]
	if rate, most := v*scale, float64(total/2)/0.5; rate > most || rate < float64(total/2)/elapsed/2 {
		t.Errorf("rate %s %s/s for %d bytes in %.2f s", m[1], m[2], total/2, elapsed)
	}
}

// TestProgressNamesTheFile checks that the bars of a command reading
// several snapshots say which one of how many.
func TestProgressNamesTheFile(t *testing.T) {
	a := &app{loadTotal: 2}
	if got := a.loadLabel("/data/before.heapsnapshot"); got != "before.heapsnapshot (1/2)" {
		t.Errorf("first: %q", got)
	}
	if got := a.loadLabel("-"); got != "stdin (2/2)" {
		t.Errorf("second: %q", got)
	}
	if got := (&app{}).loadLabel("/data/heap.heapsnapshot"); got != "heap.heapsnapshot" {
		t.Errorf("one file: %q", got)
	}
}
