package heapsnapshot

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
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
	// MaxInflate bounds how far gzip input may expand, against gzip bombs:
	// the decompressed text may be at most MaxInflate times the least text
	// the header's counts need (two bytes per declared node, edge and
	// trace-function value), and in any case 256 MiB. Real snapshots are
	// 2–3 times that least text, so the default, DefaultMaxInflate, leaves
	// room for heaps of unusually long strings. 0 means DefaultMaxInflate;
	// a negative value turns the limit off. Plain input is never limited:
	// its bytes cost their own I/O, not a multiple of it. The heapsnap
	// command sets it with --max-inflate (config key max_inflate).
	MaxInflate float64
	// exactSize is set when SizeBound is the input's exact size (a plain
	// file), which lets the string arena be reserved once.
	exactSize bool
}

// DefaultMaxInflate is the MaxInflate used when Options leaves it 0.
const DefaultMaxInflate = 32

// inflateFloor is the decompressed size gzip input may always reach, so
// that the limit never bites on small snapshots. stringBudgetFloor is the
// part of stringBudget that does not depend on the header. They are
// variables so that tests can reach them with small inputs.
var (
	inflateFloor      int64 = 256 << 20
	stringBudgetFloor int64 = 32 << 20
)

// minBytesPerValue is the least text a number array value takes: a digit
// and a separator.
const minBytesPerValue = 2

// maxHeaderSize bounds the "snapshot" header object; real ones are < 2 KB.
const maxHeaderSize = 1 << 20

// deflateMaxRatio is the largest expansion DEFLATE can achieve (about
// 1032:1), which bounds the decompressed size of a gzip file.
const deflateMaxRatio = 1032

// ParseFile parses the snapshot at path, plain or gzip-compressed (as
// Read).
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

// Read parses a snapshot from r, plain or gzip-compressed: gzip is
// recognised by its magic bytes, whatever the name or the caller says, so
// Read, Parse and ParseFile accept exactly the same inputs. size is the
// number of bytes r holds, or -1 when unknown (a pipe): a known size lets
// the parser refuse impossible headers before allocating and size every
// array exactly.
func Read(r io.Reader, size int64, opts Options) (*Snapshot, error) {
	counted := &countingReader{r: r, report: opts.Progress}
	br := bufio.NewReaderSize(counted, 64<<10)
	gz, err := isGzip(br)
	if err != nil {
		return nil, err
	}
	var src io.Reader = br
	var limit *atomic.Pointer[inflateLimit]
	if gz {
		limit = new(atomic.Pointer[inflateLimit])
		src = &gunzip{src: br, limit: limit, consumed: func() int64 { return counted.n.Load() - int64(br.Buffered()) }}
		if size >= 0 && opts.SizeBound == 0 {
			opts.SizeBound = size * deflateMaxRatio
		}
	} else if size >= 0 && opts.SizeBound == 0 {
		opts.SizeBound = size
		opts.exactSize = true
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxInflate == 0 {
		opts.MaxInflate = DefaultMaxInflate
	}
	sc := newScanner(src)
	defer sc.close()
	p := &parser{sc: sc, opts: opts, snap: &Snapshot{}, inflate: limit}
	if limit != nil {
		setInflateLimit(limit, opts.MaxInflate, nil, 0)
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.snap, nil
}

// Parse reads a snapshot from r, plain or gzip-compressed, of unknown
// size: Read(r, -1, opts).
func Parse(r io.Reader, opts Options) (*Snapshot, error) { return Read(r, -1, opts) }

// isGzip reports whether the stream starts with the gzip magic bytes.
func isGzip(br *bufio.Reader) (bool, error) {
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return false, err
	}
	return len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b, nil
}

// countingReader counts the bytes read through it, and reports them if
// report is set.
type countingReader struct {
	r      io.Reader
	n      atomic.Int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	total := c.n.Add(int64(n))
	if c.report != nil {
		c.report(total)
	}
	return n, err
}

// A section is a top-level key the parser reads; each may appear once.
type section uint16

const (
	secSnapshot section = 1 << iota
	secNodes
	secEdges
	secLocations
	secStrings
	secTraceFunctions
	secTraceTree
	secSamples
)

var sections = map[string]section{
	"snapshot": secSnapshot, "nodes": secNodes, "edges": secEdges, "locations": secLocations,
	"strings": secStrings, "trace_function_infos": secTraceFunctions, "trace_tree": secTraceTree,
	"samples": secSamples,
}

type parser struct {
	sc      *scanner
	opts    Options
	snap    *Snapshot
	inflate *atomic.Pointer[inflateLimit] // nil for plain input

	seen               section
	header             bool
	nodesAt, edgesAt   int64
	fnsAt              int64
	nodeVals, edgeVals int64
	nodeCols, edgeCols *columns
	// filter, once built, says which strings anything refers to.
	filter *stringFilter
	// Scratch for stringsInParallel: the ends of the first part's strings,
	// and the second part's bytes and ends.
	endsA, endsB []uint32
	dataB        []byte
	// scratch receives strings that are validated but not kept.
	scratch []byte
	key     []byte // the key being read, reused

	// stringsSerialUntil is the input offset before which strings are
	// decoded sequentially, after a part failed to decode in parallel.
	stringsSerialUntil int64
}

func (p *parser) have(s section) bool { return p.seen&s != 0 }

func (p *parser) run() error {
	sc := p.sc
	c, ok := sc.skipSpace()
	if !ok {
		if sc.err != nil {
			return sc.endError("")
		}
		if sc.offset(sc.pos) == 0 {
			return syntaxErrorf(0, "unexpected end of input before any data: the input is empty (was the snapshot written completely?)")
		}
		return syntaxErrorf(sc.offset(sc.pos), "unexpected end of input before any data: the input holds only whitespace")
	}
	if c == 0xef && sc.offset(sc.pos) == 0 && bytes.HasPrefix(sc.win[sc.pos:], utf8BOM) {
		// A UTF-8 byte order mark, which DevTools' text decoding drops.
		sc.pos += len(utf8BOM)
		c, ok = sc.skipSpace()
	}
	if !ok || c != '{' {
		return syntaxErrorf(sc.offset(sc.pos), "not a heap snapshot: %s", describeStart(sc.win[sc.pos:]))
	}
	sc.pos++
	if c, ok := sc.skipSpace(); ok && c == '}' {
		return syntaxErrorf(sc.offset(sc.pos), "not a heap snapshot: this is an empty JSON object; %s", takeSnapshotHint)
	}
	for {
		raw, long, at, err := sc.key("where an object key should be", p.key[:0])
		if err != nil {
			return err
		}
		p.key = raw
		key := raw
		if bytes.IndexByte(raw, '\\') >= 0 {
			key = decodeJSONBody(raw)
		}
		// The key quoted for a message; built only for one.
		quoted := func() string {
			if long {
				return quoteClipped(raw, -1)
			}
			return quoteInput(key)
		}
		if c, ok := sc.skipSpace(); ok && c == ':' {
			sc.pos++
		} else if err := sc.expect(':', "after key "+quoted()); err != nil {
			return err
		}
		var sec section
		if !long {
			sec = sections[string(key)]
		}
		if sec != 0 {
			if p.have(sec) {
				return syntaxErrorf(at, "duplicate key %s", quoted())
			}
			p.seen |= sec
		}
		if !p.header && sec != secSnapshot && sec != secStrings {
			// Content before the header: another kind of file, or a
			// snapshot with its sections out of order.
			if err := p.otherFormat(key, at); err != nil {
				return err
			}
			if sec != 0 {
				return syntaxErrorf(at, "%s comes before the \"snapshot\" header", quoted())
			}
		}
		switch sec {
		case secSnapshot:
			err = p.parseHeader()
		case secNodes:
			err = p.parseNodes()
		case secEdges:
			err = p.parseEdges()
		case secStrings:
			err = p.parseStrings()
		case secLocations, secTraceFunctions, secTraceTree, secSamples:
			// Read when meta describes the layout, skipped otherwise.
			if layout, parse := p.optional(sec); layout != nil {
				err = parse()
			} else {
				err = sc.skipValue("in " + string(key))
			}
		default:
			if err = sc.skipValue(unknownValue); err != nil {
				err = namingKey(err, quoted())
			}
		}
		if err != nil {
			return err
		}
		c, ok := sc.skipSpace()
		if !ok {
			return sc.endError("after the value of " + quoted())
		}
		sc.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return syntaxErrorf(sc.offset(sc.pos-1), "expected ',' or '}' after the value of %s, found %s", quoted(), describeByte(c))
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

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// optional returns the layout meta declares for a section V8 may leave
// out of meta (nil if it does), and the function that reads it.
func (p *parser) optional(sec section) ([]string, func() error) {
	m := &p.snap.Meta
	switch sec {
	case secLocations:
		return m.LocationFields, p.parseLocations
	case secTraceFunctions:
		return m.TraceFunctionInfoFields, p.parseTraceFunctions
	case secTraceTree:
		return m.TraceNodeFields, p.parseTraceTree
	}
	return m.SampleFields, p.parseSamples
}

// unknownValue is the context of an error in the value of a key the parser
// skips; namingKey puts the key's name in, once there is an error.
const unknownValue = "in the value of an unknown key"

func namingKey(err error, quoted string) error {
	if se, ok := err.(*SyntaxError); ok {
		se.Msg = strings.Replace(se.Msg, unknownValue, "in the value of key "+quoted, 1)
	}
	return err
}

func (p *parser) parseHeader() error {
	b, at, err := p.sc.capture(maxHeaderSize, "in the snapshot header")
	if err != nil {
		return err
	}
	h, jerr := parseHeader(b, at)
	if jerr != nil {
		return syntaxErrorf(at+int64(jerr.at), "%s", jerr.msg)
	}
	nodeVals := int64(h.NodeCount) * int64(len(h.Meta.NodeFields))
	edgeVals := int64(h.EdgeCount) * int64(len(h.Meta.EdgeFields))
	fnVals := int64(h.TraceFunctionCount) * int64(len(h.Meta.TraceFunctionInfoFields))
	if bound := p.opts.SizeBound; bound > 0 && minBytesPerValue*(nodeVals+edgeVals+fnVals) > bound+2 {
		return syntaxErrorf(at, "header declares %d nodes and %d edges, more than %d bytes of input can hold",
			h.NodeCount, h.EdgeCount, bound)
	}
	if h.NodeCount >= 1<<32-1 || h.EdgeCount >= 1<<32-1 || h.TraceFunctionCount >= 1<<32-1 {
		return syntaxErrorf(at, "header declares %d nodes, %d edges and %d trace functions; at most 2^32-2 of each are supported",
			h.NodeCount, h.EdgeCount, h.TraceFunctionCount)
	}
	p.header = true
	p.nodeVals, p.edgeVals = nodeVals, edgeVals
	p.snap.Header = *h
	p.snap.Types = ResolveTypes(&h.Meta)
	p.nodeCols = p.nodeColumns()
	p.edgeCols = p.edgeColumns()
	if p.inflate != nil {
		setInflateLimit(p.inflate, p.opts.MaxInflate, h, nodeVals+edgeVals+fnVals)
	}
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
	// V8 always writes trace_node_id; it means something only when the
	// snapshot has allocation traces, and costs 4 bytes a node to keep.
	keepTraceIDs := h.TraceFunctionCount > 0 && slices.Contains(h.Meta.NodeFields, "trace_node_id")
	alloc := func(n int) {
		s.NodeType = grown(s.NodeType, n)
		s.NodeName = grown(s.NodeName, n)
		s.NodeID = grown(s.NodeID, n)
		s.NodeSelfSize = grown(s.NodeSelfSize, n)
		s.FirstEdge = grown(s.FirstEdge, n+1)
		if hasDetachedness {
			s.NodeDetachedness = grown(s.NodeDetachedness, n)
		}
		if keepTraceIDs {
			s.NodeTraceID = grown(s.NodeTraceID, n)
		}
	}
	alloc(n)
	c := &columns{snap: s, limit: p.nodeVals, tooMany: "more values than the header declares", types: len(h.Meta.NodeTypes), cap: n,
		roles: rolesOf(h.Meta.NodeFields, nodeRoles)}
	if !keepTraceIDs {
		for i, r := range c.roles {
			if r == roleNodeTraceID {
				c.roles[i] = roleSkip
			}
		}
	}
	if n < h.NodeCount {
		c.growTo(h.NodeCount, alloc)
	}
	return c
}

// nodeIndexes sets up c to check and convert node indexes (to_node,
// object_index).
func (c *columns) nodeIndexes(h *Header) *columns {
	c.stride = uint64(len(h.Meta.NodeFields))
	c.nodes = uint64(h.NodeCount)
	c.magic = (1<<32)/c.stride + 1
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
	c := (&columns{snap: s, limit: p.edgeVals, tooMany: "more values than the header declares", types: len(h.Meta.EdgeTypes), cap: n,
		roles: rolesOf(h.Meta.EdgeFields, edgeRoles)}).nodeIndexes(h)
	if n < h.EdgeCount {
		c.growTo(h.EdgeCount, alloc)
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
	return nil
}

// parseLocations reads locations straight into Snapshot.Locations. V8
// writes at most one location per node, so more than node_count of them
// is refused as soon as the first extra value is read, and each
// object_index is checked as it is read.
func (p *parser) parseLocations() error {
	s := p.snap
	lf := s.Meta.LocationFields
	nf := len(lf)
	c := (&columns{snap: s, limit: int64(s.NodeCount) * int64(nf), roles: rolesOf(lf, locationRoles),
		tooMany: fmt.Sprintf("more locations than the %d nodes (V8 writes at most one per node)", s.NodeCount)}).nodeIndexes(&s.Header)
	c.growTo(s.NodeCount, func(n int) { s.Locations = grown(s.Locations, n) })
	at := p.sc.offset(p.sc.pos)
	n, err := c.parseArray(p.sc, p.opts.Workers, "locations")
	if err != nil {
		return err
	}
	if n%int64(nf) != 0 {
		return syntaxErrorf(at, "locations array has %d values, not a multiple of %d fields", n, nf)
	}
	// DevTools keeps the last location written for a node.
	locs := sortByNode(s.Locations[:n/int64(nf)])
	out := locs[:0]
	for i, l := range locs {
		if i+1 < len(locs) && locs[i+1].Node == l.Node {
			continue
		}
		out = append(out, l)
	}
	s.Locations = clipped(out)
	return nil
}

// clipped returns s without spare capacity, copying it when the spare
// is more than a little (a slice grown by doubling).
func clipped[T any](s []T) []T {
	if cap(s)-len(s) > len(s)/16 {
		return slices.Clone(s)
	}
	return s
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
		if p.filter == nil && p.filterable() && st.Size()+4*int64(st.Len()) > p.stringBudget() {
			p.buildFilter()
		}
		if n > 0 && p.filter != nil && n > int(p.filter.last) {
			n += p.skipUnrecorded()
		} else if n > 0 && p.opts.Workers > 1 {
			// Right after a string: decode what the window holds on two
			// cores when it is long enough.
			n += p.stringsInParallel()
		}
		if n >= 1<<32-1 {
			return syntaxErrorf(sc.offset(sc.pos), "more than 2^32-1 strings")
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
		if n >= 1<<32-1 {
			return syntaxErrorf(sc.offset(sc.pos), "more than 2^32-1 strings")
		}
		// Strings past the last one referred to are read but not entered
		// in the table at all.
		record := p.filter == nil || uint32(n) <= p.filter.last
		if err := p.parseString(uint32(n), record); err != nil {
			return err
		}
		// (parseString may have built the filter.)
		if record && (p.filter == nil || uint32(n) <= p.filter.last) {
			st.closeString()
		}
	}
	st.clip()
	return nil
}

// skipUnrecorded consumes the strings the window holds after the current
// position, which follows a string past the last one referred to: they
// are checked (their escapes) but neither kept nor entered in the table.
// It stops before anything but a whole `,"…"` element, leaving it and any
// error to the sequential loop, and returns how many strings it consumed.
func (p *parser) skipUnrecorded() int {
	sc := p.sc
	w := sc.win
	i, n := sc.pos, 0
	for {
		j := i
		for j < len(w) && isSpace(w[j]) {
			j++
		}
		if j == len(w) || w[j] != ',' {
			break
		}
		for j++; j < len(w) && isSpace(w[j]); j++ {
		}
		if j == len(w) || w[j] != '"' {
			break
		}
		end := stringEnd(w, j+1)
		if end < 0 {
			break
		}
		if body := w[j+1 : end]; bytes.IndexByte(body, '\\') >= 0 {
			var bad int
			if p.scratch, bad = appendJSONString(p.scratch[:0], body); bad >= 0 {
				break
			}
		}
		i = end + 1
		n++
	}
	sc.pos = i
	return n
}

// longString is the length past which a string's text makes the parser
// build the string filter, if it has not yet, to learn whether the string
// is worth keeping. V8 cuts the strings it writes at 1024 characters, a
// few kilobytes of JSON, so real snapshots never reach it.
const longString = 64 << 10

// parseString decodes string index's JSON text, at the current position,
// into the arena, if record is set; a string nothing refers to is only
// checked, not kept.
func (p *parser) parseString(index uint32, record bool) error {
	st := &p.snap.Strings
	start := len(st.data)
	keep := record && (p.filter == nil || p.filter.keeps(index))
	length := 0
	_, err := p.sc.readString("in strings", func(piece []byte, at int64, final bool) (int, error) {
		length += len(piece)
		if keep && length > longString && p.filter == nil && p.filterable() {
			p.buildFilter()
			if keep = p.filter.keeps(index); !keep {
				st.data = st.data[:start]
			}
		}
		var used, bad int
		if keep {
			st.data, used, bad = appendJSONPiece(st.data, piece, final)
		} else if isPlainASCII(piece) {
			used, bad = len(piece), -1
		} else {
			p.scratch, used, bad = appendJSONPiece(p.scratch[:0], piece, final)
		}
		if bad >= 0 {
			return used, syntaxErrorf(at+int64(bad), "invalid escape in string")
		}
		length -= len(piece) - used
		return used, nil
	})
	return err
}

// filterable reports whether every section that refers to strings has
// been read, so that a string filter would be complete. V8 writes the
// strings last; in a file that puts them earlier, every string is kept.
func (p *parser) filterable() bool {
	return p.have(secNodes) && (p.have(secEdges) || p.snap.EdgeCount == 0) &&
		(p.have(secTraceFunctions) || p.snap.TraceFunctionCount == 0)
}

// stringBudget is how many bytes the string table (text, and 4 bytes of
// index per string) may hold before the parser asks which strings are
// referred to: 32 MiB, and 8 bytes per reference. Real snapshots hold two
// or three bytes of strings per reference, so only an unusual file pays
// for the filter.
func (p *parser) stringBudget() int64 {
	s := p.snap
	return stringBudgetFloor + 8*(int64(s.NodeCount)+int64(s.EdgeCount)+2*int64(s.TraceFunctionCount))
}

// buildFilter builds the filter of referred-to strings.
func (p *parser) buildFilter() {
	s := p.snap
	p.filter = newStringFilter(func(yield func(uint32) bool) {
		for _, name := range s.NodeName {
			yield(name)
		}
		for e, name := range s.EdgeName {
			if !s.Types.IsIndexNamed(s.EdgeType[e]) {
				yield(name)
			}
		}
		for _, fn := range s.TraceFunctions {
			yield(fn.Name)
			yield(fn.ScriptName)
		}
	})
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
	f := p.filter
	if f != nil && uint64(st.Len()) > uint64(f.last) {
		return 0 // the sequential loop skips the strings past the last one referred to
	}
	base := len(st.data)
	first := uint32(st.Len())
	// Until the string filter may be built, a long string is left to the
	// sequential loop, which builds it.
	maxLen := math.MaxInt
	if f == nil && p.filterable() {
		maxLen = longString
	}
	var okA, okB bool
	var second sync.WaitGroup
	second.Go(func() {
		// The second part's first index is known only once the first
		// part is decoded, so it keeps every string; the filter is
		// applied as they are copied in.
		p.dataB, p.endsB, okB = decodeStringRun(w[cut:end], p.dataB[:0], p.endsB[:0], maxLen, nil, 0)
	})
	st.data, p.endsA, okA = decodeStringRun(w[:cut], st.data, p.endsA[:0], maxLen, f, first)
	second.Wait()
	if !okA {
		st.data = st.data[:base]
		return 0
	}
	if okB {
		p.stringsSerialUntil = 0
	}
	st.closeStrings(int64(base), p.recorded(p.endsA))
	n := len(p.endsA)
	sc.pos += cut
	if okB {
		if f == nil {
			base = len(st.data)
			st.data = append(st.data, p.dataB...)
			st.closeStrings(int64(base), p.endsB)
		} else {
			from := uint32(0)
			for k, to := range p.recorded(p.endsB) {
				if f.keeps(first + uint32(n+k)) {
					st.data = append(st.data, p.dataB[from:to]...)
				}
				st.closeString()
				from = to
			}
		}
		n += len(p.endsB)
		sc.pos += end - cut
	}
	return n
}

// recorded returns the ends of the strings that go into the table, of a
// run that follows the table's last string: all, unless the filter says
// where the strings referred to end.
func (p *parser) recorded(ends []uint32) []uint32 {
	if f := p.filter; f != nil {
		if room := int64(f.last) + 1 - int64(p.snap.Strings.Len()); int64(len(ends)) > room {
			return ends[:max(room, 0)]
		}
	}
	return ends
}

// decodeStringRun decodes b, a run of `,"…"` elements (with whitespace
// around the commas) that ends right after a closing quote, appending the
// strings to data and their ends, relative to data's length on entry, to
// ends. ok is false if b is not such a run, holds a bad escape or a string
// longer than maxLen bytes of JSON. With a filter f, the strings it does
// not keep (the first has the given index) are checked but left empty.
func decodeStringRun(b, data []byte, ends []uint32, maxLen int, f *stringFilter, index uint32) (_ []byte, _ []uint32, ok bool) {
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
		mark := len(data)
		if body := b[i+1 : end]; len(body) > maxLen {
			return data, ends, false
		} else if isPlainASCII(body) {
			data = append(data, body...)
		} else {
			var bad int
			if data, bad = appendJSONString(data, body); bad >= 0 {
				return data, ends, false
			}
		}
		if f != nil && !f.keeps(index) {
			data = data[:mark]
		}
		index++
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
		return syntaxErrorf(end, `not a heap snapshot: this JSON object has no "snapshot" header; %s`, takeSnapshotHint)
	case !p.have(secNodes):
		return syntaxErrorf(end, `heap snapshot has no "nodes" array`)
	case !p.have(secEdges) && s.EdgeCount > 0:
		return syntaxErrorf(end, `heap snapshot has no "edges" array`)
	case !p.have(secStrings):
		return syntaxErrorf(end, `heap snapshot has no "strings" array`)
	case s.TraceFunctionCount > 0 && s.TraceFunctions == nil:
		return syntaxErrorf(end, `heap snapshot declares %d trace functions but has no "trace_function_infos" the header describes`, s.TraceFunctionCount)
	}
	nstr := uint32(s.Strings.Len())
	for i, fn := range s.TraceFunctions {
		if fn.Name >= nstr || fn.ScriptName >= nstr {
			return syntaxErrorf(p.fnsAt, "trace function %d: name or script name is string %d, but there are only %d strings",
				i, max(fn.Name, fn.ScriptName), nstr)
		}
	}
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
