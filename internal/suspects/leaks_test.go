package suspects_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/testutil"
)

// leakFacts is the part of testdata/leaks/snapshots/NAME.facts.json (the
// ground truth lib/facts.js reads from the snapshots, without heapsnap)
// the tests compare with.
type leakFacts struct {
	Leaks []struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Count   int    `json:"count"`
		Event   string `json:"event"`
		Created string `json:"created"`
		Anchor  struct {
			Text string `json:"text"`
		} `json:"anchor"`
		Holder struct {
			DevTools struct {
				RetainedSize uint64 `json:"retainedSize"`
			} `json:"devtools"`
		} `json:"holder"`
		Items struct {
			RetainedSum uint64 `json:"retainedSum"`
		} `json:"items"`
		Keys     map[string]int `json:"keys"`
		Values   map[string]int `json:"values"`
		Captured struct {
			Variable string `json:"variable"`
			Retained uint64 `json:"retained"`
		} `json:"captured"`
		Accumulates struct {
			Holds map[string]map[string]int `json:"holds"`
		} `json:"accumulates"`
	} `json:"leaks"`
}

// staged strips the directory the leak programs ran from, which the facts
// leave out.
func staged(s string) string {
	return strings.NewReplacer("file:///tmp/heapsnap-leaks/", "", "/tmp/heapsnap-leaks/", "").Replace(s)
}

// TestLeakShapes checks every suspect of every leak snapshot
// (testdata/leaks: Node 20, 22, 24, 26, Chromium and Deno) against the
// ground truth: the kind, what accumulates and how many, where it hangs
// (the owner path, read from an anchor), who made it (the source
// location) and how much it retains; and that the fixed twins have no
// suspect at all.
func TestLeakShapes(t *testing.T) {
	snaps, err := filepath.Glob(testutil.Testdata("leaks", "snapshots", "*.facts.json"))
	if err != nil || len(snaps) < 10 {
		t.Fatalf("%d leak fixtures (%v)", len(snaps), err)
	}
	for _, factsPath := range snaps {
		name := strings.TrimSuffix(filepath.Base(factsPath), ".facts.json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var fs leakFacts
			b, err := os.ReadFile(factsPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &fs); err != nil {
				t.Fatal(err)
			}
			r := load(t, testutil.Testdata("leaks", "snapshots", name+".heapsnapshot.gz"))
			list := suspects.Find(r, suspects.DefaultOptions())
			if strings.HasSuffix(name, "-fixed") {
				if len(list) != 0 {
					t.Errorf("the fixed twin has suspects:\n%s", strings.Join(kindsOf(list), "\n"))
				}
				return
			}
			used := map[int]bool{}
			for _, l := range fs.Leaks {
				kind := map[string]suspects.Kind{
					"emitter-listeners": suspects.Listeners, "event-target-listeners": suspects.Listeners,
					"deno-event-target-listeners": suspects.Listeners, "dom-listeners": suspects.Listeners,
					"timers": suspects.Timers, "dom-timers": suspects.Timers, "collection": suspects.Collection,
					"closure-context": suspects.Closure, "promise-reactions": suspects.Promises, "detached-dom": suspects.DetachedDOM,
				}[l.Kind]
				if kind == "" {
					t.Fatalf("%s: unknown kind %q in the facts", l.ID, l.Kind)
				}
				// The suspect that explains this leak: same kind, hanging
				// where the facts say. A page's timers read "timer" where
				// the facts, which know the program, say which kind.
				k := -1
				for j, s := range list {
					path := staged(s.Path)
					if kind == suspects.Timers {
						path = strings.Replace(path, "timer callback", strings.Fields(l.Anchor.Text)[0]+" callback", 1)
					}
					if s.Kind == kind && (path == l.Anchor.Text || strings.HasPrefix(path, l.Anchor.Text+"[")) {
						k = j
						break
					}
				}
				if k < 0 {
					t.Errorf("%s: no %s suspect at %q; suspects:\n%s", l.ID, kind, l.Anchor.Text, strings.Join(kindsOf(list), "\n"))
					continue
				}
				used[k] = true
				s := list[k]
				checkLeak(t, l.ID, s, l.Count, l.Created, l.Holder.DevTools.RetainedSize, l.Items.RetainedSum)
				switch kind {
				case suspects.Listeners:
					if s.Listeners.Event != l.Event && s.Listeners.Target != suspects.TargetDOM {
						t.Errorf("%s: event %q, facts %q", l.ID, s.Listeners.Event, l.Event)
					}
				case suspects.Collection:
					for class, n := range l.Values {
						if got := s.Collection.Values; len(got) == 0 || got[0].Class != class || got[0].Count != n {
							t.Errorf("%s: values %+v, facts %s ×%d", l.ID, got, class, n)
						}
					}
					for key, n := range l.Keys {
						want := "'" + strings.TrimPrefix(key, "string:") + "'"
						if got := s.Collection.Keys; len(got) == 0 || !strings.HasPrefix(want, strings.TrimSuffix(got[0].Class, "…'")) || got[0].Count != n {
							t.Errorf("%s: keys %+v, facts %s ×%d", l.ID, got, want, n)
						}
					}
				case suspects.Closure:
					if v := s.Closure.Variables; len(v) == 0 || v[0].Name != l.Captured.Variable || v[0].RetainedSize != l.Captured.Retained {
						t.Errorf("%s: captured %+v, facts %+v", l.ID, v, l.Captured)
					}
				case suspects.Promises:
					found := false
					for _, g := range s.Promises.Groups {
						found = found || (g.Count == l.Count && strings.HasSuffix(g.Location.String(), l.Created))
					}
					if !found {
						t.Errorf("%s: no group of %d reactions created at %s: %+v", l.ID, l.Count, l.Created, s.Promises.Groups)
					}
				}
				for name, classes := range l.Accumulates.Holds {
					if strings.HasPrefix(name, "hidden:") || kind == suspects.Promises {
						continue
					}
					for class := range classes {
						if class == name {
							class = "Function" // a named function's own scope: DevTools' class of a closure
						}
						if !holds(s, name, class) {
							t.Errorf("%s: holds %+v, facts %s (%s)", l.ID, s.Holds, name, class)
						}
					}
				}
			}
			for k, s := range list {
				if !used[k] {
					t.Errorf("suspect not in the facts: %s", kindsOf([]suspects.Suspect{s}))
				}
			}
		})
	}
}

// checkLeak checks what every suspect says: how many, who made them and
// how much they retain. holder is DevTools' retained size of what holds
// them, items the sum over the things that accumulate.
func checkLeak(t *testing.T, id string, s suspects.Suspect, count int, created string, holder, items uint64) {
	t.Helper()
	if s.Kind == suspects.Promises {
		count = 0 // one promise, whose reactions are grouped (checked above)
	}
	if count != 0 && s.Count != count && !(s.Kind == suspects.DetachedDOM && len(s.DetachedDOM.Trees) == count) {
		t.Errorf("%s: count %d, facts %d", id, s.Count, count)
	}
	if created != "" && s.Kind != suspects.Promises && (s.Created == nil || !strings.HasSuffix(s.Created.String(), created)) {
		t.Errorf("%s: created at %v, facts %s", id, s.Created, created)
	}
	switch s.Kind {
	case suspects.Collection, suspects.Promises:
		if s.RetainedSize != holder {
			t.Errorf("%s: retains %d, DevTools' holder %d", id, s.RetainedSize, holder)
		}
	case suspects.Timers, suspects.DetachedDOM:
		if s.RetainedSize != items {
			t.Errorf("%s: retains %d, DevTools' items %d", id, s.RetainedSize, items)
		}
	default:
		// Listeners retain their list; a closure's scopes are part of it.
		if s.RetainedSize > max(holder, items) || s.RetainedSize == 0 {
			t.Errorf("%s: retains %d, holder %d, items %d", id, s.RetainedSize, holder, items)
		}
	}
}

func holds(s suspects.Suspect, name, class string) bool {
	for _, h := range s.Holds {
		if h.Name == name && h.Class == class {
			return true
		}
	}
	return false
}

// TestSuspectPathsAreReadable: no suspect of any fixture hangs from a path
// through engine internals — every one starts at an anchor (a global
// variable, a module's or script's variable, a timer, the page) and reads
// as JavaScript.
func TestSuspectPathsAreReadable(t *testing.T) {
	var files []string
	for _, pattern := range []string{"leaks/snapshots/*.heapsnapshot.gz", "scenarios/snapshots/*.heapsnapshot.gz", "versions/*.heapsnapshot.gz"} {
		m, err := filepath.Glob(testutil.Testdata(pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			for _, s := range suspects.Find(load(t, f), suspects.DefaultOptions()) {
				p := strings.ReplaceAll(s.Path, "{context}", "")
				if strings.HasPrefix(p, "(") || strings.HasPrefix(p, "…") || strings.HasPrefix(p, "node:") ||
					strings.HasPrefix(p, "system /") || strings.ContainsAny(p, "{}") || strings.Contains(p, "->") {
					t.Errorf("%s %q: path %q goes through engine internals", s.Kind, s.Title, s.Path)
				}
			}
		})
	}
}
