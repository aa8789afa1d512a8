package heapsnapshot

import (
	"iter"
	"slices"
	"sort"
	"unicode/utf8"
)

// Strings is the snapshot's string table held in one byte arena. Strings are
// stored as WTF-8: UTF-8 that may also encode lone UTF-16 surrogates, so that
// every JavaScript string survives decoding exactly (encoding/json and most
// JSON decoders would replace lone surrogates with U+FFFD and merge distinct
// strings).
//
// In a snapshot whose strings outgrow what its nodes and edges can use (see
// stringFilter; no V8-written file does), strings that nothing refers to are
// kept empty, and those after the last one referred to are left out: Len is
// then that last index + 1.
type Strings struct {
	data []byte
	// end[i] is the low 32 bits of the arena offset just past string i.
	end []uint32
	// wraps lists, in increasing order, the first string index whose end
	// offset lies in each further 4 GiB block of the arena. It is empty unless
	// the arena exceeds 4 GiB.
	wraps []uint32
}

// Len returns the number of strings.
func (s *Strings) Len() int { return len(s.end) }

// Size returns the number of bytes held by the arena.
func (s *Strings) Size() int64 { return int64(len(s.data)) }

func (s *Strings) endOffset(i int) int64 {
	off := int64(s.end[i])
	if len(s.wraps) != 0 {
		block := sort.Search(len(s.wraps), func(k int) bool { return int(s.wraps[k]) > i })
		off += int64(block) << 32
	}
	return off
}

// Bytes returns string i as WTF-8 bytes. The result aliases the arena and
// must not be modified.
func (s *Strings) Bytes(i uint32) []byte {
	var start int64
	if i > 0 {
		start = s.endOffset(int(i) - 1)
	}
	return s.data[start:s.endOffset(int(i))]
}

// String returns string i as a Go string (a copy). Lone surrogates are
// kept in their WTF-8 form.
func (s *Strings) String(i uint32) string { return string(s.Bytes(i)) }

// Append adds a string to the table and returns its index. DevTools appends
// the names it derives ("Detached …", interface names, "(system)") to the
// string table, and class identity depends on those new indices.
func (s *Strings) Append(b []byte) uint32 {
	s.data = append(s.data, b...)
	s.closeString()
	return uint32(len(s.end) - 1)
}

// closeString records that the bytes appended since the previous string
// form one string.
func (s *Strings) closeString() { s.closeAt(int64(len(s.data))) }

// clip drops the room closeAt's doubling left unused, when it is more than
// a little.
func (s *Strings) clip() {
	if cap(s.end)-len(s.end) > len(s.end)/16 {
		s.end = slices.Clone(s.end)
	}
}

// closeStrings records strings ending at base+rel[k] in the arena, in
// order.
func (s *Strings) closeStrings(base int64, rel []uint32) {
	for _, r := range rel {
		s.closeAt(base + int64(r))
	}
}

// closeAt records a string that ends at arena offset n.
func (s *Strings) closeAt(n int64) {
	if n>>32 > int64(len(s.wraps)) {
		s.wraps = append(s.wraps, uint32(len(s.end)))
	}
	if len(s.end) == cap(s.end) {
		// Doubling, not append's quarter for large slices: fewer copies
		// into fresh pages while the strings are read; clip returns the
		// slack.
		s.end = slices.Grow(s.end, max(1024, len(s.end)))
	}
	s.end = append(s.end, uint32(n))
}

// UTF16Len returns the length of a WTF-8 string in UTF-16 code units, the
// unit JavaScript measures strings in.
func UTF16Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
		case c >= 0xF0:
			i += 4
			n++ // supplementary characters are two code units
		case c >= 0xE0:
			i += 3
		default:
			i += 2
		}
		n++
	}
	return n
}

// CompareUTF16 compares two WTF-8 strings in the order JavaScript compares
// strings: by UTF-16 code units. It differs from byte order only where a
// character above U+FFFF (a surrogate pair, 0xD800–0xDBFF first) meets one in
// U+E000–U+FFFF.
func CompareUTF16(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		switch {
		case len(a) < len(b):
			return -1
		case len(a) > len(b):
			return 1
		}
		return 0
	}
	// Back up to the start of the character that differs.
	for i > 0 && a[i]&0xC0 == 0x80 {
		i--
	}
	ua, ub := firstUnit(a[i:]), firstUnit(b[i:])
	switch {
	case ua < ub:
		return -1
	case ua > ub:
		return 1
	}
	// Same first code unit (e.g. two supplementary characters with the same
	// high surrogate): the rest of the bytes order as code units do.
	if a[i] < b[i] || (a[i] == b[i] && string(a[i:]) < string(b[i:])) {
		return -1
	}
	return 1
}

// firstUnit returns the first UTF-16 code unit of a non-empty WTF-8 string.
func firstUnit(b []byte) uint32 {
	c := b[0]
	switch {
	case c < 0x80:
		return uint32(c)
	case c >= 0xF0 && len(b) >= 4:
		r := uint32(c&0x07)<<18 | uint32(b[1]&0x3F)<<12 | uint32(b[2]&0x3F)<<6 | uint32(b[3]&0x3F)
		return 0xD800 + (r-0x10000)>>10
	case c >= 0xE0 && len(b) >= 3:
		return uint32(c&0x0F)<<12 | uint32(b[1]&0x3F)<<6 | uint32(b[2]&0x3F)
	case len(b) >= 2:
		return uint32(c&0x1F)<<6 | uint32(b[1]&0x3F)
	}
	return uint32(c)
}

// appendJSONString decodes the body of a JSON string token (without quotes)
// and appends it to dst as WTF-8. It returns the position of an invalid
// escape, or -1.
func appendJSONString(dst, src []byte) ([]byte, int) {
	dst, _, bad := appendJSONPiece(dst, src, true)
	return dst, bad
}

// appendJSONPiece decodes a piece of the body of a JSON string, as
// appendJSONString. Unless final is set, more of the body follows: it then
// stops before an escape in the piece's last 12 bytes (\ud83d\ude00 is
// the longest) or a UTF-8 sequence the piece cuts, and used says how far
// it got. bad is the position of an invalid escape, or -1.
func appendJSONPiece(dst, src []byte, final bool) (_ []byte, used, bad int) {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
				i++
				continue
			}
			if !final && !utf8.FullRune(src[i:]) {
				return dst, i, -1
			}
			// Raw UTF-8: keep valid sequences, replace each invalid byte
			// with U+FFFD as a UTF-8 TextDecoder does.
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, src[i:i+size]...)
			}
			i += size
			continue
		}
		if !final && len(src)-i < 12 {
			return dst, i, -1
		}
		if i+1 >= len(src) {
			return dst, i, i
		}
		switch src[i+1] {
		case '"', '\\', '/':
			dst = append(dst, src[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			u, ok := hex4(src, i+2)
			if !ok {
				return dst, i, i
			}
			i += 6
			if u >= 0xD800 && u < 0xDC00 && i+6 <= len(src) && src[i] == '\\' && src[i+1] == 'u' {
				if lo, ok := hex4(src, i+2); ok && lo >= 0xDC00 && lo < 0xE000 {
					dst = utf8.AppendRune(dst, rune(0x10000+(u-0xD800)<<10+(lo-0xDC00)))
					i += 6
					continue
				}
			}
			dst = appendWTF8(dst, u)
			continue
		default:
			return dst, i, i
		}
		i += 2
	}
	return dst, len(src), -1
}

func hex4(b []byte, at int) (uint32, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var v uint32
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint32(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint32(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint32(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// appendWTF8 appends a BMP code unit, encoding surrogates as three bytes like
// any other BMP code point (which UTF-8 proper forbids).
func appendWTF8(dst []byte, u uint32) []byte {
	switch {
	case u < 0x80:
		return append(dst, byte(u))
	case u < 0x800:
		return append(dst, byte(0xC0|u>>6), byte(0x80|u&0x3F))
	}
	return append(dst, byte(0xE0|u>>12), byte(0x80|(u>>6)&0x3F), byte(0x80|u&0x3F))
}

// AppendJSString appends JSON.stringify(s) for a WTF-8 string s: unlike Go's
// encoding/json it leaves <, >, &, U+2028 and U+2029 alone and writes lone
// surrogates as \udxxx.
func AppendJSString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			dst = append(dst, '\\', '"')
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		case c == 0xED:
			var n int
			if dst, n = AppendSurrogateEscape(dst, s[i:]); n == 0 {
				dst = append(dst, c)
			} else {
				i += n - 1
			}
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// stringFilter tells which strings of the table something refers to: a
// node's name, a string edge's name, a trace function's name or script.
// The parser keeps only those once it finds the strings section holding
// more than real snapshots do (see parser.stringBudget), so that text no
// analysis reads, however long, is never held. The others stay in the
// table as empty strings, to keep the indexes, up to the last one referred
// to; later ones are left out of the table.
type stringFilter struct {
	// bits has bit i set for referred-to string i below len(bits)*64,
	// a bitset no larger than one byte per reference.
	bits []uint64
	// high lists, sorted, the referred-to strings past the bitset, which
	// only a snapshot with strings indexes far beyond its references has.
	high []uint32
	next int    // keeps is asked in increasing order: high[next:] are ahead
	last uint32 // the highest string index referred to
}

func newStringFilter(refs iter.Seq[uint32]) *stringFilter {
	var highest uint32
	n := uint64(0)
	for i := range refs {
		highest = max(highest, i)
		n++
	}
	words := (min(uint64(highest)+1, 8*n+64) + 63) / 64
	size := 64 * words
	f := &stringFilter{bits: make([]uint64, words), last: highest}
	for i := range refs {
		if uint64(i) < size {
			f.bits[i>>6] |= 1 << (i & 63)
		} else {
			f.high = append(f.high, i)
		}
	}
	slices.Sort(f.high)
	f.high = slices.Compact(f.high)
	return f
}

// keeps reports whether string i is referred to. Calls must come in
// increasing order of i.
func (f *stringFilter) keeps(i uint32) bool {
	if int(i>>6) < len(f.bits) {
		return f.bits[i>>6]&(1<<(i&63)) != 0
	}
	for f.next < len(f.high) && f.high[f.next] < i {
		f.next++
	}
	return f.next < len(f.high) && f.high[f.next] == i
}

// AppendSurrogateEscape appends \udxxx for the lone UTF-16 surrogate
// (U+D800–U+DFFF, three bytes in WTF-8) that s starts with, and returns
// how many bytes of s it stands for: 3, or 0, appending nothing, when s
// does not start with one. Output meant to be UTF-8 writes surrogates so.
func AppendSurrogateEscape(dst, s []byte) ([]byte, int) {
	if len(s) < 3 || s[0] != 0xED || s[1] < 0xA0 {
		return dst, 0
	}
	const hex = "0123456789abcdef"
	u := uint32(s[0]&0x0F)<<12 | uint32(s[1]&0x3F)<<6 | uint32(s[2]&0x3F)
	return append(dst, '\\', 'u', hex[u>>12], hex[(u>>8)&15], hex[(u>>4)&15], hex[u&15]), 3
}
