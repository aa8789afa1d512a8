package capture

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/heapsnap/heapsnap/internal/units"
)

// Headroom is what heapsnap knows of a process's memory before a
// snapshot: what the V8 heap holds, how much more the process may take,
// and what a snapshot is estimated to need.
type Headroom struct {
	HeapUsed  uint64 // process.memoryUsage().heapUsed
	HeapTotal uint64
	RSS       uint64
	// Available is how much more memory the process can take before its
	// limit (cgroup, or the machine's MemAvailable); Known is false when
	// nothing says.
	Available uint64
	Known     bool
	// Limit is the memory limit Available is measured against (0: the
	// machine's memory).
	Limit uint64
	// Source says where Available comes from.
	Source string
	// Need is what taking a snapshot is estimated to cost the process.
	Need uint64
}

// Enough reports whether the process likely has room for a snapshot.
func (h Headroom) Enough() bool { return !h.Known || h.Need <= h.Available }

// snapshotCost estimates the memory V8 allocates outside its heap to take
// a snapshot of a heap of heapUsed bytes: the generator's entries for
// every object and reference, their names and the id map, all
// proportional to the heap. Measured on Node 20-26 (docs/capture.md), the
// process's peak RSS rose by 8.5 to 10.6 times heapUsed (about 4.5 times
// the snapshot's size) whether the snapshot was streamed through the
// inspector or written by v8.writeHeapSnapshot. reusable is memory the
// process already holds from an earlier snapshot: glibc keeps what the
// generator freed, and the next snapshot allocates it again.
func snapshotCost(heapUsed, reusable uint64) uint64 {
	const factor, floor = 10, 8 << 20
	need := heapUsed*factor + floor
	return need - min(need, reusable)
}

// memoryExpression reads the process's heap and, where Node has them
// (20.13, 22 and later), its own view of its memory limit.
const memoryExpression = `(() => {
	const m = process.memoryUsage();
	return {
		rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed,
		available: typeof process.availableMemory === 'function' ? process.availableMemory() : -1,
		constrained: typeof process.constrainedMemory === 'function' ? (process.constrainedMemory() || 0) : 0,
	};
})()`

// Headroom measures the process's memory and what a snapshot would take.
// For a local process the limit comes from its cgroup (v2 memory.max or
// v1 memory.limit_in_bytes, the tightest up the hierarchy, less the memory
// in use not counting reclaimable page cache) and the machine's
// MemAvailable; for an inspector address, from Node's
// process.availableMemory() where it has it.
func (s *Session) Headroom(ctx context.Context) (Headroom, error) {
	var m struct {
		RSS, HeapTotal, HeapUsed float64
		Available, Constrained   float64
	}
	if err := s.evaluate(ctx, memoryExpression, &m); err != nil {
		return Headroom{}, err
	}
	h := Headroom{RSS: uint64(m.RSS), HeapTotal: uint64(m.HeapTotal), HeapUsed: uint64(m.HeapUsed)}
	h.Need = snapshotCost(h.HeapUsed, s.retained)
	if s.opts.PID != 0 {
		if r, ok := systemRoom(s.opts.PID, s.opts.CgroupRoot); ok {
			h.Available, h.Limit, h.Source, h.Known = r.available, r.limit, r.source, true
			return h, nil
		}
	}
	if m.Available >= 0 {
		h.Available, h.Known, h.Source = uint64(m.Available), true, "process.availableMemory()"
		if m.Constrained > 0 && m.Constrained < 1<<62 {
			h.Limit = uint64(m.Constrained)
		}
	}
	return h, nil
}

// checkHeadroom refuses a snapshot that would likely push the process over
// its limit.
func (s *Session) checkHeadroom(ctx context.Context) (Headroom, error) {
	h, err := s.Headroom(ctx)
	if err != nil {
		return h, err
	}
	if !h.Enough() {
		return h, failf(ErrNoHeadroom, nil, "%s has %s of memory left (%s) and a snapshot of its %s heap needs about %s: taking it would likely exhaust it (--force takes it anyway)",
			s.target, units.Bytes(h.Available), h.Source, units.Bytes(h.HeapUsed), units.Bytes(h.Need))
	}
	return h, nil
}

// room is what a process may still allocate, and why.
type room struct {
	available, limit uint64
	source           string
}

// tighter keeps the smaller of two rooms.
func tighter(a, b room, haveA bool) room {
	if !haveA || b.available < a.available {
		return b
	}
	return a
}

// cgroupRoom finds the tightest memory limit of the cgroup a process is
// in, from the content of its /proc/PID/cgroup and the cgroup filesystem
// at root (/sys/fs/cgroup): cgroup v2's memory.max at every level up, or
// v1's memory controller (whose hierarchical_memory_limit already counts
// the levels above). In use is what the kernel could not reclaim: usage
// less inactive page cache, as the kubelet counts a working set.
func cgroupRoom(procCgroup, root string) (room, bool) {
	var best room
	found := false
	for line := range strings.Lines(procCgroup) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			for dir := filepath.Join(root, parts[2]); ; dir = filepath.Dir(dir) {
				if r, ok := cgroupV2Level(dir); ok {
					best, found = tighter(best, r, found), true
				}
				if dir == root || !strings.HasPrefix(dir, root) {
					break
				}
			}
		case hasController(parts[1], "memory"):
			if r, ok := cgroupV1(filepath.Join(root, "memory", parts[2])); ok {
				best, found = tighter(best, r, found), true
			}
		}
	}
	return best, found
}

func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

func cgroupV2Level(dir string) (room, bool) {
	max, err := readNumber(filepath.Join(dir, "memory.max"))
	if err != nil {
		return room{}, false // "max", or no memory controller here
	}
	current, err := readNumber(filepath.Join(dir, "memory.current"))
	if err != nil {
		return room{}, false
	}
	inactive := statValue(filepath.Join(dir, "memory.stat"), "inactive_file")
	return roomOf(max, current, inactive, "cgroup "+dir), true
}

// noLimitV1 is above every real limit; v1 shows "no limit" as a page-rounded
// 2^63-1.
const noLimitV1 = 1 << 62

func cgroupV1(dir string) (room, bool) {
	limit, err := readNumber(filepath.Join(dir, "memory.limit_in_bytes"))
	if err != nil {
		return room{}, false
	}
	stat := filepath.Join(dir, "memory.stat")
	if h := statValue(stat, "hierarchical_memory_limit"); h > 0 && h < limit {
		limit = h
	}
	if limit >= noLimitV1 {
		return room{}, false
	}
	usage, err := readNumber(filepath.Join(dir, "memory.usage_in_bytes"))
	if err != nil {
		return room{}, false
	}
	return roomOf(limit, usage, statValue(stat, "total_inactive_file"), "cgroup "+dir), true
}

func roomOf(limit, usage, reclaimable uint64, where string) room {
	inUse := usage - min(usage, reclaimable)
	r := room{limit: limit, source: fmt.Sprintf("%s: limit %s, %s in use", where, units.Bytes(limit), units.Bytes(inUse))}
	if limit > inUse {
		r.available = limit - inUse
	}
	return r
}

// memAvailable reads MemAvailable from a /proc/meminfo.
func memAvailable(path string) (uint64, bool) {
	kb := statValue(path, "MemAvailable:")
	return kb * 1024, kb > 0
}

func readNumber(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// statValue returns the number after key in a "key value" file, 0 if none.
func statValue(path, key string) uint64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == key {
			v, _ := strconv.ParseUint(fields[1], 10, 64)
			return v
		}
	}
	return 0
}
