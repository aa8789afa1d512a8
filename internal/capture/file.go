package capture

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File writes a snapshot to a file that appears only once it is whole: it
// is written to a temporary name in the same directory (so the rename
// cannot cross filesystems), gzip-compressed when the name ends in .gz,
// and renamed into place by CloseWithError(nil). Any failure removes the
// temporary file; an existing file of that name is replaced only by a
// complete snapshot.
type File struct {
	path string
	tmp  *os.File
	buf  *bufio.Writer
	gz   *gzip.Writer
	w    io.Writer
	done bool
	err  error // the first write error
}

// gzipLevel trades size for speed: a snapshot streams in at tens of
// megabytes a second, which default compression on one core would slow;
// level 1 still shrinks snapshot JSON about fivefold.
const gzipLevel = gzip.BestSpeed

// CreateFile starts writing the snapshot file path.
func CreateFile(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, err
	}
	f := &File{path: path, tmp: tmp, buf: bufio.NewWriterSize(tmp, 1<<20)}
	f.w = f.buf
	if strings.HasSuffix(path, ".gz") {
		f.gz, _ = gzip.NewWriterLevel(f.buf, gzipLevel)
		f.w = f.gz
	}
	return f, nil
}

// Path is the name the file gets when it is complete.
func (f *File) Path() string { return f.path }

func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.done {
		return 0, os.ErrClosed
	}
	n, err := f.w.Write(p)
	if err != nil {
		f.err = fmt.Errorf("%s: %w", f.path, err)
	}
	return n, f.err
}

// CloseWithError finishes the file: with a nil err (and no write error)
// it is flushed, synced and renamed into place; otherwise the temporary
// file is removed. Only the first call does anything.
func (f *File) CloseWithError(err error) error {
	if f.done {
		return nil
	}
	f.done = true
	if err == nil {
		err = f.err
	}
	if err == nil {
		err = f.finish()
	}
	if err != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
		return err
	}
	return nil
}

// Close is CloseWithError(nil).
func (f *File) Close() error { return f.CloseWithError(nil) }

// Abort removes the unfinished file (CloseWithError with an error).
func (f *File) Abort() { f.CloseWithError(errAborted) }

var errAborted = errors.New("aborted")

func (f *File) finish() error {
	if f.gz != nil {
		if err := f.gz.Close(); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	if err := f.buf.Flush(); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if err := f.tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if err := f.tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if err := f.tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return os.Rename(f.tmp.Name(), f.path)
}

// StepPath names step of a series of count snapshots written to path:
// the step number, zero-padded to count's width, goes before the
// .heapsnapshot (and .gz) extension, or at the end of a name without one:
// heap.heapsnapshot.gz → heap-02.heapsnapshot.gz.
func StepPath(path string, step, count int) string {
	num := fmt.Sprintf("%0*d", len(strconv.Itoa(count)), step)
	dir, base := filepath.Split(path)
	stem, ext := base, ""
	for _, e := range []string{".heapsnapshot.gz", ".heapsnapshot", ".json.gz", ".json", ".gz"} {
		if s, ok := strings.CutSuffix(base, e); ok && s != "" {
			stem, ext = s, e
			break
		}
	}
	return dir + stem + "-" + num + ext
}

// Tee is a Sink writing to all of its sinks (a file and a parser's pipe):
// a write fails when any sink fails, and closing closes each, with the
// first error.
func Tee(sinks ...Sink) Sink { return tee(sinks) }

type tee []Sink

func (t tee) Write(p []byte) (int, error) {
	for _, s := range t {
		if _, err := s.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (t tee) CloseWithError(err error) error {
	var first error
	for _, s := range t {
		if cerr := s.CloseWithError(err); cerr != nil && first == nil {
			first = cerr
		}
	}
	return first
}
