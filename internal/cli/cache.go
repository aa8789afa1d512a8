package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/cache"
	"github.com/heapsnap/heapsnap/internal/par"
	"github.com/heapsnap/heapsnap/internal/serve"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// The cache is a setting of every command that reads a snapshot: root
// flag --no-cache, and the keys cache (on or off: HEAPSNAP_CACHE),
// cache_dir (HEAPSNAP_CACHE_DIR) and cache_max_size
// (HEAPSNAP_CACHE_MAX_SIZE), which a config file may set too.
func (a *app) addCacheFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.Bool("no-cache", false, "neither read nor write the cache of analyzed snapshots (see 'heapsnap cache')")
	a.bindFlag("no_cache", f.Lookup("no-cache"))
	for _, k := range []struct{ key, def, doc string }{
		{"cache", "`on` (`off` when `$CI` is set)", "`on` or `off`: keep what analyzing a snapshot found, so that the next command on it starts at once"},
		{"cache_dir", "`heapsnap` in the user's cache directory", "where the cache lives"},
		{"cache_max_size", "`" + units.Bytes(uint64(cache.DefaultMaxSize)) + "`", "the cache's size; the least recently used entries go first"},
	} {
		env := envName(k.key)
		if err := a.v.BindEnv(k.key, env); err != nil {
			panic(err)
		}
		a.config.bind(k.key, nil, env)
		a.config.describe(k.key, k.def, k.doc)
	}
}

// cacheState is the run's cache: the directory, and each loaded
// analysis' entry, through which its indexes are read and written.
type cacheState struct {
	c       *cache.Cache
	entries map[*devtools.Analysis]*cache.Entry
	// read are the files source-map resolvers read, which cached
	// suspects depend on; problems are the source-map problems cached
	// suspects met, reported as the resolvers' own (warnSourceMaps).
	mu       sync.Mutex
	read     map[string]cache.FileState
	problems []sources.Problem
}

// openCache reads the cache settings: off with --no-cache or cache: off,
// and by default when $CI is set (a CI job analyzes a snapshot once).
func (a *app) openCache() (*cache.Cache, error) {
	if a.cache.c != nil {
		return a.cache.c, nil
	}
	dir, size, on, err := a.cacheSettings()
	if err != nil || !on {
		return nil, err
	}
	a.cache.c = &cache.Cache{Dir: dir, MaxSize: size, Build: a.cacheBuild(), Warn: a.streams.Err}
	return a.cache.c, nil
}

// cacheSettings returns the directory, the size cap and whether the
// cache is on.
func (a *app) cacheSettings() (dir string, maxSize int64, on bool, err error) {
	on = os.Getenv("CI") == ""
	switch v := strings.ToLower(a.setting("cache")); v {
	case "":
	case "on", "true", "1", "yes":
		on = true
	case "off", "false", "0", "no":
		on = false
	default:
		return "", 0, false, usagef("%s: invalid value %q: want on or off", a.origin("cache"), v)
	}
	if a.v.GetBool("no_cache") {
		on = false
	}
	maxSize = cache.DefaultMaxSize
	if v := a.setting("cache_max_size"); v != "" {
		amount, err := budget.ParseSize(v)
		if err != nil {
			return "", 0, false, usagef("%s: %v", a.origin("cache_max_size"), err)
		}
		maxSize = int64(min(amount.Bytes, 1<<62))
	}
	dir = a.setting("cache_dir")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", 0, false, nil // no home: no cache
		}
		dir = filepath.Join(base, "heapsnap")
	}
	return dir, maxSize, on, nil
}

// cacheBuild identifies this binary: its version and commit, and the
// executable's size and time, since development builds share both.
func (a *app) cacheBuild() string {
	b := a.buildInfo()
	id := b.Version + " " + b.Commit
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf(" %d %d", st.Size(), st.ModTime().UnixNano())
		}
	}
	return id
}

// cacheEntry returns the cache entry of the snapshot at path, nil when
// the cache is off or the input is not a regular file (stdin).
func (a *app) cacheEntry(path string) *cache.Entry {
	if path == "-" {
		return nil
	}
	c, err := a.openCache()
	if err != nil || c == nil {
		return nil
	}
	e, err := c.Entry(path)
	if err != nil {
		return nil
	}
	return e
}

// remember records which entry an analysis came from or went to.
func (a *app) remember(r *devtools.Analysis, e *cache.Entry) {
	if a.cache.entries == nil {
		a.cache.entries = map[*devtools.Analysis]*cache.Entry{}
	}
	a.cache.entries[r] = e
}

// retainerIndex returns r's retainer index, from the cache when it has it.
func (a *app) retainerIndex(r *devtools.Analysis) *devtools.RetainerIndex {
	e := a.cache.entries[r]
	if e != nil {
		if x := e.LoadRetainers(r); x != nil {
			return x
		}
	}
	x := devtools.NewRetainerIndex(r)
	if e != nil {
		e.SaveRetainers(x)
	}
	return x
}

// dominatorTree returns r's dominator tree, from the cache when it has it.
func (a *app) dominatorTree(r *devtools.Analysis) *devtools.DominatorTree {
	return a.dominatorTreeSorted(r, nil)
}

// dominatorTreeSorted is dominatorTree, with the lists sort sorts sorted
// before a new tree is cached.
func (a *app) dominatorTreeSorted(r *devtools.Analysis, sort func(*devtools.DominatorTree, *devtools.Analysis)) *devtools.DominatorTree {
	e := a.cache.entries[r]
	if e != nil {
		if t := e.LoadTree(r); t != nil {
			return t
		}
	}
	t := devtools.NewDominatorTree(r)
	if sort != nil {
		sort(t, r)
	}
	if e != nil {
		e.SaveTree(t)
	}
	return t
}

// members returns each class's members, from the cache when it has them.
func (a *app) members(r *devtools.Analysis) *views.Members {
	e := a.cache.entries[r]
	if e != nil {
		if m := e.LoadMembers(r); m != nil {
			return m
		}
	}
	m := views.NewMembers(r)
	if e != nil {
		e.SaveMembers(m)
	}
	return m
}

// serveIndexes fills in the indexes serve reads, from the cache or built
// side by side (and cached).
func (a *app) serveIndexes(r *devtools.Analysis, o *serve.Options) {
	par.Do(func() { o.Retainers = a.retainerIndex(r) }, func() {
		o.Tree = a.dominatorTreeSorted(r, serve.SortLongChildLists)
		o.Members = a.members(r)
	})
}

// readSourceFile is the resolvers' ReadFile: it notes each file's state
// before reading it.
func (a *app) readSourceFile(name string) ([]byte, error) {
	st := cache.StateOf(name)
	a.cache.mu.Lock()
	if a.cache.read == nil {
		a.cache.read = map[string]cache.FileState{}
	}
	a.cache.read[name] = st
	a.cache.mu.Unlock()
	return os.ReadFile(name)
}

// suspects finds r's suspects with o, or reads them from the cache when
// they were found with the same settings, source-map settings included,
// and the files the source maps came from are unchanged.
func (a *app) suspects(r *devtools.Analysis, o suspects.Options) []suspects.Suspect {
	e := a.cache.entries[r]
	if e == nil {
		return suspects.Find(r, o)
	}
	settings := o
	settings.Names = nil
	key := fmt.Sprintf("%#v dirs=%q no_maps=%v", settings, a.sourceMapDirs, a.noSourceMaps())
	dirs := cache.TreeState(a.sourceMapDirs)
	if found, problems, ok := e.LoadSuspects(key, dirs); ok {
		a.cache.mu.Lock()
		a.cache.problems = append(a.cache.problems, problems...)
		a.cache.mu.Unlock()
		return found
	}
	found := suspects.Find(r, o)
	var problems []sources.Problem
	for _, res := range a.resolvers {
		problems = append(problems, res.Problems()...)
	}
	a.cache.mu.Lock()
	files := slices.SortedFunc(maps.Values(a.cache.read), func(x, y cache.FileState) int { return strings.Compare(x.Path, y.Path) })
	a.cache.mu.Unlock()
	e.SaveSuspects(key, dirs, files, problems, found)
	return found
}

// closeCache waits for the cache files being written and unmaps those
// read, at the end of the run.
func (a *app) closeCache() {
	if a.cache.c != nil {
		a.cache.c.Close()
	}
}

func (a *app) newCacheCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List or clean the cache of analyzed snapshots",
		Long: `Every command that reads a snapshot keeps what it computed (the analysis,
the retainer index, the dominator tree, the suspects) in a cache, so that the
next command on the same file starts in well under a second. An entry is used
only for the same path, size and modification time and the same header and
sampled bytes; each file carries a version stamp and checksums, and one that
is stale or damaged is ignored, said on stderr, and rebuilt. The cache never
changes an answer.

Settings:
  --no-cache, HEAPSNAP_CACHE=off, cache: off  neither read nor write it
  HEAPSNAP_CACHE=on, cache: on                use it even when $CI is set
  HEAPSNAP_CACHE_DIR, cache_dir               where (default: the user cache
                                              directory's heapsnap/)
  HEAPSNAP_CACHE_MAX_SIZE, cache_max_size     the files' total size (default
                                              8GiB); the entries used least
                                              recently are removed first

The cache is off by default when $CI is set. A directory that cannot be
written, or a full disk, only means no cache.
` + exitStatusHelp,
		Args: exactArgs(0, "a subcommand: list or clean"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return &usageError{err: fmt.Errorf("cache: expected a subcommand: list or clean"), cmd: cmd}
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the cached snapshots, the most recently used first",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(*cobra.Command, []string) error { return a.cacheList() },
	}, &cobra.Command{
		Use:   "clean",
		Short: "Remove every cache file",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(*cobra.Command, []string) error { return a.cacheClean() },
	})
	return cmd
}

// cacheDir is the cache directory the settings name, on or off.
func (a *app) cacheDir() (*cache.Cache, error) {
	dir, size, _, err := a.cacheSettings()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, fmt.Errorf("cache: no user cache directory; set HEAPSNAP_CACHE_DIR")
	}
	return &cache.Cache{Dir: dir, MaxSize: size, Build: a.cacheBuild()}, nil
}

func (a *app) cacheList() error {
	c, err := a.cacheDir()
	if err != nil {
		return err
	}
	entries, err := c.List()
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	w := a.streams.Out
	fmt.Fprintf(w, "cache %s\n", c.Dir)
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	fmt.Fprintf(w, "%s in %s, at most %s\n", units.Plural(len(entries), "snapshot", "snapshots"),
		units.Bytes(uint64(total)), units.Bytes(uint64(c.MaxSize)))
	for _, e := range entries {
		name, state := e.Snapshot, ""
		switch {
		case name == "":
			name, state = "(unreadable)", "  stale"
		case e.Stale:
			state = "  stale"
		}
		fmt.Fprintf(w, "  %s  %9s  %s%s\n", e.LastUsed.UTC().Format(time.DateTime), units.Bytes(uint64(e.Size)), name, state)
	}
	return nil
}

func (a *app) cacheClean() error {
	c, err := a.cacheDir()
	if err != nil {
		return err
	}
	freed, err := c.Clean()
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	fmt.Fprintf(a.streams.Out, "removed %s from %s\n", units.Bytes(uint64(freed)), c.Dir)
	return nil
}
