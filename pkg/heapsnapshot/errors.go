package heapsnapshot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports malformed snapshot input at a byte offset. For gzip
// input the offset counts bytes of the decompressed stream.
//
// Msg is one line of valid UTF-8: input it quotes is escaped and clipped
// (see quoteInput), so that a hostile file cannot write control bytes,
// terminal escape sequences or megabyte lines to the user's terminal.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "byte " + strconv.FormatInt(e.Offset, 10) + ": " + oneLine(e.Msg)
}

func syntaxErrorf(offset int64, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: offset, Msg: oneLine(fmt.Sprintf(format, args...))}
}

// maxQuoted is how many bytes of input a message quotes at most.
const maxQuoted = 40

// quoteInput quotes bytes taken from the input for a message, as a Go
// string literal: control bytes, invalid UTF-8 and non-printing characters
// (ESC, U+2028, bidirectional overrides) are escaped, and input longer than
// maxQuoted bytes is cut, saying how long it was.
func quoteInput(b []byte) string { return quoteClipped(b, len(b)) }

// quoteClipped quotes the first bytes of a text of total bytes (total may
// exceed len(b) when only a prefix was kept; -1 means "longer, length
// unknown").
func quoteClipped(b []byte, total int) string {
	if len(b) <= maxQuoted && total == len(b) {
		return strconv.Quote(string(b))
	}
	cut := min(len(b), maxQuoted)
	for cut > 0 && cut < len(b) && !utf8.RuneStart(b[cut]) {
		cut--
	}
	if total < 0 {
		return strconv.Quote(string(b[:cut])) + "… (longer)"
	}
	return strconv.Quote(string(b[:cut])) + "… (" + strconv.Itoa(total) + " bytes)"
}

// oneLine makes a message safe to print on one terminal line: control
// characters and invalid UTF-8 become escapes. Messages built here quote
// input through quoteInput already; this also covers text from elsewhere
// (an I/O error naming a path, say).
func oneLine(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// describeByte names a byte found where another was expected.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
