package report

import (
	"testing"
	"unicode/utf8"
)

// TestAppendTSV checks the TSV escapes, and that a name holding lone
// surrogates (WTF-8, not UTF-8) is written as valid UTF-8, each surrogate
// as \udxxx, while other characters are written as they are.
func TestAppendTSV(t *testing.T) {
	cases := map[string]string{
		"a\tb\nc\rd\\e":          `a\tb\nc\rd\\e`,
		"lone \xed\xa0\x80 high": `lone \ud800 high`,
		"lone \xed\xbf\xbf low":  `lone \udfff low`,
		"pair 😀, é, \ued00":      "pair 😀, é, \ued00",
	}
	for in, want := range cases {
		got := string(AppendTSV(nil, []byte(in)))
		if got != want || !utf8.ValidString(got) {
			t.Errorf("AppendTSV(%q) = %q, want %q", in, got, want)
		}
	}
}
