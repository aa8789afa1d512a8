package cli

import (
	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/report"
	"github.com/heapsnap/heapsnap/internal/views"
)

func (a *app) newNodesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nodes FILE",
		Short: "Print DevTools' numbers for every node",
		Long: `Nodes prints one row per node, in file order, with DevTools' numbers:

  id             node id (@id in DevTools)
  self_size      shallow size after DevTools' adjustment (arrays and system
                 objects owned by one object are counted in their owner)
  retained_size  retained size
  distance       DevTools' internal distance: -5 unreachable, 100000000 and
                 above reachable only through system roots
  dominator_id   id of the immediate dominator (the root dominates itself)
  type           V8 node type
  class          the Summary view's class name
  name           node name, with DevTools' "Detached " prefix where it adds one

TSV escapes tab, newline, carriage return and backslash as \t, \n, \r, \\.
JSON is an array with one object per line.
` + exitStatusHelp,
		Example: `  heapsnap nodes heap.heapsnapshot > nodes.tsv
  heapsnap nodes heap.heapsnapshot --format json | jq -c '.[] | select(.class == "Order")'`,
		Args: exactArgs(1, "one snapshot file"),
	}
	cmd.Flags().StringP("format", "f", "tsv", "output format: tsv or json")
	a.bindFlags(cmd, "nodes")
	cmd.RunE = runE(a, a.nodesOptions, a.nodes)
	return cmd
}

// nodesOptions are the settings of `heapsnap nodes`.
type nodesOptions struct {
	file   string
	format report.Format
}

func (a *app) nodesOptions(args []string) (*nodesOptions, error) {
	st := a.settings("nodes")
	o := &nodesOptions{file: args[0], format: st.format()}
	return o, st.err
}

func (a *app) nodes(o *nodesOptions) error {
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	return a.write(o.format, views.Nodes{Analysis: res})
}
