package views

import (
	"errors"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// Columns returns the lists' arrays, which alias m: class c's members
// are nodes[first[c]:first[c+1]].
func (m *Members) Columns() (first, nodes []uint32) { return m.first, m.nodes }

// MembersFromColumns puts back r's lists from their Columns, keeping them
// without a copy.
func MembersFromColumns(r *devtools.Analysis, first, nodes []uint32) (*Members, error) {
	if len(first) != len(r.Classes)+1 || first[len(r.Classes)] != uint32(len(nodes)) || len(nodes) > r.Snapshot.NodeCount {
		return nil, errors.New("members: columns do not fit the analysis")
	}
	return &Members{first: first, nodes: nodes}, nil
}
