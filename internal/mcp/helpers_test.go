package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// testRead analyzes as the command line does, without progress or source
// maps, with its message form FILE: what is wrong.
func testRead(name string, r io.Reader, size int64) (*devtools.Analysis, *retainers.Namer, error) {
	snap, err := heapsnapshot.Read(r, size, heapsnapshot.Options{})
	if err != nil {
		return nil, nil, &namedError{name, err}
	}
	res, err := devtools.Analyze(snap, devtools.Options{})
	if err != nil {
		return nil, nil, &namedError{name, err}
	}
	return res, retainers.NewNamer(res, nil), nil
}

type namedError struct {
	name string
	err  error
}

func (e *namedError) Error() string { return e.name + ": " + e.err.Error() }

// connect starts a server with opts (Read defaults to testRead) and a
// client session on it, in process; the client offers clientRoots (file
// URIs) as its MCP roots.
func connect(t testing.TB, opts Options, clientRoots ...string) (*Server, *mcp.ClientSession) {
	t.Helper()
	return connectWith(t, opts, "", clientRoots...)
}

// connectWith is connect with a client of the given protocol version
// ("" for the latest).
func connectWith(t testing.TB, opts Options, version string, clientRoots ...string) (*Server, *mcp.ClientSession) {
	t.Helper()
	if opts.Read == nil {
		opts.Read = testRead
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := s.SDK().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	c := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	for _, uri := range clientRoots {
		c.AddRoots(&mcp.Root{URI: uri})
	}
	clients[s] = c
	cs, err := c.Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return s, cs
}

// clients are the clients connect made, by server, for tests that change
// their roots.
var clients = map[*Server]*mcp.Client{}

// call calls a tool and decodes its structured answer into out (unless
// nil); it returns the answer's size in bytes and, for a tool error, its
// message.
func call(t testing.TB, cs *mcp.ClientSession, tool string, args map[string]any, out any) (size int, toolErr string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		return 0, res.Content[0].(*mcp.TextContent).Text
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		reflect.ValueOf(out).Elem().SetZero()
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v\n%s", tool, err, b)
		}
	}
	// The size is measured as if the checkout were at /repo: answers name
	// files by their paths, and the bound must not depend on where the
	// tests run.
	return len(bytes.ReplaceAll(b, []byte(testutil.Root()), []byte("/repo"))), ""
}
