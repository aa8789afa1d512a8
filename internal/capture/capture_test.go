//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// Every test ends with no goroutine of the package left: readers stop
// with their connections, and no HTTP connection is kept idle.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCapturePID opens the inspector of a process started without
// --inspect by SIGUSR1, on a port the system picks (--inspect-port=0, so
// that only the /proc socket lookup can find it), streams a snapshot into
// the parser, and closes the inspector again.
func TestCapturePID(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"})
	if got := listening(t, p); len(got) != 0 {
		t.Fatalf("listens on %v before the capture", got)
	}
	s := open(t, Options{PID: p.PID})
	tg := s.Target()
	if !tg.Opened || tg.PID != p.PID || !strings.HasPrefix(tg.NodeVersion, "v20.") || !strings.HasPrefix(tg.Address, "127.0.0.1:") || !strings.HasSuffix(tg.Title, "leak.js") {
		t.Errorf("target %+v", tg)
	}
	snap, st := capture(t, s, SnapshotOptions{})
	if got := closures(snap, "onLeakyData"); got != leakListeners {
		t.Errorf("%d onLeakyData closures, want %d", got, leakListeners)
	}
	if snap.NodeCount < 20000 || snap.TraceFunctionCount != 0 {
		t.Errorf("%d nodes, %d trace functions", snap.NodeCount, snap.TraceFunctionCount)
	}
	if st.Chunks < 2 || st.Bytes < 1<<20 || !st.Headroom.Known || st.Headroom.HeapUsed == 0 || st.Headroom.Need <= st.Headroom.HeapUsed {
		t.Errorf("stats %+v", st)
	}
	closeAndCheck(t, s, p)
	// Closed means closed for good: a second capture opens it anew.
	s2 := open(t, Options{PID: p.PID})
	if !s2.Target().Opened {
		t.Error("second session found the inspector open")
	}
	captureLeak(t, s2)
	closeAndCheck(t, s2, p)
}

// TestCaptureDefaultPort is the case Node documents: SIGUSR1 and
// 127.0.0.1:9229.
func TestCaptureDefaultPort(t *testing.T) {
	t.Parallel()
	if l, err := net.Listen("tcp", "127.0.0.1:9229"); err != nil {
		t.Skipf("127.0.0.1:9229 is in use here: %v", err)
	} else {
		l.Close()
	}
	p := startNode(t, nodeBinary(t, 20), nil)
	s := open(t, Options{PID: p.PID})
	if got := s.Target().Address; got != "127.0.0.1:9229" {
		t.Errorf("inspector on %s", got)
	}
	captureLeak(t, s)
	closeAndCheck(t, s, p)
}

// TestNodeVersions captures (plain and with allocation stacks) and closes
// on every Node major the project supports, from an ES module, where no
// require is in scope.
func TestNodeVersions(t *testing.T) {
	t.Parallel()
	for _, major := range []int{20, 22, 24, 26} {
		t.Run(strconv.Itoa(major), func(t *testing.T) {
			p := startNode(t, nodeBinary(t, major), []string{"--inspect-port=0", testutil.Testdata("capture", "leak.mjs")})
			s := open(t, Options{PID: p.PID})
			if v := s.Target().NodeVersion; !strings.HasPrefix(v, fmt.Sprintf("v%d.", major)) {
				t.Errorf("node %s", v)
			}
			captureLeak(t, s)
			// TestTrackAllocations parses such a snapshot; here its header
			// is enough.
			var head prefixWriter
			if _, err := s.Snapshot(context.Background(), &head, SnapshotOptions{TrackAllocations: 200 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			if m := traceFunctionCount.FindSubmatch(head.b); m == nil || string(m[1]) == "0" {
				t.Errorf("no trace functions with allocation tracking: %.300s", head.b)
			}
			closeAndCheck(t, s, p)
		})
	}
}

// TestCloseWithoutGetBuiltinModule closes the inspector of a Node that
// lacks process.getBuiltinModule (before 20.16 and 22.3), through the
// require of Node's console API, in an ES module.
func TestCloseWithoutGetBuiltinModule(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0", "--import=data:text/javascript,delete process.getBuiltinModule", testutil.Testdata("capture", "leak.mjs")})
	s := open(t, Options{PID: p.PID})
	var has bool
	if err := s.evaluate(context.Background(), "typeof process.getBuiltinModule === 'function'", &has); err != nil || has {
		t.Fatalf("getBuiltinModule still there (%v)", err)
	}
	closeAndCheck(t, s, p)
}

// TestSeries takes three snapshots, each to its own file named with the
// step, of a process whose leak grows by 100 listeners between them.
func TestSeries(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"})
	s := open(t, Options{PID: p.PID})
	dir := t.TempDir()
	out := filepath.Join(dir, "heap.heapsnapshot.gz")
	var steps []int
	stats, err := s.Series(context.Background(), SeriesOptions{Count: 3, Interval: 300 * time.Millisecond}, func(step int) (Sink, error) {
		steps = append(steps, step)
		if step > 1 {
			if err := s.evaluate(context.Background(), "leakyGrow(100), true", nil); err != nil {
				return nil, err
			}
		}
		return CreateFile(StepPath(out, step, 3))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 3 || fmt.Sprint(steps) != "[1 2 3]" {
		t.Fatalf("%d stats, steps %v", len(stats), steps)
	}
	dirHolds(t, dir, "heap-1.heapsnapshot.gz", "heap-2.heapsnapshot.gz", "heap-3.heapsnapshot.gz")
	var counts []int
	for step := 1; step <= 3; step++ {
		counts = append(counts, closures(parseFile(t, StepPath(out, step, 3)), "onLeakyData"))
	}
	if fmt.Sprint(counts) != fmt.Sprint([]int{leakListeners, leakListeners + 100, leakListeners + 200}) {
		t.Errorf("listeners at each step: %v", counts)
	}
}

// TestTrackAllocations takes a snapshot with allocation stacks, and checks
// that tracking stopped with it.
func TestTrackAllocations(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"}, "LEAK_GROW=10")
	s := open(t, Options{PID: p.PID})
	var tracking, generating bool
	snap, _ := capture(t, s, SnapshotOptions{TrackAllocations: 500 * time.Millisecond, Progress: func(pr Progress) {
		tracking = tracking || pr.Phase == PhaseTracking
		generating = generating || pr.Phase == PhaseGenerating
	}})
	if snap.TraceFunctionCount == 0 {
		t.Error("no trace functions in a snapshot taken while tracking allocations")
	}
	if !tracking || !generating {
		t.Errorf("progress: tracking %v, generating %v", tracking, generating)
	}
	if got := closures(snap, "onLeakyData"); got < leakListeners {
		t.Errorf("%d onLeakyData closures", got)
	}
	if !hasNodeField(snap.Meta.NodeFields, "trace_node_id") {
		t.Errorf("node fields %v", snap.Meta.NodeFields)
	}
	// The next snapshot is plain: tracking stopped.
	plain, _ := capture(t, s, SnapshotOptions{})
	if plain.TraceFunctionCount != 0 {
		t.Errorf("tracking still on: %d trace functions", plain.TraceFunctionCount)
	}
}

// prefixWriter keeps the first 4 kB written to it.
type prefixWriter struct{ b []byte }

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p[:min(len(p), 4096-len(w.b))]...)
	return len(p), nil
}

var traceFunctionCount = regexp.MustCompile(`"trace_function_count":(\d+)`)

func hasNodeField(fields []string, name string) bool {
	for _, f := range fields {
		if f == name {
			return true
		}
	}
	return false
}

// TestOutFile writes a capture to a gzip file through Tee, as the command
// line does when it analyzes and keeps the snapshot.
func TestOutFile(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"})
	s := open(t, Options{PID: p.PID})
	dir := t.TempDir()
	path := filepath.Join(dir, "heap.heapsnapshot.gz")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	parsed := make(chan int, 1)
	go func() {
		n, _ := io.Copy(io.Discard, pr)
		parsed <- int(n)
	}()
	sink := Tee(f, pw)
	st, err := s.Snapshot(context.Background(), sink, SnapshotOptions{Force: true})
	if cerr := sink.CloseWithError(err); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	if n := <-parsed; int64(n) != st.Bytes {
		t.Errorf("pipe got %d bytes of %d", n, st.Bytes)
	}
	dirHolds(t, dir, "heap.heapsnapshot.gz")
	if fi, _ := os.Stat(path); fi.Size() >= st.Bytes/3 {
		t.Errorf("gzip file of %d bytes for %d", fi.Size(), st.Bytes)
	}
	if got := closures(parseFile(t, path), "onLeakyData"); got != leakListeners {
		t.Errorf("%d onLeakyData closures in the file", got)
	}
}

// TestAlreadyOpen uses an inspector the process opened itself, and leaves
// it open.
func TestAlreadyOpen(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect=127.0.0.1:0"})
	s := open(t, Options{PID: p.PID})
	if s.Target().Opened {
		t.Error("took an open inspector for one it opened")
	}
	capture(t, s, SnapshotOptions{})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := listening(t, p); len(got) != 1 || got[0] != s.Target().Address {
		t.Errorf("listening %v after Close, want the inspector %s still", got, s.Target().Address)
	}
}

// TestAddress captures through HOST:PORT and through the ws:// URL, as
// through kubectl port-forward, and closes on request.
func TestAddress(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect=127.0.0.1:0"})
	addr := listening(t, p)[0]
	s := open(t, Options{Address: addr})
	captureLeak(t, s)
	url := s.Target().URL
	if !strings.HasPrefix(url, "ws://"+addr+"/") || s.Target().Opened || s.Target().PID != 0 {
		t.Errorf("target %+v", s.Target())
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, Options{Address: url, CloseInspector: true})
	captureLeak(t, s2)
	closeAndCheck(t, s2, p)
}

// TestWriteFailure: a writer that fails mid-snapshot gets its error back,
// and the session stays usable.
func TestWriteFailure(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"})
	s := open(t, Options{PID: p.PID})
	boom := errors.New("disk full")
	_, err := s.Snapshot(context.Background(), &failingWriter{after: 200 << 10, err: boom}, SnapshotOptions{})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	captureLeak(t, s)
}

type failingWriter struct {
	n, after int
	err      error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > w.after {
		return 0, w.err
	}
	return len(p), nil
}

// TestCancelMidSnapshot: a canceled capture ends at once, and Close still
// closes the inspector it opened.
func TestCancelMidSnapshot(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"}, "LEAK_BALLAST_MB=4")
	s := open(t, Options{PID: p.PID})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := s.Snapshot(ctx, io.Discard, SnapshotOptions{Progress: func(pr Progress) {
		if pr.Phase == PhaseGenerating && pr.Done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	closeAndCheck(t, s, p)
}
