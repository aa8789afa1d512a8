// Package hostile writes heap snapshots built to make a parser spend memory
// or time on content no analysis keeps: whitespace inside arrays, strings
// nobody refers to, values under unknown keys, a locations array longer
// than the nodes allow. Each is a two-node snapshot with one kind of filler
// of a chosen size, written at the speed of the disk, so that tests and
// measurements (docs/robustness.md) make them instead of committing them.
package hostile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
)

// The snapshot every class starts from: a root and one object, joined by a
// property edge "x".
const (
	header = `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],` +
		`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"string","number","number","number","number","number"],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],` +
		`"location_fields":["object_index","script_id","line","column"]},"node_count":2,"edge_count":1,"trace_function_count":0},` + "\n"
	nodes     = `"nodes":[9,1,1,0,1,0,0,3,2,3,16,0,0,0],` + "\n"
	edges     = `"edges":[2,3,7],` + "\n"
	traces    = `"trace_function_infos":[],"trace_tree":[],"samples":[],` + "\n"
	locations = `"locations":[7,1,2,3],` + "\n"
	strs      = `"strings":["","(root)","Object","x"]}` + "\n"
)

// Class is one kind of hostile input: Prefix, then Unit repeated, then
// Suffix, unless write says otherwise.
type Class struct {
	Name string
	// What the filler is.
	Doc string
	// Accepted reports whether the result is a valid snapshot that a
	// parser must read (its filler is legal, only useless); otherwise it
	// must be refused, and early.
	Accepted             bool
	Prefix, Unit, Suffix string
	// write, if set, writes the snapshot with about n bytes of filler.
	write func(w *bufio.Writer, n int64)
}

// Classes lists every class.
var Classes = []Class{
	{Name: "array-space", Doc: "spaces after `\"nodes\":[`", Accepted: true,
		Prefix: header + `"nodes":[`, Unit: " ", Suffix: nodes[len(`"nodes":[`):] + edges + traces + locations + strs},
	{Name: "long-number", Doc: "a run of zero digits in `nodes`",
		Prefix: header + `"nodes":[`, Unit: "0", Suffix: nodes[len(`"nodes":[`):] + edges + traces + locations + strs},
	{Name: "locations", Doc: "`7,1,2,3,` repeated in `locations`: valid records of the one object, far more than two nodes allow",
		Prefix: header + nodes + edges + traces + `"locations":[`, Unit: "7,1,2,3,", Suffix: "7,1,2,3],\n" + strs},
	{Name: "unused-string", Doc: "one string in `strings` that nothing refers to", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + strs[:len(strs)-3] + `,"`, Unit: "a", Suffix: "\"]}\n"},
	{Name: "many-strings", Doc: "empty strings in `strings` after the last one referred to", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + strs[:len(strs)-3], Unit: `,""`, Suffix: "]}\n"},
	{Name: "string-space", Doc: "spaces between two strings", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + `"strings":["",`, Unit: " ", Suffix: strs[len(`"strings":["",`):]},
	{Name: "unknown-string", Doc: "a string under an unknown key", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + `"extra":"`, Unit: "a", Suffix: "\",\n" + strs},
	{Name: "unknown-array", Doc: "`0,` repeated in an array under an unknown key", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + `"extra":[`, Unit: "0,", Suffix: "0],\n" + strs},
	{Name: "long-key", Doc: "an unknown key of that length", Accepted: true,
		Prefix: header + nodes + edges + traces + locations + `"`, Unit: "k", Suffix: "\":0,\n" + strs},
	{Name: "deep-array", Doc: "`[` nested under an unknown key, then as many `]`", Accepted: true,
		write: func(w *bufio.Writer, n int64) {
			w.WriteString(header + nodes + edges + traces + locations + `"extra":`)
			repeat(w, "[", n/2)
			repeat(w, "]", n/2)
			w.WriteString(",\n" + strs)
		}},
	{Name: "many-keys", Doc: "distinct unknown keys `\"k1\":0,` …", Accepted: true,
		write: func(w *bufio.Writer, n int64) {
			w.WriteString(header + nodes + edges + traces + locations)
			var b []byte
			for i, written := 0, int64(0); written < n; i++ {
				b = append(b[:0], `"k`...)
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, `":0,`...)
				w.Write(b)
				written += int64(len(b))
			}
			w.WriteString(strs)
		}},
}

// Lookup returns the class named name.
func Lookup(name string) (Class, error) {
	for _, c := range Classes {
		if c.Name == name {
			return c, nil
		}
	}
	return Class{}, fmt.Errorf("no hostile class %q", name)
}

// Write writes class c's snapshot with about n bytes of filler to w.
func (c Class) Write(w io.Writer, n int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if c.write != nil {
		c.write(bw, n)
	} else {
		bw.WriteString(c.Prefix)
		repeat(bw, c.Unit, n)
		bw.WriteString(c.Suffix)
	}
	return bw.Flush()
}

// Bytes returns class c's snapshot with n bytes of filler.
func (c Class) Bytes(n int64) []byte {
	var b bytes.Buffer
	c.Write(&b, n)
	return b.Bytes()
}

// WriteGzip writes class c's snapshot with n bytes of filler, gzip
// compressed at the best ratio.
func (c Class) WriteGzip(w io.Writer, n int64) error {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err := c.Write(zw, n); err != nil {
		return err
	}
	return zw.Close()
}

// WriteBomb writes class c's snapshot with n bytes of filler as a gzip
// bomb: a member for the prefix, one member holding a mebibyte of filler
// compressed once and written again and again, and one for the suffix.
// Concatenated members are one gzip stream (RFC 1952 §2.2), so the bomb
// costs a thousandth of its inflated size to write.
func (c Class) WriteBomb(w io.Writer, n int64) error {
	if c.write != nil {
		return fmt.Errorf("class %s has no repeating unit to make a bomb of", c.Name)
	}
	member := func(text []byte) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(text)
		zw.Close()
		return b.Bytes()
	}
	block := bytes.Repeat([]byte(c.Unit), (1<<20)/len(c.Unit))
	filler := member(block)
	if _, err := w.Write(member([]byte(c.Prefix))); err != nil {
		return err
	}
	for ; n > 0; n -= int64(len(block)) {
		if _, err := w.Write(filler); err != nil {
			return err
		}
	}
	_, err := w.Write(member([]byte(c.Suffix)))
	return err
}

// repeat writes unit until n bytes are written (rounded up to whole units).
func repeat(w *bufio.Writer, unit string, n int64) {
	block := bytes.Repeat([]byte(unit), max(1, (64<<10)/len(unit)))
	for n > 0 {
		k := min(int64(len(block)), (n+int64(len(unit))-1)/int64(len(unit))*int64(len(unit)))
		w.Write(block[:k])
		n -= k
	}
}
