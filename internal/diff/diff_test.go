package diff_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func load(path string) (*devtools.Analysis, *retainers.Namer, error) {
	r, err := devtools.ReadFile(path, devtools.Options{})
	if err != nil {
		return nil, nil, err
	}
	return r, retainers.NewNamer(r, nil), nil
}

func scenario(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, testutil.Testdata("scenarios", "snapshots", n+".heapsnapshot.gz"))
	}
	return out
}

func TestSameProcessDetection(t *testing.T) {
	for _, tc := range []struct {
		old, cur string
		same     bool
	}{
		{"growth-1", "growth-4", true},
		{"stable-1", "stable-3", true},
		{"incident-fixed", "incident-leak", false},
		{"growth-4", "stable-1", false},
	} {
		paths := scenario(tc.old, tc.cur)
		p, err := diff.ComparePair(paths[0], paths[1], load, diff.MatchAuto)
		if err != nil {
			t.Fatal(err)
		}
		if p.SameProcess != tc.same {
			t.Errorf("%s → %s: same process %v (%+v), want %v", tc.old, tc.cur, p.SameProcess, p.Match, tc.same)
		}
	}
}

func TestPairGrowth(t *testing.T) {
	paths := scenario("growth-1", "growth-2")
	p, err := diff.ComparePair(paths[0], paths[1], load, diff.MatchAuto)
	if err != nil {
		t.Fatal(err)
	}
	l := p.Listeners[0]
	if l.Event != "data" || l.Path != "global.app.bus" || l.OldCount != 300 || l.Count != 600 ||
		!strings.HasSuffix(l.Function, "growth/app.js:21:33") || !strings.HasPrefix(l.Function, "onData ") {
		t.Errorf("top listener change %+v", l)
	}
	if len(p.Collections) != 1 || p.Collections[0].Path != "global.leakedRecords" || p.Collections[0].OldCount != 200 || p.Collections[0].Count != 400 {
		t.Errorf("collections %+v", p.Collections)
	}
	for _, r := range p.Rows {
		if r.Name == "TempBuffer" {
			t.Errorf("TempBuffer churn listed: %+v", r)
		}
	}
}

// TestSeriesGrowth: in growth-1..4 the leaking listeners are the top
// growing group, with event name and owner path; LeakedRecord grows; the
// TempBuffer churn is not flagged. In stable-1..3 nothing is.
func TestSeriesGrowth(t *testing.T) {
	s, err := diff.CompareSeries(scenario("growth-1", "growth-2", "growth-3", "growth-4"), load, diff.MatchAuto)
	if err != nil {
		t.Fatal(err)
	}
	if !s.SameProcess {
		t.Fatal("growth-1..4 not recognized as one process")
	}
	if len(s.Listeners) != 1 {
		t.Fatalf("growing listener lists: %+v", s.Listeners)
	}
	l := s.Listeners[0]
	if l.Event != "data" || l.Path != "global.app.bus" || fmt.Sprint(l.Counts) != "[300 600 900 1200]" {
		t.Errorf("listener growth %+v", l)
	}
	var leaked *diff.ClassSeries
	for i, c := range s.Classes {
		if c.Name == "LeakedRecord" {
			leaked = &s.Classes[i]
		}
		if c.Name == "TempBuffer" {
			t.Errorf("TempBuffer flagged: %+v", c)
		}
	}
	if leaked == nil || fmt.Sprint(leaked.Count) != "[200 400 600 800]" {
		t.Errorf("LeakedRecord growth %+v", leaked)
	}
	if len(s.Collections) != 1 || s.Collections[0].Path != "global.leakedRecords" {
		t.Errorf("collections %+v", s.Collections)
	}
	// memlab-style candidates: round 2's listeners and records.
	if len(s.Candidates) != 2 {
		t.Fatalf("candidates %+v", s.Candidates)
	}
	c := s.Candidates[0]
	if c.Name != "Function" || c.Shape != "global.app.bus._events.data[*]" || c.Count != 300 {
		t.Errorf("top candidate %+v", c)
	}
	c = s.Candidates[1]
	if c.Name != "LeakedRecord" || c.Shape != "global.leakedRecords[*]" || c.Count != 200 {
		t.Errorf("second candidate %+v", c)
	}

	s, err = diff.CompareSeries(scenario("stable-1", "stable-2", "stable-3"), load, diff.MatchAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Classes)+len(s.Listeners)+len(s.Collections)+len(s.Candidates) != 0 {
		t.Errorf("stable-1..3 flagged: %+v %+v %+v %+v", s.Classes, s.Listeners, s.Collections, s.Candidates)
	}
}

func TestSeriesOfDifferentProcesses(t *testing.T) {
	s, err := diff.CompareSeries(scenario("incident-fixed", "incident-leak", "growth-1"), load, diff.MatchAuto)
	if err != nil {
		t.Fatal(err)
	}
	if s.SameProcess || len(s.Candidates) != 0 || len(s.Listeners) != 0 {
		t.Errorf("different processes: same %v, %d candidates, %d listener lists", s.SameProcess, len(s.Candidates), len(s.Listeners))
	}
}

// TestSeriesGroupsLeaksThatGrowAtEveryStep: one process leaking 60 timers,
// 60 EventTarget listeners and 60 Map entries a step (testdata/leaks
// node/series.js). Each timer sits at its own depth of Node's timer list,
// each listener further down a linked list, each entry under its own key:
// every leak must still be one group, with its count in every snapshot.
func TestSeriesGroupsLeaksThatGrowAtEveryStep(t *testing.T) {
	var files []string
	for k := 1; k <= 3; k++ {
		files = append(files, testutil.Testdata("leaks", "snapshots", fmt.Sprintf("node20-series-%d.heapsnapshot.gz", k)))
	}
	s, err := diff.CompareSeries(files, load, diff.MatchAuto)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, created, shape string
		count                int
	}{
		{"Listener", "node:internal/event_target:449:14", "…Listener.next…", 1},
		{"Timeout", "poll at /tmp/heapsnap-leaks/node/series.js:36:30", "setInterval callback poll at /tmp/heapsnap-leaks/node/series.js:36:30", 60},
		{"CachedResponse", "/tmp/heapsnap-leaks/node/series.js:27:14", "/tmp/heapsnap-leaks/node/series.js: responses.get('req-<n>')", 60},
	}
	if len(s.Candidates) != len(want) {
		t.Fatalf("%d candidate groups, want %d: %+v", len(s.Candidates), len(want), s.Candidates)
	}
	for k, w := range want {
		c := s.Candidates[k]
		if c.Name != w.name || c.Created != w.created || c.Shape != w.shape || c.Count != w.count || fmt.Sprint(c.Counts) != "[60 120 180]" {
			t.Errorf("group %d: %+v, want %+v with counts 60 120 180", k, c, w)
		}
	}
	for _, l := range s.Listeners {
		if l.Event == "progress" && fmt.Sprint(l.Counts) != "[60 120 180]" {
			t.Errorf("progress listeners %v", l.Counts)
		}
	}
	grown := false
	for _, c := range s.Collections {
		grown = grown || (c.Kind == "Map" && fmt.Sprint(c.Counts) == "[60 120 180]" && strings.HasSuffix(c.Path, "series.js: responses"))
	}
	if !grown {
		t.Errorf("the responses Map is not among the growing collections: %+v", s.Collections)
	}
}
