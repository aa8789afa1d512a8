//go:build linux

package capture

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// leakListeners is how many onLeakyData listeners testdata/capture/leak.js plants.
const leakListeners = testutil.LeakListeners

var (
	nodeBinary = testutil.NodeBinary
	startNode  = testutil.StartNode
)

type nodeProc = testutil.NodeProc

// listening lists the sockets the process listens on.
func listening(t testing.TB, p *nodeProc) []string {
	t.Helper()
	ls, err := listeners(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		if l.target {
			out = append(out, l.addr())
		}
	}
	return out
}

// open opens a session and closes it at the end of the test.
func open(t testing.TB, opts Options) *Session {
	t.Helper()
	if opts.Log == nil {
		opts.Log = func(m string) { t.Log(m) }
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// capture takes a snapshot through a pipe into the parser, as the command
// line does, and returns it parsed.
func capture(t testing.TB, s *Session, opts SnapshotOptions) (*heapsnapshot.Snapshot, Stats) {
	t.Helper()
	snap, st, err := captureErr(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap, st
}

// captureLeak captures a process running testdata/capture/leak.js unchanged and
// checks that the snapshot holds its leak: every listener it planted.
func captureLeak(t testing.TB, s *Session) *heapsnapshot.Snapshot {
	t.Helper()
	snap, _ := capture(t, s, SnapshotOptions{})
	if got := closures(snap, "onLeakyData"); got != leakListeners {
		t.Errorf("%d onLeakyData closures, want %d", got, leakListeners)
	}
	return snap
}

func captureErr(s *Session, opts SnapshotOptions) (*heapsnapshot.Snapshot, Stats, error) {
	pr, pw := io.Pipe()
	type parsed struct {
		snap *heapsnapshot.Snapshot
		err  error
	}
	done := make(chan parsed, 1)
	go func() {
		snap, err := heapsnapshot.Read(pr, -1, heapsnapshot.Options{})
		pr.CloseWithError(err)
		done <- parsed{snap, err}
	}()
	st, err := s.Snapshot(context.Background(), pw, opts)
	pw.CloseWithError(err)
	p := <-done
	if err != nil {
		return nil, st, err
	}
	return p.snap, st, p.err
}

// closures counts the closures of that name in a snapshot.
func closures(snap *heapsnapshot.Snapshot, name string) int {
	closure := snap.Meta.NodeTypeIndex("closure")
	n := 0
	for i := range uint32(snap.NodeCount) {
		if int(snap.NodeType[i]) == closure && string(snap.NodeNameBytes(i)) == name {
			n++
		}
	}
	return n
}

// parseFile reads a snapshot file.
func parseFile(t testing.TB, path string) *heapsnapshot.Snapshot {
	t.Helper()
	snap, err := heapsnapshot.ParseFile(path, heapsnapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// noTemporaries fails when dir holds anything but want.
func dirHolds(t testing.TB, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s holds %q, want %q", filepath.Base(dir), got, want)
	}
}

// closeAndCheck closes a session heapsnap opened the inspector for, and
// checks that the process is as it was: running, listening on nothing.
func closeAndCheck(t testing.TB, s *Session, p *nodeProc) {
	t.Helper()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := listening(t, p); len(got) != 0 || !p.Running() {
		t.Errorf("after Close: listening on %v, running %v", got, p.Running())
	}
}
