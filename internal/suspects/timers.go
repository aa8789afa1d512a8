package suspects

import (
	"fmt"

	"github.com/heapsnap/heapsnap/internal/units"
)

// timers flags callbacks with at least MinTimers timers pending: a
// setInterval that is never cleared, setTimeout chains that re-arm
// themselves. Node.js and Deno keep Timeout objects in lists, each at its
// own depth, so they are grouped by what they call, not by where they hang;
// a page's DOMTimers, which do not say which kind they are, likewise.
func (f *finder) timers() []*Suspect {
	s := f.s
	type group struct {
		kind, label string
		fn          uint32
		timers      []uint32
		callbacks   []uint32
	}
	index := map[string]int{}
	var groups []*group
	for i := range uint32(s.NodeCount) {
		switch t := s.NodeType[i]; {
		case t == f.t.Object && f.names.is(s.NodeName[i], nTimeout):
		case t == f.t.Native && f.names.is(s.NodeName[i], nDOMTimer):
		default:
			continue
		}
		cb, kind, label, ok := f.o.Names.Timer(i)
		if !ok {
			continue
		}
		k, ok := index[label]
		if !ok {
			k = len(groups)
			index[label] = k
			groups = append(groups, &group{kind: kind, label: label, fn: cb})
		}
		groups[k].timers = append(groups[k].timers, i)
		groups[k].callbacks = append(groups[k].callbacks, cb)
	}
	var out []*Suspect
	for _, g := range groups {
		n := len(g.timers)
		if n < f.o.MinTimers {
			continue
		}
		var retained uint64
		for _, t := range g.timers {
			retained += f.r.Retained.At(t)
		}
		name, loc := f.function(g.fn)
		// The path names the callback: "… at setInterval callback poll at
		// app.js:21:44".
		var title string
		switch g.kind {
		case "setInterval":
			title = fmt.Sprintf("%s setInterval timers never cleared", units.Count(n))
		case "setTimeout":
			title = fmt.Sprintf("%s setTimeout timers pending", units.Count(n))
		default:
			title = fmt.Sprintf("%s timers pending", units.Count(n))
		}
		sus := &Suspect{
			Kind: Timers, Title: title, Count: n, RetainedSize: retained, Path: g.label, ID: s.NodeID[g.timers[0]],
			Created: &loc, Holds: f.holds(g.callbacks), accumulated: g.callbacks,
			Timers: &TimerEvidence{Kind: g.kind, Function: name, Location: loc, Timers: n},
		}
		sus.Detail = "created by " + name
		if loc.File != "" {
			sus.Detail += " at " + loc.String()
		}
		if len(sus.Holds) > 0 {
			sus.Detail += "; each holds " + holdsText(sus.Holds)
		}
		out = append(out, sus)
	}
	return out
}
