package heapsnapshot

import (
	"bytes"
	"math"
	"sync"
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
	roleEdgeType
	roleEdgeName
	roleEdgeTo
	roleFlat
)

// columns receives the values of one numeric array ("nodes", "edges" or
// "locations") and stores each field of each record in its column.
type columns struct {
	snap   *Snapshot
	roles  []role // per field of a record
	limit  int64  // number of values the header declares; -1: unbounded
	types  int    // number of type names, to validate type fields
	stride uint64 // node field count, to turn to_node into an ordinal
	nodes  uint64 // node count, to bound to_node
	flat   []uint32
	// grow extends the columns to hold at least n records; nil when the
	// columns were allocated at full size up front.
	grow func(records int)
	cap  int // records the columns hold now
}

func (c *columns) fields() int64 { return int64(len(c.roles)) }

// partResult is what one worker found in its part of a segment.
type partResult struct {
	n      int64 // values stored
	errAt  int   // window index of an error, or -1
	errMsg string
}

// parsePart parses the values in w[from:to] into c, starting at value index
// k0. w[to] must be ',' or ']' (it stops the digit loop without a length
// check). Unless first is set, every value is preceded by a comma.
func (c *columns) parsePart(w []byte, from, to int, first bool, k0 int64) partResult {
	nf := c.fields()
	field := k0 % nf
	rec := int(k0 / nf)
	k := k0
	i := from
	needComma := !first
	s := c.snap
	fail := func(at int, msg string) partResult {
		return partResult{n: k - k0, errAt: at, errMsg: msg}
	}
	for {
		for isSpace(w[i]) {
			i++
		}
		if i >= to {
			break
		}
		if needComma {
			if w[i] != ',' {
				return fail(i, "expected ',' between numbers, found "+describeByte(w[i]))
			}
			i++
			for isSpace(w[i]) {
				i++
			}
		}
		needComma = true
		d := w[i] - '0'
		if d > 9 {
			return fail(i, "expected a number, found "+describeByte(w[i]))
		}
		start := i
		v := uint64(d)
		i++
		for {
			d = w[i] - '0'
			if d > 9 {
				break
			}
			v = v*10 + uint64(d)
			i++
		}
		if i-start > 19 {
			return fail(start, "number too large")
		}
		if c.limit >= 0 && k >= c.limit {
			return fail(start, "more values than the header declares")
		}
		switch c.roles[field] {
		case roleNodeType:
			if v >= uint64(c.types) {
				return fail(start, "node type "+utoa(v)+" is not in meta.node_types")
			}
			s.NodeType[rec] = uint8(v)
		case roleNodeName:
			if v > math.MaxUint32 {
				return fail(start, "string index out of range")
			}
			s.NodeName[rec] = uint32(v)
		case roleNodeID:
			if v > math.MaxUint32 {
				return fail(start, "node id does not fit in 32 bits")
			}
			s.NodeID[rec] = uint32(v)
		case roleNodeSelfSize:
			// DevTools stores sizes in a Uint32Array, which wraps.
			s.NodeSelfSize[rec] = uint32(v)
		case roleNodeEdgeCount:
			if v > math.MaxUint32 {
				return fail(start, "edge count does not fit in 32 bits")
			}
			s.FirstEdge[rec+1] = uint32(v)
		case roleNodeDetachedness:
			if v > 3 {
				return fail(start, "detachedness "+utoa(v)+" is not 0, 1 or 2")
			}
			s.NodeDetachedness[rec] = uint8(v)
		case roleEdgeType:
			if v >= uint64(c.types) {
				return fail(start, "edge type "+utoa(v)+" is not in meta.edge_types")
			}
			s.EdgeType[rec] = uint8(v)
		case roleEdgeName:
			if v > math.MaxUint32 {
				return fail(start, "edge name or index does not fit in 32 bits")
			}
			s.EdgeName[rec] = uint32(v)
		case roleEdgeTo:
			ord := v / c.stride
			if ord*c.stride != v {
				return fail(start, "to_node "+utoa(v)+" is not a multiple of the node field count")
			}
			if ord >= c.nodes {
				return fail(start, "to_node "+utoa(v)+" points past the last node")
			}
			s.EdgeTo[rec] = uint32(ord)
		case roleFlat:
			if v > math.MaxUint32 {
				return fail(start, "number does not fit in 32 bits")
			}
			c.flat = append(c.flat, uint32(v))
		}
		k++
		field++
		if field == nf {
			field = 0
			rec++
		}
	}
	return partResult{n: k - k0, errAt: -1}
}

func utoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
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
	}
	parts := []part{{from: from, to: to, first: first}}
	if workers > 1 && to-from >= parallelMin && c.roles[0] != roleFlat {
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
		n := int64(bytes.Count(w[parts[i].from:parts[i].to], []byte{','}))
		if parts[i].first && !onlySpace(w[parts[i].from:parts[i].to]) {
			n++
		}
		k += n
	}
	if c.grow != nil {
		need := k
		if c.limit >= 0 && need > c.limit {
			need = c.limit
		}
		if records := int((need + c.fields() - 1) / c.fields()); records > c.cap {
			c.grow(records)
		}
	}
	results := make([]partResult, len(parts))
	if len(parts) == 1 {
		results[0] = c.parsePart(w, parts[0].from, parts[0].to, parts[0].first, parts[0].k0)
	} else {
		var wg sync.WaitGroup
		for i, p := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = c.parsePart(w, p.from, p.to, p.first, p.k0)
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
