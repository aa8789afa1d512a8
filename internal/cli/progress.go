package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/heapsnap/heapsnap/internal/report"
)

// progress is a one-line progress bar on stderr, or nothing when stderr
// is not a terminal, $CI is set or --quiet is given. It shows up only
// after progressDelay, so that a quick step does not flash, and so that
// the rate it shows is an average over a second at least: the parser's
// first report can come microseconds after a read of megabytes.
type progress struct {
	mu       sync.Mutex
	start    func() *progressbar.ProgressBar // the bar to show, once shown
	bar      *progressbar.ProgressBar
	timer    *time.Timer
	done     bool
	read     int64 // the latest byte count, for a bar made later
	spinning bool
	// width, verb and label lay the line out; label names the snapshot
	// (loadLabel) for the bars that follow this one.
	width       int
	verb, label string
}

const progressDelay = time.Second

func (a *app) showProgress() bool {
	if a.quiet || os.Getenv("CI") != "" {
		return false
	}
	f, ok := a.streams.Err.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// loadLabel names the snapshot a bar is about: its file name and, when a
// command reads several (diff), which one of how many.
func (a *app) loadLabel(path string) string {
	label := filepath.Base(displayName(path))
	if a.loadTotal > 1 {
		a.loaded++
		label += fmt.Sprintf(" (%d/%d)", a.loaded, a.loadTotal)
	}
	return label
}

// newBar starts a bar over total bytes, or a spinner when total < 0,
// saying what it does (verb) to what (label).
func (a *app) newBar(total int64, verb, label string) *progress {
	if !a.showProgress() {
		return &progress{done: true, label: label}
	}
	width := 80
	if f, ok := a.streams.Err.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			width = w
		}
	}
	w := a.streams.Err
	p := &progress{spinning: total < 0, width: width, verb: verb, label: label}
	if p.spinning {
		// A spinner draws itself from the start: it is made when shown,
		// saying what it is at by then.
		p.start = func() *progressbar.ProgressBar { return newProgressBar(w, width, total, p.verb, p.label) }
	} else {
		// A bar over bytes is made now, which starts the clock its rate
		// is measured from, and drawn from its first update once shown.
		bar := newProgressBar(w, width, total, verb, label)
		if bar != nil {
			bar.StartWithoutRender()
		}
		p.start = func() *progressbar.ProgressBar { return bar }
	}
	p.timer = time.AfterFunc(progressDelay, p.show)
	return p
}

// barLayout fits a bar's line in a terminal of width columns, leaving the
// last column free (writing there wraps on some terminals, and a wrapped
// line cannot be cleared): it shortens the label in the middle and
// narrows the bar, and drops the time estimate on a narrow terminal. ok is
// false when not even that fits.
func barLayout(width int, verb, label string, bytes bool) (desc string, barWidth int, predict, ok bool) {
	usable := width - 1
	// What the line holds besides the description and the bar: " 42% |",
	// "| (999 MB/s)" and " [59m59s:59m59s]"; a spinner's "⠋ " and
	// " [59m59s] ".
	overhead, minBar, maxBar := 20, 6, 30
	if bytes {
		predict = usable >= overhead+16+minBar+16
		if predict {
			overhead += 16
		}
	} else {
		overhead, minBar, maxBar = 14, 0, 0
	}
	room := usable - overhead - minBar
	if room < 24 && minBar > 0 {
		// On a narrow terminal the name matters more than the bar.
		room, minBar = usable-overhead-2, 2
	}
	if verb != "" {
		room -= twwidth.Width(verb) + 1
		verb += " "
	}
	if room < 8 {
		return "", 0, false, false
	}
	desc = verb + report.Shorten(label, room)
	barWidth = min(maxBar, usable-overhead-twwidth.Width(desc))
	return desc, barWidth, predict, true
}

// newProgressBar makes the bar itself, fitted to width.
func newProgressBar(w io.Writer, width int, total int64, verb, label string) *progressbar.ProgressBar {
	desc, barWidth, predict, ok := barLayout(width, verb, label, total >= 0)
	if !ok {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
	}
	if total >= 0 {
		opts = append(opts, progressbar.OptionSetWidth(barWidth), progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(predict))
	} else {
		opts = append(opts, progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetSpinnerChangeInterval(100*time.Millisecond))
	}
	return progressbar.NewOptions64(total, opts...)
}

// show makes the bar, once the delay is past.
func (p *progress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.bar = p.start()
	if p.bar == nil {
		p.done = true
		return
	}
	if p.spinning {
		_ = p.bar.Add(1)
	} else {
		_ = p.bar.Set64(p.read)
	}
}

func (p *progress) set(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read = n
	if p.bar != nil && !p.done {
		_ = p.bar.Set64(n)
	}
}

// describe says what a spinner is at now, and moves it on.
func (p *progress) describe(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	if p.bar != nil && !p.done {
		if desc, _, _, ok := barLayout(p.width, p.verb, label, false); ok {
			p.bar.Describe(desc)
		}
		_ = p.bar.Add(1)
	}
}

// tick moves a spinner on.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.done {
		_ = p.bar.Add(1)
	}
}

// finish clears the bar, or stops it from showing up.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
