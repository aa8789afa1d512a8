// Package budget evaluates `heapsnap check`'s memory budgets against a
// snapshot's analysis (and, for growth, a baseline's): total size, per-class
// retained size and count, listeners per event, leak suspects, and growth
// in bytes or percent. It knows nothing about flags or files; the command
// line parses the configuration into Budgets and renders the Results.
package budget

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a limit as the user wrote it: a byte count ("512MiB", "1.5GB",
// "4096") or, where allowed, a percentage ("20%").
type Amount struct {
	Bytes   uint64
	Percent float64
	// IsPercent says Percent holds the value, not Bytes.
	IsPercent bool
	// Binary records that the limit was written in binary units (KiB,
	// MiB, …), so that reports show actual values in the same units.
	Binary bool
}

var sizeUnits = []struct {
	name   string
	factor float64
	binary bool
}{
	{"b", 1, false},
	{"kb", 1e3, false}, {"mb", 1e6, false}, {"gb", 1e9, false}, {"tb", 1e12, false},
	{"kib", 1 << 10, true}, {"mib", 1 << 20, true}, {"gib", 1 << 30, true}, {"tib", 1 << 40, true},
}

// UnitHelp lists the accepted units, for error messages and help.
const UnitHelp = "a byte count with an optional unit: B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 512MiB or 1.5GB"

// ParseSize parses a byte count with an optional unit.
func ParseSize(s string) (Amount, error) {
	a, err := parseAmount(s, false)
	if err != nil {
		return Amount{}, fmt.Errorf("invalid size %q: %w; want %s", s, err, UnitHelp)
	}
	return a, nil
}

// ParseGrowth parses a growth limit: a size with its unit, as for
// ParseSize, or a percentage such as "20%". A bare number is refused: 20
// would be read as 20 bytes by one user and 20% by the next, and a gate
// at 20 bytes of growth is not what either meant.
func ParseGrowth(s string) (Amount, error) {
	if t := strings.TrimSpace(s); t != "" && strings.Trim(t, "0123456789.") == "" {
		return Amount{}, fmt.Errorf("invalid growth %q: say which unit: %s%% of the baseline, or a size such as %sMB", s, t, t)
	}
	a, err := parseAmount(s, true)
	if err != nil {
		return Amount{}, fmt.Errorf("invalid growth %q: %w; want a percentage such as 20%% or %s", s, err, UnitHelp)
	}
	return a, nil
}

func parseAmount(s string, percentOK bool) (Amount, error) {
	t := strings.TrimSpace(s)
	end := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		end++
	}
	num, unit := t[:end], strings.TrimSpace(t[end:])
	if num == "" {
		if strings.HasPrefix(t, "-") {
			return Amount{}, errors.New("must not be negative")
		}
		return Amount{}, errors.New("no number")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || strings.Count(num, ".") > 1 {
		return Amount{}, fmt.Errorf("malformed number %q", num)
	}
	if unit == "%" {
		if !percentOK {
			return Amount{}, errors.New("a percentage is only allowed for growth")
		}
		return Amount{Percent: v, IsPercent: true}, nil
	}
	lower := strings.ToLower(unit)
	if lower == "" {
		lower = "b"
	}
	for _, u := range sizeUnits {
		if u.name == lower {
			bytes := math.Round(v * u.factor)
			if bytes >= 1<<63 {
				return Amount{}, errors.New("too large")
			}
			if lower == "b" && v != math.Trunc(v) {
				return Amount{}, errors.New("a byte count must be whole")
			}
			return Amount{Bytes: uint64(bytes), Binary: u.binary}, nil
		}
	}
	return Amount{}, fmt.Errorf("unknown unit %q", unit)
}
