package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/buger/jsonparser"
	"github.com/coder/websocket"
)

// readLimit bounds one protocol message. V8 sends a heap snapshot in
// chunks of at most 100 kB (1 MB in some versions) of ASCII, which JSON
// escaping at most doubles (every byte a quote or a backslash); the other
// messages heapsnap asks for are small. 64 MiB leaves room for a V8 that
// sends bigger chunks, and is still a bound: a peer cannot make heapsnap
// buffer an unbounded message.
const readLimit = 64 << 20

// client speaks the Chrome DevTools protocol over one websocket. One
// goroutine reads messages and hands them over; the caller's goroutine
// writes commands and consumes messages. The reader owns its buffers and
// gets them back through free, so a snapshot of gigabytes streams through
// a couple of buffers.
type client struct {
	conn   *websocket.Conn
	nextID int64

	msgs    chan []byte   // messages read; closed when the reader stops
	free    chan []byte   // consumed buffers, for reuse
	closing chan struct{} // closed by close()
	done    chan struct{} // closed when the reader has stopped
	readErr error         // why the reader stopped; read after done

	closeOnce sync.Once
}

// dial connects to a DevTools websocket URL.
func dial(ctx context.Context, url string) (*client, error) {
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		// The inspector checks Host against rebinding attacks; the URL's
		// host is what it expects. No compression: the inspector offers
		// none, and the chunks are already streamed as they come.
		HTTPClient: &http.Client{Transport: &http.Transport{Proxy: nil}},
	})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(readLimit)
	c := &client{
		conn:    conn,
		msgs:    make(chan []byte),
		free:    make(chan []byte, 2),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

func (c *client) readLoop() {
	defer close(c.done)
	defer close(c.msgs)
	for {
		_, r, err := c.conn.Reader(context.Background())
		if err != nil {
			c.readErr = err
			return
		}
		var buf []byte
		select {
		case buf = <-c.free:
		default:
		}
		b := bytes.NewBuffer(buf[:0])
		if _, err := b.ReadFrom(r); err != nil {
			c.readErr = err
			return
		}
		select {
		case c.msgs <- b.Bytes():
		case <-c.closing:
			c.readErr = errClosedByUs
			return
		}
	}
}

// errClosedByUs is the reader's error after close(): not a lost connection.
var errClosedByUs = errors.New("closed by heapsnap")

// recycle hands a consumed message's buffer back to the reader.
func (c *client) recycle(b []byte) {
	select {
	case c.free <- b:
	default:
	}
}

// close ends the connection and waits for the reader to stop.
func (c *client) close() {
	c.closeOnce.Do(func() {
		close(c.closing)
		c.conn.CloseNow()
	})
	<-c.done
}

// lost reports why the connection ended, once msgs is closed.
func (c *client) lost() error {
	<-c.done
	return c.readErr
}

// event is a protocol notification: a method name and its params, which
// alias a buffer that is reused once the handler returns.
type event struct {
	method string
	params []byte
}

// callError is an error the inspector returned for a command.
type callError struct {
	method  string
	code    int64
	message string
}

func (e *callError) Error() string {
	return fmt.Sprintf("%s: %s (code %d)", e.method, e.message, e.code)
}

// badMessage is a message from the inspector heapsnap cannot use.
type badMessage string

func (b badMessage) Error() string { return string(b) }

// errIdle is returned when no message arrived for the idle time.
var errIdle = errors.New("no message from the inspector")

// errLost wraps the reader's error when the connection ended mid-call.
type errLost struct{ err error }

func (e *errLost) Error() string {
	if e.err == nil || errors.Is(e.err, io.EOF) {
		return "connection closed"
	}
	return e.err.Error()
}
func (e *errLost) Unwrap() error { return e.err }

// call sends a command and consumes messages until its response, passing
// every event to onEvent (nil: events are dropped). A handler error stops
// the call. idle bounds the silence between two messages. The result is a
// copy, safe to keep.
func (c *client) call(ctx context.Context, method string, params any, idle time.Duration, onEvent func(event) error) (json.RawMessage, error) {
	c.nextID++
	id := c.nextID
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	req, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if err := c.conn.Write(ctx, websocket.MessageText, req); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &errLost{err}
	}
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		var b []byte
		var ok bool
		select {
		case b, ok = <-c.msgs:
			if !ok {
				return nil, &errLost{c.lost()}
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, errIdle
		}
		timer.Reset(idle)
		result, done, err := c.handle(b, id, method, onEvent)
		c.recycle(b)
		if done || err != nil {
			return result, err
		}
	}
}

// drain reads and drops events until wait ends (nil), ctx ends, or the
// connection is lost: the heap statistics V8 sends every 50 ms while it
// tracks objects must be read, or they pile up in the process.
func (c *client) drain(wait, ctx context.Context) error {
	for {
		select {
		case b, ok := <-c.msgs:
			if !ok {
				return &errLost{c.lost()}
			}
			c.recycle(b)
		case <-wait.Done():
			return ctx.Err()
		}
	}
}

// handle dispatches one message: the response to command id (done), or an
// event for onEvent.
func (c *client) handle(b []byte, id int64, method string, onEvent func(event) error) (result json.RawMessage, done bool, err error) {
	var gotID int64 = -1
	var ev event
	var res, perr []byte
	jsonparser.EachKey(b, func(i int, v []byte, _ jsonparser.ValueType, _ error) {
		switch i {
		case 0:
			gotID, _ = strconv.ParseInt(string(v), 10, 64)
		case 1:
			ev.method = string(v)
		case 2:
			ev.params = v
		case 3:
			res = v
		case 4:
			perr = v
		}
	}, []string{"id"}, []string{"method"}, []string{"params"}, []string{"result"}, []string{"error"})
	switch {
	case gotID == id && perr != nil:
		code, _ := jsonparser.GetInt(perr, "code")
		message, _ := jsonparser.GetString(perr, "message")
		return nil, true, &callError{method: method, code: code, message: message}
	case gotID == id:
		return bytes.Clone(res), true, nil
	case ev.method != "" && onEvent != nil:
		return nil, false, onEvent(ev)
	}
	return nil, false, nil
}
