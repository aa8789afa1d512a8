package heapsnapshot

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heapsnap/heapsnap/internal/hostile"
)

// lowFloors lowers the fixed allowances for unreferenced strings and for
// gzip expansion, and the read chunk, so that small inputs reach them.
func lowFloors(t *testing.T) {
	oldInflate, oldBudget, oldChunk := inflateFloor, stringBudgetFloor, maxChunk
	inflateFloor, stringBudgetFloor, maxChunk = 1<<20, 256<<10, 128<<10
	t.Cleanup(func() { inflateFloor, stringBudgetFloor, maxChunk = oldInflate, oldBudget, oldChunk })
}

// readAllocating parses data and returns what the parse allocated in all.
func readAllocating(data []byte, size int64) (*Snapshot, error, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := Read(bytes.NewReader(data), size, Options{})
	runtime.ReadMemStats(&after)
	return s, err, after.TotalAlloc - before.TotalAlloc
}

// checkHostileResult checks what the parser made of a class's snapshot:
// the two-node graph for a valid one, an error near the start of the
// filler for the others.
func checkHostileResult(t *testing.T, c hostile.Class, s *Snapshot, err error) {
	t.Helper()
	if !c.Accepted {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v, want a SyntaxError", err)
		}
		if at := int64(len(c.Prefix)); se.Offset > at+64 {
			t.Errorf("refused at byte %d (%s), want at the filler's start, byte %d", se.Offset, se.Msg, at)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount != 2 || s.EdgeCount != 1 || !slices.Equal(s.EdgeTo, []uint32{1}) || !slices.Equal(s.NodeName, []uint32{1, 2}) {
		t.Fatalf("graph: %d nodes, %d edges, EdgeTo %v, NodeName %v", s.NodeCount, s.EdgeCount, s.EdgeTo, s.NodeName)
	}
	for i, want := range []string{"", "(root)", "Object", "x"} {
		if got := s.Strings.String(uint32(i)); got != want {
			t.Errorf("string %d is %q, want %q", i, got, want)
		}
	}
	if l, ok := s.LocationOf(1); !ok || l != (Location{Node: 1, ScriptID: 1, Line: 2, Column: 3}) {
		t.Errorf("location %+v %v", l, ok)
	}
}

// TestHostileInputCostsNoMemory parses each class of hostile input with
// 1 and 3 MiB of filler: valid ones must give the same two-node graph,
// the others be refused where the filler starts, and the larger filler
// must cost no more memory than the smaller (all allocations counted, with
// the read buffers, 128 KiB chunks here, at their full size in both). Before this was so,
// whitespace in an array and long tokens were copied once per read chunk,
// and unreferenced strings, locations and keys were all kept.
func TestHostileInputCostsNoMemory(t *testing.T) {
	lowFloors(t)
	const small, big = 1 << 20, 3 << 20
	for _, c := range hostile.Classes {
		t.Run(c.Name, func(t *testing.T) {
			var allocs [2]uint64
			for k, n := range []int64{small, big} {
				data := c.Bytes(n)
				// Unknown size: an exact one reserves the rest of the file
				// for the strings, untouched memory that would count here.
				s, err, alloc := readAllocating(data, -1)
				checkHostileResult(t, c, s, err)
				allocs[k] = alloc
			}
			// A refused input stops the reading goroutine wherever it
			// has got to: up to three chunks ahead.
			allowed := int64(64 << 10)
			if !c.Accepted {
				allowed = 3 * 2 * int64(maxChunk)
			}
			if growth := int64(allocs[1]) - int64(allocs[0]); growth > allowed {
				t.Errorf("%d more bytes of filler cost %d more bytes (%d and %d allocated)", big-small, growth, allocs[0], allocs[1])
			}
		})
	}
}

// TestHostileStringsNotKept checks that strings nothing refers to, once
// the strings outgrow the budget, are kept empty, and those after the last
// one referred to are left out of the table.
func TestHostileStringsNotKept(t *testing.T) {
	lowFloors(t)
	c, _ := hostile.Lookup("unused-string")
	s, err := Read(bytes.NewReader(c.Bytes(1<<20)), -1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Strings.Len() != 4 || s.Strings.Size() != int64(len("(root)Objectx")) {
		t.Errorf("%d strings in %d bytes, want the 4 up to the last referred to", s.Strings.Len(), s.Strings.Size())
	}
	// A bad escape among the strings past the last one referred to, which
	// are only checked, is still reported at its byte.
	many, _ := hostile.Lookup("many-strings")
	bad := many.Bytes(1 << 20)
	at := len(bad) - 3000
	at -= (at - len(many.Prefix)) % 3
	copy(bad[at:], `,"\q"`)
	wantSyntaxError(t, string(bad), int64(at+2), "invalid escape in string")
	// Of two long strings, the one the object's name refers to is kept
	// whole, the other left empty.
	unused, named := strings.Repeat("a", 100<<10), strings.Repeat("é", 100<<10)
	data := bytes.Replace(c.Bytes(0), []byte(`,""]}`), []byte(`,"`+unused+`","`+named+`"]}`), 1)
	data = bytes.Replace(data, []byte(`"nodes":[9,1,1,0,1,0,0,3,2,`), []byte(`"nodes":[9,1,1,0,1,0,0,3,5,`), 1)
	s, err = Read(bytes.NewReader(data), int64(len(data)), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Strings.String(5); got != named {
		t.Errorf("the referred-to long string was not kept (%d bytes)", len(got))
	}
	if got := s.Strings.Bytes(4); len(got) != 0 {
		t.Errorf("string 4, which nothing refers to, was kept (%d bytes)", len(got))
	}
	// With the strings first, nothing can be left out.
	c, _ = hostile.Lookup("unused-string")
	first := []byte(`{"strings":["","(root)","Object","x","` + strings.Repeat("a", 100<<10) + `"],` + c.Prefix[1:strings.Index(c.Prefix, `"strings"`)])
	first = append(bytes.TrimRight(first, ",\n"), '}')
	s, err = Read(bytes.NewReader(first), int64(len(first)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Strings.Len() != 5 || len(s.Strings.Bytes(4)) != 100<<10 {
		t.Errorf("strings before the nodes: %d strings, the last %d bytes", s.Strings.Len(), len(s.Strings.Bytes(4)))
	}
}

// TestGzipBombs inflates each class of hostile input from a gzip bomb of
// 16 MiB (a compressed mebibyte of filler repeated): valid ones must stop
// at the inflate limit with a message that says how to raise it, refused
// ones at their own error, and none may allocate for what it inflated.
func TestGzipBombs(t *testing.T) {
	lowFloors(t)
	for _, c := range hostile.Classes {
		if c.Unit == "" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var bomb bytes.Buffer
			if err := c.WriteBomb(&bomb, 16<<20); err != nil {
				t.Fatal(err)
			}
			_, err, alloc := readAllocating(bomb.Bytes(), int64(bomb.Len()))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a SyntaxError", err)
			}
			if c.Accepted {
				if se.Offset != inflateFloor || !strings.Contains(se.Msg, "likely gzip bomb") || !strings.Contains(se.Msg, "--max-inflate") {
					t.Errorf("got %q at byte %d, want the inflate limit at byte %d", se.Msg, se.Offset, inflateFloor)
				}
			} else if se.Offset > int64(len(c.Prefix))+64 {
				t.Errorf("refused at byte %d (%s), want at the filler's start", se.Offset, se.Msg)
			}
			if alloc > 48<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}

// TestInflateLimit checks the limit's arithmetic: 256 MiB for small
// snapshots, 32 × 2 bytes per declared value for large ones, none when
// turned off; and that turning it off lets a bomb through.
func TestInflateLimit(t *testing.T) {
	var limit atomic.Pointer[inflateLimit]
	cases := []struct {
		ratio float64
		h     *Header
		want  int64
	}{
		{DefaultMaxInflate, nil, 256 << 20},
		{DefaultMaxInflate, &Header{NodeCount: 2, EdgeCount: 1}, 256 << 20},
		{DefaultMaxInflate, &Header{NodeCount: 30_000_000, EdgeCount: 80_000_000}, 32 * 2 * (30_000_000*7 + 80_000_000*3)},
		{64, &Header{NodeCount: 30_000_000, EdgeCount: 80_000_000}, 64 * 2 * (30_000_000*7 + 80_000_000*3)},
	}
	for _, c := range cases {
		values := int64(0)
		if c.h != nil {
			values = int64(c.h.NodeCount)*7 + int64(c.h.EdgeCount)*3
		}
		setInflateLimit(&limit, c.ratio, c.h, values)
		if l := limit.Load(); l == nil || l.bytes != c.want {
			t.Errorf("ratio %g, header %+v: limit %+v, want %d bytes", c.ratio, c.h, l, c.want)
		}
	}
	if setInflateLimit(&limit, -1, nil, 0); limit.Load() != nil {
		t.Error("a negative ratio should turn the limit off")
	}
	lowFloors(t)
	c, _ := hostile.Lookup("array-space")
	var bomb bytes.Buffer
	c.WriteBomb(&bomb, 8<<20)
	if _, err := Read(bytes.NewReader(bomb.Bytes()), -1, Options{MaxInflate: -1}); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}

// TestStringFilterInParallel reads a strings section of 3 MB, in V8's
// layout, whose odd strings the nodes refer to, with the string budget
// low enough for the filter to start early: one, two and three workers
// (parallel runs filter in both parts) must give the same table, the
// referred-to strings whole, the others empty, and nothing after the last
// referred to.
func TestStringFilterInParallel(t *testing.T) {
	// Read windows at their full size, for the parallel path.
	old := stringBudgetFloor
	stringBudgetFloor = 256 << 10
	t.Cleanup(func() { stringBudgetFloor = old })
	const nodes = 50000
	var b bytes.Buffer
	b.WriteString(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]},"node_count":50000,"edge_count":0},` + "\n" + `"nodes":[`)
	for i := range nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "0,%d,%d,0,0", 2*i+1, i)
	}
	b.WriteString("],\n\"edges\":[],\n\"strings\":[\"\"")
	text := func(i int) string { return fmt.Sprintf("string %d, caf\\u00e9 \\ud800 and some text", i) }
	for i := 1; i < 2*nodes+10000; i++ {
		b.WriteString(",\n\"" + text(i) + "\"")
	}
	b.WriteString("]}")
	var tables [][]string
	for _, workers := range []int{1, 2, 3} {
		s, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()), Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var table []string
		for i := range uint32(s.Strings.Len()) {
			table = append(table, s.Strings.String(i))
		}
		tables = append(tables, table)
	}
	want := tables[0]
	if len(want) != 2*nodes {
		t.Fatalf("%d strings in the table, want %d: up to the last referred to", len(want), 2*nodes)
	}
	for i, got := range want {
		if i%2 == 1 {
			if d, _ := appendJSONString(nil, []byte(text(i))); got != string(d) {
				t.Fatalf("string %d is %q, want %q", i, got, d)
			}
		} else if got != "" && i > 20000 {
			t.Fatalf("string %d, referred to by nothing, is %q", i, got)
		}
	}
	for k, table := range tables[1:] {
		if !slices.Equal(table, want) {
			t.Errorf("%d workers: the table differs from one worker's", k+2)
		}
	}
}
