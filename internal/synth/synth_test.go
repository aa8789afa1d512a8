package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func generate(t testing.TB, cfg Config) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Write(&buf, cfg)
	if err != nil {
		t.Fatalf("Write(%+v): %v", cfg, err)
	}
	if st.Bytes != int64(buf.Len()) {
		t.Fatalf("Stats.Bytes = %d, wrote %d", st.Bytes, buf.Len())
	}
	return buf.Bytes(), st
}

func parse(t testing.TB, data []byte) *heapsnapshot.Snapshot {
	t.Helper()
	s, err := heapsnapshot.Parse(bytes.NewReader(data), heapsnapshot.Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestFixedStringsUnique(t *testing.T) {
	seen := map[string]int{}
	for i, s := range fixedStrings {
		if s == "" && i != sEmpty {
			t.Errorf("fixed string %d is empty", i)
		}
		if j, ok := seen[s]; ok {
			t.Errorf("fixed strings %d and %d are both %q", j, i, s)
		}
		seen[s] = i
	}
}

func TestAppendUint(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10000, 12345, 99999, 100000, 4294967295, 1<<64 - 1} {
		if got, want := string(appendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendUint(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestAppendV8String(t *testing.T) {
	for in, want := range map[string]string{
		`say "hi"`:         `"say \"hi\""`,
		"a\\b":             `"a\\b"`,
		"l1\nl2\t\r\b\f":   `"l1\nl2\t\r\b\f"`,
		"\x01":             `"\u0001"`,
		"caf\u00e9\u2028":  `"caf\u00E9\u2028"`,
		"emoji-\U0001F600": `"emoji-\uF600"`,
	} {
		if got := string(appendV8String(nil, in)); got != want {
			t.Errorf("appendV8String(%q) = %s, want %s", in, got, want)
		}
	}
}

// raw is the snapshot decoded independently of pkg/heapsnapshot.
type raw struct {
	Snapshot struct {
		Meta struct {
			NodeFields []string `json:"node_fields"`
		} `json:"meta"`
		NodeCount int `json:"node_count"`
		EdgeCount int `json:"edge_count"`
	} `json:"snapshot"`
	Nodes     []uint64 `json:"nodes"`
	Edges     []uint64 `json:"edges"`
	Locations []uint64 `json:"locations"`
	Strings   []string `json:"strings"`
}

// TestFormat checks V8's byte layout and the graph's invariants on the raw
// arrays, for every node field layout and for every size of the last,
// partial cluster.
func TestFormat(t *testing.T) {
	ephemeron := regexp.MustCompile(`^\d+( / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$`)
	nodes := []int64{MinNodes, 2000, 4321, 6400, 12000}
	for f := FieldsV8; f <= FieldsMinimal; f++ {
		for i, n := range nodes {
			cfg := Config{Nodes: n + int64(f), Seed: uint64(i*7 + int(f)), NodeFields: f, BigSelfSizes: i == 2}
			t.Run(fmt.Sprintf("%v/%d", f, cfg.Nodes), func(t *testing.T) {
				data, st := generate(t, cfg)
				checkLayout(t, data)
				var r raw
				if err := json.Unmarshal(data, &r); err != nil {
					t.Fatal(err)
				}
				nf := len(r.Snapshot.Meta.NodeFields)
				if nf != f.count() {
					t.Fatalf("%d node fields, want %d", nf, f.count())
				}
				if r.Snapshot.NodeCount != int(cfg.Nodes) || len(r.Nodes) != int(cfg.Nodes)*nf {
					t.Fatalf("node_count %d, %d values; want %d nodes", r.Snapshot.NodeCount, len(r.Nodes), cfg.Nodes)
				}
				if int64(r.Snapshot.EdgeCount) != st.Edges || len(r.Edges) != 3*int(st.Edges) {
					t.Fatalf("edge_count %d, %d values; Stats.Edges %d", r.Snapshot.EdgeCount, len(r.Edges), st.Edges)
				}
				if int64(len(r.Strings)) != st.Strings || r.Strings[0] != "<dummy>" {
					t.Fatalf("%d strings (Stats %d), strings[0] = %q", len(r.Strings), st.Strings, r.Strings[0])
				}
				if int64(len(r.Locations)) != 4*st.Locations {
					t.Fatalf("%d location values, Stats.Locations %d", len(r.Locations), st.Locations)
				}
				str := func(i uint64) string {
					if i >= uint64(len(r.Strings)) {
						t.Fatalf("string index %d out of range", i)
					}
					return r.Strings[i]
				}
				ids := map[uint64]bool{}
				var self uint64
				edge := 0
				for o := 0; o < int(cfg.Nodes); o++ {
					typ, name, id, size, ec := r.Nodes[o*nf], r.Nodes[o*nf+1], r.Nodes[o*nf+2], r.Nodes[o*nf+3], r.Nodes[o*nf+4]
					str(name)
					if ids[id] {
						t.Fatalf("node %d: duplicate id %d", o, id)
					}
					ids[id] = true
					native := typ == uint64(tNative) || (typ == uint64(tSynthetic) && str(name) == "C++ roots")
					if native != (id%2 == 0) || id >= 1<<32 || size >= 1<<32 {
						t.Fatalf("node %d: type %d id %d size %d", o, typ, id, size)
					}
					self += size
					for range ec {
						et, en, to := r.Edges[3*edge], r.Edges[3*edge+1], r.Edges[3*edge+2]
						if to%uint64(nf) != 0 || to/uint64(nf) >= uint64(cfg.Nodes) || et > uint64(eWeak) {
							t.Fatalf("edge %d of node %d: type %d to_node %d", edge, o, et, to)
						}
						if et != uint64(eElement) && et != uint64(eHidden) {
							if nm := str(en); et == uint64(eInternal) && strings.Contains(nm, "part of key") {
								m := ephemeron.FindStringSubmatch(nm)
								if m == nil {
									t.Fatalf("bad ephemeron edge name %q", nm)
								}
								table, _ := strconv.ParseUint(m[2], 10, 64)
								if !strings.Contains(nm, fmt.Sprintf("-> value (Object @%d)", r.Nodes[to+2])) {
									t.Fatalf("ephemeron edge %q points to @%d", nm, r.Nodes[to+2])
								}
								if !ids[table] && table != r.Nodes[o*nf+2] {
									// The table precedes its entries, so its id is known.
									t.Fatalf("ephemeron edge %q: no table @%d", nm, table)
								}
							}
						}
						edge++
					}
				}
				if edge != r.Snapshot.EdgeCount {
					t.Fatalf("edge counts add up to %d, edge_count %d", edge, r.Snapshot.EdgeCount)
				}
				if self != st.TotalSelfSize {
					t.Fatalf("self sizes add up to %d, Stats.TotalSelfSize %d", self, st.TotalSelfSize)
				}
				if cfg.BigSelfSizes != (self > 1<<32) {
					t.Fatalf("BigSelfSizes %v, total self size %d", cfg.BigSelfSizes, self)
				}
				// The root: element 1 → (GC roots), shortcut "2" → global.
				if r.Nodes[0] != uint64(tSynthetic) || r.Nodes[2] != 1 ||
					r.Edges[0] != uint64(eElement) || r.Edges[1] != 1 || str(r.Nodes[r.Edges[2]+1]) != "(GC roots)" ||
					r.Edges[3] != uint64(eShortcut) || str(r.Edges[4]) != "2" || str(r.Nodes[r.Edges[5]+1]) != "global" {
					t.Fatalf("unexpected root structure: nodes %v edges %v", r.Nodes[:nf], r.Edges[:6])
				}
				last := -1
				for i := 0; i < len(r.Locations); i += 4 {
					o := int(r.Locations[i])
					if o%nf != 0 || o <= last || o >= len(r.Nodes) {
						t.Fatalf("location %d: object_index %d", i/4, o)
					}
					if typ := r.Nodes[o]; typ != uint64(tClosure) && typ != uint64(tObject) {
						t.Fatalf("location on a node of type %d", typ)
					}
					last = o
				}
			})
		}
	}
}

// checkLayout checks the byte layout V8's serializer produces.
func checkLayout(t *testing.T, data []byte) {
	t.Helper()
	for _, c := range data {
		if c >= 0x80 {
			t.Fatal("non-ASCII byte in output")
		}
	}
	s := string(data)
	if !strings.HasPrefix(s, `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"`) ||
		!strings.HasSuffix(s, `"]}`) {
		t.Fatalf("bad start or end: %.80s … %s", s, s[len(s)-20:])
	}
	order := []string{"},\n\"nodes\":[9,", "\n],\n\"edges\":[1,1,", "\n],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[",
		"\n],\n\"strings\":[\"<dummy>\",\n\"\",\n\"(GC roots)\",\n"}
	at := 0
	for _, o := range order {
		i := strings.Index(s[at:], o)
		if i < 0 {
			t.Fatalf("missing %q after offset %d", o, at)
		}
		at += i + len(o)
	}
	nodes := s[strings.Index(s, `"nodes":[`)+9 : strings.Index(s, "],\n\"edges\"")]
	for i, line := range strings.Split(strings.TrimSuffix(nodes, "\n"), "\n") {
		if (i == 0) == strings.HasPrefix(line, ",") {
			t.Fatalf("node record %d: %q", i, line)
		}
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Nodes: 30000, Seed: 42, BigSelfSizes: true}
	sum := func(cfg Config) [32]byte {
		data, _ := generate(t, cfg)
		return sha256.Sum256(data)
	}
	a := sum(cfg)
	for _, w := range []int{1, 3, 8} {
		c := cfg
		c.Workers = w
		if sum(c) != a {
			t.Fatalf("output differs with %d workers", w)
		}
	}
	c := cfg
	c.Seed++
	if sum(c) == a {
		t.Fatal("different seeds gave the same output")
	}
}

func TestPlan(t *testing.T) {
	cfg := Config{Nodes: 25000, Seed: 3, StringsBytes: 1 << 20}
	p, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, st := generate(t, cfg)
	st.Bytes, st.NodesBytes, st.EdgesBytes, st.StringsBytes, st.Duration = 0, 0, 0, 0, 0
	if p != st {
		t.Fatalf("Plan = %+v\nWrite = %+v", p, st)
	}
}

func TestEdgesPerNode(t *testing.T) {
	for _, want := range []float64{2.75, 3.5, 5} {
		_, st := generate(t, Config{Nodes: 40000, EdgesPerNode: want})
		got := float64(st.Edges) / float64(st.Nodes)
		if got < want*0.97 || got > want*1.03 {
			t.Errorf("EdgesPerNode %v: got %.3f edges per node", want, got)
		}
	}
	// Below the structural minimum, the structural edges are kept.
	_, st := generate(t, Config{Nodes: 40000, EdgesPerNode: 1})
	if got := float64(st.Edges) / float64(st.Nodes); got < 2.4 || got > 2.8 {
		t.Errorf("EdgesPerNode 1: got %.3f edges per node", got)
	}
}

func TestStringsBytes(t *testing.T) {
	for _, want := range []int64{2 << 20, 5_000_000, 12 << 20} {
		data, st := generate(t, Config{Nodes: 20000, StringsBytes: want})
		if st.StringsBytes < want*99/100 || st.StringsBytes > want*101/100 {
			t.Errorf("StringsBytes %d: strings section is %d bytes", want, st.StringsBytes)
		}
		section := func(key, next string) int64 {
			i := bytes.Index(data, []byte("\""+key+"\":["))
			j := bytes.Index(data, []byte(next))
			return int64(j - i - len(key) - 3)
		}
		if n, e := section("nodes", ",\n\"edges\":["), section("edges", ",\n\"trace_function_infos\""); n != st.NodesBytes || e != st.EdgesBytes {
			t.Errorf("nodes and edges sections are %d and %d bytes, Stats say %d and %d", n, e, st.NodesBytes, st.EdgesBytes)
		}
		i := bytes.Index(data, []byte("\n\"strings\":["))
		if got := int64(len(data) - i - len("\n\"strings\":") - 1); got != st.StringsBytes {
			t.Errorf("Stats.StringsBytes %d, section is %d bytes", st.StringsBytes, got)
		}
		if want != 12<<20 {
			continue
		}
		s := parse(t, data)
		maxLen := 0
		for i := range s.Strings.Len() {
			maxLen = max(maxLen, len(s.Strings.Bytes(uint32(i))))
		}
		if maxLen > maxNameLen {
			t.Errorf("a string has %d bytes, more than V8's %d", maxLen, maxNameLen)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Nodes: MinNodes - 1},
		{Nodes: 1 << 32},
		{Nodes: 5000, EdgesPerNode: -1},
		{Nodes: 5000, StringsBytes: -1},
		{Nodes: 5000, NodeFields: 7},
	} {
		if _, err := Write(io.Discard, cfg); err == nil {
			t.Errorf("Write(%+v) succeeded", cfg)
		}
	}
	if _, err := ParseNodeFields("nope"); err == nil {
		t.Error("ParseNodeFields accepted nope")
	}
	for f := FieldsV8; f <= FieldsMinimal; f++ {
		if g, err := ParseNodeFields(f.String()); err != nil || g != f {
			t.Errorf("ParseNodeFields(%q) = %v, %v", f.String(), g, err)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, io.ErrShortWrite
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	for _, n := range []int{0, 100, 50000, 400000} {
		if _, err := Write(&failWriter{n: n}, Config{Nodes: 20000}); err == nil {
			t.Errorf("no error when the writer fails after %d bytes", n)
		}
	}
}

// TestAnalyze runs the DevTools pipeline on generated snapshots and checks
// the shape it was meant to have.
func TestAnalyze(t *testing.T) {
	for _, cfg := range []Config{
		{Nodes: 60000, Seed: 1},
		{Nodes: 20011, Seed: 2, NodeFields: FieldsNoDetachedness, BigSelfSizes: true},
		{Nodes: 8000, Seed: 3, NodeFields: FieldsMinimal, EdgesPerNode: 4},
	} {
		t.Run(fmt.Sprint(cfg.Nodes), func(t *testing.T) {
			data, st := generate(t, cfg)
			s := parse(t, data)
			if int64(s.NodeCount) != cfg.Nodes || int64(s.EdgeCount) != st.Edges || int64(len(s.Locations)) != st.Locations {
				t.Fatalf("parsed %d nodes, %d edges, %d locations; Stats %+v", s.NodeCount, s.EdgeCount, len(s.Locations), st)
			}
			r, err := devtools.Analyze(s, devtools.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.TotalSize != st.TotalSelfSize {
				t.Errorf("TotalSize %d, Stats.TotalSelfSize %d", r.TotalSize, st.TotalSelfSize)
			}
			unreachable := 0
			for _, d := range r.Distance {
				if d == devtools.NoDistance {
					unreachable++
				}
			}
			if int64(unreachable) != st.Unreachable {
				t.Errorf("%d nodes without distance, Stats.Unreachable %d", unreachable, st.Unreachable)
			}
			if r.Orphans == 0 || r.Leftovers == 0 {
				t.Errorf("orphans %d, leftovers %d: want unreachable trees and cycles", r.Orphans, r.Leftovers)
			}
			classes := map[string]*devtools.Class{}
			for _, c := range r.SummaryRows() {
				classes[r.ClassName(c)] = c
			}
			for _, name := range []string{"Session", "Customer", "Order", "LineItem", "Request", "Router", "Function",
				"EventEmitter", "system / Context", "(string)", "(concatenated string)", "(sliced string)",
				"system / JSArrayBufferData", "{key, value, prev, next}", "{id, name, email}", "{path, method, handler}"} {
				if classes[name] == nil {
					t.Errorf("no %q class", name)
				}
			}
			if c := classes["Session"]; c != nil && int64(c.Count) != st.Sessions {
				t.Errorf("%d Sessions, Stats.Sessions %d", c.Count, st.Sessions)
			}
			if c := classes["Session"]; c != nil && !c.HasLocation {
				t.Error("Session has no location")
			}
			detached := classes["Detached Node / BindingData"] != nil
			if detached != (cfg.NodeFields == FieldsV8) {
				t.Errorf("Detached Node / BindingData present: %v", detached)
			}
			// The EventEmitter retains its listeners and what they capture.
			if c := classes["EventEmitter"]; c != nil && c.Retained < uint64(st.Listeners)*4096 {
				t.Errorf("EventEmitter retains %d bytes for %d listeners", c.Retained, st.Listeners)
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, n := range []int64{1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var bytes int64
			for b.Loop() {
				st, err := Write(io.Discard, Config{Nodes: n, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				bytes = st.Bytes
			}
			b.SetBytes(bytes)
		})
	}
}

func TestValueLen(t *testing.T) {
	g, err := newGen(Config{Nodes: 50000, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	p := &g.pool
	for j := int64(0); j < p.start[numCats]; j++ {
		if got, want := p.valueLen(j), len(p.appendValue(nil, j)); got != want {
			t.Fatalf("valueLen(%d) = %d, want %d (%q)", j, got, want, p.appendValue(nil, j))
		}
	}
	for _, v := range []uint64{1, 9, 10, 99, 100, 999999, 1000000, 1<<64 - 1} {
		if decLen(v) != len(strconv.FormatUint(v, 10)) {
			t.Errorf("decLen(%d) = %d", v, decLen(v))
		}
	}
}
