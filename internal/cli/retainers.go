package cli

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// parseNodeID reads an object id as DevTools writes it ("@12345") or
// bare.
func parseNodeID(arg string) (uint32, error) {
	id, err := strconv.ParseUint(strings.TrimPrefix(arg, "@"), 10, 32)
	if err != nil {
		return 0, usagef("invalid object id %q: want @ID as DevTools shows it, e.g. @12345", arg)
	}
	return uint32(id), nil
}

// nodeByID returns the ordinal of the node with this id.
func nodeByID(res *devtools.Analysis, file string, id uint32) (uint32, error) {
	if i, ok := res.NodeByID(id); ok {
		return i, nil
	}
	return 0, usagef("%s: no object @%d in this snapshot", displayName(file), id)
}

// biggestOfClass returns the n objects of the Summary classes a pattern
// matches (an exact name or a glob, as check's class budgets take) that
// retain the most, ties by id.
func biggestOfClass(res *devtools.Analysis, file string, class budget.Pattern, n int) ([]uint32, error) {
	want := map[uint32]bool{}
	for c := range res.Classes {
		if class.Match(res.ClassName(&res.Classes[c])) {
			want[uint32(c)] = true
		}
	}
	var nodes []uint32
	for i, c := range res.Class {
		if want[c] && res.Snapshot.NodeSelfSize[i] > 0 {
			nodes = append(nodes, uint32(i))
		}
	}
	if len(nodes) == 0 {
		return nil, usagef("%s: no objects of class %q in this snapshot", displayName(file), class.String())
	}
	slices.SortFunc(nodes, func(a, b uint32) int {
		if c := cmp.Compare(res.Retained.At(b), res.Retained.At(a)); c != 0 {
			return c
		}
		return cmp.Compare(res.Snapshot.NodeID[a], res.Snapshot.NodeID[b])
	})
	return nodes[:min(n, len(nodes))], nil
}

func (a *app) newRetainersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retainers FILE @ID | FILE --class NAME",
		Short: "Show what keeps an object alive: retainer chains and DevTools' Retainers view",
		Long: `Retainers shows why an object is still in memory: the chains of references from
the GC roots or the global object to it, shortest first, and its direct
retainers in the order of Chrome DevTools' Retainers view.

An object is named by its id as DevTools shows it (@12345; "heapsnap analyze"
and "heapsnap top" list ids). With --class NAME, the --objects biggest objects
of that Summary class are shown instead.

Chains skip weak references and follow DevTools' rules. The first chain is
the one DevTools expands on its own: at each step the retainer listed first
(the smallest distance, then the name, then the latest edge in the file).
The others (--paths in all) follow, those from user roots before those from
system roots, shortest first. A chain ends at a user root such as the global
object (distance 1), at a GC root, or after --depth edges. Edges are written
as DevTools writes them: .name for properties, [i] for elements, ->name for
closure context variables, {name} for V8-internal links; steps through
V8-internal objects are marked with *.

The Retainers view (its first --list rows) lists every retaining edge except
weak ones and the root's, sorted by the retainer's distance, then its name,
then edge order: the same order as DevTools.
` + exitStatusHelp,
		Example: `  heapsnap retainers heap.heapsnapshot @71451
  heapsnap retainers heap.heapsnapshot @71451 --paths 5 --depth 30
  heapsnap retainers heap.heapsnapshot --class DataProcessor --format json`,
		// With or without an id depends on the class setting, which
		// may come from the environment or the config file, read only
		// once the command runs: retainersOptions checks the count.
		Args: rangeArgs(1, 2, "a snapshot file and an object id (@ID), or --class PATTERN"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.String("class", "", "show the biggest objects of the classes this `PATTERN` matches (a name or a glob: * ? [..]) instead of one object")
	f.Int("objects", 3, "with --class: number of objects to show")
	f.Int("paths", 3, "number of retainer chains per object")
	f.Int("depth", 20, "longest chain shown, in edges")
	f.Int("list", 20, "rows of the Retainers view per object (0 lists all)")
	a.bindFlags(cmd, "retainers")
	cmd.RunE = runE(a, a.retainersOptions, a.retainers)
	return cmd
}

// retainersOptions are the settings of `heapsnap retainers`.
type retainersOptions struct {
	file                        string
	id                          uint32 // 0 with class
	class                       string
	pattern                     budget.Pattern // class, compiled
	format                      report.Format
	objects, paths, depth, list int
}

func (a *app) retainersOptions(args []string) (*retainersOptions, error) {
	st := a.settings("retainers")
	o := &retainersOptions{
		file:    args[0],
		class:   st.str("class"),
		format:  st.format(),
		objects: st.count("objects", 1),
		paths:   st.count("paths", 1),
		depth:   st.count("depth", 1),
		list:    st.count("list", 0),
	}
	if st.err != nil {
		return nil, st.err
	}
	if o.class != "" {
		p, err := budget.CompilePattern(o.class)
		if err != nil {
			return nil, usagef("%s: %v", a.origin("retainers.class"), err)
		}
		o.pattern = p
	}
	switch {
	case o.class != "" && len(args) == 2:
		return nil, usagef("%s is set: give only the snapshot file, not also an object id (%s)", a.origin("retainers.class"), args[1])
	case o.class == "" && len(args) == 1:
		return nil, usagef("retainers: expected a snapshot file and an object id (@ID), or --class PATTERN")
	case o.class == "":
		id, err := parseNodeID(args[1])
		if err != nil {
			return nil, err
		}
		o.id = id
	}
	return o, nil
}

func (a *app) retainers(o *retainersOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	var nodes []uint32
	if o.class != "" {
		nodes, err = biggestOfClass(res, o.file, o.pattern, o.objects)
	} else {
		var i uint32
		i, err = nodeByID(res, o.file, o.id)
		nodes = []uint32{i}
	}
	if err != nil {
		return err
	}
	return a.write(o.format, views.BuildRetainers(res, a.retainerIndex(res), nodes, views.RetainersOptions{
		File: displayName(o.file), Class: o.class, Paths: o.paths, Depth: o.depth, List: o.list, Names: a.namer(res),
	}))
}

func (a *app) newShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show FILE @ID",
		Short: "Show one object: sizes, dominators, references and retainers",
		Long: `Show describes one object, named by its id as DevTools shows it (@12345): its
type, class, name, shallow and retained size, distance, where V8 recorded it
was created (closures and instances of user classes, as file:line:column),
its owner path, its dominators up to the root (each one alone keeps it
alive), its outgoing references whose targets retain the most (--references),
and its retainers in the order of DevTools' Retainers view (--retainers).
` + exitStatusHelp,
		Example: `  heapsnap show heap.heapsnapshot @71451
  heapsnap show heap.heapsnapshot @71451 --references 50 --format json`,
		Args: exactArgs(2, "a snapshot file and an object id (@ID)"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.Int("references", 20, "outgoing references to list (0 lists all)")
	f.Int("retainers", 20, "retainers to list (0 lists all)")
	a.bindFlags(cmd, "show")
	cmd.RunE = runE(a, a.showOptions, a.show)
	return cmd
}

// showOptions are the settings of `heapsnap show`.
type showOptions struct {
	file                  string
	id                    uint32
	format                report.Format
	references, retainers int
}

func (a *app) showOptions(args []string) (*showOptions, error) {
	st := a.settings("show")
	o := &showOptions{
		file:       args[0],
		format:     st.format(),
		references: st.count("references", 0),
		retainers:  st.count("retainers", 0),
	}
	if st.err != nil {
		return nil, st.err
	}
	id, err := parseNodeID(args[1])
	o.id = id
	return o, err
}

func (a *app) show(o *showOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	i, err := nodeByID(res, o.file, o.id)
	if err != nil {
		return err
	}
	return a.write(o.format, views.BuildShow(res, a.retainerIndex(res), i, views.ShowOptions{
		File: displayName(o.file), References: o.references, Retainers: o.retainers, Names: a.namer(res),
		Allocations: res.Allocations(),
	}))
}

func (a *app) newTopCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top FILE",
		Short: "Show the dominator tree from the top: what retains the most",
		Long: `Top shows the dominator tree from the top, ordered by retained size: the
objects the root alone keeps alive that retain the most, then, to --depth
levels, the objects each of them alone keeps alive (--limit per level). An
object's retained size is what would be freed if it went away. Where the
dominator refers to the object directly, the edge is shown in DevTools'
notation (.name, [i], ->name, {name}).

What a program cannot act on is left out unless asked for, and the report
says how much: V8's own objects (compiled code, internal arrays, object
shapes, hidden objects) with what only they keep alive (--internals shows them),
and objects that retain less than --min-share of the heap (0 shows all).
` + exitStatusHelp,
		Example: `  heapsnap top heap.heapsnapshot
  heapsnap top heap.heapsnapshot --depth 4 --limit 5 --format markdown`,
		Args: exactArgs(1, "one snapshot file"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json or markdown")
	f.Int("depth", 2, "levels shown below the top level")
	f.Int("limit", 10, "objects shown per level (0 shows all)")
	f.String("min-share", "1%", "leave out objects that retain less than this share of the heap (0 shows all)")
	f.Bool("internals", false, "show V8's own objects too (code, internal arrays, shapes, hidden objects)")
	a.bindFlags(cmd, "top")
	cmd.RunE = runE(a, a.topOptions, a.top)
	return cmd
}

// topOptions are the settings of `heapsnap top`.
type topOptions struct {
	file         string
	format       report.Format
	depth, limit int
	minShare     float64 // percent
	internals    bool
}

func (a *app) topOptions(args []string) (*topOptions, error) {
	st := a.settings("top")
	o := &topOptions{
		file:      args[0],
		format:    st.format(),
		depth:     st.count("depth", 0),
		limit:     st.count("limit", 0),
		internals: st.flag("internals"),
	}
	// Unlike the suspects' shares, 0 is allowed: it shows every object.
	share := st.str("min-share")
	v, err := strconv.ParseFloat(strings.TrimSuffix(share, "%"), 64)
	if err != nil || v < 0 || v > 100 {
		st.fail("min-share", "invalid share %q: want a percentage from 0 to 100, e.g. 1%%", share)
	}
	o.minShare = v
	return o, st.err
}

func (a *app) top(o *topOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	return a.write(o.format, views.BuildTop(res, a.dominatorTree(res), views.TopOptions{
		File: displayName(o.file), Depth: o.depth, Limit: o.limit,
		MinSize: uint64(float64(res.TotalSize) * o.minShare / 100), SkipInternals: !o.internals,
	}))
}
