package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

const checkLong = `Check reads a heap snapshot and fails (exit status 1) when it exceeds a memory
budget, which makes it a CI gate: take a snapshot at the end of a test run, then
run heapsnap check on it.

Budgets come from the check section of .heapsnap.yaml in the working directory
(or the file given by --config or $HEAPSNAP_CONFIG), from environment variables
HEAPSNAP_CHECK_<KEY> and from flags; a flag beats the environment, which beats
the file. An unknown key in the file is an error. docs/config.md lists every
key with its flag and variable.

  check:
    max_total_size: 512MiB      # total heap size (DevTools' number)
    max_growth: 20%             # total size versus --baseline: 20% or 50MB
    max_listeners: 100          # listeners per event on one emitter
    classes:                    # by exact class name or glob (* ? [..])
      - name: "Order"
        max_retained_size: 10MiB
        max_count: 10000
        max_growth: 5MiB        # retained size versus --baseline
    fail_on_suspects: [listeners, detached-dom]
    max_suspect_size: 1MiB      # any suspect retaining more fails
    listener_threshold: 10      # the detectors' thresholds, as for analyze

Sizes are byte counts with an optional unit: B, kB, MB, GB, TB (powers of 1000)
or KiB, MiB, GiB, TiB (powers of 1024). A growth needs its unit: 20% of the
baseline or 20MB; a bare 20 is refused. "off" turns a budget from the file off.
Classes with the same name (defined in different places) count as one. A glob
is checked against every class it matches.

A class SPEC (--class, repeatable, or HEAPSNAP_CHECK_CLASSES with specs
separated by ";") is PATTERN:key=value,... such as
"Order:max_count=10000,max_retained_size=10MiB"; it replaces the file's list
of classes.

Growth budgets need --baseline, an earlier snapshot of the same program;
without one check stops with a usage error, unless baseline_optional is true
(--baseline-optional), which reports them as skipped instead. The baseline
is reduced to its totals before the snapshot is read, so the two are never
in memory together.

fail_on_suspects and max_suspect_size use the leak detectors of analyze, with
the same thresholds (--listener-threshold, --collection-threshold, …; see
docs/suspects.md). max_listeners is a budget of its own: it checks every
event's listener count, whatever the detectors' threshold.

--capture PID checks a running Node.js process instead of a file: heapsnap takes
its snapshot as "heapsnap capture" does (--out, --force, --timeout and the other
capture flags apply) and closes the inspector again; a failed capture is exit 3.
With --baseline an earlier capture's --out file, it gates a test server's growth
under load without any change to the server (docs/capture.md).

The report lists every budget with its limit, the actual value and the result:
a table, or with --format markdown a summary fit for a pull-request comment, or
JSON. --junit writes JUnit XML for CI test reports. Under GitHub Actions
(GITHUB_ACTIONS=true) every exceeded budget is also written to stderr as an
::error annotation.
` + checkExitStatusHelp

// suspectKinds are the kinds fail_on_suspects accepts.
var suspectKinds = func() []string {
	names := make([]string, len(suspects.Kinds))
	for i, k := range suspects.Kinds {
		names[i] = string(k)
	}
	return names
}()

func (a *app) newCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check SNAPSHOT | check --capture PID",
		Short: "Fail when a snapshot exceeds its memory budgets (a CI gate)",
		Long:  checkLong,
		Example: `  heapsnap check heap.heapsnapshot                      # budgets from .heapsnap.yaml
  heapsnap check heap.heapsnapshot --max-total-size 512MiB --max-listeners 100
  heapsnap check end.heapsnapshot --baseline start.heapsnapshot --max-growth 20%
  heapsnap check heap.heapsnapshot --class 'Detached HTML*:max_count=0' --fail-on-suspects listeners
  heapsnap check heap.heapsnapshot --format markdown --junit heapsnap.xml >> "$GITHUB_STEP_SUMMARY"
  heapsnap check --capture "$server_pid" --baseline start.heapsnapshot.gz --max-growth 20%`,
		Args: rangeArgs(0, 1, "one snapshot file, or --capture PID"),
	}
	f := cmd.Flags()
	f.String("capture", "", "check a snapshot taken now of a running Node.js process instead of a file: a `PID`, or an inspector's HOST:PORT or ws:// URL (as heapsnap capture; the capture flags below apply)")
	addCaptureFlags(f)
	f.String("max-total-size", "", "maximum total heap `SIZE`, e.g. 512MiB")
	f.String("max-growth", "", "maximum growth of the total size versus --baseline: a percentage (20%) or a `SIZE` with its unit (50MB)")
	f.Int("max-listeners", 0, "maximum listeners per event on one emitter, `N` (0: no limit)")
	f.StringArray("class", nil, "class budget `SPEC`: PATTERN:key=value,... with keys max_retained_size, max_count, max_growth (repeatable)")
	_ = f.SetAnnotation("class", keyAnnotation, []string{"classes"})
	f.StringSlice("fail-on-suspects", nil, "fail on any leak suspect of these `KINDS`: "+strings.Join(suspectKinds, ", "))
	f.String("max-suspect-size", "", "fail on any leak suspect retaining more than `SIZE`")
	f.String("baseline", "", "earlier snapshot `FILE` to measure growth against")
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.String("junit", "", "also write the results as JUnit XML to `FILE`")
	f.String("html", "", "also write a self-contained HTML report (budgets, suspects, statistics, classes, dominator tree) to `FILE`")
	f.Bool("baseline-optional", false, "without --baseline, report growth budgets as skipped instead of failing with a usage error")
	addDetectorFlags(f)
	a.bindFlags(cmd, "check")
	_ = cmd.RegisterFlagCompletionFunc("baseline", snapshotFiles)
	completeChoices(cmd, "fail-on-suspects", suspectKinds)
	cmd.RunE = runE(a, a.checkOptions, a.check)
	return cmd
}

// checkOptions are the settings of `heapsnap check`.
type checkOptions struct {
	file     string
	capture  *captureSettings // instead of file
	format   report.Format
	budgets  *budget.Budgets
	baseline string
	junit    string
	html     string
}

func (a *app) checkOptions(args []string) (*checkOptions, error) {
	st := a.settings("check")
	o := &checkOptions{format: st.format(), junit: st.str("junit"), html: st.str("html")}
	baselineOptional := st.flag("baseline-optional")
	if st.err != nil {
		return nil, st.err
	}
	switch target := st.str("capture"); {
	case target != "" && len(args) == 1:
		return nil, usagef("give a snapshot file or --capture, not both")
	case target != "":
		cs, err := a.readCaptureSettings(st, target, false)
		if err != nil {
			return nil, err
		}
		o.capture = cs
	case len(args) == 1:
		o.file = args[0]
	default:
		return nil, usagef("check: expected one snapshot file, or --capture PID")
	}
	b, err := a.budgets()
	if err != nil {
		return nil, err
	}
	if b.Empty() {
		return nil, usagef("no budgets to check: add a check section to %s or pass --max-total-size, --class and so on (see heapsnap check --help)", defaultConfigFile)
	}
	o.budgets = b
	o.baseline = st.str("baseline")
	if o.baseline != "" && !b.NeedsBaseline() {
		fmt.Fprintf(a.streams.Err, "heapsnap: warning: ignoring baseline %s: no growth budget is set\n", o.baseline)
		o.baseline = ""
	}
	if o.baseline == "" && b.NeedsBaseline() && !baselineOptional {
		// A gate that checks nothing must not pass.
		return nil, usagef("%s sets a growth budget, which needs --baseline (an earlier snapshot of the same program); "+
			"pass --baseline FILE, or set baseline_optional: true in the check section to report it as skipped", a.growthOrigin(b))
	}
	if o.baseline == "-" && o.file == "-" {
		return nil, usagef("the snapshot and the baseline cannot both be read from stdin")
	}
	return o, nil
}

func (a *app) check(o *checkOptions) error {
	b := o.budgets
	var base *budget.Facts
	if o.baseline != "" {
		var err error
		if base, err = a.facts(o.baseline); err != nil {
			return err
		}
		// The baseline's graph is garbage now: give it back before
		// reading the next snapshot, which may be as large.
		debug.FreeOSMemory()
	}
	var needs *budget.Budgets
	if b.NeedsSuspects() {
		needs = b
	}
	res, finish, err := a.checkSnapshot(o)
	if err != nil {
		return err
	}
	return finish(a.checkAnalysis(o, res, needs, base))
}

// checkSnapshot reads the snapshot to check, or captures it (then finish
// leaves the process as it was found, and says whether that failed).
func (a *app) checkSnapshot(o *checkOptions) (*devtools.Analysis, func(error) error, error) {
	if o.capture == nil {
		res, err := a.load(o.file)
		return res, func(err error) error { return err }, err
	}
	res, name, finish, err := a.captureOne(o.capture)
	o.file = name
	return res, finish, err
}

// checkAnalysis applies the budgets to an analyzed snapshot and writes
// the report.
func (a *app) checkAnalysis(o *checkOptions, res *devtools.Analysis, needs *budget.Budgets, base *budget.Facts) error {
	b := o.budgets
	cur := budget.FactsOf(res, needs, a.namer(res))
	if o.html == "" {
		res = nil // the graph is not needed any more
	}
	rep := views.NewCheck(displayName(o.file), displayName(o.baseline), a.config.file, budget.Evaluate(b, cur, base))
	if err := a.write(o.format, rep); err != nil {
		return err
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		if err := report.WriteGitHubAnnotations(a.streams.Err, rep); err != nil {
			return err
		}
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, rep); err != nil {
			return err
		}
	}
	if o.html != "" {
		if err := writeHTMLReport(o.html, res, rep, o.budgets.Detectors); err != nil {
			return err
		}
	}
	if !rep.Passed {
		return &exitError{code: ExitBudget, err: errors.New(rep.Verdict())}
	}
	return nil
}

func writeJUnit(path string, rep *views.Check) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing JUnit report: %w", err)
	}
	if err := report.WriteJUnit(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("writing JUnit report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing JUnit report %s: %w", path, err)
	}
	return nil
}

// facts reads a baseline and keeps only what growth budgets need.
func (a *app) facts(path string) (*budget.Facts, error) {
	res, err := a.load(path)
	if err != nil {
		return nil, err
	}
	return budget.FactsOf(res, nil, nil), nil
}

// budgets reads every check setting, with errors that name where a bad
// value came from.
func (a *app) budgets() (*budget.Budgets, error) {
	b := &budget.Budgets{}
	var err error
	if b.MaxTotalSize, err = a.sizeSetting("check.max_total_size", budget.ParseSize); err != nil {
		return nil, err
	}
	if b.MaxGrowth, err = a.sizeSetting("check.max_growth", budget.ParseGrowth); err != nil {
		return nil, err
	}
	if b.MaxSuspectSize, err = a.sizeSetting("check.max_suspect_size", budget.ParseSize); err != nil {
		return nil, err
	}
	if s := a.setting("check.max_listeners"); s != "" && s != "off" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, usagef("%s: invalid listener count %q: want a whole number (0: no limit)", a.origin("check.max_listeners"), s)
		}
		b.MaxListeners = n
	}
	for _, kind := range a.settingList("check.fail_on_suspects") {
		kind = strings.ToLower(kind)
		if !slices.Contains(suspectKinds, kind) {
			return nil, usagef("%s: unknown suspect kind %q: use %s", a.origin("check.fail_on_suspects"), kind, strings.Join(suspectKinds, ", "))
		}
		if !slices.Contains(b.FailOnSuspects, kind) {
			b.FailOnSuspects = append(b.FailOnSuspects, kind)
		}
	}
	if b.Classes, err = a.classBudgets(); err != nil {
		return nil, err
	}
	st := a.settings("check")
	b.Detectors = detectorOptions(st)
	return b, st.err
}

func (a *app) sizeSetting(key string, parse func(string) (budget.Amount, error)) (*budget.Amount, error) {
	v, err := budget.ParseOptional(a.setting(key), parse)
	if err != nil {
		return nil, usagef("%s: %v", a.origin(key), err)
	}
	return v, nil
}

// growthOrigin names where the growth budget of b comes from: the total's
// max_growth, else the class list holding one.
func (a *app) growthOrigin(b *budget.Budgets) string {
	if b.MaxGrowth != nil {
		return a.origin("check.max_growth")
	}
	return a.origin("check.classes")
}

// classBudgets reads check.classes: from the file a list of mappings (or
// of SPEC strings), from --class a list of SPECs, from HEAPSNAP_CLASSES
// SPECs separated by ";".
func (a *app) classBudgets() ([]budget.ClassBudget, error) {
	const key = "check.classes"
	where := a.origin(key)
	var entries []any
	switch v := a.v.Get(key).(type) {
	case nil:
	case []any:
		entries = v
	case []string:
		for _, s := range v {
			entries = append(entries, s)
		}
	case string:
		for s := range strings.SplitSeq(v, ";") {
			if strings.TrimSpace(s) != "" {
				entries = append(entries, s)
			}
		}
	default:
		return nil, usagef("%s: want a list of classes", where)
	}
	var out []budget.ClassBudget
	for i, e := range entries {
		at := where
		if len(entries) > 1 {
			at = fmt.Sprintf("%s, entry %d", where, i+1)
		}
		var fields map[string]any
		switch e := e.(type) {
		case map[string]any:
			fields = e
		case string:
			var err error
			if fields, err = budget.ParseClassSpec(e); err != nil {
				return nil, usagef("%s: %v", at, err)
			}
		default:
			return nil, usagef("%s: want a mapping with name and limits", at)
		}
		cb, err := budget.ParseClassBudget(fields)
		if err != nil {
			return nil, usagef("%s: %v", at, err)
		}
		out = append(out, cb)
	}
	return out, nil
}

// snapshotFiles completes heap snapshot file names.
func snapshotFiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{"heapsnapshot", "gz"}, cobra.ShellCompDirectiveFilterFileExt
}
