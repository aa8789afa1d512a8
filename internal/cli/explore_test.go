package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestAnalyzeHTMLGolden(t *testing.T) {
	out := goldenRun(t, "analyze.html", "analyze", sample, "--format", "html")
	for _, want := range []string{"<title>heapsnap report: " + relSample, "2,000 listeners for &#39;data&#39; on EventEmitter", `id="dominators"`, "global.processor.emitter"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(out) {
		t.Error("the report refers to the network")
	}
}

// TestAnalyzePProf checks that go tool pprof reads the export, and that
// its total is DevTools' total size.
func TestAnalyzePProf(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	stdout, stderr, code := run(t, nil, "analyze", sample, "--format", "pprof")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := exec.Command(gobin, "tool", "pprof", "-top", "-unit=byte", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, top)
	}
	js, _, _ := run(t, nil, "analyze", sample, "--format", "json", "--top", "1")
	var rep struct {
		TotalSize uint64 `json:"total_size"`
		Classes   []struct {
			Name         string `json:"name"`
			RetainedSize uint64 `json:"retained_size"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("of %dB total", rep.TotalSize); !strings.Contains(string(top), want) {
		t.Errorf("pprof -top does not say %q:\n%s", want, top)
	}
	// The biggest class's cumulative size is its Summary retained size.
	c := rep.Classes[0]
	line := regexp.MustCompile(fmt.Sprintf(`(?m)^\s*\d+B\s+\S+\s+\S+\s+(\d+)B\s+\S+\s+%s$`, regexp.QuoteMeta(c.Name))).FindStringSubmatch(string(top))
	if line == nil || line[1] != fmt.Sprint(c.RetainedSize) {
		t.Errorf("pprof -top's cum for %s: %v, want %d", c.Name, line, c.RetainedSize)
	}
}

// TestPProfRefusesTerminal writes to a pseudo-terminal.
func TestPProfRefusesTerminal(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	defer ptmx.Close()
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("naming the pseudo-terminal: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var errb strings.Builder
	code := Main([]string{"analyze", sample, "--format", "pprof", "-q"}, Streams{In: strings.NewReader(""), Out: tty, Err: &errb}, testBuild)
	if code != ExitUsage || !strings.Contains(errb.String(), "writes binary data: redirect the output") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestCheckHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	_, stderr, code := run(t, nil, "check", sample, "--max-listeners", "100", "--html", path)
	if code != ExitBudget {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Budgets: failed", "1 of 1 check failed", "max_listeners", "2,000 listeners for &#39;data&#39; on EventEmitter"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestServeCommand runs heapsnap serve until its context ends: it prints
// its address, answers there, and refuses another Host.
func TestServeCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	serveContext = func() context.Context { return ctx }
	defer func() { serveContext = context.Background }()
	outR, outW := io.Pipe()
	done := make(chan int)
	var errb strings.Builder
	go func() {
		done <- Main([]string{"serve", sample, "-q"}, Streams{In: strings.NewReader(""), Out: outW, Err: &errb}, testBuild)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimPrefix(strings.TrimSpace(line), "heapsnap serve: ")
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("serve printed %q", line)
	}
	go io.Copy(io.Discard, outR)
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url + "api/meta")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Nodes int `json:"nodes"`
	}
	err = json.NewDecoder(res.Body).Decode(&meta)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || meta.Nodes != 47849 {
		t.Errorf("GET /api/meta: %d, %+v, %v", res.StatusCode, meta, err)
	}
	req, _ := http.NewRequest("GET", url+"api/meta", nil)
	req.Host = "rebound.example"
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("another Host: %v %v", res.Status, err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

func TestServeOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "expected a snapshot file"},
		{[]string{"serve", "a", "b", "c"}, "expected a snapshot file"},
		{[]string{"serve", "a", "--addr", "8080"}, "--addr: invalid address"},
		{[]string{"serve", "-", "-"}, "standard input"},
		{[]string{"serve", "a", "b", "--match", "x"}, "--match"},
	} {
		_, stderr, code := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
}
