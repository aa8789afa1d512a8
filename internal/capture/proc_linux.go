package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// procRoot is where the kernel shows processes.
const procRoot = "/proc"

// processState checks that pid names a live process heapsnap may signal.
func processState(pid int) error {
	if pid <= 0 {
		return failf(ErrNoProcess, nil, "process %d: no such process", pid)
	}
	switch err := syscall.Kill(pid, 0); {
	case errors.Is(err, syscall.ESRCH):
		return failf(ErrNoProcess, err, "process %d: no such process", pid)
	case errors.Is(err, syscall.EPERM):
		return failf(ErrNotPermitted, err, "process %d: not permitted to signal it (run heapsnap as its user or root)", pid)
	}
	if state, _ := statusField(pid, "State"); strings.HasPrefix(state, "Z") {
		return failf(ErrNoProcess, nil, "process %d: no such process (it has exited)", pid)
	}
	return nil
}

// alive reports whether pid is still a running (not zombie) process.
func alive(pid int) bool { return processState(pid) == nil }

// statusField returns a field of /proc/PID/status.
func statusField(pid int, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "status"))
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && k == name {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New(name + " not in status")
}

// nodeExeName matches the names Node's binary goes by: node, nodejs,
// node20, node-v22.1.0.
var nodeExeName = regexp.MustCompile(`^node(js)?([-_.]?v?[0-9][0-9A-Za-z._-]*)?$`)

// nodeMarker is in every binary that embeds Node (node, Electron, single
// executable applications): the name of Node's bootstrap script.
var nodeMarker = []byte("internal/bootstrap/node")

// isNode reports whether pid runs Node.js: by its executable's name, or
// else by the executable holding Node's bootstrap code.
func isNode(pid int) (bool, string) {
	exe := filepath.Join(procRoot, strconv.Itoa(pid), "exe")
	target, err := os.Readlink(exe)
	if err != nil {
		return false, ""
	}
	if nodeExeName.MatchString(strings.TrimSuffix(filepath.Base(target), " (deleted)")) {
		return true, target
	}
	f, err := os.Open(exe)
	if err != nil {
		return false, target
	}
	defer f.Close()
	found, _ := containsBytes(f, nodeMarker)
	return found, target
}

// containsBytes reports whether r holds needle, reading it in 1 MB pieces.
func containsBytes(r io.Reader, needle []byte) (bool, error) {
	buf := make([]byte, 1<<20)
	keep := 0
	for {
		n, err := io.ReadFull(r, buf[keep:])
		if bytes.Contains(buf[:keep+n], needle) {
			return true, nil
		}
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return false, nil
			}
			return false, err
		}
		keep = len(needle) - 1
		copy(buf, buf[len(buf)-keep:])
	}
}

// sigusr1Handled reports whether pid catches SIGUSR1. Node installs its
// handler at start unless --disable-sigusr1 or the permission model
// (without --allow-inspector) says not to; there the signal is blocked and
// does nothing, and in a process that neither catches nor blocks it, it
// would end the process: heapsnap sends it only when it is caught.
func sigusr1Handled(pid int) (bool, error) {
	v, err := statusField(pid, "SigCgt")
	if err != nil {
		return false, err
	}
	mask, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return false, err
	}
	return mask&(1<<(uint(syscall.SIGUSR1)-1)) != 0, nil
}

// signalInspector asks Node to open its inspector.
func signalInspector(pid int) error { return syscall.Kill(pid, syscall.SIGUSR1) }

// sameNetwork reports whether pid shares heapsnap's network namespace
// (so that its loopback is heapsnap's); unknown counts as shared.
func sameNetwork(pid int) bool {
	theirs, err1 := os.Readlink(filepath.Join(procRoot, strconv.Itoa(pid), "ns", "net"))
	ours, err2 := os.Readlink(filepath.Join(procRoot, "self", "ns", "net"))
	return err1 != nil || err2 != nil || theirs == ours
}

// listener is a listening TCP socket in the target's network namespace.
type listener struct {
	ip     net.IP
	port   int
	inode  uint64
	target bool // the socket is one of the target's open files
}

func (l listener) addr() string { return net.JoinHostPort(l.ip.String(), strconv.Itoa(l.port)) }

// listeners returns the listening TCP sockets of pid's network namespace,
// marking those pid holds: the kernel lists sockets by inode in
// /proc/PID/net/tcp{,6} and the process's descriptors link to
// "socket:[INODE]".
func listeners(pid int) ([]listener, error) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid))
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return nil, err
	}
	held := make(map[uint64]bool, len(fds))
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if ino, err := strconv.ParseUint(strings.TrimSuffix(link[len("socket:["):], "]"), 10, 64); err == nil {
			held[ino] = true
		}
	}
	var out []listener
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(dir, "net", table))
		if err != nil {
			continue // no IPv6
		}
		ls, err := parseTCPTable(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			l.target = held[l.inode]
			out = append(out, l)
		}
	}
	return out, nil
}

// tcpListen is the state column's value for a listening socket.
const tcpListen = "0A"

// parseTCPTable reads the listening sockets of a /proc/net/tcp or tcp6
// table. Addresses are the kernel's 32-bit words in host byte order, in
// hex; the port is in hex.
func parseTCPTable(r io.Reader) ([]listener, error) {
	var out []listener
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		ipHex, portHex, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		raw, err := hex.DecodeString(ipHex)
		if err != nil || (len(raw) != 4 && len(raw) != 16) {
			continue
		}
		ip := make(net.IP, len(raw))
		for w := 0; w < len(raw); w += 4 {
			binary.NativeEndian.PutUint32(ip[w:], binary.BigEndian.Uint32(raw[w:]))
		}
		port, err1 := strconv.ParseUint(portHex, 16, 16)
		inode, err2 := strconv.ParseUint(f[9], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, listener{ip: ip, port: int(port), inode: inode})
	}
	return out, sc.Err()
}

// commandLine returns pid's argv and the NODE_OPTIONS of its environment.
func commandLine(pid int) (argv []string, nodeOptions string) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid))
	if b, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
		argv = strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "environ")); err == nil {
		for kv := range strings.SplitSeq(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "NODE_OPTIONS="); ok {
				nodeOptions = v
			}
		}
	}
	return argv, nodeOptions
}

// pidListensOn reports whether pid holds a listening socket on hostPort's
// port; known is false when its sockets cannot be read.
func pidListensOn(pid int, hostPort string) (open, known bool) {
	_, ps, err := net.SplitHostPort(hostPort)
	if err != nil {
		return false, false
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return false, false
	}
	ls, err := listeners(pid)
	if err != nil {
		return false, false
	}
	for _, l := range ls {
		if l.target && l.port == port {
			return true, true
		}
	}
	return false, true
}

// defaultCgroupRoot is where the cgroup filesystem is mounted.
const defaultCgroupRoot = "/sys/fs/cgroup"

// systemRoom is how much more memory pid may take: the tighter of its
// cgroup's limit (under cgroupRoot, "" for the default) and the machine's
// MemAvailable.
func systemRoom(pid int, cgroupRoot string) (room, bool) {
	if cgroupRoot == "" {
		cgroupRoot = defaultCgroupRoot
	}
	var best room
	found := false
	if b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "cgroup")); err == nil {
		best, found = cgroupRoom(string(b), filepath.Clean(cgroupRoot))
	}
	if avail, ok := memAvailable(filepath.Join(procRoot, "meminfo")); ok {
		best, found = tighter(best, room{available: avail, source: "MemAvailable of the machine"}, found), true
	}
	return best, found
}
