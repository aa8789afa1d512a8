package diff

import (
	"strings"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// CompareByClass compares two snapshots of different processes, whose node
// ids mean nothing to each other: per class, the Summary counts and sizes
// of each. Located classes are matched by name and script position without
// the script id, which differs between processes. Only classes whose count
// or shallow size changed are listed.
func CompareByClass(base, cur *Census) []devtools.ComparisonRow {
	index := map[string]int{}
	var rows []devtools.ComparisonRow
	put := func(c *devtools.CensusClass, old bool) {
		k := processFreeKey(c.Key)
		i, ok := index[k]
		if !ok {
			i = len(rows)
			index[k] = i
			rows = append(rows, devtools.ComparisonRow{Key: c.Key, Name: c.Name, Order: i})
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
	devtools.SortComparison(kept, devtools.SortSizeDelta)
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
