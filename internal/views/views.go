// Package views computes what each command shows — the analyze summary,
// one object, the dominator tree from the top, retainer chains, a
// comparison, a series, a budget check — as plain data with JSON tags,
// from the engine's analyses. Package report renders views; the JSON
// output is the views themselves, so every format carries the same facts.
package views

import (
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// SchemaVersion is written at the top of every JSON report; it changes when
// a field changes meaning or is removed.
const SchemaVersion = 1

// Name is a JavaScript string held as WTF-8. It marshals to JSON as
// JavaScript's JSON.stringify would, so lone surrogates survive as \udxxx
// escapes instead of turning into U+FFFD.
type Name string

// MarshalJSON implements json.Marshaler.
func (n Name) MarshalJSON() ([]byte, error) {
	return heapsnapshot.AppendJSString(nil, []byte(n)), nil
}

// Nodes is DevTools' numbers for every node (`heapsnap nodes`). There are
// far too many rows to build them all, so a renderer reads them one at a
// time with Each.
type Nodes struct {
	Analysis *devtools.Analysis
}

// NodeRow is one node of Nodes. The byte slices alias the snapshot.
type NodeRow struct {
	ID           uint32
	SelfSize     uint32
	RetainedSize uint64
	Distance     int32
	DominatorID  uint32
	Type         []byte
	Class        []byte
	Name         []byte
}

// Each calls fn for every node in file order, with a row it reuses, and
// stops at the first error.
func (n Nodes) Each(fn func(*NodeRow) error) error {
	r := n.Analysis
	s := r.Snapshot
	className := make([][]byte, len(r.Classes))
	for id := range r.Classes {
		className[id] = s.Strings.Bytes(r.Classes[id].NameIndex)
	}
	typeName := make([][]byte, len(s.Meta.NodeTypes))
	for t, name := range s.Meta.NodeTypes {
		typeName[t] = []byte(name)
	}
	var row NodeRow
	for i := range uint32(s.NodeCount) {
		row = NodeRow{
			ID: s.NodeID[i], SelfSize: s.NodeSelfSize[i], RetainedSize: r.Retained.At(i), Distance: r.Distance[i],
			DominatorID: s.NodeID[r.Dominator[i]], Type: typeName[s.NodeType[i]], Class: className[r.Class[i]],
			Name: s.NodeNameBytes(i),
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	return nil
}

// Len returns the number of rows.
func (n Nodes) Len() int { return n.Analysis.Snapshot.NodeCount }
