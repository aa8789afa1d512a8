package cli

import (
	"testing"
	"time"

	"github.com/heapsnap/heapsnap/internal/report"
)

// TestCaptureOptions checks capture's and check --capture's settings
// without a process: defaults, the report's settings for one snapshot and
// for a series, and the config file and environment.
func TestCaptureOptions(t *testing.T) {
	cleanEnv(t)
	o, stderr, code := options(t, "capture", "4242")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	co := o.(*captureOptions)
	want := captureSettings{pid: 4242, timeout: 10 * time.Second, idle: 2 * time.Minute}
	if co.captureSettings != want || co.count != 1 || co.interval != 30*time.Second || co.diff != nil ||
		co.analyze.sort != "retained" || co.analyze.format != report.Table || co.analyze.top != 25 || co.analyze.largest != 10 {
		t.Errorf("capture options %+v, analyze %+v", co, co.analyze)
	}

	o, stderr, code = options(t, "capture", "--inspect", "ws://127.0.0.1:9229/0f2c", "--count", "2", "--format", "markdown", "--force", "--close-inspector", "--track-allocations", "1.5s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	co = o.(*captureOptions)
	if co.address != "ws://127.0.0.1:9229/0f2c" || co.pid != 0 || !co.force || !co.closeInspector || co.track != 1500*time.Millisecond ||
		co.count != 2 || co.analyze != nil || co.diff.sort != "size-delta" || co.diff.format != report.Markdown {
		t.Errorf("capture options %+v, diff %+v", co, co.diff)
	}

	o, _, _ = options(t, "capture", "--inspect", "9229")
	if co = o.(*captureOptions); co.pid != 0 || co.address != "9229" {
		t.Errorf("--inspect 9229 is a port: %+v", co)
	}

	config := writeConfig(t, "capture:\n  count: 3\n  interval: 5s\n  sort: alloc\n  timeout: 1m\n")
	t.Setenv("HEAPSNAP_CAPTURE_IDLE_TIMEOUT", "10m")
	t.Setenv("HEAPSNAP_CGROUP_ROOT", "/host/sys/fs/cgroup")
	o, stderr, code = options(t, "capture", "17", "--config", config, "--interval", "2s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	co = o.(*captureOptions)
	if co.count != 3 || co.interval != 2*time.Second || co.diff.sort != "alloc" || co.timeout != time.Minute || co.idle != 10*time.Minute || co.cgroupRoot != "/host/sys/fs/cgroup" {
		t.Errorf("capture options from the config file and environment %+v", co)
	}
	_, stderr, code = options(t, "capture", "17", "--config", config, "--sort", "shallow")
	if code != 2 || stderr != `heapsnap: --sort: invalid value "shallow": use size-delta, alloc, freed, count-delta, new, deleted, retained-delta, name`+"\n" {
		t.Errorf("a series with analyze's order: exit %d, %q", code, stderr)
	}
	_, stderr, code = options(t, "capture", "17", "--timeout", "-1s")
	if code != 2 || stderr != "heapsnap: --timeout: must not be negative, got -1s\n" {
		t.Errorf("negative timeout: exit %d, %q", code, stderr)
	}

	o, stderr, code = options(t, "check", "--capture", "127.0.0.1:9229", "--max-listeners", "10", "--out", "end.heapsnapshot.gz")
	if code != 0 {
		t.Fatalf("check --capture: exit %d: %s", code, stderr)
	}
	if ch := o.(*checkOptions); ch.file != "" || ch.capture == nil || ch.capture.address != "127.0.0.1:9229" || ch.capture.out != "end.heapsnapshot.gz" {
		t.Errorf("check options %+v", ch)
	}
	_, stderr, code = options(t, "check", "--max-listeners", "10")
	if code != 2 || stderr != "heapsnap: check: expected one snapshot file, or --capture PID\n" {
		t.Errorf("check without a snapshot: exit %d, %q", code, stderr)
	}
}
