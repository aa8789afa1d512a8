package heapsnapshot

import (
	"bytes"
	"math"
	"strconv"
	"sync"
	"unsafe"
)

// role says where a field of a numeric record goes.
type role uint8

const (
	roleSkip role = iota
	roleNodeType
	roleNodeName
	roleNodeID
	roleNodeSelfSize
	roleNodeEdgeCount
	roleNodeDetachedness
	roleNodeTraceID
	roleEdgeType
	roleEdgeName
	roleEdgeTo
	roleLocObject
	roleLocScript
	roleLocLine
	roleLocColumn
	roleFnID
	roleFnName
	roleFnScriptName
	roleFnScriptID
	roleFnLine
	roleFnColumn
)

// columns receives the values of one numeric array ("nodes", "edges",
// "locations" or "trace_function_infos") and stores each field of each
// record in its column.
type columns struct {
	snap  *Snapshot
	roles []role // per field of a record
	// limit is the most values the header allows; tooMany says so.
	limit   int64
	tooMany string
	types   int    // number of type names, to validate type fields
	stride  uint64 // node field count, to turn node indexes into ordinals
	nodes   uint64 // node count, to bound node indexes
	magic   uint64 // (2^32 / stride) + 1, see ordinal
	// grow extends the columns to hold at least n records; nil when the
	// columns were allocated at full size up front.
	grow func(records int)
	cap  int // records the columns hold now
	// scratch holds each worker's scanned values between scanning and
	// storing them in columns.
	scratch [][]uint32
}

func (c *columns) fields() int64 { return int64(len(c.roles)) }

// The roles of the fields of each array, by field name; other fields are
// skipped.
var (
	nodeRoles = map[string]role{"type": roleNodeType, "name": roleNodeName, "id": roleNodeID, "self_size": roleNodeSelfSize,
		"edge_count": roleNodeEdgeCount, "detachedness": roleNodeDetachedness, "trace_node_id": roleNodeTraceID}
	edgeRoles          = map[string]role{"type": roleEdgeType, "name_or_index": roleEdgeName, "to_node": roleEdgeTo}
	locationRoles      = map[string]role{"object_index": roleLocObject, "script_id": roleLocScript, "line": roleLocLine, "column": roleLocColumn}
	traceFunctionRoles = map[string]role{"function_id": roleFnID, "name": roleFnName, "script_name": roleFnScriptName,
		"script_id": roleFnScriptID, "line": roleFnLine, "column": roleFnColumn}
)

// rolesOf returns the role of each of a record's fields.
func rolesOf(fields []string, byName map[string]role) []role {
	roles := make([]role, len(fields))
	for i, f := range fields {
		roles[i] = byName[f]
	}
	return roles
}

// growTo lets c's columns grow, by doubling up to records, with alloc,
// which must extend every column to n records.
func (c *columns) growTo(records int, alloc func(n int)) {
	c.grow = func(need int) {
		n := min(max(need, 2*c.cap), records)
		alloc(n)
		c.cap = n
	}
}

// partResult is what one worker found in its part of a segment.
type partResult struct {
	n      int64 // values stored
	errAt  int   // window index of an error, or -1
	errMsg string
}

// wideValue is a value that does not fit in 32 bits, found while scanning.
type wideValue struct {
	index int // value index within the part
	value uint64
	at    int // window index of its first digit
}

// scanPart parses the numbers in w[from:to] into vals, which must have
// room for all of them. w[to] must be ',' or ']': it ends every digit run.
// Unless first is set (the array's first part), every value is preceded by
// a comma. It returns the number of values, and the window index and
// description of an error (-1 if none).
//
// This loop is most of the parser's time, so it reads bytes through an
// unchecked pointer: every index it reads lies in [from, to], and to is
// within w.
func scanPart(w []byte, from, to int, first bool, vals []uint32, wide *[]wideValue) (int, int, string) {
	_ = w[to]
	base := unsafe.Pointer(unsafe.SliceData(w))
	at := func(i int) byte { return *(*byte)(unsafe.Add(base, i)) }
	n := 0
	i := from
	if first {
		for isSpace(at(i)) {
			i++
		}
		if i >= to {
			if at(to) == ']' {
				return 0, -1, "" // an empty array
			}
			return 0, to, "expected a number, found " + describeByte(at(to))
		}
	} else if i >= to {
		return 0, -1, ""
	}
	needSeparator := !first
	for {
		if needSeparator {
			// V8 writes "," or "\n,"; anything else takes the general path.
			if c := at(i); c == ',' {
				i++
			} else if c == '\n' && i+1 < to && at(i+1) == ',' {
				i += 2
			} else {
				for i < to && isSpace(at(i)) {
					i++
				}
				if i >= to {
					return n, -1, ""
				}
				if at(i) != ',' {
					return n, i, "expected ',' between numbers, found " + describeByte(at(i))
				}
				i++
			}
			for isSpace(at(i)) {
				i++
			}
		}
		needSeparator = true
		d := at(i) - '0'
		if d > 9 {
			return n, i, "expected a number, found " + describeByte(at(i))
		}
		start := i
		v := uint64(d)
		for i++; ; i++ {
			d = at(i) - '0'
			if d > 9 {
				break
			}
			v = v*10 + uint64(d)
		}
		if i-start > 9 {
			if i-start > 19 {
				return n, start, "number too large"
			}
			if v > math.MaxUint32 {
				*wide = append(*wide, wideValue{index: n, value: v, at: start})
			}
		}
		if n >= len(vals) {
			// vals has room for every value the text can hold, so a
			// separator other than a comma slipped through.
			return n, start, "expected ',' between numbers"
		}
		vals[n] = uint32(v)
		n++
		if i >= to {
			return n, -1, ""
		}
	}
}

// valueOffset returns the window index of the j-th value of a part, for
// errors found after scanning.
func valueOffset(w []byte, from, to, j int) int {
	for i := from; i < to; i++ {
		if w[i]-'0' <= 9 && (i == from || w[i-1]-'0' > 9) {
			if j == 0 {
				return i
			}
			j--
		}
	}
	return to
}

// scatter stores a part's values, the k0-th value of the array onwards,
// into their columns, checking each. It returns the index of the first
// bad value, or -1.
func (c *columns) scatter(vals []uint32, k0 int64) (int, string) {
	s := c.snap
	nf := int(c.fields())
	for f, r := range c.roles {
		j0 := (f - int(k0%int64(nf)) + nf) % nf
		rec := int((k0 + int64(j0)) / int64(nf))
		switch r {
		case roleNodeType:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				if vals[j] >= uint32(c.types) {
					return j, "node type " + strconv.FormatUint(uint64(vals[j]), 10) + " is not in meta.node_types"
				}
				s.NodeType[rec] = uint8(vals[j])
			}
		case roleNodeName:
			scatterColumn(s.NodeName, vals, j0, nf, rec)
		case roleNodeID:
			scatterColumn(s.NodeID, vals, j0, nf, rec)
		case roleNodeSelfSize:
			scatterColumn(s.NodeSelfSize, vals, j0, nf, rec)
		case roleNodeEdgeCount:
			scatterColumn(s.FirstEdge[1:], vals, j0, nf, rec)
		case roleNodeDetachedness:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				if vals[j] > 3 {
					return j, "detachedness " + strconv.FormatUint(uint64(vals[j]), 10) + " is not 0, 1 or 2"
				}
				s.NodeDetachedness[rec] = uint8(vals[j])
			}
		case roleEdgeType:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				if vals[j] >= uint32(c.types) {
					return j, "edge type " + strconv.FormatUint(uint64(vals[j]), 10) + " is not in meta.edge_types"
				}
				s.EdgeType[rec] = uint8(vals[j])
			}
		case roleEdgeName:
			scatterColumn(s.EdgeName, vals, j0, nf, rec)
		case roleEdgeTo:
			magic, stride, nodes := c.magic, c.stride, c.nodes
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				ord, ok := nodeOrdinal(vals[j], magic, stride, nodes)
				if !ok {
					v := strconv.FormatUint(uint64(vals[j]), 10)
					if uint64(ord)*stride != uint64(vals[j]) {
						return j, "to_node " + v + " is not a multiple of the node field count"
					}
					return j, "to_node " + v + " points past the last node"
				}
				s.EdgeTo[rec] = ord
			}
		case roleNodeTraceID:
			scatterColumn(s.NodeTraceID, vals, j0, nf, rec)
		case roleLocObject:
			// Checked as it is read: a location of a node that does not
			// exist is refused at its byte, not after the whole array.
			magic, stride, nodes := c.magic, c.stride, c.nodes
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				ord, ok := nodeOrdinal(vals[j], magic, stride, nodes)
				if !ok {
					return j, "location object_index " + strconv.FormatUint(uint64(vals[j]), 10) + " is not a node index"
				}
				s.Locations[rec].Node = ord
			}
		case roleLocScript:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				s.Locations[rec].ScriptID = vals[j]
			}
		case roleLocLine:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				s.Locations[rec].Line = vals[j]
			}
		case roleLocColumn:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				s.Locations[rec].Column = vals[j]
			}
		case roleFnID, roleFnName, roleFnScriptName, roleFnScriptID, roleFnLine, roleFnColumn:
			for j := j0; j < len(vals); j, rec = j+nf, rec+1 {
				fn := &s.TraceFunctions[rec]
				switch r {
				case roleFnID:
					fn.FunctionID = vals[j]
				case roleFnName:
					fn.Name = vals[j]
				case roleFnScriptName:
					fn.ScriptName = vals[j]
				case roleFnScriptID:
					fn.ScriptID = vals[j]
				case roleFnLine:
					fn.Line = vals[j]
				case roleFnColumn:
					fn.Column = vals[j]
				}
			}
		}
	}
	return -1, ""
}

// nodeOrdinal turns a node index (ordinal × node field count, stride)
// into the ordinal, reporting whether v is one of the nodes' indexes. A
// multiply by the rounded-up reciprocal, magic, divides exactly for every
// multiple below 2^32; the check rejects the rest.
func nodeOrdinal(v uint32, magic, stride, nodes uint64) (uint32, bool) {
	ord := (uint64(v) * magic) >> 32
	return uint32(ord), ord*stride == uint64(v) && ord < nodes
}

func scatterColumn(col, vals []uint32, j0, nf, rec int) {
	for j := j0; j < len(vals); j += nf {
		col[rec] = vals[j]
		rec++
	}
}

// parsePart parses w[from:to], whose values are the k0-th of the array
// onwards, into the columns. It goes a slice of subPart bytes at a time,
// so that the scanned values are still in cache when they are stored.
func (c *columns) parsePart(w []byte, from, to int, first bool, k0 int64, scratch *[]uint32) partResult {
	const subPart = 64 << 10
	var total int64
	for pos := from; ; {
		end := to
		if to-pos > subPart {
			if comma := bytes.IndexByte(w[pos+subPart:to], ','); comma >= 0 {
				end = pos + subPart + comma
			}
		}
		// A value takes at least a digit and a comma.
		room := (end-pos)/2 + 1
		if cap(*scratch) < room {
			*scratch = make([]uint32, max(room, subPart/2+1))
		}
		r := c.parseSlice(w, pos, end, first, k0+total, (*scratch)[:room])
		total += r.n
		if r.errAt >= 0 || end == to {
			r.n = total
			return r
		}
		pos, first = end, false
	}
}

// parseSlice scans w[from:to] into vals and stores the values, from
// array index k0 on.
func (c *columns) parseSlice(w []byte, from, to int, first bool, k0 int64, vals []uint32) partResult {
	var wide []wideValue
	n, errAt, msg := scanPart(w, from, to, first, vals, &wide)
	vals = vals[:n]
	if c.limit >= 0 && k0+int64(n) > c.limit {
		j := int(max(0, c.limit-k0))
		if errAt < 0 || j < n {
			return partResult{n: int64(j), errAt: valueOffset(w, from, to, j), errMsg: c.tooMany}
		}
	}
	if errAt >= 0 {
		return partResult{n: int64(n), errAt: errAt, errMsg: msg}
	}
	if j, msg := c.store(vals, wide, k0); j >= 0 {
		return partResult{n: int64(j), errAt: valueOffset(w, from, to, j), errMsg: msg}
	}
	return partResult{n: int64(n), errAt: -1}
}

// store checks values, the k0-th of the array onwards, and stores them in
// their columns; wide lists those that do not fit in 32 bits. It returns
// the index of the first bad value and what is wrong, or -1.
func (c *columns) store(vals []uint32, wide []wideValue, k0 int64) (int, string) {
	nf := c.fields()
	for _, v := range wide {
		if r := c.roles[(k0+int64(v.index))%nf]; r != roleNodeSelfSize && r != roleSkip {
			// DevTools wraps sizes modulo 2^32 (a Uint32Array); anything
			// else that large is not a valid index or id.
			return v.index, "number " + strconv.FormatUint(v.value, 10) + " does not fit in 32 bits"
		}
	}
	return c.scatter(vals, k0)
}

// reserve makes room in the columns for the first k values of the array.
func (c *columns) reserve(k int64) {
	if c.grow == nil {
		return
	}
	if c.limit >= 0 {
		k = min(k, c.limit)
	}
	if records := int((k + c.fields() - 1) / c.fields()); records > c.cap {
		c.grow(records)
	}
}

// parallelMin is the smallest segment worth splitting across workers.
const parallelMin = 256 << 10

// parseArray parses a JSON array of unsigned integers into c. It returns the
// number of values read.
func (c *columns) parseArray(sc *scanner, workers int, what string) (int64, error) {
	if err := sc.expect('[', "at the start of "+what); err != nil {
		return 0, err
	}
	var k int64
	first := true
	for {
		if sc.pos >= len(sc.win) && !sc.more() {
			return k, sc.endError("in " + what)
		}
		w := sc.win
		end := -1
		final := false
		if cl := bytes.IndexByte(w[sc.pos:], ']'); cl >= 0 {
			end, final = sc.pos+cl, true
		} else if lc := bytes.LastIndexByte(w[sc.pos:], ','); lc > 0 {
			end = sc.pos + lc
		}
		if end < 0 {
			if len(w)-sc.pos > slowPathMin {
				n, done, err := c.parseSlow(sc, first, k, what)
				if err != nil || done {
					return k + n, err
				}
				k += n
				first = false
				continue
			}
			if !sc.more() {
				return k, sc.endError("in " + what)
			}
			continue
		}
		if first && !final && onlySpace(w[sc.pos:end]) {
			return k, syntaxErrorf(sc.offset(end), "expected a number in %s, found ','", what)
		}
		n, err := c.parseSegment(sc, sc.pos, end, first, k, workers)
		if err != nil {
			return k, err
		}
		k += n
		first = false
		sc.pos = end
		if final {
			sc.pos++
			return k, nil
		}
	}
}

// slowPathMin is how much text without a separator makes parseArray read
// value by value: more than any number and its separator take.
const slowPathMin = 64

// parseSlow reads the array's next value, and the comma before it unless
// it is the first, from the scanner, consuming whitespace and digits as it
// goes. parseArray takes this path when a window holds no separator (a run
// of whitespace or digits longer than the window), which then streams at
// the speed of the input instead of piling up in the window. done is set
// at the array's closing bracket.
func (c *columns) parseSlow(sc *scanner, first bool, k int64, what string) (n int64, done bool, err error) {
	ch, ok := sc.skipSpace()
	if !ok {
		return 0, false, sc.endError("in " + what)
	}
	if ch == ']' {
		sc.pos++
		return 0, true, nil
	}
	if !first {
		if ch != ',' {
			return 0, false, syntaxErrorf(sc.offset(sc.pos), "expected ',' between numbers, found %s", describeByte(ch))
		}
		sc.pos++
	}
	v, at, err := sc.number("in " + what)
	if err != nil {
		return 0, false, err
	}
	if c.limit >= 0 && k >= c.limit {
		return 0, false, syntaxErrorf(at, "%s", c.tooMany)
	}
	c.reserve(k + 1)
	var wide []wideValue
	if v > math.MaxUint32 {
		wide = []wideValue{{value: v}}
	}
	if j, msg := c.store([]uint32{uint32(v)}, wide, k); j >= 0 {
		return 0, false, syntaxErrorf(at, "%s", msg)
	}
	return 1, false, nil
}

func onlySpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// parseSegment parses w[from:to] of the window, splitting it at commas into
// parts that workers parse concurrently into disjoint records.
func (c *columns) parseSegment(sc *scanner, from, to int, first bool, k0 int64, workers int) (int64, error) {
	w := sc.win
	type part struct {
		from, to int
		first    bool
		k0       int64
		count    int
	}
	parts := []part{{from: from, to: to, first: first}}
	if workers > 1 && to-from >= parallelMin {
		parts = parts[:0]
		lo := from
		for p := 1; p < workers; p++ {
			cut := from + (to-from)*p/workers
			if cut <= lo {
				continue
			}
			comma := bytes.IndexByte(w[cut:to], ',')
			if comma < 0 {
				break
			}
			cut += comma
			parts = append(parts, part{from: lo, to: cut, first: first && lo == from})
			lo = cut
		}
		parts = append(parts, part{from: lo, to: to, first: first && lo == from})
	}
	// Each value but an array's first is preceded by exactly one comma,
	// which gives every part its first value index without parsing.
	k := k0
	for i := range parts {
		parts[i].k0 = k
		n := bytes.Count(w[parts[i].from:parts[i].to], []byte{','})
		if parts[i].first && !onlySpace(w[parts[i].from:parts[i].to]) {
			n++
		}
		parts[i].count = n
		k += int64(n)
	}
	for len(c.scratch) < len(parts) {
		c.scratch = append(c.scratch, nil)
	}
	c.reserve(k)
	results := make([]partResult, len(parts))
	if len(parts) == 1 {
		p := parts[0]
		results[0] = c.parsePart(w, p.from, p.to, p.first, p.k0, &c.scratch[0])
	} else {
		var wg sync.WaitGroup
		for i, p := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = c.parsePart(w, p.from, p.to, p.first, p.k0, &c.scratch[i])
			}()
		}
		wg.Wait()
	}
	var total int64
	for _, r := range results {
		total += r.n
		if r.errAt >= 0 {
			return total, syntaxErrorf(sc.offset(r.errAt), "%s", r.errMsg)
		}
	}
	return total, nil
}
