// Package suspects finds likely memory leaks in an analyzed heap snapshot:
// EventEmitter and EventTarget listeners that accumulate, detached DOM
// trees, oversized collections, duplicated strings and closures whose
// contexts hold large amounts of memory.
//
// Every detector reads the snapshot's graph and DevTools' numbers from an
// devtools.Analysis; none of them builds a reverse edge index, so finding
// suspects costs little memory beyond the analysis itself.
package suspects

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heapsnap/heapsnap/internal/retainers"
	"github.com/heapsnap/heapsnap/internal/sources"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Kind names a detector. The names are stable: configuration files refer
// to them (fail_on_suspects: [listeners, detached-dom]).
type Kind string

const (
	Listeners        Kind = "listeners"
	Timers           Kind = "timers"
	DetachedDOM      Kind = "detached-dom"
	Collection       Kind = "collection"
	DuplicateStrings Kind = "duplicate-strings"
	Closure          Kind = "closure"
	Promises         Kind = "promises"
)

// Kinds lists every kind, in the order the detectors run.
var Kinds = []Kind{Listeners, Timers, DetachedDOM, Collection, DuplicateStrings, Closure, Promises}

// ParseKind returns the kind with this name, or an error listing the
// valid names.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown suspect kind %q (want %s)", s, strings.Join(names, ", "))
}

// Options are the detectors' thresholds. The zero value of a field means
// its default (see DefaultOptions); Kinds selects the detectors.
type Options struct {
	// Kinds selects the detectors to run; nil runs all of them.
	Kinds []Kind
	// MaxListeners flags an event with more listeners than this on one
	// emitter, event target or DOM node (Node's own default limit is 10);
	// a negative value flags every event with a listener. Whether Node
	// already printed MaxListenersExceededWarning is reported as evidence.
	MaxListeners int
	// CollectionThreshold flags a Map, Set, Array or dictionary-like object
	// with at least this many entries.
	CollectionThreshold int
	// CollectionShare flags a collection with at least MinCollectionEntries
	// entries that retains at least this share of the heap, in percent,
	// when a variable of the program holds it (a collection only the
	// runtime reaches is not the program's).
	CollectionShare float64
	// MinCollectionEntries is the least number of entries of a collection
	// flagged for its share of the heap.
	MinCollectionEntries int
	// MinTimers flags a callback with at least this many timers pending
	// (setInterval never cleared, setTimeout chains).
	MinTimers int
	// MinReactions flags a pending promise with at least this many
	// reactions (then callbacks and awaits) waiting on it.
	MinReactions int
	// MinDuplicateWaste flags a string held in several copies when the
	// copies beyond the first take at least this many bytes.
	MinDuplicateWaste uint64
	// MinDuplicateCopies is the least number of copies reported.
	MinDuplicateCopies int
	// MinContextSize flags a closure whose context retains at least this
	// many bytes.
	MinContextSize uint64
	// MinDetachedNodes flags a group of detached DOM trees with at least
	// this many DOM nodes.
	MinDetachedNodes int
	// PathDepth bounds the owner paths, in edges from the root.
	PathDepth int
	// Names formats owner paths and locations (through source maps); nil
	// means compiled locations only.
	Names *retainers.Namer
}

// Default thresholds.
const (
	DefaultMaxListeners         = 10
	DefaultCollectionThreshold  = 10000
	DefaultCollectionShare      = 0.5
	DefaultMinCollectionEntries = 100
	DefaultMinTimers            = 10
	DefaultMinReactions         = 10
	DefaultMinDuplicateWaste    = 1000000
	DefaultMinDuplicateCopies   = 10
	DefaultMinContextSize       = 1000000
	DefaultMinDetachedNodes     = 1
	DefaultPathDepth            = retainers.MaxOwnerDepth
)

// DefaultOptions returns the default thresholds.
func DefaultOptions() Options {
	return Options{
		MaxListeners:         DefaultMaxListeners,
		CollectionThreshold:  DefaultCollectionThreshold,
		CollectionShare:      DefaultCollectionShare,
		MinCollectionEntries: DefaultMinCollectionEntries,
		MinTimers:            DefaultMinTimers,
		MinReactions:         DefaultMinReactions,
		MinDuplicateWaste:    DefaultMinDuplicateWaste,
		MinDuplicateCopies:   DefaultMinDuplicateCopies,
		MinContextSize:       DefaultMinContextSize,
		MinDetachedNodes:     DefaultMinDetachedNodes,
		PathDepth:            DefaultPathDepth,
	}
}

// Suspect is one finding. Count is what the kind counts: listeners for one
// event, DOM nodes in detached trees, entries of a collection, copies of a
// string, or closures. Exactly one evidence field is set, the one of Kind.
type Suspect struct {
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Detail is one more sentence of explanation (where the listeners were
	// created, what a closure's context holds, …).
	Detail       string `json:"detail,omitempty"`
	Count        int    `json:"count"`
	RetainedSize uint64 `json:"retained_size"`
	// Path is the owner path from a GC root or the global object to the
	// object the suspect is about ("global.processor.emitter"); empty when
	// there is none (e.g. duplicated strings).
	Path string `json:"path"`
	// ID is the node id of that object (0 when there is none).
	ID uint32 `json:"id"`
	// Created is where the code that made what accumulates is: the
	// listener or callback function, the values' constructor; nil when the
	// snapshot does not say.
	Created *Location `json:"created,omitempty"`
	// Holds is what each accumulated thing holds, what retains most first:
	// the variables of listener and callback closures, a collection's
	// values.
	Holds []Held `json:"holds,omitempty"`
	// Allocated is the stack that allocated what accumulates, when the
	// snapshot has allocation stacks.
	Allocated *Allocation `json:"allocated,omitempty"`
	// accumulated are the objects the suspect counts (listener functions,
	// callbacks, values, copies), whose allocation stacks say who made
	// them.
	accumulated []uint32

	// The evidence; JSON has it under "evidence" whatever the kind.
	Listeners   *ListenerEvidence   `json:"-"`
	Timers      *TimerEvidence      `json:"-"`
	Promises    *PromiseEvidence    `json:"-"`
	DetachedDOM *DetachedEvidence   `json:"-"`
	Collection  *CollectionEvidence `json:"-"`
	Strings     *StringEvidence     `json:"-"`
	Closure     *ClosureEvidence    `json:"-"`
}

// Evidence returns the kind-specific evidence.
func (s *Suspect) Evidence() any {
	switch {
	case s.Listeners != nil:
		return s.Listeners
	case s.Timers != nil:
		return s.Timers
	case s.Promises != nil:
		return s.Promises
	case s.DetachedDOM != nil:
		return s.DetachedDOM
	case s.Collection != nil:
		return s.Collection
	case s.Strings != nil:
		return s.Strings
	case s.Closure != nil:
		return s.Closure
	}
	return nil
}

// MarshalJSON writes the suspect with its evidence under "evidence".
func (s Suspect) MarshalJSON() ([]byte, error) {
	type plain Suspect // without this method
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // tag names such as <div> stay readable
	err := enc.Encode(struct {
		plain
		Evidence any `json:"evidence"`
	}{plain(s), s.Evidence()})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// ListenerEvidence describes the listeners of one event.
type ListenerEvidence struct {
	// Emitter is the class of the emitter or event target.
	Emitter   string `json:"emitter"`
	EmitterID uint32 `json:"emitter_id"`
	Event     string `json:"event"`
	// Target is "EventEmitter", "EventTarget" or "DOM".
	Target string `json:"target"`
	// Warned is set when the runtime already warned about this event
	// (MaxListenersExceededWarning's marker is in the snapshot).
	Warned bool `json:"warned"`
	// Groups are the listeners grouped by function and source location,
	// largest group first.
	Groups []FunctionGroup `json:"groups"`
}

// FunctionGroup is a set of functions with the same name and source
// location.
type FunctionGroup struct {
	Count int `json:"count"`
	// Once counts listeners registered with once() (still pending).
	Once     int      `json:"once,omitempty"`
	Function string   `json:"function"`
	Location Location `json:"location"`
}

// Location is a source position: where V8 recorded a function or a
// constructor, 1-based as an editor shows it, and where a source map puts
// it in the original source.
type Location = sources.Location

// Held is something the accumulated objects hold: a variable or property
// name and the class of its value, how many of them hold one, and what
// those values retain together.
type Held struct {
	Name         string `json:"name"`
	Class        string `json:"class"`
	Count        int    `json:"count"`
	RetainedSize uint64 `json:"retained_size"`
}

// TimerEvidence describes the pending timers of one callback.
type TimerEvidence struct {
	// Kind is "setInterval" or "setTimeout" (Node.js, Deno), or "timer"
	// in a page, whose snapshot does not tell them apart.
	Kind     string   `json:"kind"`
	Function string   `json:"function"`
	Location Location `json:"location"`
	Timers   int      `json:"timers"`
}

// PromiseEvidence describes the reactions waiting on one pending promise.
type PromiseEvidence struct {
	Reactions int `json:"reactions"`
	// Groups are the reactions by handler: the function a then() calls,
	// or the async function an await suspends.
	Groups []ReactionGroup `json:"groups"`
}

// ReactionGroup is the reactions of one handler.
type ReactionGroup struct {
	// Kind is "then" or "await".
	Kind     string   `json:"kind"`
	Count    int      `json:"count"`
	Function string   `json:"function"`
	Location Location `json:"location"`
}

// DetachedEvidence describes detached DOM trees held from the same place.
type DetachedEvidence struct {
	Trees []DetachedTree `json:"trees"`
	// Listeners are event listeners registered on the trees' nodes.
	Listeners []FunctionGroup `json:"listeners,omitempty"`
}

// DetachedTree is one detached DOM tree.
type DetachedTree struct {
	Root         string `json:"root"`
	ID           uint32 `json:"id"`
	Nodes        int    `json:"nodes"`
	RetainedSize uint64 `json:"retained_size"`
	Path         string `json:"path"`
}

// CollectionEvidence describes an oversized collection.
type CollectionEvidence struct {
	// Type is "Map", "Set", "Array" or "object".
	Type    string `json:"type"`
	Class   string `json:"class"`
	Entries int    `json:"entries"`
	// Values are the most common classes among the entries' values.
	Values []ClassCount `json:"values,omitempty"`
	// Keys are the most common shapes of the keys ('req-<n>'), or their
	// classes when they are not strings.
	Keys []ClassCount `json:"keys,omitempty"`
}

// ClassCount is a class name with a number of objects.
type ClassCount struct {
	Class string `json:"class"`
	Count int    `json:"count"`
}

// StringEvidence describes one duplicated string.
type StringEvidence struct {
	// Value is the string, clipped to 200 characters.
	Value       string `json:"value"`
	Length      int    `json:"length"`
	Copies      int    `json:"copies"`
	TotalSize   uint64 `json:"total_size"`
	WastedBytes uint64 `json:"wasted_bytes"`
}

// ClosureEvidence describes closures of one function whose contexts retain
// a lot.
type ClosureEvidence struct {
	Function string   `json:"function"`
	Location Location `json:"location"`
	Closures int      `json:"closures"`
	Contexts int      `json:"contexts"`
	// Variables are the context variables that retain the most, biggest
	// first.
	Variables []Variable `json:"variables,omitempty"`
}

// Variable is a context variable and what it retains.
type Variable struct {
	Name         string `json:"name"`
	Class        string `json:"class"`
	RetainedSize uint64 `json:"retained_size"`
}

// Find runs the selected detectors and returns their suspects, ranked by
// retained size, then count, then kind and title.
func Find(r *devtools.Analysis, opts Options) []Suspect {
	o := opts.withDefaults()
	if o.Names == nil {
		o.Names = retainers.NewNamer(r, nil)
	}
	return find(r, o)
}
