// Package heapsnapshot reads V8 heap snapshots (.heapsnapshot files written by
// Node.js, Chrome, Electron and Deno) into a compact, pointer-free graph.
//
// A snapshot is held column-wise in flat slices: one slice per node field and
// per edge field, edges grouped by source node (CSR), and every string in one
// byte arena. A 2.3 GB file with 31 M nodes and 87 M edges therefore costs a
// few hundred megabytes and no per-node Go objects, so the garbage collector
// never scans it. Snapshots taken with allocation tracking also get their
// allocation traces (TraceFunctions, TraceTree, NodeTraceID).
//
// Parsing streams from an io.Reader (stdin, gzip) or a file, which it reads in
// large chunks and parses on every core. Parse, Read and ParseFile accept
// plain and gzip-compressed input alike, recognising gzip by its magic bytes.
// Field positions are read by name from snapshot.meta, so snapshots from old
// and new V8 versions are accepted alike.
//
// Input is not trusted. Malformed input yields a *SyntaxError carrying the
// byte offset of the problem, in a message of one printable line. The
// "snapshot" header must be strict JSON. Memory follows what the snapshot
// keeps (nodes, edges, the strings they name, locations), not the size of the
// file: whitespace, values under unknown keys and strings nothing refers to
// stream through without being held, counts the header makes impossible are
// refused as soon as they are seen, and gzip input may not inflate past a
// limit set from the header (Options.MaxInflate). docs/robustness.md gives
// the rules and the measurements.
package heapsnapshot
