package sources

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// sourceMap is a decoded source map (ECMA-426): one section for a regular
// map, several for an index map. Positions are 0-based throughout.
type sourceMap struct {
	sections []section // in generated order
}

// section is one map of an index map, or a whole regular map. Segments are
// held column-wise (20 bytes each), grouped by generated line.
type section struct {
	line, column int32 // where the section starts in the generated file
	sources      []string
	names        []string
	// lineStart[l] is the first segment of generated line l (relative to the
	// section); the last entry is the segment count.
	lineStart []uint32
	genColumn []int32
	source    []int32 // index into sources, -1 for a segment that maps nowhere
	srcLine   []int32
	srcColumn []int32
	name      []int32 // index into names, or -1
}

// original is what a generated position maps to.
type original struct {
	file         string
	line, column int32
	name         string
}

// lookup maps a generated position to the original one: the segment with
// the greatest column at or before the position on the same line, in the
// section that contains it (Mozilla source-map's default bias, which
// DevTools and Node's --enable-source-maps also use).
func (m *sourceMap) lookup(line, column int32) (original, bool) {
	k := sort.Search(len(m.sections), func(k int) bool {
		s := &m.sections[k]
		return s.line > line || (s.line == line && s.column > column)
	}) - 1
	if k < 0 {
		return original{}, false
	}
	s := &m.sections[k]
	line -= s.line
	if line == 0 {
		// A section's column offset applies to its first line only.
		column -= s.column
	}
	if int(line) >= len(s.lineStart)-1 {
		return original{}, false
	}
	lo, hi := int(s.lineStart[line]), int(s.lineStart[line+1])
	i := lo + sort.Search(hi-lo, func(i int) bool { return s.genColumn[lo+i] > column }) - 1
	if i < lo || s.source[i] < 0 {
		return original{}, false
	}
	o := original{file: s.sources[s.source[i]], line: s.srcLine[i], column: s.srcColumn[i]}
	if s.name[i] >= 0 {
		o.name = s.names[s.name[i]]
	}
	return o, true
}

// mapJSON is the JSON form of a source map. sourcesContent is left out on
// purpose: it can be most of a map's bytes and is never needed here.
type mapJSON struct {
	Version    int       `json:"version"`
	SourceRoot string    `json:"sourceRoot"`
	Sources    []*string `json:"sources"`
	Names      []string  `json:"names"`
	Mappings   *string   `json:"mappings"`
	Sections   []struct {
		Offset struct {
			Line   *int32 `json:"line"`
			Column *int32 `json:"column"`
		} `json:"offset"`
		Map *mapJSON `json:"map"`
		URL string   `json:"url"`
	} `json:"sections"`
}

// parseMap decodes a source map file. base is the directory (or URL
// directory) relative sources are resolved against: the map's own location.
func parseMap(b []byte, base string) (*sourceMap, error) {
	// A map may start with ")]}'" to stop it being run as script.
	if bytes.HasPrefix(b, []byte(")]}'")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			b = nil
		}
	}
	var j mapJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("not a source map: %w", err)
	}
	if j.Version != 3 {
		return nil, fmt.Errorf("version %d, want 3", j.Version)
	}
	if j.Sections == nil {
		s, err := j.section(base)
		if err != nil {
			return nil, err
		}
		return &sourceMap{sections: []section{s}}, nil
	}
	if j.Mappings != nil {
		return nil, errors.New("both sections and mappings")
	}
	m := &sourceMap{sections: make([]section, 0, len(j.Sections))}
	for k, sj := range j.Sections {
		switch {
		case sj.Map == nil && sj.URL != "":
			return nil, fmt.Errorf("section %d: url sections are not supported", k)
		case sj.Map == nil:
			return nil, fmt.Errorf("section %d: no map", k)
		case sj.Map.Sections != nil:
			return nil, fmt.Errorf("section %d: nested index map", k)
		case sj.Offset.Line == nil || sj.Offset.Column == nil || *sj.Offset.Line < 0 || *sj.Offset.Column < 0:
			return nil, fmt.Errorf("section %d: bad offset", k)
		}
		if sj.Map.Version != 3 {
			return nil, fmt.Errorf("section %d: version %d, want 3", k, sj.Map.Version)
		}
		s, err := sj.Map.section(base)
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", k, err)
		}
		s.line, s.column = *sj.Offset.Line, *sj.Offset.Column
		if k > 0 {
			p := &m.sections[k-1]
			if cmp.Or(cmp.Compare(p.line, s.line), cmp.Compare(p.column, s.column)) >= 0 {
				return nil, fmt.Errorf("section %d: offset %d:%d not after the previous section's", k, s.line, s.column)
			}
		}
		m.sections = append(m.sections, s)
	}
	return m, nil
}

// section decodes one regular map.
func (j *mapJSON) section(base string) (section, error) {
	if j.Mappings == nil {
		return section{}, errors.New("no mappings")
	}
	s := section{sources: make([]string, len(j.Sources)), names: j.Names}
	for k, src := range j.Sources {
		if src != nil {
			s.sources[k] = resolveSource(base, j.SourceRoot, *src)
		}
	}
	if err := s.decode(*j.Mappings); err != nil {
		return section{}, err
	}
	return s, nil
}

// resolveSource turns a map's source entry into the file name to print:
// sourceRoot is prefixed, then a relative name is taken relative to the
// map's location; names with a scheme (webpack://…) are kept as they are.
func resolveSource(base, root, src string) string {
	if root != "" && !hasScheme(src) && !path.IsAbs(src) {
		src = strings.TrimSuffix(root, "/") + "/" + src
	}
	switch {
	case strings.HasPrefix(src, "file://"):
		return filePath(src)
	case hasScheme(src), path.IsAbs(src), isWindowsAbs(src):
		return src
	}
	return joinRef(base, src)
}

// decode reads the VLQ "mappings" string. Every field is checked, so a
// broken map is an error, never a wrong answer or a panic.
func (s *section) decode(m string) error {
	lines := strings.Count(m, ";") + 1
	segments := strings.Count(m, ",") + lines // at most
	s.lineStart = make([]uint32, 0, lines+1)
	s.genColumn = make([]int32, 0, segments)
	s.source = make([]int32, 0, segments)
	s.srcLine = make([]int32, 0, segments)
	s.srcColumn = make([]int32, 0, segments)
	s.name = make([]int32, 0, segments)
	var src, srcLine, srcCol, name int64 // relative across the whole map
	var fields [5]int64
	for line, text := range strings.Split(m, ";") {
		s.lineStart = append(s.lineStart, uint32(len(s.genColumn)))
		var col int64
		start := len(s.genColumn)
		for seg := range strings.SplitSeq(text, ",") {
			if seg == "" {
				continue
			}
			n, err := decodeVLQs(seg, fields[:])
			if err != nil {
				return fmt.Errorf("mappings line %d: %w", line, err)
			}
			col += fields[0]
			if col < 0 || col > maxPos {
				return fmt.Errorf("mappings line %d: column %d", line, col)
			}
			s.genColumn = append(s.genColumn, int32(col))
			switch n {
			case 1:
				s.source = append(s.source, -1)
				s.srcLine = append(s.srcLine, 0)
				s.srcColumn = append(s.srcColumn, 0)
				s.name = append(s.name, -1)
				continue
			case 4, 5:
			default:
				return fmt.Errorf("mappings line %d: segment %q has %d fields", line, seg, n)
			}
			src, srcLine, srcCol = src+fields[1], srcLine+fields[2], srcCol+fields[3]
			switch {
			case src < 0 || src >= int64(len(s.sources)):
				return fmt.Errorf("mappings line %d: source %d of %d", line, src, len(s.sources))
			case srcLine < 0 || srcLine > maxPos || srcCol < 0 || srcCol > maxPos:
				return fmt.Errorf("mappings line %d: original position %d:%d", line, srcLine, srcCol)
			}
			s.source = append(s.source, int32(src))
			s.srcLine = append(s.srcLine, int32(srcLine))
			s.srcColumn = append(s.srcColumn, int32(srcCol))
			if n < 5 {
				s.name = append(s.name, -1)
				continue
			}
			name += fields[4]
			if name < 0 || name >= int64(len(s.names)) {
				return fmt.Errorf("mappings line %d: name %d of %d", line, name, len(s.names))
			}
			s.name = append(s.name, int32(name))
		}
		s.sortLine(start)
	}
	s.lineStart = append(s.lineStart, uint32(len(s.genColumn)))
	return nil
}

// maxPos bounds lines and columns so that they fit the int32 columns.
const maxPos = 1<<31 - 1

// sortLine puts the segments of the line that starts at segment start in
// column order; producers write them in order, so this rarely moves any.
func (s *section) sortLine(start int) {
	cols := s.genColumn[start:]
	if slices.IsSorted(cols) {
		return
	}
	sort.Stable(lineSegments{s, start})
}

type lineSegments struct {
	s     *section
	start int
}

func (l lineSegments) Len() int           { return len(l.s.genColumn) - l.start }
func (l lineSegments) Less(i, j int) bool { return l.s.genColumn[l.start+i] < l.s.genColumn[l.start+j] }
func (l lineSegments) Swap(i, j int) {
	i, j = l.start+i, l.start+j
	for _, c := range [][]int32{l.s.genColumn, l.s.source, l.s.srcLine, l.s.srcColumn, l.s.name} {
		c[i], c[j] = c[j], c[i]
	}
}

// decodeVLQs decodes the base64 VLQ numbers of one segment into out and
// returns how many there were.
func decodeVLQs(seg string, out []int64) (int, error) {
	n := 0
	var v int64
	shift := 0
	for i := 0; i < len(seg); i++ {
		d := base64Value(seg[i])
		if d < 0 {
			return 0, fmt.Errorf("segment %q: %q is not base64", seg, seg[i])
		}
		if shift > 31 {
			return 0, fmt.Errorf("segment %q: number too large", seg)
		}
		v |= int64(d&31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		if n == len(out) {
			return 0, fmt.Errorf("segment %q has more than %d fields", seg, len(out))
		}
		if v&1 != 0 {
			out[n] = -(v >> 1)
		} else {
			out[n] = v >> 1
		}
		n++
		v, shift = 0, 0
	}
	if shift != 0 {
		return 0, fmt.Errorf("segment %q ends inside a number", seg)
	}
	return n, nil
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
