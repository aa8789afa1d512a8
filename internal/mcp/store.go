package mcp

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Reader parses and analyzes a snapshot read from r (size bytes, or -1
// when unknown), naming it name in its messages, and returns the namer of
// its owner paths and locations. The command line passes its own, so the
// server analyzes exactly as heapsnap analyze does.
type Reader func(name string, r io.Reader, size int64) (*devtools.Analysis, *retainers.Namer, error)

// held is a snapshot the server keeps analyzed between calls, with the
// indexes its tools read, built the first time one asks for them.
type held struct {
	key  string // the resolved path, or the capture's name
	name string // the path as the client first gave it, for messages while it is read
	size int64  // bytes of the file, -1 for a capture
	res  *devtools.Analysis
	// names writes owner paths; it is not safe for concurrent use, and
	// the dominator tree sorts children lazily, so a call holds mu while
	// it reads the snapshot.
	names *retainers.Namer
	mu    sync.Mutex
	x     *devtools.RetainerIndex
	tree  *devtools.DominatorTree
	// members lists each class's instances by retained size.
	members *views.Members
	found   []suspects.Suspect
	foundOK bool
	// stacks is the allocation profile objects' stacks are read from
	// (nil without allocation tracking). The allocations tool builds its
	// own each time: the profile numbers its rows as they are listed, and
	// each answer must number them as heapsnap allocations does.
	stacks   *devtools.AllocationProfile
	stacksOK bool
	used     uint64 // the store's clock at the last call
}

func (h *held) allocationStacks() *devtools.AllocationProfile {
	if !h.stacksOK {
		h.stacks, h.stacksOK = h.res.Allocations(), true
	}
	return h.stacks
}

func (h *held) retainers() *devtools.RetainerIndex {
	if h.x == nil {
		h.x = devtools.NewRetainerIndex(h.res)
	}
	return h.x
}

func (h *held) dominatorTree() *devtools.DominatorTree {
	if h.tree == nil {
		h.tree = devtools.NewDominatorTree(h.res)
	}
	return h.tree
}

func (h *held) classMembers() *views.Members {
	if h.members == nil {
		h.members = views.NewMembers(h.res)
	}
	return h.members
}

// suspects are what every detector finds with its default thresholds, as
// heapsnap analyze reports them.
func (h *held) suspects() []suspects.Suspect {
	if !h.foundOK {
		h.found = suspects.Find(h.res, suspects.Options{Names: h.names})
		h.foundOK = true
	}
	return h.found
}

// store holds at most max snapshots and evicts the least recently used
// when it must read another. A snapshot being read is a pending entry
// that other calls for it wait on, so it is read once.
type store struct {
	read Reader
	max  int

	mu      sync.Mutex
	clock   uint64
	held    map[string]*held
	pending map[string]*pendingRead
}

type pendingRead struct {
	done chan struct{}
	h    *held
	err  error
}

func newStore(read Reader, max int) *store {
	return &store{read: read, max: max, held: map[string]*held{}, pending: map[string]*pendingRead{}}
}

// errNotHeld is a captured snapshot asked for after it was evicted or
// closed: there is no file to read it again from.
var errNotHeld = errors.New("no longer held (evicted or closed): capture it again")

// get returns the snapshot at key (a resolved path), reading it as name
// unless it is held.
func (st *store) get(key, name string) (*held, error) {
	st.mu.Lock()
	if h := st.held[key]; h != nil {
		st.clock++
		h.used = st.clock
		st.mu.Unlock()
		return h, nil
	}
	if p := st.pending[key]; p != nil {
		st.mu.Unlock()
		<-p.done
		return p.h, p.err
	}
	if isCaptureName(key) {
		st.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", name, errNotHeld)
	}
	p := &pendingRead{done: make(chan struct{})}
	st.pending[key] = p
	st.mu.Unlock()

	func() {
		// A reader that panics must not leave the pending entry behind,
		// which every later call for this file would wait on.
		defer func() {
			if r := recover(); r != nil {
				p.h, p.err = nil, fmt.Errorf("%s: internal error reading the snapshot: %v (please report it to heapsnap)", name, r)
			}
		}()
		p.h, p.err = st.readFile(key, name)
	}()
	st.mu.Lock()
	delete(st.pending, key)
	if p.err == nil {
		st.add(p.h)
	}
	st.mu.Unlock()
	close(p.done)
	return p.h, p.err
}

// readFile reads the snapshot at path without holding it.
func (st *store) readFile(path, name string) (*held, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileError(name, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", name)
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	res, names, err := st.read(name, f, size)
	if err != nil {
		return nil, err
	}
	return &held{key: path, name: name, size: size, res: res, names: names}, nil
}

// fileError words an error opening a file as the command line does:
// "FILE: no such file or directory".
func fileError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// add holds h, evicting the least recently used snapshots beyond max.
// st.mu is held.
func (st *store) add(h *held) {
	st.clock++
	h.used = st.clock
	st.held[h.key] = h
	evicted := false
	for len(st.held) > st.max {
		var oldest *held
		for _, o := range st.held {
			if o != h && (oldest == nil || o.used < oldest.used) {
				oldest = o
			}
		}
		delete(st.held, oldest.key)
		evicted = true
	}
	if evicted {
		// A graph can be gigabytes: give it back now rather than at the
		// next collection (a call still reading it keeps it alive).
		go debug.FreeOSMemory()
	}
}

// close forgets the snapshot at key; it reports whether one was held.
func (st *store) close(key string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.held[key]; !ok {
		return false
	}
	delete(st.held, key)
	go debug.FreeOSMemory()
	return true
}

// list returns the held snapshots, most recently used first.
func (st *store) list() []*held {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*held, 0, len(st.held))
	for _, h := range st.held {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *held) int { return cmp.Compare(b.used, a.used) })
	return out
}

// lookup returns the held snapshot at key, or nil.
func (st *store) lookup(key string) *held {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.held[key]
}

// hold adds a snapshot read elsewhere (a capture).
func (st *store) hold(h *held) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.add(h)
}
