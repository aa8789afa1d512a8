// Package units formats byte sizes and counts for people, the way DevTools
// does: decimal units ("12.4 MB") and thousands separators ("120,000").
// Every text report writes sizes through it, so that one run never mixes
// unit systems; JSON carries exact bytes instead. Signs are ASCII, "+" and
// "-", so that numbers can be searched, sorted and pasted as typed (DevTools
// writes U+2212 for minus; a mix of the two reads as two conventions).
package units

import (
	"fmt"
	"strconv"
	"strings"
)

// Bytes formats a byte count the way DevTools does: decimal units, one
// decimal below 100 of a unit, none above ("12.4 MB", "391 kB", "980 B").
// DevTools stops at MB; GB is added for multi-gigabyte heaps.
func Bytes(n uint64) string {
	switch {
	case n < 1e3:
		return strconv.FormatUint(n, 10) + " B"
	case n < 1e6:
		return Scaled(n, 1e3) + " kB"
	case n < 1e9:
		return Scaled(n, 1e6) + " MB"
	}
	return Scaled(n, 1e9) + " GB"
}

// Minus is the sign of a negative number in text.
const Minus = "-"

// SignedBytes formats a byte delta with an explicit sign.
func SignedBytes(n int64) string {
	switch {
	case n > 0:
		return "+" + Bytes(uint64(n))
	case n < 0:
		return Minus + Bytes(uint64(-n))
	}
	return "0 B"
}

// Limit formats a byte count that a person wrote, such as a budget: an
// exact multiple of a decimal unit without decimals ("20 MB", "512 kB"),
// so that it reads as written, else as Bytes does. A limit written in
// binary units (8 MiB) is shown in decimal ones too (8.4 MB): one unit
// system per report.
func Limit(n uint64) string {
	for _, u := range []struct {
		size uint64
		name string
	}{{1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatUint(n/u.size, 10) + " " + u.name
		}
	}
	return Bytes(n)
}

// Scaled writes n/unit with one decimal when it is below 100 (before
// rounding, as DevTools decides) and none from 100 up, rounding halves away
// from zero as JavaScript's Intl.NumberFormat does.
func Scaled(n, unit uint64) string {
	if n < 100*unit {
		tenths := (n*10 + unit/2) / unit
		return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
	}
	return strconv.FormatUint((n+unit/2)/unit, 10)
}

// Count formats an integer with thousands separators ("120,000").
func Count[T ~int | ~int64 | ~uint64 | ~uint32](v T) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-int64(v))
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteString(Minus)
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// SignedCount formats a count delta with an explicit sign.
func SignedCount(v int64) string {
	if v > 0 {
		return "+" + Count(v)
	}
	return Count(v)
}

// Plural writes "1 thing" or "2,000 things": the count, then the singular
// or the plural form.
func Plural[T ~int | ~int64 | ~uint64 | ~uint32](n T, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}
