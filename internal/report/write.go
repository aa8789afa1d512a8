package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/internal/views"
)

// Formats lists every output format, for help texts and completion.
var Formats = []Format{Table, JSON, Markdown, TSV, HTML, PProf}

// ParseFormat returns the format named s (in any case), which must be
// one of allowed.
func ParseFormat(s string, allowed []Format) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(allowed, f) {
		return f, nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", fmt.Errorf("invalid format %q: use %s", s, strings.Join(names, ", "))
}

// Write renders v, a view (package views), in format f, its tables as
// wide as their cells. JSON has every view; tables and Markdown every one
// but Nodes, which is TSV or JSON; HTML is the Overview's, pprof the
// Profile's.
func Write(w io.Writer, f Format, v any) error { return WriteLayout(w, f, v, Layout{}) }

// WriteLayout is Write with tables fitted to l.
func WriteLayout(w io.Writer, f Format, v any, l Layout) error {
	switch v := v.(type) {
	case views.Nodes:
		if f != TSV && f != JSON {
			return unsupported(f, "nodes")
		}
		return writeNodes(w, v, f)
	case views.Stacks:
		if f != TSV && f != JSON {
			return unsupported(f, "allocation stacks")
		}
		return writeStacks(w, v, f)
	case *views.Allocations:
		if f == TSV {
			return writeAllocations(w, v, f, l)
		}
	}
	switch f {
	case JSON:
		return WriteJSON(w, v)
	case HTML:
		if o, ok := v.(*views.Overview); ok {
			return writeHTML(w, o)
		}
		return unsupported(f, fmt.Sprintf("%T", v))
	case PProf:
		if p, ok := v.(*views.Profile); ok {
			return writeProfile(w, p)
		}
		return unsupported(f, fmt.Sprintf("%T", v))
	case Table, Markdown:
	default:
		return unsupported(f, fmt.Sprintf("%T", v))
	}
	switch v := v.(type) {
	case *views.Analyze:
		return writeAnalyze(w, v, f, l)
	case *views.SuspectsReport:
		return writeSuspects(w, v, f, l)
	case *views.Diff:
		return writeDiff(w, v, f, l)
	case *views.Series:
		return writeSeries(w, v, f, l)
	case *views.Retainers:
		return writeRetainers(w, v, f, l)
	case *views.Show:
		return writeShow(w, v, f, l)
	case *views.Top:
		return writeTop(w, v, f, l)
	case *views.Check:
		return writeCheck(w, v, f, l)
	case *views.Allocations:
		return writeAllocations(w, v, f, l)
	}
	return fmt.Errorf("report: no renderer for %T", v)
}

func unsupported(f Format, what string) error {
	return fmt.Errorf("report: %s output is not available for %s", f, what)
}
