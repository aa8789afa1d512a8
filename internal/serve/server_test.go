package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

var (
	incidentOnce sync.Once
	incident     *Heap
	incidentErr  error
)

// incidentHeap serves the incident's leak, compared with the fixed
// program's snapshot.
func incidentHeap(t *testing.T) *Heap {
	t.Helper()
	incidentOnce.Do(func() {
		file := testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz")
		base := testutil.Testdata("scenarios", "snapshots", "incident-fixed.heapsnapshot.gz")
		load := func(p string) (*devtools.Analysis, *retainers.Namer, error) {
			r, err := devtools.ReadFile(p, devtools.Options{})
			if err != nil {
				return nil, nil, err
			}
			return r, retainers.NewNamer(r, nil), nil
		}
		r, names, err := load(file)
		if err != nil {
			incidentErr = err
			return
		}
		pair, err := diff.CompareToBase(r, names, file, base, load, diff.MatchAuto)
		if err != nil {
			incidentErr = err
			return
		}
		incident = NewHeap(r, Options{File: "incident-leak.heapsnapshot.gz", BaseFile: "incident-fixed.heapsnapshot.gz", Pair: pair,
			SuspectKinds: suspects.Kinds, Suspects: suspects.Find(r, suspects.Options{})})
	})
	if incidentErr != nil {
		t.Fatal(incidentErr)
	}
	return incident
}

func classNamed(t *testing.T, h *Heap, name string) uint32 {
	t.Helper()
	for _, c := range h.rows {
		if h.analysis.ClassName(c) == name {
			return views.ClassID(h.analysis, c)
		}
	}
	t.Fatalf("no class %s", name)
	return 0
}

// get asks the handler for path with the Host header it serves, and
// decodes the JSON answer into v.
func get(t *testing.T, h http.Handler, path string, status int, v any) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Host = "127.0.0.1:7000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, rec.Code, status, rec.Body)
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
}

func testHandler(t *testing.T) (*Heap, http.Handler) {
	h := incidentHeap(t)
	return h, Handler(h, Hosts(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000}))
}

func TestHosts(t *testing.T) {
	got := Hosts(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000})
	want := []string{"127.0.0.1:7000", "localhost:7000", "[::1]:7000"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Hosts = %v, want %v", got, want)
	}
	if got := Hosts(&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 80}); fmt.Sprint(got) != "[192.0.2.7:80]" {
		t.Errorf("Hosts of a specific address = %v", got)
	}
}

// TestRefusals checks what protects the heap from other pages: requests
// for another host (DNS rebinding) and any method that could write.
func TestRefusals(t *testing.T) {
	_, srv := testHandler(t)
	for _, tc := range []struct {
		method, host string
		status       int
	}{
		{"GET", "127.0.0.1:7000", 200},
		{"GET", "localhost:7000", 200},
		{"HEAD", "127.0.0.1:7000", 200},
		{"GET", "attacker.example:7000", 403},
		{"GET", "127.0.0.1:7001", 403},
		{"GET", "", 403},
		{"POST", "127.0.0.1:7000", 405},
		{"PUT", "127.0.0.1:7000", 405},
		{"DELETE", "127.0.0.1:7000", 405},
	} {
		req := httptest.NewRequest(tc.method, "/api/meta", nil)
		req.Host = tc.host
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s Host %q: status %d, want %d", tc.method, tc.host, rec.Code, tc.status)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s Host %q: Content-Security-Policy %q", tc.method, tc.host, csp)
		}
	}
}

func TestAPI(t *testing.T) {
	h, srv := testHandler(t)
	r := h.analysis
	s := r.Snapshot

	t.Run("page", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = "127.0.0.1:7000"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || !strings.Contains(string(body), `<script src="app.js"`) {
			t.Fatalf("GET /: %d %.200s", rec.Code, body)
		}
	})

	t.Run("analyze", func(t *testing.T) {
		var a views.Analyze
		get(t, srv, "/api/analyze?top=5&largest=3", 200, &a)
		if a.TotalSize != r.TotalSize || len(a.Classes) != 5 || len(a.Largest) != 3 || len(a.Suspects) != len(h.opts.Suspects) {
			t.Errorf("analyze: total %d, %d classes, %d largest, %d suspects", a.TotalSize, len(a.Classes), len(a.Largest), len(a.Suspects))
		}
	})

	t.Run("classes", func(t *testing.T) {
		var p views.ClassPage
		get(t, srv, "/api/classes?sort=count&offset=2&limit=3", 200, &p)
		if p.Total != len(h.rows) || p.Offset != 2 || len(p.Classes) != 3 {
			t.Fatalf("page: total %d offset %d, %d rows", p.Total, p.Offset, len(p.Classes))
		}
		var all views.ClassPage
		get(t, srv, "/api/classes?sort=count&limit=1000", 200, &all)
		for k := 1; k < len(all.Classes); k++ {
			if all.Classes[k].Count > all.Classes[k-1].Count {
				t.Fatalf("by count: row %d has %d, after %d", k, all.Classes[k].Count, all.Classes[k-1].Count)
			}
		}
		if fmt.Sprint(p.Classes) != fmt.Sprint(all.Classes[2:5]) {
			t.Errorf("page 2–4 differs from the whole list's rows 2–4")
		}
		var f views.ClassPage
		get(t, srv, "/api/classes?filter=dataprocessor", 200, &f)
		if f.Total != 1 || f.Classes[0].Name != "DataProcessor" || f.Classes[0].Count != r.Classes[f.Classes[0].ID].Count {
			t.Errorf("filter: %+v", f)
		}
		get(t, srv, "/api/classes?sort=size", 400, nil)
		get(t, srv, "/api/classes?limit=0", 400, nil)
	})

	t.Run("instances", func(t *testing.T) {
		c := classNamed(t, h, "Array")
		var p views.InstancePage
		get(t, srv, fmt.Sprintf("/api/classes/%d/instances?offset=1&limit=4", c), 200, &p)
		m := h.members.Of(c)
		if p.Total != r.Classes[c].Count || p.Total != len(m) || len(p.Objects) != 4 {
			t.Fatalf("instances: total %d, count %d, %d rows", p.Total, r.Classes[c].Count, len(p.Objects))
		}
		for k, o := range p.Objects {
			if i := m[k+1]; o.ID != s.NodeID[i] || o.RetainedSize != r.Retained.At(i) {
				t.Errorf("instance %d: @%d %d, want @%d %d", k+1, o.ID, o.RetainedSize, s.NodeID[i], r.Retained.At(i))
			}
			if k > 0 && o.RetainedSize > p.Objects[k-1].RetainedSize {
				t.Errorf("instances not by retained size")
			}
		}
		get(t, srv, "/api/classes/99999/instances", 404, nil)
	})

	i := h.members.Of(classNamed(t, h, "DataProcessor"))[0]
	id := s.NodeID[i]
	t.Run("object", func(t *testing.T) {
		var o views.Show
		get(t, srv, fmt.Sprintf("/api/objects/@%d", id), 200, &o)
		want := views.BuildShow(r, h.retainers, i, views.ShowOptions{File: h.opts.File, References: 20, Retainers: 20})
		if fmt.Sprint(o) != fmt.Sprint(*want) {
			t.Errorf("object differs from show's view:\n%+v\n%+v", o, *want)
		}
		get(t, srv, "/api/objects/4294967295", 404, nil)
		get(t, srv, "/api/objects/x1", 400, nil)
	})

	t.Run("references and retainers", func(t *testing.T) {
		var refs views.ReferencePage
		get(t, srv, fmt.Sprintf("/api/objects/%d/references?limit=2&offset=1", id), 200, &refs)
		edges := views.References(r, i)
		if refs.Total != len(edges) || len(refs.References) != min(2, len(edges)-1) {
			t.Fatalf("references: total %d, %d rows", refs.Total, len(refs.References))
		}
		for k, ref := range refs.References {
			if ref.Object.ID != s.NodeID[s.EdgeTo[edges[k+1]]] {
				t.Errorf("reference %d: @%d", k+1, ref.Object.ID)
			}
		}
		var rets views.RetainerPage
		get(t, srv, fmt.Sprintf("/api/objects/%d/retainers", id), 200, &rets)
		want := h.retainers.Retainers(i)
		if rets.Total != len(want) || len(rets.Retainers) != len(want) {
			t.Fatalf("retainers: total %d, %d rows, want %d", rets.Total, len(rets.Retainers), len(want))
		}
		for k, rt := range rets.Retainers {
			if rt.Object.ID != s.NodeID[want[k].From] || string(rt.Edge) != r.EdgeLabel(want[k].Edge) {
				t.Errorf("retainer %d: %s @%d", k, rt.Edge, rt.Object.ID)
			}
		}
	})

	t.Run("chains", func(t *testing.T) {
		var c views.Retainers
		get(t, srv, fmt.Sprintf("/api/objects/%d/chains?paths=2", id), 200, &c)
		if len(c.Objects) != 1 || len(c.Objects[0].Chains) == 0 || !strings.Contains(c.Objects[0].Chains[0].Path, "processor") {
			t.Errorf("chains: %+v", c)
		}
	})

	t.Run("tree", func(t *testing.T) {
		var top views.Top
		get(t, srv, "/api/tree?depth=0&min=10", 200, &top)
		root := s.Root()
		kids := h.tree.Children(root)
		var want int
		for _, k := range kids {
			if r.Retained.At(k) >= r.Retained.At(root)/100 {
				want++
			}
		}
		if top.From == nil || top.From.ID != s.NodeID[root] || len(top.Objects) != want {
			t.Fatalf("tree from the root: %d objects, want %d", len(top.Objects), want)
		}
		for k, o := range top.Objects {
			if o.ID != s.NodeID[kids[k]] || o.Children != nil {
				t.Errorf("child %d: @%d", k, o.ID)
			}
		}
		big := r.Largest(1)[0]
		var sub views.Top
		get(t, srv, fmt.Sprintf("/api/tree/%d?depth=2", s.NodeID[big]), 200, &sub)
		if sub.From.ID != s.NodeID[big] || sub.From.RetainedSize != r.Retained.At(big) || len(sub.Dominators) == 0 {
			t.Errorf("subtree: %+v", sub.From)
		}
		var sum uint64
		for _, o := range sub.Objects {
			sum += o.RetainedSize
		}
		if sum+sub.From.ShallowSize > sub.From.RetainedSize {
			t.Errorf("children retain %d + %d, more than their dominator's %d", sum, sub.From.ShallowSize, sub.From.RetainedSize)
		}
	})

	t.Run("diff", func(t *testing.T) {
		var d views.Diff
		get(t, srv, "/api/diff?sort=alloc&top=3", 200, &d)
		matching := map[bool]string{true: "ids", false: "classes"}[h.opts.Pair.SameProcess]
		if d.ClassCount != len(h.opts.Pair.Rows) || len(d.Classes) != min(3, d.ClassCount) || d.Matching != matching {
			t.Errorf("diff: %d classes of %d, matching %s", len(d.Classes), d.ClassCount, d.Matching)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		get(t, srv, "/api/nothing", 404, nil)
	})
}
