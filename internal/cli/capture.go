package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/heapsnap/heapsnap/internal/capture"
	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

const captureLong = `Capture takes a heap snapshot of a running Node.js process over the inspector
protocol, the way Chrome DevTools does, and analyzes it as it streams in: the
report is analyze's, with the same flags and formats. No file is written unless
--out asks for one. See docs/capture.md.

The process needs no flag. For a PID (Linux), heapsnap does what Node documents:
it sends SIGUSR1, finds the port the inspector opened (9229, its --inspect-port,
or any: it looks among the process's own sockets and asks GET /json/list), and
closes the inspector again afterwards; the process keeps running. An inspector
that is already open is used and left open. Only loopback is contacted.
--inspect HOST:PORT (or a ws:// URL) names an inspector that is open already,
anywhere, e.g. through kubectl port-forward; it is left open unless
--close-inspector says otherwise.

Before a snapshot heapsnap checks that the process has the memory it costs:
V8 needs about ten times the heap in use, outside the heap, to take one. The
room comes from the process's cgroup (memory.max less memory.current, not
counting reclaimable page cache) or the machine's free memory; with too little,
heapsnap refuses (exit 3) rather than push the process over its limit. --force
takes the snapshot anyway. $HEAPSNAP_CGROUP_ROOT names the cgroup filesystem if
it is not mounted at /sys/fs/cgroup.

--count N takes N snapshots, --interval apart (from the start of one to the
start of the next), each analyzed before the next is taken, and reports them as
"heapsnap diff S1 … SN" does: two as a comparison, more as what grows at every
step and leak candidates. --out then names one file per step:
heap.heapsnapshot.gz becomes heap-1.heapsnapshot.gz, heap-2.heapsnapshot.gz, …

--track-allocations DURATION records a stack for every allocation for that long
before the snapshot, which then says where each object was allocated (heapsnap
allocations, show, suspects). It is expensive: while it runs, the process
allocates up to a hundred times more slowly, and its memory grows by about
2 MB a second. Track for seconds, not minutes, on a process that serves traffic.

The process is paused while V8 walks its heap: about a second for a 20 MB
snapshot, ten for 150 MB.

Capture errors (no such process, not a Node.js process, inspector disabled,
port taken, not enough memory, the process exited or the connection dropped
mid-snapshot, a timeout) are one line and exit 3; a file --out asked for is
written under a temporary name and renamed only when complete. On Ctrl-C
heapsnap still closes the inspector it opened, once V8 has finished the
snapshot it cannot stop; a second Ctrl-C leaves it open, on loopback.
` + exitStatusHelp

func (a *app) newCaptureCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "capture PID | capture --inspect HOST:PORT|URL",
		Short: "Take a snapshot of a running Node.js process and analyze it as it streams in",
		Long:  captureLong,
		Example: `  heapsnap capture 4242
  heapsnap capture 4242 --suspects-only --format json
  heapsnap capture 4242 --out heap.heapsnapshot.gz
  heapsnap capture 4242 --count 3 --interval 30s
  heapsnap capture 4242 --track-allocations 5s --suspects-only
  heapsnap capture --inspect 127.0.0.1:9229 --close-inspector`,
		Args: rangeArgs(0, 1, "one PID"),
	}
	f := cmd.Flags()
	addAnalyzeFlags(f, "", "order of class rows: "+strings.Join(views.SortKeys, ", ")+" (default retained); with --count 2, diff's: "+
		strings.Join(devtools.ComparisonSorts, ", ")+" (default size-delta)")
	f.String("inspect", "", "an inspector that is already open: `HOST:PORT`, or the ws:// URL GET /json/list gives (instead of a PID)")
	addCaptureFlags(f)
	f.Int("count", 1, "take `N` snapshots, --interval apart, and report them as heapsnap diff S1 … SN")
	f.String("interval", "30s", "`DURATION` from the start of one snapshot of a series to the start of the next")
	a.bindFlags(cmd, "capture")
	cmd.RunE = runE(a, a.captureOptions, a.capture)
	return cmd
}

// addCaptureFlags defines how a snapshot is taken, for capture and check.
func addCaptureFlags(f *pflag.FlagSet) {
	f.String("out", "", "also write the snapshot to `FILE` (gzip-compressed when it ends in .gz), complete or not at all")
	f.Bool("force", false, "take the snapshot even when the process seems to lack the memory it costs")
	f.String("track-allocations", "0s", "record allocation stacks for `DURATION` before the snapshot (the process allocates up to 100 times more slowly meanwhile)")
	f.String("timeout", "10s", "`DURATION` to wait for the inspector to open, and for each of its answers")
	f.String("idle-timeout", "2m", "`DURATION` a snapshot may go without word from the process")
	f.Bool("close-inspector", false, "close the inspector afterwards even though heapsnap did not open it")
}

// captureSettings say which process to capture and how: capture's and
// check --capture's.
type captureSettings struct {
	pid            int
	address        string
	out            string
	force          bool
	track          time.Duration
	timeout, idle  time.Duration
	closeInspector bool
	cgroupRoot     string
}

// captureOptions are the settings of `heapsnap capture`.
type captureOptions struct {
	captureSettings
	count    int
	interval time.Duration
	analyze  *analyzeOptions // one snapshot: analyze's report
	diff     *diffOptions    // a series: diff's
}

func (a *app) captureOptions(args []string) (*captureOptions, error) {
	st := a.settings("capture")
	o := &captureOptions{count: st.count("count", 1), interval: st.duration("interval")}
	if st.err != nil {
		return nil, st.err
	}
	target, address := st.str("inspect"), true
	switch {
	case len(args) == 1 && target != "":
		return nil, usagef("give a PID or --inspect, not both")
	case len(args) == 1:
		target, address = args[0], false
	case target == "":
		return nil, usagef("capture: expected a PID, or --inspect HOST:PORT for an inspector that is open")
	}
	cs, err := a.readCaptureSettings(st, target, address)
	if err != nil {
		return nil, err
	}
	o.captureSettings = *cs
	if o.count == 1 {
		a.v.SetDefault("capture.sort", views.SortKeys[0])
		o.analyze = a.readAnalyzeOptions(st, "")
		return o, st.err
	}
	// A series is diff's report: diff's formats and order.
	if st.flag("suspects-only") {
		return nil, usagef("%s reports one snapshot; a series (%s %d) is reported as heapsnap diff reports it", a.origin("capture.suspects_only"), a.origin("capture.count"), o.count)
	}
	a.v.SetDefault("capture.sort", devtools.SortSizeDelta)
	o.diff = &diffOptions{
		format: st.format(report.Table, report.JSON, report.Markdown),
		sort:   st.oneOf("sort", devtools.ComparisonSorts),
		top:    st.count("top", 0),
		match:  diff.MatchAuto,
	}
	return o, st.err
}

// readCaptureSettings reads how to capture target from a command's
// section: a PID (a number), or an inspector address (anything else, or
// anything when address is set: --inspect 9229 is a port).
func (a *app) readCaptureSettings(st *settings, target string, address bool) (*captureSettings, error) {
	cs := &captureSettings{
		out:            st.str("out"),
		force:          st.flag("force"),
		track:          st.duration("track-allocations"),
		timeout:        st.duration("timeout"),
		idle:           st.duration("idle-timeout"),
		closeInspector: st.flag("close-inspector"),
		cgroupRoot:     os.Getenv("HEAPSNAP_CGROUP_ROOT"),
	}
	if st.err != nil {
		return nil, st.err
	}
	if pid, err := strconv.Atoi(target); err == nil && !address {
		if pid <= 0 {
			return nil, usagef("%d is not a process id", pid)
		}
		cs.pid = pid
	} else if err := capture.CheckAddress(target); err != nil {
		return nil, usagef("%q is neither a process id nor an inspector address: %v", target, err)
	} else {
		cs.address = target
	}
	switch {
	case cs.out == "-":
		return nil, usagef("--out -: the report goes to standard output; name a file for the snapshot")
	case cs.out != "":
		dir := filepath.Dir(cs.out)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, usagef("--out %s: no directory %s to write it in", cs.out, dir)
		}
	}
	return cs, nil
}

func (a *app) capture(o *captureOptions) error {
	c, err := a.openCapture(&o.captureSettings, o.count, o.interval)
	if err != nil {
		return err
	}
	if o.count == 1 {
		res, err := c.analysis(1)
		if err != nil {
			return c.finish(err)
		}
		o.analyze.file = c.stepName(1)
		return c.finish(a.reportAnalysis(res, o.analyze))
	}
	names := make([]string, o.count)
	steps := make(map[string]int, o.count)
	for k := range names {
		names[k] = c.stepName(k + 1)
		steps[names[k]] = k + 1
	}
	o.diff.files = names
	load := func(name string) (*devtools.Analysis, *retainers.Namer, error) {
		res, err := c.analysis(steps[name])
		if err != nil {
			return nil, nil, err
		}
		return res, a.namer(res), nil
	}
	return c.finish(a.compare(o.diff, names, load))
}

// captureOne takes one snapshot for check --capture and analyzes it; name
// is what the report calls it, and finish(err) ends the capture, giving
// the run's error.
func (a *app) captureOne(cs *captureSettings) (res *devtools.Analysis, name string, finish func(error) error, err error) {
	c, err := a.openCapture(cs, 1, 0)
	if err != nil {
		return nil, "", nil, err
	}
	res, err = c.analysis(1)
	if err != nil {
		return nil, "", nil, c.finish(err)
	}
	return res, c.stepName(1), c.finish, nil
}

// interrupt tells the running command of Ctrl-C. It returns true when the
// command winds down itself, false when the run may end at once.
func (a *app) interrupt() bool {
	if h := a.onInterrupt.Load(); h != nil {
		return (*h)()
	}
	return false
}

// note writes one line about what heapsnap does to the process to stderr.
func (a *app) note(msg string) {
	if a.quiet {
		return
	}
	if a.showProgress() {
		fmt.Fprint(a.streams.Err, "\r\x1b[K") // over the progress line the analysis may be drawing
	}
	fmt.Fprintf(a.streams.Err, "heapsnap: %s\n", msg)
}

// capturer takes the snapshots of one capture session as the report asks
// for them: a series' in order, each analyzed before the next is taken;
// a pair's second first, so the first is kept meanwhile (spooled: in its
// --out file, or gzip-compressed in memory).
type capturer struct {
	a      *app
	cs     *captureSettings
	sess   *capture.Session
	target string // "process 4242", or the address
	count  int
	sched  capture.Schedule
	taken  int            // snapshots taken so far
	spools map[int]*spool // snapshots taken and not analyzed yet
	// ctx ends with Ctrl-C. mu is held while the session is busy (opening,
	// a snapshot, closing): an interrupt then lets that end with ctx, and
	// otherwise closes the session itself.
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
}

func (a *app) openCapture(cs *captureSettings, count int, interval time.Duration) (*capturer, error) {
	c := &capturer{a: a, cs: cs, count: count, sched: capture.Schedule{Interval: interval}, spools: map[int]*spool{}}
	c.target = cs.address
	if cs.pid != 0 {
		c.target = fmt.Sprintf("process %d", cs.pid)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	hook := c.interrupted
	c.mu.Lock()
	a.onInterrupt.Store(&hook)
	sess, err := capture.Open(c.ctx, capture.Options{
		PID: cs.pid, Address: cs.address,
		Timeout: cs.timeout, IdleTimeout: cs.idle,
		CloseInspector: cs.closeInspector,
		Log:            a.note,
		CgroupRoot:     cs.cgroupRoot,
	})
	c.sess = sess
	c.mu.Unlock()
	if err != nil {
		c.closed = true
		c.release()
		return nil, captureError(err)
	}
	return c, nil
}

// interrupted is Ctrl-C during a capture (see Run): while the session is
// busy, the context ends what it does, and the capture closes the
// inspector before it exits (true); when it is idle (between the steps of
// a series, or analyzing) the inspector is closed here and the run may
// end at once (false).
func (c *capturer) interrupted() bool {
	c.cancel()
	if !c.mu.TryLock() {
		return true
	}
	defer c.mu.Unlock()
	c.closeLocked()
	return false
}

// release ends the capture's hold on Ctrl-C.
func (c *capturer) release() {
	c.a.onInterrupt.Store(nil)
	c.cancel()
}

// captureError is the command line's error for a capture that failed:
// exit 3 with the capture's one-line message, or the exit status of an
// interrupt.
func captureError(err error) error {
	if errors.Is(err, context.Canceled) {
		return &exitError{code: ExitSignal, err: errSilent} // "interrupted" is said already
	}
	return err
}

// stepName is how the report and messages call snapshot step: the file
// --out names, or the process.
func (c *capturer) stepName(step int) string {
	switch {
	case c.cs.out != "":
		return c.path(step)
	case c.count == 1:
		return c.target
	}
	return fmt.Sprintf("%s #%d", c.target, step)
}

// path is the file --out names for step.
func (c *capturer) path(step int) string {
	if c.count == 1 {
		return c.cs.out
	}
	return capture.StepPath(c.cs.out, step, c.count)
}

// analysis returns the analysis of snapshot step, taking it now (and the
// steps before it, spooled) unless it was taken already.
func (c *capturer) analysis(step int) (*devtools.Analysis, error) {
	if sp := c.spools[step]; sp != nil {
		delete(c.spools, step)
		return sp.analyze(c.a, c.stepName(step))
	}
	for c.taken+1 < step {
		if err := c.spool(c.taken + 1); err != nil {
			return nil, err
		}
	}
	return c.stream(step)
}

// stream takes snapshot step straight into the parser (and the --out file).
func (c *capturer) stream(step int) (*devtools.Analysis, error) {
	if err := c.sched.Wait(c.ctx); err != nil {
		return nil, captureError(err)
	}
	pr, pw := io.Pipe()
	var sink capture.Sink = pw
	if c.cs.out != "" {
		f, err := capture.CreateFile(c.path(step))
		if err != nil {
			return nil, err
		}
		sink = capture.Tee(f, pw)
	}
	type parsed struct {
		res *devtools.Analysis
		err error
	}
	done := make(chan parsed, 1)
	go func() {
		res, err := c.a.read(pr, -1, c.stepName(step), &progress{})
		pr.CloseWithError(err) // a parser that stops fails the capture's writes
		done <- parsed{res, err}
	}()
	err := c.snapshot(sink, step)
	if cerr := sink.CloseWithError(err); err == nil {
		err = cerr
	}
	if step == c.count {
		// The last snapshot is in: leave the process before analyzing.
		c.close()
	}
	p := <-done
	var ce *capture.Error
	switch {
	case err != nil && (errors.As(err, &ce) || errors.Is(err, context.Canceled) || p.err == nil):
		return nil, captureError(err)
	case p.err != nil:
		return nil, p.err
	}
	return p.res, nil
}

// spool takes snapshot step to be analyzed later.
func (c *capturer) spool(step int) error {
	if err := c.sched.Wait(c.ctx); err != nil {
		return captureError(err)
	}
	sp := &spool{}
	var sink capture.Sink
	if c.cs.out != "" {
		f, err := capture.CreateFile(c.path(step))
		if err != nil {
			return err
		}
		sp.file, sink = c.path(step), f
	} else {
		sp.gz, _ = gzip.NewWriterLevel(&sp.buf, gzip.BestSpeed) // as capture.File: fast enough to keep up
		sink = sp
	}
	err := c.snapshot(sink, step)
	if cerr := sink.CloseWithError(err); err == nil {
		err = cerr
	}
	if err != nil {
		return captureError(err)
	}
	c.spools[step] = sp
	return nil
}

// snapshot takes snapshot step into w, with a progress line on a terminal.
func (c *capturer) snapshot(w io.Writer, step int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed { // by an interrupt
		return captureError(context.Canceled)
	}
	c.taken = step
	bar := c.a.newBar(-1, "", c.target)
	defer bar.finish()
	prefix := c.target + ": "
	if c.count > 1 {
		prefix = fmt.Sprintf("%s: snapshot %d of %d: ", c.target, step, c.count)
	}
	_, err := c.sess.Snapshot(c.ctx, w, capture.SnapshotOptions{
		TrackAllocations: c.cs.track,
		Force:            c.cs.force,
		Step:             step,
		Progress: func(p capture.Progress) {
			switch p.Phase {
			case capture.PhaseTracking:
				bar.describe(prefix + fmt.Sprintf("tracking allocations (%s of %s)", p.Elapsed.Round(time.Second), c.cs.track))
			case capture.PhaseGenerating:
				if p.Total > 0 {
					bar.describe(prefix + fmt.Sprintf("V8 walks the heap, %d%%", p.Done*100/p.Total))
				}
			case capture.PhaseStreaming:
				bar.describe(prefix + "receiving " + units.Bytes(uint64(p.Bytes)))
			}
		},
	})
	return err
}

// close leaves the process as it was found; a failure is said at once
// (heapsnap still reports what it took) and fails the run.
func (c *capturer) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeLocked()
}

func (c *capturer) closeLocked() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.ctx.Err() != nil && (c.sess.Target().Opened || c.cs.closeInspector) {
		c.a.note(fmt.Sprintf("closing the inspector of %s (interrupt again to leave it open)", c.target))
	}
	// Not canceled with ctx: an interrupted capture still closes what it
	// opened; a second interrupt exits at once.
	err := c.sess.Close(context.WithoutCancel(c.ctx))
	if err != nil {
		fmt.Fprintf(c.a.streams.Err, "heapsnap: %v\n", err) // even with --quiet: it fails the run
	}
	return err
}

// finish closes the session (if the last step did not) and returns the
// run's error: err, else a failure to close the inspector.
func (c *capturer) finish(err error) error {
	defer c.release()
	clear(c.spools)
	if cerr := c.close(); err == nil && cerr != nil {
		return &exitError{code: ExitFailure, err: errSilent} // said by close
	}
	return err
}

// spool keeps a snapshot until the report needs it: a file, or a gzip
// stream in memory (about a fifth of the snapshot's size).
type spool struct {
	file string
	gz   *gzip.Writer
	buf  bytes.Buffer
}

func (sp *spool) Write(p []byte) (int, error) { return sp.gz.Write(p) }

func (sp *spool) CloseWithError(err error) error {
	if err != nil {
		sp.buf = bytes.Buffer{}
		return nil
	}
	return sp.gz.Close()
}

func (sp *spool) analyze(a *app, name string) (*devtools.Analysis, error) {
	if sp.file != "" {
		return a.load(sp.file)
	}
	b := sp.buf.Bytes()
	sp.buf = bytes.Buffer{}
	return a.read(bytes.NewReader(b), int64(len(b)), name, a.newBar(int64(len(b)), "reading", name))
}
