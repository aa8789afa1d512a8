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

// TestCIExample runs the CI recipe of docs/ci.md for real: it builds
// heapsnap, then runs testdata/ci-example/ci.sh, which runs the example's
// tests with node (writing a snapshot after the warm-up and one at the
// end) and gates them with heapsnap check and the example's
// .heapsnap.yaml. The leaking service must fail the gate (exit 1) and the
// fixed one pass it.
func TestCIExample(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the end-to-end CI example in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping the end-to-end CI example: node is not on PATH (install Node.js to run it)")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("skipping the end-to-end CI example: no sh on PATH")
	}
	goCmd, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go"))
	if err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("skipping the end-to-end CI example: cannot find the go command to build heapsnap")
		}
	}
	bin := filepath.Join(t.TempDir(), "heapsnap")
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
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "HEAPSNAP_") && k != "GITHUB_ACTIONS" && k != "LEAK" {
			env = append(env, kv)
		}
	}
	script := testutil.Testdata("ci-example", "ci.sh")
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
