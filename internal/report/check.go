package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
)

// writeCheck renders the report as a table, Markdown (for a pull-request
// comment or a GitHub step summary) or JSON.
func writeCheck(w io.Writer, c *views.Check, f Format, l Layout) error {
	p := &printer{w: w, f: f, l: l}
	grid := Grid{
		Header: []string{"Budget", "Subject", "Limit", "Actual", "Result", "Note"},
		Align:  []Align{Left, Left, Right, Right, Left, Left},
		Max:    []int{0, 80, 0, 0, 0, 80},
	}
	for _, r := range c.Results {
		grid.Add(r.Budget, r.Subject, FormatLimit(r), FormatActual(r), statusCell(r.Status, f), note(r))
	}
	if f == Markdown {
		icon := "✅"
		if !c.Passed {
			icon = "❌"
		}
		p.printf("### %s heapsnap check: %s\n\n", icon, c.Verdict())
		p.fields(checkHeader(c))
		p.printf("\n")
		p.grid(&grid)
		return p.err
	}
	p.title("heapsnap check: " + c.File)
	p.fields(checkHeader(c)[1:])
	p.printf("\n")
	p.grid(&grid)
	verdict := "PASS"
	if !c.Passed {
		verdict = "FAIL"
	}
	p.printf("\n%s: %s\n", verdict, c.Verdict())
	return p.err
}

func checkHeader(c *views.Check) [][2]string {
	kv := [][2]string{{"Snapshot", c.File}}
	if c.Baseline != "" {
		kv = append(kv, [2]string{"Baseline", c.Baseline})
	}
	config := c.Config
	if config == "" {
		config = "none (flags and environment only)"
	}
	return append(kv, [2]string{"Config", config})
}

func statusCell(s budget.Status, f Format) string {
	if f == Markdown {
		switch s {
		case budget.Fail:
			return "❌ fail"
		case budget.Skip:
			return "➖ skip"
		}
		return "✅ pass"
	}
	if s == budget.Fail {
		return "FAIL"
	}
	return string(s)
}

// note is the Note column: the result's own note, or for a growth the
// values it was computed from.
func note(r budget.Result) string {
	if r.Note != "" {
		return r.Note
	}
	if r.Baseline != nil && r.Current != nil {
		return fmt.Sprintf("%s → %s", units.Bytes(*r.Baseline), units.Bytes(*r.Current))
	}
	return ""
}

// FormatLimit formats a result's limit for people.
func FormatLimit(r budget.Result) string {
	switch r.Unit {
	case budget.UnitPercent:
		return strconv.FormatFloat(float64(r.Limit), 'f', -1, 64) + "%"
	case budget.UnitBytes:
		return units.Limit(uint64(r.Limit))
	}
	return units.Count(int64(r.Limit))
}

// FormatActual formats a result's measured value for people; growth
// carries a sign.
func FormatActual(r budget.Result) string {
	if r.Status == budget.Skip {
		return "-"
	}
	growth := r.Baseline != nil
	v := float64(r.Actual)
	switch r.Unit {
	case budget.UnitPercent:
		if math.IsInf(v, 1) {
			return "new"
		}
		return signed(strconv.FormatFloat(math.Abs(v), 'f', 1, 64)+"%", v, growth)
	case budget.UnitBytes:
		return signed(units.Bytes(uint64(math.Abs(v))), v, growth)
	}
	return signed(units.Count(int64(math.Abs(v))), v, growth)
}

func signed(s string, v float64, growth bool) string {
	switch {
	case v < 0:
		return units.Minus + s
	case growth && v > 0:
		return "+" + s
	}
	return s
}

// Message describes a failed result in one line, for annotations, JUnit
// and logs: "class Order: 12,000 exceeds classes.max_count = 10,000".
func Message(r budget.Result) string {
	var b strings.Builder
	b.WriteString(r.Subject)
	b.WriteString(": ")
	switch {
	case r.Budget == "fail_on_suspects":
		fmt.Fprintf(&b, "%s found (fail_on_suspects)", units.Count(int64(r.Actual)))
	case r.Baseline != nil:
		fmt.Fprintf(&b, "grew %s (%s), exceeds %s = %s", FormatActual(r), note(r), r.Budget, FormatLimit(r))
	default:
		fmt.Fprintf(&b, "%s exceeds %s = %s", FormatActual(r), r.Budget, FormatLimit(r))
	}
	if r.Budget == "fail_on_suspects" || r.Budget == "max_suspect_size" {
		if r.Note != "" {
			b.WriteString(": " + r.Note)
		}
	}
	return oneLine(b.String())
}

// WriteGitHubAnnotations writes a GitHub Actions ::error workflow command
// for every failed budget, which the runner shows on the run's summary
// and the pull request.
func WriteGitHubAnnotations(w io.Writer, c *views.Check) error {
	for _, r := range c.Results {
		if r.Status != budget.Fail {
			continue
		}
		title := "heapsnap check: " + r.Budget
		if _, err := fmt.Fprintf(w, "::error title=%s::%s\n", escapeGitHubProperty(title), escapeGitHubData(Message(r))); err != nil {
			return err
		}
	}
	return nil
}

func escapeGitHubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeGitHubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// JUnit XML, in the shape CI systems (GitHub test reporters, GitLab,
// Jenkins) read: one test case per budget result.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML. It has no timestamps, so the
// same snapshot gives the same file.
func WriteJUnit(w io.Writer, c *views.Check) error {
	suite := junitSuite{
		Name: "heapsnap check: " + c.File, Tests: c.Checked, Failures: c.Failed, Skipped: c.Skipped,
		Properties: []junitProperty{{"snapshot", c.File}},
	}
	if c.Baseline != "" {
		suite.Properties = append(suite.Properties, junitProperty{"baseline", c.Baseline})
	}
	if c.Config != "" {
		suite.Properties = append(suite.Properties, junitProperty{"config", c.Config})
	}
	for _, r := range c.Results {
		tc := junitCase{
			Name:      r.Subject,
			Classname: "heapsnap.check." + r.Budget,
			SystemOut: fmt.Sprintf("limit %s, actual %s", FormatLimit(r), FormatActual(r)),
		}
		if n := note(r); n != "" {
			tc.SystemOut += " (" + n + ")"
		}
		switch r.Status {
		case budget.Fail:
			tc.Failure = &junitMessage{Message: Message(r), Type: "budget exceeded", Text: Message(r)}
		case budget.Skip:
			tc.Skipped = &junitMessage{Message: r.Note}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "heapsnap check", Tests: c.Checked, Failures: c.Failed, Skipped: c.Skipped, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
