package mcp

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]string{
		":0": "127.0.0.1:0", ":8765": "127.0.0.1:8765", "127.0.0.1:9": "127.0.0.1:9", "[::1]:9": "[::1]:9", "0.0.0.0:9": "0.0.0.0:9",
	} {
		if got, err := LoopbackAddr(addr); err != nil || got != want {
			t.Errorf("LoopbackAddr(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := LoopbackAddr("8765"); err == nil || !strings.Contains(err.Error(), "want HOST:PORT") {
		t.Errorf("LoopbackAddr(8765): %v", err)
	}
}

// TestHTTP serves the streamable HTTP transport on a loopback port: a
// client of the SDK connects and calls a tool, and a request whose Host
// header names another host (DNS rebinding) is refused before it reaches
// the protocol.
func TestHTTP(t *testing.T) {
	s, err := New(Options{Roots: []string{testutil.Testdata()}, Read: testRead})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := LoopbackAddr(":0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.HTTPHandler(ln.Addr())}
	go srv.Serve(ln)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	c := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: "http://localhost:" + port + HTTPPath}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	var open OpenOut
	callOK(t, cs, "open", map[string]any{"path": incident}, &open)
	if open.Nodes != 47849 {
		t.Errorf("open over HTTP: %+v", open)
	}

	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for host, want := range map[string]int{
		"evil.example:" + port: http.StatusForbidden,
		"evil.example":         http.StatusForbidden,
		"127.0.0.1:1":          http.StatusForbidden, // another port
		"127.0.0.1:" + port:    http.StatusOK,
		"localhost:" + port:    http.StatusOK,
	} {
		req, err := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+HTTPPath, strings.NewReader(initialize))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d: %s", host, resp.StatusCode, want, body)
		}
		if want == http.StatusForbidden && !strings.Contains(string(body), "heapsnap mcp: refusing a request for host") {
			t.Errorf("Host %s: %s", host, body)
		}
	}
}
