package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Options says which process to capture, and how long to wait for it.
type Options struct {
	// PID is a local Node.js process (Linux). Its inspector is opened with
	// SIGUSR1 unless it is already open, and closed again afterwards.
	PID int
	// Address is an inspector that is already open: HOST:PORT, :PORT,
	// PORT, or the ws:// URL /json/list gives. Any host may be named here;
	// with PID only loopback is contacted.
	Address string
	// Timeout bounds opening the inspector and every command but a
	// snapshot (0: 10 s).
	Timeout time.Duration
	// IdleTimeout bounds the silence while a snapshot is taken: V8 reports
	// progress every few thousand objects and then streams chunks (0: 2 min).
	IdleTimeout time.Duration
	// CloseInspector closes the inspector afterwards even though heapsnap
	// did not open it (for an inspector opened by hand with kill -USR1).
	CloseInspector bool
	// Log receives one-line notes of what heapsnap does to the process.
	Log func(string)
	// CgroupRoot is where the cgroup filesystem the process's
	// /proc/PID/cgroup refers to is mounted, for the headroom check
	// (default /sys/fs/cgroup; a sidecar may see the host's elsewhere).
	CgroupRoot string
}

const (
	defaultTimeout     = 10 * time.Second
	defaultIdleTimeout = 2 * time.Minute
)

// Session is a connection to one Node.js process's inspector. Its methods
// are not safe for concurrent use.
type Session struct {
	opts   Options
	target string // "process 123" or the address, for messages
	ep     endpoint
	opened bool // heapsnap opened the inspector, so it closes it
	ws     *client
	node   string // process.version
	// profiling is set once HeapProfiler.enable was sent on ws.
	profiling bool
	closed    bool
	// retained is how much the process's RSS grew over the session's
	// snapshots: memory its allocator kept, which the next one reuses.
	retained uint64
}

// Target describes what a session is connected to.
type Target struct {
	PID         int    // 0 for an address
	Address     string // the inspector's host:port
	URL         string // its websocket
	Title       string // the inspector's name for the target (the script)
	NodeVersion string // process.version, e.g. "v22.12.0"
	// Opened is set when heapsnap opened the inspector (and closes it).
	Opened bool
}

// Open connects to the inspector of the process opts names, opening it
// first for a PID whose inspector is closed. Close the session to leave
// the process as it was found.
func Open(ctx context.Context, opts Options) (*Session, error) {
	if (opts.PID == 0) == (opts.Address == "") {
		return nil, errors.New("capture: give exactly one of a PID and an inspector address")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = defaultIdleTimeout
	}
	s := &Session{opts: opts}
	octx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var err error
	if opts.PID != 0 {
		s.target = fmt.Sprintf("process %d", opts.PID)
		s.ep, s.opened, err = openByPID(octx, opts.PID, s.logf)
		if errors.Is(err, ErrNotLoopback) && s.opened {
			// Opened on an address heapsnap leaves nothing listening on.
			cerr := s.connect(octx)
			if cerr == nil {
				cerr = s.Close(ctx)
			}
			if cerr != nil {
				return nil, failf(ErrNotLoopback, cerr, "%s; heapsnap could not close it again: %v", err, cerr)
			}
			return nil, failf(ErrNotLoopback, nil, "%s; heapsnap closed it again without capturing: open it on loopback, or open it yourself and use --inspect", err)
		}
	} else {
		s.target = opts.Address
		s.ep, err = openByAddress(octx, opts.Address)
	}
	if err != nil {
		return nil, err
	}
	if err := s.connect(octx); err != nil {
		if s.opened {
			// The inspector heapsnap opened is not left behind silently.
			err = failf(kindOf(err), err, "%s (the inspector heapsnap opened is still listening on %s)", err, s.ep.hostPort)
		}
		return nil, err
	}
	return s, nil
}

// openByAddress finds the inspector at an address the user gave.
func openByAddress(ctx context.Context, addr string) (endpoint, error) {
	hostPort, wsURL, err := parseAddress(addr)
	if err != nil {
		return endpoint{}, failf(ErrNotInspector, err, "%v", err)
	}
	if wsURL != "" {
		return endpoint{hostPort: hostPort, wsURL: wsURL}, nil
	}
	ep, err := probe(ctx, hostPort)
	switch {
	case err == nil:
		return ep, nil
	case ctx.Err() != nil:
		return endpoint{}, contextError(ctx, "%s: no answer from an inspector within the timeout", hostPort)
	case errors.Is(err, errNothingListens):
		return endpoint{}, failf(ErrNotInspector, err, "%s: nothing listens there (is the inspector open, the port forwarded?)", hostPort)
	}
	return endpoint{}, failf(ErrNotInspector, err, "%s is not a Node.js inspector: %v", hostPort, err)
}

// connect dials the inspector's websocket and asks what Node it is.
func (s *Session) connect(ctx context.Context) error {
	ws, err := dial(ctx, s.ep.wsURL)
	if err != nil {
		if ctx.Err() != nil {
			return contextError(ctx, "%s: the inspector's websocket %s did not answer within the timeout", s.target, s.ep.wsURL)
		}
		return failf(ErrNotInspector, err, "%s: cannot connect to the inspector's websocket %s: %v", s.target, s.ep.wsURL, err)
	}
	s.ws = ws
	s.profiling = false
	var version string
	if err := s.evaluate(ctx, "process.version", &version); err != nil {
		s.dropConnection()
		return err
	}
	s.node = version
	return nil
}

// Target describes the process and inspector.
func (s *Session) Target() Target {
	return Target{PID: s.opts.PID, Address: s.ep.hostPort, URL: s.ep.wsURL, Title: s.ep.title, NodeVersion: s.node, Opened: s.opened}
}

func (s *Session) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(fmt.Sprintf(format, args...))
	}
}

// dropConnection closes the websocket after a failure mid-command: what
// the inspector still sends for it would be taken for later answers.
func (s *Session) dropConnection() {
	if s.ws != nil {
		s.ws.close()
		s.ws = nil
	}
}

// command sends one command and waits for its answer within Timeout.
func (s *Session) command(ctx context.Context, method string, params any) (json.RawMessage, error) {
	if s.ws == nil {
		return nil, failf(ErrDisconnected, nil, "%s: the inspector connection was lost", s.target)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	res, err := s.ws.call(ctx, method, params, s.opts.Timeout, nil)
	if err != nil {
		return nil, s.failure(ctx, method, err)
	}
	return res, nil
}

// failure turns a call's error into a one-line *Error, and drops the
// connection when it can no longer be trusted.
func (s *Session) failure(ctx context.Context, method string, err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return failf(ErrProtocol, err, "%s: the inspector refused %s", s.target, ce)
	}
	s.dropConnection()
	var lost *errLost
	var bad badMessage
	switch {
	case errors.As(err, &bad):
		return failf(ErrProtocol, err, "%s: the inspector sent %s during %s", s.target, bad, method)
	case errors.As(err, &lost):
		if s.opts.PID != 0 && exits(s.opts.PID) {
			return failf(ErrProcessExited, err, "%s exited during %s", s.target, method)
		}
		return failf(ErrDisconnected, err, "%s: the inspector connection was lost during %s: %v", s.target, method, lost)
	case errors.Is(err, errIdle):
		return failf(ErrTimeout, err, "%s: no word from the inspector for %s during %s", s.target, s.opts.IdleTimeout, method)
	case ctx.Err() != nil:
		return contextError(ctx, "%s: no answer to %s within %s", s.target, method, s.opts.Timeout)
	}
	return failf(ErrDisconnected, err, "%s: %s: %v", s.target, method, err)
}

// exitGrace is how long a process whose inspector connection dropped may
// take to be seen gone: the kernel closes its sockets on the way out,
// before the process is a zombie.
const exitGrace = time.Second

// exits reports whether pid is gone, or goes within exitGrace.
func exits(pid int) bool {
	deadline := time.Now().Add(exitGrace)
	for alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// contextError is the error for a context that ended: ErrTimeout for a
// deadline, context.Canceled otherwise.
func contextError(ctx context.Context, format string, args ...any) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return failf(ErrTimeout, ctx.Err(), format, args...)
	}
	return failf(context.Canceled, ctx.Err(), "canceled")
}

// kindOf returns the kind of a capture error.
func kindOf(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrProtocol
}

// evaluate runs a JavaScript expression in the target's global scope with
// Node's console API (which has require), and decodes its value into out.
func (s *Session) evaluate(ctx context.Context, expr string, out any) error {
	res, err := s.command(ctx, "Runtime.evaluate", map[string]any{
		"expression":            expr,
		"returnByValue":         true,
		"includeCommandLineAPI": true,
		"silent":                true,
	})
	if err != nil {
		return err
	}
	var answer struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &answer); err != nil {
		return failf(ErrProtocol, err, "%s: evaluating %q: %v", s.target, expr, err)
	}
	if exc := answer.ExceptionDetails; exc != nil {
		text := exc.Exception.Description
		if text == "" {
			text = exc.Text
		}
		return failf(ErrProtocol, nil, "%s: evaluating %q threw %s", s.target, expr, firstLine(text))
	}
	if out != nil {
		if err := json.Unmarshal(answer.Result.Value, out); err != nil {
			return failf(ErrProtocol, err, "%s: evaluating %q: %v", s.target, expr, err)
		}
	}
	return nil
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
