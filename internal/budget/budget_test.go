package budget

import (
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in     string
		bytes  uint64
		binary bool
	}{
		{"0", 0, false},
		{"4096", 4096, false},
		{"4096B", 4096, false},
		{"512MiB", 512 << 20, true},
		{"512 MiB", 512 << 20, true},
		{"512mib", 512 << 20, true},
		{"1.5GB", 1500000000, false},
		{"1.5 gb", 1500000000, false},
		{"10kB", 10000, false},
		{"10KB", 10000, false},
		{"2KiB", 2048, true},
		{"1TiB", 1 << 40, true},
		{"0.5KiB", 512, true},
		{" 3MB ", 3000000, false},
	} {
		a, err := ParseSize(tc.in)
		if err != nil {
			t.Errorf("ParseSize(%q): %v", tc.in, err)
			continue
		}
		if a.Bytes != tc.bytes || a.Binary != tc.binary || a.IsPercent {
			t.Errorf("ParseSize(%q) = %+v, want %d bytes, binary %v", tc.in, a, tc.bytes, tc.binary)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "no number"},
		{"MiB", "no number"},
		{"-5MB", "must not be negative"},
		{"12XB", `unknown unit "XB"`},
		{"1.2.3MB", "malformed number"},
		{"20%", "only allowed for growth"},
		{"1.5", "must be whole"},
		{"5 M", `unknown unit "M"`},
		{"99999999999TB", "too large"},
	} {
		_, err := ParseSize(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "invalid size") {
			t.Errorf("ParseSize(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestParseGrowth(t *testing.T) {
	a, err := ParseGrowth("20%")
	if err != nil || !a.IsPercent || a.Percent != 20 {
		t.Errorf("20%%: %+v %v", a, err)
	}
	a, err = ParseGrowth("2.5 %")
	if err != nil || !a.IsPercent || a.Percent != 2.5 {
		t.Errorf("2.5 %%: %+v %v", a, err)
	}
	a, err = ParseGrowth("5MiB")
	if err != nil || a.IsPercent || a.Bytes != 5<<20 {
		t.Errorf("5MiB: %+v %v", a, err)
	}
	// A bare number would be 20 bytes to one reader and 20% to the next.
	for _, bare := range []string{"20", "0", "1.5"} {
		if _, err := ParseGrowth(bare); err == nil || !strings.Contains(err.Error(), "say which unit: "+bare+"% of the baseline, or a size such as "+bare+"MB") {
			t.Errorf("ParseGrowth(%q): %v", bare, err)
		}
	}
	if a, err := ParseGrowth("0B"); err != nil || a.Bytes != 0 || a.IsPercent {
		t.Errorf("ParseGrowth(0B) = %+v, %v", a, err)
	}
	if _, err := ParseGrowth("20%%"); err == nil || !strings.Contains(err.Error(), "invalid growth") {
		t.Errorf("20%%%%: %v", err)
	}
}

func TestPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"Order", "Order", true},
		{"Order", "OrderItem", false},
		{"Order*", "OrderItem", true},
		{"Order*", "Order", true},
		{"*Order", "BigOrder", true},
		{"system / *", "system / Context", true},
		{"Detached *", "Detached HTMLDivElement", true},
		{"Detached *", "HTMLDivElement", false},
		{"Ord?r", "Order", true},
		{"[OB]rder", "Brder", true},
		{"[!O]rder", "Order", false},
		{`Map\*`, "Map*", true},
		{`Map\*`, "Maps", false},
		{"(closure)", "(closure)", true},
		{"a.b", "axb", false},
	} {
		p, err := CompilePattern(tc.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if got := p.Match(tc.name); got != tc.want {
			t.Errorf("%q matches %q: %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"", "Order[", `Order\`, "[]x"} {
		if _, err := CompilePattern(bad); err == nil {
			t.Errorf("CompilePattern(%q) succeeded", bad)
		}
	}
}

func size(s string) *Amount {
	parse := ParseGrowth
	if !strings.ContainsAny(s, "%") {
		parse = ParseSize // bare byte counts are sizes, refused as growth
	}
	a, err := parse(s)
	if err != nil {
		panic(err)
	}
	return &a
}

func pattern(s string) Pattern {
	p, err := CompilePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

func count(n int64) *int64 { return &n }

var (
	baseFacts = &Facts{
		TotalSize: 1000000,
		Classes: []ClassFacts{
			{Name: "Order", Count: 100, Retained: 10000},
			{Name: "OrderItem", Count: 1000, Retained: 50000},
			{Name: "Session", Count: 10, Retained: 2000},
		},
	}
	curFacts = &Facts{
		TotalSize: 1300000,
		Classes: []ClassFacts{
			{Name: "Cache", Count: 1, Retained: 400000},
			{Name: "Order", Count: 150, Retained: 15000},
			{Name: "OrderItem", Count: 3000, Retained: 150000},
			{Name: "Session", Count: 10, Retained: 2000},
		},
		Listeners: []ListenerFacts{
			{Target: "EventEmitter at global.bus", Event: "data", Count: 2000},
			{Target: "EventEmitter at global.bus", Event: "end", Count: 2},
			{Target: "process", Event: "exit", Count: 150},
		},
		Suspects: []SuspectFacts{
			{Kind: "listeners", Title: "2,000 data listeners", RetainedSize: 368400},
			{Kind: "collection", Title: "Map with 10,000 entries", RetainedSize: 962824},
		},
	}
)

// one evaluates a single budget and returns its results.
func one(t *testing.T, b Budgets, base *Facts) []Result {
	t.Helper()
	rs := Evaluate(&b, curFacts, base)
	if len(rs) == 0 {
		t.Fatal("no results")
	}
	return rs
}

func statuses(rs []Result) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Subject+"="+string(r.Status))
	}
	return strings.Join(s, "; ")
}

// TestEvaluate covers every budget kind passing and failing.
func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      Budgets
		base   *Facts
		want   string
		actual float64 // of the first result
	}{
		{"total size pass", Budgets{MaxTotalSize: size("2MB")}, nil, "total size=pass", 1300000},
		{"total size fail", Budgets{MaxTotalSize: size("1MiB")}, nil, "total size=fail", 1300000},
		{"total size equal passes", Budgets{MaxTotalSize: size("1300000")}, nil, "total size=pass", 1300000},
		{"growth percent pass", Budgets{MaxGrowth: size("30%")}, baseFacts, "total size=pass", 30},
		{"growth percent fail", Budgets{MaxGrowth: size("20%")}, baseFacts, "total size=fail", 30},
		{"growth bytes pass", Budgets{MaxGrowth: size("300kB")}, baseFacts, "total size=pass", 300000},
		{"growth bytes fail", Budgets{MaxGrowth: size("299999")}, baseFacts, "total size=fail", 300000},
		{"growth without baseline skips", Budgets{MaxGrowth: size("20%")}, nil, "total size=skip", 0},
		{"class retained pass", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxRetainedSize: size("15kB")}}}, nil, "class Order=pass", 15000},
		{"class retained fail", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxRetainedSize: size("10KiB")}}}, nil, "class Order=fail", 15000},
		{"class count pass", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxCount: count(150)}}}, nil, "class Order=pass", 150},
		{"class count fail", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxCount: count(149)}}}, nil, "class Order=fail", 150},
		{"class count zero, absent class", Budgets{Classes: []ClassBudget{{Name: pattern("Detached HTMLDivElement"), MaxCount: count(0)}}}, nil, "class Detached HTMLDivElement=pass", 0},
		{"glob reports the worst match", Budgets{Classes: []ClassBudget{{Name: pattern("Order*"), MaxCount: count(5000)}}}, nil, "class OrderItem=pass", 3000},
		{"glob reports every failing match", Budgets{Classes: []ClassBudget{{Name: pattern("Order*"), MaxCount: count(10)}}}, nil, "class OrderItem=fail; class Order=fail", 3000},
		{"class growth percent pass", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxGrowth: size("50%")}}}, baseFacts, "class Order=pass", 50},
		{"class growth percent fail", Budgets{Classes: []ClassBudget{{Name: pattern("OrderItem"), MaxGrowth: size("50%")}}}, baseFacts, "class OrderItem=fail", 200},
		{"class growth bytes fail", Budgets{Classes: []ClassBudget{{Name: pattern("Order*"), MaxGrowth: size("5kB")}}}, baseFacts, "class OrderItem=fail", 100000},
		{"class growth from nothing", Budgets{Classes: []ClassBudget{{Name: pattern("Cache"), MaxGrowth: size("10%")}}}, baseFacts, "class Cache=fail", math.Inf(1)},
		{"class growth without baseline skips", Budgets{Classes: []ClassBudget{{Name: pattern("Order"), MaxGrowth: size("10%")}}}, nil, "class Order=skip", 0},
		{"listeners pass", Budgets{MaxListeners: 2000}, nil, `"data" listeners on EventEmitter at global.bus=pass`, 2000},
		{"listeners fail", Budgets{MaxListeners: 100}, nil, `"data" listeners on EventEmitter at global.bus=fail; "exit" listeners on process=fail`, 2000},
		{"suspect kind pass", Budgets{FailOnSuspects: []string{"detached-dom"}}, nil, "detached-dom suspects=pass", 0},
		{"suspect kind fail", Budgets{FailOnSuspects: []string{"listeners"}}, nil, "listeners suspects=fail", 1},
		{"suspect size pass", Budgets{MaxSuspectSize: size("1MB")}, nil, "Map with 10,000 entries=pass", 962824},
		{"suspect size fail", Budgets{MaxSuspectSize: size("100kB")}, nil, "Map with 10,000 entries=fail; 2,000 data listeners=fail", 962824},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := one(t, tc.b, tc.base)
			if got := statuses(rs); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if float64(rs[0].Actual) != tc.actual {
				t.Errorf("actual %v, want %v", rs[0].Actual, tc.actual)
			}
		})
	}
}

func TestEvaluateOrderAndNotes(t *testing.T) {
	b := &Budgets{
		MaxSuspectSize: size("10MB"),
		FailOnSuspects: []string{"listeners"},
		MaxListeners:   5000,
		Classes:        []ClassBudget{{Name: pattern("Order*"), MaxCount: count(10000), MaxRetainedSize: size("1MB")}},
		MaxGrowth:      size("50%"),
		MaxTotalSize:   size("10MB"),
	}
	rs := Evaluate(b, curFacts, baseFacts)
	var budgets []string
	for _, r := range rs {
		budgets = append(budgets, r.Budget)
	}
	want := "max_total_size max_growth classes.max_retained_size classes.max_count max_listeners fail_on_suspects max_suspect_size"
	if got := strings.Join(budgets, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	if n := rs[3].Note; n != "largest of 2 classes matching Order*" {
		t.Errorf("glob note %q", n)
	}
	if rs[5].Note != "2,000 data listeners" {
		t.Errorf("suspect note %q", rs[5].Note)
	}
	if rs[1].Baseline == nil || *rs[1].Baseline != 1000000 || *rs[1].Current != 1300000 {
		t.Error("growth lacks baseline and current")
	}
	if Failed(rs) != 1 {
		t.Errorf("%d failed, want 1 (fail_on_suspects)", Failed(rs))
	}
}

func TestEmpty(t *testing.T) {
	if !(&Budgets{}).Empty() {
		t.Error("zero Budgets not empty")
	}
	b := &Budgets{Classes: []ClassBudget{{Name: pattern("X"), MaxGrowth: size("1%")}}}
	if b.Empty() || !b.NeedsBaseline() || b.NeedsSuspects() {
		t.Error("class growth budget")
	}
	if !(&Budgets{MaxListeners: 1}).NeedsSuspects() {
		t.Error("listeners need suspects")
	}
}

func TestNumberJSON(t *testing.T) {
	for _, tc := range []struct {
		n    Number
		want string
	}{{Number(math.Inf(1)), "null"}, {536870912, "536870912"}, {12.5, "12.5"}, {-300, "-300"}} {
		b, _ := tc.n.MarshalJSON()
		if string(b) != tc.want {
			t.Errorf("%v: %s, want %s", float64(tc.n), b, tc.want)
		}
	}
}
