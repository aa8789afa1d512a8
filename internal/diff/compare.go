package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// Row is one class of a comparison: DevTools' Comparison columns, plus
// each snapshot's Summary numbers for the class.
type Row struct {
	Key  string
	Name string
	// DevTools' Comparison columns (zero when matching by class totals).
	New, Deleted         int    // # New, # Deleted
	AllocSize, FreedSize uint64 // Alloc. Size, Freed Size
	// Summary numbers of the class in each snapshot (zero where absent).
	Old, Cur Class
	// order is DevTools' row order before sorting.
	order int
}

// CountDelta is # Delta: new − deleted objects (or, when matching by class
// totals, the difference of the counts).
func (r *Row) CountDelta() int64 {
	if r.New != 0 || r.Deleted != 0 {
		return int64(r.New) - int64(r.Deleted)
	}
	return int64(r.Cur.Count) - int64(r.Old.Count)
}

// SizeDelta is Size Delta: alloc − freed size (or the difference of the
// shallow sizes when matching by class totals).
func (r *Row) SizeDelta() int64 {
	if r.New != 0 || r.Deleted != 0 {
		return int64(r.AllocSize) - int64(r.FreedSize)
	}
	return int64(r.Cur.Self) - int64(r.Old.Self)
}

// RetainedDelta is the change of the class's retained size.
func (r *Row) RetainedDelta() int64 { return int64(r.Cur.Retained) - int64(r.Old.Retained) }

// CompareByID is DevTools' Comparison view (calculateSnapshotDiff): for
// each public class key of base, then each key only in cur, the members are
// merged by id; ids only in base are deleted, ids only in cur are new.
// Classes with neither are left out. base must be the census of the base
// snapshot after Reclassify with cur's interface definitions. Rows come in
// DevTools' default order: Alloc. Size descending, then name.
func CompareByID(base, cur *Census) []Row {
	var rows []Row
	add := func(key string, bi, ci int) {
		var bid, bsize, cid, csize []uint32
		row := Row{Key: key, order: len(rows)}
		if bi >= 0 {
			bid, bsize = base.members(bi)
			row.Old = base.Classes[bi]
			row.Name = row.Old.DiffName
		}
		if ci >= 0 {
			cid, csize = cur.members(ci)
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
	SortRows(rows, SortAlloc)
	return rows
}

// CompareByClass compares two snapshots of different processes, whose node
// ids mean nothing to each other: per class, the Summary counts and sizes
// of each. Located classes are matched by name and script position without
// the script id, which differs between processes. Only classes whose count
// or shallow size changed are listed.
func CompareByClass(base, cur *Census) []Row {
	index := map[string]int{}
	var rows []Row
	put := func(c *Class, old bool) {
		k := processFreeKey(c.Key)
		i, ok := index[k]
		if !ok {
			i = len(rows)
			index[k] = i
			rows = append(rows, Row{Key: c.Key, Name: c.Name, order: i})
		}
		if old {
			rows[i].Old = *c
		} else {
			rows[i].Cur = *c
			rows[i].Key, rows[i].Name = c.Key, c.Name
		}
	}
	for i := range base.Classes {
		put(&base.Classes[i], true)
	}
	for i := range cur.Classes {
		put(&cur.Classes[i], false)
	}
	kept := rows[:0]
	for _, r := range rows {
		if r.Old.Count != r.Cur.Count || r.Old.Self != r.Cur.Self {
			kept = append(kept, r)
		}
	}
	SortRows(kept, SortSizeDelta)
	return kept
}

// processFreeKey drops the script id from a located class key
// ("106,5,13,Foo" → "5,13,Foo").
func processFreeKey(key string) string {
	if strings.HasPrefix(key, ",") {
		return key
	}
	if i := strings.IndexByte(key, ','); i >= 0 {
		return key[i+1:]
	}
	return key
}

// Sort orders of comparison rows.
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

// SortKeys lists the accepted sort orders.
var SortKeys = []string{SortSizeDelta, SortAlloc, SortFreed, SortCountDelta, SortNew, SortDeleted, SortRetainedDelta, SortName}

// SortRows sorts rows by the given key, descending for numbers, then by
// name (UTF-16 order, as DevTools compares strings), then in DevTools' row
// order.
func SortRows(rows []Row, by string) {
	var primary func(a, b *Row) int
	switch by {
	case SortAlloc:
		primary = func(a, b *Row) int { return cmp.Compare(b.AllocSize, a.AllocSize) }
	case SortSizeDelta:
		primary = func(a, b *Row) int { return cmp.Compare(b.SizeDelta(), a.SizeDelta()) }
	case SortCountDelta:
		primary = func(a, b *Row) int { return cmp.Compare(b.CountDelta(), a.CountDelta()) }
	case SortRetainedDelta:
		primary = func(a, b *Row) int { return cmp.Compare(b.RetainedDelta(), a.RetainedDelta()) }
	case SortFreed:
		primary = func(a, b *Row) int { return cmp.Compare(b.FreedSize, a.FreedSize) }
	case SortNew:
		primary = func(a, b *Row) int { return cmp.Compare(b.New, a.New) }
	case SortDeleted:
		primary = func(a, b *Row) int { return cmp.Compare(b.Deleted, a.Deleted) }
	default:
		primary = func(a, b *Row) int { return 0 }
	}
	slices.SortFunc(rows, func(a, b Row) int {
		if c := primary(&a, &b); c != 0 {
			return c
		}
		if c := heapsnapshot.CompareUTF16([]byte(a.Name), []byte(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
}
