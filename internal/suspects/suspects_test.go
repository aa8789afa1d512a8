package suspects_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// The scenarios' facts (testdata/scenarios/snapshots/NAME.facts.json),
// computed from the snapshots by an independent JavaScript reader.
type facts struct {
	Emitters []struct {
		ID        uint32                `json:"id"`
		ClassName string                `json:"className"`
		Path      string                `json:"path"`
		Events    map[string]factsEvent `json:"events"`
	} `json:"emitters"`
	EventTargets []struct {
		ID        uint32                `json:"id"`
		ClassName string                `json:"className"`
		Path      string                `json:"path"`
		Warned    bool                  `json:"warned"`
		Events    map[string]factsEvent `json:"events"`
	} `json:"eventTargets"`
	DOM *struct {
		DetachedByName    map[string]int   `json:"detachedByName"`
		DetachedListeners []factsListeners `json:"detachedListeners"`
		AttachedListeners []factsListeners `json:"attachedListeners"`
		DetachedNodeCount int              `json:"detachedNodeCount"`
		AttachedNodeCount int              `json:"attachedNodeCount"`
	} `json:"dom"`
	DuplicatedStrings []struct {
		Value         string `json:"value"`
		Length        int    `json:"length"`
		Count         int    `json:"count"`
		TotalSelfSize uint64 `json:"totalSelfSize"`
	} `json:"duplicatedStrings"`
	Collections []struct {
		Path     string `json:"path"`
		ID       uint32 `json:"id"`
		Kind     string `json:"kind"`
		Type     string `json:"type"`
		Entries  int    `json:"entries"`
		Name     string `json:"name"`
		Loc      string `json:"loc"`
		DevTools struct {
			RetainedSize uint64 `json:"retainedSize"`
		} `json:"devtools"`
	} `json:"collections"`
}

type factsEvent struct {
	Count     int              `json:"count"`
	Warned    bool             `json:"warned"`
	Storage   string           `json:"storage"`
	ID        uint32           `json:"id"`
	Listeners []factsListeners `json:"listeners"`
	DevTools  struct {
		RetainedSize uint64 `json:"retainedSize"`
	} `json:"devtools"`
}

type factsListeners struct {
	Count int    `json:"count"`
	Once  bool   `json:"once"`
	Name  string `json:"name"`
	Loc   string `json:"loc"`
}

func readFacts(t *testing.T, name string) *facts {
	t.Helper()
	var f facts
	b, err := os.ReadFile(testutil.Testdata("scenarios", "snapshots", name+".facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*devtools.Analysis{}
)

// scenario returns the analyzed scenario snapshot NAME.
func scenario(t *testing.T, name string) *devtools.Analysis {
	t.Helper()
	return load(t, testutil.Testdata("scenarios", "snapshots", name+".heapsnapshot.gz"))
}

func load(t *testing.T, path string) *devtools.Analysis {
	t.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if r, ok := cache[path]; ok {
		return r
	}
	snap, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := devtools.Analyze(snap, devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache[path] = r
	return r
}

// factsPath converts a facts owner path to heapsnap's notation:
// [internal:"x"] is {x}, [context:"x"] is ->x.
var factsStep = regexp.MustCompile(`\[(internal|hidden|shortcut|context):"((?:[^"\\]|\\.)*)"\]`)

func factsPath(p string) string {
	return factsStep.ReplaceAllStringFunc(p, func(m string) string {
		sub := factsStep.FindStringSubmatch(m)
		if sub[1] == "context" {
			return "->" + sub[2]
		}
		return "{" + sub[2] + "}"
	})
}

// groupsText writes listener groups as the facts do: count, once, name
// (empty for anonymous functions) and location, one per line.
func groupsText(gs []suspects.FunctionGroup) string {
	var out []string
	for _, g := range gs {
		name := g.Function
		if name == "(anonymous)" {
			name = ""
		}
		out = append(out, fmt.Sprintf("%d once=%v %q %s", g.Count, g.Once > 0, name, g.Location))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

func factsGroupsText(ls []factsListeners) string {
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%d once=%v %q %s", l.Count, l.Once, l.Name, l.Loc))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// eventsByKey lists the events with their owner paths, keyed by emitter id
// and event name.
func eventsByKey(t *testing.T, r *devtools.Analysis) map[string]suspects.Event {
	out := map[string]suspects.Event{}
	for _, ev := range suspects.Events(r) {
		out[fmt.Sprintf("%d/%s", r.Snapshot.NodeID[ev.Emitter], ev.Name)] = ev
	}
	return out
}

// steps counts the edges of an owner path such as a.b["c d"]{e}->f[3].
var stepPattern = regexp.MustCompile(`\.[A-Za-z_$#][\w$]*|\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]|\{[^}]*\}|->[^.\[{]+`)

func steps(p string) int { return len(stepPattern.FindAllString(p, -1)) }

func ownerPath(r *devtools.Analysis, i uint32) string {
	return retainers.NewNamer(r, nil).OwnerPaths(nil, []uint32{i}, retainers.MaxOwnerDepth)[0]
}

// TestEventsMatchFacts checks every EventEmitter and EventTarget event
// heapsnap reads against the facts: the same events, listener counts,
// warned markers, functions, once() wrappers, source locations and owner
// paths.
func TestEventsMatchFacts(t *testing.T) {
	for _, name := range []string{"incident-leak", "incident-fixed", "abort-leak", "big-map", "growth-1", "growth-4", "stable-1"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := scenario(t, name)
			fs := readFacts(t, name)
			got := eventsByKey(t, r)
			want := 0
			check := func(id uint32, class, path, event string, fe factsEvent, warned bool, target string) {
				t.Helper()
				want++
				key := fmt.Sprintf("%d/%s", id, event)
				ev, ok := got[key]
				if !ok {
					t.Errorf("no event %q on @%d (%s)", event, id, path)
					return
				}
				if ev.Target != target || len(ev.Functions) != fe.Count || ev.Warned != warned {
					t.Errorf("@%d %q: %s with %d listeners, warned %v; facts: %s, %d, %v", id, event, ev.Target, len(ev.Functions), ev.Warned, target, fe.Count, warned)
				}
				if c := r.ClassName(&r.Classes[r.Class[ev.Emitter]]); c != class {
					t.Errorf("@%d: class %q, facts %q", id, c, class)
				}
				groups := suspectsGroups(t, r, name, ev)
				if g, w := groupsText(groups), factsGroupsText(fe.Listeners); g != w {
					t.Errorf("@%d %q listeners:\n%s\nfacts:\n%s", id, event, g, w)
				}
				// The facts take the first path a breadth-first search from
				// the global object finds: equal where it is made of
				// properties and elements; where it goes through engine
				// internals, heapsnap's starts at a nearer anchor instead and
				// reads as JavaScript.
				p, w := ownerPath(r, ev.Emitter), factsPath(path)
				if factsStep.MatchString(path) {
					if strings.HasPrefix(p, "(") || strings.HasPrefix(p, "…") || strings.Contains(p, "->") {
						t.Errorf("@%d: owner path %q is not readable (facts: %q)", id, p, w)
					}
				} else if p != w {
					t.Errorf("@%d: owner path %q, facts %q", id, p, w)
				}
			}
			for _, e := range fs.Emitters {
				for event, fe := range e.Events {
					check(e.ID, e.ClassName, e.Path, event, fe, fe.Warned, suspects.TargetEventEmitter)
				}
			}
			for _, e := range fs.EventTargets {
				for event, fe := range e.Events {
					check(e.ID, e.ClassName, e.Path, event, fe, e.Warned, suspects.TargetEventTarget)
				}
			}
			if len(got) != want {
				t.Errorf("%d events, facts %d", len(got), want)
			}
		})
	}
}

// suspectsGroups groups an event's listeners as the listeners detector
// does, through a Find with a limit of 0 listeners.
func suspectsGroups(t *testing.T, r *devtools.Analysis, name string, ev suspects.Event) []suspects.FunctionGroup {
	t.Helper()
	for _, s := range findAll(t, r, name) {
		if l := s.Listeners; l != nil && l.EmitterID == r.Snapshot.NodeID[ev.Emitter] && l.Event == ev.Name {
			return l.Groups
		}
	}
	t.Fatalf("no suspect for event %q", ev.Name)
	return nil
}

var (
	allMu sync.Mutex
	all   = map[string][]suspects.Suspect{}
)

// findAll is Find with every event reported (more than 0 listeners).
func findAll(t *testing.T, r *devtools.Analysis, name string) []suspects.Suspect {
	allMu.Lock()
	defer allMu.Unlock()
	if s, ok := all[name]; ok {
		return s
	}
	o := suspects.DefaultOptions()
	o.Kinds = []suspects.Kind{suspects.Listeners}
	o.MaxListeners = -1 // every event
	s := suspects.Find(r, o)
	all[name] = s
	return s
}

// kindsOf summarizes suspects as "kind: title at path" lines.
func kindsOf(list []suspects.Suspect) []string {
	var out []string
	for _, s := range list {
		out = append(out, fmt.Sprintf("%s: %s at %s", s.Kind, s.Title, s.Path))
	}
	return out
}

func only(t *testing.T, list []suspects.Suspect, kind suspects.Kind) suspects.Suspect {
	t.Helper()
	var found []suspects.Suspect
	for _, s := range list {
		if s.Kind == kind {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s suspects, want 1: %q", len(found), kind, kindsOf(list))
	}
	return found[0]
}

func TestIncidentLeak(t *testing.T) {
	r := scenario(t, "incident-leak")
	fs := readFacts(t, "incident-leak")
	list := suspects.Find(r, suspects.DefaultOptions())
	if len(list) != 1 {
		t.Fatalf("suspects %q, want only the data listeners", kindsOf(list))
	}
	s := list[0]
	data := fs.Emitters[2].Events["data"]
	if s.Kind != suspects.Listeners || s.Count != 2000 || s.Path != "global.processor.emitter" || s.ID != 71451 ||
		s.RetainedSize != data.DevTools.RetainedSize || s.RetainedSize != 368400 {
		t.Errorf("suspect %+v", s)
	}
	l := s.Listeners
	if l.Event != "data" || l.Emitter != "EventEmitter" || !l.Warned || l.Target != suspects.TargetEventEmitter || len(l.Groups) != 1 {
		t.Fatalf("evidence %+v", l)
	}
	g := l.Groups[0]
	if g.Count != 2000 || g.Function != "(anonymous)" || g.Once != 0 ||
		!strings.HasSuffix(g.Location.String(), "incident/src/data-processor.js:24:31") || g.Location.String() != data.Listeners[0].Loc {
		t.Errorf("group %+v", g)
	}
	if s.Title != "2,000 listeners for 'data' on EventEmitter" ||
		s.Detail != "all created by (anonymous) at /tmp/heapsnap-scenarios/incident/src/data-processor.js:24:31; Node warned: MaxListenersExceededWarning" {
		t.Errorf("title %q, detail %q", s.Title, s.Detail)
	}
}

// TestFixedProgramIsClean: the same program with once() has no suspect,
// even with a limit of 2 listeners (process has 2 newListener and 2
// removeListener listeners), and no data event at all.
func TestFixedProgramIsClean(t *testing.T) {
	r := scenario(t, "incident-fixed")
	if list := suspects.Find(r, suspects.DefaultOptions()); len(list) != 0 {
		t.Errorf("suspects %q", kindsOf(list))
	}
	o := suspects.DefaultOptions()
	o.MaxListeners = 2
	if list := suspects.Find(r, o); len(list) != 0 {
		t.Errorf("with --max-listeners 2: %q", kindsOf(list))
	}
	for _, ev := range suspects.Events(r) {
		if r.Snapshot.NodeID[ev.Emitter] == 71451 && ev.Name == "data" {
			t.Error("the fixed emitter has data listeners")
		}
	}
}

func TestAbortLeak(t *testing.T) {
	r := scenario(t, "abort-leak")
	list := suspects.Find(r, suspects.DefaultOptions())
	s := only(t, list, suspects.Listeners)
	if len(list) != 1 {
		t.Errorf("suspects %q", kindsOf(list))
	}
	l := s.Listeners
	if s.Count != 500 || s.Path != "global.shutdown.#signal" || l.Event != "abort" || l.Emitter != "EventTarget" ||
		l.Target != suspects.TargetEventTarget || !l.Warned || len(l.Groups) != 1 {
		t.Fatalf("suspect %+v, evidence %+v", s, l)
	}
	if g := l.Groups[0]; g.Count != 500 || g.Function != "onAbort" || !strings.HasSuffix(g.Location.String(), "abort/abort-leak.js:22:52") {
		t.Errorf("group %+v", g)
	}
}

func TestBigMap(t *testing.T) {
	r := scenario(t, "big-map")
	fs := readFacts(t, "big-map")
	list := suspects.Find(r, suspects.DefaultOptions())
	if got := kindsOf(list); strings.Join(got, "\n") != strings.Join([]string{
		// The Map passes the entry threshold; the others hold from 1% of
		// the heap up, from a global variable.
		"closure: formatSession keeps 'bigTable' (Array) alive: 1.4 MB at global.cache.format",
		"collection: Array with 5,000 entries at global.cache.banners",
		"duplicate-strings: 5,000 copies of a 200-character string at global.cache.banners[0]",
		"collection: Map with 10,000 entries at global.cache.sessions",
		"collection: Array with 6,000 entries at global.cache.history",
		"collection: Object used as a dictionary, 3,000 entries at global.cache.byEmail",
		"collection: Set with 4,000 entries at global.cache.active",
	}, "\n") {
		t.Errorf("suspects:\n%s", strings.Join(got, "\n"))
	}
	m := list[3]
	if m.Count != 10000 || m.RetainedSize != 962824 || m.ID != 93145 || m.Collection.Type != suspects.TypeMap {
		t.Errorf("Map suspect %+v", m)
	}
	d := only(t, list, suspects.DuplicateStrings)
	top := fs.DuplicatedStrings[0]
	if d.Count != top.Count || d.RetainedSize != top.TotalSelfSize || d.Strings.Length != top.Length ||
		!strings.HasPrefix(d.Strings.Value, strings.TrimSuffix(top.Value, "…")) || d.Strings.WastedBytes != top.TotalSelfSize-216 {
		t.Errorf("duplicate strings %+v %+v", d, d.Strings)
	}
	c := only(t, list, suspects.Closure)
	format := fs.Collections[5]
	if c.Closure.Function != "formatSession" || c.Closure.Location.String() != format.Loc || c.ID != format.ID ||
		c.Closure.Variables[0].Name != "bigTable" || c.Closure.Variables[0].Class != "Array" {
		t.Errorf("closure %+v %+v", c, c.Closure)
	}
	// The closure's retained size is DevTools' (facts), and the suspect
	// counts its context, which the closure alone holds.
	var closure uint32
	for i, id := range r.Snapshot.NodeID {
		if id == format.ID {
			closure = uint32(i)
		}
	}
	if r.Retained.At(closure) != format.DevTools.RetainedSize || c.RetainedSize > r.Retained.At(closure) || c.RetainedSize < 1373792 {
		t.Errorf("closure retains %d (facts %d), suspect %d", r.Retained.At(closure), format.DevTools.RetainedSize, c.RetainedSize)
	}

	// Every collection of the facts, with a threshold below their sizes.
	o := suspects.DefaultOptions()
	o.CollectionThreshold = 3000
	o.Kinds = []suspects.Kind{suspects.Collection}
	got := map[string]suspects.Suspect{}
	for _, s := range suspects.Find(r, o) {
		got[s.Path] = s
	}
	for _, fc := range fs.Collections {
		if fc.Type == "closure" {
			continue
		}
		s, ok := got[fc.Path]
		if !ok {
			t.Errorf("no collection suspect at %s", fc.Path)
			continue
		}
		if s.Count != fc.Entries || s.Collection.Type != fc.Kind || s.ID != fc.ID || s.RetainedSize != fc.DevTools.RetainedSize {
			t.Errorf("%s: %d entries, type %s, @%d, retains %d; facts %d, %s, @%d, %d", fc.Path, s.Count, s.Collection.Type, s.ID,
				s.RetainedSize, fc.Entries, fc.Kind, fc.ID, fc.DevTools.RetainedSize)
		}
	}
	if len(got) != 5 {
		t.Errorf("collections %q", kindsOf(suspects.Find(r, o)))
	}
}

func TestDetachedDOM(t *testing.T) {
	r := scenario(t, "detached-dom")
	fs := readFacts(t, "detached-dom")
	list := suspects.Find(r, suspects.DefaultOptions())
	s := only(t, list, suspects.DetachedDOM)
	if len(list) != 1 {
		t.Errorf("suspects %q", kindsOf(list))
	}
	if s.Count != 300 || s.Path != "window.leakedPanels[*]" || s.Title != "3 detached <div> trees with 300 DOM nodes" {
		t.Errorf("suspect %+v", s)
	}
	ev := s.DetachedDOM
	elements := 0
	for _, n := range fs.DOM.DetachedByName {
		elements += n
	}
	if elements != 153 || len(ev.Trees) != 3 {
		t.Fatalf("%d trees; facts: %d detached elements", len(ev.Trees), elements)
	}
	for k, tr := range ev.Trees {
		root := fmt.Sprintf(`Detached <div class="panel" id="panel-%d">`, k)
		if tr.Root != root || tr.Nodes != 100 || tr.Path != fmt.Sprintf("window.leakedPanels[%d]", k) {
			t.Errorf("tree %d: %+v", k, tr)
		}
		if fs.DOM.DetachedByName[strings.TrimPrefix(root, "Detached ")] != 1 {
			t.Errorf("facts lack %s", root)
		}
	}
	if g, w := groupsText(ev.Listeners), factsGroupsText(fs.DOM.DetachedListeners); g != w {
		t.Errorf("listeners on detached trees:\n%s\nfacts:\n%s", g, w)
	}
	// The one listener on an attached node is not a suspect, but is read.
	var attached []suspects.Event
	for _, e := range suspects.Events(r) {
		if r.DOMState[e.Emitter] == devtools.DOMAttached {
			attached = append(attached, e)
		}
	}
	if len(attached) != 1 || attached[0].Target != suspects.TargetDOM {
		t.Fatalf("attached listeners %+v", attached)
	}
	o := suspects.DefaultOptions()
	o.MaxListeners = -1
	o.Kinds = []suspects.Kind{suspects.Listeners}
	var groups []suspects.FunctionGroup
	for _, s := range suspects.Find(r, o) {
		if s.ID == r.Snapshot.NodeID[attached[0].Emitter] {
			groups = s.Listeners.Groups
		}
	}
	if g, w := groupsText(groups), factsGroupsText(fs.DOM.AttachedListeners); g != w {
		t.Errorf("attached listeners:\n%s\nfacts:\n%s", g, w)
	}
}

// TestGrowth: the growing bus is flagged in every snapshot with the
// listener count of that round; the stable program never is.
func TestGrowth(t *testing.T) {
	for k, name := range []string{"growth-1", "growth-2", "growth-3", "growth-4"} {
		r := scenario(t, name)
		s := only(t, suspects.Find(r, suspects.DefaultOptions()), suspects.Listeners)
		if s.Count != 300*(k+1) || s.Path != "global.app.bus" || s.Listeners.Warned || s.Listeners.Event != "data" ||
			len(s.Listeners.Groups) != 1 || !strings.HasSuffix(s.Listeners.Groups[0].Location.String(), "growth/app.js:21:33") ||
			s.Listeners.Groups[0].Function != "onData" {
			t.Errorf("%s: %+v %+v", name, s, s.Listeners)
		}
	}
	for _, name := range []string{"stable-1", "stable-2", "stable-3"} {
		if list := suspects.Find(scenario(t, name), suspects.DefaultOptions()); len(list) != 0 {
			t.Errorf("%s: %q", name, kindsOf(list))
		}
	}
}

// TestNoFalseSuspects: bare processes of every Node version have no
// suspect (Node's own binding objects reported as detached are not DOM);
// the Chromium page's two detached trees are real.
func TestNoFalseSuspects(t *testing.T) {
	for _, name := range []string{"node20", "node20-internals", "node20-numeric", "node22", "node24", "node26", "chromium"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := load(t, testutil.Testdata("versions", name+".heapsnapshot.gz"))
			got := kindsOf(suspects.Find(r, suspects.DefaultOptions()))
			var want []string
			if name == "chromium" {
				want = []string{
					"detached-dom: 1 detached <div> tree with 21 DOM nodes at window.heldDetached",
					"detached-dom: 1 detached <span> tree with 1 DOM node at " + chromiumPage + ": detachedCache.get('span')",
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("suspects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range suspects.Kinds {
		if got, err := suspects.ParseKind(string(k)); err != nil || got != k {
			t.Errorf("%s: %v %v", k, got, err)
		}
	}
	if _, err := suspects.ParseKind("leaks"); err == nil || !strings.Contains(err.Error(), "listeners, timers, detached-dom, collection, duplicate-strings, closure, promises") {
		t.Errorf("error %v", err)
	}
}

func TestRanking(t *testing.T) {
	r := scenario(t, "big-map")
	o := suspects.DefaultOptions()
	o.CollectionThreshold = 1000
	list := suspects.Find(r, o)
	for k := 1; k < len(list); k++ {
		a, b := list[k-1], list[k]
		if a.RetainedSize < b.RetainedSize || (a.RetainedSize == b.RetainedSize && a.Count < b.Count) {
			t.Errorf("%q before %q", a.Title, b.Title)
		}
	}
	b, err := json.Marshal(list[0])
	if err != nil || !strings.Contains(string(b), `"evidence":{"function":"formatSession"`) {
		t.Errorf("JSON %s %v", b, err)
	}
}

// TestOddGraphs runs every detector with thresholds that flag nearly
// everything over the generated corner cases (cycles, unreachable
// islands, missing fields, odd names): no panic, and a total order.
func TestOddGraphs(t *testing.T) {
	o := suspects.Options{MaxListeners: -1, CollectionThreshold: 1, MinDuplicateWaste: 1, MinDuplicateCopies: 2,
		MinContextSize: 1, MinDetachedNodes: 1, PathDepth: 8}
	for k := 1; k <= 12; k++ {
		name := fmt.Sprintf("corner%02d", k)
		t.Run(name, func(t *testing.T) {
			r := load(t, testutil.Testdata("corner", name+".heapsnapshot"))
			a := suspects.Find(r, o)
			b := suspects.Find(r, o)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Errorf("two runs differ:\n%s\n%s", ja, jb)
			}
			for _, s := range a {
				if s.Evidence() == nil || s.Title == "" {
					t.Errorf("suspect without evidence or title: %+v", s)
				}
			}
		})
	}
}

// chromiumPage is the URL testdata/versions/chromium-snapshot.mjs served
// the page of the Chromium fixture at.
const chromiumPage = "http://127.0.0.1:45727/"
