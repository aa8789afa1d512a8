package mcp

import (
	"fmt"
	"net"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/serve"
)

// HTTPPath is where the streamable HTTP transport is served.
const HTTPPath = "/mcp"

// HTTPHandler serves the streamable HTTP transport at HTTPPath to the
// requests addressed to addr, the address the server listens on: a
// request whose Host header names another host is refused (a web page
// that rebinds its own name to this machine sends its own name), and so
// is a browser's cross-origin request.
func (s *Server) HTTPHandler(addr net.Addr) http.Handler {
	hosts := serve.Hosts(addr)
	mux := http.NewServeMux()
	mux.Handle(HTTPPath, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.sdk },
		&mcp.StreamableHTTPOptions{CrossOriginProtection: http.NewCrossOriginProtection()}))
	return serve.AllowHosts(hosts, func(host string) string {
		return fmt.Sprintf("heapsnap mcp: refusing a request for host %q: use http://%s%s", host, hosts[0], HTTPPath)
	}, mux)
}

// LoopbackAddr is addr with the loopback host when it names none
// (":8080"), so that the server is reachable from this machine only
// unless a host is asked for.
func LoopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("invalid address %q: want HOST:PORT, e.g. 127.0.0.1:8765", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
