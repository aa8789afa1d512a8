// Package cache keeps what heapsnap computes from a snapshot (the
// analysis' columns, the retainer index, the dominator tree, each class's
// members, the suspects) in memory-mapped files, so that a later command
// on the same file opens it in well under a second and with little
// memory of its own.
//
// An entry belongs to one snapshot path and is keyed by the file's size,
// modification time and a hash of its header and of a sample of its
// bytes; each file of an entry carries a version stamp and a hash of
// every section. A file that is stale, truncated or corrupted is dropped
// (with one line on the Warn writer) and rebuilt; a directory that cannot
// be written, or a full disk, only means no cache. Nothing read from the
// cache differs from what the analysis computes: files hold the arrays
// the analysis made, byte for byte.
//
// Files are written from the arrays already in memory, in the
// background (Wait waits for them), and the directory is capped in size:
// the entries used least recently go first.
package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
)

// DefaultMaxSize is the directory's default cap, a few snapshots of a
// couple of GB.
const DefaultMaxSize = 8 << 30

// Cache is a cache directory.
type Cache struct {
	// Dir holds the files; it is made when first written to.
	Dir string
	// MaxSize caps the files' total size, in bytes.
	MaxSize int64
	// Build identifies the binary (version and commit): a file written by
	// another build is not used.
	Build string
	// Warn receives the line saying a file was dropped.
	Warn io.Writer

	mu      sync.Mutex
	mapped  []*mapped
	pending sync.WaitGroup
	wrote   bool
}

// minFree is the room a file must leave on its disk.
const minFree = 1 << 30

// ext ends every cache file's name.
const ext = ".hsc"

// Key identifies one version of a snapshot file.
type Key struct {
	Path    string // absolute
	Size    int64
	ModTime int64 // nanoseconds since 1970
	// Sample is the xxhash of the file's first bytes (its header) and of
	// blocks spread over the rest.
	Sample uint64
}

// sample* say which bytes Sample hashes: the header, and sampleBlocks
// blocks spread evenly over the file, the last one at its end.
const (
	sampleHead   = 64 << 10
	sampleBlocks = 32
	sampleBlock  = 4 << 10
)

// KeyOf reads the key of the snapshot at path.
func KeyOf(path string) (Key, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Key{}, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return Key{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Key{}, err
	}
	if !st.Mode().IsRegular() {
		return Key{}, errors.New("not a regular file")
	}
	h := xxhash.New()
	buf := make([]byte, sampleHead)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return Key{}, err
	}
	h.Write(buf[:n])
	if size := st.Size(); size > sampleHead {
		for k := int64(1); k <= sampleBlocks; k++ {
			off := sampleHead + (size-sampleHead-sampleBlock)*k/sampleBlocks
			n, err := f.ReadAt(buf[:sampleBlock], max(sampleHead, off))
			if err != nil && err != io.EOF {
				return Key{}, err
			}
			h.Write(buf[:n])
		}
	}
	return Key{Path: abs, Size: st.Size(), ModTime: st.ModTime().UnixNano(), Sample: h.Sum64()}, nil
}

// Entry is the cache of one snapshot path.
type Entry struct {
	c    *Cache
	key  Key
	stem string // the entry's files are stem.KIND.hsc
	// name is the snapshot as the user wrote it, for messages.
	name   string
	warned bool
}

// Entry returns the cache entry of the snapshot at path, keyed by its
// current state; an error means the file cannot be keyed (it is not a
// regular file) and gets no cache.
func (c *Cache) Entry(path string) (*Entry, error) {
	key, err := KeyOf(path)
	if err != nil {
		return nil, err
	}
	stem := fmt.Sprintf("%016x", xxhash.Sum64String(key.Path))
	return &Entry{c: c, key: key, stem: stem, name: path}, nil
}

func (e *Entry) file(kind string) string { return filepath.Join(e.c.Dir, e.stem+"."+kind+ext) }

// open maps the entry's file of kind. A missing file is a miss; a stale
// or damaged one is removed, with the entry's other files when the
// snapshot changed, and said once.
func (e *Entry) open(kind string) *mapped {
	m, err := openFile(e.file(kind), e.c.Build, kind, e.key)
	switch {
	case err == nil:
		e.c.mu.Lock()
		e.c.mapped = append(e.c.mapped, m)
		e.c.mu.Unlock()
		// The modification time is when the entry was last used: the
		// size cap drops the oldest.
		now := time.Now()
		_ = os.Chtimes(e.file(kind), now, now)
		return m
	case errors.As(err, new(*fs.PathError)):
		return nil // no file, or none that can be read: a miss
	case errors.Is(err, errStale):
		e.warn("the snapshot changed since it was cached")
		e.removeAll()
	case errors.Is(err, errOtherBuild):
		e.warn("the cache was " + err.Error())
		e.removeAll()
	case errors.Is(err, errCorrupt):
		e.warn(fmt.Sprintf("cache file %s is %v", filepath.Base(e.file(kind)), err))
		os.Remove(e.file(kind))
	default:
		e.warn(fmt.Sprintf("cache file %s: %v", filepath.Base(e.file(kind)), err))
	}
	return nil
}

func (e *Entry) warn(msg string) {
	if e.warned || e.c.Warn == nil {
		return
	}
	e.warned = true
	fmt.Fprintf(e.c.Warn, "heapsnap: cache: %s: %s; computing it again\n", e.name, msg)
}

// removeAll removes every file of the entry.
func (e *Entry) removeAll() {
	files, _ := filepath.Glob(filepath.Join(e.c.Dir, e.stem+".*"+ext))
	for _, f := range files {
		os.Remove(f)
	}
}

// save writes the entry's file of kind in the background. The sections
// must not change until Wait returns. Failing to write (an unwritable
// directory, a full disk) leaves no file and says nothing: it only means
// no cache.
func (e *Entry) save(kind string, meta any, sections []Section) {
	var size int64
	for _, s := range sections {
		size += int64(len(s.Data)) + align
	}
	if size > e.c.MaxSize {
		return
	}
	e.c.pending.Add(1)
	go func() {
		defer e.c.pending.Done()
		if os.MkdirAll(e.c.Dir, 0o700) != nil {
			return
		}
		// A cache must not be what fills the disk for everything else.
		if free, ok := freeSpace(e.c.Dir); ok && free < size+minFree {
			return
		}
		if writeFile(e.file(kind), e.c.Build, kind, e.key, meta, sections) == nil {
			e.c.mu.Lock()
			e.c.wrote = true
			e.c.mu.Unlock()
		}
	}()
}

// Wait waits for the files being written, then trims the directory to
// MaxSize.
func (c *Cache) Wait() {
	c.pending.Wait()
	c.mu.Lock()
	wrote := c.wrote
	c.wrote = false
	c.mu.Unlock()
	if wrote {
		c.trim()
	}
}

// Close waits for the files being written and unmaps the files read: no
// array read from the cache may be used afterwards.
func (c *Cache) Close() {
	c.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.mapped {
		m.close()
	}
	c.mapped = nil
}

// EntryInfo describes one cached snapshot.
type EntryInfo struct {
	// Snapshot is the cached file's absolute path.
	Snapshot string
	Size     int64 // bytes of cache files
	Files    int
	LastUsed time.Time
	// Stale is set when the snapshot is gone or changed since.
	Stale bool
}

// List describes the entries in the directory, the most recently used
// first.
func (c *Cache) List() ([]EntryInfo, error) {
	groups, err := c.scan()
	if err != nil {
		return nil, err
	}
	var out []EntryInfo
	for _, g := range groups {
		info := EntryInfo{Size: g.size, Files: len(g.files), LastUsed: g.used, Stale: true}
		if k, ok := c.keyIn(g); ok {
			info.Snapshot = k.Path
			cur, err := KeyOf(k.Path)
			info.Stale = err != nil || cur != k
		}
		out = append(out, info)
	}
	slices.SortStableFunc(out, func(a, b EntryInfo) int { return b.LastUsed.Compare(a.LastUsed) })
	return out, nil
}

// keyIn reads the key the group's files were written for, from the
// first one's table of contents (its sections are not checked).
func (c *Cache) keyIn(g *group) (Key, bool) {
	name := g.files[0]
	kind := strings.TrimSuffix(strings.TrimPrefix(name, g.stem+"."), ext)
	f, err := os.Open(filepath.Join(c.Dir, name))
	if err != nil {
		return Key{}, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < headerSize {
		return Key{}, false
	}
	mem, err := mapFile(f, st.Size())
	if err != nil {
		return Key{}, false
	}
	m := &mapped{mem: mem}
	defer m.close()
	err = m.check(c.Build, kind, Key{})
	if err != nil && !errors.Is(err, errStale) && !errors.Is(err, errOtherBuild) || m.toc.Key.Path == "" {
		return Key{}, false
	}
	return m.toc.Key, true
}

// Clean removes every cache file and returns how many bytes they held.
func (c *Cache) Clean() (int64, error) {
	groups, err := c.scan()
	if err != nil {
		return 0, err
	}
	var freed int64
	for _, g := range groups {
		for _, f := range g.files {
			if err := os.Remove(filepath.Join(c.Dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return freed, err
			}
		}
		freed += g.size
	}
	// Leftovers of writes that were cut short.
	tmp, _ := filepath.Glob(filepath.Join(c.Dir, ".tmp-*"))
	for _, f := range tmp {
		os.Remove(f)
	}
	return freed, nil
}

// group is the files of one entry on disk.
type group struct {
	stem  string
	files []string
	size  int64
	used  time.Time
}

func (c *Cache) scan() ([]*group, error) {
	dirents, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byStem := map[string]*group{}
	var out []*group
	for _, d := range dirents {
		name := d.Name()
		stem, _, ok := strings.Cut(strings.TrimSuffix(name, ext), ".")
		if !strings.HasSuffix(name, ext) || !ok || d.IsDir() {
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue
		}
		g := byStem[stem]
		if g == nil {
			g = &group{stem: stem}
			byStem[stem] = g
			out = append(out, g)
		}
		g.files = append(g.files, name)
		g.size += info.Size()
		if t := info.ModTime(); t.After(g.used) {
			g.used = t
		}
	}
	return out, nil
}

// trim removes the entries used least recently until the directory fits
// in MaxSize.
func (c *Cache) trim() {
	groups, err := c.scan()
	if err != nil {
		return
	}
	var total int64
	for _, g := range groups {
		total += g.size
	}
	// Files of writes cut short (an interrupted run) once they are old.
	tmp, _ := filepath.Glob(filepath.Join(c.Dir, ".tmp-*"))
	for _, f := range tmp {
		if st, err := os.Stat(f); err == nil && time.Since(st.ModTime()) > time.Hour {
			os.Remove(f)
		}
	}
	slices.SortFunc(groups, func(a, b *group) int { return a.used.Compare(b.used) })
	for _, g := range groups {
		if total <= c.MaxSize {
			break
		}
		for _, f := range g.files {
			os.Remove(filepath.Join(c.Dir, f))
		}
		total -= g.size
	}
}
