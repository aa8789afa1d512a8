package heapsnapshot

import (
	"bytes"
)

// When the input is not a heap snapshot, the error says what it is instead
// and what to do, judged from its first bytes or first keys only: a CPU
// profile and a heap profile are JSON objects too, and a syntax complaint
// about them would send the user looking for a broken file.

// takeSnapshotHint tells how to get a heap snapshot.
const takeSnapshotHint = "take one with v8.writeHeapSnapshot(), node --heapsnapshot-signal=SIGUSR2, or DevTools' Memory panel"

// describeStart says what input starting with b (its first non-space
// bytes, as much as the read window holds) is, when it is not a JSON
// object, and what to do; messages put "not a heap snapshot: " before it.
func describeStart(b []byte) string {
	head := b[:min(len(b), 4096)]
	lower := bytes.ToLower(b[:min(len(b), 16)])
	switch {
	case len(b) == 0:
		return "the input ends before any JSON"
	case b[0] == '[':
		rest := bytes.TrimLeft(head[1:], " \t\r\n")
		if len(rest) > 0 && rest[0] == '{' && bytes.Contains(head, []byte(`"ph"`)) {
			return "this is a trace (Chrome's Performance panel, or trace events in JSON array form); " + takeSnapshotHint
		}
		return `this is a JSON array, where a snapshot is an object that starts {"snapshot":…; ` + takeSnapshotHint
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<head")) || bytes.HasPrefix(lower, []byte("<!--")):
		return "this is an HTML page (a web page saved instead of the file, such as a download's error or login page?); " + takeSnapshotHint
	case bytes.HasPrefix(b, []byte("v8-version,")) || bytes.HasPrefix(b, []byte("shared-library,")):
		return "this is a V8 profiler log (node --prof), for node --prof-process; " + takeSnapshotHint
	case bytes.HasPrefix(b, []byte("<?xml")):
		return "this is an XML document; " + takeSnapshotHint
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "this is a zip archive: unzip it and pass the .heapsnapshot file inside"
	case bytes.HasPrefix(b, []byte("\x28\xb5\x2f\xfd")):
		return "this is zstd-compressed: decompress it first (zstd -d FILE); heapsnap reads plain and gzip-compressed snapshots"
	case bytes.HasPrefix(b, []byte("BZh")):
		return "this is bzip2-compressed: decompress it first (bunzip2 FILE); heapsnap reads plain and gzip-compressed snapshots"
	case bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")):
		return "this is xz-compressed: decompress it first (unxz FILE); heapsnap reads plain and gzip-compressed snapshots"
	case bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")):
		return "this is UTF-16 text; heap snapshots are UTF-8 JSON (was the file re-saved by an editor, or redirected by PowerShell?): write the snapshot to a file directly, e.g. with v8.writeHeapSnapshot()"
	case b[0] == '"' || b[0] == '-' || (b[0] >= '0' && b[0] <= '9') || bytes.HasPrefix(b, []byte("true")) ||
		bytes.HasPrefix(b, []byte("false")) || bytes.HasPrefix(b, []byte("null")):
		return "this is JSON, but not an object; " + takeSnapshotHint
	}
	return "this is not JSON (it starts with " + quoteInput(b[:min(len(b), 16)]) + "); " + takeSnapshotHint
}

// otherFormat is called for a key that comes before the snapshot header,
// where a heap snapshot has none. It returns an error naming the kind of
// file the key belongs to, or nil when the key says nothing.
func (p *parser) otherFormat(key []byte, at int64) error {
	var what string
	switch string(key) {
	case "nodes":
		// A CPU profile starts {"nodes":[{"id":1,"callFrame":…; a heap
		// snapshot's nodes are numbers (and come after its header).
		sc := p.sc
		if c, ok := sc.skipSpace(); !ok || c != '[' {
			return nil
		}
		sc.pos++
		if c, ok := sc.skipSpace(); !ok || c != '{' {
			return nil
		}
		what = "a CPU profile (.cpuprofile)"
	case "startTime", "endTime", "timeDeltas", "samples":
		what = "a CPU profile (.cpuprofile)"
	case "head":
		what = "a sampling heap profile (.heapprofile)"
	case "traceEvents":
		what = "a trace (Chrome's Performance panel or trace events)"
	case "header":
		what = "a Node.js diagnostic report (process.report)"
	default:
		return nil
	}
	return syntaxErrorf(at, "not a heap snapshot: this is %s; %s", what, takeSnapshotHint)
}
