package budget

import (
	"fmt"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// FactsOf reduces an analysis to what the budgets check; with budgets b
// it also finds the suspects b needs, their paths and locations written by
// names (nil: compiled locations, no source maps).
func FactsOf(res *devtools.Analysis, b *Budgets, names *retainers.Namer) *Facts {
	f := &Facts{TotalSize: res.TotalSize, Classes: ClassesOf(res)}
	if b != nil {
		addSuspects(f, res, b, names)
	}
	return f
}

// addSuspects runs the leak detectors the budgets need: every event with
// more than one listener for max_listeners, and the suspects of the listed
// kinds (of every kind for max_suspect_size) at b's thresholds.
func addSuspects(f *Facts, res *devtools.Analysis, b *Budgets, names *retainers.Namer) {
	if b.MaxListeners > 0 {
		for _, s := range suspects.Find(res, suspects.Options{Kinds: []suspects.Kind{suspects.Listeners}, MaxListeners: 1, Names: names}) {
			l := s.Listeners
			if l == nil {
				continue
			}
			target := l.Emitter
			if s.Path != "" {
				target += " at " + s.Path
			} else {
				target += fmt.Sprintf(" @%d", l.EmitterID)
			}
			f.Listeners = append(f.Listeners, ListenerFacts{Target: target, Event: l.Event, Count: s.Count})
		}
	}
	if len(b.FailOnSuspects) == 0 && b.MaxSuspectSize == nil {
		return
	}
	opts := b.Detectors
	opts.Kinds, opts.Names = nil, names
	if b.MaxSuspectSize == nil {
		for _, k := range b.FailOnSuspects {
			opts.Kinds = append(opts.Kinds, suspects.Kind(k))
		}
	}
	for _, s := range suspects.Find(res, opts) {
		f.Suspects = append(f.Suspects, SuspectFacts{Kind: string(s.Kind), Title: s.Title, RetainedSize: s.RetainedSize})
	}
}
