package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// displayName is how a snapshot argument appears in messages.
func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// load reads and analyzes a snapshot, showing progress on a terminal, or
// opens its analysis from the cache (cache.go).
func (a *app) load(path string) (*devtools.Analysis, error) {
	entry := a.cacheEntry(path)
	if entry != nil {
		trace := a.tracer()
		trace.step("cache")
		res := entry.LoadAnalysis()
		trace.step("")
		if res != nil {
			a.remember(res, entry)
			return res, nil
		}
	}
	res, err := a.readAndAnalyze(path)
	if err == nil && entry != nil {
		entry.SaveAnalysis(res)
		a.remember(res, entry)
	}
	return res, err
}

// readAndAnalyze reads and analyzes a snapshot.
func (a *app) readAndAnalyze(path string) (*devtools.Analysis, error) {
	var r io.Reader
	size := int64(-1)
	if path == "-" {
		r = a.streams.In
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, &inputError{file: path, err: err}
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			if st.IsDir() {
				return nil, &inputError{file: path, err: errIsDir}
			}
			if st.Mode().IsRegular() {
				size = st.Size()
			}
		}
		r = f
	}
	return a.read(r, size, displayName(path), a.newBar(size, "reading", a.loadLabel(path)))
}

// read parses a snapshot of size bytes (-1: unknown) from r, with bar
// following the bytes read, and analyzes it; name is how messages call it.
func (a *app) read(r io.Reader, size int64, name string, bar *progress) (*devtools.Analysis, error) {
	trace := a.tracer()
	trace.step("parse")
	snap, err := heapsnapshot.Read(r, size, heapsnapshot.Options{Progress: bar.set, MaxInflate: a.maxInflate})
	bar.finish()
	if err != nil {
		return nil, &inputError{file: name, err: err}
	}
	// The stages' names are for HEAPSNAP_TRACE; the spinner only moves.
	steps := a.newBar(-1, "analyzing", bar.label)
	opts := devtools.Options{ReturnMemory: true, Progress: func(stage string) {
		trace.step(stage)
		steps.tick()
	}}
	if snap.NodeCount >= parkThreshold {
		opts.LowMemory = true
		if dir := spillDir(); dir != "off" && !a.noSpill {
			opts.SpillDir = dir
		}
	}
	res, err := devtools.Analyze(snap, opts)
	steps.finish()
	trace.step("")
	if err != nil {
		return nil, &inputError{file: name, err: fmt.Errorf("reading back spilled data: %w", err)}
	}
	return res, nil
}

// parkThreshold is the node count from which the analysis parks columns
// (compressed in memory, and what that does not save in a temporary file)
// during its most memory-hungry stage (about 150 MB of snapshot).
const parkThreshold = 2_000_000

// spillDir is where the analysis writes parked columns that compression
// does not make small enough: $HEAPSNAP_SPILL_DIR (or "off" to keep them
// in memory), else the system's temporary directory.
func spillDir() string {
	if dir := os.Getenv("HEAPSNAP_SPILL_DIR"); dir != "" {
		return dir
	}
	return os.TempDir()
}

// residentSet reports the process's resident and peak resident memory
// where /proc tells them (Linux).
func residentSet() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	var out string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				out += fmt.Sprintf("  %s %6d MB", strings.TrimSuffix(f[0], ":"), kb>>10)
			}
		}
	}
	return out
}

// tracer prints each stage's wall time and the heap in use after it to
// stderr when HEAPSNAP_TRACE is set: the figures docs/performance.md
// quotes.
type tracer struct {
	w     io.Writer
	name  string
	start time.Time
	cpu   cpuCounters
}

// cpuCounters are the process's CPU times (in clock ticks) and minor page
// faults, from /proc/self/stat (Linux): a stage's share of each says
// whether it computes, waits on memory, or faults pages in.
type cpuCounters struct {
	user, sys, faults int64
	ok                bool
}

func readCPUCounters() cpuCounters {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return cpuCounters{}
	}
	return parseProcStat(b)
}

// parseProcStat reads the counters from a /proc/PID/stat line.
func parseProcStat(b []byte) cpuCounters {
	// The fields after the command name, which is in parentheses and may
	// hold spaces and parentheses: state is field 3, minflt 10, utime 14,
	// stime 15.
	k := bytes.LastIndexByte(b, ')')
	if k < 0 {
		return cpuCounters{}
	}
	f := strings.Fields(string(b[k+1:]))
	if len(f) < 13 {
		return cpuCounters{}
	}
	num := func(i int) int64 {
		v, _ := strconv.ParseInt(f[i-3], 10, 64)
		return v
	}
	return cpuCounters{user: num(14), sys: num(15), faults: num(10), ok: true}
}

// since formats the CPU seconds and page faults from c to now.
func (c cpuCounters) since(now cpuCounters) string {
	if !c.ok || !now.ok {
		return ""
	}
	const ticks = 100 // USER_HZ, 100 on every Linux ABI Go supports
	return fmt.Sprintf("  user %5.2fs  sys %5.2fs  faults %7d",
		float64(now.user-c.user)/ticks, float64(now.sys-c.sys)/ticks, now.faults-c.faults)
}

// tracer returns the run's tracer, nil unless HEAPSNAP_TRACE is set.
func (a *app) tracer() *tracer {
	if a.trace == nil && os.Getenv("HEAPSNAP_TRACE") != "" {
		a.trace = &tracer{w: a.streams.Err}
	}
	return a.trace
}

func (t *tracer) step(next string) {
	if t == nil {
		return
	}
	now, cpu := time.Now(), readCPUCounters()
	if t.name != "" {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(t.w, "trace: %-16s %7.3fs  heap %6d MB  sys %6d MB%s%s\n", t.name, now.Sub(t.start).Seconds(), m.HeapAlloc>>20, m.Sys>>20, residentSet(), t.cpu.since(cpu))
	}
	t.name, t.start, t.cpu = next, now, cpu
}

type dirError struct{}

func (dirError) Error() string { return "is a directory" }

var errIsDir = dirError{}

// loadNamed is load with the analysis' namer: a diff.Loader.
func (a *app) loadNamed(path string) (*devtools.Analysis, *retainers.Namer, error) {
	r, err := a.load(path)
	if err != nil {
		return nil, nil, err
	}
	return r, a.namer(r), nil
}

// namer returns how owner paths and locations of an analysis are written:
// through the source maps the scripts name, that lie next to them, or
// that --source-maps directories hold.
func (a *app) namer(r *devtools.Analysis) *retainers.Namer {
	res := a.resolver(r)
	a.resolvers = append(a.resolvers, res)
	return retainers.NewNamer(r, res)
}

// resolver is the source-map resolver of an analysis.
func (a *app) resolver(r *devtools.Analysis) *sources.Resolver {
	s := r.Snapshot
	return sources.NewResolver(s, sources.ScriptsOf(s), sources.Options{Dirs: a.sourceMapDirs, NoMaps: a.noSourceMaps(), ReadFile: a.readSourceFile})
}
