package sources

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// The fixture's programs ran from these directories (testdata/sourcemaps/make.sh).
const (
	stage     = "/tmp/heapsnap-sourcemaps/"
	container = "/app/"
)

func fixture(parts ...string) string {
	return testutil.Testdata(append([]string{"sourcemaps"}, parts...)...)
}

func snapshot(t testing.TB, name string) *heapsnapshot.Snapshot {
	t.Helper()
	return parsed(t, fixture("snapshots", name+".heapsnapshot.gz"))
}

// parsed parses a snapshot file once for all the tests: nothing here
// changes a snapshot, and parsing is most of the tests' time under -race.
func parsed(t testing.TB, path string) *heapsnapshot.Snapshot {
	t.Helper()
	snapshotsMu.Lock()
	defer snapshotsMu.Unlock()
	if s, ok := snapshots[path]; ok {
		return s
	}
	s, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snapshots[path] = s
	return s
}

var (
	snapshotsMu sync.Mutex
	snapshots   = map[string]*heapsnapshot.Snapshot{}
)

// staged reads the staging directory the snapshots were taken in, which
// make.sh deletes afterwards, from its committed copy: the scripts' own
// references and the maps next to them are followed as they were then.
func staged(name string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(name, stage); ok {
		name = fixture(filepath.FromSlash(rest))
	}
	return os.ReadFile(name)
}

// withoutStage reads files as usual, but finds nothing in the staging
// directories even on a machine where a make.sh just ran.
func withoutStage(name string) ([]byte, error) {
	if strings.HasPrefix(name, stage) || strings.HasPrefix(name, "/tmp/heapsnap-alloc/") {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	return os.ReadFile(name)
}

// leak returns the location shared by the 2,000 leaked listeners: the
// only one that more than 1,000 closures share.
func leak(t testing.TB, s *heapsnapshot.Snapshot) heapsnapshot.Location {
	t.Helper()
	type key struct{ script, line, column uint32 }
	count := map[key]int{}
	for _, l := range s.Locations {
		count[key{l.ScriptID, l.Line, l.Column}]++
	}
	var found []heapsnapshot.Location
	for k, n := range count {
		if n > 1000 {
			found = append(found, heapsnapshot.Location{ScriptID: k.script, Line: k.line, Column: k.column})
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one location shared by the leaked listeners, got %v", found)
	}
	return found[0]
}

// textAt returns the text of a file from a 1-based line and column on,
// to the end of that line.
func textAt(t testing.TB, file string, line, column int) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if line < 1 || line > len(lines) || column < 1 || column > len(lines[line-1])+1 {
		t.Fatalf("%s has no position %d:%d", file, line, column)
	}
	return lines[line-1][column-1:]
}

// The leak must resolve to the .ts position testdata/sourcemaps/README.md
// states, from each place a map can be found, and the compiled position
// must stay what V8 recorded.
func TestLeakResolvesToTypeScript(t *testing.T) {
	const leakTS = "src/data-processor.ts:45:31"
	dist, bundleDir := fixture("dist"), fixture("bundle")
	cases := []struct {
		name, snapshot string
		opts           Options
		compiled       string // as V8 recorded it
		source         string // "" when no map can be found
		problems       []string
	}{
		{"tsc, map next to the script", "tsc", Options{ReadFile: staged},
			stage + "dist/data-processor.js:24:37", stage + leakTS, nil},
		{"tsc, staging directory gone", "tsc", Options{ReadFile: withoutStage},
			stage + "dist/data-processor.js:24:37", "",
			[]string{stage + "dist/data-processor.js: " + stage + "dist/data-processor.js.map: not found"}},
		{"container, no --source-maps", "container", Options{},
			container + "dist/data-processor.js:24:37", "",
			[]string{container + "dist/data-processor.js: " + container + "dist/data-processor.js.map: not found"}},
		{"container, --source-maps dist", "container", Options{Dirs: []string{dist}},
			container + "dist/data-processor.js:24:37", fixture(leakTS), nil},
		{"container, --source-maps of the fixture root picks dist/ by suffix", "container", Options{Dirs: []string{fixture()}},
			container + "dist/data-processor.js:24:37", fixture(leakTS), nil},
		{"container, a directory without the maps first", "container", Options{Dirs: []string{fixture("src"), dist}},
			container + "dist/data-processor.js:24:37", fixture(leakTS), nil},
		{"bundle, inline map from the script's file", "bundle", Options{ReadFile: staged},
			stage + "bundle/main.js:26:31", stage + leakTS, nil},
		{"bundle, --source-maps", "bundle", Options{Dirs: []string{bundleDir}, ReadFile: withoutStage},
			stage + "bundle/main.js:26:31", fixture(leakTS), nil},
		{"bundle, inline map cut short in the snapshot", "bundle", Options{ReadFile: withoutStage},
			stage + "bundle/main.js:26:31", "",
			[]string{stage + "bundle/main.js: inline map: cut short in the snapshot (V8 keeps the first 1024 characters of a string); the script's file has it whole"}},
		{"index map", "indexmap", Options{ReadFile: staged},
			stage + "indexmap/main.js:47:37", stage + leakTS, nil},
		{"index map, --source-maps", "indexmap", Options{Dirs: []string{fixture("indexmap")}, ReadFile: withoutStage},
			stage + "indexmap/main.js:47:37", fixture(leakTS), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := snapshot(t, c.snapshot)
			r := NewResolver(s, ScriptsOf(s), c.opts)
			l := leak(t, s)
			got := r.Resolve(l.ScriptID, l.Line, l.Column)
			if got.Position.String() != c.compiled {
				t.Errorf("compiled %s, want %s", got.Position, c.compiled)
			}
			switch {
			case c.source == "" && got.Source != nil:
				t.Errorf("source %s, want none", got.Source.Position)
			case c.source != "" && (got.Source == nil || got.Source.Position.String() != c.source):
				t.Errorf("got %s, want source %s", got, c.source)
			}
			var problems []string
			for _, p := range r.Problems() {
				problems = append(problems, p.String())
			}
			if !slices.Equal(problems, c.problems) {
				t.Errorf("problems\n%q\nwant\n%q", problems, c.problems)
			}
			// Both positions are the listener's parameter list.
			compiledFile := got.File
			if rest, ok := strings.CutPrefix(compiledFile, stage); ok {
				compiledFile = fixture(rest)
			} else if rest, ok := strings.CutPrefix(compiledFile, container); ok {
				compiledFile = fixture(rest)
			}
			if text := textAt(t, compiledFile, got.Line, got.Column); !strings.HasPrefix(text, "(chunk) =>") {
				t.Errorf("compiled %s is %q, want the listener", got.Position, text)
			}
			if got.Source != nil {
				if text := textAt(t, fixture("src", "data-processor.ts"), got.Source.Line, got.Source.Column); !strings.HasPrefix(text, "(chunk: Chunk) =>") {
					t.Errorf("source %s is %q, want the listener", got.Source.Position, text)
				}
			}
		})
	}
}

func TestLocationFormats(t *testing.T) {
	mapped := Location{
		Position: Position{File: "dist/data-processor.js", Line: 24, Column: 37},
		Source:   &Original{Position: Position{File: "src/data-processor.ts", Line: 45, Column: 31}},
	}
	plain := Location{Position: Position{File: "dist/data-processor.js", Line: 24, Column: 37}}
	named := Location{Position: Position{File: "b.js", Line: 1, Column: 10}, Source: &Original{Position: Position{File: "a.ts", Line: 3, Column: 5}, Name: "parseOrder"}}
	for _, c := range []struct {
		l          Location
		text, json string
	}{
		{mapped, "src/data-processor.ts:45:31 (dist/data-processor.js:24:37)",
			`{"file":"dist/data-processor.js","line":24,"column":37,"source":{"file":"src/data-processor.ts","line":45,"column":31}}`},
		{plain, "dist/data-processor.js:24:37", `{"file":"dist/data-processor.js","line":24,"column":37}`},
		{named, "a.ts:3:5 (b.js:1:10)", `{"file":"b.js","line":1,"column":10,"source":{"file":"a.ts","line":3,"column":5,"name":"parseOrder"}}`},
		{Location{Position: Position{Line: 2, Column: 3}}, "<unknown>:2:3", `{"line":2,"column":3}`},
		{Location{Position: Position{File: "x.js"}}, "x.js", `{"file":"x.js"}`},
	} {
		if got := c.l.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
		b, err := json.Marshal(c.l)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.json {
			t.Errorf("JSON %s, want %s", b, c.json)
		}
	}
}

// TestResolvedGolden resolves every location in the fixture's own scripts,
// in all four snapshots. testdata/sourcemaps/check.js checks the golden
// against Mozilla's source-map library.
func TestResolvedGolden(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("fixture\tscript\tline\tcolumn\tcount\tsource\tsource_line\tsource_column\tname\n")
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"tsc", Options{ReadFile: staged}},
		{"container", Options{Dirs: []string{fixture()}}},
		{"bundle", Options{ReadFile: staged}},
		{"indexmap", Options{ReadFile: staged}},
	} {
		s := snapshot(t, c.name)
		r := NewResolver(s, ScriptsOf(s), c.opts)
		type row struct {
			l heapsnapshot.Location
			n int
		}
		rows := make([]row, 0, len(s.Locations))
		for _, l := range s.Locations {
			l.Node = 0
			rows = append(rows, row{l, 1})
		}
		slices.SortFunc(rows, func(a, b row) int {
			return cmp.Or(cmp.Compare(a.l.ScriptID, b.l.ScriptID), cmp.Compare(a.l.Line, b.l.Line), cmp.Compare(a.l.Column, b.l.Column))
		})
		merged := rows[:0]
		for _, x := range rows {
			if k := len(merged) - 1; k >= 0 && merged[k].l == x.l {
				merged[k].n++
				continue
			}
			merged = append(merged, x)
		}
		rows = merged
		for _, x := range rows {
			loc := r.Resolve(x.l.ScriptID, x.l.Line, x.l.Column)
			if !strings.HasPrefix(loc.File, stage) && !strings.HasPrefix(loc.File, container) {
				continue
			}
			fmt.Fprintf(&b, "%s\t%s\t%d\t%d\t%d\t", c.name, loc.File, loc.Line, loc.Column, x.n)
			if loc.Source == nil {
				b.WriteString("-\t\t\t\n")
				continue
			}
			src := strings.TrimPrefix(strings.TrimPrefix(loc.Source.File, stage), fixture()+string(filepath.Separator))
			fmt.Fprintf(&b, "%s\t%d\t%d\t%s\n", filepath.ToSlash(src), loc.Source.Line, loc.Source.Column, loc.Source.Name)
		}
		if p := r.Problems(); len(p) != 0 {
			t.Errorf("%s: problems %v", c.name, p)
		}
	}
	testutil.Golden(t, fixture("resolved.tsv"), b.Bytes())
}

func TestScriptsOf(t *testing.T) {
	s := snapshot(t, "tsc")
	scripts := ScriptsOf(s)
	var named []string
	for id, name := range scripts.All() {
		if strings.HasPrefix(name, stage) {
			named = append(named, fmt.Sprintf("%d %s", id, name))
		}
	}
	want := []string{"81 " + stage + "dist/main.js", "105 " + stage + "dist/data-processor.js", "106 " + stage + "dist/orders.js"}
	if !slices.Equal(named, want) {
		t.Errorf("fixture scripts %q, want %q", named, want)
	}
	// Every script id in the locations is in the table, and every one
	// with a closure has a name: Node's own scripts are node:….
	for _, l := range s.Locations {
		if _, ok := scripts.index(l.ScriptID); !ok {
			t.Fatalf("script %d of node %d missing", l.ScriptID, l.Node)
		}
	}
	if scripts.Name(105) != stage+"dist/data-processor.js" || scripts.Name(999999) != "" {
		t.Errorf("Name(105) = %q, Name(999999) = %q", scripts.Name(105), scripts.Name(999999))
	}
	if got := scripts.Name(9); got != "node:internal/bootstrap/realm" {
		t.Errorf("Name(9) = %q, want one of Node's scripts", got)
	}
}

func TestAddNames(t *testing.T) {
	s := snapshot(t, "tsc")
	scripts := ScriptsOf(s)
	n := scripts.Len()
	scripts.AddNames(func(yield func(uint32, string) bool) {
		for _, p := range []struct {
			id   uint32
			name string
		}{{105, "other name"}, {900002, "/b.js"}, {0, "/ignored.js"}, {900001, "/a.js"}, {900003, ""}, {900001, "/later.js"}} {
			if !yield(p.id, p.name) {
				return
			}
		}
	})
	if scripts.Len() != n+2 || scripts.Name(105) != stage+"dist/data-processor.js" ||
		scripts.Name(900001) != "/a.js" || scripts.Name(900002) != "/b.js" || scripts.Name(0) != "" {
		t.Errorf("after AddNames: %d scripts (want %d), 105 %q, 900001 %q, 900002 %q",
			scripts.Len(), n+2, scripts.Name(105), scripts.Name(900001), scripts.Name(900002))
	}
	if !slices.IsSorted(scripts.ids) {
		t.Error("ids not sorted")
	}
	// A script known only by name still finds the map beside its file.
	dir := t.TempDir()
	js := filepath.Join(dir, "x.js")
	writeFile(t, js, "function f() {}\n")
	writeFile(t, js+".map", `{"version":3,"sources":["x.ts"],"names":["f"],"mappings":"AAAAA"}`)
	scripts.AddNames(func(yield func(uint32, string) bool) { yield(900004, js) })
	r := NewResolver(s, scripts, Options{})
	if got := r.Resolve(900004, 0, 3).String(); got != filepath.Join(dir, "x.ts")+":1:1 ("+js+":1:4)" {
		t.Errorf("got %s", got)
	}
}

func writeFile(t testing.TB, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestClosureScript checks the one scriptOf on closures of every V8
// version the project has a snapshot of: Node 20 (script_or_debug_info)
// and 22, 24, 26 (script).
func TestClosureScript(t *testing.T) {
	for _, v := range []string{"node20", "node22", "node24", "node26"} {
		s := parsed(t, testutil.Testdata("versions", v+".heapsnapshot.gz"))
		scripts := ScriptsOf(s)
		closure := s.Types.Closure
		found := 0
		for _, l := range s.Locations {
			if s.NodeType[l.Node] == closure && strings.HasSuffix(scripts.Name(l.ScriptID), "/sample-app.js") {
				if got := ClosureScript(s, l.Node); got != scripts.Name(l.ScriptID) {
					t.Fatalf("%s: ClosureScript(%d) = %q, table says %q", v, l.Node, got, scripts.Name(l.ScriptID))
				}
				found++
			}
		}
		if found < 10 {
			t.Errorf("%s: %d closures located in sample-app.js, want at least 10", v, found)
		}
	}
}

// TestScriptsAgreeWithTraceFunctionInfos checks the script table, built
// from the heap's Script objects, against the script names V8 wrote into
// trace_function_infos, as DevTools' Allocation view shows them (the alloc
// fixture's oracle goldens), on Node 20, 22, 24 and 26.
func TestScriptsAgreeWithTraceFunctionInfos(t *testing.T) {
	for _, v := range []string{"node20", "node22", "node24", "node26"} {
		s := parsed(t, testutil.Testdata("alloc", "snapshots", v+".heapsnapshot.gz"))
		scripts := ScriptsOf(s)
		checked, orders := 0, false
		for _, row := range testutil.TSV(t, testutil.Testdata("alloc", "snapshots", v+".tops.tsv.gz")) {
			var id uint32
			if _, err := fmt.Sscan(row["script_id"], &id); err != nil {
				t.Fatal(err)
			}
			got := scripts.Name(id)
			if id == 0 || got == "" {
				continue
			}
			if got != row["script_name"] {
				t.Errorf("%s: script %d is %q in the heap, %q in trace_function_infos", v, id, got, row["script_name"])
			}
			checked++
			orders = orders || got == "/tmp/heapsnap-alloc/src/orders.js"
		}
		if checked < 20 || !orders {
			t.Errorf("%s: %d scripts checked (want 20 or more), orders.js among them: %v", v, checked, orders)
		}
	}
}

// TestMapURLAcrossVersions finds the sourceMappingURL V8 keeps in a Script
// object (a hidden edge: index 5 on Node 20, 4 on 22 to 26) and reports
// the map as missing, in the alloc fixture's snapshots.
func TestMapURLAcrossVersions(t *testing.T) {
	const script = "/tmp/heapsnap-alloc/src/shipped-without-map.js"
	for _, v := range []string{"node20", "node22", "node24", "node26"} {
		s := parsed(t, testutil.Testdata("alloc", "snapshots", v+".heapsnapshot.gz"))
		scripts := ScriptsOf(s)
		h := newHeap(s)
		var id uint32
		for k, name := range scripts.names {
			if node := scripts.nodes[k]; node != noNode {
				url := h.mapURL(node)
				switch {
				case name == script && url != "shipped-without-map.js.map":
					t.Errorf("%s: %s has sourceMappingURL %q", v, name, url)
				case name == script:
					id = scripts.ids[k]
				case url != "":
					t.Errorf("%s: %s has sourceMappingURL %q, want none", v, name, url)
				}
			}
		}
		if id == 0 {
			t.Fatalf("%s: no script %s", v, script)
		}
		r := NewResolver(s, scripts, Options{ReadFile: withoutStage})
		r.Resolve(id, 0, 0)
		p := r.Problems()
		if len(p) != 1 || p[0].Script != script || p[0].Map != "/tmp/heapsnap-alloc/src/shipped-without-map.js.map" {
			t.Errorf("%s: problems %v", v, p)
		}
	}
}
