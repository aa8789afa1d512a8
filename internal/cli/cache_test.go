package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/serve"
	"github.com/heapsnap/heapsnap/internal/testutil"
)

// cacheCommands are the commands that read a snapshot, each with the
// snapshots it reads; FILE stands for the copy under test.
var cacheCommands = [][]string{
	{"analyze", "FILE"},
	{"analyze", "FILE", "--format", "json", "--top", "10", "--largest", "5"},
	{"analyze", "FILE", "--format", "html"},
	{"show", "FILE", "@FIRST"},
	{"retainers", "FILE", "--class", "Array", "--objects", "2"},
	{"top", "FILE", "--depth", "3"},
	{"nodes", "FILE"},
	{"check", "FILE", "--max-total-size", "1MB", "--format", "json"},
	{"diff", "BASE", "FILE"},
	{"allocations", "FILE"},
}

// cacheFixture copies a snapshot into dir, so that a test may touch it.
func cacheFixture(t *testing.T, dir, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// expand fills in a command's placeholders.
func expand(args []string, file, base, first string) []string {
	out := make([]string, len(args))
	for k, a := range args {
		switch a {
		case "FILE":
			a = file
		case "BASE":
			a = base
		case "@FIRST":
			a = first
		}
		out[k] = a
	}
	return out
}

// cacheRun runs args with the cache in dir (on, whatever $CI says) and
// returns stdout and stderr; a non-zero exit code other than a failed
// budget fails the test.
func cacheRun(t *testing.T, dir string, args ...string) (string, string) {
	t.Helper()
	t.Setenv("HEAPSNAP_CACHE_DIR", dir)
	t.Setenv("HEAPSNAP_CACHE", "on")
	stdout, stderr, code := run(t, nil, append([]string{"-q"}, args...)...)
	if code != 0 && code != ExitBudget {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout, stderr
}

// Every command prints the same bytes from the cache as without it: when
// it writes the cache, when it reads it, and after each cache file was
// corrupted, truncated, made stale or written by another build, where
// it says so once on stderr.
func TestCacheSameOutput(t *testing.T) {
	tmp := t.TempDir()
	file := cacheFixture(t, tmp, testutil.Testdata("alloc", "snapshots", "node22.heapsnapshot.gz"))
	base := cacheFixture(t, tmp, testutil.Testdata("alloc", "snapshots", "node20.heapsnapshot.gz"))
	first := "@1"
	for _, args := range cacheCommands {
		args := expand(args, file, base, first)
		t.Run(strings.Join(args[:1], " ")+" "+strings.Join(args[2:], " "), func(t *testing.T) {
			dir := t.TempDir()
			want, wantErr := cacheRun(t, dir, append(args, "--no-cache")...)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("--no-cache wrote %d cache files", len(entries))
			}
			same := func(when string, warned bool) {
				t.Helper()
				got, gotErr := cacheRun(t, dir, args...)
				if got != want {
					t.Fatalf("%s: stdout differs from --no-cache:\n%s", when, lineDiffShort(want, got))
				}
				var rest, notes []string
				for _, line := range strings.SplitAfter(gotErr, "\n") {
					if strings.HasPrefix(line, "heapsnap: cache: ") {
						notes = append(notes, line)
					} else {
						rest = append(rest, line)
					}
				}
				if strings.Join(rest, "") != wantErr || len(notes) != map[bool]int{false: 0, true: 1}[warned] {
					t.Fatalf("%s: stderr %q, want %q and %v cache notes", when, gotErr, wantErr, warned)
				}
			}
			same("writing the cache", false)
			files := cacheFiles(t, dir)
			if len(files) == 0 {
				t.Fatal("no cache file written")
			}
			same("reading the cache", false)
			for _, f := range files {
				// The last byte is the table of contents'; a page in,
				// the first array of a file that has arrays.
				damage(t, f, func(b []byte) []byte { b[len(b)-1] ^= 0x40; return b })
				same("after corrupting the end of "+filepath.Base(f), true)
				same("after rebuilding "+filepath.Base(f), false)
				if st, err := os.Stat(f); err == nil && st.Size() > 3*4096 {
					damage(t, f, func(b []byte) []byte { b[4096] ^= 0x01; return b })
					same("after corrupting an array of "+filepath.Base(f), true)
					same("after rebuilding "+filepath.Base(f), false)
				}
				damage(t, f, func(b []byte) []byte { return b[:len(b)*2/3] })
				same("after truncating "+filepath.Base(f), true)
				same("after rebuilding "+filepath.Base(f), false)
			}
			// Touching the snapshot makes every file of its entry stale.
			later := time.Now().Add(time.Duration(len(args)) * time.Second)
			if err := os.Chtimes(file, later, later); err != nil {
				t.Fatal(err)
			}
			same("after touching the snapshot", true)
			same("after rebuilding", false)
		})
	}
}

// cacheFiles lists the cache files in dir.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.hsc"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// damage rewrites a file with f applied to its bytes.
func damage(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

func lineDiffShort(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for k := range min(len(w), len(g)) {
		if w[k] != g[k] {
			return "line " + strconv.Itoa(k+1) + ":\n want " + w[k] + "\n  got " + g[k]
		}
	}
	return "lengths differ"
}

// Suspects read from the cache keep their source-mapped locations, and
// are found again when a source map they came from changes.
func TestCacheSuspectsFollowSourceMaps(t *testing.T) {
	tmp := t.TempDir()
	file := cacheFixture(t, tmp, testutil.Testdata("sourcemaps", "snapshots", "container.heapsnapshot.gz"))
	maps := filepath.Join(tmp, "dist")
	if err := os.CopyFS(maps, os.DirFS(testutil.Testdata("sourcemaps", "dist"))); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"analyze", file, "--format", "json", "--source-maps", maps}
	want, _ := cacheRun(t, dir, append(args, "--no-cache")...)
	if !strings.Contains(want, ".ts") {
		t.Fatal("the fixture's suspects have no source-mapped location")
	}
	for range 2 {
		if got, _ := cacheRun(t, dir, args...); got != want {
			t.Fatalf("suspects from the cache differ:\n%s", lineDiffShort(want, got))
		}
	}
	// Without the maps, the suspects are the compiled ones, not the
	// cached ones.
	compiled, _ := cacheRun(t, dir, append(args[:4], "--no-source-maps", "--no-cache")...)
	if got, _ := cacheRun(t, dir, append(args[:4], "--no-source-maps")...); got != compiled || got == want {
		t.Fatal("--no-source-maps read the source-mapped suspects from the cache")
	}
	// Emptying the maps' directory changes what the suspects depend on.
	if err := os.RemoveAll(maps); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(maps, 0o755); err != nil {
		t.Fatal(err)
	}
	nomaps, _ := cacheRun(t, dir, append(args, "--no-cache")...)
	if got, _ := cacheRun(t, dir, args...); got != nomaps {
		t.Fatalf("suspects cached with the source maps were used without them:\n%s", lineDiffShort(nomaps, got))
	}
}

// A cache directory that cannot be made, or a disk too small for a
// file, only means no cache: the same output, nothing on stderr.
func TestCacheUnwritable(t *testing.T) {
	tmp := t.TempDir()
	blocker := filepath.Join(tmp, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	want, _ := cacheRun(t, tmp, "analyze", sample, "--no-cache")
	if got, stderr := cacheRun(t, filepath.Join(blocker, "cache"), "analyze", sample); got != want || stderr != "" {
		t.Fatalf("stdout differs or stderr %q", stderr)
	}
	// A size cap below one file's size writes nothing.
	dir := filepath.Join(tmp, "small")
	t.Setenv("HEAPSNAP_CACHE_MAX_SIZE", "100kB")
	if got, _ := cacheRun(t, dir, "analyze", sample); got != want {
		t.Fatal("stdout differs")
	}
	var total int64
	for _, f := range cacheFiles(t, dir) {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
		if strings.Contains(f, ".analysis.") {
			t.Fatalf("wrote %s past the size cap", f)
		}
	}
	if total > 100e3 {
		t.Fatalf("%d bytes of cache, past the size cap", total)
	}
}

// The cache is off when $CI is set unless asked for, and with --no-cache
// or cache: off; a bad setting is a usage error.
func TestCacheSettings(t *testing.T) {
	for _, tc := range []struct {
		env   map[string]string
		args  []string
		wrote bool
	}{
		{env: map[string]string{"CI": "true"}},
		{env: map[string]string{"CI": "true", "HEAPSNAP_CACHE": "on"}, wrote: true},
		{env: map[string]string{"CI": ""}, wrote: true},
		{env: map[string]string{"CI": "", "HEAPSNAP_CACHE": "off"}},
		{env: map[string]string{"CI": ""}, args: []string{"--no-cache"}},
	} {
		dir := t.TempDir()
		t.Setenv("HEAPSNAP_CACHE_DIR", dir)
		t.Setenv("HEAPSNAP_CACHE", "")
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		if _, stderr, code := run(t, nil, append([]string{"analyze", sample}, tc.args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc, code, stderr)
		}
		if wrote := len(cacheFiles(t, dir)) > 0; wrote != tc.wrote {
			t.Errorf("%v %v: wrote the cache: %v, want %v", tc.env, tc.args, wrote, tc.wrote)
		}
	}
	t.Setenv("HEAPSNAP_CACHE", "sometimes")
	if _, stderr, code := run(t, nil, "analyze", sample); code != ExitUsage || !strings.Contains(stderr, "HEAPSNAP_CACHE: invalid value") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	t.Setenv("HEAPSNAP_CACHE", "on")
	t.Setenv("HEAPSNAP_CACHE_MAX_SIZE", "lots")
	if _, stderr, code := run(t, nil, "analyze", sample); code != ExitUsage || !strings.Contains(stderr, "HEAPSNAP_CACHE_MAX_SIZE") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// `cache list` lists each cached snapshot with its size, when it was last
// used and whether it is stale; `cache clean` removes them.
func TestCacheListClean(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "cache")
	a := cacheFixture(t, tmp, sample)
	b := cacheFixture(t, tmp, growth1)
	cacheRun(t, dir, "analyze", a)
	cacheRun(t, dir, "top", b)
	// Fixed times, so that the listing is the same on every run; b's
	// snapshot changes after it was cached.
	for _, f := range cacheFiles(t, dir) {
		when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if strings.Contains(f, stemOf(t, dir, a)) {
			when = when.Add(time.Hour)
		}
		if err := os.Chtimes(f, when, when); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(b, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	clean := func(s string) []byte {
		s = strings.ReplaceAll(s, tmp, "TMP")
		return []byte(s)
	}
	list, _ := cacheRun(t, dir, "cache", "list")
	testutil.Golden(t, testutil.Testdata("golden", "cache-list.txt"), clean(list))
	out, _ := cacheRun(t, dir, "cache", "clean")
	testutil.Golden(t, testutil.Testdata("golden", "cache-clean.txt"), clean(out))
	if files := cacheFiles(t, dir); len(files) != 0 {
		t.Fatalf("clean left %v", files)
	}
	list, _ = cacheRun(t, dir, "cache", "list")
	if want := "cache TMP/cache\n0 snapshots in 0 B, at most 8.6 GB\n"; string(clean(list)) != want {
		t.Fatalf("after clean: %q, want %q", clean(list), want)
	}
}

// stemOf returns the name prefix of snapshot path's cache files in dir.
func stemOf(t *testing.T, dir, path string) string {
	t.Helper()
	for _, f := range cacheFiles(t, dir) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(path)) {
			return strings.SplitN(filepath.Base(f), ".", 2)[0]
		}
	}
	t.Fatalf("no cache file for %s", path)
	return ""
}

// Serve's indexes read from the cache are the ones it builds.
func TestCacheServeIndexes(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HEAPSNAP_CACHE_DIR", dir)
	t.Setenv("HEAPSNAP_CACHE", "on")
	var built, cached serve.Options
	for _, o := range []*serve.Options{&built, &cached} {
		a := &app{streams: Streams{Err: os.Stderr}, build: BuildInfo{Version: "test"}, v: viper.New()}
		a.newRootCmd() // binds the settings
		r, err := a.load(sample)
		if err != nil {
			t.Fatal(err)
		}
		a.serveIndexes(r, o)
		a.cache.c.Wait()
		if o == &cached {
			first, slots := o.Retainers.Columns()
			bf, bs := built.Retainers.Columns()
			tf, tc, ts := o.Tree.Columns()
			btf, btc, bts := built.Tree.Columns()
			mf, mn := o.Members.Columns()
			bmf, bmn := built.Members.Columns()
			if !reflect.DeepEqual([][]uint32{first, slots, tf, tc, mf, mn}, [][]uint32{bf, bs, btf, btc, bmf, bmn}) || !reflect.DeepEqual(ts, bts) {
				t.Fatal("cached indexes differ from the built ones")
			}
		}
		defer a.closeCache()
	}
	if len(cacheFiles(t, dir)) < 4 {
		t.Fatalf("cache files %v, want the analysis, retainers, tree and members", cacheFiles(t, dir))
	}
}
