package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapsnap/heapsnap/internal/diff"
	"github.com/heapsnap/heapsnap/internal/serve"
	"github.com/heapsnap/heapsnap/internal/suspects"
)

func (a *app) newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve FILE [BASE]",
		Short: "Explore a snapshot in the browser: a local web UI",
		Long: `Serve analyzes a snapshot once, then explores it in a web browser, as DevTools'
Memory panel does but at heapsnap's speed: the Summary (classes with count,
shallow and retained size and distance, sortable and filterable; a class
expands into its instances, an instance into its references), one object with
its owner path, dominators, retainers and retainer chains, the leak suspects,
the Statistics, and the dominator tree as a zoomable icicle (width = retained
size). With BASE, an earlier snapshot of the same process, it also shows
DevTools' Comparison of FILE against BASE with each class's retained size in
both.

The page is built into heapsnap and needs no network. It asks the server for
one page of rows at a time, so a heap of any size stays quick to browse; the
JSON it reads is under /api/ (the same data as --format json of analyze, show,
retainers, top and diff).

It prints the address to open and serves until interrupted (Ctrl-C).

Security: it listens on 127.0.0.1 unless --addr says otherwise, answers only
requests addressed to the address it serves (a web page that points its own
host name at this machine is refused), and is read-only: it answers GET and
HEAD only, and nothing it serves writes a file or changes the snapshot. Anyone
who can reach the address can read the whole heap, which may hold secrets:
do not serve on a non-loopback address you do not trust.
` + exitStatusHelp,
		Example: `  heapsnap serve heap.heapsnapshot
  heapsnap serve heap.heapsnapshot --open
  heapsnap serve after.heapsnapshot before.heapsnapshot --addr 127.0.0.1:8080`,
		Args: rangeArgs(1, 2, "a snapshot file and optionally a base snapshot"),
	}
	f := cmd.Flags()
	f.String("addr", "127.0.0.1:0", "`HOST:PORT` to listen on (port 0 picks a free one)")
	f.Bool("open", false, "open the page in the default browser")
	f.String("match", string(diff.MatchAuto), "with BASE: how objects are matched: "+strings.Join(matchModes, ", "))
	a.bindFlags(cmd, "serve")
	completeChoices(cmd, "match", matchModes)
	cmd.RunE = runE(a, a.serveOptions, a.serve)
	return cmd
}

// serveOptions are the settings of `heapsnap serve`.
type serveOptions struct {
	file, base string
	addr       string
	open       bool
	match      diff.Mode
}

func (a *app) serveOptions(args []string) (*serveOptions, error) {
	st := a.settings("serve")
	o := &serveOptions{file: args[0], addr: st.str("addr"), open: st.flag("open"), match: diff.Mode(st.oneOf("match", matchModes))}
	if len(args) == 2 {
		o.base = args[1]
	}
	if st.err != nil {
		return nil, st.err
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return nil, usagef("%s: invalid address %q: want HOST:PORT, e.g. 127.0.0.1:8080", a.origin("serve.addr"), o.addr)
	}
	if countStdin(args) > 1 {
		return nil, usagef("standard input (-) can be read only once")
	}
	return o, nil
}

// serveContext is how long serve runs: until the process is interrupted.
// Tests replace it to stop the server.
var serveContext = context.Background

// openBrowser opens url in the default browser.
var openBrowser = func(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}

func (a *app) serve(o *serveOptions) error {
	// Listen first: a taken port fails at once, not after the analysis.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	res, err := a.load(o.file)
	if err != nil {
		return err
	}
	names := a.namer(res)
	opts := serve.Options{File: displayName(o.file), SuspectKinds: suspects.Kinds, Names: names}
	if o.base != "" {
		// The base is reduced to its census and released; FILE stays.
		if opts.Pair, err = diff.CompareToBase(res, names, o.file, o.base, a.loadNamed, o.match); err != nil {
			return err
		}
		opts.BaseFile = displayName(o.base)
	}
	trace := a.tracer()
	trace.step("suspects")
	opts.Suspects = a.suspects(res, suspects.Options{Names: names})
	trace.step("serve indexes")
	a.serveIndexes(res, &opts)
	h := serve.NewHeap(res, opts)
	trace.step("")
	hosts := serve.Hosts(ln.Addr())
	srv := &http.Server{Handler: serve.Handler(h, hosts), ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + hosts[0] + "/"
	fmt.Fprintf(a.streams.Out, "heapsnap serve: %s\n", url)
	fmt.Fprintln(a.streams.Err, "heapsnap: serving read-only; press Ctrl-C to stop")
	if o.open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(a.streams.Err, "heapsnap: warning: could not open a browser: %v\n", err)
		}
	}
	ctx := serveContext()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
