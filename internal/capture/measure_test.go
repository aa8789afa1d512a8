//go:build linux

package capture

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkTargetPeakRSS measures what taking a snapshot costs the target:
// the rise of its peak RSS (VmHWM, reset through /proc/PID/clear_refs)
// over its RSS before, for a snapshot streamed through heapsnap's client
// to io.Discard, streamed into the parser, and written by the process
// itself with v8.writeHeapSnapshot. It also reports heapsnap's own peak
// RSS. HEAPSNAP_CAPTURE_HEAP_MB sets the heap (testdata/capture/leak.js ballast,
// default 64) and HEAPSNAP_CAPTURE_NODE the Node major (default 20):
//
//	HEAPSNAP_CAPTURE_HEAP_MB=1000 go test ./internal/capture -run '^$' -bench TargetPeakRSS -benchtime 1x
func BenchmarkTargetPeakRSS(b *testing.B) {
	mb := envInt("HEAPSNAP_CAPTURE_HEAP_MB", 64)
	node := nodeBinary(b, envInt("HEAPSNAP_CAPTURE_NODE", 20))
	for _, method := range []string{"inspector-discard", "inspector-parse", "writeHeapSnapshot"} {
		b.Run(method, func(b *testing.B) {
			for range b.N {
				measureOnce(b, node, mb, method)
			}
		})
	}
}

func measureOnce(b *testing.B, node string, mb int, method string) {
	p := startNode(b, node, []string{"--max-old-space-size=16000", "--expose-gc", "--inspect-port=0"}, "LEAK_BALLAST_MB="+strconv.Itoa(mb), "LEAK_BALLAST_KIND="+os.Getenv("HEAPSNAP_CAPTURE_HEAP_KIND"))
	s := open(b, Options{PID: p.PID, Timeout: 20 * time.Minute, IdleTimeout: 20 * time.Minute, Log: func(string) {}})
	ctx := context.Background()
	if err := s.evaluate(ctx, "gc(), true", nil); err != nil {
		b.Fatal(err)
	}
	h, err := s.Headroom(ctx)
	if err != nil {
		b.Fatal(err)
	}
	before := kB(b, p.PID, "VmRSS")
	resetPeak(b, p.PID)
	resetPeak(b, os.Getpid())
	var size int64
	start := time.Now()
	switch method {
	case "inspector-discard":
		st, err := s.Snapshot(ctx, io.Discard, SnapshotOptions{Force: true})
		if err != nil {
			b.Fatal(err)
		}
		size = st.Bytes
	case "inspector-parse":
		snap, st := capture(b, s, SnapshotOptions{Force: true})
		size = st.Bytes
		b.ReportMetric(float64(snap.NodeCount), "nodes")
	case "writeHeapSnapshot":
		path := filepath.Join(b.TempDir(), "w.heapsnapshot")
		if err := s.evaluate(ctx, "process.getBuiltinModule('v8').writeHeapSnapshot("+strconv.Quote(path)+")", nil); err != nil {
			b.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
	}
	elapsed := time.Since(start)
	peak := kB(b, p.PID, "VmHWM")
	extra := float64(peak-before) * 1024
	b.ReportMetric(float64(h.HeapUsed)/1e6, "heapUsed-MB")
	b.ReportMetric(float64(before)*1024/1e6, "rss-before-MB")
	b.ReportMetric(float64(peak)*1024/1e6, "target-peak-MB")
	b.ReportMetric(extra/float64(h.HeapUsed), "extra/heapUsed")
	b.ReportMetric(float64(size)/1e6, "snapshot-MB")
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(float64(kB(b, os.Getpid(), "VmHWM"))*1024/1e6, "heapsnap-peak-MB")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// kB reads a "NAME: N kB" field of /proc/PID/status.
func kB(t testing.TB, pid int, name string) uint64 {
	t.Helper()
	v, err := statusField(pid, name)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// resetPeak sets a process's VmHWM back to its current RSS.
func resetPeak(t testing.TB, pid int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(procRoot, strconv.Itoa(pid), "clear_refs"), []byte("5"), 0); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAllocationTrackingCost measures what allocation tracking costs
// a process, without and with HeapProfiler.startTrackingHeapObjects(
// {trackAllocations: true}), over the same time: for one allocating flat
// out (testdata/capture/leak.js LEAK_BUSY=max) its throughput, in batches of
// 20,000 short-lived objects a second; for one allocating a batch every
// 50 ms (LEAK_BUSY=1, 400,000 objects a second) the CPU it uses; and for
// both the growth of its RSS. HEAPSNAP_CAPTURE_NODE sets the Node major
// (default 20).
func BenchmarkAllocationTrackingCost(b *testing.B) {
	node := nodeBinary(b, envInt("HEAPSNAP_CAPTURE_NODE", 20))
	for _, load := range []string{"max", "1"} {
		b.Run("LEAK_BUSY="+load, func(b *testing.B) {
			for range b.N {
				trackingCost(b, node, load)
			}
		})
	}
}

func trackingCost(b *testing.B, node, load string) {
	const period = 3 * time.Second
	p := startNode(b, node, []string{"--inspect-port=0"}, "LEAK_BUSY="+load)
	s := open(b, Options{PID: p.PID, Log: func(string) {}})
	ctx := context.Background()
	type sample struct{ batches, cpu, rss float64 }
	measure := func() sample {
		var start, end float64
		if err := s.evaluate(ctx, "globalThis.leakyBatches", &start); err != nil {
			b.Fatal(err)
		}
		rss, cpu := kB(b, p.PID, "VmRSS"), cpuSeconds(b, p.PID)
		wait, cancel := context.WithTimeout(ctx, period)
		err := s.ws.drain(wait, ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.evaluate(ctx, "globalThis.leakyBatches", &end); err != nil {
			b.Fatal(err)
		}
		return sample{(end - start) / period.Seconds(), (cpuSeconds(b, p.PID) - cpu) / period.Seconds(), float64(kB(b, p.PID, "VmRSS")-rss) * 1024 / 1e6}
	}
	measure() // warm up
	plain := measure()
	for _, m := range []string{"HeapProfiler.enable", "HeapProfiler.startTrackingHeapObjects"} {
		if _, err := s.command(ctx, m, map[string]any{"trackAllocations": true}); err != nil {
			b.Fatal(err)
		}
	}
	s.profiling = true
	tracked := measure()
	b.ReportMetric(plain.batches, "batches/s")
	b.ReportMetric(tracked.batches, "tracked-batches/s")
	b.ReportMetric(plain.cpu, "cpu")
	b.ReportMetric(tracked.cpu, "tracked-cpu")
	b.ReportMetric(plain.rss, "rss-growth-MB")
	b.ReportMetric(tracked.rss, "tracked-rss-growth-MB")
}

// cpuSeconds is the user and system CPU time pid has used, from
// /proc/PID/stat (fields 14 and 15, after the parenthesised name, in
// clock ticks of 1/100 s).
func cpuSeconds(t testing.TB, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}
