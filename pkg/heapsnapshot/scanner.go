package heapsnapshot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

const (
	// Reads start small, so that a tiny input costs little, and double up
	// to maxChunk.
	firstChunk = 64 << 10
	maxChunk   = 8 << 20
	// headroom in front of each chunk receives the unconsumed tail of the
	// previous one, so a new chunk rarely needs copying.
	maxHeadroom = 1 << 20
)

// prefetcher reads the input in a goroutine so that reading (or gzip
// decompression) overlaps with parsing.
type prefetcher struct {
	chunks chan chunk
	free   chan []byte
	stop   chan struct{}
}

type chunk struct {
	buf []byte // whole buffer; data is buf[headroomOf(buf):][:n]
	n   int
	err error
}

// headroomOf returns the headroom of a buffer made by the prefetcher.
func headroomOf(buf []byte) int { return min(maxHeadroom, (len(buf)-pad)/2) }

// pad bytes after the data of every window let the number parser load
// eight bytes at a time without a length check (see parseDigits).
const pad = 8

func newPrefetcher(r io.Reader) *prefetcher {
	const buffers = 3
	p := &prefetcher{
		chunks: make(chan chunk, buffers-1),
		free:   make(chan []byte, buffers),
		stop:   make(chan struct{}),
	}
	go p.run(r, buffers)
	return p
}

func (p *prefetcher) run(r io.Reader, buffers int) {
	defer close(p.chunks)
	size := firstChunk
	live := 0 // buffers in circulation
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		default:
			if live < buffers {
				live++
				break
			}
			select {
			case buf = <-p.free:
			case <-p.stop:
				return
			}
		}
		if want := size + min(maxHeadroom, size) + pad; len(buf) < want {
			buf = make([]byte, want)
		}
		size = min(2*size, maxChunk)
		n, err := io.ReadFull(r, buf[headroomOf(buf):len(buf)-pad])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case p.chunks <- chunk{buf: buf, n: n, err: err}:
		case <-p.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (p *prefetcher) close() { close(p.stop) }

// scanner is a window over the input stream. win[pos:] is unconsumed; base is
// the stream offset of win[0].
type scanner struct {
	pf       *prefetcher
	win      []byte
	pool     []byte // pooled buffer backing win, returned when replaced
	pos      int
	base     int64
	eof      bool
	err      error // read error other than EOF
	progress func(consumed int64)
}

func newScanner(r io.Reader) *scanner {
	return &scanner{pf: newPrefetcher(r)}
}

func (s *scanner) close() { s.pf.close() }

// offset returns the stream offset of win[i].
func (s *scanner) offset(i int) int64 { return s.base + int64(i) }

// more appends the next chunk to the window, keeping win[s.pos:]. It returns
// false at the end of the input or on a read error (recorded in s.err).
func (s *scanner) more() bool {
	if s.eof {
		return false
	}
	c, ok := <-s.pf.chunks
	if !ok {
		s.eof = true
		return false
	}
	if c.err != nil && c.err != io.EOF {
		s.err = c.err
	}
	if c.err != nil {
		s.eof = true
	}
	if c.n == 0 {
		s.pf.free <- c.buf
		return false
	}
	carry := s.win[s.pos:]
	s.base += int64(s.pos)
	head := headroomOf(c.buf)
	if len(carry) <= head {
		start := head - len(carry)
		copy(c.buf[start:], carry)
		s.recycle()
		s.pool = c.buf
		s.win = c.buf[start : head+c.n]
	} else {
		// A token longer than the headroom (a huge string, say): join into
		// a fresh buffer, which is not pooled.
		joined := make([]byte, len(carry)+c.n, len(carry)+c.n+pad)
		copy(joined, carry)
		copy(joined[len(carry):], c.buf[head:head+c.n])
		s.pf.free <- c.buf
		s.recycle()
		s.win = joined
	}
	s.pos = 0
	if s.progress != nil {
		s.progress(s.base)
	}
	return true
}

func (s *scanner) recycle() {
	if s.pool != nil {
		s.pf.free <- s.pool
		s.pool = nil
	}
}

// readErr returns the error explaining why input ended at the current point.
func (s *scanner) endError(what string) error {
	if s.err != nil {
		return &SyntaxError{Offset: s.offset(len(s.win)), Msg: readErrorMessage(s.err)}
	}
	return syntaxErrorf(s.offset(len(s.win)), "unexpected end of input %s (truncated file?)", what)
}

func readErrorMessage(err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipSpace consumes whitespace and returns the next byte without consuming
// it. ok is false at the end of the input.
func (s *scanner) skipSpace() (c byte, ok bool) {
	for {
		for s.pos < len(s.win) {
			c = s.win[s.pos]
			if !isSpace(c) {
				return c, true
			}
			s.pos++
		}
		if !s.more() {
			return 0, false
		}
	}
}

// expect consumes c after optional whitespace.
func (s *scanner) expect(c byte, what string) error {
	got, ok := s.skipSpace()
	if !ok {
		return s.endError(what)
	}
	if got != c {
		return syntaxErrorf(s.offset(s.pos), "expected %q %s, found %s", c, what, describeByte(got))
	}
	s.pos++
	return nil
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// stringEnd returns the index in win of the closing quote of the string
// whose body starts at win[from], or -1 if the window ends first.
func stringEnd(win []byte, from int) int {
	i := from
	for {
		q := bytes.IndexByte(win[i:], '"')
		if q < 0 {
			return -1
		}
		q += i
		// The quote is escaped if an odd number of backslashes precede it.
		bs := 0
		for k := q - 1; k >= from && win[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// token returns the body of the JSON string starting at the current
// position (which must be '"') and consumes it. The result aliases the
// window and is valid until the next call that moves the window.
func (s *scanner) token(what string) ([]byte, int64, error) {
	if err := s.expect('"', what); err != nil {
		return nil, 0, err
	}
	for {
		if end := stringEnd(s.win, s.pos); end >= 0 {
			body := s.win[s.pos:end]
			at := s.offset(s.pos)
			s.pos = end + 1
			return body, at, nil
		}
		// Keep the opening position in the window while reading more.
		s.pos--
		if !s.more() {
			return nil, 0, s.endError("inside a string")
		}
		s.pos++
	}
}

// skipValue consumes one JSON value of any kind, streaming, without
// keeping it. Nesting depth is only counted, so deep input cannot exhaust
// the stack.
func (s *scanner) skipValue(what string) error {
	depth := 0
	for {
		c, ok := s.skipSpace()
		if !ok {
			return s.endError(what)
		}
		switch {
		case c == '[' || c == '{':
			depth++
			s.pos++
		case c == ']' || c == '}':
			if depth == 0 {
				return syntaxErrorf(s.offset(s.pos), "unexpected %q %s", c, what)
			}
			depth--
			s.pos++
		case c == '"':
			if _, _, err := s.token(what); err != nil {
				return err
			}
		case c == ',' || c == ':':
			if depth == 0 {
				return syntaxErrorf(s.offset(s.pos), "unexpected %q %s", c, what)
			}
			s.pos++
		case c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '+' || c == 'E':
			s.consumeRun()
		default:
			return syntaxErrorf(s.offset(s.pos), "unexpected %s %s", describeByte(c), what)
		}
		if depth == 0 {
			return nil
		}
	}
}

// consumeRun consumes the bytes of a number or literal (true, false, null).
func (s *scanner) consumeRun() {
	for {
		for s.pos < len(s.win) {
			c := s.win[s.pos]
			if !(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == 'E') {
				return
			}
			s.pos++
		}
		if !s.more() {
			return
		}
	}
}

// capture consumes one JSON object and returns its bytes (a copy), refusing
// objects longer than limit.
func (s *scanner) capture(limit int, what string) ([]byte, int64, error) {
	c, ok := s.skipSpace()
	if !ok {
		return nil, 0, s.endError(what)
	}
	at := s.offset(s.pos)
	if c != '{' {
		return nil, at, syntaxErrorf(at, "expected an object %s, found %s", what, describeByte(c))
	}
	var out []byte
	depth := 0
	inString := false
	escaped := false
	for {
		for s.pos < len(s.win) {
			c := s.win[s.pos]
			s.pos++
			out = append(out, c)
			if len(out) > limit {
				return nil, at, syntaxErrorf(at, "%s is longer than %d bytes", what, limit)
			}
			switch {
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return out, at, nil
				}
			}
		}
		if !s.more() {
			return nil, at, s.endError(what)
		}
	}
}
