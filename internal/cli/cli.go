// Package cli is heapsnap's command line: cobra commands, configuration
// through viper, progress bars, exit codes and error messages. It is the
// only package that knows about any of these.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Exit codes, documented in every command's help.
const (
	ExitOK      = 0 // success; with check: every budget holds
	ExitBudget  = 1 // check: a budget is exceeded
	ExitUsage   = 2 // bad flags, arguments or configuration
	ExitFailure = 3 // unreadable or malformed snapshot, I/O error
	ExitSignal  = 130
)

const exitStatusHelp = `
Exit status:
  0  success (check: every budget holds)
  1  check: a budget is exceeded
  2  usage or configuration error
  3  unreadable or malformed snapshot, or another failure`

// Streams are the standard streams a run uses; tests pass buffers.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// BuildInfo identifies the binary. Release builds set it through ldflags;
// `go install` builds fall back to the module's build information.
type BuildInfo struct {
	Version, Commit, Date string
}

// Run is main's entry point: it runs the command line with the process's
// streams and arguments and returns the exit code.
func Run(build BuildInfo) int {
	// The graph arrays are pointer-free, so collecting often costs little
	// and keeps the peak close to what is live.
	debug.SetGCPercent(10)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "\nheapsnap: interrupted")
		os.Exit(ExitSignal)
	}()
	if path := os.Getenv("HEAPSNAP_CPUPROFILE"); path != "" {
		// For profiling heapsnap itself (docs/performance.md).
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	return Main(os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, build)
}

// Main runs heapsnap with args and returns the exit code. It never calls
// os.Exit, so tests run the whole command line in-process.
func Main(args []string, streams Streams, build BuildInfo) int {
	return (&app{streams: streams, build: build, v: viper.New()}).main(args)
}

func (a *app) main(args []string) int {
	streams := a.streams
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	err := root.Execute()
	a.warnSourceMaps()
	if err == nil {
		return ExitOK
	}
	code := a.exitCode(err)
	var usage *usageError
	if errors.As(err, &usage) && usage.cmd != nil {
		fmt.Fprintf(streams.Err, "heapsnap: %v\nRun '%s --help' for usage.\n", err, usage.cmd.CommandPath())
	} else if !errors.Is(err, errSilent) {
		fmt.Fprintf(streams.Err, "heapsnap: %v\n", err)
	}
	return code
}

// app holds what one run of the command line shares between commands.
type app struct {
	streams Streams
	build   BuildInfo
	v       *viper.Viper
	quiet   bool
	wide    bool // --wide: tables keep every cell whole (layout.go)
	// loadTotal is how many snapshots the command reads, loaded how many
	// it has started on: progress says which one it is at (progress.go).
	loadTotal, loaded int
	config            configState
	// running is set once a command's own code starts: errors before that
	// come from cobra's parsing and are usage errors.
	running bool
	trace   *tracer // see tracer()
	// resolvers are the source-map resolvers the run made, whose problems
	// are reported once at the end (sourcemaps.go).
	resolvers     []*sources.Resolver
	sourceMapDirs []string
	// intercept, when set (by tests), receives a command's checked
	// options instead of the command running.
	intercept func(opts any) error
}

// usageError is a mistake in flags, arguments or configuration (exit 2).
type usageError struct {
	err error
	cmd *cobra.Command
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// inputError is a snapshot that cannot be read (exit 3). It prints as
// "FILE: byte N: what is wrong".
type inputError struct {
	file string
	err  error
}

func (e *inputError) Error() string {
	err := e.err
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return e.file + ": " + err.Error()
}

func (e *inputError) Unwrap() error { return e.err }

// exitError carries an explicit exit code, e.g. a failed budget check.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errSilent ends a run with a code but without a message, for commands
// whose report already says what went wrong.
var errSilent = errors.New("silent")

func (a *app) exitCode(err error) int {
	var usage *usageError
	var exit *exitError
	var syntax *heapsnapshot.SyntaxError
	switch {
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &syntax):
		return ExitFailure
	case !a.running:
		// cobra's own errors: unknown command or flag, wrong arguments.
		return ExitUsage
	}
	return ExitFailure
}

func (a *app) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "heapsnap",
		Short: "Find memory leaks in V8 heap snapshots",
		Long: `heapsnap analyzes V8 heap snapshots (.heapsnapshot files written by Node.js,
Chrome, Electron and Deno): the Summary by constructor with DevTools-identical
shallow and retained sizes, the biggest retainers, leak suspects, comparisons
between snapshots, and memory budgets for CI.

Snapshots may be gzip-compressed; "-" reads standard input.
` + exitStatusHelp,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true}, // see completion.go
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.running = true
			if err := a.readConfig(cmd); err != nil {
				return err
			}
			return a.readSourceMapSettings()
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: flagError(err), cmd: cmd}
	})
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "no progress bar on stderr")
	root.PersistentFlags().BoolVar(&a.wide, "wide", false, "keep table cells whole instead of shortening them to fit the terminal")
	root.PersistentFlags().StringVar(&a.config.flag, "config", "", "configuration file (default .heapsnap.yaml in the working directory, or $HEAPSNAP_CONFIG)")
	a.addSourceMapFlags(root)
	root.AddCommand(
		a.newAnalyzeCmd(),
		a.newDiffCmd(),
		a.newNodesCmd(),
		a.newVersionCmd(),
		a.newCheckCmd(),
		a.newCompletionCmd(),
		a.newRetainersCmd(), a.newShowCmd(), a.newTopCmd(),
		a.newServeCmd(),
		a.newAllocationsCmd(),
	)
	return root
}

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{err: fmt.Errorf("%s: expected %s, got %d arguments", cmd.Name(), what, len(args)), cmd: cmd}
		}
		return nil
	}
}

// bindFlags binds every local flag of cmd to viper key "section.flag_name"
// and to the environment variable HEAPSNAP_FLAG_NAME, so that a value comes
// from the flag, else the environment, else the config file, else the
// default. A flag annotated with keyAnnotation uses that name instead of
// its own. Bound keys are the ones a config file may set (config.go).
func (a *app) bindFlags(cmd *cobra.Command, section string) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		name := strings.ReplaceAll(f.Name, "-", "_")
		if k := f.Annotations[keyAnnotation]; len(k) == 1 {
			name = k[0]
		}
		a.bindFlag(section+"."+name, f, "HEAPSNAP_"+strings.ToUpper(name))
	})
}

// bindFlag binds one flag to a viper key and an environment variable.
func (a *app) bindFlag(key string, f *pflag.Flag, env string) {
	if err := a.v.BindPFlag(key, f); err != nil {
		panic(err) // a programming error: the flag exists
	}
	if err := a.v.BindEnv(key, env); err != nil {
		panic(err)
	}
	a.config.bind(key, f, env)
}

// flagError rewrites a flag value the flag's type refuses in the words the
// settings use, rather than Go's parser's ("strconv.ParseInt: parsing …").
func flagError(err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return err
	}
	name := "--" + bad.GetFlag().Name
	switch bad.GetFlag().Value.Type() {
	case "int", "int64", "uint", "uint32", "uint64":
		return fmt.Errorf("%s: invalid number %q: want a whole number", name, bad.GetValue())
	case "bool":
		return fmt.Errorf("%s: invalid value %q: want true or false", name, bad.GetValue())
	}
	return fmt.Errorf("%s: invalid value %q", name, bad.GetValue())
}
