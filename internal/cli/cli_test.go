package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// testBuild is every in-process run's build: one build, so that the runs
// share the tests' cache.
var testBuild = BuildInfo{Version: "v0.0.0-test", Commit: "abc1234", Date: "2026-01-01T00:00:00Z"}

// run executes the command line in-process and returns stdout, stderr and
// the exit code.
func run(t *testing.T, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := Main(args, Streams{In: stdin, Out: &out, Err: &errb}, testBuild)
	return out.String(), errb.String(), code
}

// sample is the snapshot the README's quick start analyzes.
var sample = testutil.Testdata("scenarios", "snapshots", "incident-leak.heapsnapshot.gz")

// relSample is how the golden files name it, independent of the checkout.
const relSample = "testdata/scenarios/snapshots/incident-leak.heapsnapshot.gz"

// goldenRun runs args and compares stdout with testdata/golden/NAME.
func goldenRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	stdout, stderr, code := run(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	stdout = strings.ReplaceAll(stdout, sample, relSample)
	// Any other file under the repository, relative to it too.
	stdout = strings.ReplaceAll(stdout, testutil.Root()+string(filepath.Separator), "")
	testutil.Golden(t, testutil.Testdata("golden", name), []byte(stdout))
	return stdout
}

func TestAnalyzeGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"analyze.txt", []string{"analyze", sample}},
		{"analyze.md", []string{"analyze", sample, "--format", "markdown", "--top", "10", "--largest", "5"}},
		{"analyze.json", []string{"analyze", sample, "--format", "json", "--top", "10", "--largest", "5"}},
		{"analyze-shallow.txt", []string{"analyze", sample, "--sort", "shallow", "--top", "8", "--largest", "0"}},
		{"analyze-count.txt", []string{"analyze", sample, "--sort", "count", "--top", "8", "--largest", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, tc.args...) })
	}
}

// TestAnalyzeJSONMatchesDevTools checks every class of `analyze --format
// json --top 0` against the DevTools oracle's Summary.
func TestAnalyzeJSONMatchesDevTools(t *testing.T) {
	for _, base := range testutil.OracleFixtures(t) {
		t.Run(filepath.Base(base), func(t *testing.T) {
			stdout, stderr, code := run(t, nil, "analyze", testutil.SnapshotPath(t, base), "--format", "json", "--top", "0")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				TotalSize uint64 `json:"total_size"`
				Classes   []struct {
					Name         string `json:"name"`
					Key          string `json:"key"`
					Count        int    `json:"count"`
					ShallowSize  uint64 `json:"shallow_size"`
					RetainedSize uint64 `json:"retained_size"`
					Distance     int32  `json:"distance"`
				} `json:"classes"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			want := testutil.ReadOracleSummary(t, base+".summary.json")
			if rep.TotalSize != want.TotalSize {
				t.Errorf("total_size %d, DevTools %d", rep.TotalSize, want.TotalSize)
			}
			if len(rep.Classes) != len(want.Classes) {
				t.Fatalf("%d classes, DevTools %d", len(rep.Classes), len(want.Classes))
			}
			// Both lists are in DevTools' default order: retained size, then name.
			for i, c := range rep.Classes {
				w := want.Classes[i]
				if c.Key != w.ClassKey || c.Name != w.Name || c.Count != w.Count || c.ShallowSize != w.Self ||
					c.RetainedSize != w.MaxRet || c.Distance != w.Distance {
					t.Errorf("row %d: got %+v, DevTools %+v", i, c, w)
				}
			}
		})
	}
}

func TestNodesMatchesOracleColumns(t *testing.T) {
	base := testutil.Testdata("versions", "node20")
	stdout, stderr, code := run(t, nil, "nodes", base+".heapsnapshot.gz")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if lines[0] != "id\tself_size\tretained_size\tdistance\tdominator_id\ttype\tclass\tname" {
		t.Fatalf("header %q", lines[0])
	}
	oracle := testutil.TSV(t, base+".nodes.tsv.gz")
	if len(lines)-1 != len(oracle) {
		t.Fatalf("%d rows, oracle %d", len(lines)-1, len(oracle))
	}
	for i, row := range oracle {
		f := strings.Split(lines[i+1], "\t")
		got := strings.Join(f[:6], " ") + " " + testutil.Unescape(f[6])
		want := strings.Join([]string{row["id"], row["self_size"], row["retained_size"], row["distance"], row["dominator_id"], row["type"], row["class_name"]}, " ")
		if got != want {
			t.Fatalf("row %d: got %q, oracle %q", i, got, want)
		}
	}
}

func TestNodesJSON(t *testing.T) {
	stdout, _, code := run(t, nil, "nodes", testutil.Testdata("corner", "corner06.heapsnapshot"), "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	tsv, _, _ := run(t, nil, "nodes", testutil.Testdata("corner", "corner06.heapsnapshot"))
	if len(rows) != strings.Count(tsv, "\n")-1 {
		t.Fatalf("%d JSON rows vs %d TSV rows", len(rows), strings.Count(tsv, "\n")-1)
	}
	goldenRun(t, "nodes-corner06.json", "nodes", testutil.Testdata("corner", "corner06.heapsnapshot"), "--format", "json")
	goldenRun(t, "nodes-corner06.tsv", "nodes", testutil.Testdata("corner", "corner06.heapsnapshot"))
}

func TestStdinAndGzip(t *testing.T) {
	plain := testutil.Testdata("corner", "corner06.heapsnapshot")
	want, _, _ := run(t, nil, "analyze", plain, "--format", "json")
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	got, stderr, code := run(t, bytes.NewReader(data), "analyze", "-", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Replace(got, `"file": "stdin"`, `"file": "`+plain+`"`, 1) != want {
		t.Error("stdin output differs from file output")
	}
}

func TestDeterministic(t *testing.T) {
	a, _, _ := run(t, nil, "analyze", sample, "--format", "json", "--top", "0")
	b, _, _ := run(t, nil, "analyze", sample, "--format", "json", "--top", "0")
	if a != b {
		t.Error("two runs gave different output")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze"}, "expected one snapshot file"},
		{[]string{"analyze", sample, "--format", "xml"}, `invalid format "xml"`},
		{[]string{"analyze", sample, "--sort", "size"}, `--sort: invalid value "size": use retained, shallow, count`},
		{[]string{"analyze", sample, "--top", "-1"}, "must not be negative"},
		{[]string{"analyze", sample, "--bogus"}, "unknown flag: --bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"nodes", sample, "--format", "table"}, `invalid format "table"`},
	} {
		_, stderr, code := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "heapsnap: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	t.Setenv("HEAPSNAP_ANALYZE_FORMAT", "json")
	stdout, _, code := run(t, nil, "analyze", testutil.Testdata("corner", "corner06.heapsnapshot"))
	if code != 0 || !strings.HasPrefix(stdout, "{") {
		t.Fatalf("HEAPSNAP_ANALYZE_FORMAT=json ignored: %.40q", stdout)
	}
	stdout, _, _ = run(t, nil, "analyze", testutil.Testdata("corner", "corner06.heapsnapshot"), "--format", "markdown")
	if !strings.HasPrefix(stdout, "# ") {
		t.Fatalf("--format should beat HEAPSNAP_ANALYZE_FORMAT: %.40q", stdout)
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := run(t, nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "heapsnap v0.0.0-test\ncommit: abc1234\nbuilt: 2026-01-01T00:00:00Z\n") {
		t.Fatalf("exit %d: %q", code, stdout)
	}
}

// TestReadmeExample keeps the README's sample output true: it runs the
// command the README shows and compares the block that follows it.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testutil.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ heapsnap analyze testdata/scenarios/snapshots/incident-leak.heapsnapshot.gz --top 5 --largest 3\n"
	_, block, ok := strings.Cut(string(readme), prompt)
	if !ok {
		t.Fatal("README has no analyze example")
	}
	want, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("README example block is not closed")
	}
	got, _, code := run(t, nil, "analyze", sample, "--top", "5", "--largest", "3")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got = strings.ReplaceAll(got, sample, relSample)
	if got != want {
		t.Errorf("README example is out of date; the command now prints:\n%s", got)
	}
}

// TestBadSnapshots checks that every command reports unreadable input as
// one line "heapsnap: FILE: byte N: what is wrong" with exit code 3, from a
// file, a gzip stream and standard input.
func TestBadSnapshots(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(testutil.Testdata("corner", "corner06.heapsnapshot"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	cases := []struct {
		name, path, want string
	}{
		{"truncated", write("truncated.heapsnapshot", good[:len(good)/2]), `byte \d+: unexpected end of input in [a-z ]+: the file is truncated \(was the snapshot written completely\? `},
		{"not JSON", write("text.heapsnapshot", []byte("hello\n")), `byte 0: not a heap snapshot: this is not JSON \(it starts with "hello\\n"\); take one with v8.writeHeapSnapshot\(\)`},
		{"broken gzip", write("broken.heapsnapshot.gz", gz.Bytes()[:gz.Len()/2]), `byte \d+: the gzip data ends early: the .gz file is truncated after \d+ compressed bytes \(copy or download it again\)`},
		{"CPU profile", write("app.cpuprofile", []byte(`{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"startTime":1}`)), `byte 2: not a heap snapshot: this is a CPU profile \(.cpuprofile\); take one with `},
		{"heap profile", write("app.heapprofile", []byte(`{"head":{"callFrame":{}},"samples":[]}`)), `byte 2: not a heap snapshot: this is a sampling heap profile \(.heapprofile\); `},
		{"trace", write("Trace.json", []byte(`{"traceEvents":[]}`)), `byte 2: not a heap snapshot: this is a trace `},
		{"HTML", write("download.heapsnapshot", []byte("<!doctype html><title>Sign in</title>")), `byte 0: not a heap snapshot: this is an HTML page `},
		{"V8 log", write("isolate-0x1-v8.log", []byte("v8-version,11,3,244,8,0,0\nshared-library,x\n")), `byte 0: not a heap snapshot: this is a V8 profiler log \(node --prof\), for node --prof-process; `},
		{"empty", write("empty.heapsnapshot", nil), `byte 0: unexpected end of input before any data`},
		{"directory", dir, `is a directory`},
	}
	for _, tc := range cases {
		for _, cmd := range []string{"analyze", "nodes", "top"} {
			_, stderr, code := run(t, nil, cmd, tc.path)
			re := regexp.MustCompile(`^heapsnap: ` + regexp.QuoteMeta(tc.path) + `: ` + tc.want + `[^\n]*\n$`)
			if code != ExitFailure || !re.MatchString(stderr) {
				t.Errorf("%s %s: exit %d, stderr %q", cmd, tc.name, code, stderr)
			}
		}
	}
	_, stderr, code := run(t, bytes.NewReader(good[:100]), "analyze", "-")
	if code != ExitFailure || !strings.HasPrefix(stderr, "heapsnap: stdin: byte 100: unexpected end of input") {
		t.Errorf("stdin: exit %d, stderr %q", code, stderr)
	}
}

// TestTrace checks HEAPSNAP_TRACE's per-stage lines on stderr, stdout left
// as it is, and the reading of /proc/PID/stat behind their CPU columns.
func TestTrace(t *testing.T) {
	t.Setenv("HEAPSNAP_TRACE", "1")
	// Without the cache: a cached analysis has no stages to trace.
	stdout, stderr, code := run(t, nil, "analyze", sample, "--format", "json", "--quiet", "--no-cache")
	if code != 0 || !strings.HasPrefix(stdout, "{") {
		t.Fatalf("exit %d, stdout %.40q", code, stdout)
	}
	for _, stage := range []string{"parse", "distances, edges, shallow sizes, class names", "dominators", "summary", "suspects", "report"} {
		if !strings.Contains(stderr, "trace: "+stage+" ") {
			t.Errorf("no trace line for %q in:\n%s", stage, stderr)
		}
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil && !strings.Contains(stderr, " faults ") {
		t.Errorf("no CPU and fault columns in:\n%s", stderr)
	}

	// A command name with spaces and parentheses, as the kernel writes it.
	line := "4242 (heap snap (x)) R 1 4242 4242 0 -1 4194304 12345 0 0 0 250 37 0 0 20 0 3 0 100 1000 200\n"
	got := parseProcStat([]byte(line))
	if want := (cpuCounters{user: 250, sys: 37, faults: 12345, ok: true}); got != want {
		t.Errorf("parsed %+v, want %+v", got, want)
	}
	if got := parseProcStat([]byte("4242 (cut")); got.ok {
		t.Errorf("a truncated line parsed: %+v", got)
	}
	if before, after := (cpuCounters{user: 100, sys: 10, faults: 5, ok: true}), (cpuCounters{user: 350, sys: 60, faults: 105, ok: true}); before.since(after) != "  user  2.50s  sys  0.50s  faults     100" {
		t.Errorf("since: %q", before.since(after))
	}
}
