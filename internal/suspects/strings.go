package suspects

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/heapsnap/heapsnap/internal/units"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
)

// duplicateStrings flags string contents held in many separate string
// objects. V8 writes each distinct text once to the string table, so
// copies share a name index; long strings are truncated in the table, so
// copies must have the same size as well.
func (f *finder) duplicateStrings() []*Suspect {
	s := f.s
	// First pass: copies per name index, in 4 bytes per string-table
	// entry instead of a map over millions of strings.
	perName := make([]uint32, s.Strings.Len())
	for i := uint32(0); i < uint32(s.NodeCount); i++ {
		if s.NodeType[i] == f.t.String {
			perName[s.NodeName[i]]++
		}
	}
	type key struct{ name, size uint32 }
	type group struct {
		copies int
		total  uint64
		first  uint32
	}
	groups := map[key]*group{}
	var keys []key
	for i := uint32(0); i < uint32(s.NodeCount); i++ {
		if s.NodeType[i] != f.t.String || perName[s.NodeName[i]] < uint32(f.o.MinDuplicateCopies) {
			continue
		}
		k := key{s.NodeName[i], s.NodeSelfSize[i]}
		g := groups[k]
		if g == nil {
			g = &group{first: i}
			groups[k] = g
			keys = append(keys, k)
		}
		g.copies++
		g.total += uint64(k.size)
	}
	perName = nil
	var out []*Suspect
	for _, k := range keys {
		g := groups[k]
		wasted := g.total - uint64(k.size)
		if g.copies < f.o.MinDuplicateCopies || wasted < f.o.MinDuplicateWaste {
			continue
		}
		text := s.Strings.Bytes(k.name)
		sus := &Suspect{
			Kind: DuplicateStrings, Count: g.copies, RetainedSize: g.total, ID: s.NodeID[g.first],
			Title:  fmt.Sprintf("%s copies of a %s-character string", units.Count(g.copies), units.Count(heapsnapshot.UTF16Len(text))),
			Detail: fmt.Sprintf("%s wasted on copies of %s", units.Bytes(wasted), quoteClip(text, 60)),
			Strings: &StringEvidence{
				Value: clipText(text, 200), Length: heapsnapshot.UTF16Len(text), Copies: g.copies,
				TotalSize: g.total, WastedBytes: wasted,
			},
		}
		f.wantPath(g.first, &sus.Path)
		out = append(out, sus)
	}
	slices.SortStableFunc(out, func(a, b *Suspect) int { return cmp.Compare(b.RetainedSize, a.RetainedSize) })
	return out
}

// clipText returns at most n characters of a WTF-8 string, with "…" when
// it was cut.
func clipText(b []byte, n int) string {
	chars := 0
	for i := 0; i < len(b); {
		if chars == n {
			return string(b[:i]) + "…"
		}
		i += charLen(b[i])
		chars++
	}
	return string(b)
}

// charLen returns the length of the WTF-8 sequence that starts with c
// (lone surrogates are three bytes, like other BMP characters).
func charLen(c byte) int {
	switch {
	case c < 0xC0:
		return 1
	case c < 0xE0:
		return 2
	case c < 0xF0:
		return 3
	}
	return 4
}

// quoteClip quotes a string for a sentence, clipped to n characters.
func quoteClip(b []byte, n int) string {
	return "'" + clipText(b, n) + "'"
}
