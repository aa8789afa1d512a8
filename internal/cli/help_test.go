package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// commands returns every command of the command line but help.
func commands(t *testing.T) []*cobra.Command {
	t.Helper()
	a := &app{streams: Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, v: viper.New()}
	return a.newRootCmd().Commands()
}

// TestCompletionOfFlagValues: every command completes its arguments and
// the values of its flags, not only check.
func TestCompletionOfFlagValues(t *testing.T) {
	for _, cmd := range commands(t) {
		name := cmd.Name()
		if name == "version" || cmd.HasSubCommands() {
			continue
		}
		if cmd.ValidArgsFunction == nil && len(cmd.ValidArgs) == 0 {
			t.Errorf("%s: arguments are not completed", name)
		}
		if cmd.Flags().Lookup("format") != nil {
			stdout, _, code := run(t, nil, "__complete", name, "x", "--format", "")
			for _, f := range formats[name] {
				if code != 0 || !strings.Contains(stdout, string(f)+"\n") {
					t.Errorf("%s --format completes %q, lacks %s", name, stdout, f)
				}
			}
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "a", "b", "--sort", ""}, "retained-delta\n"},
		{[]string{"diff", "a", "b", "--match", ""}, "classes\n"},
		{[]string{"serve", "a", "--match", ""}, "ids\n"},
		{[]string{"analyze", "a", "--sort", ""}, "shallow\n"},
		{[]string{"analyze", "a", "--suspects", ""}, "promises\n"},
		{[]string{"check", "a", "--fail-on-suspects", ""}, "timers\n"},
		{[]string{"top", ""}, "heapsnapshot\ngz\n:8\n"},
		{[]string{"top", "a", "--depth", ""}, ":4\n"}, // a number: no file names
		{[]string{"nodes", "a", "--config", ""}, "yaml\n"},
		{[]string{"nodes", "a", "--max-inflate", ""}, "off\n"},
	} {
		stdout, _, _ := run(t, nil, append([]string{"__complete"}, tc.args...)...)
		if !strings.Contains(stdout, tc.want) {
			t.Errorf("%v: completes %q, want %q", tc.args, stdout, tc.want)
		}
	}
}

// TestHelpTexts: each command's help lists its own exit codes, has one
// Flags section, says where its settings also come from, and wraps at
// the terminal's width.
func TestHelpTexts(t *testing.T) {
	t.Setenv("COLUMNS", "")
	for _, cmd := range commands(t) {
		name := cmd.Name()
		stdout, _, code := run(t, nil, name, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", name, code)
		}
		budget := strings.Contains(stdout, "1  a budget is exceeded")
		if budget != (name == "check") || strings.Contains(stdout, "check: a budget") {
			t.Errorf("%s --help: exit codes are not its own:\n%s", name, stdout)
		}
		if !strings.Contains(stdout, "Exit status:\n  0  ") || !strings.Contains(stdout, "2  usage or configuration error") {
			t.Errorf("%s --help lacks its exit status", name)
		}
		if n := strings.Count(stdout, "Flags:\n"); n != 1+strings.Count(stdout, "Global Flags:\n") {
			t.Errorf("%s --help has %d Flags sections", name, n)
		}
		if _, ok := formats[name]; ok && !strings.Contains(stdout, "HEAPSNAP_"+strings.ToUpper(name)+"_") {
			t.Errorf("%s --help does not say which variables set its flags", name)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if len([]rune(line)) > 80 && !strings.HasPrefix(line, "  ") {
				t.Errorf("%s --help: line of %d columns: %q", name, len([]rune(line)), line)
			}
		}
	}
	// At 50 columns the prose and the flags are wrapped to fit.
	t.Setenv("COLUMNS", "50")
	stdout, _, _ := run(t, nil, "retainers", "--help")
	for _, line := range strings.Split(stdout, "\n") {
		prose := !strings.HasPrefix(line, " ")
		flag := strings.HasPrefix(line, "  -") || strings.HasPrefix(line, "      -")
		if len([]rune(line)) > 50 && (prose || flag) {
			t.Errorf("retainers --help at 50 columns: line of %d: %q", len([]rune(line)), line)
		}
	}
	if strings.Contains(stdout, "Retainers shows why an object is still in memory: the chains of references from\n") {
		t.Errorf("prose not rewrapped at 50 columns:\n%s", stdout)
	}
}

// TestArgumentWording: counts are written as words go.
func TestArgumentWording(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "x"}, "got 1 argument\n"},
		{[]string{"analyze"}, "got no arguments\n"},
		{[]string{"analyze", "a", "b"}, "got 2 arguments\n"},
		{[]string{"diff", "a"}, "diff: expected two or more snapshot files, got 1 argument\n"},
	} {
		_, stderr, code := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestHelpGolden keeps the help as a terminal shows it, at 80 columns and
// at 50 (the prose rewrapped, the flags wrapped), and at 200.
func TestHelpGolden(t *testing.T) {
	for _, tc := range []struct {
		name, columns string
		args          []string
	}{
		{"help-check-80.txt", "80", []string{"check", "--help"}},
		{"help-retainers-50.txt", "50", []string{"retainers", "--help"}},
		{"help-diff-200.txt", "200", []string{"diff", "--help"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("COLUMNS", tc.columns)
			goldenRun(t, tc.name, tc.args...)
		})
	}
}
