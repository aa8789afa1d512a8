package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// inspectorHTTP talks to inspectors directly: never through a proxy named
// in the environment (the inspector is local, or reached through a tunnel
// the user set up), and without idle connections left behind.
var inspectorHTTP = &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}

// endpoint is an inspector found by its HTTP discovery endpoint.
type endpoint struct {
	hostPort string // what heapsnap connects to
	wsURL    string // the target's websocket, on hostPort
	title    string // what the inspector calls its target (the script)
}

// listEntry is one target in the inspector's /json/list.
type listEntry struct {
	Type                 string `json:"type"`
	Title                string `json:"title"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// maxListSize bounds the /json/list answer read; Node's is below 1 kB.
const maxListSize = 1 << 20

// probeTimeout bounds one probe of a socket that may be the inspector.
const probeTimeout = 2 * time.Second

// errNothingListens is a probe of an address where nothing accepts.
var errNothingListens = errors.New("connection refused")

// probe asks the inspector at hostPort for its targets (GET /json/list)
// and returns the first one's websocket, rewritten onto hostPort: the URL
// the inspector gives names the address it saw in the request's Host,
// which behind a tunnel (kubectl port-forward) need not be reachable, and
// heapsnap contacts no host but the one it was given.
func probe(ctx context.Context, hostPort string) (endpoint, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostPort+"/json/list", nil)
	if err != nil {
		return endpoint{}, err
	}
	resp, err := inspectorHTTP.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return endpoint{}, errNothingListens
		}
		return endpoint{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxListSize))
	if err != nil {
		return endpoint{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return endpoint{}, fmt.Errorf("GET /json/list answered %s", resp.Status)
	}
	var list []listEntry
	if err := json.Unmarshal(body, &list); err != nil {
		return endpoint{}, fmt.Errorf("GET /json/list: not an inspector's answer")
	}
	for _, e := range list {
		u, err := url.Parse(e.WebSocketDebuggerURL)
		if err != nil || u.Scheme != "ws" || u.Path == "" {
			continue
		}
		return endpoint{hostPort: hostPort, wsURL: "ws://" + hostPort + u.Path, title: e.Title}, nil
	}
	return endpoint{}, fmt.Errorf("GET /json/list lists no target with a websocket")
}

// defaultInspectorPort is where Node's inspector listens unless told
// otherwise (--inspect-port).
const defaultInspectorPort = 9229

// CheckAddress reports whether s is an inspector address Options.Address
// accepts (HOST:PORT, :PORT, PORT, or a ws:// or http:// URL), without
// contacting it: for a command line to refuse a mistyped one as a usage
// error before it does anything.
func CheckAddress(s string) error {
	_, _, err := parseAddress(s)
	return err
}

// parseAddress reads an inspector address as the user gives it: a ws://
// URL, an http:// URL, HOST:PORT, :PORT or PORT. A missing host is
// 127.0.0.1. It returns the host:port and, for a ws:// URL, the URL.
func parseAddress(s string) (hostPort, wsURL string, err error) {
	switch {
	case strings.HasPrefix(s, "ws://"), strings.HasPrefix(s, "http://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", "", fmt.Errorf("%q is not an inspector address", s)
		}
		hostPort = u.Host
		if u.Port() == "" {
			hostPort = net.JoinHostPort(u.Hostname(), strconv.Itoa(defaultInspectorPort))
		}
		if u.Scheme == "ws" {
			if u.Path == "" || u.Path == "/" {
				return "", "", fmt.Errorf("%q names no target (ws://HOST:PORT/ID, as /json/list gives it)", s)
			}
			wsURL = "ws://" + hostPort + u.RequestURI()
		}
		return hostPort, wsURL, nil
	case strings.HasPrefix(s, "wss://"), strings.HasPrefix(s, "https://"):
		return "", "", fmt.Errorf("%q: the inspector speaks plain ws:// and http://; tunnel TLS yourself", s)
	}
	if _, err := strconv.ParseUint(s, 10, 16); err == nil {
		return net.JoinHostPort("127.0.0.1", s), "", nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", "", fmt.Errorf("%q is not HOST:PORT or a ws:// URL", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", "", fmt.Errorf("%q: bad port %q", s, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), "", nil
}
