package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

var (
	growth1     = testutil.Testdata("scenarios", "snapshots", "growth-1.heapsnapshot.gz")
	growth4     = testutil.Testdata("scenarios", "snapshots", "growth-4.heapsnapshot.gz")
	budgetsYAML = testutil.Testdata("check", "budgets.yaml")
)

// cleanEnv unsets what would change check's behaviour from outside the
// test: HEAPSNAP_* settings and GitHub Actions' marker (the project's own
// CI runs these tests under GitHub Actions).
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// The cache directory stays the tests' own (TestMain).
		if strings.HasPrefix(k, "HEAPSNAP_") && k != "HEAPSNAP_CACHE_DIR" || k == "GITHUB_ACTIONS" {
			t.Setenv(k, "")
		}
	}
}

// check runs heapsnap check in a clean environment and returns stdout
// with repository paths made relative.
func check(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cleanEnv(t)
	stdout, stderr, code := run(t, nil, append([]string{"check"}, args...)...)
	root := testutil.Root() + string(filepath.Separator)
	return strings.ReplaceAll(stdout, root, ""), strings.ReplaceAll(stderr, root, ""), code
}

// writeConfig writes a config file into a temporary directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".heapsnap.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkJSON is the part of the JSON report the tests read.
type checkJSON struct {
	Passed  bool   `json:"passed"`
	Config  string `json:"config"`
	Checked int    `json:"checked"`
	Failed  int    `json:"failed"`
	Results []struct {
		Budget  string   `json:"budget"`
		Subject string   `json:"subject"`
		Unit    string   `json:"unit"`
		Limit   float64  `json:"limit"`
		Actual  *float64 `json:"actual"`
		Status  string   `json:"status"`
		Note    string   `json:"note"`
	} `json:"results"`
}

func checkReport(t *testing.T, wantCode int, args ...string) checkJSON {
	t.Helper()
	stdout, stderr, code := check(t, append(args, "--format", "json")...)
	if code != wantCode {
		t.Fatalf("%v: exit %d, want %d; stderr: %s", args, code, wantCode, stderr)
	}
	var rep checkJSON
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stdout)
	}
	return rep
}

func TestCheckGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check.txt", nil},
		{"check.md", []string{"--format", "markdown"}},
		{"check.json", []string{"--format", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{growth4, "--baseline", growth1, "--config", budgetsYAML}, tc.args...)
			stdout, stderr, code := check(t, args...)
			if code != ExitBudget {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			if stderr != "heapsnap: 3 of 6 checks failed\n" {
				t.Errorf("stderr %q", stderr)
			}
			testutil.Golden(t, testutil.Testdata("golden", tc.name), []byte(stdout))
		})
	}
	t.Run("check-pass.txt", func(t *testing.T) {
		stable1 := testutil.Testdata("scenarios", "snapshots", "stable-1.heapsnapshot.gz")
		stable3 := testutil.Testdata("scenarios", "snapshots", "stable-3.heapsnapshot.gz")
		stdout, stderr, code := check(t, stable3, "--baseline", stable1, "--max-growth", "2%",
			"--max-total-size", "8MiB", "--class", "LeakedRecord:max_count=0", "--class", "Temp*:max_count=0,max_growth=1kB")
		if code != ExitOK || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		testutil.Golden(t, testutil.Testdata("golden", "check-pass.txt"), []byte(stdout))
	})
}

// TestCheckJUnit parses the JUnit file back and compares it with the JSON
// report of the same run.
func TestCheckJUnit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heapsnap.xml")
	rep := checkReport(t, ExitBudget, growth4, "--baseline", growth1, "--config", budgetsYAML, "--junit", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, data)
	}
	if doc.Tests != rep.Checked || doc.Failures != rep.Failed || len(doc.Suites) != 1 {
		t.Fatalf("JUnit counts %d/%d, JSON %d/%d", doc.Tests, doc.Failures, rep.Checked, rep.Failed)
	}
	s := doc.Suites[0]
	if s.Tests != rep.Checked || s.Failures != rep.Failed || len(s.Cases) != len(rep.Results) {
		t.Fatalf("suite counts %d/%d with %d cases", s.Tests, s.Failures, len(s.Cases))
	}
	for i, c := range s.Cases {
		r := rep.Results[i]
		if c.Name != r.Subject || c.Classname != "heapsnap.check."+r.Budget || (c.Failure != nil) != (r.Status == "fail") {
			t.Errorf("case %d %+v vs result %+v", i, c, r)
		}
	}
	if got := s.Cases[2].Failure.Message; got != "class LeakedRecord: 800 exceeds classes.max_count = 500" {
		t.Errorf("failure message %q", got)
	}
	stripped := strings.ReplaceAll(string(data), testutil.Root()+string(filepath.Separator), "")
	testutil.Golden(t, testutil.Testdata("golden", "check.junit.xml"), []byte(stripped))
}

func TestCheckGitHubAnnotations(t *testing.T) {
	cleanEnv(t)
	t.Setenv("GITHUB_ACTIONS", "true")
	stdout, stderr, code := run(t, nil, "check", growth4, "--baseline", growth1, "--config", budgetsYAML, "--format", "json")
	if code != ExitBudget {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "::error") {
		t.Error("annotations on stdout would break --format json")
	}
	want := []string{
		// "%" is escaped in workflow commands; GitHub shows it unescaped.
		"::error title=heapsnap check%3A max_growth::total size: grew +5.7%25 (3.0 MB → 3.2 MB), exceeds max_growth = 5%25",
		"::error title=heapsnap check%3A classes.max_count::class LeakedRecord: 800 exceeds classes.max_count = 500",
		"::error title=heapsnap check%3A classes.max_growth::class LeakedRecord: grew +48.0 kB (16.0 kB → 64.0 kB), exceeds classes.max_growth = 20 kB",
		"heapsnap: 3 of 6 checks failed",
	}
	if got := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(want, "\n"))
	}
	cleanEnv(t)
	_, stderr, _ = run(t, nil, "check", growth4, "--baseline", growth1, "--config", budgetsYAML)
	if strings.Contains(stderr, "::error") {
		t.Error("annotations outside GitHub Actions")
	}
}

// TestCheckExitCodes runs one case per exit status.
func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.heapsnapshot")
	if err := os.WriteFile(corrupt, []byte(`{"snapshot":{"meta":`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"within budget", []string{sample, "--max-total-size", "1GB"}, ExitOK, ""},
		{"over budget", []string{sample, "--max-total-size", "1MB"}, ExitBudget, "heapsnap: 1 of 1 check failed"},
		{"no arguments", nil, ExitUsage, "expected one snapshot file"},
		{"unknown flag", []string{sample, "--max-size", "1MB"}, ExitUsage, "unknown flag: --max-size"},
		{"malformed size", []string{sample, "--max-total-size", "12XB"}, ExitUsage, `--max-total-size: invalid size "12XB": unknown unit "XB"`},
		{"malformed listeners", []string{sample, "--max-listeners", "many"}, ExitUsage, `--max-listeners: invalid number "many": want a whole number`},
		{"bad format", []string{sample, "--max-total-size", "1GB", "--format", "xml"}, ExitUsage, `invalid format "xml"`},
		{"no budgets", []string{sample}, ExitUsage, "no budgets to check"},
		{"missing config", []string{sample, "--config", filepath.Join(dir, "nope.yaml")}, ExitUsage, "no such file or directory"},
		{"unknown suspect kind", []string{sample, "--fail-on-suspects", "leaks"}, ExitUsage, `unknown suspect kind "leaks"`},
		{"both on stdin", []string{"-", "--baseline", "-", "--max-growth", "1%"}, ExitUsage, "cannot both be read from stdin"},
		{"missing snapshot", []string{filepath.Join(dir, "nope.heapsnapshot"), "--max-total-size", "1GB"}, ExitFailure, "nope.heapsnapshot: no such file or directory"},
		{"corrupt snapshot", []string{corrupt, "--max-total-size", "1GB"}, ExitFailure, "corrupt.heapsnapshot: "},
		{"missing baseline", []string{sample, "--baseline", filepath.Join(dir, "old.heapsnapshot"), "--max-growth", "20%"}, ExitFailure, "old.heapsnapshot: no such file or directory"},
		{"unwritable JUnit", []string{sample, "--max-total-size", "1GB", "--junit", filepath.Join(dir, "no", "such", "dir.xml")}, ExitFailure, "writing JUnit report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := check(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if tc.want != "" && (!strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "heapsnap: ")) {
				t.Errorf("stderr %q, want %q", stderr, tc.want)
			}
			if tc.code == ExitOK && stderr != "" {
				t.Errorf("stderr %q", stderr)
			}
		})
	}
}

func TestCheckHelpDocumentsExitCodes(t *testing.T) {
	stdout, _, code := run(t, nil, "check", "--help")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"0  every budget holds", "1  a budget is exceeded", "2  usage or configuration error", "3  unreadable",
		"HEAPSNAP_CHECK_<KEY>", "HEAPSNAP_CHECK_CLASSES", "docs/config.md", ".heapsnap.yaml", "--junit"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check --help lacks %q", want)
		}
	}
}

// TestCheckPrecedence sets each setting in the file, the environment and
// a flag, and checks that the flag beats the environment, which beats the
// file, which beats the default.
func TestCheckPrecedence(t *testing.T) {
	config := writeConfig(t, `check:
  max_total_size: 1MiB
  max_listeners: 100
  max_growth: 50%
  baseline_optional: true
  fail_on_suspects: [closure]
  classes:
    - name: FromFile
      max_count: 1
`)
	limit := func(rep checkJSON, budget string) (float64, string) {
		t.Helper()
		for _, r := range rep.Results {
			if r.Budget == budget {
				return r.Limit, r.Subject
			}
		}
		t.Fatalf("no %s result in %+v", budget, rep.Results)
		return 0, ""
	}
	args := []string{sample, "--config", config}

	// The file alone.
	rep := checkReport(t, ExitBudget, args...)
	if l, _ := limit(rep, "max_total_size"); l != 1<<20 {
		t.Errorf("file: max_total_size %v", l)
	}
	if _, s := limit(rep, "classes.max_count"); s != "class FromFile" {
		t.Errorf("file: class %q", s)
	}
	if _, s := limit(rep, "fail_on_suspects"); s != "closure suspects" {
		t.Errorf("file: suspects %q", s)
	}
	if l, _ := limit(rep, "max_growth"); l != 50 {
		t.Errorf("file: max_growth %v", l)
	}
	if rep.Config != config {
		t.Errorf("config %q", rep.Config)
	}

	// The environment over the file. check() clears the environment, so
	// set it in the same call through a wrapper.
	env := map[string]string{
		"HEAPSNAP_CHECK_MAX_TOTAL_SIZE":   "2MiB",
		"HEAPSNAP_CHECK_MAX_LISTENERS":    "200",
		"HEAPSNAP_CHECK_MAX_GROWTH":       "10MB",
		"HEAPSNAP_CHECK_FAIL_ON_SUSPECTS": "listeners, detached-dom",
		"HEAPSNAP_CHECK_CLASSES":          "FromEnv:max_count=2;Other*:max_retained_size=1GB",
	}
	withEnv := func(wantCode int, extra ...string) checkJSON {
		t.Helper()
		cleanEnv(t)
		for k, v := range env {
			t.Setenv(k, v)
		}
		stdout, stderr, code := run(t, nil, append(append([]string{"check"}, args...), append(extra, "--format", "json")...)...)
		if code != wantCode {
			t.Fatalf("exit %d, want %d: %s", code, wantCode, stderr)
		}
		var rep checkJSON
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep = withEnv(ExitBudget)
	if l, _ := limit(rep, "max_total_size"); l != 2<<20 {
		t.Errorf("env: max_total_size %v", l)
	}
	if l, _ := limit(rep, "max_listeners"); l != 200 {
		t.Errorf("env: max_listeners %v", l)
	}
	if l, _ := limit(rep, "max_growth"); l != 10e6 {
		t.Errorf("env: max_growth %v", l)
	}
	if _, s := limit(rep, "fail_on_suspects"); s != "listeners suspects" {
		t.Errorf("env: suspects %q", s)
	}
	if _, s := limit(rep, "classes.max_count"); s != "class FromEnv" {
		t.Errorf("env: class %q", s)
	}

	// Flags over the environment.
	rep = withEnv(ExitOK, "--max-total-size", "3GB", "--max-listeners", "5000", "--max-growth", "off",
		"--fail-on-suspects", "collection", "--class", "FromFlag:max_count=3", "--class", "x:y:max_count=0")
	if l, _ := limit(rep, "max_total_size"); l != 3e9 {
		t.Errorf("flag: max_total_size %v", l)
	}
	if l, _ := limit(rep, "max_listeners"); l != 5000 {
		t.Errorf("flag: max_listeners %v", l)
	}
	for _, r := range rep.Results {
		if r.Budget == "max_growth" {
			t.Error("--max-growth off left the budget on")
		}
	}
	if _, s := limit(rep, "fail_on_suspects"); s != "collection suspects" {
		t.Errorf("flag: suspects %q", s)
	}
	var classes []string
	for _, r := range rep.Results {
		if strings.HasPrefix(r.Budget, "classes.") {
			classes = append(classes, r.Subject)
		}
	}
	if strings.Join(classes, ", ") != "class FromFlag, class x:y" {
		t.Errorf("flag: classes %v", classes)
	}
}

// TestCheckConfigInWorkingDirectory finds .heapsnap.yaml without --config,
// and HEAPSNAP_CONFIG.
func TestCheckConfigInWorkingDirectory(t *testing.T) {
	config := writeConfig(t, "check:\n  max_total_size: 1GB\n")
	t.Chdir(filepath.Dir(config))
	rep := checkReport(t, ExitOK, sample)
	if rep.Config != ".heapsnap.yaml" || len(rep.Results) != 1 || rep.Results[0].Limit != 1e9 {
		t.Errorf("%+v", rep)
	}

	other := filepath.Join(t.TempDir(), "budgets.yml")
	if err := os.WriteFile(other, []byte("check:\n  max_total_size: 1MB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cleanEnv(t)
	t.Setenv("HEAPSNAP_CONFIG", other)
	_, stderr, code := run(t, nil, "check", sample)
	if code != ExitBudget {
		t.Errorf("HEAPSNAP_CONFIG ignored: exit %d %s", code, stderr)
	}
}

func TestCheckConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, config, want string
	}{
		{"unknown key", "check:\n  max_totl_size: 1MB\n", `unknown key "check.max_totl_size" (did you mean "check.max_total_size"?)`},
		{"unknown section", "chek:\n  max_total_size: 1MB\n", `unknown key "chek.max_total_size"`},
		{"unknown top-level key", "verbose: true\ncheck:\n  max_total_size: 1MB\n", `unknown key "verbose"`},
		{"section not a mapping", "check: 5\n", `"check" must be a mapping`},
		{"unknown class key", "check:\n  classes:\n    - name: Order\n      max_size: 1MB\n", `unknown key "max_size" in a class budget`},
		{"class without name", "check:\n  classes:\n    - max_count: 1\n", "a class budget needs a name"},
		{"class without budget", "check:\n  classes:\n    - name: Order\n", "class Order sets no budget"},
		{"class bad glob", "check:\n  classes:\n    - name: \"Order[\"\n      max_count: 1\n", "unclosed ["},
		{"class bad size", "check:\n  classes:\n    - name: A\n      max_count: 1\n    - name: Order\n      max_retained_size: lots\n", `entry 2: class Order: max_retained_size: invalid size "lots"`},
		{"class bad count", "check:\n  classes:\n    - name: Order\n      max_count: -1\n", `max_count: invalid count "-1"`},
		{"classes not a list", "check:\n  classes: 5\n", "want a list of classes"},
		{"malformed size", "check:\n  max_total_size: 1.5.0GB\n", `check.max_total_size in CONFIG: invalid size "1.5.0GB": malformed number`},
		{"percent total size", "check:\n  max_total_size: 20%\n", "a percentage is only allowed for growth"},
		{"malformed growth", "check:\n  max_growth: twenty%\n", `check.max_growth in CONFIG: invalid growth "twenty%"`},
		{"malformed listeners", "check:\n  max_listeners: many\n", `check.max_listeners in CONFIG: invalid listener count "many"`},
		{"unknown suspect kind", "check:\n  fail_on_suspects: [listener]\n", `check.fail_on_suspects in CONFIG: unknown suspect kind "listener"`},
		{"YAML syntax", "check:\n  max_total_size: [\n", "config CONFIG: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := writeConfig(t, tc.config)
			_, stderr, code := check(t, sample, "--config", config)
			want := strings.ReplaceAll(tc.want, "CONFIG", config)
			if code != ExitUsage || !strings.Contains(stderr, want) || !strings.Contains(stderr, config) ||
				!strings.HasPrefix(stderr, "heapsnap: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2, one line naming %s and %q", code, stderr, config, want)
			}
		})
	}
}

// TestCheckMalformedFromEnvironment names the variable a bad value came
// from.
func TestCheckMalformedFromEnvironment(t *testing.T) {
	for _, tc := range []struct{ env, value, want string }{
		{"HEAPSNAP_CHECK_MAX_TOTAL_SIZE", "big", `HEAPSNAP_CHECK_MAX_TOTAL_SIZE: invalid size "big"`},
		{"HEAPSNAP_CHECK_MAX_GROWTH", "-3%", `HEAPSNAP_CHECK_MAX_GROWTH: invalid growth "-3%": must not be negative`},
		{"HEAPSNAP_CHECK_MAX_LISTENERS", "1.5", `HEAPSNAP_CHECK_MAX_LISTENERS: invalid listener count "1.5"`},
		{"HEAPSNAP_CHECK_MAX_SUSPECT_SIZE", "1 parsec", `HEAPSNAP_CHECK_MAX_SUSPECT_SIZE: invalid size "1 parsec"`},
		{"HEAPSNAP_CHECK_CLASSES", "Order", `HEAPSNAP_CHECK_CLASSES: invalid class budget "Order"`},
		{"HEAPSNAP_CHECK_CLASSES", "Order:max_count", `"max_count" is not key=value`},
		{"HEAPSNAP_CHECK_FORMAT", "yaml", `invalid format "yaml"`},
	} {
		cleanEnv(t)
		t.Setenv(tc.env, tc.value)
		_, stderr, code := run(t, nil, "check", sample, "--max-total-size", "1GB")
		if tc.env == "HEAPSNAP_CHECK_MAX_TOTAL_SIZE" {
			// The flag beats the variable: no error.
			if code != ExitOK {
				t.Errorf("--max-total-size should override %s: exit %d %s", tc.env, code, stderr)
			}
			_, stderr, code = run(t, nil, "check", sample)
		}
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s=%s: exit %d, stderr %q; want %q", tc.env, tc.value, code, stderr, tc.want)
		}
	}
}

func TestCheckBaselineWithoutGrowthBudget(t *testing.T) {
	stdout, stderr, code := check(t, growth4, "--baseline", growth1, "--max-total-size", "1GB")
	if code != ExitOK || !strings.Contains(stderr, "warning: ignoring baseline") || strings.Contains(stdout, "Baseline") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	// A growth budget without a baseline is a usage error: a gate that
	// checks nothing must not pass. It names where the budget came from.
	_, stderr, code = check(t, growth4, "--max-growth", "1%", "--max-total-size", "1GB")
	if code != ExitUsage || !strings.HasPrefix(stderr, "heapsnap: --max-growth sets a growth budget, which needs --baseline") {
		t.Errorf("growth without baseline: exit %d, %q", code, stderr)
	}
	config := writeConfig(t, "check:\n  classes:\n    - name: Order\n      max_growth: 5%\n")
	_, stderr, code = check(t, growth4, "--config", config)
	if want := "heapsnap: check.classes in " + config + " sets a growth budget"; code != ExitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("class growth without baseline: exit %d, %q; want %q", code, stderr, want)
	}
	// Unless the config marks the baseline optional: then it is skipped.
	config = writeConfig(t, "check:\n  max_growth: 1%\n  max_total_size: 1GB\n  baseline_optional: true\n")
	rep := checkReport(t, ExitOK, growth4, "--config", config)
	if rep.Results[1].Status != "skip" || rep.Results[1].Note != "no --baseline given" {
		t.Errorf("%+v", rep.Results)
	}
	cleanEnv(t)
	t.Setenv("HEAPSNAP_CHECK_BASELINE_OPTIONAL", "maybe")
	_, stderr, code = run(t, nil, "check", growth4, "--max-growth", "1%")
	if code != ExitUsage || !strings.Contains(stderr, `HEAPSNAP_CHECK_BASELINE_OPTIONAL: invalid value "maybe": want true or false`) {
		t.Errorf("bad baseline_optional: exit %d, %q", code, stderr)
	}
}

func TestCheckDeterministic(t *testing.T) {
	a, _, _ := check(t, growth4, "--baseline", growth1, "--config", budgetsYAML, "--format", "json")
	b, _, _ := check(t, growth4, "--baseline", growth1, "--config", budgetsYAML, "--format", "json")
	if a != b {
		t.Error("two runs differ")
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		stdout, stderr, code := run(t, nil, "completion", shell)
		if code != 0 || !strings.Contains(stdout, "heapsnap") || len(stdout) < 1000 {
			t.Errorf("%s: exit %d, %d bytes, stderr %q", shell, code, len(stdout), stderr)
		}
	}
	if _, stderr, code := run(t, nil, "completion", "tcsh"); code != ExitUsage || !strings.Contains(stderr, `unknown shell "tcsh"`) {
		t.Errorf("tcsh: exit %d %q", code, stderr)
	}
	if _, _, code := run(t, nil, "completion"); code != ExitUsage {
		t.Errorf("no shell: exit %d", code)
	}
	// The completion script calls back into heapsnap for flag values.
	stdout, _, _ := run(t, nil, "__complete", "check", "x.heapsnapshot", "--format", "")
	if !strings.HasPrefix(stdout, "table\njson\nmarkdown\n") {
		t.Errorf("format completion %q", stdout)
	}
}

// TestCheckSuspectBudgets checks max_listeners, fail_on_suspects and
// max_suspect_size against the scenarios' known leaks
// (testdata/scenarios/README.md).
func TestCheckSuspectBudgets(t *testing.T) {
	snap := func(name string) string {
		return testutil.Testdata("scenarios", "snapshots", name+".heapsnapshot.gz")
	}
	type want struct {
		budget, status, subject string
		actual                  float64 // -1: any
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []want
	}{
		{"incident listeners fail", []string{snap("incident-leak"), "--max-listeners", "100", "--fail-on-suspects", "listeners"}, ExitBudget, []want{
			{"max_listeners", "fail", `"data" listeners on EventEmitter at global.processor.emitter`, 2000},
			{"fail_on_suspects", "fail", "listeners suspects", 1},
		}},
		{"incident listeners at the limit pass", []string{snap("incident-leak"), "--max-listeners", "2000"}, ExitOK, []want{
			{"max_listeners", "pass", `"data" listeners on EventEmitter at global.processor.emitter`, 2000},
		}},
		{"fixed incident passes", []string{snap("incident-fixed"), "--max-listeners", "10", "--fail-on-suspects", "listeners"}, ExitOK, []want{
			{"max_listeners", "pass", "", 2},
			{"fail_on_suspects", "pass", "listeners suspects", 0},
		}},
		{"abort signal listeners fail", []string{snap("abort-leak"), "--max-listeners", "100"}, ExitBudget, []want{
			{"max_listeners", "fail", `"abort" listeners on`, 500},
		}},
		{"big map suspects fail", []string{snap("big-map"), "--fail-on-suspects", "collection,detached-dom", "--max-suspect-size", "1MB"}, ExitBudget, []want{
			{"fail_on_suspects", "fail", "collection suspects", 5},
			{"fail_on_suspects", "pass", "detached-dom suspects", 0},
			{"max_suspect_size", "fail", "formatSession", -1},
		}},
		{"big map suspects under a large limit pass", []string{snap("big-map"), "--max-suspect-size", "2MB"}, ExitOK, []want{
			{"max_suspect_size", "pass", "formatSession", -1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkReport(t, tc.code, tc.args...)
			for _, w := range tc.want {
				found := false
				for _, r := range rep.Results {
					if r.Budget != w.budget || !strings.HasPrefix(r.Subject, w.subject) || r.Actual == nil || w.actual >= 0 && *r.Actual != w.actual {
						continue
					}
					found = true
					if r.Status != w.status {
						t.Errorf("%s %s: %s, want %s", r.Budget, r.Subject, r.Status, w.status)
					}
				}
				if !found {
					t.Errorf("no %s result for %q with actual %v in %+v", w.budget, w.subject, w.actual, rep.Results)
				}
			}
		})
	}
}

// TestConfigOtherCommands: every command's flags may be set in the file,
// under the command's name.
func TestConfigOtherCommands(t *testing.T) {
	cleanEnv(t)
	config := writeConfig(t, "analyze:\n  format: json\n  top: 3\n")
	stdout, stderr, code := run(t, nil, "analyze", testutil.Testdata("corner", "corner06.heapsnapshot"), "--config", config)
	if code != 0 || !strings.HasPrefix(stdout, "{") {
		t.Fatalf("analyze.format from the file ignored: exit %d %s %.40q", code, stderr, stdout)
	}
	// Commands without settings do not read it, so a broken file cannot
	// break them.
	broken := writeConfig(t, "bogus: [\n")
	if stdout, stderr, code := run(t, nil, "version", "--config", broken); code != 0 {
		t.Errorf("version read the config: exit %d %s %s", code, stdout, stderr)
	}
}
