package heapsnapshot

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"

	"github.com/heapsnap/heapsnap/internal/units"
)

// gunzip decompresses a gzip file of one or more members, reading each
// member header as RFC 1952 describes it: reserved flag bits are an error
// (§2.3.1.2: "a compliant decompressor must give an error indication if
// any reserved bit is non-zero"), FEXTRA is skipped by its length, FNAME
// and FCOMMENT are read to their zero byte whatever their length, and
// FHCRC is checked. compress/gzip ignores reserved bits and refuses names
// and comments over 511 bytes, hence this reader around compress/flate.
//
// It also stops a gzip bomb: the decompressed bytes may not pass the
// limit the parser sets from the snapshot header (see Options.MaxInflate).
type gunzip struct {
	src      *bufio.Reader // compressed input; a ByteReader, so flate reads no further than its stream
	consumed func() int64  // compressed bytes consumed so far, for messages
	flate    io.ReadCloser // reused for every member
	inMember bool
	crc      uint32
	size     uint32 // the member's decompressed length modulo 2^32, as ISIZE holds it
	members  int
	out      int64 // decompressed bytes so far
	limit    *atomic.Pointer[inflateLimit]
	err      error
}

// inflateLimit is how many decompressed bytes the parser accepts, and the
// message that says so.
type inflateLimit struct {
	bytes int64
	msg   string
}

const (
	gzipFlagText    = 1 << 0
	gzipFlagHdrCRC  = 1 << 1
	gzipFlagExtra   = 1 << 2
	gzipFlagName    = 1 << 3
	gzipFlagComment = 1 << 4
	gzipReserved    = 0xe0
)

func (z *gunzip) Read(p []byte) (int, error) {
	for z.err == nil {
		if !z.inMember {
			if z.err = z.member(); z.err != nil {
				break
			}
		}
		n, err := z.flate.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
		z.size += uint32(n)
		z.out += int64(n)
		if l := z.limit.Load(); l != nil && z.out > l.bytes {
			z.err = &SyntaxError{Offset: l.bytes, Msg: l.msg}
			return n - int(z.out-l.bytes), z.err
		}
		switch {
		case err == io.EOF:
			z.err = z.trailer()
		case err != nil:
			z.err = z.dataError(err)
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, z.err
}

// member reads the header of the next member, or reports io.EOF after the
// last one.
func (z *gunzip) member() error {
	start := z.consumed()
	magic, err := z.src.Peek(2)
	if err != nil && err != io.EOF {
		return err
	}
	if len(magic) == 0 && z.members > 0 {
		return io.EOF
	}
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return z.errorf("the data after gzip member %d, from byte %d of the .gz file, is not gzip", z.members, start)
	}
	var head [10]byte
	if _, err := io.ReadFull(z.src, head[:]); err != nil {
		return z.headerError(err)
	}
	if head[2] != 8 {
		return z.errorf("gzip member %d: compression method %d is not deflate (8)", z.members+1, head[2])
	}
	flags := head[3]
	if flags&gzipReserved != 0 {
		return z.errorf("gzip member %d: reserved header flag bits are set (0x%02x): the file is damaged or not gzip", z.members+1, flags&gzipReserved)
	}
	crc := crc32.Update(0, crc32.IEEETable, head[:])
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(z.src, b); err != nil {
			return nil, z.headerError(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, b)
		return b, nil
	}
	if flags&gzipFlagExtra != 0 {
		xlen, err := read(2)
		if err != nil {
			return err
		}
		if _, err := read(int(binary.LittleEndian.Uint16(xlen))); err != nil {
			return err
		}
	}
	for _, f := range []byte{gzipFlagName, gzipFlagComment} {
		if flags&f == 0 {
			continue
		}
		// A zero-terminated field of any length, streamed.
		for {
			b, err := z.src.ReadSlice(0)
			crc = crc32.Update(crc, crc32.IEEETable, b)
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				return z.headerError(err)
			}
		}
	}
	if flags&gzipFlagHdrCRC != 0 {
		want := uint16(crc)
		b, err := read(2)
		if err != nil {
			return err
		}
		if got := binary.LittleEndian.Uint16(b); got != want {
			return z.errorf("gzip member %d: header checksum 0x%04x does not match the header (0x%04x): the file is damaged", z.members+1, got, want)
		}
	}
	z.members++
	z.crc, z.size = 0, 0
	z.inMember = true
	if z.flate == nil {
		z.flate = flate.NewReader(z.src)
		return nil
	}
	return z.flate.(flate.Resetter).Reset(z.src, nil)
}

// trailer checks the CRC-32 and length that end a member.
func (z *gunzip) trailer() error {
	var t [8]byte
	if _, err := io.ReadFull(z.src, t[:]); err != nil {
		return z.truncated()
	}
	if crc := binary.LittleEndian.Uint32(t[:4]); crc != z.crc {
		return z.errorf("gzip member %d: CRC-32 0x%08x does not match its data (0x%08x): the file is damaged", z.members, crc, z.crc)
	}
	if size := binary.LittleEndian.Uint32(t[4:]); size != z.size {
		return z.errorf("gzip member %d: its trailer declares %d bytes, but it holds %d (mod 2^32): the file is damaged", z.members, size, z.size)
	}
	z.inMember = false
	return nil
}

func (z *gunzip) headerError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if z.members == 0 {
			return z.errorf("the gzip header is cut short: the .gz file is truncated (copy or download it again)")
		}
		return z.truncated()
	}
	return err
}

func (z *gunzip) dataError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return z.truncated()
	case errors.As(err, &corrupt):
		return z.errorf("gzip member %d: the compressed data is corrupt at byte %d of the .gz file", z.members, int64(corrupt))
	}
	return err
}

func (z *gunzip) truncated() error {
	return z.errorf("the gzip data ends early: the .gz file is truncated after %d compressed bytes (copy or download it again)", z.consumed())
}

// errorf makes a decompression error, at the decompressed offset reached.
func (z *gunzip) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: z.out, Msg: fmt.Sprintf(format, args...)}
}

// setInflateLimit sets how many decompressed bytes are accepted: ratio × the
// least text the header's counts need, and at least inflateFloor. values
// is the number of values the header declares; 0 before the header.
func setInflateLimit(limit *atomic.Pointer[inflateLimit], ratio float64, h *Header, values int64) {
	if ratio < 0 {
		limit.Store(nil)
		return
	}
	least := minBytesPerValue * values
	bytes := max(inflateFloor, int64(ratio*float64(least)))
	var msg string
	raise := fmt.Sprintf("if the file is genuine, raise the limit with --max-inflate N or off (config key max_inflate, variable HEAPSNAP_MAX_INFLATE; now %g)", ratio)
	if h == nil {
		msg = fmt.Sprintf("gzip data inflates to more than %s before the snapshot header: stopped as a likely gzip bomb; %s",
			units.Bytes(uint64(bytes)), raise)
	} else {
		msg = fmt.Sprintf("gzip data inflates to more than %s, over %g× the %s that the header's %s and %s need at least: stopped as a likely gzip bomb; %s",
			units.Bytes(uint64(bytes)), ratio, units.Bytes(uint64(least)), plural(h.NodeCount, "node"), plural(h.EdgeCount, "edge"), raise)
	}
	limit.Store(&inflateLimit{bytes: bytes, msg: msg})
}

// plural writes n things, with the count's thousands separated.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return units.Count(n) + " " + thing + "s"
}
