package heapsnapshot

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkMessage fails t unless err's message is one short line of
// printable UTF-8 and its offset lies within the input.
func checkMessage(t *testing.T, err error, inputLen int64) {
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error is not a SyntaxError: %v", err)
	}
	if se.Offset < 0 || (inputLen >= 0 && se.Offset > inputLen) {
		t.Fatalf("offset %d outside the %d-byte input", se.Offset, inputLen)
	}
	msg := err.Error()
	if !utf8.ValidString(msg) || len(msg) > 512 || strings.ContainsFunc(msg, func(r rune) bool {
		return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029
	}) {
		t.Fatalf("unsafe message %q", msg)
	}
}

// FuzzHeader feeds arbitrary bytes to the strict header reader. Whatever
// encoding/json rejects must be rejected; whatever it accepts must be
// accepted too, unless it repeats a key with another value, nests deeper
// than 32 levels or holds invalid UTF-8 (which encoding/json lets by). Messages must be safe to print, and parsing a header
// that validates must not panic. Finds are kept in testdata/fuzz/FuzzHeader.
func FuzzHeader(f *testing.F) {
	f.Add([]byte(tinyHeader[len(`{"snapshot":`) : len(tinyHeader)-2]))
	f.Add([]byte(`{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["a"]],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["e"]]},"node_count":1,"edge_count":0,"root_index":0}`))
	f.Add([]byte(`{"a":1,"a":1.0,"b":[{"c":"\ud800"},null,true,-0.5e+3]}`))
	f.Add([]byte(`{"a" : "x\u0000\"\\/\b\f\n\r\t"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		verr := validateJSON(data, 0)
		if !json.Valid(data) {
			if verr == nil {
				t.Fatalf("accepted what encoding/json rejects: %q", data)
			}
		} else if verr != nil && !strings.Contains(verr.msg, "duplicate key") && !strings.Contains(verr.msg, "nested more than") &&
			!strings.Contains(verr.msg, "invalid UTF-8") {
			t.Fatalf("rejected valid JSON: %s at %d", verr.msg, verr.at)
		}
		if verr != nil {
			if verr.at < 0 || verr.at > len(data) {
				t.Fatalf("error at %d outside the %d-byte input", verr.at, len(data))
			}
			checkMessage(t, syntaxErrorf(int64(verr.at), "%s", verr.msg), int64(len(data)))
			return
		}
		if len(data) == 0 || data[bytesSpace(data)] != '{' {
			return
		}
		if _, herr := parseHeader(data, 0); herr != nil {
			checkMessage(t, syntaxErrorf(int64(herr.at), "%s", herr.msg), int64(len(data)))
		}
	})
}

func bytesSpace(b []byte) int {
	i := 0
	for i < len(b)-1 && isSpace(b[i]) {
		i++
	}
	return i
}

// FuzzGzip feeds arbitrary bytes, as gzip input, to Read. It must not
// panic, must report errors safely, and when it reads a snapshot,
// compress/gzip must decompress the same input to text that reads as the
// same snapshot. Finds are kept in testdata/fuzz/FuzzGzip.
func FuzzGzip(f *testing.F) {
	data := []byte(tiny)
	f.Add(gzipMember{data: data}.bytes())
	f.Add(append(gzipMember{name: "a.heapsnapshot", headerCRC: true, data: data[:100]}.bytes(),
		gzipMember{extra: []byte("AB\x00\x00"), comment: "c", data: data[100:]}.bytes()...))
	f.Add(gzipMember{flags: 0x40, data: data}.bytes())
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zw.Write(data)
	zw.Close()
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, input []byte) {
		if !bytes.HasPrefix(input, []byte{0x1f, 0x8b}) {
			input = append([]byte{0x1f, 0x8b}, input...)
		}
		s, err := Read(bytes.NewReader(input), int64(len(input)), Options{})
		if err != nil {
			checkMessage(t, err, -1)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(input))
		if err != nil {
			return // a header compress/gzip refuses (a name over 511 bytes)
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			return
		}
		plain, err := Read(bytes.NewReader(text), int64(len(text)), Options{})
		if err != nil {
			t.Fatalf("the gzip input reads, its decompressed text does not: %v", err)
		}
		if plain.NodeCount != s.NodeCount || plain.EdgeCount != s.EdgeCount || plain.Strings.Len() != s.Strings.Len() {
			t.Fatalf("gzip and plain readings differ")
		}
	})
}
