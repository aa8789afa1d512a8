package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// A cache file is a fixed header, page-aligned sections of raw arrays in
// the machine's byte order, and a table of contents at the end:
//
//	magic (16) | version (4) | reserved (4) | toc offset (8) | toc length (8) | toc hash (8)
//	section … section | toc (gob)
//
// The header is written last, so a file cut short while it was written
// has none. Every section and the table carry an xxhash; a file whose
// stamp, key or any hash differs is not used.
const (
	magic      = "heapsnap cache\x00\n"
	headerSize = 48
	align      = 4096
)

// formatVersion changes whenever what a file holds or means changes: its
// layout, or what the analysis computes.
const formatVersion = 1

// stamp is what a file must have been written by: the format, the
// machine's byte order and word size (sections are raw arrays) and the
// heapsnap build, whose analysis the cache holds.
func stamp(build string) string {
	return fmt.Sprintf("v%d %s/%s %s", formatVersion, runtime.GOOS, runtime.GOARCH, build)
}

// toc is a file's table of contents.
type toc struct {
	Stamp    string
	Key      Key
	Kind     string
	Sections []sectionInfo
	// Meta is the gob of what the kind keeps beside its arrays.
	Meta []byte
}

type sectionInfo struct {
	Name   string
	Offset int64
	Length int64
	// Hashes are the xxhash of each hashChunk of the section, so that
	// checking a big file keeps every core busy.
	Hashes []uint64
	// Nil tells a nil array from an empty one: some columns are nil when
	// the snapshot lacks their field.
	Nil bool
}

// Section is one named array of a file.
type Section struct {
	Name string
	Data []byte
	Nil  bool
}

// errCorrupt marks a file that is not what it should be: its stamp, key,
// length or a hash.
var errCorrupt = errors.New("corrupted")

// writeFile writes a cache file at path: through a temporary file in the
// same directory, renamed into place once complete, so that readers see
// a whole file or none.
func writeFile(path, build, kind string, key Key, meta any, sections []Section) (err error) {
	var m bytes.Buffer
	if err := gob.NewEncoder(&m).Encode(meta); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	t := toc{Stamp: stamp(build), Key: key, Kind: kind, Meta: m.Bytes()}
	off := int64(headerSize)
	if len(sections) > 0 {
		off = align
	}
	for _, s := range sections {
		if _, err := writeAt(f, s.Data, off); err != nil {
			return err
		}
		t.Sections = append(t.Sections, sectionInfo{Name: s.Name, Offset: off, Length: int64(len(s.Data)), Hashes: chunkHashes(s.Data), Nil: s.Nil})
		off += (int64(len(s.Data)) + align - 1) &^ (align - 1)
	}
	var tb bytes.Buffer
	if err := gob.NewEncoder(&tb).Encode(&t); err != nil {
		return err
	}
	if _, err := writeAt(f, tb.Bytes(), off); err != nil {
		return err
	}
	h := make([]byte, headerSize)
	copy(h, magic)
	binary.LittleEndian.PutUint32(h[16:], formatVersion)
	binary.LittleEndian.PutUint64(h[24:], uint64(off))
	binary.LittleEndian.PutUint64(h[32:], uint64(tb.Len()))
	binary.LittleEndian.PutUint64(h[40:], xxhash.Sum64(tb.Bytes()))
	if _, err := writeAt(f, h, 0); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// writeAt is (*os.File).WriteAt; tests make it fail as a full disk does.
var writeAt = (*os.File).WriteAt

// mapped is an open cache file: its sections alias the mapping.
type mapped struct {
	mem      []byte
	toc      toc
	sections map[string]Section
}

// openFile maps the file at path and checks it was written by this build
// for key and kind, and that every hash holds. A file that does not exist
// is fs.ErrNotExist; one of another key is errStale; anything else wrong
// wraps errCorrupt.
func openFile(path, build, kind string, key Key) (*mapped, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < headerSize {
		return nil, fmt.Errorf("%w: %d bytes", errCorrupt, st.Size())
	}
	mem, err := mapFile(f, st.Size())
	if err != nil {
		return nil, err
	}
	m := &mapped{mem: mem}
	if err := m.check(build, kind, key); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

// errStale is a file written for another version of the snapshot;
// errOtherBuild one written by another heapsnap build.
var (
	errStale      = errors.New("stale")
	errOtherBuild = errors.New("written by another heapsnap build")
)

func (m *mapped) check(build, kind string, key Key) error {
	h := m.mem[:headerSize]
	if string(h[:16]) != magic {
		return fmt.Errorf("%w: no cache header", errCorrupt)
	}
	if v := binary.LittleEndian.Uint32(h[16:]); v != formatVersion {
		return fmt.Errorf("%w: format %d, want %d", errOtherBuild, v, formatVersion)
	}
	off, n := binary.LittleEndian.Uint64(h[24:]), binary.LittleEndian.Uint64(h[32:])
	if off > uint64(len(m.mem)) || n > uint64(len(m.mem))-off {
		return fmt.Errorf("%w: truncated", errCorrupt)
	}
	tb := m.mem[off : off+n]
	if xxhash.Sum64(tb) != binary.LittleEndian.Uint64(h[40:]) {
		return fmt.Errorf("%w: table of contents", errCorrupt)
	}
	if err := gob.NewDecoder(bytes.NewReader(tb)).Decode(&m.toc); err != nil {
		return fmt.Errorf("%w: table of contents: %v", errCorrupt, err)
	}
	switch {
	case m.toc.Stamp != stamp(build):
		return errOtherBuild
	case m.toc.Kind != kind:
		return fmt.Errorf("%w: holds %s, want %s", errCorrupt, m.toc.Kind, kind)
	case m.toc.Key != key:
		return errStale
	}
	m.sections = map[string]Section{}
	for _, s := range m.toc.Sections {
		if s.Offset < 0 || s.Length < 0 || s.Offset > int64(off) || s.Length > int64(off)-s.Offset {
			return fmt.Errorf("%w: section %s outside the file", errCorrupt, s.Name)
		}
		m.sections[s.Name] = Section{Name: s.Name, Data: m.mem[s.Offset : s.Offset+s.Length : s.Offset+s.Length], Nil: s.Nil}
	}
	return m.verify()
}

// hashChunk is the length each hash of a section covers.
const hashChunk = 32 << 20

func chunkHashes(b []byte) []uint64 {
	var out []uint64
	for len(b) > 0 {
		n := min(len(b), hashChunk)
		out = append(out, xxhash.Sum64(b[:n]))
		b = b[n:]
	}
	return out
}

// verify checks every chunk's hash, on every core.
func (m *mapped) verify() error {
	type chunk struct {
		name string
		data []byte
		hash uint64
	}
	var chunks []chunk
	for _, s := range m.toc.Sections {
		data := m.sections[s.Name].Data
		if int64(len(s.Hashes)) != (s.Length+hashChunk-1)/hashChunk {
			return fmt.Errorf("%w: section %s", errCorrupt, s.Name)
		}
		for k, h := range s.Hashes {
			lo := int64(k) * hashChunk
			chunks = append(chunks, chunk{s.Name, data[lo:min(lo+hashChunk, s.Length)], h})
		}
	}
	var bad atomic.Pointer[string]
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for k := next.Add(1) - 1; k < int64(len(chunks)) && bad.Load() == nil; k = next.Add(1) - 1 {
				c := chunks[k]
				if xxhash.Sum64(c.data) != c.hash {
					bad.Store(&c.name)
				}
				release(c.data)
			}
		})
	}
	wg.Wait()
	if name := bad.Load(); name != nil {
		return fmt.Errorf("%w: section %s", errCorrupt, *name)
	}
	return nil
}

// meta decodes the file's meta into v.
func (m *mapped) meta(v any) error {
	if err := gob.NewDecoder(bytes.NewReader(m.toc.Meta)).Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return nil
}

// section returns the named section, or a corrupt-file error when the
// file has none.
func (m *mapped) section(name string) (Section, error) {
	s, ok := m.sections[name]
	if !ok {
		return Section{}, fmt.Errorf("%w: no section %s", errCorrupt, name)
	}
	return s, nil
}
