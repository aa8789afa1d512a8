package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/capture"
)

// capturePrefix starts the names of snapshots taken by the capture tool:
// they stream from the process into the parser and exist only in memory.
const capturePrefix = "capture:"

func isCaptureName(s string) bool { return strings.HasPrefix(s, capturePrefix) }

// captureCounter numbers captures, so that two of one process differ.
type captureCounter struct {
	mu sync.Mutex
	n  int
}

func (c *captureCounter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// CaptureIn says which process to snapshot.
type CaptureIn struct {
	PID int `json:"pid" jsonschema:"process id of a local Node.js process"`
	// TrackAllocations records allocation stacks for that many seconds
	// first, so that allocations and show_object can say who allocated.
	TrackAllocations int  `json:"track_allocations_seconds,omitempty" jsonschema:"record allocation stacks for this many seconds before the snapshot"`
	Force            bool `json:"force,omitempty" jsonschema:"take the snapshot even when the process likely lacks the memory a snapshot costs it"`
}

// CaptureOut describes the captured snapshot, held under its name.
type CaptureOut struct {
	OpenOut
	NodeVersion string `json:"node_version"`
	Bytes       int64  `json:"bytes"`
}

func (s *Server) addCaptureTool() {
	addTool(s, &mcp.Tool{Name: "capture", Annotations: &mcp.ToolAnnotations{ReadOnlyHint: false, DestructiveHint: ptr(false), OpenWorldHint: ptr(false)},
		Description: "Take a heap snapshot of a local Node.js process by PID over its inspector (opened with SIGUSR1 if closed, " +
			"and closed again) and hold it analyzed under the name it answers (capture:PID:N), for the other tools' path. " +
			"The snapshot streams into the analysis and is never written to a file. It pauses the process while V8 walks " +
			"its heap and costs it memory; it is refused when the process likely lacks it, unless force."},
		s.captureTool)
}

func (s *Server) captureTool(ctx context.Context, _ *mcp.CallToolRequest, in CaptureIn) (*mcp.CallToolResult, CaptureOut, error) {
	if in.PID <= 0 {
		return nil, CaptureOut{}, fmt.Errorf("pid: want a process id, got %d", in.PID)
	}
	sess, err := capture.Open(ctx, capture.Options{PID: in.PID})
	if err != nil {
		return nil, CaptureOut{}, err
	}
	defer func() {
		// Leave the process as found even when the client gave up.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = sess.Close(cctx)
	}()
	name := fmt.Sprintf("%s%d:%d", capturePrefix, in.PID, s.captures.next())
	pr, pw := io.Pipe()
	type result struct {
		stats capture.Stats
		err   error
	}
	done := make(chan result, 1)
	go func() {
		st, err := sess.Snapshot(ctx, pw, capture.SnapshotOptions{
			TrackAllocations: time.Duration(in.TrackAllocations) * time.Second, Force: in.Force})
		pw.CloseWithError(err)
		done <- result{st, err}
	}()
	res, names, readErr := s.opts.Read(name, pr, -1)
	// A parser that stopped early makes the snapshot's writes fail, and
	// capture reads and drops the rest.
	pr.CloseWithError(errors.New("the analysis stopped reading"))
	r := <-done
	if r.err != nil {
		return nil, CaptureOut{}, r.err
	}
	if readErr != nil {
		return nil, CaptureOut{}, readErr
	}
	h := &held{key: name, name: name, size: -1, res: res, names: names}
	s.store.hold(h)
	return nil, CaptureOut{OpenOut: s.describe(opened{held: h, name: name}), NodeVersion: sess.Target().NodeVersion, Bytes: r.stats.Bytes}, nil
}
