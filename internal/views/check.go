package views

import (
	"fmt"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/units"
)

// Check is the report of `heapsnap check`.
type Check struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	Baseline      string `json:"baseline,omitempty"`
	Config        string `json:"config,omitempty"`
	Passed        bool   `json:"passed"`
	Checked       int    `json:"checked"`
	Failed        int    `json:"failed"`
	Skipped       int    `json:"skipped"`
	// Results has one entry per budget and subject, in configuration
	// order.
	Results []budget.Result `json:"results"`
}

// NewCheck assembles the report from the evaluated budgets.
func NewCheck(file, baseline, config string, rs []budget.Result) *Check {
	c := &Check{SchemaVersion: SchemaVersion, File: file, Baseline: baseline, Config: config, Results: rs, Checked: len(rs)}
	for _, r := range rs {
		switch r.Status {
		case budget.Fail:
			c.Failed++
		case budget.Skip:
			c.Skipped++
		}
	}
	c.Passed = c.Failed == 0
	return c
}

// Verdict is the one-line outcome: "2 of 7 checks failed", "all 7 checks
// passed", "6 checks passed, 1 skipped". A check is one budget applied to
// one subject (a glob budget checks every class it matches).
func (c *Check) Verdict() string {
	var s string
	switch {
	case c.Failed > 0:
		s = fmt.Sprintf("%d of %s failed", c.Failed, units.Plural(c.Checked, "check", "checks"))
	case c.Skipped > 0:
		s = units.Plural(c.Checked-c.Skipped, "check", "checks") + " passed"
	case c.Checked == 1:
		s = "the check passed"
	default:
		s = "all " + units.Plural(c.Checked, "check", "checks") + " passed"
	}
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}
