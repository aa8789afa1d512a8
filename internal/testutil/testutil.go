// Package testutil holds helpers shared by heapsnap's tests: golden files
// with an -update flag, and readers for the DevTools oracle's goldens
// committed under testdata/.
package testutil

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/heapsnap/heapsnap/internal/synth"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating reports whether the test runs with -update.
func Updating() bool { return *update }

// Root returns the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Testdata returns a path under testdata/.
func Testdata(parts ...string) string {
	return filepath.Join(append([]string{Root(), "testdata"}, parts...)...)
}

// Golden compares got with the golden file at path, or rewrites the file
// when the test runs with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// ReadFile reads a file, decompressing it if it ends in .gz.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TSV reads a TSV file with a header row into maps keyed by column name,
// undoing the oracle's escapes (\t \n \r \\).
func TSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(ReadFile(t, path)), "\n"), "\n")
	header := strings.Split(lines[0], "\t")
	rows := make([]map[string]string, 0, len(lines)-1)
	for _, line := range lines[1:] {
		fields := strings.Split(line, "\t")
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(fields) {
				row[h] = Unescape(fields[i])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Unescape undoes the oracle's TSV escaping.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// OracleSummary is the oracle's --json output.
type OracleSummary struct {
	NodeCount    int    `json:"nodeCount"`
	TotalSize    uint64 `json:"totalSize"`
	SummaryTotal struct {
		Count int    `json:"count"`
		Self  uint64 `json:"self"`
	} `json:"summaryTotal"`
	Statistics struct {
		Total  uint64 `json:"total"`
		Native struct {
			Total       uint64 `json:"total"`
			TypedArrays uint64 `json:"typedArrays"`
		} `json:"native"`
		V8Heap struct {
			Total    uint64 `json:"total"`
			Code     uint64 `json:"code"`
			JSArrays uint64 `json:"jsArrays"`
			Strings  uint64 `json:"strings"`
			System   uint64 `json:"system"`
		} `json:"v8heap"`
	} `json:"statistics"`
	Classes []struct {
		ClassKey string `json:"classKey"`
		Count    int    `json:"count"`
		Distance int32  `json:"distance"`
		Self     uint64 `json:"self"`
		MaxRet   uint64 `json:"maxRet"`
		Name     string `json:"name"`
	} `json:"classes"`
}

// ReadOracleSummary reads an oracle summary.json.
func ReadOracleSummary(t testing.TB, path string) *OracleSummary {
	t.Helper()
	var s OracleSummary
	if err := json.Unmarshal(ReadFile(t, path), &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

// OracleFixtures lists the snapshots under testdata that have per-node
// oracle goldens (NAME.nodes.tsv.gz next to NAME.heapsnapshot[.gz]), as
// paths without the snapshot extension.
func OracleFixtures(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"versions", "corner", filepath.Join("scenarios", "snapshots")} {
		matches, err := filepath.Glob(Testdata(dir, "*.nodes.tsv.gz"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			out = append(out, strings.TrimSuffix(m, ".nodes.tsv.gz"))
		}
	}
	if len(out) == 0 {
		t.Fatal("no oracle fixtures found under testdata")
	}
	return out
}

// SnapshotPath returns the snapshot file for a fixture base path.
func SnapshotPath(t testing.TB, base string) string {
	t.Helper()
	for _, ext := range []string{".heapsnapshot.gz", ".heapsnapshot"} {
		if _, err := os.Stat(base + ext); err == nil {
			return base + ext
		}
	}
	t.Fatalf("no snapshot for %s", base)
	return ""
}

var (
	syntheticMu sync.Mutex
	synthetic   = map[int64][]byte{}
)

// Synthetic returns a deterministic synthetic service-heap snapshot of the
// given node count (internal/synth), generated once per test binary.
func Synthetic(tb testing.TB, nodes int64) []byte {
	tb.Helper()
	syntheticMu.Lock()
	defer syntheticMu.Unlock()
	if data, ok := synthetic[nodes]; ok {
		return data
	}
	var buf bytes.Buffer
	if _, err := synth.Write(&buf, synth.Config{Nodes: nodes, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	synthetic[nodes] = buf.Bytes()
	return buf.Bytes()
}
