package budget

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Budgets are the limits `heapsnap check` enforces. Nil and zero fields
// are not checked.
type Budgets struct {
	MaxTotalSize *Amount // bytes
	MaxGrowth    *Amount // of the total size versus the baseline: bytes or percent
	// MaxListeners is the most listeners one event may have on one
	// emitter or event target; 0 is no limit.
	MaxListeners int
	Classes      []ClassBudget
	// FailOnSuspects lists suspect kinds of which any one fails the check.
	FailOnSuspects []string
	// MaxSuspectSize fails the check on a suspect of any kind retaining
	// more.
	MaxSuspectSize *Amount
	// Detectors are the leak detectors' thresholds for FailOnSuspects and
	// MaxSuspectSize (their Kinds are ignored); zero fields are defaults.
	Detectors suspects.Options
}

// ClassBudget limits the classes whose names match Name.
type ClassBudget struct {
	Name            Pattern
	MaxRetainedSize *Amount
	MaxCount        *int64
	MaxGrowth       *Amount // retained size versus the baseline
}

// Empty reports whether no budget is set.
func (b *Budgets) Empty() bool {
	return b.MaxTotalSize == nil && b.MaxGrowth == nil && b.MaxListeners == 0 && len(b.Classes) == 0 &&
		len(b.FailOnSuspects) == 0 && b.MaxSuspectSize == nil
}

// NeedsSuspects reports whether evaluating b needs the leak suspects.
func (b *Budgets) NeedsSuspects() bool {
	return b.MaxListeners > 0 || len(b.FailOnSuspects) > 0 || b.MaxSuspectSize != nil
}

// NeedsBaseline reports whether some budget limits growth.
func (b *Budgets) NeedsBaseline() bool {
	if b.MaxGrowth != nil {
		return true
	}
	for _, c := range b.Classes {
		if c.MaxGrowth != nil {
			return true
		}
	}
	return false
}

// Facts are what the budgets are checked against: a snapshot reduced to
// its totals, its classes and, when needed, its suspects. A baseline's
// Facts are small, so its graph can be freed before the current snapshot
// is read.
type Facts struct {
	TotalSize uint64
	// Classes are DevTools' Summary rows added up by class name (rows
	// with the same name but different source locations are one class
	// here), sorted by name.
	Classes   []ClassFacts
	Listeners []ListenerFacts
	Suspects  []SuspectFacts
}

// ClassFacts is one class's totals.
type ClassFacts struct {
	Name     string
	Count    int64
	Self     uint64
	Retained uint64
}

// ListenerFacts is the number of listeners of one event on one emitter.
type ListenerFacts struct {
	// Target describes the emitter or event target, e.g.
	// "EventEmitter at global.processor.emitter".
	Target string
	Event  string
	Count  int
}

// SuspectFacts is one leak suspect.
type SuspectFacts struct {
	Kind         string
	Title        string
	RetainedSize uint64
}

// ClassesOf adds up the Summary rows of r by class name.
func ClassesOf(r *devtools.Analysis) []ClassFacts {
	byName := map[string]*ClassFacts{}
	for _, c := range r.SummaryRows() {
		name := r.ClassName(c)
		f := byName[name]
		if f == nil {
			// A copy of its own, so that a baseline's facts never pin
			// its snapshot's string table.
			f = &ClassFacts{Name: strings.Clone(name)}
			byName[name] = f
		}
		f.Count += int64(c.Count)
		f.Self += c.Self
		f.Retained += c.Retained
	}
	out := make([]ClassFacts, 0, len(byName))
	for _, f := range byName {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b ClassFacts) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Unit says what a Result's numbers measure.
type Unit string

const (
	UnitBytes   Unit = "bytes"
	UnitCount   Unit = "count"
	UnitPercent Unit = "percent"
)

// Status is a budget's outcome.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Skip is a growth budget without a baseline.
	Skip Status = "skip"
)

// Result is one budget checked against one subject.
type Result struct {
	// Budget is the configuration key, e.g. "max_total_size" or
	// "classes.max_count".
	Budget string `json:"budget"`
	// Subject is what was measured: "total size", "class Order", an
	// event on an emitter, a suspect.
	Subject string `json:"subject"`
	Unit    Unit   `json:"unit"`
	Limit   Number `json:"limit"`
	// Actual is the measured value: for growth the change versus the
	// baseline (in bytes or percent), +Inf (JSON null) for growth from
	// nothing.
	Actual Number `json:"actual"`
	Status Status `json:"status"`
	// Baseline and Current are the values a growth is computed from.
	Baseline *uint64 `json:"baseline,omitempty"`
	Current  *uint64 `json:"current,omitempty"`
	// Matched is how many classes a class pattern matched, or how many
	// events or suspects were examined.
	Matched int `json:"matched,omitempty"`
	// Note explains a skip or lists what failed.
	Note string `json:"note,omitempty"`
	// Binary asks reports to show byte values in binary units, as the
	// limit was written.
	Binary bool `json:"-"`
}

// Number is a float64 that encodes +Inf as JSON null.
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(n), 0) || math.IsNaN(float64(n)) {
		return []byte("null"), nil
	}
	return []byte(formatNumber(float64(n))), nil
}

// Failed counts the failed results.
func Failed(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == Fail {
			n++
		}
	}
	return n
}

// Evaluate checks every budget in b against cur and, for growth, base
// (nil when there is no baseline: growth budgets are then skipped).
// Results come in a fixed order: total size, total growth, the classes in
// configuration order, listeners, suspects.
func Evaluate(b *Budgets, cur, base *Facts) []Result {
	var out []Result
	if b.MaxTotalSize != nil {
		out = append(out, limitResult("max_total_size", "total size", UnitBytes, *b.MaxTotalSize, float64(cur.TotalSize)))
	}
	if b.MaxGrowth != nil {
		r := Result{Budget: "max_growth", Subject: "total size"}
		if base == nil {
			out = append(out, skipped(r, *b.MaxGrowth))
		} else {
			out = append(out, growth(r, *b.MaxGrowth, base.TotalSize, cur.TotalSize))
		}
	}
	for _, cb := range b.Classes {
		out = append(out, evaluateClass(cb, cur, base)...)
	}
	if b.MaxListeners > 0 {
		var rs []Result
		for _, l := range cur.Listeners {
			r := limitResult("max_listeners", `"`+l.Event+`" listeners on `+l.Target, UnitCount,
				Amount{Bytes: uint64(b.MaxListeners)}, float64(l.Count))
			rs = append(rs, r)
		}
		out = append(out, failuresOrWorst(rs, Result{
			Budget: "max_listeners", Subject: "listeners per event", Unit: UnitCount,
			Limit: Number(b.MaxListeners), Status: Pass, Note: "no emitter with listeners",
		})...)
	}
	for _, kind := range b.FailOnSuspects {
		r := Result{Budget: "fail_on_suspects", Subject: kind + " suspects", Unit: UnitCount, Status: Pass}
		var titles []string
		for _, s := range cur.Suspects {
			if s.Kind == kind {
				titles = append(titles, s.Title)
			}
		}
		r.Actual = Number(len(titles))
		if len(titles) > 0 {
			r.Status = Fail
			r.Note = noteList(titles)
		}
		out = append(out, r)
	}
	if b.MaxSuspectSize != nil {
		var rs []Result
		for _, s := range cur.Suspects {
			r := limitResult("max_suspect_size", s.Title, UnitBytes, *b.MaxSuspectSize, float64(s.RetainedSize))
			r.Note = s.Kind
			rs = append(rs, r)
		}
		out = append(out, failuresOrWorst(rs, Result{
			Budget: "max_suspect_size", Subject: "largest suspect", Unit: UnitBytes,
			Limit: Number(b.MaxSuspectSize.Bytes), Status: Pass, Note: "no suspects", Binary: b.MaxSuspectSize.Binary,
		})...)
	}
	return out
}

func evaluateClass(cb ClassBudget, cur, base *Facts) []Result {
	var matches []ClassFacts
	for _, c := range cur.Classes {
		if cb.Name.Match(c.Name) {
			matches = append(matches, c)
		}
	}
	subject := "class " + cb.Name.String()
	empty := func(budget string, unit Unit, limit float64) Result {
		return Result{Budget: budget, Subject: subject, Unit: unit, Limit: Number(limit), Status: Pass, Note: "no matching class"}
	}
	var out []Result
	if cb.MaxRetainedSize != nil {
		var rs []Result
		for _, c := range matches {
			rs = append(rs, limitResult("classes.max_retained_size", "class "+c.Name, UnitBytes, *cb.MaxRetainedSize, float64(c.Retained)))
		}
		e := empty("classes.max_retained_size", UnitBytes, float64(cb.MaxRetainedSize.Bytes))
		e.Binary = cb.MaxRetainedSize.Binary
		out = append(out, classResults(cb.Name, rs, e)...)
	}
	if cb.MaxCount != nil {
		var rs []Result
		for _, c := range matches {
			rs = append(rs, limitResult("classes.max_count", "class "+c.Name, UnitCount, Amount{Bytes: uint64(*cb.MaxCount)}, float64(c.Count)))
		}
		out = append(out, classResults(cb.Name, rs, empty("classes.max_count", UnitCount, float64(*cb.MaxCount)))...)
	}
	if cb.MaxGrowth != nil {
		r := Result{Budget: "classes.max_growth", Subject: subject}
		if base == nil {
			out = append(out, skipped(r, *cb.MaxGrowth))
		} else {
			// A class that exists in only one snapshot grew from, or
			// shrank to, nothing.
			names := map[string][2]uint64{}
			for _, c := range base.Classes {
				if cb.Name.Match(c.Name) {
					v := names[c.Name]
					v[0] = c.Retained
					names[c.Name] = v
				}
			}
			for _, c := range matches {
				v := names[c.Name]
				v[1] = c.Retained
				names[c.Name] = v
			}
			var rs []Result
			for _, name := range sortedKeys(names) {
				v := names[name]
				rs = append(rs, growth(Result{Budget: r.Budget, Subject: "class " + name}, *cb.MaxGrowth, v[0], v[1]))
			}
			e := growth(r, *cb.MaxGrowth, 0, 0)
			e.Note = "no matching class"
			out = append(out, classResults(cb.Name, rs, e)...)
		}
	}
	return out
}

// classResults reports a class budget: for an exact name its one result;
// for a glob every failing class, or the worst one with the number of
// classes examined.
func classResults(p Pattern, rs []Result, empty Result) []Result {
	if !p.IsGlob() {
		if len(rs) == 0 {
			return []Result{empty}
		}
		return rs
	}
	worst := failuresOrWorst(rs, empty)
	if len(worst) == 1 && worst[0].Status == Pass && len(rs) > 0 {
		worst[0].Note = "largest of " + units.Plural(len(rs), "class", "classes") + " matching " + p.String()
	}
	return worst
}

// failuresOrWorst reduces many results of one budget to the failing ones,
// worst first, or, when none fails, to the one closest to its limit. With
// no results at all it returns empty.
func failuresOrWorst(rs []Result, empty Result) []Result {
	if len(rs) == 0 {
		return []Result{empty}
	}
	sorted := slices.Clone(rs)
	slices.SortStableFunc(sorted, func(a, b Result) int {
		if c := cmp.Compare(b.Actual, a.Actual); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	var failed []Result
	for _, r := range sorted {
		if r.Status == Fail {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		return failed
	}
	return sorted[:1]
}

func limitResult(budget, subject string, unit Unit, limit Amount, actual float64) Result {
	r := Result{Budget: budget, Subject: subject, Unit: unit, Limit: Number(limit.Bytes), Actual: Number(actual), Status: Pass, Binary: limit.Binary}
	if actual > float64(limit.Bytes) {
		r.Status = Fail
	}
	return r
}

func skipped(r Result, limit Amount) Result {
	r.Unit, r.Limit, r.Binary = UnitBytes, Number(limit.Bytes), limit.Binary
	if limit.IsPercent {
		r.Unit, r.Limit = UnitPercent, Number(limit.Percent)
	}
	r.Status = Skip
	r.Note = "no --baseline given"
	return r
}

// growth compares current with baseline: in percent of the baseline when
// the limit is a percentage, else in bytes.
func growth(r Result, limit Amount, baseline, current uint64) Result {
	r.Baseline, r.Current = &baseline, &current
	r.Status = Pass
	delta := float64(current) - float64(baseline)
	if limit.IsPercent {
		r.Unit, r.Limit = UnitPercent, Number(limit.Percent)
		switch {
		case baseline > 0:
			r.Actual = Number(math.Round(delta/float64(baseline)*100*100) / 100)
		case current > 0:
			r.Actual = Number(math.Inf(1))
		}
		if float64(r.Actual) > limit.Percent {
			r.Status = Fail
		}
		return r
	}
	r.Unit, r.Limit, r.Binary, r.Actual = UnitBytes, Number(limit.Bytes), limit.Binary, Number(delta)
	if delta > float64(limit.Bytes) {
		r.Status = Fail
	}
	return r
}

func noteList(items []string) string {
	const show = 3
	if len(items) <= show {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:show], "; ") + "; and " + units.Plural(len(items)-show, "more", "more")
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
