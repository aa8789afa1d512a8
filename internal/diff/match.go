package diff

import (
	"cmp"
	"slices"
)

// MatchStats measure how well two snapshots' node ids agree, over the
// Summary members (objects with a non-zero adjusted self size).
type MatchStats struct {
	Common   int // objects (Summary members) whose id is in both
	SameKey  int // of those, how many have the same class key in both
	OldOnly  int
	NewBelow int // members of cur only, with ids below the base's largest id
}

func memberClasses(c *Census) []idClass {
	var out []idClass
	for row := range c.Classes {
		ids, _ := c.Members(row)
		for _, id := range ids {
			out = append(out, idClass{id, uint32(row)})
		}
	}
	slices.SortFunc(out, func(a, b idClass) int { return cmp.Compare(a.id, b.id) })
	return out
}

// Same reports whether the ids look like those of one process: nearly
// every object found under the same id in both snapshots has the same class
// key. In snapshots of two processes the same id names unrelated objects
// (measured: 47–72% agreement on the test fixtures, against 100% in one
// process).
func (m MatchStats) Same() bool { return m.Common > 0 && m.SameKey*10 >= m.Common*9 }

type idClass struct{ id, class uint32 }

func matchStats(base, cur *Census) MatchStats {
	a, b := memberClasses(base), memberClasses(cur)
	var st MatchStats
	maxOld := uint32(0)
	if len(base.IDs) > 0 {
		maxOld = base.IDs[len(base.IDs)-1]
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].id < b[j].id):
			st.OldOnly++
			i++
		case i == len(a) || a[i].id > b[j].id:
			if b[j].id < maxOld {
				st.NewBelow++
			}
			j++
		default:
			st.Common++
			if base.Classes[a[i].class].Key == cur.Classes[b[j].class].Key {
				st.SameKey++
			}
			i++
			j++
		}
	}
	return st
}
