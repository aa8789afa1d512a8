package synth

import (
	"io"
	"sync"
)

// Node types (meta.node_types[0]) and edge types (meta.edge_types[0]).
const (
	tHidden uint8 = iota
	tArray
	tString
	tObject
	tCode
	tClosure
	tRegexp
	tNumber
	tNative
	tSynthetic
	tConsString
	tSlicedString
	tSymbol
	tBigint
	tShape
	tWasm
)

const (
	eContext uint8 = iota
	eElement
	eProperty
	eInternal
	eHidden
	eShortcut
	eWeak
)

// clusterSize is the number of nodes in each cluster after the preamble.
const clusterSize = 32

// clustersPerChunk is how many clusters one formatting job covers.
const clustersPerChunk = 2048

// chunkBytes is the rough size of one formatting job's output.
const chunkBytes = 2 << 20

// Cluster kinds. Listener, weak-entry and garbage clusters sit at fixed
// strides so that their number and position are known arithmetically; the
// others are drawn from the cluster's hash.
const (
	kSession = iota
	kCache
	kHandlers
	kPayload
	kBuffers
	kRecords
	kListener
	kWeakEntry
	kGarbage
	kTail
	numKinds
)

var kindNames = [numKinds]string{"session", "cache", "handlers", "payload", "buffers", "records", "listener", "weak-entry", "garbage", "tail"}

// Strides: the offsets differ modulo 50, so no cluster is two of these.
const (
	listenerStride, listenerOffset = 50, 7
	weakStride, weakOffset         = 100, 13
	garbageStride, garbageOffset   = 200, 21
)

// kindWeights are the per-mille weights of the hashed kinds.
var kindWeights = [...]uint64{kSession: 300, kCache: 200, kHandlers: 120, kPayload: 130, kBuffers: 50, kRecords: 200}

type edgeRec struct {
	to   uint32 // target ordinal
	name uint32 // string index, or the index for element/hidden edges
	typ  uint8
	src  uint8 // source slot (clusters only)
}

// gen holds the layout of one snapshot.
type gen struct {
	cfg      Config
	nf       uint64 // node field count
	hasTrace bool
	hasDet   bool

	pre   *preamble
	P     uint32 // preamble node count = ordinal of the first cluster
	nFull int64  // full clusters
	tail  int    // nodes in the partial last cluster (0: none)
	nClus int64  // nFull + (tail > 0)

	kindCount [numKinds]int64
	kept      int64 // weak-entry keys also held strongly (by processor.pending)

	numBase, numCount uint32 // decimal strings
	ephBase           uint32 // ephemeron names
	pool              pool
	nStrings          int64

	// extraRate is the mean number of extra edges per eligible cluster
	// node, calibrated to reach cfg.EdgesPerNode.
	extraRate float64
	targets   []sharedTarget

	// totals from the counting pass
	edges, locations int64
	selfTotal        uint64
}

type sharedTarget struct {
	typ  uint8
	name uint32
	to   uint32
}

func newGen(cfg Config) (*gen, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := &gen{cfg: cfg, nf: uint64(cfg.NodeFields.count())}
	g.hasTrace = cfg.NodeFields != FieldsMinimal
	g.hasDet = cfg.NodeFields == FieldsV8
	g.pre = newPreamble(cfg.BigSelfSizes)
	g.P = uint32(len(g.pre.nodes))
	body := cfg.Nodes - int64(g.P)
	g.nFull = body / clusterSize
	g.tail = int(body % clusterSize)
	g.nClus = g.nFull
	if g.tail > 0 {
		g.nClus++
	}
	g.countKinds()
	g.layoutStrings()
	g.pre.link(g)
	g.calibrate()
	g.count()
	return g, nil
}

// kind returns the kind of cluster k.
func (g *gen) kind(k int64) int {
	if k >= g.nFull {
		return kTail
	}
	switch {
	case k%listenerStride == listenerOffset:
		return kListener
	case k%weakStride == weakOffset:
		return kWeakEntry
	case k%garbageStride == garbageOffset:
		return kGarbage
	}
	h := mix(g.cfg.Seed^0x4b494e44^uint64(k)*0xA24BAED4963EE407) % 1000
	for kd, w := range kindWeights {
		if h < w {
			return kd
		}
		h -= w
	}
	return kRecords
}

// head returns the ordinal of cluster k's first node.
func (g *gen) head(k int64) uint32 { return g.P + uint32(k)*clusterSize }

func (g *gen) countKinds() {
	for k := int64(0); k < g.nClus; k++ {
		g.kindCount[g.kind(k)]++
	}
	for j := int64(0); j < g.kindCount[kWeakEntry]; j++ {
		if g.keptKey(j) {
			g.kept++
		}
	}
}

// keptKey reports whether WeakMap entry j's key is also held strongly; the
// others are retained only through the WeakMap (weak-only retention).
func (g *gen) keptKey(j int64) bool { return j%4 != 3 }

// shared reports whether other clusters may refer to cluster k's nodes:
// not to unreachable islands, weakly held WeakMap entries or the listener
// closures, whose only retainer is meant to be the EventEmitter.
func (g *gen) shared(k int64) bool {
	switch g.kind(k) {
	case kGarbage, kWeakEntry, kListener:
		return false
	}
	return true
}

// liveCluster returns a pseudo-random cluster that other clusters may
// refer to, or -1 if there are no clusters.
func (g *gen) liveCluster(r *rng) int64 {
	if g.nFull == 0 {
		return -1
	}
	k := int64(r.below(uint64(g.nFull)))
	if !g.shared(k) {
		// The strides keep the next cluster of a special one ordinary.
		k = (k + 1) % g.nFull
		if !g.shared(k) {
			return -1
		}
	}
	return k
}

// liveHead returns the head of a pseudo-random cluster that other clusters
// may refer to (the global object if there is none).
func (g *gen) liveHead(r *rng) uint32 {
	k := g.liveCluster(r)
	if k < 0 {
		return g.pre.global
	}
	return g.head(k)
}

// liveSlot returns slot `slot` of a pseudo-random cluster of kind want, or
// the head of the drawn cluster if it has another kind.
func (g *gen) liveSlot(r *rng, want int, slot uint32) uint32 {
	k := g.liveCluster(r)
	switch {
	case k < 0:
		return g.pre.global
	case g.kind(k) == want:
		return g.head(k) + slot
	}
	return g.head(k)
}

func (g *gen) num(i int64) uint32 {
	if i < 0 || i >= int64(g.numCount) {
		panic("synth: numeric string out of range")
	}
	return g.numBase + uint32(i)
}

func (g *gen) ephKeyName(j int64) uint32   { return g.ephBase + uint32(2*j) }
func (g *gen) ephTableName(j int64) uint32 { return g.ephBase + uint32(2*j+1) }

// weakEntryCluster returns the cluster of WeakMap entry j.
func weakEntryCluster(j int64) int64 { return j*weakStride + weakOffset }

func listenerCluster(j int64) int64 { return j*listenerStride + listenerOffset }

func (g *gen) id(o uint32, even bool) uint32 {
	if even {
		return 0x80000000 + 2*o
	}
	return 2*o + 1
}

// layoutStrings places the decimal, ephemeron and pool ranges and sizes the
// pool to reach cfg.StringsBytes.
func (g *gen) layoutStrings() {
	need := int64(64)
	need = max(need, 3*g.kindCount[kSession]+16)
	need = max(need, 2*g.kindCount[kWeakEntry]+16)
	for kd := range numKinds {
		need = max(need, g.kindCount[kd]+16)
	}
	g.numBase = numFixed
	g.numCount = uint32(need)
	g.ephBase = g.numBase + g.numCount
	W := g.kindCount[kWeakEntry]
	p := &g.pool
	p.base = g.ephBase + uint32(2*W)
	p.seed = g.cfg.Seed
	p.block = newTextBlock(g.cfg.Seed)
	p.textAvg = 40

	// Pool sizes relative to how many string nodes pick from each
	// category, so that values repeat a little (duplicated strings).
	n := g.cfg.Nodes
	sizes := [numCats]int64{
		catSess:  max(64, n/30),
		catEmail: max(64, n/60),
		catPath:  max(64, n/50),
		catKey:   max(64, n/25),
		catName:  int64(len(firstNames) * len(lastNames)),
		catText:  max(256, n/8),
	}
	if g.cfg.StringsBytes > 0 {
		rest := g.fixedStringBytes() + g.ephStringBytes()
		p.setSizes(sizes)
		for j := int64(0); j < p.start[catText]; j++ {
			rest += int64(p.valueLen(j)) + 4
		}
		left := g.cfg.StringsBytes - rest
		if left > 0 {
			avg := min(max(left/sizes[catText]-4, 8), 700)
			p.textAvg = avg
			// textLen's mean is avg/2 + avg/2 with avg/2 truncated: size
			// the category by that exact mean, plus `"",\n` per string.
			mean := float64(avg/2) + float64(avg)/2 + 4
			sizes[catText] = max(256, int64(float64(left)/mean))
		}
	}
	p.setSizes(sizes)
	g.nStrings = int64(p.base) + p.start[numCats]
	if g.nStrings > 1<<30 {
		panic("synth: more than 2^30 strings")
	}
}

func (p *pool) setSizes(sizes [numCats]int64) {
	p.start[0] = 0
	for c := range numCats {
		p.start[c+1] = p.start[c] + sizes[c]
	}
}

func (g *gen) fixedStringBytes() int64 {
	var n int64
	for _, s := range fixedJSON {
		n += int64(len(s)) + 2
	}
	for i := int64(0); i < int64(g.numCount); i++ {
		n += int64(len(appendUint(nil, uint64(i)))) + 4
	}
	return n
}

func (g *gen) ephStringBytes() int64 {
	return g.kindCount[kWeakEntry] * 2 * 110
}

// calibrate estimates the structural edges per node from a sample of
// clusters and sets extraRate so that the total reaches cfg.EdgesPerNode.
func (g *gen) calibrate() {
	if g.nFull == 0 {
		return
	}
	b := newBuilder(g)
	const samples = 4000
	var sEdges, sElig int64
	r := newRNG(g.cfg.Seed ^ 0xCA11B)
	for range samples {
		k := int64(r.below(uint64(g.nFull)))
		b.build(k, false)
		sEdges += int64(len(b.edges))
		sElig += int64(b.eligible())
	}
	perCluster := float64(sEdges) / samples
	eligPer := float64(sElig) / samples
	base := float64(g.pre.edgeCount(g)) + perCluster*float64(g.nClus)
	target := g.cfg.EdgesPerNode * float64(g.cfg.Nodes)
	if target > base && eligPer > 0 {
		g.extraRate = (target - base) / (eligPer * float64(g.nClus))
	}
}

// chunks returns the number of cluster chunks; chunk 0 is the preamble.
func (g *gen) chunks() int { return 1 + int((g.nClus+clustersPerChunk-1)/clustersPerChunk) }

func (g *gen) chunkClusters(c int) (lo, hi int64) {
	lo = int64(c-1) * clustersPerChunk
	hi = min(lo+clustersPerChunk, g.nClus)
	return
}

// count runs the counting pass: edge and location totals and self sizes.
func (g *gen) count() {
	n := g.chunks()
	type res struct {
		edges, locs int64
		self        uint64
	}
	out := make([]res, n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for c := range n {
		next <- c
	}
	close(next)
	for range max(1, g.cfg.Workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(g)
			for c := range next {
				var rs res
				if c == 0 {
					rs.edges = g.pre.edgeCount(g)
					rs.self = g.pre.selfSize()
					rs.locs = g.pre.locations()
				} else {
					lo, hi := g.chunkClusters(c)
					for k := lo; k < hi; k++ {
						b.build(k, true)
						rs.edges += int64(len(b.edges))
						for i := 0; i < b.n; i++ {
							rs.self += uint64(b.size[i])
							if b.loc[i] != 0 {
								rs.locs++
							}
						}
					}
				}
				out[c] = rs
			}
		}()
	}
	wg.Wait()
	for _, rs := range out {
		g.edges += rs.edges
		g.selfTotal += rs.self
		g.locations += rs.locs
	}
}

func (g *gen) stats() Stats {
	return Stats{
		Nodes:          g.cfg.Nodes,
		Edges:          g.edges,
		Strings:        g.nStrings,
		Locations:      g.locations,
		TotalSelfSize:  g.selfTotal,
		Clusters:       g.nClus,
		Sessions:       g.kindCount[kSession],
		CacheEntries:   6 * g.kindCount[kCache],
		Listeners:      g.kindCount[kListener],
		WeakMapEntries: g.kindCount[kWeakEntry],
		Unreachable:    clusterSize*(g.kindCount[kGarbage]+g.kindCount[kWeakEntry]-g.kept) + 5*g.kindCount[kCache],
	}
}

var nodeTypeNames = `["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"]`

func (g *gen) header() []byte {
	var b []byte
	b = append(b, `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"`...)
	if g.hasTrace {
		b = append(b, `,"trace_node_id"`...)
	}
	if g.hasDet {
		b = append(b, `,"detachedness"`...)
	}
	b = append(b, `],"node_types":[`...)
	b = append(b, nodeTypeNames...)
	b = append(b, `,"string","number","number","number"`...)
	if g.hasTrace {
		b = append(b, `,"number"`...)
	}
	if g.hasDet {
		b = append(b, `,"number"`...)
	}
	b = append(b, `],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]},"node_count":`...)
	b = appendUint(b, uint64(g.cfg.Nodes))
	b = append(b, `,"edge_count":`...)
	b = appendUint(b, uint64(g.edges))
	b = append(b, `,"trace_function_count":0},`+"\n"+`"nodes":[`...)
	return b
}

// appendNode appends one node record (each record but the first starts
// with a comma; every record ends with a newline).
func (g *gen) appendNode(b []byte, o uint32, typ uint8, name uint32, even bool, size uint32, ec uint64, det uint8) []byte {
	if o != 0 {
		b = append(b, ',')
	}
	b = appendUint(b, uint64(typ))
	b = append(b, ',')
	b = appendUint(b, uint64(name))
	b = append(b, ',')
	b = appendUint(b, uint64(g.id(o, even)))
	b = append(b, ',')
	b = appendUint(b, uint64(size))
	b = append(b, ',')
	b = appendUint(b, ec)
	if g.hasTrace {
		b = append(b, ",0"...)
	}
	if g.hasDet {
		b = append(b, ',')
		b = append(b, '0'+det)
	}
	return append(b, '\n')
}

func (g *gen) appendEdge(b []byte, first bool, typ uint8, name, to uint32) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '0'+typ, ',')
	b = appendUint(b, uint64(name))
	b = append(b, ',')
	b = appendUint(b, uint64(to)*g.nf)
	return append(b, '\n')
}

func (g *gen) write(w io.Writer) (Stats, error) {
	st := g.stats()
	if _, err := w.Write(g.header()); err != nil {
		return st, err
	}
	cw := &countWriter{w: w}
	n := g.chunks()
	var pool sync.Pool
	getB := func() *builder {
		if b, ok := pool.Get().(*builder); ok {
			return b
		}
		return newBuilder(g)
	}
	// nodes
	err := writeOrdered(cw, n, g.cfg.Workers, func(c int, buf []byte) []byte {
		if c == 0 {
			return g.pre.appendNodes(g, buf)
		}
		b := getB()
		defer pool.Put(b)
		lo, hi := g.chunkClusters(c)
		for k := lo; k < hi; k++ {
			b.build(k, true)
			buf = b.appendNodes(buf)
		}
		return buf
	})
	st.NodesBytes = cw.n + 2
	if err != nil {
		return st, err
	}
	if _, err := io.WriteString(w, "],\n\"edges\":["); err != nil {
		return st, err
	}
	cw.n = 0
	// The preamble's edges include the big tables that list clusters
	// (sessions, listeners, …): stream them in bounded pieces.
	err = g.pre.writeEdges(g, cw)
	if err == nil {
		err = writeOrdered(cw, n-1, g.cfg.Workers, func(c int, buf []byte) []byte {
			b := getB()
			defer pool.Put(b)
			lo, hi := g.chunkClusters(c + 1)
			for k := lo; k < hi; k++ {
				b.build(k, true)
				buf = b.appendEdges(buf)
			}
			return buf
		})
	}
	st.EdgesBytes = cw.n + 2
	if err != nil {
		return st, err
	}
	if _, err := io.WriteString(w, "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":["); err != nil {
		return st, err
	}
	err = writeOrdered(w, n, g.cfg.Workers, func(c int, buf []byte) []byte {
		if c == 0 {
			return g.pre.appendLocations(g, buf)
		}
		b := getB()
		defer pool.Put(b)
		lo, hi := g.chunkClusters(c)
		for k := lo; k < hi; k++ {
			b.build(k, false)
			buf = b.appendLocations(buf)
		}
		return buf
	})
	if err != nil {
		return st, err
	}
	if _, err := io.WriteString(w, "],\n\"strings\":["); err != nil {
		return st, err
	}
	cw.n = 0
	perChunk := min(max(chunkBytes/(g.pool.textAvg+8), 1024), 1<<15)
	ns := int((g.nStrings + perChunk - 1) / perChunk)
	err = writeOrdered(cw, ns, g.cfg.Workers, func(c int, buf []byte) []byte {
		lo := int64(c) * perChunk
		hi := min(lo+perChunk, g.nStrings)
		for i := lo; i < hi; i++ {
			buf = g.appendString(buf, i)
			if i+1 < g.nStrings {
				buf = append(buf, ",\n"...)
			}
		}
		return buf
	})
	st.StringsBytes = cw.n + 2
	if err != nil {
		return st, err
	}
	_, err = io.WriteString(w, "]}")
	return st, err
}

// appendString appends string i, quoted.
func (g *gen) appendString(b []byte, i int64) []byte {
	switch {
	case i < numFixed:
		return append(b, fixedJSON[i]...)
	case i < int64(g.ephBase):
		return appendQuotedUint(b, uint64(i-int64(g.numBase)))
	case i < int64(g.pool.base):
		e := i - int64(g.ephBase)
		j := e / 2
		key := g.head(weakEntryCluster(j))
		prefix := uint64(1)
		if e%2 == 1 {
			prefix = uint64(3*j + 3)
		}
		b = append(b, '"')
		b = appendEphemeronName(b, prefix, uint64(g.id(key, false)), uint64(g.id(key+1, false)), uint64(g.id(g.pre.ephTable, false)))
		return append(b, '"')
	}
	b = append(b, '"')
	b = g.pool.appendValue(b, i-int64(g.pool.base))
	return append(b, '"')
}
