//go:build linux

package capture

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTCPTable(t *testing.T) {
	// /proc/net/tcp and tcp6 as a little-endian kernel writes them.
	tcp := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2405 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0
   2: 0100007F:2405 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 20 4 30 10 -1
`
	tcp6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:2405 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
`
	var got []string
	for _, table := range []string{tcp, tcp6} {
		ls, err := parseTCPTable(strings.NewReader(table))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			got = append(got, l.addr()+"#"+strconv.FormatUint(l.inode, 10))
		}
	}
	want := "127.0.0.1:9221#4242 0.0.0.0:8080#4343 [::1]:9221#5151"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestInspectAddress(t *testing.T) {
	cases := []struct {
		argv        string
		nodeOptions string
		want        string
	}{
		{"node app.js", "", "127.0.0.1:9229"},
		{"node --inspect-port=0 app.js", "", "127.0.0.1:0"},
		{"node --inspect-port 9300 app.js", "", "127.0.0.1:9300"},
		{"node --inspect=0.0.0.0:9229 app.js", "", "0.0.0.0:9229"},
		{"node --inspect-port=[::1]:9333 app.js", "", "::1:9333"},
		{"node --inspect=localhost app.js", "", "localhost:9229"},
		{"node app.js --inspect-port=1234", "", "127.0.0.1:9229"}, // the program's own argument
		{"node app.js", "--max-old-space-size=512 --inspect-port=9400", "127.0.0.1:9400"},
		{"node --inspect-port=9500 app.js", "--inspect-port=9400", "127.0.0.1:9500"},
	}
	for _, c := range cases {
		host, port := inspectAddress(strings.Fields(c.argv), c.nodeOptions)
		if got := host + ":" + strconv.Itoa(port); got != c.want {
			t.Errorf("%q with NODE_OPTIONS %q: %s, want %s", c.argv, c.nodeOptions, got, c.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	cases := []struct{ in, hostPort, ws, err string }{
		{"9229", "127.0.0.1:9229", "", ""},
		{":9230", "127.0.0.1:9230", "", ""},
		{"10.0.0.7:9229", "10.0.0.7:9229", "", ""},
		{"[::1]:9229", "[::1]:9229", "", ""},
		{"http://localhost:9229/json/list", "localhost:9229", "", ""},
		{"ws://127.0.0.1:9229/2f0c-11", "127.0.0.1:9229", "ws://127.0.0.1:9229/2f0c-11", ""},
		{"ws://127.0.0.1/2f0c-11", "127.0.0.1:9229", "ws://127.0.0.1:9229/2f0c-11", ""},
		{"ws://127.0.0.1:9229", "", "", "names no target"},
		{"wss://example:443/x", "", "", "plain ws://"},
		{"localhost", "", "", "not HOST:PORT"},
		{"host:99999", "", "", "bad port"},
	}
	for _, c := range cases {
		hp, ws, err := parseAddress(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || hp != c.hostPort || ws != c.ws {
			t.Errorf("%q: %q %q %v, want %q %q", c.in, hp, ws, err, c.hostPort, c.ws)
		}
	}
}

// TestCgroupRoom reads a cgroup v2 hierarchy whose parent is tighter than
// the leaf, and a v1 memory controller.
func TestCgroupRoom(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kubepods/pod1/memory.max", "1073741824\n")
	write("kubepods/pod1/memory.current", "943718400\n")
	write("kubepods/pod1/memory.stat", "anon 800000000\ninactive_file 104857600\n")
	write("kubepods/pod1/app/memory.max", "max\n")
	write("kubepods/pod1/app/memory.current", "943718400\n")
	r, ok := cgroupRoom("0::/kubepods/pod1/app\n", root)
	// 1 GiB less (900 MiB in use less 100 MiB of inactive page cache).
	if !ok || r.limit != 1<<30 || r.available != 1<<30-800<<20 || !strings.Contains(r.source, "kubepods/pod1:") {
		t.Errorf("v2: %+v %v", r, ok)
	}
	write("memory/svc/memory.limit_in_bytes", "9223372036854771712\n")
	write("memory/svc/memory.usage_in_bytes", "300000000\n")
	write("memory/svc/memory.stat", "cache 1\nhierarchical_memory_limit 500000000\ntotal_inactive_file 100000000\n")
	r, ok = cgroupRoom("12:cpu,cpuacct:/svc\n4:memory:/svc\n1:name=systemd:/svc\n", root)
	if !ok || r.limit != 500000000 || r.available != 300000000 {
		t.Errorf("v1: %+v %v", r, ok)
	}
	if _, ok := cgroupRoom("0::/unlimited\n", root); ok {
		t.Error("a cgroup without limits has room")
	}
}

func TestContainsBytes(t *testing.T) {
	needle := []byte("internal/bootstrap/node")
	for _, at := range []int{0, 1<<20 - 5, 1 << 20, 3<<20 + 17} {
		data := make([]byte, 4<<20)
		copy(data[at:], needle)
		if ok, err := containsBytes(bytes.NewReader(data), needle); !ok || err != nil {
			t.Errorf("at %d: %v %v", at, ok, err)
		}
	}
	if ok, _ := containsBytes(bytes.NewReader(make([]byte, 3<<20)), needle); ok {
		t.Error("found in zeros")
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("gzip", func(t *testing.T) {
		path := filepath.Join(dir, "a.heapsnapshot.gz")
		f, err := CreateFile(path)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, `{"snapshot":{}}`)
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Error("the file is there before it is complete")
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(mustOpen(t, path))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(zr); string(b) != `{"snapshot":{}}` {
			t.Errorf("read back %q", b)
		}
	})
	t.Run("failure keeps the old file", func(t *testing.T) {
		path := filepath.Join(dir, "b.heapsnapshot")
		os.WriteFile(path, []byte("old"), 0o644)
		f, err := CreateFile(path)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, "half a snap")
		if err := f.CloseWithError(errors.New("process exited")); err == nil {
			t.Error("no error")
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("old file now %q", b)
		}
		f.Abort() // again: nothing happens
	})
	dirHolds(t, dir, "a.heapsnapshot.gz", "b.heapsnapshot")
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestStepPath(t *testing.T) {
	cases := []struct {
		path        string
		step, count int
		want        string
	}{
		{"heap.heapsnapshot.gz", 2, 3, "heap-2.heapsnapshot.gz"},
		{"out/heap.heapsnapshot", 3, 12, "out/heap-03.heapsnapshot"},
		{"snap.json", 1, 2, "snap-1.json"},
		{"snap", 7, 10, "snap-07"},
		{".heapsnapshot", 1, 2, ".heapsnapshot-1"},
	}
	for _, c := range cases {
		if got := StepPath(c.path, c.step, c.count); got != c.want {
			t.Errorf("StepPath(%q, %d, %d) = %q, want %q", c.path, c.step, c.count, got, c.want)
		}
	}
}

func TestTee(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateFile(filepath.Join(dir, "t.heapsnapshot"))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	got := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, pr)
		got <- err
	}()
	sink := Tee(f, pw)
	sink.Write([]byte("partial"))
	sink.CloseWithError(ErrDisconnected)
	if err := <-got; !errors.Is(err, ErrDisconnected) {
		t.Errorf("the pipe's reader got %v", err)
	}
	dirHolds(t, dir)
}

// TestSchedule: steps start an interval apart, start to start; a late
// step starts at once and the next one counts from it.
func TestSchedule(t *testing.T) {
	const interval = 200 * time.Millisecond
	sc := Schedule{Interval: interval}
	ctx := context.Background()
	wait := func() time.Duration {
		start := time.Now()
		if err := sc.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	if d := wait(); d > interval/2 {
		t.Errorf("first step waited %s", d)
	}
	if d := wait(); d < interval*9/10 {
		t.Errorf("second step after %s, want %s", d, interval)
	}
	time.Sleep(interval * 3 / 2) // the step took longer than the interval
	if d := wait(); d > interval/2 {
		t.Errorf("late step waited %s", d)
	}
	if d := wait(); d < interval*9/10 {
		t.Errorf("step after a late one after %s, want %s", d, interval)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := sc.Wait(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
