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
	"sync/atomic"
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

// exitStatusHelp ends the help of a command that has no budgets;
// checkExitStatusHelp ends check's, rootExitStatusHelp the root's.
const (
	exitStatusHelp = `
Exit status:
  0  success
  2  usage or configuration error
  3  unreadable or malformed snapshot, or another failure`
	checkExitStatusHelp = `
Exit status:
  0  every budget holds
  1  a budget is exceeded
  2  usage or configuration error
  3  unreadable or malformed snapshot, or another failure`
	rootExitStatusHelp = `
Exit status:
  0  success (check: every budget holds)
  1  check: a budget is exceeded
  2  usage or configuration error
  3  unreadable or malformed snapshot, or another failure`
)

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
	a := newApp(Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, build)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "\nheapsnap: interrupted")
		// A command may wind down itself (capture closes the inspector it
		// opened); a second interrupt does not wait for it.
		windsDown := make(chan bool, 1)
		go func() { windsDown <- a.interrupt() }()
		select {
		case wait := <-windsDown:
			if wait {
				<-sig
			}
		case <-sig:
		}
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
	return a.main(os.Args[1:])
}

// Main runs heapsnap with args and returns the exit code. It never calls
// os.Exit, so tests run the whole command line in-process.
func Main(args []string, streams Streams, build BuildInfo) int {
	return newApp(streams, build).main(args)
}

func newApp(streams Streams, build BuildInfo) *app {
	return &app{streams: streams, build: build, v: viper.New()}
}

func (a *app) main(args []string) int {
	streams := a.streams
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	err := root.Execute()
	a.closeCache()
	// A failed run's one line is its error; the warnings are for a report.
	if err == nil || errors.Is(err, errSilent) {
		a.warnSourceMaps()
	}
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
	cache   cacheState
	// resolvers are the source-map resolvers the run made, whose problems
	// are reported once at the end (sourcemaps.go).
	resolvers     []*sources.Resolver
	sourceMapDirs []string
	// maxInflate is heapsnapshot.Options.MaxInflate (--max-inflate).
	maxInflate float64
	// noSpill keeps parked columns in memory (heapsnap mcp writes nothing).
	noSpill bool
	// intercept, when set (by tests), receives a command's checked
	// options instead of the command running.
	intercept func(opts any) error
	// onInterrupt, when set, is how a running command is told of Ctrl-C:
	// it returns true when the command winds down itself (capture.go).
	onInterrupt atomic.Pointer[func() bool]
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

Snapshots may be gzip-compressed; "-" reads standard input. Every setting
of every command can also come from an environment variable or the config
file: see docs/config.md.
` + rootExitStatusHelp,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true}, // see completion.go
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.running = true
			if err := a.readConfig(cmd); err != nil {
				return err
			}
			a.warnUnscopedEnv(cmd)
			if err := a.readInflateSetting(); err != nil {
				return err
			}
			if err := a.readSourceMapSettings(); err != nil {
				return err
			}
			_, err := a.openCache()
			return err
		},
	}
	// --version prints what the version command prints.
	root.Version = "set"
	root.SetVersionTemplate(a.versionText())
	root.Flags().Bool("version", false, "print heapsnap's version")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: flagError(err), cmd: cmd}
	})
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "no progress bar on stderr")
	root.PersistentFlags().BoolVar(&a.wide, "wide", false, "keep table cells whole instead of shortening them to fit the terminal")
	root.PersistentFlags().StringVar(&a.config.flag, "config", "", "configuration file (default .heapsnap.yaml in the working directory, or $HEAPSNAP_CONFIG)")
	a.addSourceMapFlags(root)
	a.addInflateFlag(root)
	a.addCacheFlags(root)
	a.setHelp(root)
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
		a.newCaptureCmd(),
		a.newMCPCmd(),
		a.newCacheCmd(),
	)
	a.completeValues(root)
	return root
}

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs { return rangeArgs(n, n, what) }

// rangeArgs accepts from least to most arguments (most < 0: any number),
// else returns a usage error saying what was expected.
func rangeArgs(least, most int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < least || most >= 0 && len(args) > most {
			return &usageError{err: fmt.Errorf("%s: expected %s, got %s", cmd.Name(), what, countOf(len(args), "argument")), cmd: cmd}
		}
		return nil
	}
}

// countOf writes a count with its noun: "no arguments", "1 argument",
// "3 arguments".
func countOf(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun + "s"
	case 1:
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// bindFlags binds every local flag of cmd to viper key "section.flag_name"
// and to the environment variable HEAPSNAP_SECTION_FLAG_NAME, so that a
// value comes from the flag, else the environment, else the config file,
// else the default. A flag annotated with keyAnnotation uses that name
// instead of its own. Every key and variable carries its section, so that
// one set for one command never reaches another (HEAPSNAP_CHECK_FORMAT
// does not change nodes' format). Bound keys are the ones a config file
// may set (config.go).
func (a *app) bindFlags(cmd *cobra.Command, section string) {
	a.config.section(cmd, section)
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		name := strings.ReplaceAll(f.Name, "-", "_")
		if k := f.Annotations[keyAnnotation]; len(k) == 1 {
			name = k[0]
		}
		a.bindFlag(section+"."+name, f)
	})
}

// bindFlag binds one flag to a viper key and to the environment variable
// named after the key (envName).
func (a *app) bindFlag(key string, f *pflag.Flag) {
	env := envName(key)
	if err := a.v.BindPFlag(key, f); err != nil {
		panic(err) // a programming error: the flag exists
	}
	if err := a.v.BindEnv(key, env); err != nil {
		panic(err)
	}
	a.config.bind(key, f, env)
}

// envName is the environment variable of a configuration key:
// check.max_total_size is HEAPSNAP_CHECK_MAX_TOTAL_SIZE.
func envName(key string) string {
	return "HEAPSNAP_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// flagError rewrites a flag value the flag's type refuses in the words the
// settings use, rather than Go's parser's ("strconv.ParseInt: parsing …").
func flagError(err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			for from, to := range renamedKeys {
				_, old, _ := strings.Cut(from, ".")
				if strings.ReplaceAll(name, "-", "_") == old {
					_, nw, _ := strings.Cut(to, ".")
					return fmt.Errorf("%v (renamed --%s)", err, strings.ReplaceAll(nw, "_", "-"))
				}
			}
		}
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
