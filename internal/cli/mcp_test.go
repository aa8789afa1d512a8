package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

func TestMCPOptions(t *testing.T) {
	o, stderr, code := options(t, "mcp")
	if code != 0 {
		t.Fatalf("mcp: exit %d: %s", code, stderr)
	}
	mo := o.(*mcpOptions)
	if len(mo.roots) != 1 || mo.roots[0] != "." || mo.http != "" || mo.maxSnapshots != 3 || mo.capture {
		t.Errorf("mcp defaults: %+v", mo)
	}
	o, _, _ = options(t, "mcp", "a", "b", "--http", ":8765", "--max-snapshots", "5", "--capture")
	mo = o.(*mcpOptions)
	if strings.Join(mo.roots, " ") != "a b" || mo.http != "127.0.0.1:8765" || mo.maxSnapshots != 5 || !mo.capture {
		t.Errorf("mcp a b --http :8765 …: %+v", mo)
	}
	for _, args := range [][]string{{"mcp", "--http", "8765"}, {"mcp", "--max-snapshots", "0"}} {
		if _, stderr, code := options(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, stderr)
		}
	}
	if _, stderr, code := run(t, nil, "mcp", "/no/such/dir"); code != ExitUsage || !strings.Contains(stderr, "heapsnap: mcp: /no/such/dir: no such file or directory") {
		t.Errorf("mcp /no/such/dir: exit %d: %s", code, stderr)
	}
}

// TestMCPStdio runs the built binary as a client starts it, over standard
// input and output, with the command line's reader (a malformed snapshot's
// message is the command line's) and configuration files.
func TestMCPStdio(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "heapsnap")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/heapsnap")
	build.Dir = testutil.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bad := t.TempDir()
	good := testutil.ReadFile(t, testutil.Testdata("corner", "corner01.heapsnapshot"))
	if err := os.WriteFile(filepath.Join(bad, "cut.heapsnapshot"), good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "mcp", testutil.Testdata(), bad)
	ctx := context.Background()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	call := func(tool string, args map[string]any) (map[string]any, string) {
		t.Helper()
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if res.IsError {
			return nil, res.Content[0].(*sdk.TextContent).Text
		}
		var out map[string]any
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out, ""
	}
	incident := "scenarios/snapshots/incident-leak.heapsnapshot.gz"
	sus, msg := call("suspects", map[string]any{"path": incident})
	if msg != "" {
		t.Fatal(msg)
	}
	first := sus["suspects"].([]any)[0].(map[string]any)
	if first["path"] != "global.processor.emitter" || first["count"] != float64(2000) {
		t.Errorf("suspects over stdio: %v", first)
	}
	chk, msg := call("check", map[string]any{"path": "scenarios/snapshots/growth-4.heapsnapshot.gz",
		"baseline": "scenarios/snapshots/growth-1.heapsnapshot.gz", "config": "check/budgets.yaml"})
	if msg != "" || chk["verdict"] != "3 of 6 checks failed" || chk["config"] != "check/budgets.yaml" {
		t.Errorf("check with budgets.yaml: %v %s", chk, msg)
	}
	if _, msg := call("check", map[string]any{"path": incident, "config": "golden/analyze.json"}); !strings.HasPrefix(msg, "config ") {
		t.Errorf("check with a config that is not one: %s", msg)
	}
	cut := filepath.Join(bad, "cut.heapsnapshot")
	if _, msg := call("summary", map[string]any{"path": cut}); !strings.HasPrefix(msg, cut+": byte ") {
		t.Errorf("a cut snapshot: %s, want the command line's FILE: byte N: message", msg)
	}
	if _, msg := call("open", map[string]any{"path": "/etc/hostname"}); !strings.Contains(msg, "outside the directories this server may read") {
		t.Errorf("outside the roots: %s", msg)
	}
	sum, msg := call("summary", map[string]any{"path": incident})
	if msg != "" || sum["nodes"] != float64(47849) {
		t.Errorf("summary after the errors: %v %s", sum["nodes"], msg)
	}
}
