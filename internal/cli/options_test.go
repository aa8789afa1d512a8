package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/report"
)

// options runs the command line up to the point where a command has its
// checked options, without opening any snapshot, and returns them.
func options(t *testing.T, args ...string) (any, string, int) {
	t.Helper()
	var got any
	var out, errb bytes.Buffer
	a := &app{streams: Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, v: viper.New(),
		intercept: func(o any) error { got = o; return nil }}
	code := a.main(args)
	return got, errb.String(), code
}

// TestOptionsWithoutSnapshot checks how every command's settings are read
// and checked, from flags, the environment and defaults, with a file
// that does not exist: nothing is opened before the options are valid.
func TestOptionsWithoutSnapshot(t *testing.T) {
	const missing = "/no/such/snapshot"
	o, stderr, code := options(t, "analyze", missing, "--top", "7", "--sort", "count", "--format", "JSON", "--suspects", "listeners,closure")
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, stderr)
	}
	ao := o.(*analyzeOptions)
	if ao.top != 7 || ao.sort != "count" || ao.format != report.JSON || ao.largest != 10 || len(ao.suspects.opts.Kinds) != 2 {
		t.Errorf("analyze options %+v", ao)
	}

	t.Setenv("HEAPSNAP_DIFF_TOP", "3")
	o, _, code = options(t, "diff", missing, missing, "--match", "ids")
	if do := o.(*diffOptions); code != 0 || do.top != 3 || do.match != diff.MatchIDs || do.sort != "size-delta" {
		t.Errorf("diff options %+v (exit %d)", do, code)
	}

	o, _, code = options(t, "retainers", missing, "@42", "--paths", "5")
	if ro := o.(*retainersOptions); code != 0 || ro.id != 42 || ro.paths != 5 || ro.depth != 20 || ro.class != "" {
		t.Errorf("retainers options %+v (exit %d)", ro, code)
	}
	o, _, _ = options(t, "show", missing, "17")
	if so := o.(*showOptions); so.id != 17 || so.references != 20 {
		t.Errorf("show options %+v", so)
	}
	o, _, _ = options(t, "nodes", missing, "--format", "json")
	if no := o.(*nodesOptions); no.format != report.JSON {
		t.Errorf("nodes options %+v", no)
	}
	o, _, code = options(t, "check", missing, "--max-total-size", "1MB")
	if co := o.(*checkOptions); code != 0 || co.budgets.MaxTotalSize == nil || co.budgets.MaxTotalSize.Bytes != 1e6 {
		t.Errorf("check options %+v (exit %d)", co, code)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"top", missing, "--limit", "-2"}, "heapsnap: --limit: must not be negative, got -2"},
		{[]string{"analyze", missing, "--top", "many"}, `heapsnap: --top: invalid number "many"`},
		{[]string{"show", missing, "@x"}, `invalid object id "@x"`},
		{[]string{"analyze", missing, "--min-context-size", "lots"}, `--min-context-size: invalid size "lots"`},
	} {
		if _, stderr, code := options(t, tc.args...); code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	// A bad value from the environment names the variable.
	t.Setenv("HEAPSNAP_TOP_LIMIT", "x")
	if _, stderr, code := options(t, "top", missing); code != ExitUsage || !strings.Contains(stderr, "HEAPSNAP_TOP_LIMIT: invalid number") {
		t.Errorf("env: exit %d, %q", code, stderr)
	}
}
