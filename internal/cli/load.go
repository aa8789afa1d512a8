package cli

import (
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/heapsnap/heapsnap/internal/analysis"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// displayName is how a snapshot argument appears in messages.
func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// load reads and analyzes a snapshot, showing progress on a terminal.
func (a *app) load(path string) (*analysis.Result, error) {
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
	bar := a.newBar(size, "reading "+filepath.Base(displayName(path)))
	snap, err := heapsnapshot.Read(r, size, heapsnapshot.Options{Progress: bar.set})
	bar.finish()
	if err != nil {
		return nil, &inputError{file: displayName(path), err: err}
	}
	steps := a.newBar(-1, "analyzing")
	res := analysis.Analyze(snap, analysis.Options{Step: func(name string) { steps.describe("analyzing: " + name) }})
	steps.finish()
	return res, nil
}

type dirError struct{}

func (dirError) Error() string { return "is a directory" }

var errIsDir = dirError{}

// progress is a progress bar on stderr, or nothing when stderr is not a
// terminal or --quiet is given.
type progress struct {
	bar *progressbar.ProgressBar
}

func (a *app) showProgress() bool {
	if a.quiet || os.Getenv("CI") != "" {
		return false
	}
	f, ok := a.streams.Err.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newBar starts a bar over total bytes, or a spinner when total < 0.
func (a *app) newBar(total int64, description string) *progress {
	if !a.showProgress() {
		return &progress{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(a.streams.Err),
		progressbar.OptionSetDescription(description),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	}
	if total >= 0 {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true))
	} else {
		opts = append(opts, progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true))
	}
	return &progress{bar: progressbar.NewOptions64(total, opts...)}
}

func (p *progress) set(n int64) {
	if p.bar != nil {
		_ = p.bar.Set64(n)
	}
}

func (p *progress) describe(s string) {
	if p.bar != nil {
		p.bar.Describe(s)
		_ = p.bar.Add(1)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
