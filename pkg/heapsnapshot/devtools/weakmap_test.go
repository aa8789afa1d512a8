package devtools

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"
)

// weakMapPattern is DevTools' ephemeron edge-name pattern in Go syntax,
// with JavaScript's meaning of "." and "$": the reference
// parseWeakMapName must agree with.
var weakMapPattern = regexp.MustCompile(`^[0-9]+( / part of key \([^\n\r\x{2028}\x{2029}]*? @[0-9]+\) -> value \([^\n\r\x{2028}\x{2029}]*? @[0-9]+\) pair in WeakMap \(table @([0-9]+)\))\z`)

func TestParseWeakMapNameMatchesPattern(t *testing.T) {
	names := []string{
		"1 / part of key (Object @6161) -> value (Object @83911) pair in WeakMap (table @82443)",
		"12 / part of key ( @1) -> value ( @2) pair in WeakMap (table @3)",
		"1 / part of key (a @1) -> value (b) -> value (c @2) pair in WeakMap (table @3)",
		"1 / part of key (a @x) -> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @)",
		"1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @3) ",
		"x / part of key (a @1) -> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a\n @1) -> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a\u2028 @1) -> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @99999999999999999999999)",
		"1 / part of key (@1) -> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a @1)-> value (b @2) pair in WeakMap (table @3)",
		"1 / part of key (a @1) -> value (b @2 pair in WeakMap (table @3)",
		"1 / part of key ( pair in WeakMap (table @3)",
		"",
	}
	// Random mutations of a real name: drop, repeat or replace bytes.
	rng := rand.New(rand.NewPCG(3, 4))
	base := []byte(names[0])
	alphabet := []byte("0123456789 @()-> /partofkeyvaluWM\n")
	for range 20000 {
		b := append([]byte(nil), base...)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(b))
			switch rng.IntN(3) {
			case 0:
				b = append(b[:i], b[i+1:]...)
			case 1:
				b = append(b[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[i:]...)...)
			default:
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		names = append(names, string(b))
	}
	for _, name := range names {
		dup, table, ok := parseWeakMapName([]byte(name))
		sub := weakMapPattern.FindStringSubmatchIndex(name)
		if ok != (sub != nil) {
			t.Fatalf("%q: parse says %v, the pattern %v", name, ok, sub != nil)
		}
		if !ok {
			continue
		}
		want, err := strconv.ParseUint(name[sub[4]:sub[5]], 10, 64)
		if err != nil {
			want = 1<<64 - 1
		}
		if dup != sub[2] || table != want {
			t.Fatalf("%q: dup at %d table %d, the pattern says %d and %d", name, dup, table, sub[2], want)
		}
	}
}

func TestPendingPairs(t *testing.T) {
	p := newPendingPairs()
	a, b := []byte(" / part of key (a @1) -> value (b @2) pair in WeakMap (table @3)"), []byte(" / other")
	if p.toggle(a) || p.toggle(b) || !p.toggle(a) || !p.toggle(b) || p.toggle(a) {
		t.Fatal("toggle does not pair up")
	}
	// Force a collision: two different texts under one hash.
	p = newPendingPairs()
	p.byHash[42] = a
	p.collided[string(b)] = struct{}{}
	if !p.toggle(b) || len(p.collided) != 0 {
		t.Fatal("a collided text is not found again")
	}
}
