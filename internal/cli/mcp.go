package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/budget"
	"github.com/heapsnap/heapsnap/internal/mcp"
	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

func (a *app) newMCPCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mcp [ROOT...]",
		Short: "Serve heapsnap's analyses to coding agents (Model Context Protocol)",
		Long: `Mcp is a Model Context Protocol server: a coding agent (Claude Code, Claude
Desktop, VS Code, Cursor, …) starts it and calls its tools to open heap
snapshots and ask about them: summary, suspects, show_object, retainers,
dominator_children, class_instances, allocations, diff, growth and check
(see docs/mcp.md). Answers are the JSON of the matching commands, small by
default (a few kB) and paged with offset and limit.

It serves one client over standard input and output, or with --http ADDR the
streamable HTTP transport at http://ADDR/mcp. ADDR without a host listens on
127.0.0.1; requests whose Host header is not the address served are refused.

It reads snapshots only under the ROOT directories (default: the working
directory) and the roots the client offers; any other path, also through a
symbolic link or "..", is refused. It never writes a file. Snapshots stay
analyzed between calls, --max-snapshots at most (the least recently used is
dropped). With --capture it also offers a capture tool that snapshots a local
Node.js process by PID, straight into memory.
` + exitStatusHelp,
		Example: `  heapsnap mcp                              # stdio, snapshots under the working directory
  heapsnap mcp ./snapshots /var/tmp/heaps
  claude mcp add heapsnap -- heapsnap mcp "$PWD"
  heapsnap mcp --http 127.0.0.1:8765 ./snapshots`,
	}
	f := cmd.Flags()
	f.String("http", "", "serve the streamable HTTP transport on `ADDR` (HOST:PORT; no host: 127.0.0.1) instead of stdio")
	f.Int("max-snapshots", mcp.DefaultMaxSnapshots, "snapshots held analyzed at once")
	f.Bool("capture", false, "offer the capture tool (snapshots a local Node.js process by PID)")
	a.bindFlags(cmd, "mcp")
	cmd.RunE = runE(a, a.mcpOptions, a.mcp)
	return cmd
}

// mcpOptions are the settings of `heapsnap mcp`.
type mcpOptions struct {
	roots        []string
	http         string
	maxSnapshots int
	capture      bool
}

func (a *app) mcpOptions(args []string) (*mcpOptions, error) {
	st := a.settings("mcp")
	o := &mcpOptions{roots: args, http: st.str("http"), maxSnapshots: st.count("max-snapshots", 1), capture: st.flag("capture")}
	if len(o.roots) == 0 {
		o.roots = []string{"."}
	}
	if o.http != "" {
		addr, err := mcp.LoopbackAddr(o.http)
		if err != nil {
			st.fail("http", "%v", err)
		}
		o.http = addr
	}
	return o, st.err
}

func (a *app) mcp(o *mcpOptions) error {
	a.quiet = true // a server's stderr is a log, not a terminal to draw on
	a.noSpill = true
	s, err := mcp.New(mcp.Options{
		Roots: o.roots, Read: a.mcpRead, MaxSnapshots: o.maxSnapshots, Capture: o.capture,
		ConfigBudgets: a.configBudgets, Version: a.buildInfo().Version,
	})
	if err != nil {
		return usagef("mcp: %v", err)
	}
	ctx := serveContext()
	if o.http == "" {
		return s.Run(ctx)
	}
	ln, err := net.Listen("tcp", o.http)
	if err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	defer ln.Close()
	srv := &http.Server{Handler: s.HTTPHandler(ln.Addr()), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(a.streams.Out, "heapsnap mcp: http://%s%s\n", ln.Addr(), mcp.HTTPPath)
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("mcp: %w", err)
	}
	return nil
}

// mcpRead analyzes a snapshot for the server as every command does. Its
// source-map resolver is not kept for the end-of-run warnings: a server
// runs for long, and the resolver would keep dropped snapshots alive.
func (a *app) mcpRead(name string, r io.Reader, size int64) (*devtools.Analysis, *retainers.Namer, error) {
	res, err := a.read(r, size, displayName(name), a.newBar(size, "reading", filepath.Base(displayName(name))))
	if err != nil {
		return nil, nil, err
	}
	return res, retainers.NewNamer(res, a.resolver(res)), nil
}

// configBudgets reads the budgets of a configuration file's check section
// as heapsnap check --config FILE does, environment variables included.
func (a *app) configBudgets(path string) (*budget.Budgets, error) {
	c := &app{streams: a.streams, build: a.build, v: viper.New()}
	check, _, err := c.newRootCmd().Find([]string{"check"})
	if err != nil {
		return nil, err
	}
	c.config.flag = path
	if err := c.readConfig(check); err != nil {
		return nil, err
	}
	return c.budgets()
}
