package heapsnapshot

import (
	"bytes"
	"testing"
)

// TestWrongFiles checks that files that are not heap snapshots are named
// for what they are, with what to do, from their first bytes or keys
// (offsets point at the first byte, or at the first character of a key).
func TestWrongFiles(t *testing.T) {
	const cpuProfile = `{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},` +
		`"hitCount":0,"children":[2]}],"startTime":1,"endTime":2,"samples":[1],"timeDeltas":[1]}`
	truncated := gzipMember{data: []byte(tiny)}.bytes()
	truncated = truncated[:len(truncated)*2/3]
	cases := []struct {
		name, input, msg string
		offset           int64
	}{
		{"CPU profile", cpuProfile, "not a heap snapshot: this is a CPU profile (.cpuprofile); take one with v8.writeHeapSnapshot()", 2},
		{"CPU profile, pretty", "{\n  \"nodes\": [\n    {\n      \"id\": 1", "this is a CPU profile (.cpuprofile)", 5},
		{"CPU profile, keys sorted", `{"endTime":2,"nodes":[],"samples":[]}`, "this is a CPU profile (.cpuprofile)", 2},
		{"heap profile", `{"head":{"callFrame":{"functionName":"(root)"},"selfSize":0,"id":1,"children":[]},"samples":[]}`, "this is a sampling heap profile (.heapprofile)", 2},
		{"trace", `{"traceEvents":[{"pid":1,"tid":1,"ph":"M","name":"process_name"}]}`, "this is a trace (Chrome's Performance panel or trace events)", 2},
		{"trace with metadata first", `{"metadata":{"source":"DevTools","startTime":"x"},"traceEvents":[]}`, "this is a trace", 51},
		{"trace array", `[{"pid":1,"tid":1,"ts":0,"ph":"X","name":"x","dur":1}]`, "this is a trace (Chrome's Performance panel, or trace events in JSON array form)", 0},
		{"JSON array", `[1,2,3]`, "this is a JSON array", 0},
		{"Node report", `{"header":{"reportVersion":3,"event":"JavaScript API"}}`, "this is a Node.js diagnostic report (process.report)", 2},
		{"HTML", "\n<!DOCTYPE html>\n<html><body>Sign in</body></html>", "this is an HTML page", 1},
		{"zip", "PK\x03\x04\x14\x00", "this is a zip archive: unzip it", 0},
		{"V8 log", "v8-version,11,3,244,8,0,0\n", "this is a V8 profiler log (node --prof)", 0},
		{"zstd", "\x28\xb5\x2f\xfd\x00", "this is zstd-compressed: decompress it first (zstd -d FILE)", 0},
		{"UTF-16", "\xff\xfe{\x00\"\x00", "this is UTF-16 text", 0},
		{"truncated gzip", string(truncated), "the gzip data ends early: the .gz file is truncated", -1},
		{"empty object", " {}", "not a heap snapshot: this is an empty JSON object", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantSyntaxError(t, tc.input, tc.offset, tc.msg) })
	}
	// A UTF-8 byte order mark, which DevTools ignores, is ignored.
	bom := append([]byte("\xef\xbb\xbf"), tiny...)
	if _, err := Read(bytes.NewReader(bom), int64(len(bom)), Options{}); err != nil {
		t.Errorf("with a byte order mark: %v", err)
	}
}
