package suspects

import (
	"fmt"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Target kinds of ListenerEvidence.
const (
	TargetEventEmitter = "EventEmitter"
	TargetEventTarget  = "EventTarget"
	TargetDOM          = "DOM"
)

// Event is the listeners of one event on one emitter or event target.
type Event struct {
	Emitter uint32 // the emitter's node ordinal
	Target  string // TargetEventEmitter, TargetEventTarget or TargetDOM
	// Name is the event name; empty for DOM listeners, whose type the
	// snapshot does not record.
	Name string
	// Storage is the node holding the listener list (an Array, the single
	// function, or the first node of an EventTarget's list); its retained
	// size is what the listeners retain.
	Storage   uint32
	Functions []uint32 // the user's listener functions (once() wrappers unwrapped)
	Once      []bool   // whether each listener was added with once()
	Warned    bool
}

// Events lists every event with at least one listener on every Node.js
// EventEmitter and EventTarget and on every DOM node of a browser
// snapshot, in node order. It serves the listeners detector and
// comparisons between snapshots.
func Events(r *devtools.Analysis) []Event { return newFinder(r, DefaultOptions()).events() }

func (f *finder) events() []Event {
	var out []Event
	s := f.s
	for i := uint32(0); i < uint32(s.NodeCount); i++ {
		t := s.NodeType[i]
		if t != f.t.Object && t != f.t.Native {
			continue
		}
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			et, to := s.EdgeType[e], s.EdgeTo[e]
			switch {
			case et == f.t.Property && f.names.is(s.EdgeName[e], nEvents):
				out = f.emitterEvents(i, to, out)
			case et == f.t.Property && f.names.is(s.EdgeName[e], nKEvents):
				out = f.targetEvents(i, to, out)
			case et == f.t.Property && t == f.t.Object && f.names.is(s.EdgeName[e], nBareSymbol):
				out = f.webTargetEvents(i, to, out)
			case t == f.t.Native && et != f.t.Weak && f.names.is(s.NodeName[to], nEventTargetData):
				out = f.domEvents(i, to, out)
			}
		}
	}
	return out
}

// emitterEvents reads an EventEmitter's _events object: per event name,
// one function or an Array of them; keys set to undefined (streams
// pre-allocate some) are not listeners.
func (f *finder) emitterEvents(emitter, events uint32, out []Event) []Event {
	s := f.s
	if s.NodeType[events] != f.t.Object {
		return out // EventEmitter.prototype's _events is undefined
	}
	for e := s.FirstEdge[events]; e < s.FirstEdge[events+1]; e++ {
		if s.EdgeType[e] != f.t.Property || f.names.is(s.EdgeName[e], nProto) {
			continue
		}
		v := s.EdgeTo[e]
		ev := Event{Emitter: emitter, Target: TargetEventEmitter, Name: s.Strings.String(s.EdgeName[e]), Storage: v}
		switch {
		case s.NodeType[v] == f.t.Closure:
			fn, once := f.unwrapOnce(v)
			ev.Functions, ev.Once = []uint32{fn}, []bool{once}
		case s.NodeType[v] == f.t.Object && f.names.is(s.NodeName[v], nArray):
			for a := s.FirstEdge[v]; a < s.FirstEdge[v+1]; a++ {
				switch s.EdgeType[a] {
				case f.t.Element:
					fn, once := f.unwrapOnce(s.EdgeTo[a])
					ev.Functions = append(ev.Functions, fn)
					ev.Once = append(ev.Once, once)
				case f.t.Property:
					if f.names.is(s.EdgeName[a], nWarned) && f.isTrue(s.EdgeTo[a]) {
						ev.Warned = true
					}
				}
			}
		}
		if len(ev.Functions) > 0 {
			out = append(out, ev)
		}
	}
	return out
}

// unwrapOnce returns the user's function behind a once() wrapper: a
// bound onceWrapper (Node ≤ 22) or a plain "wrapper" closure (Node ≥ 24),
// both with a listener property.
func (f *finder) unwrapOnce(fn uint32) (uint32, bool) {
	if f.s.NodeType[fn] != f.t.Closure {
		return fn, false
	}
	if user, ok := f.edgeTo(fn, f.t.Property, nListener); ok && f.s.NodeType[user] == f.t.Closure {
		return user, true
	}
	return fn, false
}

// targetEvents reads a Node.js EventTarget (AbortSignal, MessagePort, …):
// <symbol kEvents> is a Map from event type to the head of a linked list
// of Listener objects (next, listener). The list's size is a Smi and not
// in the snapshot, so the list is walked.
func (f *finder) targetEvents(target, m uint32, out []Event) []Event {
	s := f.s
	table, ok := f.edgeTo(m, f.t.Internal, nTable)
	if !ok {
		return out
	}
	// An entry of the hash table is a key slot followed by its value slot.
	slots := map[int]uint32{}
	var order []int
	idx, edges := f.tableSlots(table)
	for j, k := range idx {
		if _, dup := slots[k]; !dup {
			order = append(order, k)
		}
		slots[k] = s.EdgeTo[edges[j]]
	}
	warned := false
	if w, ok := f.edgeTo(target, f.t.Property, nTargetWarned); ok {
		warned = f.isTrue(w)
	}
	for _, k := range order {
		key := slots[k]
		head, ok := slots[k+1]
		if s.NodeType[key] != f.t.String || !ok {
			continue
		}
		ev := Event{Emitter: target, Target: TargetEventTarget, Name: s.Strings.String(s.NodeName[key]), Storage: head, Warned: warned}
		seen := map[uint32]bool{head: true}
		cur, ok := f.edgeTo(head, f.t.Property, nNext)
		for ok && !f.isOddball(cur) && !seen[cur] {
			seen[cur] = true
			fn, has := f.edgeTo(cur, f.t.Property, nListener)
			if !has || f.isOddball(fn) {
				fn, has = f.edgeTo(cur, f.t.Property, nCallback)
			}
			if has && !f.isOddball(fn) {
				ev.Functions = append(ev.Functions, fn)
				ev.Once = append(ev.Once, false)
			}
			cur, ok = f.edgeTo(cur, f.t.Property, nNext)
		}
		if len(ev.Functions) > 0 {
			out = append(out, ev)
		}
	}
	return out
}

// webTargetEvents reads a web-standard EventTarget as Deno keeps it: its
// data object (behind a symbol with no description) has a listeners
// object with, per event type, an Array of records whose callback is the
// listener.
func (f *finder) webTargetEvents(target, data uint32, out []Event) []Event {
	s := f.s
	if s.NodeType[data] != f.t.Object {
		return out
	}
	byType, ok := f.edgeTo(data, f.t.Property, nListeners)
	if !ok || s.NodeType[byType] != f.t.Object {
		return out
	}
	for e := s.FirstEdge[byType]; e < s.FirstEdge[byType+1]; e++ {
		if s.EdgeType[e] != f.t.Property || f.names.is(s.EdgeName[e], nProto) {
			continue
		}
		list := s.EdgeTo[e]
		if !f.names.is(s.NodeName[list], nArray) {
			continue
		}
		ev := Event{Emitter: target, Target: TargetEventTarget, Name: s.Strings.String(s.EdgeName[e]), Storage: list}
		for a := s.FirstEdge[list]; a < s.FirstEdge[list+1]; a++ {
			if s.EdgeType[a] != f.t.Element {
				continue
			}
			if fn, ok := f.edgeTo(s.EdgeTo[a], f.t.Property, nCallback); ok && s.NodeType[fn] == f.t.Closure {
				ev.Functions = append(ev.Functions, fn)
				ev.Once = append(ev.Once, false)
			}
		}
		if len(ev.Functions) > 0 {
			out = append(out, ev)
		}
	}
	return out
}

// domEvents reads a Blink node's listeners: EventTargetData → one vector
// per event type → RegisteredEventListener → EventListener →
// V8EventListener → the JS function. Blink does not record the event
// type in the snapshot.
func (f *finder) domEvents(node, data uint32, out []Event) []Event {
	s := f.s
	// One listener vector per event type; with more than two types they
	// hang from a backing of (type, vector) pairs.
	var vectors []uint32
	for e := s.FirstEdge[data]; e < s.FirstEdge[data+1]; e++ {
		switch to := s.EdgeTo[e]; {
		case s.EdgeType[e] == f.t.Weak:
		case f.names.is(s.NodeName[to], nListenerVector):
			vectors = append(vectors, to)
		case f.names.is(s.NodeName[to], nHeapBacking):
			for b := s.FirstEdge[to]; b < s.FirstEdge[to+1]; b++ {
				if v := s.EdgeTo[b]; s.EdgeType[b] != f.t.Weak && f.names.is(s.NodeName[v], nListenerVector) {
					vectors = append(vectors, v)
				}
			}
		}
	}
	for _, vec := range vectors {
		ev := Event{Emitter: node, Target: TargetDOM, Storage: vec}
		// The registrations are in the vector's backing store, or, for a
		// single listener, in the vector itself.
		for v := s.FirstEdge[vec]; v < s.FirstEdge[vec+1]; v++ {
			if s.EdgeType[v] == f.t.Weak {
				continue
			}
			switch reg := s.EdgeTo[v]; {
			case f.names.is(s.NodeName[reg], nRegisteredListener):
				ev = f.addRegistration(ev, reg)
			case f.names.is(s.NodeName[reg], nHeapBacking):
				for b := s.FirstEdge[reg]; b < s.FirstEdge[reg+1]; b++ {
					if s.EdgeType[b] != f.t.Weak && f.names.is(s.NodeName[s.EdgeTo[b]], nRegisteredListener) {
						ev = f.addRegistration(ev, s.EdgeTo[b])
					}
				}
			}
		}
		if len(ev.Functions) > 0 {
			out = append(out, ev)
		}
	}
	return out
}

// addRegistration adds the JavaScript listener of a Blink registration,
// if it has one (native listeners have none).
func (f *finder) addRegistration(ev Event, reg uint32) Event {
	if fn, ok := f.listenerFunction(reg); ok {
		ev.Functions = append(ev.Functions, fn)
		ev.Once = append(ev.Once, false)
	}
	return ev
}

// listenerFunction finds the JS function behind a RegisteredEventListener,
// following only native nodes whose names say they are listeners.
func (f *finder) listenerFunction(reg uint32) (uint32, bool) {
	s := f.s
	frontier := []uint32{reg}
	for depth := 0; depth < 4 && len(frontier) > 0; depth++ {
		var next []uint32
		for _, n := range frontier {
			for e := s.FirstEdge[n]; e < s.FirstEdge[n+1]; e++ {
				to := s.EdgeTo[e]
				if s.EdgeType[e] == f.t.Weak {
					continue
				}
				switch {
				case s.NodeType[to] == f.t.Closure:
					return to, true
				case s.NodeType[to] == f.t.Native && f.names.is(s.NodeName[to], nListenerNative):
					next = append(next, to)
				}
			}
		}
		frontier = next
	}
	return 0, false
}

// listeners flags events with more listeners than the limit. Node's own
// warning marker is evidence, not a criterion, so that raising the limit
// silences an event as the user expects.
func (f *finder) listeners() []*Suspect {
	var out []*Suspect
	for _, ev := range f.events() {
		n := len(ev.Functions)
		if n <= f.o.MaxListeners {
			continue
		}
		groups := f.groupFunctions(ev.Functions, ev.Once)
		emitter := f.className(ev.Emitter)
		var title string
		switch ev.Target {
		case TargetDOM:
			emitter = displayNative(f.s.Strings.String(f.s.NodeName[ev.Emitter]))
			if label, ok := f.o.Names.DOMLabel(ev.Emitter); ok {
				emitter = label
			}
			title = fmt.Sprintf("%s event listeners on %s", units.Count(n), emitter)
		default:
			title = fmt.Sprintf("%s listeners for '%s' on %s", units.Count(n), ev.Name, emitter)
		}
		detail := describeGroups(n, groups)
		if ev.Warned {
			if ev.Target == TargetEventEmitter {
				detail += "; Node warned: MaxListenersExceededWarning"
			} else {
				detail += "; Node warned: MaxListenersExceededWarning for this event target"
			}
		}
		sus := &Suspect{
			Kind: Listeners, Title: title, Detail: detail, Count: n,
			RetainedSize: f.r.Retained.At(ev.Storage), ID: f.s.NodeID[ev.Emitter],
			Created: &groups[0].Location, Holds: f.holds(ev.Functions), accumulated: ev.Functions,
			Listeners: &ListenerEvidence{
				Emitter: emitter, EmitterID: f.s.NodeID[ev.Emitter], Event: ev.Name, Target: ev.Target,
				Warned: ev.Warned, Groups: groups,
			},
		}
		f.wantPath(ev.Emitter, &sus.Path)
		f.claimed[ev.Storage] = true
		out = append(out, sus)
	}
	return out
}

// displayNative shortens a Blink node name for a title: the start tag, or
// the name up to its first " / ".
func displayNative(name string) string {
	if k := strings.Index(name, " / "); k > 0 && !strings.HasPrefix(name, "<") {
		return name[:k]
	}
	if len(name) > 80 {
		return name[:77] + "…"
	}
	return name
}
