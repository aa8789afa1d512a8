package budget

import (
	"fmt"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// FactsOf reduces an analysis to what the budgets check; with budgets b
// it also finds the suspects b needs.
func FactsOf(res *devtools.Analysis, b *Budgets) *Facts {
	f := &Facts{TotalSize: res.TotalSize, Classes: ClassesOf(res)}
	if b != nil {
		addSuspects(f, res, b)
	}
	return f
}

// addSuspects runs the leak detectors the budgets need: every event with
// more than one listener for max_listeners, and the suspects of the listed
// kinds (of every kind for max_suspect_size) at b's thresholds.
func addSuspects(f *Facts, res *devtools.Analysis, b *Budgets) {
	if b.MaxListeners > 0 {
		for _, s := range suspects.Find(res, suspects.Options{Kinds: []suspects.Kind{suspects.Listeners}, MaxListeners: 1}) {
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
	opts.Kinds = nil
	if b.MaxSuspectSize == nil {
		for _, k := range b.FailOnSuspects {
			opts.Kinds = append(opts.Kinds, suspects.Kind(k))
		}
	}
	for _, s := range suspects.Find(res, opts) {
		f.Suspects = append(f.Suspects, SuspectFacts{Kind: string(s.Kind), Title: s.Title, RetainedSize: s.RetainedSize})
	}
}
