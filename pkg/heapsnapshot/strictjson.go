package heapsnapshot

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// The "snapshot" header is read as strict JSON (RFC 8259): it decides how
// every later byte is read, so a header that is not exactly JSON is refused
// rather than guessed at. Single quotes, unquoted keys, missing or extra
// commas, raw control bytes and invalid UTF-8 in strings, leading zeros and
// anything after the value are errors.
//
// Duplicate keys: JSON.parse, and so DevTools, keeps the last value; other
// readers keep the first, and the JSON standard leaves it open. A repeated
// key whose values are written the same way is accepted, since every reader
// agrees on it. One whose values differ is refused: the file then means
// different things to different tools, and a header no V8 version writes
// is more likely damaged than deliberate.

// jsonError is a problem at a byte of a JSON text.
type jsonError struct {
	at  int
	msg string
}

func jsonErrorf(at int, format string, args ...any) *jsonError {
	return &jsonError{at: at, msg: fmt.Sprintf(format, args...)}
}

// maxJSONDepth bounds nesting in the header; V8's has three levels.
const maxJSONDepth = 32

// strictJSON reads a JSON text held in memory. base is the stream offset
// of b[0], for messages that point at a second place.
type strictJSON struct {
	b    []byte
	base int64
}

// jsonMember is one member of an object: its key (decoded), where the key
// starts, and its value's bytes and start.
type jsonMember struct {
	key     string
	at      int
	value   []byte
	valueAt int
}

// validateJSON checks that b is one strict JSON value with nothing but
// whitespace around it.
func validateJSON(b []byte, base int64) *jsonError {
	p := &strictJSON{b: b, base: base}
	end, err := p.value(p.space(0), 0)
	if err != nil {
		return err
	}
	if end = p.space(end); end < len(b) {
		return jsonErrorf(end, "unexpected %s after the end of the value", describeByte(b[end]))
	}
	return nil
}

func (p *strictJSON) space(i int) int {
	for i < len(p.b) && isSpace(p.b[i]) {
		i++
	}
	return i
}

// value reads the value at b[i] and returns the index after it.
func (p *strictJSON) value(i, depth int) (int, *jsonError) {
	if i >= len(p.b) {
		return i, jsonErrorf(i, "unexpected end of the header, where a value should be")
	}
	switch c := p.b[i]; {
	case c == '{':
		end, _, err := p.object(i, depth+1)
		return end, err
	case c == '[':
		end, _, err := p.array(i, depth+1)
		return end, err
	case c == '"':
		return p.str(i)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(i)
	case c == 't':
		return p.literal(i, "true")
	case c == 'f':
		return p.literal(i, "false")
	case c == 'n':
		return p.literal(i, "null")
	case c == '\'':
		return i, jsonErrorf(i, "single quote: JSON strings take double quotes")
	}
	return i, jsonErrorf(i, "expected a value, found %s", describeByte(p.b[i]))
}

// object reads the object at b[i], returning the index after it and its
// members. Duplicate keys are refused unless their values agree.
func (p *strictJSON) object(i, depth int) (int, []jsonMember, *jsonError) {
	if depth > maxJSONDepth {
		return i, nil, jsonErrorf(i, "nested more than %d levels deep", maxJSONDepth)
	}
	var members []jsonMember
	i = p.space(i + 1)
	if i < len(p.b) && p.b[i] == '}' {
		return i + 1, nil, nil
	}
	for {
		if i >= len(p.b) {
			return i, nil, jsonErrorf(i, "unexpected end of the header inside an object")
		}
		if c := p.b[i]; c != '"' {
			if c == '\'' {
				return i, nil, jsonErrorf(i, "single-quoted key: JSON keys take double quotes")
			}
			if c == '}' {
				return i, nil, jsonErrorf(i, "comma before '}'")
			}
			if c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
				return i, nil, jsonErrorf(i, "unquoted key: JSON keys are strings in double quotes")
			}
			return i, nil, jsonErrorf(i, "expected a key in double quotes, found %s", describeByte(c))
		}
		keyEnd, err := p.str(i)
		if err != nil {
			return i, nil, err
		}
		m := jsonMember{key: string(decodeJSONBody(p.b[i+1 : keyEnd-1])), at: i}
		i = p.space(keyEnd)
		if i >= len(p.b) || p.b[i] != ':' {
			return i, nil, jsonErrorf(i, "expected ':' after key %s, found %s", quoteInput([]byte(m.key)), p.found(i))
		}
		i = p.space(i + 1)
		end, err := p.value(i, depth)
		if err != nil {
			return i, nil, err
		}
		m.value, m.valueAt = p.b[i:end], i
		members = append(members, m)
		i = p.space(end)
		if i < len(p.b) && p.b[i] == '}' {
			if err := p.checkDuplicates(members); err != nil {
				return i, nil, err
			}
			return i + 1, members, nil
		}
		if i >= len(p.b) || p.b[i] != ',' {
			return i, nil, jsonErrorf(i, "expected ',' or '}' after the value of %s, found %s", quoteInput([]byte(m.key)), p.found(i))
		}
		i = p.space(i + 1)
	}
}

func (p *strictJSON) checkDuplicates(members []jsonMember) *jsonError {
	if len(members) < 2 {
		return nil
	}
	byKey := slices.Clone(members)
	slices.SortStableFunc(byKey, func(a, b jsonMember) int { return cmp.Compare(a.key, b.key) })
	for k := 1; k < len(byKey); k++ {
		first, again := byKey[k-1], byKey[k]
		if first.key == again.key && !sameJSON(first.value, again.value) {
			return jsonErrorf(again.at, "duplicate key %s with a different value than at byte %d",
				quoteInput([]byte(again.key)), p.base+int64(first.at))
		}
	}
	return nil
}

// array reads the array at b[i], returning the index after it and its
// elements.
func (p *strictJSON) array(i, depth int) (int, [][]byte, *jsonError) {
	if depth > maxJSONDepth {
		return i, nil, jsonErrorf(i, "nested more than %d levels deep", maxJSONDepth)
	}
	var items [][]byte
	i = p.space(i + 1)
	if i < len(p.b) && p.b[i] == ']' {
		return i + 1, nil, nil
	}
	for {
		if i < len(p.b) && p.b[i] == ']' {
			return i, nil, jsonErrorf(i, "comma before ']'")
		}
		end, err := p.value(i, depth)
		if err != nil {
			return i, nil, err
		}
		items = append(items, p.b[i:end])
		i = p.space(end)
		if i < len(p.b) && p.b[i] == ']' {
			return i + 1, items, nil
		}
		if i >= len(p.b) || p.b[i] != ',' {
			return i, nil, jsonErrorf(i, "expected ',' or ']' in an array, found %s", p.found(i))
		}
		i = p.space(i + 1)
	}
}

// str reads the string at b[i] (its opening quote) and returns the index
// after the closing quote.
func (p *strictJSON) str(i int) (int, *jsonError) {
	b := p.b
	for j := i + 1; j < len(b); {
		switch c := b[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= len(b) {
				return j, jsonErrorf(j, "unexpected end of the header in a string")
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if _, ok := hex4(b, j+2); !ok {
					return j, jsonErrorf(j, "invalid \\u escape in a string")
				}
				j += 6
			default:
				return j, jsonErrorf(j, "invalid escape %s in a string", quoteInput(b[j:j+2]))
			}
		case c < 0x20:
			return j, jsonErrorf(j, "raw control byte 0x%02x in a string (JSON requires it escaped)", c)
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return j, jsonErrorf(j, "invalid UTF-8 in a string")
			}
			j += size
		}
	}
	return len(b), jsonErrorf(len(b), "unexpected end of the header in a string")
}

// number reads a number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *strictJSON) number(i int) (int, *jsonError) {
	b := p.b
	j := i
	if b[j] == '-' {
		j++
	}
	digits := func(what string) *jsonError {
		start := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == start {
			return jsonErrorf(j, "expected a digit %s, found %s", what, p.found(j))
		}
		return nil
	}
	if j < len(b) && b[j] == '0' {
		j++
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			return j, jsonErrorf(i, "number with a leading zero")
		}
	} else if err := digits("in a number"); err != nil {
		return j, err
	}
	if j < len(b) && b[j] == '.' {
		j++
		if err := digits("after a decimal point"); err != nil {
			return j, err
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if err := digits("in an exponent"); err != nil {
			return j, err
		}
	}
	return j, nil
}

func (p *strictJSON) literal(i int, word string) (int, *jsonError) {
	end := i
	for end < len(p.b) && p.b[end] >= 'a' && p.b[end] <= 'z' {
		end++
	}
	if string(p.b[i:end]) != word {
		return i, jsonErrorf(i, "expected a value, found %s", quoteInput(p.b[i:max(end, i+1)]))
	}
	return end, nil
}

// found names what is at b[i] for a message.
func (p *strictJSON) found(i int) string {
	if i >= len(p.b) {
		return "the end of the header"
	}
	return describeByte(p.b[i])
}

// sameJSON reports whether two valid JSON texts are written the same way
// but for whitespace between tokens.
func sameJSON(a, b []byte) bool {
	i, j := 0, 0
	inString := false
	for {
		if !inString {
			for i < len(a) && isSpace(a[i]) {
				i++
			}
			for j < len(b) && isSpace(b[j]) {
				j++
			}
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		switch {
		case inString && a[i] == '\\':
			// The escaped byte is compared next, inside the string.
			i++
			j++
			if i == len(a) || j == len(b) || a[i] != b[j] {
				return false
			}
		case a[i] == '"':
			inString = !inString
		}
		i++
		j++
	}
}

// decodeJSONBody decodes the body of a validated JSON string.
func decodeJSONBody(body []byte) []byte {
	if isPlainASCII(body) {
		return body
	}
	out, _ := appendJSONString(nil, body)
	return out
}

// jsonObject returns the members of a validated object found at offset
// off of the header, with offsets relative to the header.
func jsonObject(b []byte, off int) []jsonMember {
	p := &strictJSON{b: b}
	_, members, _ := p.object(0, 0)
	for i := range members {
		members[i].at += off
		members[i].valueAt += off
	}
	return members
}

// jsonArray returns the elements of a validated array.
func jsonArray(b []byte) [][]byte {
	p := &strictJSON{b: b}
	_, items, _ := p.array(0, 0)
	return items
}
