package heapsnapshot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStrictHeader checks that the snapshot header is read as strict
// JSON: each case changes tiny's header and names the byte the error must
// point at (the first occurrence of at in the changed input, plus skip).
func TestStrictHeader(t *testing.T) {
	cases := []struct {
		name, old, new string
		at             string
		skip           int
		msg            string
	}{
		{"missing comma", `"node_count":4,"edge_count"`, `"node_count":4 "edge_count"`, ` "edge_count"`, 1, `expected ',' or '}' after the value of "node_count", found '"'`},
		{"single quotes", `"node_count":4`, `'node_count':4`, `'node_count'`, 0, "single-quoted key"},
		{"unquoted key", `"node_count":4`, `node_count:4`, `node_count:4`, 0, "unquoted key"},
		{"garbage between keys", `"node_count":4,`, `"node_count":4,#`, `#`, 0, "expected a key in double quotes, found '#'"},
		{"garbage after a value", `"node_count":4,`, `"node_count":4x,`, `x,`, 0, "expected ',' or '}' after the value of \"node_count\", found 'x'"},
		{"raw control byte", `"number","number"]`, "\"num\x01ber\",\"number\"]", "\x01", 0, "raw control byte 0x01 in a string"},
		{"raw newline", `"number","number"]`, "\"num\nber\",\"number\"]", "\n", 0, "raw control byte 0x0a in a string"},
		{"invalid UTF-8", `"number","number"]`, "\"num\xffber\",\"number\"]", "\xff", 0, "invalid UTF-8 in a string"},
		{"bad escape", `"number","number"]`, `"num\qber","number"]`, `\q`, 0, `invalid escape "\\q"`},
		{"comma before brace", `"trace_function_count":0}`, `"trace_function_count":0,}`, `,}`, 1, "comma before '}'"},
		{"comma before bracket", `"column"]}`, `"column",]}`, `,]}`, 1, "comma before ']'"},
		{"leading zero", `"node_count":4`, `"node_count":04`, `04`, 0, "number with a leading zero"},
		{"plus sign", `"node_count":4`, `"node_count":+4`, `+4`, 0, "expected a value, found '+'"},
		{"NaN", `"trace_function_count":0`, `"trace_function_count":NaN`, `NaN`, 0, "expected a value, found 'N'"},
		{"bad literal", `"trace_function_count":0`, `"trace_function_count":nul`, `nul`, 0, `expected a value, found "nul"`},
		{"differing duplicate", `"edge_count":4,`, `"edge_count":4,"node_count":5,`, `"node_count":5`, 0, `duplicate key "node_count" with a different value than at byte `},
		{"escaped duplicate", `"edge_count":4,`, `"edge_count":4,"node\u005fcount":5,`, `"node\u005fcount"`, 0, `duplicate key "node_count" with a different value`},
		{"too deep", `"trace_function_count":0`, `"trace_function_count":0,"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40), `"x":`, 4 + 31, "nested more than 32 levels deep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := strings.Replace(tiny, tc.old, tc.new, 1)
			if input == tiny {
				t.Fatal("the case changes nothing")
			}
			wantSyntaxError(t, input, int64(strings.Index(input, tc.at)+tc.skip), tc.msg)
		})
	}
	// Repeats written the same way, and whitespace anywhere JSON allows
	// it, are accepted.
	for _, ok := range []string{
		strings.Replace(tiny, `"edge_count":4,`, `"edge_count":4,"node_count" : 4 ,`, 1),
		strings.Replace(tiny, `"node_types":[[`, "\"node_types\" :\r\n\t[ [ ", 1),
		strings.Replace(tiny, `"node_count":4`, `"node_count":4.0e0`, 1),
	} {
		if _, err := Read(strings.NewReader(ok), int64(len(ok)), Options{}); err != nil {
			t.Errorf("%v", err)
		}
	}
	// A header larger than 1 MiB is refused before it is parsed.
	huge := strings.Replace(tiny, `"trace_function_count":0`, `"trace_function_count":0,"x":"`+strings.Repeat("a", 1<<20)+`"`, 1)
	if _, err := Read(strings.NewReader(huge), int64(len(huge)), Options{}); err == nil || !strings.Contains(err.Error(), "longer than 1048576 bytes") {
		t.Errorf("huge header: %v", err)
	}
}

// TestMessagesAreSafe feeds input whose bytes end up quoted in a message:
// control bytes, a terminal escape sequence, invalid UTF-8, a line
// separator, a megabyte key or number. Every message must be one short
// line of printable UTF-8.
func TestMessagesAreSafe(t *testing.T) {
	body := tinyBody[:len(tinyBody)-1] // without the final '}'
	long := strings.Repeat("k", 1<<20)
	cases := map[string]string{
		"escape sequence key":   tinyHeader + body + ",\"\x1b[2J\x1b[31mred\" 5}",
		"control bytes key":     tinyHeader + body + ",\"a\x00b\x07c\r\nd\" 5}",
		"invalid UTF-8 key":     tinyHeader + body + ",\"\xff\xfe\xc3\" 5}",
		"line separator key":    tinyHeader + body + ",\"a\u2028b\u202ec\" 5}",
		"megabyte key":          tinyHeader + body + `,"` + long + `" 5}`,
		"bad value of odd key":  tinyHeader + body + ",\"\x1b[2J\":[1,\x01]}",
		"value after odd key":   tinyHeader + body + ",\"\x1b[2J\":1 2}",
		"megabyte number":       strings.Replace(tiny, `"node_count":4`, `"node_count":4`+strings.Repeat("1", 1<<19)+`.5`, 1),
		"escape in header":      strings.Replace(tiny, `"node_count":4`, "\"node\x1b[2Jcount\":4", 1),
		"known key twice":       tinyHeader + body + `,"nodes":[]}`,
		"flipped key byte":      strings.Replace(tiny, `"nodes":`, "\"no\x9bdes\":", 1),
		"text after the object": tiny + "\x1b[2J",
		"not JSON":              "\x1b[2J\x1b]0;title\x07hello",
	}
	for name, input := range cases {
		_, err := Read(strings.NewReader(input), int64(len(input)), Options{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !utf8.ValidString(msg) || len(msg) > 400 || strings.ContainsFunc(msg, func(r rune) bool {
			return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0x202e
		}) {
			t.Errorf("%s: unsafe message (%d bytes) %q", name, len(msg), msg)
		}
	}
}

func TestQuoteInput(t *testing.T) {
	cases := map[string]string{
		"plain":                  `"plain"`,
		"\x1b[2J":                `"\x1b[2J"`,
		"a\u2028b":               `"a\u2028b"`,
		"\xff":                   `"\xff"`,
		strings.Repeat("é", 30):  `"` + strings.Repeat("é", 20) + `"… (60 bytes)`,
		strings.Repeat("ab", 30): `"` + strings.Repeat("ab", 20) + `"… (60 bytes)`,
	}
	for in, want := range cases {
		if got := quoteInput([]byte(in)); got != want {
			t.Errorf("quoteInput(%q) = %s, want %s", in, got, want)
		}
	}
	if got := quoteClipped([]byte("abc"), -1); got != `"abc"… (longer)` {
		t.Errorf("prefix of unknown length: %s", got)
	}
}
