package devtools_test

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// TestExternalModule builds a program in a module of its own, outside this
// repository, that imports only pkg/... and prints the retained sizes of
// the largest objects of a bundled snapshot; they must be DevTools' (the
// oracle's per-node golden). It proves the engine is usable as a library:
// nothing it needs is internal to the command line.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/heapcheck\n\ngo 1.26\n\nrequire github.com/heapsnap/heapsnap v0.0.0\n\nreplace github.com/heapsnap/heapsnap => "+testutil.Root()+"\n")
	sum, err := os.ReadFile(filepath.Join(testutil.Root(), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	write("main.go", `package main

import (
	"fmt"
	"os"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func main() {
	a, err := devtools.ReadFile(os.Args[1], devtools.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, i := range a.Largest(8) {
		n := a.Node(i)
		fmt.Printf("%d\t%d\n", n.ID, n.RetainedSize)
	}
}
`)
	base := testutil.Testdata("scenarios", "snapshots", "incident-leak")
	cmd := exec.Command(goBin, "run", ".", base+".heapsnapshot.gz")
	cmd.Dir = dir
	// Offline: every module the program needs is in the cache this test
	// binary was built from.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}

	type node struct {
		id       int
		retained uint64
	}
	var nodes []node
	for _, row := range testutil.TSV(t, base+".nodes.tsv.gz") {
		if row["type"] == "synthetic" {
			continue
		}
		id, _ := strconv.Atoi(row["id"])
		size, _ := strconv.ParseUint(row["retained_size"], 10, 64)
		nodes = append(nodes, node{id, size})
	}
	slices.SortFunc(nodes, func(a, b node) int {
		if c := cmp.Compare(b.retained, a.retained); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	var want strings.Builder
	for _, n := range nodes[:8] {
		want.WriteString(strconv.Itoa(n.id) + "\t" + strconv.FormatUint(n.retained, 10) + "\n")
	}
	if string(out) != want.String() {
		t.Errorf("the external program printed\n%s\nDevTools' largest objects are\n%s", out, want.String())
	}
}
