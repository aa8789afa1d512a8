package serve

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

//go:embed ui
var uiFiles embed.FS

// maxPage bounds the rows of one answer: the page asks for a page at a
// time, and no request makes the server build the whole heap.
const maxPage = 1000

// Handler serves the explorer's page and API for h. It answers only
// requests whose Host header is one of hosts (see Hosts), and only GET and
// HEAD: nothing it serves changes anything.
func Handler(h *Heap, hosts []string) http.Handler {
	mux := http.NewServeMux()
	ui, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded tree always has ui/
	}
	mux.Handle("GET /", http.FileServerFS(ui))
	api := func(pattern string, fn func(*http.Request) (any, error)) {
		mux.HandleFunc("GET "+pattern, func(w http.ResponseWriter, r *http.Request) {
			v, err := fn(r)
			answer(w, v, err)
		})
	}
	api("/api/meta", h.meta)
	api("/api/analyze", h.analyze)
	api("/api/suspects", h.suspects)
	api("/api/classes", h.classes)
	api("/api/classes/{class}/instances", h.instances)
	api("/api/objects/{id}", h.object)
	api("/api/objects/{id}/references", h.references)
	api("/api/objects/{id}/retainers", h.retainerPage)
	api("/api/objects/{id}/chains", h.chains)
	api("/api/tree", h.subtree)
	api("/api/tree/{id}", h.subtree)
	api("/api/diff", h.diff)
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		answer(w, nil, notFound("no such endpoint: %s", r.URL.Path))
	})
	checked := AllowHosts(hosts, func(host string) string {
		return fmt.Sprintf("heapsnap serve: refusing a request for host %q: open %s", host, "http://"+hosts[0]+"/")
	}, mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hdr.Set("Allow", "GET, HEAD")
			http.Error(w, "heapsnap serve is read-only: it answers GET and HEAD only", http.StatusMethodNotAllowed)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// AllowHosts passes on to next only the requests whose Host header is one
// of hosts (see Hosts); it refuses the others with 403 and the message
// refusal gives.
func AllowHosts(hosts []string, refusal func(host string) string, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, host := range hosts {
		allowed[strings.ToLower(host)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed[strings.ToLower(r.Host)] {
			// A page of another site that resolves its own name to this
			// machine (DNS rebinding) sends its own name as the Host.
			http.Error(w, refusal(r.Host), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Hosts returns the Host header values under which a server listening on
// addr may be reached: the address itself and, on a loopback address,
// localhost and the other loopback spellings, all with its port. On a
// wildcard address (0.0.0.0, [::]) they are the machine's own addresses
// and host name.
func Hosts(addr net.Addr) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{addr.String()}
	}
	port := strconv.Itoa(tcp.Port)
	var names []string
	switch {
	case tcp.IP.IsLoopback():
		names = []string{tcp.IP.String(), "localhost", "127.0.0.1", "::1"}
	case tcp.IP.IsUnspecified():
		names = []string{"localhost", "127.0.0.1", "::1"}
		if ifaces, err := net.InterfaceAddrs(); err == nil {
			for _, a := range ifaces {
				if ipn, ok := a.(*net.IPNet); ok {
					names = append(names, ipn.IP.String())
				}
			}
		}
		if name, err := os.Hostname(); err == nil {
			names = append(names, name)
		}
	default:
		names = []string{tcp.IP.String()}
	}
	var hosts []string
	for _, n := range names {
		if h := net.JoinHostPort(n, port); !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// requestError is an answer other than 200, with its status.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &requestError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// answer writes v as the command line's JSON, or the error as
// {"error": "…"} with its status.
func answer(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		status := http.StatusInternalServerError
		var re *requestError
		if errors.As(err, &re) {
			status = re.status
		}
		w.WriteHeader(status)
		_ = report.WriteJSON(w, map[string]string{"error": err.Error()})
		return
	}
	_ = report.Write(w, report.JSON, v)
}

// intParam reads a whole-number query parameter of at least min, def when
// absent.
func intParam(r *http.Request, name string, def, min int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		return 0, badRequest("%s: want a whole number of at least %d, got %q", name, min, s)
	}
	return n, nil
}

// page reads offset and limit (at most maxPage rows).
func page(r *http.Request, defLimit int) (views.Page, error) {
	off, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return views.Page{}, err
	}
	lim, err := intParam(r, "limit", defLimit, 1)
	if err != nil {
		return views.Page{}, err
	}
	return views.Page{Offset: off, Limit: min(lim, maxPage)}, nil
}

// node reads the {id} path parameter, a node id as DevTools shows it
// (@123 or 123), and returns the node's ordinal.
func (h *Heap) node(r *http.Request) (uint32, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseUint(strings.TrimPrefix(s, "@"), 10, 32)
	if err != nil {
		return 0, badRequest("invalid object id %q: want @ID as DevTools shows it", s)
	}
	i, ok := h.analysis.NodeByID(uint32(id))
	if !ok {
		return 0, notFound("no object @%d in this snapshot", id)
	}
	return i, nil
}

// Meta is what the page shows in its header.
type Meta struct {
	File      string `json:"file"`
	BaseFile  string `json:"base_file,omitempty"`
	Nodes     int    `json:"nodes"`
	Edges     int    `json:"edges"`
	TotalSize uint64 `json:"total_size"`
	Classes   int    `json:"classes"`
	Suspects  int    `json:"suspects"`
	RootID    uint32 `json:"root_id"`
}

func (h *Heap) meta(*http.Request) (any, error) {
	s := h.analysis.Snapshot
	return &Meta{File: h.opts.File, BaseFile: h.opts.BaseFile, Nodes: s.NodeCount, Edges: s.EdgeCount,
		TotalSize: h.analysis.TotalSize, Classes: len(h.rows), Suspects: len(h.opts.Suspects), RootID: s.NodeID[s.Root()]}, nil
}

// analyze is `heapsnap analyze --format json` with the top and largest
// query parameters.
func (h *Heap) analyze(r *http.Request) (any, error) {
	top, err := intParam(r, "top", 25, 1)
	if err != nil {
		return nil, err
	}
	largest, err := intParam(r, "largest", 10, 0)
	if err != nil {
		return nil, err
	}
	sort := r.URL.Query().Get("sort")
	if sort == "" {
		sort = views.SortKeys[0]
	} else if !slices.Contains(views.SortKeys, sort) {
		return nil, badRequest("sort: use %s", strings.Join(views.SortKeys, ", "))
	}
	rep := views.BuildAnalyze(h.analysis, views.AnalyzeOptions{File: h.opts.File, Top: min(top, maxPage), Sort: sort,
		SuspectKinds: h.opts.SuspectKinds, Suspects: h.opts.Suspects})
	// The largest objects were found once (Analysis.Largest scans every
	// node).
	for _, i := range h.largest[:min(largest, len(h.largest))] {
		rep.Largest = append(rep.Largest, views.Object(h.analysis, i))
	}
	return rep, nil
}

func (h *Heap) suspects(*http.Request) (any, error) {
	return &views.SuspectsReport{SchemaVersion: views.SchemaVersion, File: h.opts.File, TotalSize: h.analysis.TotalSize,
		SuspectKinds: h.opts.SuspectKinds, Suspects: h.opts.Suspects}, nil
}

func (h *Heap) classes(r *http.Request) (any, error) {
	p, err := page(r, 100)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	o := views.ClassPageOptions{Sort: q.Get("sort"), Filter: q.Get("filter"), Ascending: q.Get("asc") == "1", Page: p}
	if o.Sort == "" {
		o.Sort = views.ClassSorts[0]
	} else if !slices.Contains(views.ClassSorts, o.Sort) {
		return nil, badRequest("sort: use %s", strings.Join(views.ClassSorts, ", "))
	}
	return views.BuildClassPage(h.analysis, h.rows, o), nil
}

func (h *Heap) instances(r *http.Request) (any, error) {
	s := r.PathValue("class")
	c, err := strconv.ParseUint(s, 10, 32)
	if err != nil || c >= uint64(len(h.analysis.Classes)) || h.analysis.Classes[c].Count == 0 {
		return nil, notFound("no class %q", s)
	}
	p, err := page(r, 100)
	if err != nil {
		return nil, err
	}
	return views.BuildInstancePage(h.analysis, uint32(c), h.members.Of(uint32(c)), p), nil
}

// object is `heapsnap show --format json` with the first references and
// retainers; the page asks for more with references and retainers.
func (h *Heap) object(r *http.Request) (any, error) {
	i, err := h.node(r)
	if err != nil {
		return nil, err
	}
	return views.BuildShow(h.analysis, h.retainers, i, views.ShowOptions{File: h.opts.File, References: 20, Retainers: 20, Names: h.opts.Names}), nil
}

func (h *Heap) references(r *http.Request) (any, error) {
	return h.objectPage(r, func(i uint32, p views.Page) any {
		return views.BuildReferencePage(h.analysis, i, h.referencesOf(i), p)
	})
}

func (h *Heap) retainerPage(r *http.Request) (any, error) {
	return h.objectPage(r, func(i uint32, p views.Page) any {
		return views.BuildRetainerPage(h.analysis, i, h.retainersOf(i), p)
	})
}

// objectPage reads an object and a page of its rows and builds the page.
func (h *Heap) objectPage(r *http.Request, build func(i uint32, p views.Page) any) (any, error) {
	i, err := h.node(r)
	if err != nil {
		return nil, err
	}
	p, err := page(r, 50)
	if err != nil {
		return nil, err
	}
	return build(i, p), nil
}

// chains are the retainer chains the page draws as a graph: for each of
// the first paths retainers, the chain DevTools expands from it
// (views.BuildRetainerGraph), in the JSON of heapsnap retainers.
func (h *Heap) chains(r *http.Request) (any, error) {
	i, err := h.node(r)
	if err != nil {
		return nil, err
	}
	paths, err := intParam(r, "paths", 5, 1)
	if err != nil {
		return nil, err
	}
	depth, err := intParam(r, "depth", 20, 1)
	if err != nil {
		return nil, err
	}
	return views.BuildRetainerGraph(h.analysis, h.retainers, h.opts.Names, i, min(paths, 20), min(depth, 100), h.opts.File), nil
}

// subtree is `heapsnap top --format json` from an object (the root
// without one), down to depth levels, leaving out what retains less than
// min parts per thousand of it: the icicle's boxes.
func (h *Heap) subtree(r *http.Request) (any, error) {
	i := h.analysis.Snapshot.Root()
	if r.PathValue("id") != "" {
		var err error
		if i, err = h.node(r); err != nil {
			return nil, err
		}
	}
	depth, err := intParam(r, "depth", 8, 0)
	if err != nil {
		return nil, err
	}
	permille, err := intParam(r, "min", 2, 1)
	if err != nil {
		return nil, err
	}
	minSize := max(1, h.analysis.Retained.At(i)*uint64(permille)/1000)
	h.treeMu.Lock()
	defer h.treeMu.Unlock()
	return views.BuildSubtree(h.analysis, h.tree, i, views.TopOptions{File: h.opts.File, Depth: min(depth, 30), MinSize: minSize}), nil
}

// diff is `heapsnap diff BASE FILE --format json`.
func (h *Heap) diff(r *http.Request) (any, error) {
	if h.opts.Pair == nil {
		return nil, notFound("no base snapshot: run heapsnap serve FILE BASE to compare")
	}
	sort := r.URL.Query().Get("sort")
	if sort == "" {
		sort = devtools.SortSizeDelta
	} else if !slices.Contains(devtools.ComparisonSorts, sort) {
		return nil, badRequest("sort: use %s", strings.Join(devtools.ComparisonSorts, ", "))
	}
	top, err := intParam(r, "top", 200, 0)
	if err != nil {
		return nil, err
	}
	if top == 0 || top > maxPage {
		top = maxPage
	}
	h.treeMu.Lock() // BuildDiff sorts the pair's rows in place
	defer h.treeMu.Unlock()
	return views.BuildDiff(h.opts.Pair, views.DiffOptions{Old: h.opts.BaseFile, New: h.opts.File, Sort: sort, Top: top}), nil
}
