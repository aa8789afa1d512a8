package devtools

import (
	"cmp"
	"slices"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Census is what DevTools' Comparison view needs of a snapshot: its
// Summary rows and, per row, the ids and adjusted self sizes of the members.
// It holds no graph, so a comparison can release each snapshot before it
// loads the next.
type Census struct {
	Nodes     int
	Edges     int
	TotalSize uint64
	// IDs holds every node id, sorted.
	IDs []uint32
	// Classes are the Summary rows (public class keys with members), in the
	// order DevTools' aggregates object lists them: by first member.
	Classes []CensusClass
	// Interfaces are the snapshot's own interface definitions, with which
	// the base of a comparison is re-categorised (BaseCensus).
	Interfaces []Interface

	byKey map[string]int
	// Members of row c are memberID/memberSize[start[c]:start[c+1]],
	// sorted by id: the nodes with adjusted self size > 0 of the class that
	// owns the public key (DevTools' idxs with sortedIndexes).
	start      []uint32
	memberID   []uint32
	memberSize []uint32
}

// CensusClass is one Summary row of a snapshot.
type CensusClass struct {
	Key      string
	Name     string
	Count    int
	Self     uint64
	Retained uint64
	// DiffName is the name DevTools gives the class when it is found only
	// in the base snapshot of a comparison: the class name, under the
	// base's own interface definitions, of the member with the largest id.
	// It equals Name except in a BaseCensus.
	DiffName string
}

// Class returns the row with the public key, if any.
func (c *Census) Class(key string) (*CensusClass, bool) {
	i, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	return &c.Classes[i], true
}

// Members returns the ids and adjusted self sizes of row i's members, by
// id. It returns nothing after DropMembers.
func (c *Census) Members(i int) (ids, sizes []uint32) {
	if c.start == nil {
		return nil, nil
	}
	a, b := c.start[i], c.start[i+1]
	return c.memberID[a:b], c.memberSize[a:b]
}

// DropMembers frees the member lists, which only Compare needs.
func (c *Census) DropMembers() { c.start, c.memberID, c.memberSize = nil, nil, nil }

// HasID reports whether the snapshot has a node with the id.
func (c *Census) HasID(id uint32) bool {
	_, ok := slices.BinarySearch(c.IDs, id)
	return ok
}

// Census reduces the analysis to what a comparison needs.
func (r *Analysis) Census() *Census { return r.census(nil, nil) }

// BaseCensus is the census of r as the base of a comparison with cur, as
// DevTools' aggregatesForDiff makes it: r's plain objects are
// re-categorised with cur's interface definitions first
// (applyInterfaceDefinitions), and classes found only in r keep the names
// r's own definitions give them. It replaces r.Class and r.Classes (see
// Reclassify).
func (r *Analysis) BaseCensus(cur *Census) *Census {
	origClass, origClasses := r.Class, r.Classes
	r.Reclassify(cur.Interfaces)
	return r.census(origClass, origClasses)
}

func (r *Analysis) census(origClass []uint32, origClasses []Class) *Census {
	s := r.Snapshot
	c := &Census{Nodes: s.NodeCount, Edges: s.EdgeCount, TotalSize: r.TotalSize, Interfaces: r.Interfaces, byKey: map[string]int{}}
	c.IDs = slices.Clone(s.NodeID)
	slices.Sort(c.IDs)

	// Public keys in DevTools' insertion order: a key takes the position of
	// the first member of any class with that key, and its value is the
	// last such class (the one not Shadowed).
	keys := make([]string, len(r.Classes))
	for id := range r.Classes {
		if r.Classes[id].Count > 0 {
			keys[id] = r.ClassKey(&r.Classes[id])
		}
	}
	public := make([]int32, len(r.Classes)) // class id → row, -1 for none
	for i := range public {
		public[i] = -1
	}
	for i, size := range s.NodeSelfSize {
		if size == 0 {
			continue
		}
		id := r.Class[i]
		key := keys[id]
		row, ok := c.byKey[key]
		if !ok {
			row = len(c.Classes)
			c.byKey[key] = row
			c.Classes = append(c.Classes, CensusClass{Key: key})
		}
		if cl := &r.Classes[id]; !cl.Shadowed && public[id] < 0 {
			public[id] = int32(row)
			name := r.ClassName(cl)
			c.Classes[row] = CensusClass{Key: key, Name: name, DiffName: name, Count: cl.Count, Self: cl.Self, Retained: cl.Retained}
		}
	}

	c.start = make([]uint32, len(c.Classes)+1)
	for i, size := range s.NodeSelfSize {
		if size != 0 && public[r.Class[i]] >= 0 {
			c.start[public[r.Class[i]]+1]++
		}
	}
	for i := 1; i < len(c.start); i++ {
		c.start[i] += c.start[i-1]
	}
	n := c.start[len(c.Classes)]
	c.memberID = make([]uint32, n)
	c.memberSize = make([]uint32, n)
	order := make([]uint32, n) // node ordinals, grouped by class
	fill := slices.Clone(c.start[:len(c.Classes)])
	for i, size := range s.NodeSelfSize {
		if size != 0 && public[r.Class[i]] >= 0 {
			row := public[r.Class[i]]
			order[fill[row]] = uint32(i)
			fill[row]++
		}
	}
	for row := range c.Classes {
		seg := order[c.start[row]:c.start[row+1]]
		slices.SortStableFunc(seg, func(a, b uint32) int { return cmp.Compare(s.NodeID[a], s.NodeID[b]) })
		for k, i := range seg {
			c.memberID[int(c.start[row])+k] = s.NodeID[i]
			c.memberSize[int(c.start[row])+k] = s.NodeSelfSize[i]
		}
		if origClass != nil && len(seg) > 0 {
			last := seg[len(seg)-1]
			c.Classes[row].DiffName = s.Strings.String(origClasses[origClass[last]].NameIndex)
		}
	}
	return c
}

// ComparisonRow is one class of a comparison: DevTools' Comparison
// columns, plus each snapshot's Summary numbers for the class.
type ComparisonRow struct {
	Key  string
	Name string
	// DevTools' Comparison columns (zero when matching by class totals).
	New, Deleted         int    // # New, # Deleted
	AllocSize, FreedSize uint64 // Alloc. Size, Freed Size
	// Summary numbers of the class in each snapshot (zero where absent).
	Old, Cur CensusClass
	// Order is DevTools' row order before sorting, which breaks ties.
	Order int
}

// CountDelta is # Delta: new − deleted objects (or, when the row compares
// class totals, the difference of the counts).
func (r *ComparisonRow) CountDelta() int64 {
	if r.New != 0 || r.Deleted != 0 {
		return int64(r.New) - int64(r.Deleted)
	}
	return int64(r.Cur.Count) - int64(r.Old.Count)
}

// SizeDelta is Size Delta: alloc − freed size (or the difference of the
// shallow sizes when the row compares class totals).
func (r *ComparisonRow) SizeDelta() int64 {
	if r.New != 0 || r.Deleted != 0 {
		return int64(r.AllocSize) - int64(r.FreedSize)
	}
	return int64(r.Cur.Self) - int64(r.Old.Self)
}

// RetainedDelta is the change of the class's retained size.
func (r *ComparisonRow) RetainedDelta() int64 { return int64(r.Cur.Retained) - int64(r.Old.Retained) }

// Compare is DevTools' Comparison view (calculateSnapshotDiff) of cur
// against base, which must be a BaseCensus against cur: for each public
// class key of base, then each key only in cur, the members are merged by
// id; ids only in base are deleted, ids only in cur are new. Classes with
// neither are left out. Rows come in DevTools' default order: Alloc. Size
// descending, then name.
func Compare(base, cur *Census) []ComparisonRow {
	var rows []ComparisonRow
	add := func(key string, bi, ci int) {
		var bid, bsize, cid, csize []uint32
		row := ComparisonRow{Key: key, Order: len(rows)}
		if bi >= 0 {
			bid, bsize = base.Members(bi)
			row.Old = base.Classes[bi]
			row.Name = row.Old.DiffName
		}
		if ci >= 0 {
			cid, csize = cur.Members(ci)
			row.Cur = cur.Classes[ci]
			row.Name = row.Cur.Name
		}
		i, j := 0, 0
		for i < len(bid) && j < len(cid) {
			switch {
			case bid[i] < cid[j]:
				row.Deleted++
				row.FreedSize += uint64(bsize[i])
				i++
			case bid[i] > cid[j]:
				row.New++
				row.AllocSize += uint64(csize[j])
				j++
			default:
				i++
				j++
			}
		}
		for ; i < len(bid); i++ {
			row.Deleted++
			row.FreedSize += uint64(bsize[i])
		}
		for ; j < len(cid); j++ {
			row.New++
			row.AllocSize += uint64(csize[j])
		}
		if row.New > 0 || row.Deleted > 0 {
			rows = append(rows, row)
		}
	}
	for bi := range base.Classes {
		ci, ok := cur.byKey[base.Classes[bi].Key]
		if !ok {
			ci = -1
		}
		add(base.Classes[bi].Key, bi, ci)
	}
	for ci := range cur.Classes {
		if _, ok := base.byKey[cur.Classes[ci].Key]; !ok {
			add(cur.Classes[ci].Key, -1, ci)
		}
	}
	SortComparison(rows, SortAlloc)
	return rows
}

// Orders of comparison rows: the grid's columns.
const (
	SortAlloc         = "alloc"          // DevTools' default: Alloc. Size, then name
	SortSizeDelta     = "size-delta"     // Size Delta, largest growth first
	SortCountDelta    = "count-delta"    // # Delta
	SortRetainedDelta = "retained-delta" // change of retained size
	SortFreed         = "freed"          // Freed Size
	SortNew           = "new"            // # New
	SortDeleted       = "deleted"        // # Deleted
	SortName          = "name"
)

// ComparisonSorts lists the accepted orders.
var ComparisonSorts = []string{SortSizeDelta, SortAlloc, SortFreed, SortCountDelta, SortNew, SortDeleted, SortRetainedDelta, SortName}

// SortComparison sorts rows by the given order, descending for numbers,
// then by name (UTF-16 order, as DevTools compares strings), then in
// DevTools' row order.
func SortComparison(rows []ComparisonRow, by string) {
	var primary func(a, b *ComparisonRow) int
	switch by {
	case SortAlloc:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.AllocSize, a.AllocSize) }
	case SortSizeDelta:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.SizeDelta(), a.SizeDelta()) }
	case SortCountDelta:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.CountDelta(), a.CountDelta()) }
	case SortRetainedDelta:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.RetainedDelta(), a.RetainedDelta()) }
	case SortFreed:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.FreedSize, a.FreedSize) }
	case SortNew:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.New, a.New) }
	case SortDeleted:
		primary = func(a, b *ComparisonRow) int { return cmp.Compare(b.Deleted, a.Deleted) }
	default:
		primary = func(a, b *ComparisonRow) int { return 0 }
	}
	slices.SortFunc(rows, func(a, b ComparisonRow) int {
		if c := primary(&a, &b); c != 0 {
			return c
		}
		if c := heapsnapshot.CompareUTF16([]byte(a.Name), []byte(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.Order, b.Order)
	})
}
