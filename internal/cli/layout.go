package cli

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/heapsnap/heapsnap/internal/report"
)

// layout is how wide the run's tables may be: as wide as $COLUMNS says,
// else as the terminal stdout is, else (a pipe, a file, a CI log) as wide
// as their cells, so that saved output does not depend on who ran it.
// --wide keeps every cell whole.
func (a *app) layout() report.Layout {
	if a.wide {
		return report.Layout{Wide: true}
	}
	return report.Layout{Width: outputWidth(a.streams.Out)}
}

// outputWidth is the width output to w is read at, 0 when unknown.
func outputWidth(w any) int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// write renders a view to stdout in format f, fitted to the layout.
func (a *app) write(f report.Format, v any) error {
	return report.WriteLayout(a.streams.Out, f, v, a.layout())
}
