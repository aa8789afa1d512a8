package mcp

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// root is a directory snapshots may be read from: as given, and with its
// symbolic links resolved.
type root struct {
	dir, real string
}

// newRoot resolves dir; a directory that does not exist cannot be a root.
func newRoot(dir string) (root, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return root{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return root{}, fileError(dir, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return root{}, fileError(dir, err)
	}
	if !fi.IsDir() {
		return root{}, fmt.Errorf("%s: not a directory", dir)
	}
	return root{dir: filepath.Clean(abs), real: real}, nil
}

// within reports whether path (absolute and clean) is dir or under it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// clientRoots caches each session's MCP roots until the client says they
// changed.
type clientRoots struct {
	mu      sync.Mutex
	roots   map[*mcp.ServerSession][]root
	watched map[*mcp.ServerSession]bool // sessions whose end is waited for
}

func (c *clientRoots) forget(ss *mcp.ServerSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.roots, ss)
}

// rootsInput is the id of the input request for the client's roots.
const rootsInput = "roots"

// of returns the roots the session's client offers, and whether the call
// must first ask for them: the roots are asked for as an input request of
// the call (multi round-trip, which the SDK turns into a roots/list
// request for clients of older protocol versions), and kept until the
// client says they changed. A client that offers no roots has none.
func (c *clientRoots) of(req *mcp.CallToolRequest) (rs []root, ask bool) {
	if req == nil || req.Session == nil {
		return nil, false
	}
	ss := req.Session
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs, ok := c.roots[ss]; ok {
		return rs, false
	}
	init := ss.InitializeParams()
	if init == nil || init.Capabilities == nil || init.Capabilities.RootsV2 == nil {
		return nil, false
	}
	var res *mcp.ListRootsResult
	if req.Params != nil {
		res, _ = req.Params.InputResponses[rootsInput].(*mcp.ListRootsResult)
	}
	if res == nil {
		return nil, true
	}
	for _, r := range res.Roots {
		u, err := url.Parse(r.URI)
		if err != nil || u.Scheme != "file" || u.Path == "" {
			continue
		}
		if rt, err := newRoot(filepath.FromSlash(u.Path)); err == nil {
			rs = append(rs, rt)
		}
	}
	if c.roots == nil {
		c.roots = map[*mcp.ServerSession][]root{}
	}
	if !c.watched[ss] {
		// An HTTP server sees many sessions: forget each when it ends.
		if c.watched == nil {
			c.watched = map[*mcp.ServerSession]bool{}
		}
		c.watched[ss] = true
		go func() {
			_ = ss.Wait()
			c.mu.Lock()
			defer c.mu.Unlock()
			delete(c.roots, ss)
			delete(c.watched, ss)
		}()
	}
	c.roots[ss] = rs
	return rs, false
}

// errOutside is a path outside every root.
var errOutside = errors.New("outside the directories this server may read")

// resolve returns the real path of the snapshot file p, which must lie
// under one of roots both as written (.. taken into account) and with its
// symbolic links resolved. A relative p is taken from the first root.
func resolve(p string, roots []root) (string, error) {
	if p == "" {
		return "", errors.New("path: give a snapshot file (list_snapshots lists them)")
	}
	if len(roots) == 0 {
		return "", fmt.Errorf("%s: %w: none is configured", p, errOutside)
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(roots[0].dir, abs)
	}
	abs = filepath.Clean(abs)
	// The path as written is checked first, so that nothing is said
	// about files outside the roots, not even whether they exist.
	if !underAny(abs, roots) {
		return "", outside(p, roots)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fileError(p, err)
	}
	if !underAny(real, roots) {
		return "", outside(p, roots)
	}
	return real, nil
}

func underAny(path string, roots []root) bool {
	for _, r := range roots {
		if within(path, r.dir) || within(path, r.real) {
			return true
		}
	}
	return false
}

func outside(p string, roots []root) error {
	dirs := make([]string, len(roots))
	for i, r := range roots {
		dirs[i] = r.dir
	}
	return fmt.Errorf("%s: %w (%s); start heapsnap mcp with its directory as a root, or add it to the client's roots", p, errOutside, strings.Join(dirs, ", "))
}
