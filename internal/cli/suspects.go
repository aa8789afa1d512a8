package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/heapsnap/heapsnap/internal/suspects"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// addSuspectFlags defines which leak detectors analyze runs, and their
// thresholds.
func addSuspectFlags(f *pflag.FlagSet) {
	f.Bool("suspects-only", false, "print only the leak suspects")
	f.String("suspects", "all", "detectors to run: all, none, or a comma-separated list of "+strings.Join(suspectKinds, ", "))
	addDetectorFlags(f)
}

// addDetectorFlags defines the leak detectors' thresholds, the same in
// every command that finds suspects (analyze, check).
func addDetectorFlags(f *pflag.FlagSet) {
	f.Int("listener-threshold", suspects.DefaultMaxListeners, "flag an event with more listeners than this on one emitter")
	f.Int("collection-threshold", suspects.DefaultCollectionThreshold, "flag a Map, Set, Array or dictionary with at least this many entries")
	f.String("collection-share", fmt.Sprintf("%g%%", suspects.DefaultCollectionShare), "flag a collection the program holds that retains at least this share of the heap and has --min-collection-entries entries")
	f.Int("min-collection-entries", suspects.DefaultMinCollectionEntries, "the least entries of a collection flagged for its --collection-share")
	f.Int("min-timers", suspects.DefaultMinTimers, "flag a callback with at least this many timers pending")
	f.Int("min-reactions", suspects.DefaultMinReactions, "flag a pending promise with at least this many reactions")
	f.String("min-duplicate-waste", "1MB", "flag a duplicated string whose extra copies take at least this much")
	f.Int("min-duplicate-copies", suspects.DefaultMinDuplicateCopies, "the least copies of a string flagged for --min-duplicate-waste")
	f.String("min-context-size", "1MB", "flag a closure whose context retains at least this much")
	f.Int("min-detached-nodes", suspects.DefaultMinDetachedNodes, "flag detached DOM trees of at least this many DOM nodes in all")
}

// suspectOptions reads the detector settings of a command section.
func (a *app) suspectOptions(st *settings) suspectSelection {
	sel := suspectSelection{opts: detectorOptions(st)}
	switch kinds := strings.ToLower(st.str("suspects")); kinds {
	case "", "all":
	case "none":
		sel.none = true
	default:
		for _, k := range strings.Split(kinds, ",") {
			kind, err := suspects.ParseKind(strings.TrimSpace(k))
			if err != nil {
				st.fail("suspects", "%v", err)
			}
			sel.opts.Kinds = append(sel.opts.Kinds, kind)
		}
	}
	return sel
}

// detectorOptions reads the thresholds addDetectorFlags defines.
func detectorOptions(st *settings) suspects.Options {
	opts := suspects.DefaultOptions()
	opts.MaxListeners = st.count("listener-threshold", 1)
	opts.CollectionThreshold = st.count("collection-threshold", 1)
	opts.CollectionShare = st.percent("collection-share")
	opts.MinCollectionEntries = st.count("min-collection-entries", 1)
	opts.MinTimers = st.count("min-timers", 1)
	opts.MinReactions = st.count("min-reactions", 1)
	// 0 would mean "the default" to the detectors; 1 byte flags all.
	opts.MinDuplicateWaste = max(st.size("min-duplicate-waste"), 1)
	opts.MinDuplicateCopies = st.count("min-duplicate-copies", 2)
	opts.MinContextSize = max(st.size("min-context-size"), 1)
	opts.MinDetachedNodes = st.count("min-detached-nodes", 1)
	return opts
}

// suspectSelection is the detectors' options, or none at all.
type suspectSelection struct {
	opts suspects.Options
	none bool
}

// kinds lists the detectors that run.
func (sel suspectSelection) kinds() []suspects.Kind {
	switch {
	case sel.none:
		return []suspects.Kind{}
	case sel.opts.Kinds == nil:
		return suspects.Kinds
	}
	return sel.opts.Kinds
}

func (a *app) findSuspects(res *devtools.Analysis, sel suspectSelection) []suspects.Suspect {
	if sel.none {
		return nil
	}
	o := sel.opts
	o.Names = a.namer(res)
	return a.suspects(res, o)
}
