package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// exampleBlock is a documented run: a ```text block whose first line is
// "$ heapsnap ARGS…", then what the command prints.
var exampleBlock = regexp.MustCompile("(?s)```text\n\\$ heapsnap ([^\n]*)\n(.*?)```")

// TestDocExamples keeps the documentation's example outputs true: it runs
// every "$ heapsnap …" block of the pages below, from the repository root,
// and compares what follows (go test -update rewrites them).
func TestDocExamples(t *testing.T) {
	for _, page := range []string{"README.md", "docs/retainers.md", "docs/suspects.md"} {
		path := filepath.Join(testutil.Root(), page)
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		out := exampleBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
			m := exampleBlock.FindStringSubmatch(block)
			n++
			var args []string
			for _, a := range strings.Fields(m[1]) {
				if strings.HasPrefix(a, "testdata/") {
					a = filepath.Join(testutil.Root(), a)
				}
				args = append(args, a)
			}
			got, stderr, code := run(t, nil, args...)
			if code != 0 {
				t.Errorf("%s: heapsnap %s: exit %d: %s", page, m[1], code, stderr)
				return block
			}
			got = strings.ReplaceAll(got, testutil.Root()+string(filepath.Separator), "")
			if got != m[2] && !testutil.Updating() {
				t.Errorf("%s: the example of heapsnap %s is out of date; it now prints:\n%s", page, m[1], got)
			}
			return "```text\n$ heapsnap " + m[1] + "\n" + got + "```"
		})
		if n == 0 {
			t.Errorf("%s has no examples", page)
		}
		if testutil.Updating() {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
