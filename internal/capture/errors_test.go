//go:build linux

package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wantKind checks that err is a one-line *Error of that kind, and of no
// other.
func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, kind) {
		t.Fatalf("got %v (%T), want kind %v", err, err, kind)
	}
	for _, other := range allKinds {
		if other != kind && errors.Is(err, other) {
			t.Errorf("%v is also %v", err, other)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message of more than one line: %q", err)
	}
	t.Logf("message: %s", err)
}

var allKinds = []error{ErrNoProcess, ErrNotPermitted, ErrNotNode, ErrInspectorDisabled, ErrPortTaken,
	ErrNotInspector, ErrNotLoopback, ErrOtherNetwork, ErrUnsupported, ErrNoHeadroom, ErrProcessExited,
	ErrDisconnected, ErrTimeout, ErrProtocol, ErrCloseFailed, context.Canceled}

func openErr(opts Options) error {
	s, err := Open(context.Background(), opts)
	if err == nil {
		s.Close(context.Background())
	}
	return err
}

func TestNoSuchProcess(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	wantKind(t, openErr(Options{PID: cmd.Process.Pid}), ErrNoProcess)
}

func TestNotNode(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	wantKind(t, openErr(Options{PID: cmd.Process.Pid}), ErrNotNode)
	if cmd.ProcessState != nil {
		t.Fatal("the process ended")
	}
}

// TestNodeUnderAnotherName: a Node binary by another name (a single
// executable application, a copy) is known by its bootstrap code.
func TestNodeUnderAnotherName(t *testing.T) {
	t.Parallel()
	renamed := filepath.Join(t.TempDir(), "orders-service")
	if err := os.Symlink(nodeBinary(t, 20), renamed); err != nil {
		t.Fatal(err)
	}
	// A symlink resolves to node in /proc/PID/exe; a copy is what a
	// renamed binary looks like.
	copyFile(t, nodeBinary(t, 20), renamed+"-copy")
	p := startNode(t, renamed+"-copy", []string{"--inspect-port=0"})
	s := open(t, Options{PID: p.PID})
	if !s.Target().Opened {
		t.Error("not opened")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestInspectorDisabled: --disable-sigusr1 and the permission model leave
// SIGUSR1 blocked; heapsnap says so without sending it.
func TestInspectorDisabled(t *testing.T) {
	t.Parallel()
	cases := []struct {
		major int
		args  []string
	}{
		{22, []string{"--disable-sigusr1"}},
		{20, []string{"--experimental-permission", "--allow-fs-read=*"}},
		{24, []string{"--permission", "--allow-fs-read=*"}},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.major)+strings.Join(c.args, ""), func(t *testing.T) {
			p := startNode(t, nodeBinary(t, c.major), c.args)
			wantKind(t, openErr(Options{PID: p.PID}), ErrInspectorDisabled)
			if !p.Running() || len(listening(t, p)) != 0 {
				t.Error("the process changed")
			}
		})
	}
}

// TestPortTaken: the inspector's port is held by another process.
func TestPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=" + strconv.Itoa(port)})
	wantKind(t, openErr(Options{PID: p.PID}), ErrPortTaken)
	if !p.Running() {
		t.Error("the process ended")
	}
}

// TestNotLoopback: an inspector that would listen on every address is
// closed again at once.
func TestNotLoopback(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0.0.0.0:0"})
	wantKind(t, openErr(Options{PID: p.PID}), ErrNotLoopback)
	if got := listening(t, p); len(got) != 0 || !p.Running() {
		t.Errorf("listening %v, running %v", got, p.Running())
	}
}

// TestProcessExitsMidSnapshot: the target dies while its snapshot streams.
func TestProcessExitsMidSnapshot(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"}, "LEAK_BALLAST_MB=4")
	s := open(t, Options{PID: p.PID})
	var once sync.Once
	_, err := s.Snapshot(context.Background(), io.Discard, SnapshotOptions{Progress: func(pr Progress) {
		if pr.Phase == PhaseStreaming {
			once.Do(p.Kill)
		}
	}})
	wantKind(t, err, ErrProcessExited)
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("Close after the process exited: %v", err)
	}
}

// TestConnectionDrops: the socket breaks mid-snapshot (a tunnel that
// dies), with the process alive.
func TestConnectionDrops(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect=127.0.0.1:0"})
	proxy := newCuttingProxy(t, listening(t, p)[0], 1<<20)
	s := open(t, Options{Address: proxy})
	_, err := s.Snapshot(context.Background(), io.Discard, SnapshotOptions{})
	wantKind(t, err, ErrDisconnected)
	if !p.Running() {
		t.Error("the process ended")
	}
}

// newCuttingProxy forwards TCP to target and cuts each connection once
// limit bytes have come back.
func newCuttingProxy(t *testing.T, target string, limit int64) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(u, c); u.Close() }()
			go func() { defer wg.Done(); io.CopyN(c, u, limit); c.Close(); u.Close() }()
		}
	}()
	return l.Addr().String()
}

// TestTimeouts: an address that accepts and never answers, a websocket
// that never answers a command, and a process whose main thread is stuck
// in native code when asked to open its inspector.
func TestTimeouts(t *testing.T) {
	t.Parallel()
	t.Run("http", func(t *testing.T) {
		addr := silentServer(t)
		start := time.Now()
		wantKind(t, openErr(Options{Address: addr, Timeout: 300 * time.Millisecond}), ErrTimeout)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("websocket", func(t *testing.T) {
		addr := mutedWebsocket(t)
		wantKind(t, openErr(Options{Address: "ws://" + addr + "/target", Timeout: 300 * time.Millisecond}), ErrTimeout)
	})
	t.Run("snapshot", func(t *testing.T) {
		// An inspector that answers commands but never sends the snapshot.
		addr := fakeInspector(t, func(method string) bool { return method != "HeapProfiler.takeHeapSnapshot" })
		s := open(t, Options{Address: "ws://" + addr + "/target", IdleTimeout: 300 * time.Millisecond})
		_, err := s.Snapshot(context.Background(), io.Discard, SnapshotOptions{Force: true})
		wantKind(t, err, ErrTimeout)
	})
	t.Run("blocked", func(t *testing.T) {
		p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0", "-e",
			"process.stdout.write('ready\\n'); require('child_process').execSync('sleep 5'); setInterval(() => {}, 1000)", "x.js"})
		wantKind(t, openErr(Options{PID: p.PID, Timeout: 500 * time.Millisecond}), ErrTimeout)
	})
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

// mutedWebsocket accepts websocket connections and reads, never answering.
func mutedWebsocket(t *testing.T) string {
	return fakeInspector(t, func(string) bool { return false })
}

// fakeInspector accepts websocket connections and answers the commands
// answer accepts with a result whose value is a Node version.
func fakeInspector(t *testing.T, answer func(method string) bool) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		for {
			_, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			var req struct {
				ID     int64  `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal(msg, &req) == nil && answer(req.Method) {
				reply := fmt.Sprintf(`{"id":%d,"result":{"result":{"type":"string","value":"v20.0.0"}}}`, req.ID)
				if c.Write(r.Context(), websocket.MessageText, []byte(reply)) != nil {
					return
				}
			}
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// TestNoHeadroom puts the target in a memory cgroup (v1 or v2, wherever
// this machine lets a test make one) with less room than a snapshot
// needs: the capture is refused and the process untouched.
func TestNoHeadroom(t *testing.T) {
	t.Parallel()
	p := startNode(t, nodeBinary(t, 20), []string{"--inspect-port=0"}, "LEAK_BALLAST_MB=16")
	rss := kB(t, p.PID, "VmRSS") * 1024
	limitCgroup(t, p, rss+64<<20)
	s := open(t, Options{PID: p.PID})
	h, err := s.Headroom(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The memory the process had is charged to the cgroup it came from,
	// so Available is at most the limit.
	if !h.Known || h.Limit != rss+64<<20 || h.Available > h.Limit || !strings.HasPrefix(h.Source, "cgroup ") || h.Enough() {
		t.Fatalf("headroom %+v", h)
	}
	_, err = s.Snapshot(context.Background(), io.Discard, SnapshotOptions{})
	wantKind(t, err, ErrNoHeadroom)
	if !p.Running() {
		t.Error("the process ended")
	}
}

// limitCgroup moves pid into a new memory cgroup limited to limit bytes,
// or skips the test where that is not possible.
func limitCgroup(t *testing.T, p *nodeProc, limit uint64) {
	t.Helper()
	pid := p.PID
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Skip(err)
	}
	var dir, limitFile string
	for line := range strings.Lines(string(own)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		switch {
		case len(parts) == 3 && hasController(parts[1], "memory"):
			dir, limitFile = filepath.Join("/sys/fs/cgroup/memory", parts[2]), "memory.limit_in_bytes"
		case len(parts) == 3 && parts[0] == "0" && dir == "":
			if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
				dir, limitFile = filepath.Join("/sys/fs/cgroup", parts[2]), "memory.max"
			}
		}
	}
	if dir == "" {
		t.Skip("no memory cgroup here")
	}
	child := filepath.Join(dir, "heapsnap-test-"+strconv.Itoa(pid))
	if err := os.Mkdir(child, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	t.Cleanup(func() {
		// A cgroup goes once its processes have.
		p.Kill()
		for range 50 {
			if os.Remove(child) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	if err := os.WriteFile(filepath.Join(child, limitFile), []byte(strconv.FormatUint(limit, 10)), 0); err != nil {
		t.Skipf("cannot limit a cgroup: %v", err)
	}
	if err := os.WriteFile(filepath.Join(child, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		t.Skipf("cannot move the process into a cgroup: %v", err)
	}
}
