package heapsnapshot

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Options controls parsing. The zero value is ready to use.
type Options struct {
	// Workers is the number of goroutines parsing number arrays (and, when
	// more than one, the strings in two parts); 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Progress, if set, is called from a reading goroutine with the number
	// of input bytes read so far (compressed bytes for gzip input).
	Progress func(read int64)
	// SizeBound is an upper bound on the size of the (decompressed) input,
	// used to refuse headers that declare more nodes or edges than the
	// input can hold before allocating for them. 0 means unknown: columns
	// then grow as values arrive.
	SizeBound int64
	// exactSize is set when SizeBound is the input's exact size (a plain
	// file), which lets the string arena be reserved once.
	exactSize bool
}

// maxHeaderSize bounds the "snapshot" header object; real ones are < 2 KB.
const maxHeaderSize = 16 << 20

// deflateMaxRatio is the largest expansion DEFLATE can achieve (about
// 1032:1), which bounds the decompressed size of a gzip file.
const deflateMaxRatio = 1032

// ParseFile parses the snapshot at path. gzip-compressed files are
// recognised by their magic bytes.
func ParseFile(path string, opts Options) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return Read(f, size, opts)
}

// Read parses a snapshot from r, plain or gzip-compressed. size is the
// number of bytes r holds, or -1 when unknown (a pipe): a known size lets
// the parser refuse impossible headers before allocating and size every
// array exactly.
func Read(r io.Reader, size int64, opts Options) (*Snapshot, error) {
	if opts.Progress != nil {
		r = &countingReader{r: r, report: opts.Progress}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	gz, err := isGzip(br)
	if err != nil {
		return nil, err
	}
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &SyntaxError{Offset: 0, Msg: "gzip: " + err.Error()}
		}
		if size >= 0 && opts.SizeBound == 0 {
			opts.SizeBound = size * deflateMaxRatio
		}
		return Parse(gzipErrors{zr}, opts)
	}
	if size >= 0 && opts.SizeBound == 0 {
		opts.SizeBound = size
		opts.exactSize = true
	}
	return Parse(br, opts)
}

// isGzip reports whether the stream starts with the gzip magic bytes.
func isGzip(br *bufio.Reader) (bool, error) {
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return false, err
	}
	return len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b, nil
}

// gzipErrors prefixes decompression errors so that they read as such.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

type countingReader struct {
	r      io.Reader
	n      atomic.Int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.report(c.n.Add(int64(n)))
	return n, err
}

// Parse reads a snapshot from r.
func Parse(r io.Reader, opts Options) (*Snapshot, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	sc := newScanner(r)
	defer sc.close()
	p := &parser{sc: sc, opts: opts, snap: &Snapshot{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.snap, nil
}

type parser struct {
	sc   *scanner
	opts Options
	snap *Snapshot

	header              bool
	headerAt            int64
	nodesAt, edgesAt    int64
	nodeVals, edgeVals  int64
	haveNodes, haveEdge bool
	haveStrings         bool
	nodeCols, edgeCols  *columns
	// Scratch for stringsInParallel: the ends of the first part's strings,
	// and the second part's bytes and ends.
	endsA, endsB []uint32
	dataB        []byte
	// stringsSerialUntil is the input offset before which strings are
	// decoded sequentially, after a part failed to decode in parallel.
	stringsSerialUntil int64
}

func (p *parser) run() error {
	sc := p.sc
	c, ok := sc.skipSpace()
	if !ok {
		return sc.endError("before any data (empty file?)")
	}
	if c != '{' {
		return syntaxErrorf(sc.offset(sc.pos), "not a heap snapshot: expected '{', found %s", describeByte(c))
	}
	sc.pos++
	var seen []string
	for {
		keyBytes, at, err := sc.token("where an object key should be")
		if err != nil {
			return err
		}
		key := string(keyBytes)
		if slices.Contains(seen, key) {
			return syntaxErrorf(at, "duplicate key %q", key)
		}
		seen = append(seen, key)
		if err := sc.expect(':', "after key "+key); err != nil {
			return err
		}
		if key != "snapshot" && !p.header && (key == "nodes" || key == "edges" || key == "locations") {
			return syntaxErrorf(at, "%q comes before the \"snapshot\" header", key)
		}
		switch key {
		case "snapshot":
			err = p.parseHeader()
		case "nodes":
			err = p.parseNodes()
		case "edges":
			err = p.parseEdges()
		case "locations":
			if p.snap.Meta.LocationFields != nil {
				err = p.parseLocations()
			} else {
				err = sc.skipValue("in locations")
			}
		case "strings":
			err = p.parseStrings()
		default:
			err = sc.skipValue("in " + key)
		}
		if err != nil {
			return err
		}
		c, ok := sc.skipSpace()
		if !ok {
			return sc.endError("after " + key)
		}
		sc.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return syntaxErrorf(sc.offset(sc.pos-1), "expected ',' or '}' after %s, found %s", key, describeByte(c))
		}
	}
	end := sc.offset(sc.pos)
	if c, ok := sc.skipSpace(); ok {
		return syntaxErrorf(sc.offset(sc.pos), "unexpected %s after the end of the snapshot", describeByte(c))
	}
	if sc.err != nil {
		return sc.endError("")
	}
	return p.finish(end)
}

func (p *parser) parseHeader() error {
	b, at, err := p.sc.capture(maxHeaderSize, "in the snapshot header")
	if err != nil {
		return err
	}
	h, err := parseHeader(b)
	if err != nil {
		return &SyntaxError{Offset: at, Msg: err.Error()}
	}
	nodeVals := int64(h.NodeCount) * int64(len(h.Meta.NodeFields))
	edgeVals := int64(h.EdgeCount) * int64(len(h.Meta.EdgeFields))
	// Every value takes at least two bytes: a digit and a separator.
	if bound := p.opts.SizeBound; bound > 0 && 2*(nodeVals+edgeVals) > bound+2 {
		return syntaxErrorf(at, "header declares %d nodes and %d edges, more than %d bytes of input can hold",
			h.NodeCount, h.EdgeCount, bound)
	}
	if h.NodeCount >= 1<<32-1 || h.EdgeCount >= 1<<32-1 {
		return syntaxErrorf(at, "header declares %d nodes and %d edges; at most 2^32-2 of each are supported", h.NodeCount, h.EdgeCount)
	}
	p.header, p.headerAt = true, at
	p.nodeVals, p.edgeVals = nodeVals, edgeVals
	p.snap.Header = *h
	p.snap.Types = ResolveTypes(&h.Meta)
	p.nodeCols = p.nodeColumns()
	p.edgeCols = p.edgeColumns()
	return nil
}

// initialRecords is how many records columns start with when the input
// size is unknown; they double as values arrive.
const initialRecords = 1 << 16

func (p *parser) sized(declared int) int {
	if p.opts.SizeBound > 0 {
		return declared
	}
	return min(declared, initialRecords)
}

// grown returns s extended to n elements. A first allocation is a plain
// make: memory fresh from the operating system is already zero, while
// make-and-copy would clear every page (and fault it in) up front.
func grown[T any](s []T, n int) []T {
	if len(s) == 0 {
		return make([]T, n)
	}
	out := make([]T, n)
	copy(out, s)
	return out
}

func (p *parser) nodeColumns() *columns {
	s := p.snap
	h := &s.Header
	n := p.sized(h.NodeCount)
	hasDetachedness := slices.Contains(h.Meta.NodeFields, "detachedness")
	alloc := func(n int) {
		s.NodeType = grown(s.NodeType, n)
		s.NodeName = grown(s.NodeName, n)
		s.NodeID = grown(s.NodeID, n)
		s.NodeSelfSize = grown(s.NodeSelfSize, n)
		s.FirstEdge = grown(s.FirstEdge, n+1)
		if hasDetachedness {
			s.NodeDetachedness = grown(s.NodeDetachedness, n)
		}
	}
	alloc(n)
	c := &columns{snap: s, limit: p.nodeVals, types: len(h.Meta.NodeTypes), cap: n}
	for _, f := range h.Meta.NodeFields {
		r := roleSkip
		switch f {
		case "type":
			r = roleNodeType
		case "name":
			r = roleNodeName
		case "id":
			r = roleNodeID
		case "self_size":
			r = roleNodeSelfSize
		case "edge_count":
			r = roleNodeEdgeCount
		case "detachedness":
			r = roleNodeDetachedness
		}
		c.roles = append(c.roles, r)
	}
	if n < h.NodeCount {
		c.grow = func(records int) {
			n := min(max(records, 2*c.cap), h.NodeCount)
			alloc(n)
			c.cap = n
		}
	}
	return c
}

func (p *parser) edgeColumns() *columns {
	s := p.snap
	h := &s.Header
	n := p.sized(h.EdgeCount)
	alloc := func(n int) {
		s.EdgeType = grown(s.EdgeType, n)
		s.EdgeName = grown(s.EdgeName, n)
		s.EdgeTo = grown(s.EdgeTo, n)
	}
	alloc(n)
	c := &columns{snap: s, limit: p.edgeVals, types: len(h.Meta.EdgeTypes), cap: n,
		stride: uint64(len(h.Meta.NodeFields)), nodes: uint64(h.NodeCount)}
	for _, f := range h.Meta.EdgeFields {
		r := roleSkip
		switch f {
		case "type":
			r = roleEdgeType
		case "name_or_index":
			r = roleEdgeName
		case "to_node":
			r = roleEdgeTo
		}
		c.roles = append(c.roles, r)
	}
	if n < h.EdgeCount {
		c.grow = func(records int) {
			n := min(max(records, 2*c.cap), h.EdgeCount)
			alloc(n)
			c.cap = n
		}
	}
	return c
}

func (p *parser) parseNodes() error {
	p.nodesAt = p.sc.offset(p.sc.pos)
	n, err := p.nodeCols.parseArray(p.sc, p.opts.Workers, "nodes")
	if err != nil {
		return err
	}
	if n != p.nodeVals {
		return syntaxErrorf(p.sc.offset(p.sc.pos-1), "nodes array has %d values, but node_count %d × %d fields needs %d",
			n, p.snap.NodeCount, len(p.snap.Meta.NodeFields), p.nodeVals)
	}
	p.haveNodes = true
	return nil
}

func (p *parser) parseEdges() error {
	p.edgesAt = p.sc.offset(p.sc.pos)
	n, err := p.edgeCols.parseArray(p.sc, p.opts.Workers, "edges")
	if err != nil {
		return err
	}
	if n != p.edgeVals {
		return syntaxErrorf(p.sc.offset(p.sc.pos-1), "edges array has %d values, but edge_count %d × %d fields needs %d",
			n, p.snap.EdgeCount, len(p.snap.Meta.EdgeFields), p.edgeVals)
	}
	p.haveEdge = true
	return nil
}

func (p *parser) parseLocations() error {
	s := p.snap
	lf := s.Meta.LocationFields
	c := &columns{snap: s, limit: -1, roles: make([]role, len(lf))}
	for i := range c.roles {
		c.roles[i] = roleFlat
	}
	at := p.sc.offset(p.sc.pos)
	n, err := c.parseArray(p.sc, p.opts.Workers, "locations")
	if err != nil {
		return err
	}
	if n%int64(len(lf)) != 0 {
		return syntaxErrorf(at, "locations array has %d values, not a multiple of %d fields", n, len(lf))
	}
	oi, si := slices.Index(lf, "object_index"), slices.Index(lf, "script_id")
	li, ci := slices.Index(lf, "line"), slices.Index(lf, "column")
	stride := uint32(len(s.Meta.NodeFields))
	locs := make([]Location, 0, n/int64(len(lf)))
	for k := 0; k < len(c.flat); k += len(lf) {
		rec := c.flat[k : k+len(lf)]
		obj := rec[oi]
		if obj%stride != 0 || int64(obj/stride) >= int64(s.NodeCount) {
			return syntaxErrorf(at, "locations[%d]: object_index %d is not a node index", k+oi, obj)
		}
		locs = append(locs, Location{Node: obj / stride, ScriptID: rec[si], Line: rec[li], Column: rec[ci]})
	}
	// DevTools keeps the last location written for a node.
	locs = sortByNode(locs)
	out := locs[:0]
	for i, l := range locs {
		if i+1 < len(locs) && locs[i+1].Node == l.Node {
			continue
		}
		out = append(out, l)
	}
	s.Locations = slices.Clip(out)
	return nil
}

// sortByNode sorts locations by node, stably: a least-significant-digit
// radix sort, 11 bits a pass, as many passes as the largest node needs.
// V8 writes locations in runs of increasing nodes, millions of them in a
// big heap, where a comparison sort takes ten times longer.
func sortByNode(locs []Location) []Location {
	if slices.IsSortedFunc(locs, func(a, b Location) int { return cmp.Compare(a.Node, b.Node) }) {
		return locs
	}
	maxNode := uint32(0)
	for _, l := range locs {
		maxNode = max(maxNode, l.Node)
	}
	const bits = 11
	tmp := make([]Location, len(locs))
	for shift := 0; shift < 32 && maxNode>>shift > 0; shift += bits {
		var start [1 << bits]int
		for _, l := range locs {
			start[l.Node>>shift&(1<<bits-1)]++
		}
		sum := 0
		for d, c := range start {
			start[d] = sum
			sum += c
		}
		for _, l := range locs {
			d := l.Node >> shift & (1<<bits - 1)
			tmp[start[d]] = l
			start[d]++
		}
		locs, tmp = tmp, locs
	}
	return locs
}

func (p *parser) parseStrings() error {
	sc := p.sc
	st := &p.snap.Strings
	if p.opts.exactSize {
		// The decoded strings are never longer than their JSON text, which
		// lies within the rest of the file: reserve once, never copy.
		if rest := p.opts.SizeBound - sc.offset(sc.pos); rest > 0 {
			st.data = make([]byte, 0, rest)
		}
	}
	if err := sc.expect('[', "at the start of strings"); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n > 0 && p.opts.Workers > 1 {
			// Right after a string: decode what the window holds on two
			// cores when it is long enough.
			n += p.stringsInParallel()
			if st.Len() >= 1<<32-1 {
				return syntaxErrorf(sc.offset(sc.pos), "more than 2^32-1 strings")
			}
		}
		c, ok := sc.skipSpace()
		if !ok {
			return sc.endError("in strings")
		}
		if c == ']' {
			sc.pos++
			break
		}
		if n > 0 {
			if c != ',' {
				return syntaxErrorf(sc.offset(sc.pos), "expected ',' or ']' in strings, found %s", describeByte(c))
			}
			sc.pos++
		}
		if c, ok := sc.skipSpace(); ok && c != '"' {
			return syntaxErrorf(sc.offset(sc.pos), "expected a string in strings, found %s", describeByte(c))
		}
		body, at, err := sc.token("in strings")
		if err != nil {
			return err
		}
		if n >= 1<<32-1 {
			return syntaxErrorf(at, "more than 2^32-1 strings")
		}
		if isPlainASCII(body) {
			st.data = append(st.data, body...)
		} else {
			var bad int
			if st.data, bad = appendJSONString(st.data, body); bad >= 0 {
				return syntaxErrorf(at+int64(bad), "invalid escape in string")
			}
		}
		st.closeString()
	}
	st.clip()
	p.haveStrings = true
	return nil
}

// stringsInParallelMin is the least window text worth splitting in two.
const stringsInParallelMin = 1 << 20

// stringsInParallel decodes the strings in the window after the current
// position, which follows a closing quote, in two parts on two cores, and
// returns how many it decoded (0 when it left the work to the sequential
// loop). Parts are cut after a string followed by ",\n", as V8 writes the
// array; a raw newline cannot occur inside a JSON string. The first part
// starts at a real string boundary, so if it decodes cleanly up to its cut
// the cut is one too and the second part's decoding is the true one.
// Anything unexpected (an escape error, a cut that was not a boundary)
// leaves that part, and the rest of the window, to the sequential loop,
// which reports errors precisely.
func (p *parser) stringsInParallel() int {
	sc := p.sc
	w := sc.win[sc.pos:]
	if len(w) < stringsInParallelMin || sc.offset(sc.pos) < p.stringsSerialUntil {
		return 0
	}
	p.stringsSerialUntil = sc.offset(len(sc.win))
	sep := []byte("\",\n")
	end := bytes.LastIndex(w, sep)
	if end < len(w)/2 {
		return 0
	}
	end++ // after the closing quote
	cut := bytes.Index(w[end/2:end], sep)
	if cut < 0 {
		return 0
	}
	cut += end/2 + 1
	st := &p.snap.Strings
	base := len(st.data)
	var okA, okB bool
	var second sync.WaitGroup
	second.Go(func() {
		p.dataB, p.endsB, okB = decodeStringRun(w[cut:end], p.dataB[:0], p.endsB[:0])
	})
	st.data, p.endsA, okA = decodeStringRun(w[:cut], st.data, p.endsA[:0])
	second.Wait()
	if !okA {
		st.data = st.data[:base]
		return 0
	}
	if okB {
		p.stringsSerialUntil = 0
	}
	st.closeStrings(int64(base), p.endsA)
	n := len(p.endsA)
	sc.pos += cut
	if okB {
		base = len(st.data)
		st.data = append(st.data, p.dataB...)
		st.closeStrings(int64(base), p.endsB)
		n += len(p.endsB)
		sc.pos += end - cut
	}
	return n
}

// decodeStringRun decodes b, a run of `,"…"` elements (with whitespace
// around the commas) that ends right after a closing quote, appending the
// strings to data and their ends, relative to data's length on entry, to
// ends. ok is false if b is not such a run or holds a bad escape.
func decodeStringRun(b, data []byte, ends []uint32) (_ []byte, _ []uint32, ok bool) {
	base := len(data)
	for i := 0; ; {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return data, ends, true
		}
		if b[i] != ',' {
			return data, ends, false
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) || b[i] != '"' {
			return data, ends, false
		}
		end := stringEnd(b, i+1)
		if end < 0 {
			return data, ends, false
		}
		if body := b[i+1 : end]; isPlainASCII(body) {
			data = append(data, body...)
		} else {
			var bad int
			if data, bad = appendJSONString(data, body); bad >= 0 {
				return data, ends, false
			}
		}
		ends = append(ends, uint32(len(data)-base))
		i = end + 1
	}
}

// isPlainASCII reports whether b has no escapes and no non-ASCII bytes, so
// that it can be copied as is.
func isPlainASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&0x8080808080808080 != 0 || hasByte(w, '\\') {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 || b[i] == '\\' {
			return false
		}
	}
	return true
}

// hasByte reports whether any byte of w equals c (the classic SWAR test).
func hasByte(w uint64, c byte) bool {
	x := w ^ (0x0101010101010101 * uint64(c))
	return (x-0x0101010101010101)&^x&0x8080808080808080 != 0
}

// finish checks what can only be checked once every section is read, and
// turns per-node edge counts into edge offsets.
func (p *parser) finish(end int64) error {
	s := p.snap
	switch {
	case !p.header:
		return syntaxErrorf(end, `not a heap snapshot: no "snapshot" header`)
	case !p.haveNodes:
		return syntaxErrorf(end, `heap snapshot has no "nodes" array`)
	case !p.haveEdge && s.EdgeCount > 0:
		return syntaxErrorf(end, `heap snapshot has no "edges" array`)
	case !p.haveStrings:
		return syntaxErrorf(end, `heap snapshot has no "strings" array`)
	}
	nstr := uint32(s.Strings.Len())
	// The edge names are checked on another core meanwhile; an error in
	// the nodes, earlier in the file, is reported first.
	var edgeErr error
	var edges sync.WaitGroup
	edges.Go(func() { edgeErr = p.checkEdgeNames(nstr) })
	defer edges.Wait()
	var sum uint64
	for i := 1; i < len(s.FirstEdge); i++ {
		sum += uint64(s.FirstEdge[i])
		if sum > uint64(s.EdgeCount) {
			return syntaxErrorf(p.nodesAt, "node %d (@%d): edge counts add up to more than edge_count %d",
				i-1, s.NodeID[i-1], s.EdgeCount)
		}
		s.FirstEdge[i] = uint32(sum)
	}
	if sum != uint64(s.EdgeCount) {
		return syntaxErrorf(p.nodesAt, "node edge counts add up to %d, but edge_count is %d", sum, s.EdgeCount)
	}
	for i, name := range s.NodeName {
		if name >= nstr {
			return syntaxErrorf(p.nodesAt, "node %d (@%d): name is string %d, but there are only %d strings",
				i, s.NodeID[i], name, nstr)
		}
	}
	edges.Wait()
	return edgeErr
}

// checkEdgeNames checks that every edge name that is a string index is
// one of the nstr strings.
func (p *parser) checkEdgeNames(nstr uint32) error {
	s := p.snap
	for e, name := range s.EdgeName {
		if name >= nstr && !s.Types.IsIndexNamed(s.EdgeType[e]) {
			return syntaxErrorf(p.edgesAt, "edge %d: name is string %d, but there are only %d strings", e, name, nstr)
		}
	}
	return nil
}
