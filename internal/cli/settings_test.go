package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/hostile"
	"github.com/heapsnap/heapsnap/internal/report"
)

// TestSettingsDoNotCollide checks that every configuration key has its
// own environment variable, and that a variable set for one command
// changes no other: the reports of issue 15.
func TestSettingsDoNotCollide(t *testing.T) {
	a := &app{streams: Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, v: viper.New()}
	a.newRootCmd()
	envs := map[string]string{}
	for _, key := range a.config.keys {
		env := a.config.bound[key].env
		if other, ok := envs[env]; ok {
			t.Errorf("%s is the variable of both %s and %s", env, other, key)
		}
		envs[env] = key
		if want := envName(key); env != want {
			t.Errorf("%s: variable %s, want %s", key, env, want)
		}
	}
	if len(envs) < 60 {
		t.Fatalf("only %d settings bound", len(envs))
	}

	const missing = "/no/such/snapshot"
	cleanEnv(t)
	// Suggested for CI, for check: nodes keeps its own format.
	t.Setenv("HEAPSNAP_CHECK_FORMAT", "markdown")
	o, stderr, code := options(t, "nodes", missing)
	if code != 0 || o.(*nodesOptions).format != report.TSV {
		t.Errorf("nodes with HEAPSNAP_CHECK_FORMAT=markdown: exit %d, %+v, %s", code, o, stderr)
	}
	// The listener budget of check and the detector threshold of analyze.
	t.Setenv("HEAPSNAP_CHECK_MAX_LISTENERS", "100")
	o, _, _ = options(t, "analyze", missing)
	if ao := o.(*analyzeOptions); ao.suspects.opts.MaxListeners != 10 {
		t.Errorf("analyze listener threshold %d, want the default 10", ao.suspects.opts.MaxListeners)
	}
	t.Setenv("HEAPSNAP_ANALYZE_LISTENER_THRESHOLD", "7")
	o, _, _ = options(t, "check", missing)
	co := o.(*checkOptions)
	if co.budgets.MaxListeners != 100 || co.budgets.Detectors.MaxListeners != 10 {
		t.Errorf("check: max_listeners %d, listener threshold %d; want 100 and 10", co.budgets.MaxListeners, co.budgets.Detectors.MaxListeners)
	}
	o, _, _ = options(t, "analyze", missing)
	if ao := o.(*analyzeOptions); ao.suspects.opts.MaxListeners != 7 {
		t.Errorf("HEAPSNAP_ANALYZE_LISTENER_THRESHOLD ignored: %d", ao.suspects.opts.MaxListeners)
	}
	// depth means one thing per command.
	t.Setenv("HEAPSNAP_TOP_DEPTH", "4")
	o, _, _ = options(t, "retainers", missing, "@1")
	if ro := o.(*retainersOptions); ro.depth != 20 {
		t.Errorf("retainers depth %d with HEAPSNAP_TOP_DEPTH=4", ro.depth)
	}
	o, _, _ = options(t, "top", missing)
	if to := o.(*topOptions); to.depth != 4 {
		t.Errorf("top depth %d, want 4", to.depth)
	}
}

// TestRetainersClassFromEnvironment: a class from the environment or the
// config file takes the place of the id, as --class does.
func TestRetainersClassFromEnvironment(t *testing.T) {
	const missing = "/no/such/snapshot"
	cleanEnv(t)
	t.Setenv("HEAPSNAP_RETAINERS_CLASS", "Event*")
	o, stderr, code := options(t, "retainers", missing)
	if ro, ok := o.(*retainersOptions); code != 0 || !ok || ro.class != "Event*" || !ro.pattern.IsGlob() {
		t.Fatalf("exit %d, %+v, %s", code, o, stderr)
	}
	_, stderr, code = options(t, "retainers", missing, "@12")
	if code != ExitUsage || !strings.Contains(stderr, "heapsnap: HEAPSNAP_RETAINERS_CLASS is set: give only the snapshot file") {
		t.Errorf("class and id: exit %d, %q", code, stderr)
	}
	cleanEnv(t)
	config := writeConfig(t, "retainers:\n  class: \"Order[\"\n")
	_, stderr, code = options(t, "retainers", missing, "--config", config)
	if want := "heapsnap: retainers.class in " + config + `: class pattern "Order[" has an unclosed [`; code != ExitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("bad class in config: exit %d, %q; want %q", code, stderr, want)
	}
	_, stderr, code = options(t, "retainers", missing)
	if code != ExitUsage || !strings.Contains(stderr, "expected a snapshot file and an object id (@ID), or --class PATTERN") {
		t.Errorf("no id, no class: exit %d, %q", code, stderr)
	}
}

// TestRetainersClassGlob: --class takes the globs check's class budgets
// take, through the same matcher.
func TestRetainersClassGlob(t *testing.T) {
	ids := func(args ...string) []uint64 {
		t.Helper()
		stdout, stderr, code := run(t, nil, append([]string{"retainers", sample, "--format", "json", "--paths", "1"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var rep struct {
			Objects []struct {
				ID uint64 `json:"id"`
			} `json:"objects"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, o := range rep.Objects {
			out = append(out, o.ID)
		}
		return out
	}
	exact, glob := ids("--class", "DataProcessor"), ids("--class", "DataProc*")
	if len(exact) == 0 || len(exact) != len(glob) || exact[0] != glob[0] {
		t.Errorf("exact %v, glob %v", exact, glob)
	}
	if _, stderr, code := run(t, nil, "retainers", sample, "--class", "NoSuch*"); code != ExitUsage || !strings.Contains(stderr, `no objects of class "NoSuch*"`) {
		t.Errorf("no match: exit %d, %q", code, stderr)
	}
}

// TestUnscopedEnvironmentWarns: the variables of before sections are
// not read, and the command they were meant for says so.
func TestUnscopedEnvironmentWarns(t *testing.T) {
	cleanEnv(t)
	t.Setenv("HEAPSNAP_MAX_TOTAL_SIZE", "1MB")
	o, stderr, code := options(t, "check", "/no/such/snapshot", "--max-listeners", "5")
	if code != 0 || o.(*checkOptions).budgets.MaxTotalSize != nil {
		t.Fatalf("exit %d, %+v", code, o)
	}
	if want := "heapsnap: warning: HEAPSNAP_MAX_TOTAL_SIZE is not read: check reads HEAPSNAP_CHECK_MAX_TOTAL_SIZE\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	if _, stderr, _ := options(t, "nodes", "/no/such/snapshot"); stderr != "" {
		t.Errorf("nodes warned: %q", stderr)
	}
}

// TestSettingErrorsNameTheirOrigin: a bad value from the environment or
// the file names the variable or the key and file, never a flag.
func TestSettingErrorsNameTheirOrigin(t *testing.T) {
	const missing = "/no/such/snapshot"
	config := writeConfig(t, "analyze:\n  suspects_only: maybe\nallocations:\n  callers: x\n  stacks: true\n")
	for _, tc := range []struct {
		env, value string
		args       []string
		want       string
	}{
		{"HEAPSNAP_ANALYZE_SUSPECTS_ONLY", "yes please", []string{"analyze", missing}, `heapsnap: HEAPSNAP_ANALYZE_SUSPECTS_ONLY: invalid value "yes please": want true or false`},
		{"", "", []string{"analyze", missing, "--config", config}, `heapsnap: analyze.suspects_only in ` + config + `: invalid value "maybe": want true or false`},
		{"", "", []string{"allocations", missing, "--config", config}, `heapsnap: allocations.callers in ` + config + `: cannot be combined with allocations.stacks in ` + config},
		{"HEAPSNAP_MAX_INFLATE", "lots", []string{"analyze", missing}, `heapsnap: HEAPSNAP_MAX_INFLATE: invalid ratio "lots"`},
		{"HEAPSNAP_CHECK_MAX_LISTENERS", "abc", []string{"check", missing}, `heapsnap: HEAPSNAP_CHECK_MAX_LISTENERS: invalid listener count "abc": want a whole number`},
		{"HEAPSNAP_CHECK_MIN_TIMERS", "0", []string{"check", missing, "--max-total-size", "1GB"}, `heapsnap: HEAPSNAP_CHECK_MIN_TIMERS: must be at least 1, got 0`},
		{"", "", []string{"check", missing, "--max-listeners", "abc"}, `heapsnap: --max-listeners: invalid number "abc": want a whole number`},
		{"HEAPSNAP_DIFF_SORT", "sideways", []string{"diff", missing, missing}, `heapsnap: HEAPSNAP_DIFF_SORT: invalid value "sideways": use size-delta, alloc,`},
	} {
		cleanEnv(t)
		if tc.env != "" {
			t.Setenv(tc.env, tc.value)
		}
		_, stderr, code := options(t, tc.args...)
		if code != ExitUsage || !strings.HasPrefix(stderr, tc.want) || strings.Contains(stderr, "strconv") {
			t.Errorf("%s=%s %v: exit %d, %q; want exit 2 and %q", tc.env, tc.value, tc.args, code, stderr, tc.want)
		}
	}
}

// TestCheckDetectorSettings: check takes analyze's detector thresholds
// from flags, the environment and the file, and uses them for
// fail_on_suspects.
func TestCheckDetectorSettings(t *testing.T) {
	cleanEnv(t)
	config := writeConfig(t, "check:\n  fail_on_suspects: [timers, promises]\n  min_reactions: 4\n  collection_share: 2%\n")
	t.Setenv("HEAPSNAP_CHECK_MIN_TIMERS", "3")
	o, stderr, code := options(t, "check", "/no/such/snapshot", "--config", config, "--listener-threshold", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	d := o.(*checkOptions).budgets.Detectors
	if d.MaxListeners != 50 || d.MinTimers != 3 || d.MinReactions != 4 || d.CollectionShare != 2 || d.CollectionThreshold != 10000 {
		t.Errorf("detectors %+v", d)
	}
	// The incident's 2,000 listeners fail fail_on_suspects at the
	// default threshold and pass above it: the threshold reaches the
	// detector.
	if _, _, code := check(t, sample, "--fail-on-suspects", "listeners"); code != ExitBudget {
		t.Errorf("default threshold: exit %d", code)
	}
	if _, stderr, code := check(t, sample, "--fail-on-suspects", "listeners", "--listener-threshold", "5000"); code != ExitOK {
		t.Errorf("--listener-threshold 5000: exit %d: %s", code, stderr)
	}
	// Every kind the detectors know is a kind fail_on_suspects takes.
	for _, k := range suspectKinds {
		if _, stderr, code := options(t, "check", "/no/such/snapshot", "--fail-on-suspects", k); code != 0 {
			t.Errorf("--fail-on-suspects %s: exit %d: %s", k, code, stderr)
		}
	}
}

// TestGrowthNeedsAUnit: --max-growth 20 would be 20 bytes; it is refused.
func TestGrowthNeedsAUnit(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"--max-growth", "20"}},
		{[]string{"--class", "Order:max_growth=20"}},
	} {
		_, stderr, code := check(t, append([]string{sample, "--baseline", sample}, tc.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, `invalid growth "20": say which unit: 20% of the baseline, or a size such as 20MB`) {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
	}
	o, _, code := options(t, "check", "/no/such/snapshot", "--baseline", "/old", "--max-growth", "20MB")
	if co := o.(*checkOptions); code != 0 || co.budgets.MaxGrowth.Bytes != 20e6 {
		t.Errorf("20MB: exit %d %+v", code, co.budgets.MaxGrowth)
	}
}

// TestMaxInflate: the gzip bomb guard stops a small .gz that inflates
// past the limit with a message naming the flag and the key, and
// --max-inflate off, the variable and the config key lift it.
func TestMaxInflate(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 300 MB")
	}
	var class hostile.Class
	for _, c := range hostile.Classes {
		if c.Name == "array-space" {
			class = c
		}
	}
	var bomb bytes.Buffer
	if err := class.WriteBomb(&bomb, 300<<20); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bomb.heapsnapshot.gz")
	if err := os.WriteFile(path, bomb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cleanEnv(t)
	_, stderr, code := run(t, nil, "nodes", path)
	if code != ExitFailure || !strings.Contains(stderr, "likely gzip bomb; if the file is genuine, raise the limit with --max-inflate N or off (config key max_inflate, variable HEAPSNAP_MAX_INFLATE; now 32)") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if _, stderr, code := run(t, nil, "nodes", path, "--max-inflate", "off"); code != 0 {
		t.Errorf("--max-inflate off: exit %d, %q", code, stderr)
	}
	config := writeConfig(t, "max_inflate: 1e8\nnodes:\n  format: json\n")
	if stdout, stderr, code := run(t, nil, "nodes", path, "--config", config); code != 0 || !strings.HasPrefix(stdout, "[") {
		t.Errorf("max_inflate in the config: exit %d, %q", code, stderr)
	}
}

// TestVersionFromBuildInfo: --version is version, and a `go install`
// build shows the module's version and what a pseudo-version encodes.
func TestVersionFromBuildInfo(t *testing.T) {
	a, _, _ := run(t, nil, "version")
	b, _, code := run(t, nil, "--version")
	if code != 0 || a != b {
		t.Errorf("--version %q, version %q", b, a)
	}
	for _, tc := range []struct {
		build   BuildInfo
		info    *debug.BuildInfo
		version string
		commit  string
		date    string
	}{
		{BuildInfo{}, &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0", "", ""},
		{BuildInfo{}, &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261204192457-9d85e00abcde"}}, "v0.0.0-20261204192457-9d85e00abcde", "9d85e00abcde", "2026-12-04T19:24:57Z"},
		{BuildInfo{}, &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261204192457-9d85e00abcde+dirty"}}, "v1.2.4-0.20261204192457-9d85e00abcde+dirty", "9d85e00abcde", "2026-12-04T19:24:57Z"},
		{BuildInfo{}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}}}, "(devel)", "abc", "2026-01-02T03:04:05Z"},
		{BuildInfo{Version: "v2.0.0", Commit: "c", Date: "d"}, &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}}, "v2.0.0", "c", "d"},
		{BuildInfo{}, nil, "(devel)", "", ""},
	} {
		got := tc.build.resolve(tc.info)
		if got.Version != tc.version || got.Commit != tc.commit || got.Date != tc.date {
			t.Errorf("%+v with %+v: %+v", tc.build, tc.info, got)
		}
	}
	var out bytes.Buffer
	Main([]string{"version"}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}, BuildInfo{})
	if strings.Contains(out.String(), "unknown") {
		t.Errorf("version prints unknown fields: %q", out.String())
	}
}

// TestRenamedSettings: analyze's --max-listeners, which collided with
// check's budget, is --listener-threshold; the old name says so in every
// place it can come from.
func TestRenamedSettings(t *testing.T) {
	cleanEnv(t)
	const missing = "/no/such/snapshot"
	if _, stderr, code := options(t, "analyze", missing, "--max-listeners", "5"); code != ExitUsage || !strings.HasPrefix(stderr, "heapsnap: unknown flag: --max-listeners (renamed --listener-threshold)") {
		t.Errorf("flag: exit %d, %q", code, stderr)
	}
	config := writeConfig(t, "analyze:\n  max_listeners: 5\n")
	if _, stderr, code := options(t, "analyze", missing, "--config", config); code != ExitUsage || !strings.Contains(stderr, `unknown key "analyze.max_listeners" (renamed "analyze.listener_threshold")`) {
		t.Errorf("config: exit %d, %q", code, stderr)
	}
	t.Setenv("HEAPSNAP_MAX_LISTENERS", "5")
	if _, stderr, code := options(t, "analyze", missing); code != 0 || stderr != "heapsnap: warning: HEAPSNAP_MAX_LISTENERS is not read: analyze reads HEAPSNAP_ANALYZE_LISTENER_THRESHOLD\n" {
		t.Errorf("environment: exit %d, %q", code, stderr)
	}
	// check's own max_listeners is a budget, still called that.
	if _, stderr, _ := options(t, "check", missing, "--max-total-size", "1GB"); !strings.Contains(stderr, "HEAPSNAP_MAX_LISTENERS is not read: check reads HEAPSNAP_CHECK_MAX_LISTENERS") {
		t.Errorf("check: %q", stderr)
	}
}

// TestConfigMistakesStayInTheirSection: a misspelt key of check's section
// stops check, not nodes; a misspelt top-level key stops every command.
func TestConfigMistakesStayInTheirSection(t *testing.T) {
	cleanEnv(t)
	const missing = "/no/such/snapshot"
	config := writeConfig(t, "check:\n  max_totl_size: 1MB\nnodes:\n  format: json\n")
	if o, stderr, code := options(t, "nodes", missing, "--config", config); code != 0 || o.(*nodesOptions).format != report.JSON {
		t.Errorf("nodes: exit %d, %q", code, stderr)
	}
	if _, stderr, code := options(t, "check", missing, "--config", config); code != ExitUsage || !strings.Contains(stderr, `unknown key "check.max_totl_size"`) {
		t.Errorf("check: exit %d, %q", code, stderr)
	}
	config = writeConfig(t, "max_inflat: 64\n")
	if _, stderr, code := options(t, "nodes", missing, "--config", config); code != ExitUsage || !strings.Contains(stderr, `unknown key "max_inflat" (did you mean "max_inflate"?)`) {
		t.Errorf("top level: exit %d, %q", code, stderr)
	}
}

// TestSourceMapsSetting: the global source_maps list from the environment
// (commas) and the file (a YAML list), checked before any snapshot.
func TestSourceMapsSetting(t *testing.T) {
	cleanEnv(t)
	const missing = "/no/such/snapshot"
	a, b := t.TempDir(), t.TempDir()
	t.Setenv("HEAPSNAP_SOURCE_MAPS", a+","+b)
	if _, stderr, code := options(t, "top", missing); code != 0 {
		t.Errorf("two directories: exit %d, %q", code, stderr)
	}
	t.Setenv("HEAPSNAP_SOURCE_MAPS", a+",/no/such/dir")
	if _, stderr, code := options(t, "top", missing); code != ExitUsage || !strings.HasPrefix(stderr, "heapsnap: HEAPSNAP_SOURCE_MAPS: stat /no/such/dir: no such file") {
		t.Errorf("missing directory: exit %d, %q", code, stderr)
	}
	cleanEnv(t)
	config := writeConfig(t, "source_maps: ["+a+", "+filepath.Join(a, "x")+"]\n")
	if _, stderr, code := options(t, "top", missing, "--config", config); code != ExitUsage || !strings.HasPrefix(stderr, "heapsnap: source_maps in "+config+": ") {
		t.Errorf("config: exit %d, %q", code, stderr)
	}
}
