package cli

import (
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// ciExampleSetup builds heapsnap and finds node and sh for the CI
// example's scripts, skipping the test when it cannot; env is the
// process's environment without what would change the gate.
func ciExampleSetup(t *testing.T) (bin, node, sh string, env []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the end-to-end CI example in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping the end-to-end CI example: node is not on PATH (install Node.js to run it)")
	}
	if sh, err = exec.LookPath("sh"); err != nil {
		t.Skip("skipping the end-to-end CI example: no sh on PATH")
	}
	goCmd, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go"))
	if err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("skipping the end-to-end CI example: cannot find the go command to build heapsnap")
		}
	}
	bin = filepath.Join(t.TempDir(), "heapsnap")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(goCmd, "build", "-o", bin, "./cmd/heapsnap")
	build.Dir = testutil.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The example's environment, without settings that would change the
	// gate (HEAPSNAP_*) or add annotations (GITHUB_ACTIONS).
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "HEAPSNAP_") && k != "GITHUB_ACTIONS" && k != "LEAK" {
			env = append(env, kv)
		}
	}
	return bin, node, sh, env
}

// TestCIExample runs the CI recipe of docs/ci.md for real: it builds
// heapsnap, then runs testdata/ci-example/ci.sh, which runs the example's
// tests with node (writing a snapshot after the warm-up and one at the
// end) and gates them with heapsnap check and the example's
// .heapsnap.yaml. The leaking service must fail the gate (exit 1) and the
// fixed one pass it.
func TestCIExample(t *testing.T) {
	bin, node, sh, env := ciExampleSetup(t)
	runCIScript(t, testutil.Testdata("ci-example", "ci.sh"), bin, node, sh, env)
}

// TestCISignalRecipe keeps docs/ci.md's --heapsnapshot-signal recipe
// true: its lines are the ones testdata/ci-example/signal.sh runs, and
// the script, run against the example service over HTTP, fails the
// leaking build and passes the fixed one.
func TestCISignalRecipe(t *testing.T) {
	script := testutil.Testdata("ci-example", "signal.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, _ := strings.Cut(string(data), "# --- the recipe of docs/ci.md ---\n")
	recipe, _, ok := strings.Cut(recipe, "# --- end of the recipe ---")
	if !ok || !strings.Contains(recipe, "heapsnap check") {
		t.Fatalf("signal.sh has no marked recipe")
	}
	doc, err := os.ReadFile(filepath.Join(testutil.Root(), "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```sh\n"+recipe+"```") {
		t.Errorf("docs/ci.md does not show the recipe signal.sh runs:\n%s", recipe)
	}
	if runtime.GOOS == "windows" {
		t.Skip("no signals on Windows")
	}
	bin, node, sh, env := ciExampleSetup(t)
	runCIScript(t, script, bin, node, sh, env)
}

// runCIScript runs a CI example script with the leak on and off, and
// checks its exit status, its output and its JUnit report.
func runCIScript(t *testing.T, script, bin, node, sh string, env []string) {
	t.Helper()
	for _, tc := range []struct {
		name string
		leak string
		code int
		want []string // in the output
	}{
		{"leaking", "1", ExitBudget, []string{"FAIL", "max_growth", "class RequestContext", "heapsnap: "}},
		{"fixed", "0", ExitOK, []string{"PASS: all", "class RequestContext"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			cmd := exec.Command(sh, script, out)
			// The cache, which CI leaves off, stays out of the user's.
			cmd.Env = append(slices.Clip(env), "LEAK="+tc.leak, "HEAPSNAP="+bin, "NODE="+node, "HEAPSNAP_CACHE_DIR="+t.TempDir())
			output, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("ci.sh with LEAK=%s: exit %d, want %d\n%s", tc.leak, code, tc.code, output)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(output), w) {
					t.Errorf("output lacks %q:\n%s", w, output)
				}
			}
			data, err := os.ReadFile(filepath.Join(out, "heapsnap-junit.xml"))
			if err != nil {
				t.Fatal(err)
			}
			var junit struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal(data, &junit); err != nil {
				t.Fatal(err)
			}
			if junit.Tests == 0 || (junit.Failures > 0) != (tc.code == ExitBudget) {
				t.Errorf("JUnit: %d tests, %d failures", junit.Tests, junit.Failures)
			}
		})
	}
}
