// Package synth writes synthetic V8 heap snapshots of any size.
//
// The output has the exact byte layout of V8's HeapSnapshotJSONSerializer
// (one record per line, leading commas, strings last with "<dummy>" first,
// non-ASCII escaped as \uXXXX) and the shape of a Node.js service
// heap: a root with "(GC roots)" and its sub-roots, a global object, a Map of
// Session objects holding Customers, Orders and LineItems, an LRU-like cache
// of string entries, routers with closures and contexts, message payloads
// with concatenated and sliced strings, Buffers with native backing stores,
// one EventEmitter whose "data" listener Array holds many closures (the
// classic listener leak), a WeakMap with ephemeron edges, weak references,
// weak-only and unreachable islands and cycles, and locations for closures
// and class instances.
//
// Generation streams: nothing proportional to the snapshot is held in
// memory. Nodes are laid out as a small fixed preamble followed by clusters
// of 32 nodes; each cluster's content is a pure function of (Seed, cluster
// index), so every edge target is computed rather than looked up and each
// section of the file is regenerated when it is written. Chunks of clusters
// are formatted on every core and written in order, so the output is
// byte-identical for a given Config whatever the number of workers.
package synth

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
)

// NodeFields selects the snapshot.meta.node_fields layout.
type NodeFields int

const (
	// FieldsV8 is the layout of current V8 (Node ≥ 16): type, name, id,
	// self_size, edge_count, trace_node_id, detachedness.
	FieldsV8 NodeFields = iota
	// FieldsNoDetachedness is the pre-2021 layout without detachedness.
	FieldsNoDetachedness
	// FieldsMinimal has neither trace_node_id nor detachedness.
	FieldsMinimal
)

// String returns the name used by ParseNodeFields.
func (f NodeFields) String() string {
	switch f {
	case FieldsV8:
		return "v8"
	case FieldsNoDetachedness:
		return "no-detachedness"
	case FieldsMinimal:
		return "minimal"
	}
	return fmt.Sprintf("NodeFields(%d)", int(f))
}

// ParseNodeFields parses "v8", "no-detachedness" or "minimal".
func ParseNodeFields(s string) (NodeFields, error) {
	for f := FieldsV8; f <= FieldsMinimal; f++ {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown node field layout %q (want v8, no-detachedness or minimal)", s)
}

func (f NodeFields) count() int {
	switch f {
	case FieldsNoDetachedness:
		return 6
	case FieldsMinimal:
		return 5
	}
	return 7
}

// Config describes the snapshot to generate. Only Nodes is required.
type Config struct {
	// Nodes is the exact number of nodes (at least MinNodes).
	Nodes int64
	// EdgesPerNode is the target average number of edges per node; 0 means
	// 2.75, about what a Node.js service heap has. The structural edges of
	// the generated objects come to about 2.7 per node, so targets below
	// that yield the structural count (see Stats.Edges); higher targets add
	// internal, property and weak edges to shared and random objects.
	EdgesPerNode float64
	// Seed selects the pseudo-random content. The same Config always
	// yields the same bytes.
	Seed uint64
	// StringsBytes is the target size in bytes of the "strings" section
	// (met within 1%). 0, or anything below the natural size, means
	// whatever the string nodes need: about 9 bytes per node, 12–13% of
	// the file. Larger values lengthen the string values (up to 700
	// characters on average; V8 truncates names at 1024) and add strings,
	// for example to exceed the 512 MB string length limit of
	// JavaScript-based tools.
	StringsBytes int64
	// BigSelfSizes adds three native ArrayBuffer backing stores of 3 GiB,
	// 2 GiB and 4 GiB−8 bytes, so that the total self size exceeds 2^32
	// while each self size still fits in 32 bits.
	BigSelfSizes bool
	// NodeFields selects the node field layout; the zero value is FieldsV8.
	NodeFields NodeFields
	// Workers is the number of formatting goroutines; 0 means GOMAXPROCS.
	// It does not change the output.
	Workers int
}

// MinNodes is the smallest supported Config.Nodes.
const MinNodes = 1000

// Stats describes a generated snapshot.
type Stats struct {
	Nodes     int64
	Edges     int64
	Strings   int64
	Locations int64

	// TotalSelfSize is the sum of all self sizes: the root's retained size
	// (and DevTools' total size) for this snapshot.
	TotalSelfSize uint64

	// Bytes is the size of the whole file; NodesBytes, EdgesBytes and
	// StringsBytes are the sizes of those sections (from '[' to ']').
	Bytes, NodesBytes, EdgesBytes, StringsBytes int64

	// Shape of the generated heap.
	Clusters       int64 // 32-node groups after the preamble
	Sessions       int64 // Session objects (entries of global.sessions)
	CacheEntries   int64 // entries of the cache shards (Maps) in global.cache
	Listeners      int64 // closures in the EventEmitter's "data" Array
	WeakMapEntries int64 // ephemeron pairs in global.registry
	// Unreachable counts the nodes with no path from the root that avoids
	// weak edges: unreachable islands (cycles, and trees without any
	// retainer) and objects held only through WeakRefs or a WeakMap.
	Unreachable int64

	Duration time.Duration
}

// MBPerSecond returns the write throughput in MB (10^6 bytes) per second.
func (s Stats) MBPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Duration.Seconds()
}

// Write generates the snapshot described by cfg and writes it to w.
func Write(w io.Writer, cfg Config) (Stats, error) {
	start := time.Now()
	g, err := newGen(cfg)
	if err != nil {
		return Stats{}, err
	}
	cw := &countWriter{w: w}
	st, err := g.write(cw)
	st.Bytes = cw.n
	st.Duration = time.Since(start)
	return st, err
}

// Plan returns the Stats of the snapshot cfg describes without writing it;
// the byte counts and Duration are zero. It takes about a tenth of the time
// of Write.
func Plan(cfg Config) (Stats, error) {
	g, err := newGen(cfg)
	if err != nil {
		return Stats{}, err
	}
	return g.stats(), nil
}

func (c *Config) validate() error {
	if c.Nodes < MinNodes {
		return fmt.Errorf("synth: Nodes = %d, want at least %d", c.Nodes, MinNodes)
	}
	if c.NodeFields < FieldsV8 || c.NodeFields > FieldsMinimal {
		return fmt.Errorf("synth: invalid NodeFields %d", int(c.NodeFields))
	}
	// to_node = ordinal × node field count must fit in uint32, and ids
	// (2 × ordinal + 1, natives 2^31 + 2 × ordinal) must too.
	if maxNodes := int64(0xFFFFFFFF) / int64(c.NodeFields.count()); c.Nodes > maxNodes {
		return fmt.Errorf("synth: Nodes = %d exceeds %d, the most a V8 snapshot can address with %d node fields", c.Nodes, maxNodes, c.NodeFields.count())
	}
	if c.EdgesPerNode < 0 || c.EdgesPerNode > 100 {
		return fmt.Errorf("synth: EdgesPerNode = %g out of range [0, 100]", c.EdgesPerNode)
	}
	if c.StringsBytes < 0 {
		return errors.New("synth: negative StringsBytes")
	}
	if c.StringsBytes > 1<<40 {
		return errors.New("synth: StringsBytes above 1 TiB")
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.EdgesPerNode == 0 {
		c.EdgesPerNode = 2.75
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
