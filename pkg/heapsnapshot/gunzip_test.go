package heapsnapshot

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"
)

// gzipMember builds one gzip member by hand, so that every header field
// RFC 1952 defines can be set, and set wrong.
type gzipMember struct {
	flags          byte // extra flag bits, beyond those the fields below set
	method         byte // 0 means deflate (8)
	extra          []byte
	name, comment  string
	headerCRC      bool
	badHeaderCRC   bool
	data           []byte
	badCRC, badLen bool
}

func (m gzipMember) bytes() []byte {
	var b bytes.Buffer
	flags := m.flags
	if m.extra != nil {
		flags |= gzipFlagExtra
	}
	if m.name != "" {
		flags |= gzipFlagName
	}
	if m.comment != "" {
		flags |= gzipFlagComment
	}
	if m.headerCRC {
		flags |= gzipFlagHdrCRC
	}
	method := m.method
	if method == 0 {
		method = 8
	}
	b.Write([]byte{0x1f, 0x8b, method, flags, 0, 0, 0, 0, 0, 255})
	if m.extra != nil {
		binary.Write(&b, binary.LittleEndian, uint16(len(m.extra)))
		b.Write(m.extra)
	}
	for _, s := range []string{m.name, m.comment} {
		if s != "" {
			b.WriteString(s)
			b.WriteByte(0)
		}
	}
	if m.headerCRC {
		crc := uint16(crc32.ChecksumIEEE(b.Bytes()))
		if m.badHeaderCRC {
			crc++
		}
		binary.Write(&b, binary.LittleEndian, crc)
	}
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(m.data)
	fw.Close()
	crc, size := crc32.ChecksumIEEE(m.data), uint32(len(m.data))
	if m.badCRC {
		crc ^= 1
	}
	if m.badLen {
		size++
	}
	binary.Write(&b, binary.LittleEndian, crc)
	binary.Write(&b, binary.LittleEndian, size)
	return b.Bytes()
}

// TestGzipHeaders reads gzip input whose members use every header field
// of RFC 1952, or get one wrong.
func TestGzipHeaders(t *testing.T) {
	third := len(tiny) / 3
	data := []byte(tiny)
	join := func(members ...gzipMember) []byte {
		var b []byte
		for _, m := range members {
			b = append(b, m.bytes()...)
		}
		return b
	}
	good := []struct {
		name  string
		input []byte
	}{
		{"all fields", gzipMember{extra: []byte("AB\x02\x00hi"), name: strings.Repeat("n", 2000) + ".heapsnapshot",
			comment: strings.Repeat("c", 5000), headerCRC: true, flags: gzipFlagText, data: data}.bytes()},
		{"three members", join(gzipMember{data: data[:third]}, gzipMember{name: "x", data: data[third : 2*third]},
			gzipMember{headerCRC: true, data: data[2*third:]})},
		{"empty member", join(gzipMember{data: data}, gzipMember{})},
	}
	for _, tc := range good {
		s, err := Read(bytes.NewReader(tc.input), int64(len(tc.input)), Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if s.NodeCount != 4 || s.Strings.Len() != 8 {
			t.Errorf("%s: %d nodes, %d strings", tc.name, s.NodeCount, s.Strings.Len())
		}
	}
	whole := gzipMember{data: data}.bytes()
	bad := []struct {
		name   string
		input  []byte
		offset int64
		msg    string
	}{
		{"reserved flag", gzipMember{flags: 0x20, data: data}.bytes(), 0, "gzip member 1: reserved header flag bits are set (0x20)"},
		{"reserved flag in member 2", join(gzipMember{data: data[:third]}, gzipMember{flags: 0x80, data: data[third:]}), int64(third), "gzip member 2: reserved header flag bits are set (0x80)"},
		{"header CRC", gzipMember{headerCRC: true, badHeaderCRC: true, name: "x", data: data}.bytes(), 0, "gzip member 1: header checksum"},
		{"method", gzipMember{method: 7, data: data}.bytes(), 0, "compression method 7 is not deflate"},
		{"CRC-32", gzipMember{badCRC: true, data: data}.bytes(), int64(len(data)), "gzip member 1: CRC-32"},
		{"length", gzipMember{badLen: true, data: data}.bytes(), int64(len(data)), "its trailer declares"},
		{"trailing garbage", append(whole, "junk"...), int64(len(data)), "the data after gzip member 1, from byte " + strconv.Itoa(len(whole)) + " of the .gz file, is not gzip"},
		{"cut in the header", whole[:5], 0, "the gzip header is cut short: the .gz file is truncated"},
		{"cut in a name", gzipMember{name: "snapshot", data: data}.bytes()[:14], 0, "the gzip header is cut short"},
		{"cut in the data", whole[:len(whole)/2], -1, "the gzip data ends early: the .gz file is truncated after"},
		{"cut in the trailer", whole[:len(whole)-3], int64(len(data)), "the gzip data ends early"},
	}
	for _, tc := range bad {
		_, err := Read(bytes.NewReader(tc.input), int64(len(tc.input)), Options{})
		var se *SyntaxError
		if !errors.As(err, &se) || (tc.offset >= 0 && se.Offset != tc.offset) || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%s: got %v, want %q at byte %d", tc.name, err, tc.msg, tc.offset)
		}
	}
	corrupt := bytes.Clone(whole)
	corrupt[20] ^= 0xff
	if _, err := Read(bytes.NewReader(corrupt), int64(len(corrupt)), Options{}); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("corrupt data: %v", err)
	}
}

// TestParseReadsGzip checks that Parse, like Read, accepts gzip input.
func TestParseReadsGzip(t *testing.T) {
	gz := gzipMember{data: []byte(tiny)}.bytes()
	s, err := Parse(bytes.NewReader(gz), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount != 4 || s.Strings.String(6) != "greeting" {
		t.Fatalf("%d nodes, string 6 %q", s.NodeCount, s.Strings.String(6))
	}
}
