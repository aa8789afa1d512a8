//go:build linux

package mcp

import (
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// TestCapture snapshots a live Node.js process into memory and finds its
// planted leak (testdata/capture/leak.js: 3,000 listeners).
func TestCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node")
	}
	// Port 0: other packages' tests open inspectors at the same time.
	p := testutil.StartNode(t, testutil.NodeBinary(t, 20), []string{"--inspect-port=0"})

	_, cs := connect(t, Options{Roots: []string{t.TempDir()}, Capture: true})
	var got CaptureOut
	callOK(t, cs, "capture", map[string]any{"pid": p.PID}, &got)
	if !strings.HasPrefix(got.File, capturePrefix) || got.Nodes == 0 || got.Bytes == 0 || !strings.HasPrefix(got.NodeVersion, "v") {
		t.Fatalf("capture: %+v", got)
	}
	var sus SuspectsOut
	callOK(t, cs, "suspects", map[string]any{"path": got.File, "kind": "listeners"}, &sus)
	if sus.Total == 0 || sus.Suspects[0].Count != 3000 || sus.Suspects[0].Path != "global.leakyBus" {
		t.Errorf("suspects of the capture: %+v", sus.Suspects)
	}
	callOK(t, cs, "close", map[string]any{"path": got.File}, nil)
	if msg := callErr(t, cs, "summary", map[string]any{"path": got.File}); !strings.Contains(msg, "no longer held") {
		t.Errorf("a closed capture: %s", msg)
	}
	if msg := callErr(t, cs, "capture", map[string]any{"pid": 0}); !strings.HasPrefix(msg, "pid: ") {
		t.Errorf("pid 0: %s", msg)
	}
}
