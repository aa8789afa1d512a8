//go:build linux

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// startLeak starts testdata/capture/leak.js under the node on PATH, its
// inspector closed and to open on a port the system picks.
func startLeak(t *testing.T, env ...string) *testutil.NodeProc {
	t.Helper()
	return testutil.StartNode(t, testutil.NodeBinary(t, 20), []string{"--inspect-port=0"}, env...)
}

var inspectorAt = regexp.MustCompile(`the inspector of process \d+ listens on (127\.0\.0\.1:\d+)`)

// leftAsFound checks that a capture that opened the inspector (as stderr
// says) left the process running and its inspector closed.
func leftAsFound(t *testing.T, p *testutil.NodeProc, stderr string) {
	t.Helper()
	if !p.Running() {
		t.Fatal("the process ended")
	}
	m := inspectorAt.FindStringSubmatch(stderr)
	if m == nil || !strings.Contains(stderr, fmt.Sprintf("closed the inspector of process %d", p.PID)) {
		t.Fatalf("stderr does not say where the inspector opened and that it closed: %s", stderr)
	}
	if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
		c.Close()
		t.Errorf("the inspector still listens on %s", m[1])
	}
}

type suspectsJSON struct {
	File     string `json:"file"`
	Suspects []struct {
		Kind      string `json:"kind"`
		Count     int    `json:"count"`
		Path      string `json:"path"`
		Allocated *struct {
			Count int `json:"count"`
			Stack []struct {
				Function string `json:"function"`
				File     string `json:"file"`
				Line     int    `json:"line"`
			} `json:"stack"`
		} `json:"allocated"`
	} `json:"suspects"`
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %.500s", err, s)
	}
	return v
}

// wantLeak checks the report of a capture of leak.js: its planted leak
// is the first suspect, with that many listeners (-1: any number from
// the planted ones up, for a leak that grows).
func wantLeak(t *testing.T, stdout string, listeners int) suspectsJSON {
	t.Helper()
	rep := decode[suspectsJSON](t, stdout)
	if len(rep.Suspects) == 0 {
		t.Fatalf("no suspects: %.500s", stdout)
	}
	s := rep.Suspects[0]
	if s.Kind != "listeners" || s.Path != "global.leakyBus" || (listeners >= 0 && s.Count != listeners) || s.Count < testutil.LeakListeners {
		t.Errorf("first suspect %+v, want %d listeners at global.leakyBus", s, listeners)
	}
	return rep
}

// TestCapture captures a process twice, into the report and into files
// (gzip and plain): the leak is found, the files hold the same snapshot,
// and each time the process is left running with its inspector closed.
func TestCapture(t *testing.T) {
	t.Parallel()
	p := startLeak(t)
	pid := strconv.Itoa(p.PID)
	stdout, stderr, code := run(t, nil, "capture", pid, "--suspects-only", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if rep := wantLeak(t, stdout, testutil.LeakListeners); rep.File != "process "+pid {
		t.Errorf("report names %q", rep.File)
	}
	leftAsFound(t, p, stderr)
	if !strings.Contains(stderr, "heapsnap: sent SIGUSR1 to process "+pid) {
		t.Errorf("stderr: %s", stderr)
	}

	dir := t.TempDir()
	for _, name := range []string{"heap.heapsnapshot.gz", "heap.heapsnapshot"} {
		out := filepath.Join(dir, name)
		stdout, stderr, code := run(t, nil, "capture", pid, "--out", out, "--suspects-only", "--format", "json")
		if code != 0 {
			t.Fatalf("--out %s: exit %d: %s", name, code, stderr)
		}
		if rep := wantLeak(t, stdout, testutil.LeakListeners); rep.File != out {
			t.Errorf("report names %q, want %s", rep.File, out)
		}
		leftAsFound(t, p, stderr)
		head := make([]byte, 2)
		if f, err := os.Open(out); err != nil {
			t.Fatal(err)
		} else {
			io.ReadFull(f, head)
			f.Close()
		}
		if gz := bytes.Equal(head, []byte{0x1f, 0x8b}); gz != strings.HasSuffix(name, ".gz") {
			t.Errorf("%s starts with %q", name, head)
		}
		// The file is the snapshot the report came from.
		fromFile, _, code := run(t, nil, "analyze", out, "--suspects-only", "--format", "json")
		if code != 0 || fromFile != stdout {
			t.Errorf("analyze %s (exit %d) differs from the capture's report", name, code)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the --out directory, want 2 (no temporary left)", len(entries))
	}
}

// TestCaptureTable: the default report is analyze's table.
func TestCaptureTable(t *testing.T) {
	t.Parallel()
	p := startLeak(t)
	stdout, stderr, code := run(t, nil, "capture", strconv.Itoa(p.PID), "--top", "3", "--largest", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("heapsnap analyze: process %d\n", p.PID),
		"1  listeners  3,000 ", "3,000 listeners for 'data' on EventEmitter at global.leakyBus",
		"testdata/capture/leak.js:24:40", "Top 3 of ", "Largest objects by retained size",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
	leftAsFound(t, p, stderr)
}

type seriesJSON struct {
	Snapshots []struct {
		File string `json:"file"`
	} `json:"snapshots"`
	Growing []struct {
		Kind   string `json:"kind"`
		Path   string `json:"path"`
		Counts []int  `json:"counts"`
	} `json:"growing"`
	LeakCandidates []struct {
		Name    string `json:"name"`
		Created string `json:"created"`
		Shape   string `json:"shape"`
		Counts  []int  `json:"counts"`
	} `json:"leak_candidates"`
}

// TestCaptureSeries takes three snapshots of a process whose leak grows
// on a timer (leak.js LEAK_GROW), into files: diff's series report shows
// the listeners growing at every step and the new ones as leak candidates.
func TestCaptureSeries(t *testing.T) {
	t.Parallel()
	p := startLeak(t, "LEAK_GROW=10")
	dir := t.TempDir()
	out := filepath.Join(dir, "heap.heapsnapshot.gz")
	stdout, stderr, code := run(t, nil, "capture", strconv.Itoa(p.PID), "--count", "3", "--interval", "1s", "--out", out, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decode[seriesJSON](t, stdout)
	var files []string
	for _, s := range rep.Snapshots {
		files = append(files, filepath.Base(s.File))
	}
	want := []string{"heap-1.heapsnapshot.gz", "heap-2.heapsnapshot.gz", "heap-3.heapsnapshot.gz"}
	if !slices.Equal(files, want) {
		t.Errorf("snapshots %v, want %v", files, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in the --out directory, want 3", len(entries))
	}
	if len(rep.Growing) == 0 || rep.Growing[0].Kind != "listeners" || rep.Growing[0].Path != "global.leakyBus" || !growing(rep.Growing[0].Counts) || rep.Growing[0].Counts[0] < testutil.LeakListeners {
		t.Fatalf("growing: %+v", rep.Growing)
	}
	if len(rep.LeakCandidates) == 0 || rep.LeakCandidates[0].Shape != "global.leakyBus._events.data[*]" || !strings.HasSuffix(rep.LeakCandidates[0].Created, "testdata/capture/leak.js:24:40") {
		t.Errorf("leak candidates: %+v", rep.LeakCandidates)
	}
	// diff of the files says the same.
	fromFiles, _, code := run(t, nil, append([]string{"diff", "--format", "json"}, filepath.Join(dir, want[0]), filepath.Join(dir, want[1]), filepath.Join(dir, want[2]))...)
	if code != 0 || fromFiles != stdout {
		t.Errorf("diff of the --out files (exit %d) differs from the capture's report", code)
	}
	leftAsFound(t, p, stderr)
}

func growing(v []int) bool {
	for k := 1; k < len(v); k++ {
		if v[k] <= v[k-1] {
			return false
		}
	}
	return len(v) > 1
}

// TestCapturePair: --count 2 is diff's comparison of two snapshots, the
// first kept in memory while the second is analyzed.
func TestCapturePair(t *testing.T) {
	t.Parallel()
	p := startLeak(t, "LEAK_GROW=10")
	stdout, stderr, code := run(t, nil, "capture", strconv.Itoa(p.PID), "--count", "2", "--interval", "1s", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decode[struct {
		Old       struct{ File string } `json:"old"`
		New       struct{ File string } `json:"new"`
		Listeners []struct {
			Event    string `json:"event"`
			Path     string `json:"path"`
			OldCount int    `json:"old_count"`
			NewCount int    `json:"new_count"`
		} `json:"listeners"`
	}](t, stdout)
	pid := strconv.Itoa(p.PID)
	if rep.Old.File != "process "+pid+" #1" || rep.New.File != "process "+pid+" #2" {
		t.Errorf("old %q, new %q", rep.Old.File, rep.New.File)
	}
	if len(rep.Listeners) == 0 || rep.Listeners[0].Path != "global.leakyBus" || rep.Listeners[0].OldCount < testutil.LeakListeners || rep.Listeners[0].NewCount <= rep.Listeners[0].OldCount {
		t.Errorf("listeners %+v", rep.Listeners)
	}
	leftAsFound(t, p, stderr)
}

// TestCaptureTrackAllocations: with allocation tracking the snapshot
// carries allocation stacks: the Allocation view of the --out file has the
// leak's function allocating. A suspect's own stack is checked when V8 kept
// it: V8 does not always keep the stacks of the objects still alive (see
// docs/capture.md), which on leak.js it mostly does not.
func TestCaptureTrackAllocations(t *testing.T) {
	t.Parallel()
	p := startLeak(t, "LEAK_GROW=10")
	out := filepath.Join(t.TempDir(), "tracked.heapsnapshot.gz")
	stdout, stderr, code := run(t, nil, "capture", strconv.Itoa(p.PID), "--track-allocations", "1s", "--out", out, "--suspects-only", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := wantLeak(t, stdout, -1)
	if a := rep.Suspects[0].Allocated; a != nil && (a.Count == 0 || len(a.Stack) == 0 || a.Stack[0].Function != "addListeners" || !strings.HasSuffix(a.Stack[0].File, "testdata/capture/leak.js")) {
		t.Errorf("allocated %+v", a)
	}
	leftAsFound(t, p, stderr)
	view, stderr, code := run(t, nil, "allocations", out, "--format", "json", "--limit", "0")
	if code != 0 {
		t.Fatalf("allocations: exit %d: %s", code, stderr)
	}
	type row struct {
		Function string `json:"function"`
		Script   string `json:"script"`
		Line     int    `json:"line"`
		Count    int    `json:"count"`
	}
	rows := decode[struct {
		Rows []row `json:"rows"`
	}](t, view).Rows
	i := slices.IndexFunc(rows, func(r row) bool { return r.Function == "addListeners" })
	if i < 0 || rows[i].Count == 0 || rows[i].Line != 21 || !strings.HasSuffix(rows[i].Script, "testdata/capture/leak.js") {
		t.Errorf("addListeners in the Allocation view: %+v", rows)
	}
}

// TestCheckCapture gates a running process: exit 1 over budget, 0 within.
func TestCheckCapture(t *testing.T) {
	t.Parallel()
	p := startLeak(t)
	pid := strconv.Itoa(p.PID)
	stdout, stderr, code := run(t, nil, "check", "--capture", pid, "--max-listeners", "100")
	if code != ExitBudget || !strings.Contains(stdout, "heapsnap check: process "+pid) ||
		!regexp.MustCompile(`max_listeners +"data" listeners on EventEmitter at global.leakyBus +100 +3,000 +FAIL`).MatchString(stdout) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}
	leftAsFound(t, p, stderr)
	_, stderr, code = run(t, nil, "check", "--capture", pid, "--max-listeners", "5000")
	if code != 0 {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestCaptureInspect captures through an inspector the process opened
// itself, by address and by ws:// URL, and leaves it open.
func TestCaptureInspect(t *testing.T) {
	t.Parallel()
	p := testutil.StartNode(t, testutil.NodeBinary(t, 20), []string{"--inspect=127.0.0.1:0"})
	m := regexp.MustCompile(`ws://(127\.0\.0\.1:\d+)/[0-9a-f-]+`).FindStringSubmatch(p.Stderr())
	if m == nil {
		t.Fatalf("node did not say where its inspector listens: %s", p.Stderr())
	}
	for _, target := range []string{m[1], m[0]} {
		stdout, stderr, code := run(t, nil, "capture", "--inspect", target, "--suspects-only", "--format", "json")
		if code != 0 {
			t.Fatalf("--inspect %s: exit %d: %s", target, code, stderr)
		}
		if rep := wantLeak(t, stdout, testutil.LeakListeners); rep.File != target {
			t.Errorf("report names %q", rep.File)
		}
		c, err := net.Dial("tcp", m[1])
		if err != nil {
			t.Fatalf("the inspector was closed: %v", err)
		}
		c.Close()
	}
}

// TestCaptureNoHeadroom refuses a snapshot the process's cgroup has no
// room for: a fake cgroup filesystem ($HEAPSNAP_CGROUP_ROOT) gives it a
// 100 MB limit with 95 MB in use. --force takes it anyway.
func TestCaptureNoHeadroom(t *testing.T) {
	p := startLeak(t)
	root := t.TempDir()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", p.PID))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for line := range strings.Lines(string(b)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		var files map[string]string
		var dir string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir = filepath.Join(root, parts[2])
			files = map[string]string{"memory.max": "100000000", "memory.current": "95000000"}
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			dir = filepath.Join(root, "memory", parts[2])
			files = map[string]string{"memory.limit_in_bytes": "100000000", "memory.usage_in_bytes": "95000000"}
		default:
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, v := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		found = true
	}
	if !found {
		t.Skipf("no cgroup in /proc/%d/cgroup", p.PID)
	}
	t.Setenv("HEAPSNAP_CGROUP_ROOT", root)
	pid := strconv.Itoa(p.PID)
	stdout, stderr, code := run(t, nil, "capture", pid)
	want := regexp.MustCompile(fmt.Sprintf(`heapsnap: process %s has 5\.0 MB of memory left \(cgroup %s/\S+: limit 100 MB, 95\.0 MB in use\) and a snapshot of its [0-9.]+ MB heap needs about [0-9.]+ MB: taking it would likely exhaust it \(--force takes it anyway\)\n`, pid, regexp.QuoteMeta(root)))
	if code != ExitFailure || stdout != "" || !want.MatchString(stderr) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant %s…", code, stdout, stderr, want)
	}
	leftAsFound(t, p, stderr)
	stdout, stderr, code = run(t, nil, "capture", pid, "--force", "--suspects-only", "--format", "json")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	wantLeak(t, stdout, testutil.LeakListeners)
}

// TestCaptureErrors: one line and exit 3 for what cannot be captured, exit
// 2 for a command line that makes no sense; the process is never harmed.
func TestCaptureErrors(t *testing.T) {
	t.Parallel()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	sleepExe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", sleep.Process.Pid))
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nothing := closed.Addr().String()
	closed.Close()
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{strconv.Itoa(gone.Process.Pid)}, 3, fmt.Sprintf("heapsnap: process %d: no such process\n", gone.Process.Pid)},
		{[]string{strconv.Itoa(sleep.Process.Pid)}, 3, fmt.Sprintf("heapsnap: process %d is not a Node.js process (it runs %s)\n", sleep.Process.Pid, sleepExe)},
		{[]string{"--inspect", nothing}, 3, "heapsnap: " + nothing + ": nothing listens there (is the inspector open, the port forwarded?)\n"},
		{nil, 2, "heapsnap: capture: expected a PID, or --inspect HOST:PORT for an inspector that is open\n"},
		{[]string{"12", "--inspect", "127.0.0.1:9229"}, 2, "heapsnap: give a PID or --inspect, not both\n"},
		{[]string{"0"}, 2, "heapsnap: 0 is not a process id\n"},
		{[]string{"nodejs"}, 2, `heapsnap: "nodejs" is neither a process id nor an inspector address: "nodejs" is not HOST:PORT or a ws:// URL` + "\n"},
		{[]string{"12", "--count", "3", "--format", "html"}, 2, `heapsnap: --format: invalid format "html": use table, json, markdown` + "\n"},
		{[]string{"12", "--count", "3", "--suspects-only"}, 2, "heapsnap: --suspects-only reports one snapshot; a series (--count 3) is reported as heapsnap diff reports it\n"},
		{[]string{"12", "--count", "0"}, 2, "heapsnap: --count: must be at least 1, got 0\n"},
		{[]string{"12", "--interval", "soon"}, 2, `heapsnap: --interval: invalid duration "soon": want a number with a unit, e.g. 30s or 2m` + "\n"},
		{[]string{"12", "--out", "-"}, 2, "heapsnap: --out -: the report goes to standard output; name a file for the snapshot\n"},
		{[]string{"12", "--out", "/nonexistent/heap.heapsnapshot"}, 2, "heapsnap: --out /nonexistent/heap.heapsnapshot: no directory /nonexistent to write it in\n"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			stdout, stderr, code := run(t, nil, append([]string{"capture"}, c.args...)...)
			if code != c.code || stdout != "" || stderr != c.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q", code, stdout, stderr, c.code, c.stderr)
			}
		})
	}
	if sleep.ProcessState != nil {
		t.Error("the process that is not Node ended")
	}
	_, stderr, code := run(t, nil, "check", "heap.heapsnapshot", "--capture", "12", "--max-listeners", "1")
	if code != 2 || stderr != "heapsnap: give a snapshot file or --capture, not both\n" {
		t.Errorf("check with a file and --capture: exit %d, %q", code, stderr)
	}
}

// TestCaptureNotPermitted runs heapsnap as another user (nobody) against
// a process of root's: it may not signal it, and says so.
func TestCaptureNotPermitted(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run heapsnap as another user")
	}
	p := startLeak(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary, where nobody may run it.
	dir, err := os.MkdirTemp("", "heapsnap-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "heapsnap")
	if err := copyExecutable(self, bin); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "capture", strconv.Itoa(p.PID))
	cmd.Dir = dir
	cmd.Env = []string{"HEAPSNAP_TEST_MAIN=1", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	want := fmt.Sprintf("heapsnap: process %d: not permitted to signal it (run heapsnap as its user or root)\n", p.PID)
	if cmd.ProcessState.ExitCode() != ExitFailure || stdout.Len() != 0 || stderr.String() != want {
		t.Errorf("%v: stdout %q, stderr %q; want exit 3, %q", err, stdout.String(), stderr.String(), want)
	}
	if !p.Running() {
		t.Error("the process ended")
	}
}

func copyExecutable(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestCaptureInterrupt: Ctrl-C during the snapshot (Run calls
// app.interrupt) ends the capture with exit 130, and the inspector
// heapsnap opened is closed first.
func TestCaptureInterrupt(t *testing.T) {
	t.Parallel()
	p := startLeak(t, "LEAK_BALLAST_MB=6")
	var stdout, stderr testutil.SyncBuffer
	a := newApp(Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, testBuild)
	code := make(chan int, 1)
	go func() { code <- a.main([]string{"capture", strconv.Itoa(p.PID)}) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "taking a heap snapshot") {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot under way: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !a.interrupt() {
		t.Fatal("the capture did not wind down itself")
	}
	if c := <-code; c != ExitSignal || stdout.String() != "" {
		t.Errorf("exit %d, stdout %.200q", c, stdout.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("closing the inspector of process %d (interrupt again to leave it open)", p.PID)) {
		t.Errorf("stderr: %s", stderr.String())
	}
	leftAsFound(t, p, stderr.String())
}

// TestCaptureProcessExits: the process dies during the snapshot: one line,
// exit 3, and no file left of what --out asked for.
func TestCaptureProcessExits(t *testing.T) {
	t.Parallel()
	p := startLeak(t, "LEAK_BALLAST_MB=6")
	dir := t.TempDir()
	var stdout, stderr testutil.SyncBuffer
	code := make(chan int, 1)
	go func() {
		code <- Main([]string{"capture", strconv.Itoa(p.PID), "--out", filepath.Join(dir, "heap.heapsnapshot.gz")}, Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, testBuild)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "taking a heap snapshot") {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot under way: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill()
	want := fmt.Sprintf("heapsnap: process %d exited during the snapshot\n", p.PID)
	if c := <-code; c != ExitFailure || stdout.String() != "" || !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("exit %d, stdout %.200q, stderr %q; want %q", c, stdout.String(), stderr.String(), want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
