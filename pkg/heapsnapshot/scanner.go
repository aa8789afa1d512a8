package heapsnapshot

import (
	"bytes"
	"errors"
	"io"
)

// Reads start small, so that a tiny input costs little, and double up to
// maxChunk (a variable so that tests can reach it with small inputs).
const firstChunk = 64 << 10

var maxChunk = 8 << 20

// headroom in front of each chunk receives the unconsumed tail of the
// previous one, so a new chunk rarely needs copying.
const maxHeadroom = 1 << 20

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

// endError returns the error explaining why input ended at the current
// point: a read error (a gzip error, say), or the end of the input.
func (s *scanner) endError(what string) error {
	if s.err != nil {
		return &SyntaxError{Offset: s.offset(len(s.win)), Msg: readErrorMessage(s.err)}
	}
	return syntaxErrorf(s.offset(len(s.win)), "unexpected end of input %s: the file is truncated (was the snapshot written completely? wait until the writer finishes, or copy it again)", what)
}

func readErrorMessage(err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return oneLine(err.Error())
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipSpace consumes whitespace and returns the next byte without consuming
// it. ok is false at the end of the input. Whitespace is dropped as it is
// read, so any amount of it costs no memory.
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

// stringEnd returns the index in win of the closing quote of the string
// whose body starts at win[from], or -1 if the window ends first. from
// must not be inside an escape.
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

// stringSink receives the body of a JSON string in pieces: piece starts
// at stream offset at and is the whole rest of the body when final is set.
// It returns how many bytes it consumed (all of them when final); the rest,
// the start of an escape or character the next piece completes, is offered
// again with more input.
type stringSink func(piece []byte, at int64, final bool) (used int, err error)

// readString consumes the JSON string at the current position (after
// optional whitespace), handing its body to sink. The body is never held
// whole: a string longer than the read window streams through at the
// speed of the input, costing only what sink keeps of it.
func (s *scanner) readString(what string, sink stringSink) (at int64, err error) {
	if err := s.expect('"', what); err != nil {
		return 0, err
	}
	at = s.offset(s.pos)
	for {
		if end := stringEnd(s.win, s.pos); end >= 0 {
			if _, err := sink(s.win[s.pos:end], s.offset(s.pos), true); err != nil {
				return at, err
			}
			s.pos = end + 1
			return at, nil
		}
		used, err := sink(s.win[s.pos:], s.offset(s.pos), false)
		if err != nil {
			return at, err
		}
		s.pos += used
		if !s.more() {
			return at, s.endError("inside a string " + what)
		}
	}
}

// wholeEscapes returns how much of a piece of string body can be consumed
// without cutting an escape in two: all of it, unless it ends in an odd run
// of backslashes, whose last one starts an escape.
func wholeEscapes(piece []byte) int {
	n := 0
	for n < len(piece) && piece[len(piece)-1-n] == '\\' {
		n++
	}
	return len(piece) - n%2
}

// skipString is a stringSink that keeps nothing.
func skipString(piece []byte, _ int64, final bool) (int, error) {
	if final {
		return len(piece), nil
	}
	return wholeEscapes(piece), nil
}

// maxKeyBytes is how much of an object key is kept: more than any key a
// heap snapshot uses, and enough to quote in a message.
const maxKeyBytes = 64

// key reads an object key, appending to buf its raw body (escapes not
// decoded), or its first maxKeyBytes bytes with long set; the rest of a
// long key is streamed, never held.
func (s *scanner) key(what string, buf []byte) (raw []byte, long bool, at int64, err error) {
	at, err = s.readString(what, func(piece []byte, _ int64, final bool) (int, error) {
		used := len(piece)
		if !final {
			used = wholeEscapes(piece)
		}
		if room := maxKeyBytes - len(buf); room > 0 {
			buf = append(buf, piece[:min(used, room)]...)
			long = long || used > room
		} else if used > 0 {
			long = true
		}
		return used, nil
	})
	return buf, long, at, err
}

// number reads an unsigned integer after optional whitespace. Its digits
// are consumed as they are read, so an overlong run of them costs no
// memory; more than 19 digits is an error.
func (s *scanner) number(what string) (v uint64, at int64, err error) {
	c, ok := s.skipSpace()
	if !ok {
		return 0, 0, s.endError(what)
	}
	at = s.offset(s.pos)
	if c-'0' > 9 {
		return 0, at, syntaxErrorf(at, "expected a number %s, found %s", what, describeByte(c))
	}
	digits := 0
	for {
		for s.pos < len(s.win) {
			d := s.win[s.pos] - '0'
			if d > 9 {
				return v, at, nil
			}
			if digits++; digits > 19 {
				return 0, at, syntaxErrorf(at, "number too large %s", what)
			}
			v = v*10 + uint64(d)
			s.pos++
		}
		if !s.more() {
			return v, at, nil
		}
	}
}

// skipValue consumes one JSON value of any kind, streaming, without
// keeping it. Nesting depth is only counted, so deep input cannot exhaust
// the stack. Inside arrays and objects it checks only that every byte may
// occur in JSON and that brackets balance, at the speed of a table lookup
// per byte.
func (s *scanner) skipValue(what string) error {
	c, ok := s.skipSpace()
	if !ok {
		return s.endError(what)
	}
	switch skipClass[c] {
	case skipQuote:
		_, err := s.readString(what, skipString)
		return err
	case skipPlain:
		if isScalarByte(c) {
			s.consumeRun()
			return nil
		}
	case skipOpen:
		return s.skipContainer(what)
	}
	return syntaxErrorf(s.offset(s.pos), "unexpected %s %s", describeByte(c), what)
}

// Byte classes for skipping the inside of a container.
const (
	skipBad   = iota
	skipPlain // whitespace, scalar characters, ',' and ':'
	skipOpen
	skipClose
	skipQuote
)

var skipClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n,:-+.E0123456789abcdefghijklmnopqrstuvwxyz") {
		t[c] = skipPlain
	}
	t['['], t['{'] = skipOpen, skipOpen
	t[']'], t['}'] = skipClose, skipClose
	t['"'] = skipQuote
	return t
}()

func isScalarByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || c == 'E' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
}

// skipContainer consumes the array or object at the current position.
func (s *scanner) skipContainer(what string) error {
	depth := 0
	for {
		w, i := s.win, s.pos
		for i < len(w) {
			switch skipClass[w[i]] {
			case skipPlain:
				i++
				continue
			case skipOpen:
				depth++
				i++
				continue
			case skipClose:
				depth--
				i++
				if depth == 0 {
					s.pos = i
					return nil
				}
				continue
			case skipQuote:
				s.pos = i
				if _, err := s.readString(what, skipString); err != nil {
					return err
				}
				w, i = s.win, s.pos
				continue
			}
			return syntaxErrorf(s.offset(i), "unexpected %s %s", describeByte(w[i]), what)
		}
		s.pos = i
		if !s.more() {
			return s.endError(what)
		}
	}
}

// consumeRun consumes the bytes of a number or literal (true, false, null).
func (s *scanner) consumeRun() {
	for {
		for s.pos < len(s.win) {
			c := s.win[s.pos]
			if !isScalarByte(c) {
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
// objects longer than limit. Only its nesting is followed here; the caller
// parses it.
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
