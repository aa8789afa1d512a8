package capture

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"time"
)

// pollEvery is how often heapsnap looks for the inspector's socket after
// SIGUSR1; Node opens it within milliseconds.
const pollEvery = 20 * time.Millisecond

// portTakenAfter is how long heapsnap waits for Node to listen when the
// inspector's port is held by another process: Node gives up at once
// ("Starting inspector on …: address already in use"), so a second is
// plenty.
const portTakenAfter = time.Second

// openByPID finds or opens the inspector of a Node process, as Node
// documents: SIGUSR1 makes it listen on its --inspect-port (127.0.0.1:9229
// by default). The inspector is told from the process's other sockets by
// its GET /json/list. opened says heapsnap opened it (and so closes it
// after). Only loopback addresses are contacted.
func openByPID(ctx context.Context, pid int, logf func(string, ...any)) (ep endpoint, opened bool, err error) {
	if err := processState(pid); err != nil {
		return endpoint{}, false, err
	}
	node, exe := isNode(pid)
	if !node {
		if exe == "" {
			exe = "an unreadable executable"
		}
		return endpoint{}, false, failf(ErrNotNode, nil, "process %d is not a Node.js process (it runs %s)", pid, exe)
	}
	if !sameNetwork(pid) {
		return endpoint{}, false, failf(ErrOtherNetwork, nil, "process %d is in another network namespace, so its inspector is not on heapsnap's loopback: run heapsnap inside its container (kubectl exec), or forward the port and use --inspect", pid)
	}
	host, port := inspectAddress(commandLine(pid))
	before, err := listeners(pid)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return endpoint{}, false, failf(ErrNotPermitted, err, "process %d: not permitted to read its sockets (run heapsnap as its user or root)", pid)
		}
		return endpoint{}, false, failf(ErrNoProcess, err, "process %d: %v", pid, err)
	}
	// Already open? On its port, or anywhere when the port is the
	// system's choice (--inspect=0).
	if ep, err := findInspector(ctx, pid, before, func(l listener) bool { return port == 0 || l.port == port }); ep.wsURL != "" || err != nil {
		return ep, false, err
	}
	handled, err := sigusr1Handled(pid)
	if err != nil {
		return endpoint{}, false, failf(ErrNoProcess, err, "process %d: %v", pid, err)
	}
	if !handled {
		if ep, err := findInspector(ctx, pid, before, nil); ep.wsURL != "" || err != nil {
			return ep, false, err
		}
		return endpoint{}, false, failf(ErrInspectorDisabled, nil, "process %d has its inspector disabled: it does not handle SIGUSR1 (--disable-sigusr1, or the permission model without --allow-inspector)", pid)
	}
	held := make(map[uint64]bool, len(before))
	for _, l := range before {
		held[l.inode] = true
	}
	logf("sent SIGUSR1 to process %d to open its inspector", pid)
	if err := signalInspector(pid); err != nil {
		return endpoint{}, false, failf(ErrNoProcess, err, "process %d: %v", pid, err)
	}
	start := time.Now()
	lookedAround := false
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return endpoint{}, false, contextError(ctx, "the inspector of process %d did not open within %s (is its main thread blocked in native code?); it may still open later, on loopback", pid, time.Since(start).Round(time.Millisecond))
		case <-tick.C:
		}
		if !alive(pid) {
			return endpoint{}, false, failf(ErrProcessExited, nil, "process %d exited", pid)
		}
		now, err := listeners(pid)
		if err != nil {
			continue
		}
		fresh := false
		for _, l := range now {
			if !l.target || held[l.inode] {
				continue
			}
			fresh = true
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			ep, err := probe(pctx, connectAddr(l))
			cancel()
			if err != nil {
				continue // listening but not answering yet, or not the inspector
			}
			if !l.ip.IsLoopback() {
				// The socket is in heapsnap's own network namespace, so
				// its address is this machine's: contacting it to close
				// the inspector again reaches no other host.
				return ep, true, failf(ErrNotLoopback, nil, "process %d opened its inspector on %s, reachable from other hosts (its --inspect-port says so)", pid, l.addr())
			}
			logf("the inspector of process %d listens on %s", pid, ep.hostPort)
			return ep, true, nil
		}
		if !fresh && !lookedAround && time.Since(start) > portTakenAfter {
			lookedAround = true
			for _, l := range now {
				if port != 0 && l.port == port && !l.target {
					return endpoint{}, false, failf(ErrPortTaken, nil, "process %d could not open its inspector: %s is taken by another process (start it with --inspect-port=0, or free the port)", pid, net.JoinHostPort(host, strconv.Itoa(port)))
				}
			}
			// Open already, on a port its command line does not name
			// (inspector.open() in the program, say)?
			if ep, err := findInspector(ctx, pid, now, nil); ep.wsURL != "" || err != nil {
				return ep, false, err
			}
		}
	}
}

// findInspector probes the target's listening sockets that want accepts
// (all when nil) and returns the first inspector. A socket on an address
// other than loopback or all addresses is not contacted: if want names it,
// the error says how to reach it.
func findInspector(ctx context.Context, pid int, ls []listener, want func(listener) bool) (endpoint, error) {
	if ls == nil {
		var err error
		if ls, err = listeners(pid); err != nil {
			return endpoint{}, nil
		}
	}
	for _, l := range ls {
		if !l.target || (want != nil && !want(l)) {
			continue
		}
		if !reachable(l.ip) {
			if want != nil {
				return endpoint{}, failf(ErrNotLoopback, nil, "process %d listens on %s only, where its inspector may be open; heapsnap contacts no address but loopback unless told: use --inspect %s", pid, l.addr(), l.addr())
			}
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		ep, err := probe(ctx, connectAddr(l))
		cancel()
		if err == nil {
			return ep, nil
		}
	}
	return endpoint{}, nil
}

// reachable reports whether heapsnap may contact a socket bound to ip on
// its own: loopback, or every address (which includes loopback).
func reachable(ip net.IP) bool { return ip.IsLoopback() || ip.IsUnspecified() }

// connectAddr is where heapsnap contacts a listening socket: loopback for
// one bound to every address.
func connectAddr(l listener) string {
	ip := l.ip
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		if l.ip.To4() == nil {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(l.port))
}
