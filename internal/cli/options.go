package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/spf13/cobra"
)

// Each command reads its settings into an options struct before it opens
// a snapshot: flags, then the environment, then the config file, then the
// defaults (bindFlags), validated here, in one place, so that a bad value
// is a usage error naming where it came from, and so that tests check
// every setting without loading a snapshot (app.intercept).

// settings reads and validates the settings of one command section. The
// first invalid value is kept in err; later reads return zero values.
type settings struct {
	a       *app
	section string
	err     error
}

func (a *app) settings(section string) *settings { return &settings{a: a, section: section} }

func (st *settings) key(name string) string {
	return st.section + "." + strings.ReplaceAll(name, "-", "_")
}

// fail records the first error: a usage error that names the flag, the
// environment variable or the config key the value came from.
func (st *settings) fail(name, format string, args ...any) {
	if st.err == nil {
		st.err = usagef("%s: %s", st.a.origin(st.key(name)), fmt.Sprintf(format, args...))
	}
}

func (st *settings) str(name string) string { return strings.TrimSpace(st.a.v.GetString(st.key(name))) }

// formats are the output formats of each command section, for the
// format setting and its completion.
var formats = map[string][]report.Format{
	"analyze":     {report.Table, report.JSON, report.Markdown, report.HTML, report.PProf},
	"capture":     {report.Table, report.JSON, report.Markdown, report.HTML, report.PProf},
	"allocations": {report.Table, report.JSON, report.Markdown, report.TSV},
	"check":       {report.Table, report.JSON, report.Markdown},
	"diff":        {report.Table, report.JSON, report.Markdown},
	"nodes":       {report.TSV, report.JSON},
	"retainers":   {report.Table, report.JSON, report.Markdown},
	"show":        {report.Table, report.JSON, report.Markdown},
	"top":         {report.Table, report.JSON, report.Markdown},
}

// format reads the format setting, which must be one of allowed, by
// default the section's formats.
func (st *settings) format(allowed ...report.Format) report.Format {
	if len(allowed) == 0 {
		allowed = formats[st.section]
	}
	f, err := report.ParseFormat(st.str("format"), allowed)
	if err != nil {
		st.fail("format", "%v", err)
	}
	return f
}

// oneOf reads a setting whose value must be one of allowed.
func (st *settings) oneOf(name string, allowed []string) string {
	v := strings.ToLower(st.str(name))
	if !slices.Contains(allowed, v) {
		st.fail(name, "invalid value %q: use %s", v, strings.Join(allowed, ", "))
	}
	return v
}

// count reads a whole number that must be at least min.
func (st *settings) count(name string, min int) int {
	s := st.str(name)
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		st.fail(name, "invalid number %q: want a whole number", s)
	case n < min && min == 0:
		st.fail(name, "must not be negative, got %d", n)
	case n < min:
		st.fail(name, "must be at least %d, got %d", min, n)
	}
	return n
}

// size reads a byte size such as 1MB or 512KiB.
func (st *settings) size(name string) uint64 {
	s := st.str(name)
	amount, err := budget.ParseSize(s)
	if err != nil {
		st.fail(name, "%v", err)
	}
	return amount.Bytes
}

// percent reads a share such as 0.5% (the % is optional), above 0 and at
// most 100.
func (st *settings) percent(name string) float64 {
	s := st.str(name)
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || v <= 0 || v > 100 {
		st.fail(name, "invalid share %q: want a percentage above 0, e.g. 0.5%%", s)
	}
	return v
}

// duration reads a time such as 30s or 1m30s, which must not be negative.
func (st *settings) duration(name string) time.Duration {
	s := st.str(name)
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		st.fail(name, "invalid duration %q: want a number with a unit, e.g. 30s or 2m", s)
	case d < 0:
		st.fail(name, "must not be negative, got %s", s)
	}
	return d
}

// flag reads a true/false setting; a value such as "yes" from the
// environment or the file is an error rather than false.
func (st *settings) flag(name string) bool {
	s := st.str(name)
	if s == "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		st.fail(name, "invalid value %q: want true or false", s)
	}
	return v
}

// runE makes a command's RunE: read and check its options, then run it —
// or, in tests, hand the options to app.intercept instead.
func runE[T any](a *app, parse func(args []string) (T, error), run func(T) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		o, err := parse(args)
		if err != nil {
			return err
		}
		if a.intercept != nil {
			return a.intercept(o)
		}
		return run(o)
	}
}
