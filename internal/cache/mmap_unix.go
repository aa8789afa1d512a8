//go:build linux || darwin

package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps f privately: pages come from the page cache as they are
// read, so a process's own memory stays small, and a write (a dominator
// tree sorting a children list) goes to a private copy, never the file.
func mapFile(f *os.File, size int64) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
}

func (m *mapped) close() error {
	if m.mem == nil {
		return nil
	}
	err := unix.Munmap(m.mem)
	m.mem = nil
	return err
}

// release drops b's pages from the process (not from the page cache): a
// checked section costs no resident memory until it is read.
func release(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_DONTNEED)
	}
}

// freeSpace returns the bytes free for an unprivileged user on dir's
// file system.
func freeSpace(dir string) (int64, bool) {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
