package mcp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// noWrites ends every tool's description: agents and their users ask
// whether a tool changes anything.
const noWrites = " Read-only: reads snapshots only under the allowed directories and never writes a file."

// maxPage bounds the rows of one answer, whatever limit asks for.
const maxPage = 200

// limit is the rows to show: def when the call gives none, at most maxPage.
func limit(n, def int) int {
	if n <= 0 {
		return def
	}
	return min(n, maxPage)
}

// page slices rows to [offset, offset+n).
func page[T any](rows []T, offset, n int) []T {
	lo := min(max(offset, 0), len(rows))
	return rows[lo:min(lo+n, len(rows))]
}

// more is the line that says how to get the rows after these, empty when
// there are none.
func more(what string, offset, shown, total int, tool string) string {
	if offset+shown >= total {
		return ""
	}
	return fmt.Sprintf("showing %s %d-%d of %d: call %s with offset=%d for more (limit up to %d)",
		what, offset+1, offset+shown, total, tool, offset+shown, maxPage)
}

func (s *Server) addTools() {
	addTool(s, &mcp.Tool{Name: "list_snapshots", Annotations: readOnly, Description: "List the heap snapshot files " +
		"(.heapsnapshot, .heapsnapshot.gz) under the allowed directories, and the snapshots held analyzed." + noWrites},
		s.listSnapshots)
	addTool(s, &mcp.Tool{Name: "open", Annotations: readOnly, Description: "Read and analyze a snapshot and keep it " +
		"loaded for the other tools (they open it themselves when needed); answers its size and what it holds." + noWrites},
		s.openTool)
	addTool(s, &mcp.Tool{Name: "close", Annotations: readOnly, Description: "Forget a held snapshot, freeing its memory." + noWrites},
		s.closeTool)
	addTool(s, &mcp.Tool{Name: "summary", Annotations: readOnly, Description: "A snapshot's header, total size, " +
		"DevTools' Statistics and a page of its Summary (classes by retained size, with class ids for class_instances), " +
		"the largest objects and the number of leak suspects. Start here." + noWrites},
		s.summary)
	addTool(s, &mcp.Tool{Name: "suspects", Annotations: readOnly, Description: "Leak suspects ranked by retained " +
		"size (listeners piling up on an emitter, timers, detached DOM, big collections, duplicated strings, closures, " +
		"pending promises), each with its owner path, object id, where it was created and evidence." + noWrites},
		s.suspectsTool)
	addTool(s, &mcp.Tool{Name: "show_object", Annotations: readOnly, Description: "One object by id: sizes, " +
		"distance, owner path, where it was created (source location, through source maps) and its allocation stack when " +
		"the snapshot has them, its dominators, biggest references and retainers." + noWrites},
		s.showObject)
	addTool(s, &mcp.Tool{Name: "retainers", Annotations: readOnly, Description: "Why an object stays alive: its " +
		"owner path, the retainer chains from the GC roots or the global object (shortest first, DevTools' notation: " +
		".name, [i], ->closure variable, {internal}) and a page of DevTools' Retainers view." + noWrites},
		s.retainersTool)
	addTool(s, &mcp.Tool{Name: "dominator_children", Annotations: readOnly, Description: "The objects that an " +
		"object alone keeps alive (its children in the dominator tree), biggest first; without an id, from the root: " +
		"what retains the most." + noWrites},
		s.dominatorChildren)
	addTool(s, &mcp.Tool{Name: "class_instances", Annotations: readOnly, Description: "The instances of one " +
		"Summary class (by name or by the class id summary gives), biggest retained size first." + noWrites},
		s.classInstances)
	addTool(s, &mcp.Tool{Name: "allocations", Annotations: readOnly, Description: "DevTools' Allocation view, " +
		"for snapshots taken with allocation tracking: the functions that allocated, with what they allocated and what " +
		"of it is still live; with callers, one function's callers tree." + noWrites},
		s.allocationsTool)
	addTool(s, &mcp.Tool{Name: "diff", Annotations: readOnly, Description: "Compare two snapshots of one " +
		"process (DevTools' Comparison: per class new, deleted, delta and size delta; listener counts; growing " +
		"collections; new detached DOM)." + noWrites},
		s.diffTool)
	addTool(s, &mcp.Tool{Name: "growth", Annotations: readOnly, Description: "What grows at every step of a " +
		"series of three or more snapshots, oldest first: listener lists, collections, classes, and leak candidates " +
		"grouped by class and retainer chain." + noWrites},
		s.growth)
	addTool(s, &mcp.Tool{Name: "check", Annotations: readOnly, Description: "Check a snapshot against memory " +
		"budgets, given inline or as a configuration file's check section (as heapsnap check does): passed or not, " +
		"with every budget's limit and actual value." + noWrites},
		s.check)
	if s.opts.Capture {
		s.addCaptureTool()
	}
}

// PathIn names a snapshot.
type PathIn struct {
	Path string `json:"path" jsonschema:"snapshot file, absolute or relative to the first allowed directory"`
}

// ListIn pages list_snapshots.
type ListIn struct {
	Offset int `json:"offset,omitempty" jsonschema:"first file to list"`
	Limit  int `json:"limit,omitempty" jsonschema:"files to list (default 20)"`
}

// FileRow is a snapshot file.
type FileRow struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	Held bool   `json:"held"`
}

// HeldRow is a snapshot held analyzed.
type HeldRow struct {
	Path      string `json:"path"`
	Nodes     int    `json:"nodes"`
	TotalSize uint64 `json:"total_size"`
}

// ListOut is list_snapshots' answer.
type ListOut struct {
	Roots     []string  `json:"roots"`
	Held      []HeldRow `json:"held"`
	Total     int       `json:"total"`
	Offset    int       `json:"offset"`
	Snapshots []FileRow `json:"snapshots"`
	More      string    `json:"more,omitempty"`
}

// maxListed bounds the files list_snapshots looks at.
const maxListed = 10000

func (s *Server) listSnapshots(ctx context.Context, req *mcp.CallToolRequest, in ListIn) (*mcp.CallToolResult, ListOut, error) {
	out := ListOut{Roots: []string{}, Held: []HeldRow{}, Snapshots: []FileRow{}}
	for _, h := range s.store.list() {
		out.Held = append(out.Held, HeldRow{Path: h.key, Nodes: h.res.Snapshot.NodeCount, TotalSize: h.res.TotalSize})
	}
	var files []FileRow
	seen := map[string]bool{}
	for _, r := range s.allowed(req) {
		out.Roots = append(out.Roots, r.dir)
		_ = filepath.WalkDir(r.real, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil // an unreadable directory is left out
			case len(files) >= maxListed:
				return fs.SkipAll
			case d.IsDir() && p != r.real && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules"):
				return fs.SkipDir
			case d.IsDir() || !isSnapshotName(d.Name()) || seen[p]:
				return nil
			case d.Type()&fs.ModeSymlink != 0:
				// Listed only where open would read it.
				if real, err := filepath.EvalSymlinks(p); err != nil || !underAny(real, s.allowed(req)) {
					return nil
				}
			}
			seen[p] = true
			row := FileRow{Path: p, Held: s.store.lookup(p) != nil}
			if fi, err := d.Info(); err == nil {
				row.Size = fi.Size()
			}
			files = append(files, row)
			return nil
		})
	}
	n := limit(in.Limit, 20)
	out.Total, out.Offset = len(files), min(max(in.Offset, 0), len(files))
	out.Snapshots = append(out.Snapshots, page(files, in.Offset, n)...)
	out.More = more("files", out.Offset, len(out.Snapshots), len(files), "list_snapshots")
	if len(files) >= maxListed {
		out.More = strings.TrimPrefix(out.More+"; ", "; ") + fmt.Sprintf("only the first %d files found are listed", maxListed)
	}
	return nil, out, nil
}

func isSnapshotName(name string) bool {
	return strings.HasSuffix(name, ".heapsnapshot") || strings.HasSuffix(name, ".heapsnapshot.gz")
}

// OpenOut describes a held snapshot.
type OpenOut struct {
	File        string   `json:"file"`
	Nodes       int      `json:"nodes"`
	Edges       int      `json:"edges"`
	TotalSize   uint64   `json:"total_size"`
	Classes     int      `json:"class_count"`
	Locations   bool     `json:"locations"`
	Allocations bool     `json:"allocation_stacks"`
	Held        []string `json:"held"`
	Next        string   `json:"next"`
}

func (s *Server) openTool(ctx context.Context, req *mcp.CallToolRequest, in PathIn) (*mcp.CallToolResult, OpenOut, error) {
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, OpenOut{}, err
	}
	return nil, s.describe(h), nil
}

func (s *Server) describe(h opened) OpenOut {
	h.mu.Lock()
	r := h.res
	out := OpenOut{File: h.name, Nodes: r.Snapshot.NodeCount, Edges: r.Snapshot.EdgeCount, TotalSize: r.TotalSize,
		Classes: len(r.SummaryRows()), Locations: r.Snapshot.Meta.LocationFields != nil, Allocations: h.allocationStacks() != nil,
		Held: []string{}, Next: "call summary, then suspects, with this path"}
	h.mu.Unlock()
	for _, o := range s.store.list() {
		out.Held = append(out.Held, o.key)
	}
	return out
}

// CloseOut is close's answer.
type CloseOut struct {
	Closed bool     `json:"closed"`
	Held   []string `json:"held"`
}

func (s *Server) closeTool(ctx context.Context, req *mcp.CallToolRequest, in PathIn) (*mcp.CallToolResult, CloseOut, error) {
	key := in.Path
	if !isCaptureName(key) {
		var err error
		if key, err = resolve(in.Path, s.allowed(req)); err != nil {
			return nil, CloseOut{}, err
		}
	}
	out := CloseOut{Closed: s.store.close(key), Held: []string{}}
	for _, o := range s.store.list() {
		out.Held = append(out.Held, o.key)
	}
	return nil, out, nil
}

// SummaryIn selects summary's page of classes.
type SummaryIn struct {
	Path    string `json:"path" jsonschema:"snapshot file"`
	Sort    string `json:"sort,omitempty" jsonschema:"order of classes: retained (default), shallow, count, distance, name"`
	Filter  string `json:"filter,omitempty" jsonschema:"only classes whose name contains this (any case)"`
	Offset  int    `json:"offset,omitempty" jsonschema:"first class to list"`
	Limit   int    `json:"limit,omitempty" jsonschema:"classes to list (default 10)"`
	Largest int    `json:"largest,omitempty" jsonschema:"largest objects to list (default 5)"`
}

// SummaryOut is summary's answer: heapsnap analyze's header, statistics
// and a page of classes.
type SummaryOut struct {
	File         string               `json:"file"`
	Nodes        int                  `json:"nodes"`
	Edges        int                  `json:"edges"`
	TotalSize    uint64               `json:"total_size"`
	Format       views.SnapshotFormat `json:"format"`
	Statistics   views.Statistics     `json:"statistics"`
	Unreachable  views.Unreachable    `json:"unreachable"`
	Classes      *views.ClassPage     `json:"classes"`
	Largest      []views.ObjectRow    `json:"largest"`
	SuspectCount int                  `json:"suspect_count"`
	Allocations  bool                 `json:"allocation_stacks"`
	More         string               `json:"more,omitempty"`
}

func (s *Server) summary(ctx context.Context, req *mcp.CallToolRequest, in SummaryIn) (*mcp.CallToolResult, SummaryOut, error) {
	sort := in.Sort
	if sort == "" {
		sort = views.ClassSorts[0]
	} else if !slices.Contains(views.ClassSorts, sort) {
		return nil, SummaryOut{}, fmt.Errorf("sort: invalid value %q: use %s", sort, strings.Join(views.ClassSorts, ", "))
	}
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, SummaryOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.res
	a := views.BuildAnalyze(r, views.AnalyzeOptions{File: h.name, Top: 1, Sort: views.SortKeys[0], Largest: limit(in.Largest, 5)})
	n := limit(in.Limit, 10)
	classes := views.BuildClassPage(r, r.SummaryRows(), views.ClassPageOptions{Sort: sort, Filter: in.Filter,
		Page: views.Page{Offset: max(in.Offset, 0), Limit: n}})
	out := SummaryOut{File: h.name, Nodes: a.Nodes, Edges: a.Edges, TotalSize: a.TotalSize, Format: a.Format,
		Statistics: a.Statistics, Unreachable: a.Unreachable, Classes: classes, Largest: a.Largest,
		SuspectCount: len(h.suspects()), Allocations: h.allocationStacks() != nil}
	if out.Largest == nil {
		out.Largest = []views.ObjectRow{}
	}
	out.More = more("classes", classes.Offset, len(classes.Classes), classes.Total, "summary")
	return nil, out, nil
}

// SuspectsIn selects suspects' page.
type SuspectsIn struct {
	Path   string `json:"path" jsonschema:"snapshot file"`
	Kind   string `json:"kind,omitempty" jsonschema:"only suspects of this kind: listeners, timers, detached-dom, collection, duplicate-strings, closure, promises"`
	Offset int    `json:"offset,omitempty" jsonschema:"first suspect to list"`
	Limit  int    `json:"limit,omitempty" jsonschema:"suspects to list (default 3)"`
}

// SuspectsOut is suspects' answer.
type SuspectsOut struct {
	File         string             `json:"file"`
	TotalSize    uint64             `json:"total_size"`
	SuspectKinds []suspects.Kind    `json:"suspect_kinds"`
	Total        int                `json:"total"`
	Offset       int                `json:"offset"`
	Suspects     []suspects.Suspect `json:"suspects"`
	More         string             `json:"more,omitempty"`
}

func (s *Server) suspectsTool(ctx context.Context, req *mcp.CallToolRequest, in SuspectsIn) (*mcp.CallToolResult, SuspectsOut, error) {
	var kind suspects.Kind
	if in.Kind != "" {
		var err error
		if kind, err = suspects.ParseKind(in.Kind); err != nil {
			return nil, SuspectsOut{}, fmt.Errorf("kind: %w", err)
		}
	}
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, SuspectsOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	found := h.suspects()
	if kind != "" {
		found = slices.DeleteFunc(slices.Clone(found), func(x suspects.Suspect) bool { return x.Kind != kind })
	}
	out := SuspectsOut{File: h.name, TotalSize: h.res.TotalSize, SuspectKinds: suspects.Kinds, Total: len(found),
		Offset: min(max(in.Offset, 0), len(found))}
	out.Suspects = append([]suspects.Suspect{}, page(found, in.Offset, limit(in.Limit, 3))...)
	out.More = more("suspects", out.Offset, len(out.Suspects), len(found), "suspects")
	return nil, out, nil
}

// ShowIn selects what show_object lists.
type ShowIn struct {
	Path       string `json:"path" jsonschema:"snapshot file"`
	ID         uint32 `json:"id" jsonschema:"object id: the number DevTools shows after @"`
	References int    `json:"references,omitempty" jsonschema:"outgoing references to list, biggest first (default 10)"`
	Retainers  int    `json:"retainers,omitempty" jsonschema:"retainers to list, in DevTools' order (default 10)"`
	Dominators int    `json:"dominators,omitempty" jsonschema:"dominators to list, from the immediate one up (default 10)"`
}

// ShowOut is show_object's answer: heapsnap show --format json.
type ShowOut struct {
	*views.Show
	More string `json:"more,omitempty"`
}

// node returns the ordinal of the object with this id, with the command
// line's message when there is none.
func node(h opened, id uint32) (uint32, error) {
	if i, ok := h.res.NodeByID(id); ok {
		return i, nil
	}
	return 0, fmt.Errorf("%s: no object @%d in this snapshot", h.name, id)
}

func (s *Server) showObject(ctx context.Context, req *mcp.CallToolRequest, in ShowIn) (*mcp.CallToolResult, ShowOut, error) {
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, ShowOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i, err := node(h, in.ID)
	if err != nil {
		return nil, ShowOut{}, err
	}
	rep := views.BuildShow(h.res, h.retainers(), i, views.ShowOptions{File: h.name, Names: h.names,
		References: limit(in.References, 10), Retainers: limit(in.Retainers, 10), Allocations: h.allocationStacks()})
	var notes []string
	if n := limit(in.Dominators, 10); len(rep.Dominators) > n {
		rep.Dominators, rep.DominatorsMore = rep.Dominators[:n], true
	}
	if rep.DominatorsMore {
		notes = append(notes, "more dominators: call show_object with dominators up to 100, or dominator_children on one")
	}
	if len(rep.References) < rep.EdgeCount {
		notes = append(notes, fmt.Sprintf("%d of %d references shown: call show_object with references up to %d", len(rep.References), rep.EdgeCount, maxPage))
	}
	if len(rep.Retainers) < rep.RetainerCount {
		notes = append(notes, fmt.Sprintf("%d of %d retainers shown: call retainers with offset=%d", len(rep.Retainers), rep.RetainerCount, len(rep.Retainers)))
	}
	return nil, ShowOut{Show: rep, More: strings.Join(notes, "; ")}, nil
}

// RetainersIn selects what retainers lists.
type RetainersIn struct {
	Path   string `json:"path" jsonschema:"snapshot file"`
	ID     uint32 `json:"id" jsonschema:"object id: the number DevTools shows after @"`
	Paths  int    `json:"paths,omitempty" jsonschema:"retainer chains to list (default 1: the one DevTools expands; more are searched for, which can take seconds on an object many paths reach)"`
	Depth  int    `json:"depth,omitempty" jsonschema:"longest chain shown, in edges (default 12)"`
	Offset int    `json:"offset,omitempty" jsonschema:"first row of the Retainers view to list"`
	Limit  int    `json:"limit,omitempty" jsonschema:"rows of the Retainers view to list (default 10)"`
}

// RetainersOut is retainers' answer: heapsnap retainers --format json for
// one object, with a page of the Retainers view.
type RetainersOut struct {
	File string `json:"file"`
	views.RetainersOf
	Offset int    `json:"offset"`
	More   string `json:"more,omitempty"`
}

func (s *Server) retainersTool(ctx context.Context, req *mcp.CallToolRequest, in RetainersIn) (*mcp.CallToolResult, RetainersOut, error) {
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, RetainersOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i, err := node(h, in.ID)
	if err != nil {
		return nil, RetainersOut{}, err
	}
	x := h.retainers()
	rep := views.BuildRetainers(h.res, x, []uint32{i}, views.RetainersOptions{File: h.name, Names: h.names,
		Paths: min(limit(in.Paths, 1), 20), Depth: min(limit(in.Depth, 12), 100), List: 1})
	of := rep.Objects[0]
	n := limit(in.Limit, 10)
	p := views.BuildRetainerPage(h.res, i, x.Retainers(i), views.Page{Offset: max(in.Offset, 0), Limit: n})
	of.Retainers = p.Retainers
	out := RetainersOut{File: h.name, RetainersOf: of, Offset: p.Offset}
	out.More = more("retainers", p.Offset, len(p.Retainers), p.Total, "retainers")
	return nil, out, nil
}

// ChildrenIn selects dominator_children's page.
type ChildrenIn struct {
	Path   string  `json:"path" jsonschema:"snapshot file"`
	ID     *uint32 `json:"id,omitempty" jsonschema:"object id; without one, the root"`
	Offset int     `json:"offset,omitempty" jsonschema:"first child to list"`
	Limit  int     `json:"limit,omitempty" jsonschema:"children to list (default 10)"`
}

// ChildrenOut is dominator_children's answer: heapsnap top from one
// object, one level deep.
type ChildrenOut struct {
	File       string            `json:"file"`
	TotalSize  uint64            `json:"total_size"`
	Object     ChildRow          `json:"object"`
	Dominators []views.ObjectRow `json:"dominators"`
	Total      int               `json:"total"`
	Offset     int               `json:"offset"`
	Children   []ChildRow        `json:"children"`
	More       string            `json:"more,omitempty"`
}

// ChildRow is a views.TopNode without its children: one level of the
// tree at a time (and a schema that is not recursive).
type ChildRow struct {
	views.ObjectRow
	Edge       views.Name `json:"edge,omitempty"`
	ChildCount int        `json:"child_count"`
}

func childRow(n views.TopNode) ChildRow {
	return ChildRow{ObjectRow: n.ObjectRow, Edge: n.Edge, ChildCount: n.ChildCount}
}

// maxDominatorsShown bounds the dominators dominator_children lists.
const maxDominatorsShown = 10

func (s *Server) dominatorChildren(ctx context.Context, req *mcp.CallToolRequest, in ChildrenIn) (*mcp.CallToolResult, ChildrenOut, error) {
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, ChildrenOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.res.Snapshot.Root()
	if in.ID != nil {
		if i, err = node(h, *in.ID); err != nil {
			return nil, ChildrenOut{}, err
		}
	}
	offset, n := max(in.Offset, 0), limit(in.Limit, 10)
	t := views.BuildSubtree(h.res, h.dominatorTree(), i, views.TopOptions{File: h.name, Depth: 0, Limit: offset + n})
	out := ChildrenOut{File: h.name, TotalSize: t.TotalSize, Object: childRow(*t.From), Dominators: t.Dominators,
		Total: t.From.ChildCount, Offset: min(offset, len(t.Objects)), Children: []ChildRow{}}
	for _, c := range page(t.Objects, offset, n) {
		out.Children = append(out.Children, childRow(c))
	}
	if out.Dominators == nil {
		out.Dominators = []views.ObjectRow{}
	}
	var notes []string
	if len(out.Dominators) > maxDominatorsShown {
		out.Dominators = out.Dominators[:maxDominatorsShown]
		notes = append(notes, "more dominators: call dominator_children on the last one listed")
	}
	if m := more("children", out.Offset, len(out.Children), out.Total, "dominator_children"); m != "" {
		notes = append(notes, m)
	}
	out.More = strings.Join(notes, "; ")
	return nil, out, nil
}

// InstancesIn selects class_instances' page.
type InstancesIn struct {
	Path    string  `json:"path" jsonschema:"snapshot file"`
	Class   string  `json:"class,omitempty" jsonschema:"class name as the Summary shows it"`
	ClassID *uint32 `json:"class_id,omitempty" jsonschema:"class id, from summary's classes (tells apart classes with one name)"`
	Offset  int     `json:"offset,omitempty" jsonschema:"first instance to list"`
	Limit   int     `json:"limit,omitempty" jsonschema:"instances to list (default 10)"`
}

// InstancesOut is class_instances' answer.
type InstancesOut struct {
	File string `json:"file"`
	*views.InstancePage
	More string `json:"more,omitempty"`
}

func (s *Server) classInstances(ctx context.Context, req *mcp.CallToolRequest, in InstancesIn) (*mcp.CallToolResult, InstancesOut, error) {
	if (in.Class == "") == (in.ClassID == nil) {
		return nil, InstancesOut{}, errors.New("give class (a name) or class_id")
	}
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, InstancesOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.res
	var ids []uint32
	if in.ClassID != nil {
		if c := *in.ClassID; int(c) < len(r.Classes) && r.Classes[c].Count > 0 {
			ids = []uint32{c}
		} else {
			return nil, InstancesOut{}, fmt.Errorf("%s: no class with id %d in this snapshot", h.name, c)
		}
	} else {
		for _, c := range r.SummaryRows() {
			if r.ClassName(c) == in.Class {
				ids = append(ids, views.ClassID(r, c))
			}
		}
		if len(ids) == 0 {
			return nil, InstancesOut{}, fmt.Errorf("%s: no objects of class %q in this snapshot", h.name, in.Class)
		}
	}
	p := views.BuildInstancePage(r, ids[0], h.classMembers().Of(ids[0]), views.Page{Offset: max(in.Offset, 0), Limit: limit(in.Limit, 10)})
	notes := []string{}
	if m := more("instances", p.Offset, len(p.Objects), p.Total, "class_instances"); m != "" {
		notes = append(notes, m)
	}
	if len(ids) > 1 {
		notes = append(notes, fmt.Sprintf("%d classes are named %q (defined in different places); this is the one retaining the most: "+
			"call with class_id one of %v for the others", len(ids), in.Class, ids[1:]))
	}
	return nil, InstancesOut{File: h.name, InstancePage: p, More: strings.Join(notes, "; ")}, nil
}

// AllocationsIn selects the Allocation view's page.
type AllocationsIn struct {
	Path    string `json:"path" jsonschema:"snapshot file"`
	Callers string `json:"callers,omitempty" jsonschema:"expand this function's callers (its name, or a row's #id); the page is then of the callers tree"`
	Offset  int    `json:"offset,omitempty" jsonschema:"first row to list"`
	Limit   int    `json:"limit,omitempty" jsonschema:"rows to list (default 10)"`
}

// AllocationsOut is allocations' answer: heapsnap allocations --format
// json, a page of it.
type AllocationsOut struct {
	*views.Allocations
	Offset int    `json:"offset"`
	More   string `json:"more,omitempty"`
}

func (s *Server) allocationsTool(ctx context.Context, req *mcp.CallToolRequest, in AllocationsIn) (*mcp.CallToolResult, AllocationsOut, error) {
	h, err := s.open(ctx, req, in.Path)
	if err != nil {
		return nil, AllocationsOut{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.allocationStacks() == nil {
		return nil, AllocationsOut{}, fmt.Errorf("%s: %w", h.name, views.ErrNoAllocations)
	}
	offset, n := max(in.Offset, 0), limit(in.Limit, 10)
	top := offset + n
	if in.Callers != "" {
		top = n // the rows above the tree stay the first ones
	}
	rep, err := views.BuildAllocations(h.res.Allocations(), views.AllocationsOptions{File: h.name, Names: h.names, Top: top, Callers: in.Callers})
	if err != nil {
		return nil, AllocationsOut{}, fmt.Errorf("callers: %s: %w", h.name, err)
	}
	out := AllocationsOut{Allocations: rep}
	if in.Callers != "" {
		all := len(rep.Callers)
		out.Offset = min(offset, all)
		rep.Callers = page(rep.Callers, offset, n)
		out.More = more("callers rows", out.Offset, len(rep.Callers), all, "allocations")
	} else {
		out.Offset = min(offset, len(rep.Rows))
		rep.Rows = page(rep.Rows, offset, n)
		out.More = more("functions", out.Offset, len(rep.Rows), rep.RowCount, "allocations")
	}
	return nil, out, nil
}

var matchModes = []string{string(diff.MatchAuto), string(diff.MatchIDs), string(diff.MatchClasses)}

func matchMode(m string) (diff.Mode, error) {
	if m == "" {
		return diff.MatchAuto, nil
	}
	if !slices.Contains(matchModes, m) {
		return "", fmt.Errorf("match: invalid value %q: use %s", m, strings.Join(matchModes, ", "))
	}
	return diff.Mode(m), nil
}

// DiffIn names the two snapshots of diff.
type DiffIn struct {
	Old   string `json:"old" jsonschema:"the earlier snapshot file"`
	New   string `json:"new" jsonschema:"the later snapshot file"`
	Sort  string `json:"sort,omitempty" jsonschema:"order of class rows: size-delta (default), alloc, freed, count-delta, new, deleted, retained-delta, name"`
	Top   int    `json:"top,omitempty" jsonschema:"rows per list (default 10)"`
	Match string `json:"match,omitempty" jsonschema:"auto (default), ids or classes: how objects are matched"`
}

// DiffOut is diff's answer: heapsnap diff OLD NEW --format json.
type DiffOut struct {
	*views.Diff
	More string `json:"more,omitempty"`
}

func (s *Server) diffTool(ctx context.Context, req *mcp.CallToolRequest, in DiffIn) (*mcp.CallToolResult, DiffOut, error) {
	sort := in.Sort
	if sort == "" {
		sort = devtools.SortSizeDelta
	} else if !slices.Contains(devtools.ComparisonSorts, sort) {
		return nil, DiffOut{}, fmt.Errorf("sort: invalid value %q: use %s", sort, strings.Join(devtools.ComparisonSorts, ", "))
	}
	mode, err := matchMode(in.Match)
	if err != nil {
		return nil, DiffOut{}, err
	}
	old, err := s.open(ctx, req, in.Old)
	if err != nil {
		return nil, DiffOut{}, err
	}
	cur, err := s.open(ctx, req, in.New)
	if err != nil {
		return nil, DiffOut{}, err
	}
	unlock := lockAll(old.held, cur.held)
	defer unlock()
	// The comparison re-categorises the old snapshot with the new one's
	// class definitions, as DevTools does; it replaces the slices rather
	// than changing them, so the held snapshot gets its own back.
	class, classes := old.res.Class, old.res.Classes
	defer func() { old.res.Class, old.res.Classes = class, classes }()
	p, err := diff.ComparePair(in.Old, in.New, heldLoader(old, cur), mode)
	if err != nil {
		return nil, DiffOut{}, err
	}
	n := limit(in.Top, 10)
	rep := views.BuildDiff(p, views.DiffOptions{Old: old.name, New: cur.name, Sort: sort, Top: n})
	out := DiffOut{Diff: rep}
	if rep.ClassCount > len(rep.Classes) || len(p.Listeners) > n || len(p.Collections) > n {
		out.More = fmt.Sprintf("%d of %d changed classes shown (%d listener lists, %d collections in all): call diff with top up to %d",
			len(rep.Classes), rep.ClassCount, len(p.Listeners), len(p.Collections), maxPage)
	}
	return nil, out, nil
}

// lockAll locks the snapshots' mutexes, each once, in one order.
func lockAll(hs ...*held) (unlock func()) {
	var set []*held
	for _, h := range hs {
		if !slices.Contains(set, h) {
			set = append(set, h)
		}
	}
	slices.SortFunc(set, func(a, b *held) int { return strings.Compare(a.key, b.key) })
	for _, h := range set {
		h.mu.Lock()
	}
	return func() {
		for _, h := range set {
			h.mu.Unlock()
		}
	}
}

// heldLoader is a diff.Loader over held snapshots, by the names the call
// gave.
func heldLoader(hs ...opened) diff.Loader {
	return func(path string) (*devtools.Analysis, *retainers.Namer, error) {
		for _, h := range hs {
			if h.name == path {
				return h.res, h.names, nil
			}
		}
		return nil, nil, fmt.Errorf("%s: not opened", path)
	}
}

// GrowthIn names a series of snapshots.
type GrowthIn struct {
	Paths []string `json:"paths" jsonschema:"three or more snapshot files of one process, oldest first"`
	Top   int      `json:"top,omitempty" jsonschema:"rows per list (default 5)"`
	Match string   `json:"match,omitempty" jsonschema:"auto (default), ids or classes"`
}

// GrowthOut is growth's answer: heapsnap diff S1 S2 S3... --format json.
type GrowthOut struct {
	*views.Series
	More string `json:"more,omitempty"`
}

func (s *Server) growth(ctx context.Context, req *mcp.CallToolRequest, in GrowthIn) (*mcp.CallToolResult, GrowthOut, error) {
	if len(in.Paths) < 3 {
		return nil, GrowthOut{}, fmt.Errorf("paths: give three or more snapshots, oldest first (diff compares two), got %d", len(in.Paths))
	}
	mode, err := matchMode(in.Match)
	if err != nil {
		return nil, GrowthOut{}, err
	}
	// Snapshots already held are read from memory; the others are read
	// one at a time and not held, so a long series does not evict what
	// the agent is looking at.
	keys := make([]string, len(in.Paths))
	for k, p := range in.Paths {
		if isCaptureName(p) {
			keys[k] = p
		} else if keys[k], err = resolve(p, s.allowed(req)); err != nil {
			return nil, GrowthOut{}, err
		}
	}
	var locked []*held
	defer func() {
		for _, h := range locked {
			h.mu.Unlock()
		}
	}()
	load := func(path string) (*devtools.Analysis, *retainers.Namer, error) {
		k := slices.Index(in.Paths, path)
		if h := s.store.lookup(keys[k]); h != nil {
			if !slices.Contains(locked, h) {
				h.mu.Lock()
				locked = append(locked, h)
			}
			return h.res, h.names, nil
		}
		if isCaptureName(path) {
			return nil, nil, fmt.Errorf("%s: %w", path, errNotHeld)
		}
		h, err := s.store.readFile(keys[k], path)
		if err != nil {
			return nil, nil, err
		}
		return h.res, h.names, nil
	}
	ser, err := diff.CompareSeries(in.Paths, load, mode)
	if err != nil {
		return nil, GrowthOut{}, err
	}
	n := limit(in.Top, 5)
	rep := views.BuildSeries(ser, in.Paths, n)
	out := GrowthOut{Series: rep}
	if rep.CandidateCount > len(rep.LeakCandidates) || len(rep.Growing) == n {
		out.More = fmt.Sprintf("top %d rows per list shown (%d leak candidate groups in all): call growth with top up to %d", n, rep.CandidateCount, maxPage)
	}
	return nil, out, nil
}
