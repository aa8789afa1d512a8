package serve

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// The browser tests drive a headless Chromium (Debian's chromium package,
// which .ci/run installs) over the DevTools protocol. Without a browser
// they skip. With -update they also write the screenshots docs/ shows.

// chromium returns the browser's path, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on this machine (apt-get install chromium)")
	return ""
}

// browser is one headless Chromium for a test, with every console error,
// uncaught exception and request it sees.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console: "+strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			// Content-Security-Policy violations and failed loads.
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				b.errors = append(b.errors, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				b.errors = append(b.errors, fmt.Sprintf("HTTP %d: %s", int(ev.Response.Status), ev.Response.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	for _, enable := range []func() error{
		func() error { _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); return err },
		func() error { _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); return err },
	} {
		if err := enable(); err != nil {
			t.Fatalf("starting Chromium: %v", err)
		}
	}
	// The browser lives as long as ctx; each test's actions get a deadline
	// of their own.
	b.ctx, cancelCtx = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelCtx)
	return b
}

func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// noErrors fails the test on any console error or failed request so far.
func (b *browser) noErrors(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Error(e)
	}
	b.errors = nil
}

// screenshot writes docs/images/NAME.png with -update.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	if !testutil.Updating() {
		return
	}
	b.do(t, chromedp.Sleep(150*time.Millisecond))
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(testutil.Root(), "docs", "images", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// serveHeap serves h on a loopback port for the test's lifetime.
func serveHeap(t *testing.T, h *Heap) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hosts := Hosts(ln.Addr())
	srv := &http.Server{Handler: Handler(h, hosts)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + hosts[0] + "/"
}

// ready waits until the page has shown the route (app.js sets
// body[data-ready] once a view is drawn).
func ready(hash string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`body[data-ready=%q]`, hash)))
}

// css is a CSS selector for chromedp.
func css(format string, args ...any) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(format, args...)) }

func TestBrowserExplorer(t *testing.T) {
	b := newBrowser(t)
	h := incidentHeap(t)
	r := h.analysis
	s := r.Snapshot
	url := serveHeap(t, h)

	t.Run("summary", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/summary"), ready("#/summary"))
		if got, want := eval[int](t, b, `document.querySelectorAll('tr[data-kind=class]').length`), min(200, len(h.rows)); got != want {
			t.Errorf("%d class rows, want %d", got, want)
		}
		// The first row is the class that retains the most.
		if got, want := eval[string](t, b, `document.querySelector('tr[data-kind=class] .cls').textContent`), r.ClassName(h.rows[0]); got != want {
			t.Errorf("first class %q, want %q", got, want)
		}
		b.screenshot(t, "serve-summary")
		b.noErrors(t)
	})

	// The class with the incident's leak: expanding it lists its
	// instances, biggest first; clicking one shows its retainers.
	class := classNamed(t, h, "Array")
	members := h.members.Of(class)
	t.Run("expand a class", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/summary?filter=Array"), ready("#/summary?filter=Array"),
			chromedp.Click(css(`tr[data-kind=class][data-id="%d"] .tw`, class)),
			chromedp.WaitVisible(css(`tr[data-kind=obj]`)))
		ids := eval[[]string](t, b, `[...document.querySelectorAll('tr[data-kind=obj]')].map(tr => tr.dataset.id)`)
		if want := min(100, len(members)); len(ids) != want {
			t.Fatalf("%d instances shown, want %d", len(ids), want)
		}
		for k, id := range ids {
			if want := fmt.Sprint(s.NodeID[members[k]]); id != want {
				t.Errorf("instance %d is @%s, want @%s", k, id, want)
			}
		}
		b.noErrors(t)
	})

	t.Run("instance retainers", func(t *testing.T) {
		i := members[0]
		want := h.retainers.Retainers(i)
		b.do(t, chromedp.Click(css(`tr[data-kind=obj]`)), chromedp.WaitVisible(css(`#object-pane tr[data-kind=obj]`)))
		got := eval[[]string](t, b, `[...document.querySelectorAll('#retainers-of tr[data-kind=obj]')].map(tr => tr.dataset.id)`)
		if len(got) != min(len(want), 50) {
			t.Fatalf("%d retainers shown, want %d", len(got), min(len(want), 50))
		}
		for k := range got {
			if w := fmt.Sprint(s.NodeID[want[k].From]); got[k] != w {
				t.Errorf("retainer %d is @%s, want @%s", k, got[k], w)
			}
		}
		path := eval[string](t, b, `document.querySelector('#owner-path').textContent`)
		if want := views.BuildShow(r, h.retainers, i, views.ShowOptions{}).Path; path != want {
			t.Errorf("owner path %q, want %q", path, want)
		}
		b.screenshot(t, "serve-retainers")
		b.noErrors(t)
	})

	t.Run("icicle", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/tree"), ready("#/tree"))
		shown := map[string]bool{}
		for _, id := range eval[[]string](t, b, `[...document.querySelectorAll('#icicle .box')].map(b => b.dataset.id)`) {
			shown[id] = true
		}
		// Every object that retains at least 1% of the heap has a box.
		for _, i := range r.Largest(10) {
			if r.Retained.At(i)*100 >= r.TotalSize && !shown[fmt.Sprint(s.NodeID[i])] {
				t.Errorf("the icicle has no box for @%d, which retains %d bytes", s.NodeID[i], r.Retained.At(i))
			}
		}
		b.screenshot(t, "serve-icicle")
		// Zooming into the largest object shows it at the top.
		big := fmt.Sprint(s.NodeID[r.Largest(1)[0]])
		b.do(t, chromedp.Click(css(`#icicle .box[data-id="%s"]`, big)), ready("#/tree/"+big))
		if top := eval[string](t, b, `document.querySelector('#icicle .box').dataset.id`); top != big {
			t.Errorf("zoomed icicle starts at @%s, want @%s", top, big)
		}
		b.noErrors(t)
	})

	t.Run("object", func(t *testing.T) {
		id := fmt.Sprint(s.NodeID[members[0]])
		b.do(t, chromedp.Navigate(url+"#/object/"+id), ready("#/object/"+id), chromedp.WaitVisible(css(`#retainers-of tr[data-kind=obj]`)))
		if n := eval[int](t, b, `document.querySelectorAll('#retainer-graph g.node').length`); n < 2 {
			t.Errorf("the retainer graph has %d nodes", n)
		}
		b.screenshot(t, "serve-object")
		b.noErrors(t)
	})

	t.Run("suspects", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/suspects"), ready("#/suspects"))
		titles := eval[[]string](t, b, `[...document.querySelectorAll('.suspect .title')].map(e => e.textContent)`)
		if len(titles) != len(h.opts.Suspects) {
			t.Fatalf("%d suspects shown, want %d", len(titles), len(h.opts.Suspects))
		}
		for k, sp := range h.opts.Suspects {
			if titles[k] != sp.Title {
				t.Errorf("suspect %d: %q, want %q", k, titles[k], sp.Title)
			}
		}
		b.screenshot(t, "serve-suspects")
		b.noErrors(t)
	})

	t.Run("statistics", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/stats"), ready("#/stats"))
		if n := eval[int](t, b, `document.querySelectorAll('#stats-bar div').length`); n != 7 {
			t.Errorf("%d slices in the statistics bar, want 7", n)
		}
		b.screenshot(t, "serve-statistics")
		b.noErrors(t)
	})

	t.Run("comparison", func(t *testing.T) {
		b.do(t, chromedp.Navigate(url+"#/diff"), ready("#/diff"))
		if n, want := eval[int](t, b, `document.querySelectorAll('#diff-table tbody tr').length`), min(len(h.opts.Pair.Rows), maxPage); n != want {
			t.Errorf("%d comparison rows, want %d", n, want)
		}
		b.screenshot(t, "serve-comparison")
		b.noErrors(t)
	})
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

// TestBrowserReport opens the HTML report from a file: it renders with no
// request beyond the file itself, and its tables sort.
func TestBrowserReport(t *testing.T) {
	b := newBrowser(t)
	h := incidentHeap(t)
	r := h.analysis
	o := views.BuildOverview(r, devtools.NewDominatorTree(r), views.AnalyzeOptions{File: h.opts.File, Top: 25, Sort: "retained", Largest: 10,
		SuspectKinds: h.opts.SuspectKinds, Suspects: h.opts.Suspects}, nil)
	var buf bytes.Buffer
	if err := report.Write(&buf, report.HTML, o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(t, chromedp.Navigate("file://"+path), chromedp.WaitVisible(css(`#dominators .box`)))
	if n := eval[int](t, b, `document.querySelectorAll('#dominators .box').length`); n < 10 {
		t.Errorf("the icicle has %d boxes", n)
	}
	if got := eval[string](t, b, `document.querySelector('#suspects .title').textContent`); got != h.opts.Suspects[0].Title {
		t.Errorf("first suspect %q, want %q", got, h.opts.Suspects[0].Title)
	}
	// Sorting the classes by count puts the most numerous first.
	b.do(t, chromedp.Click(css(`#classes th:nth-child(3)`)))
	most := o.Classes[0]
	for _, c := range o.Classes {
		if c.Count > most.Count {
			most = c
		}
	}
	if got := eval[string](t, b, `document.querySelector('#classes tbody td').textContent`); got != string(most.Name) {
		t.Errorf("by count the first class is %q, want %q", got, most.Name)
	}
	b.mu.Lock()
	for _, u := range b.requests {
		if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the report asked for %s", u)
		}
	}
	b.mu.Unlock()
	b.do(t, chromedp.Click(css(`#classes th:nth-child(5)`)))
	b.screenshot(t, "report")
	b.noErrors(t)
}
