package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"global.app.bus", 20, "global.app.bus"},
		{"global.app.bus._events.data[300]", 20, "global.ap….data[300]"},
		{"/tmp/heapsnap-scenarios/growth/app.js:21:33", 24, "/tmp/heapsn…app.js:21:33"},
		{"日本語のとても長い名前です", 11, "日本…前です"}, // two columns a character
		{"abc", 1, "…"},
	} {
		got := Shorten(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if w := twwidth.Width(got); w > max(tc.width, 1) {
			t.Errorf("Shorten(%q, %d) is %d wide", tc.in, tc.width, w)
		}
	}
}

func TestGridFits(t *testing.T) {
	grid := func() *Grid {
		g := &Grid{
			Header: []string{"#", "Object", "Retained", "Owner path", "Note"},
			Align:  []Align{Right, Left, Right, Left, Left},
			Drop:   []int{0, 0, 0, 0, 1},
		}
		g.Add("1", indent(2)+"Object {alpha, beta, gamma, delta, epsilon}", "2.9 MB", "global.processor.emitter._events.data[1999]", "a note nobody needs")
		g.Add("2", "Map", "12,345,678 kB", "global.cache.sessions", "")
		return g
	}
	var full bytes.Buffer
	if err := grid().Render(&full, Table, Layout{}); err != nil {
		t.Fatal(err)
	}
	var fitted bytes.Buffer
	if err := grid().Render(&fitted, Table, Layout{Width: 60}); err != nil {
		t.Fatal(err)
	}
	out := fitted.String()
	for line := range strings.Lines(out) {
		if w := twwidth.Width(strings.TrimSuffix(line, "\n")); w > 60 {
			t.Errorf("a line of %d columns: %q", w, line)
		}
	}
	for _, want := range []string{"12,345,678 kB", "· · Object", "data[1999]", "(--wide adds: Note)"} {
		if !strings.Contains(out, want) {
			t.Errorf("fitted table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(full.String(), "…") || !strings.Contains(full.String(), "a note nobody needs") {
		t.Errorf("without a width the table changed:\n%s", full.String())
	}
	// Markdown is never fitted: it is read rendered, not in a terminal.
	var md bytes.Buffer
	if err := grid().Render(&md, Markdown, Layout{Width: 60}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "…") {
		t.Errorf("Markdown was fitted:\n%s", md.String())
	}
}
