package cli

import (
	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/views"
)

func (a *app) newAllocationsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "allocations FILE",
		Short: "Show which functions allocated what: DevTools' Allocation view",
		Long: `Allocations reads a snapshot taken with allocation tracking (node
--track-heap-objects, DevTools' "Allocation instrumentation on timeline", or
"heapsnap capture --track-allocations") and shows DevTools' Allocation view:
every function that allocated, bottom up, with what it allocated since
tracking began (count, size) and what of that is still alive (live count,
live size). Locations go through source maps (see --source-maps), so a
TypeScript or bundled function shows its original file and line.

--callers FUNCTION (a name, or a row's #id) expands that function's callers
as the view does: the chain of only callers, then each branch, biggest first.
--stacks instead writes every object's allocation stack, innermost frame
first (TSV or JSON); "heapsnap show FILE @ID" shows one object's stack.

TSV lists every row with V8's 1-based line and column, in DevTools' order.
` + exitStatusHelp,
		Example: `  node --track-heap-objects app.js        # then take a snapshot
  heapsnap allocations heap.heapsnapshot
  heapsnap allocations heap.heapsnapshot --callers parseOrder
  heapsnap allocations heap.heapsnapshot --source-maps dist/ --format json
  heapsnap allocations heap.heapsnapshot --stacks > stacks.tsv`,
		Args: exactArgs(1, "one snapshot file"),
	}
	f := cmd.Flags()
	f.StringP("format", "f", "table", "output format: table, json, markdown or tsv")
	f.Int("limit", 30, "rows of the view to list (0 lists all; tsv lists all)")
	f.String("callers", "", "expand the callers of this function (name or #id)")
	f.Bool("stacks", false, "write every object's allocation stack instead (tsv or json)")
	a.bindFlags(cmd, "allocations")
	cmd.RunE = runE(a, a.allocationsOptions, a.allocations)
	return cmd
}

// allocationsOptions are the settings of `heapsnap allocations`.
type allocationsOptions struct {
	file    string
	format  report.Format
	limit   int
	callers string
	stacks  bool
}

func (a *app) allocationsOptions(args []string) (*allocationsOptions, error) {
	st := a.settings("allocations")
	o := &allocationsOptions{
		file:    args[0],
		limit:   st.count("limit", 0),
		callers: st.str("callers"),
		stacks:  st.flag("stacks"),
	}
	switch {
	case o.stacks && !a.v.IsSet("allocations.format"):
		o.format = report.TSV // the default, table, has no form for stacks
	case o.stacks:
		o.format = st.format(report.TSV, report.JSON)
	default:
		o.format = st.format()
	}
	if o.stacks && o.callers != "" {
		st.fail("callers", "cannot be combined with %s", a.origin("allocations.stacks"))
	}
	if o.format == report.TSV {
		o.limit = 0
	}
	return o, st.err
}

func (a *app) allocations(o *allocationsOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	profile := res.Allocations()
	if profile == nil {
		return &inputError{file: displayName(o.file), err: views.ErrNoAllocations}
	}
	if o.stacks {
		return a.write(o.format, views.Stacks{Analysis: res, Profile: profile, Names: a.namer(res)})
	}
	rep, err := views.BuildAllocations(profile, views.AllocationsOptions{
		File: displayName(o.file), Names: a.namer(res), Top: o.limit, Callers: o.callers,
	})
	if err != nil {
		return usagef("%s: %s: %v: give a name or a #id from the view's # column (--limit 0 lists every row)", a.origin("allocations.callers"), displayName(o.file), err)
	}
	return a.write(o.format, rep)
}
