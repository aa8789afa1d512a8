package sources

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Options says where to look for source maps besides the scripts' own
// references.
type Options struct {
	// Dirs are searched, in order, for each script's file and its .map by
	// the longest common path suffix, so that a container's
	// /app/dist/x.js finds ./dist/x.js.map (heapsnap's --source-maps).
	Dirs []string
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// NoMaps turns source maps off: every location is the compiled one,
	// and no file is read.
	NoMaps bool
}

// Problem is a source map that was referenced or found but could not be
// used. The script's compiled locations are shown instead.
type Problem struct {
	Script string `json:"script"`
	Map    string `json:"map"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Script == "" {
		return p.Map + ": " + p.Reason
	}
	return p.Script + ": " + p.Map + ": " + p.Reason
}

// Resolver maps compiled script positions to original source positions.
// It reads each script's map the first time a position in that script is
// resolved, and keeps it; it is safe for concurrent use.
type Resolver struct {
	heap    *heap
	scripts *Scripts
	opts    Options

	mu       sync.Mutex
	tried    []bool       // per script row
	maps     []*sourceMap // per script row; nil when there is none
	byFile   map[string]mapResult
	dirs     *dirIndex
	problems []Problem
}

type mapResult struct {
	m   *sourceMap
	err error
}

// NewResolver returns a resolver for the scripts of s. scripts must not
// change afterwards.
func NewResolver(s *heapsnapshot.Snapshot, scripts *Scripts, opts Options) *Resolver {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	return &Resolver{
		heap: newHeap(s), scripts: scripts, opts: opts,
		tried: make([]bool, scripts.Len()), maps: make([]*sourceMap, scripts.Len()),
		byFile: map[string]mapResult{},
	}
}

// Resolve returns the location of a 0-based line and column in script id,
// as snapshot locations give them (trace_function_infos are 1-based: pass
// line-1, column-1). The compiled position is always set; Source is set
// when a source map covers the position.
func (r *Resolver) Resolve(scriptID, line, column uint32) Location {
	loc := Location{Position: Position{File: r.scripts.Name(scriptID), Line: int(line) + 1, Column: int(column) + 1}}
	k, ok := r.scripts.index(scriptID)
	if !ok || line > maxPos || column > maxPos {
		return loc
	}
	if r.opts.NoMaps {
		return loc
	}
	m := r.mapOf(k)
	if m == nil {
		return loc
	}
	if o, ok := m.lookup(int32(line), int32(column)); ok {
		loc.Source = &Original{Position: Position{File: o.file, Line: int(o.line) + 1, Column: int(o.column) + 1}, Name: o.name}
	}
	return loc
}

// Frames resolves allocation frames, whose positions are 1-based (0 when
// unknown). A frame keeps the script name V8 wrote beside the position.
func (r *Resolver) Frames(fs []devtools.AllocationFrame) []Frame {
	out := make([]Frame, len(fs))
	for k, f := range fs {
		out[k] = Frame{Function: f.Function, Location: r.TraceLocation(f.Script, f.ScriptID, f.Line, f.Column)}
	}
	return out
}

// TraceLocation is the location of an allocation trace's function: its
// script name, 1-based line and column (0 when unknown), and script id.
func (r *Resolver) TraceLocation(script string, scriptID, line, column uint32) Location {
	if line == 0 {
		return Location{Position: Position{File: script}}
	}
	loc := r.Resolve(scriptID, line-1, max(column, 1)-1)
	loc.File = script
	return loc
}

// Node returns the location of node i, if the snapshot records one.
func (r *Resolver) Node(i uint32) (Location, bool) {
	l, ok := r.heap.s.LocationOf(i)
	if !ok {
		return Location{}, false
	}
	return r.Resolve(l.ScriptID, l.Line, l.Column), true
}

// Problems lists the maps that could not be used so far, by script: maps
// a script references that are missing, maps that do not parse, inline
// maps the snapshot cut short. Scripts with no map at all are not listed.
func (r *Resolver) Problems() []Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.problems)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Script, b.Script), cmp.Compare(a.Map, b.Map), cmp.Compare(a.Reason, b.Reason))
	})
	return slices.CompactFunc(out, func(a, b Problem) bool { return a == b })
}

func (r *Resolver) mapOf(k int) *sourceMap {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.tried[k] {
		r.tried[k] = true
		r.maps[k] = r.find(k)
	}
	return r.maps[k]
}

// search is the search for one script's map: what it tried and why each
// try failed.
type search struct {
	r      *Resolver
	script string
	tried  []string
	failed []Problem
}

func (q *search) fail(mapName string, err error) {
	q.failed = append(q.failed, Problem{Script: q.script, Map: mapName, Reason: err.Error()})
}

// find looks for script row k's map, in order: the --source-maps
// directories, the sourceMappingURL the heap's Script object holds, then
// the script's file on disk (its .map beside it, or its own comment).
func (r *Resolver) find(k int) *sourceMap {
	name := r.scripts.names[k]
	p, onDisk := scriptPath(name)
	if p == "" {
		return nil
	}
	ref := ""
	if node := r.scripts.nodes[k]; node != noNode {
		ref = r.heap.mapURL(node)
	}
	q := &search{r: r, script: name}
	m := q.run(p, onDisk, ref)
	if m == nil {
		r.problems = append(r.problems, q.failed...)
	}
	return m
}

func (q *search) run(p string, onDisk bool, ref string) *sourceMap {
	dir := filepath.Dir(p)
	if len(q.r.opts.Dirs) > 0 {
		d := q.r.dirIndex()
		if m := q.inDirs(d, p+".map"); m != nil {
			return m
		}
		if ref != "" && !isDataURL(ref) {
			if target := joinRef(dir, ref); !hasScheme(target) {
				if m := q.inDirs(d, target); m != nil {
					return m
				}
			}
		}
		// Many scripts share a base name (index.js) and most have no map:
		// an ambiguous match matters only for a script that names one.
		if f, err := d.find(p); err != nil {
			if ref != "" {
				q.fail(filepath.Base(p), err)
			}
		} else if f != "" {
			if m := q.fromScriptFile(f); m != nil {
				return m
			}
		}
	}
	if ref != "" {
		if m := q.fromRef(ref, dir, onDisk, true); m != nil {
			return m
		}
	}
	if !onDisk {
		return nil
	}
	if m := q.fromFile(p+".map", false); m != nil {
		return m
	}
	return q.fromScriptFile(p)
}

// inDirs loads the map the --source-maps directories hold for a file name.
func (q *search) inDirs(d *dirIndex, name string) *sourceMap {
	f, err := d.find(name)
	if err != nil {
		q.fail(filepath.Base(name), err)
		return nil
	}
	if f == "" {
		return nil
	}
	return q.fromFile(f, true)
}

// fromScriptFile follows the sourceMappingURL comment of a script file.
func (q *search) fromScriptFile(f string) *sourceMap {
	b, err := q.r.opts.ReadFile(f)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			q.fail(f, err)
		}
		return nil
	}
	ref, ok := commentURL(b)
	if !ok {
		return nil
	}
	return q.fromRef(ref, filepath.Dir(f), true, false)
}

// fromRef loads the map a sourceMappingURL names, relative to dir: an
// inline data: URL, or a file. inSnapshot says the URL was read from the
// heap, where V8 keeps only the first 1024 characters of a string.
func (q *search) fromRef(ref, dir string, onDisk, inSnapshot bool) *sourceMap {
	if isDataURL(ref) {
		b, err := decodeDataURL(ref)
		if err == nil {
			var m *sourceMap
			if m, err = parseMap(b, dir); err == nil {
				return m
			}
		}
		if inSnapshot && heapsnapshot.UTF16Len([]byte(ref)) == snapshotStringLimit {
			err = fmt.Errorf("cut short in the snapshot (V8 keeps the first %d characters of a string); the script's file has it whole", snapshotStringLimit)
		}
		q.fail("inline map", err)
		return nil
	}
	target := joinRef(dir, ref)
	switch {
	case strings.HasPrefix(target, "file://"):
		target = filePath(target)
	case hasScheme(target):
		q.fail(target, errors.New("not read: only files are; pass --source-maps DIR with a copy"))
		return nil
	case !onDisk:
		return nil
	}
	return q.fromFile(target, true)
}

// snapshotStringLimit is V8's default --heap-snapshot-string-limit.
const snapshotStringLimit = 1024

// fromFile loads a map file, once per file across scripts. A missing file
// is a problem only when something named it (declared).
func (q *search) fromFile(f string, declared bool) *sourceMap {
	if slices.Contains(q.tried, f) {
		return nil
	}
	q.tried = append(q.tried, f)
	res, ok := q.r.byFile[f]
	if !ok {
		var b []byte
		b, res.err = q.r.opts.ReadFile(f)
		if res.err == nil {
			res.m, res.err = parseMap(b, filepath.Dir(f))
		}
		q.r.byFile[f] = res
	}
	switch {
	case res.err == nil:
	case errors.Is(res.err, fs.ErrNotExist):
		if declared {
			q.fail(f, errNotFound)
		}
	default:
		q.fail(f, res.err)
	}
	return res.m
}

// errNotFound is a missing file's reason: the problem already names the
// path, and the OS's wording differs.
var errNotFound = errors.New("not found")

func isDataURL(s string) bool { return len(s) >= 5 && strings.EqualFold(s[:5], "data:") }

// decodeDataURL returns the bytes of a data: URL (RFC 2397), base64 or
// percent-encoded.
func decodeDataURL(u string) ([]byte, error) {
	meta, data, ok := strings.Cut(u[len("data:"):], ",")
	if !ok {
		return nil, errors.New("data: URL without a comma")
	}
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(data, "="))
		if err != nil {
			return nil, fmt.Errorf("bad base64: %w", err)
		}
		return b, nil
	}
	s, err := url.PathUnescape(data)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// commentURL returns the value of a script's last sourceMappingURL
// comment (//# or the older //@ form).
func commentURL(src []byte) (string, bool) {
	const key = "sourceMappingURL="
	end := len(src)
	for {
		i := bytes.LastIndex(src[:end], []byte(key))
		if i < 0 {
			return "", false
		}
		end = i
		j := i
		for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t') {
			j--
		}
		if j < 3 || (src[j-1] != '#' && src[j-1] != '@') || src[j-2] != '/' || src[j-3] != '/' {
			continue
		}
		v := src[i+len(key):]
		if n := bytes.IndexAny(v, "\r\n"); n >= 0 {
			v = v[:n]
		}
		v = bytes.TrimRight(v, " \t")
		// In a string literal or a block comment the value runs into a
		// quote or a space: not a real comment.
		if len(v) == 0 || bytes.ContainsAny(v, " \t'\"`*") {
			continue
		}
		return string(v), true
	}
}

// mapURL returns the sourceMappingURL V8 parsed from a script's source
// and keeps in the Script object. Its edge has no name and its index
// differs between V8 versions, so it is found by content: of the strings
// the Script holds besides its name and source, the last that is a data:
// URL, ends in .map, or is what the source's comment names (a script's
// sourceURL, the other such string, comes first).
func (h *heap) mapURL(script uint32) string {
	s := h.s
	var source []byte
	for e := s.FirstEdge[script]; e < s.FirstEdge[script+1]; e++ {
		if s.EdgeType[e] == h.t.Internal && h.isString(s.EdgeTo[e]) && string(s.Strings.Bytes(s.EdgeName[e])) == "source" {
			source = s.NodeNameBytes(s.EdgeTo[e])
		}
	}
	found := ""
	for e := s.FirstEdge[script]; e < s.FirstEdge[script+1]; e++ {
		t, to := s.EdgeType[e], s.EdgeTo[e]
		if (t != h.t.HiddenEdge && t != h.t.Internal) || !h.isString(to) {
			continue
		}
		if t == h.t.Internal {
			if n := string(s.Strings.Bytes(s.EdgeName[e])); n == "source" || n == "name" {
				continue
			}
		}
		v := s.NodeNameBytes(to)
		if isDataURL(string(v[:min(len(v), 5)])) || bytes.HasSuffix(withoutQuery(v), []byte(".map")) ||
			(len(v) > 0 && bytes.Contains(source, append([]byte("sourceMappingURL="), v...))) {
			found = string(v)
		}
	}
	return found
}

// withoutQuery drops a URL's ?query and #fragment.
func withoutQuery(v []byte) []byte {
	if i := bytes.IndexAny(v, "?#"); i >= 0 {
		return v[:i]
	}
	return v
}

// dirIndex is the files of the --source-maps directories that can matter:
// maps, and files named like a script.
type dirIndex struct {
	byBase map[string][]string // base name → paths, in search order
}

func (r *Resolver) dirIndex() *dirIndex {
	if r.dirs != nil {
		return r.dirs
	}
	want := map[string]bool{}
	for _, name := range r.scripts.names {
		if p, _ := scriptPath(name); p != "" {
			want[filepath.Base(p)] = true
		}
	}
	d := &dirIndex{byBase: map[string][]string{}}
	for _, root := range r.opts.Dirs {
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if p == root {
					return err
				}
				return nil // an unreadable subdirectory: search the rest
			}
			if e.IsDir() {
				if e.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if base := e.Name(); strings.HasSuffix(base, ".map") || want[base] {
				if !slices.Contains(d.byBase[base], p) {
					d.byBase[base] = append(d.byBase[base], p)
				}
			}
			return nil
		})
		if err != nil {
			r.problems = append(r.problems, Problem{Map: root, Reason: err.Error()})
		}
	}
	r.dirs = d
	return d
}

// find returns the indexed file whose path shares the longest suffix of
// whole components with p; "" when none has p's base name. Two files that
// match equally well are an error: a wrong map is worse than none.
func (d *dirIndex) find(p string) (string, error) {
	want := strings.Split(filepath.ToSlash(p), "/")
	best, bestScore, ties := "", 0, 0
	for _, f := range d.byBase[want[len(want)-1]] {
		have := strings.Split(filepath.ToSlash(f), "/")
		n := 0
		for n < len(want) && n < len(have) && want[len(want)-1-n] == have[len(have)-1-n] {
			n++
		}
		switch {
		case n > bestScore:
			best, bestScore, ties = f, n, 0
		case n == bestScore:
			ties++
		}
	}
	if ties > 0 {
		return "", fmt.Errorf("%d files in the --source-maps directories match equally well (%s, …)", ties+1, best)
	}
	return best, nil
}
