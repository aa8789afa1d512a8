package budget

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern matches class names: exactly, or as a glob where * matches any
// run of characters (including "/" and spaces, which class names such as
// "system / Context" contain), ? one character and [abc] or [!abc] one of
// a set. A backslash makes the next character literal.
type Pattern struct {
	text string
	re   *regexp.Regexp // nil for a name without wildcards
}

// CompilePattern compiles a class-name pattern.
func CompilePattern(p string) (Pattern, error) {
	if p == "" {
		return Pattern{}, fmt.Errorf("empty class name")
	}
	if !strings.ContainsAny(p, `*?[\`) {
		return Pattern{text: p}, nil
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString("(?s:.*)")
		case '?':
			b.WriteString("(?s:.)")
		case '\\':
			if i+1 == len(p) {
				return Pattern{}, fmt.Errorf("class pattern %q ends in a backslash", p)
			}
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		case '[':
			end := strings.IndexByte(p[i+1:], ']')
			if end < 0 {
				return Pattern{}, fmt.Errorf("class pattern %q has an unclosed [", p)
			}
			set := p[i+1 : i+1+end]
			i += end + 1
			neg := strings.HasPrefix(set, "!")
			set = strings.TrimPrefix(set, "!")
			if set == "" {
				return Pattern{}, fmt.Errorf("class pattern %q has an empty []", p)
			}
			b.WriteByte('[')
			if neg {
				b.WriteByte('^')
			}
			b.WriteString(strings.NewReplacer(`\`, `\\`, `[`, `\[`, `^`, `\^`).Replace(set))
			b.WriteByte(']')
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return Pattern{}, fmt.Errorf("class pattern %q: %v", p, err)
	}
	return Pattern{text: p, re: re}, nil
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.text }

// IsGlob reports whether the pattern has wildcards.
func (p Pattern) IsGlob() bool { return p.re != nil }

// Match reports whether name matches. A name equal to the pattern always
// matches, so a class literally named "Map<*>" can be written as is.
func (p Pattern) Match(name string) bool {
	return name == p.text || p.re != nil && p.re.MatchString(name)
}
