//go:build !linux

package capture

import "context"

// Capturing by PID reads /proc; elsewhere only inspector addresses work.

func openByPID(_ context.Context, pid int, _ func(string, ...any)) (endpoint, bool, error) {
	return endpoint{}, false, failf(ErrUnsupported, nil, "process %d: capturing by PID needs Linux; open the inspector (--inspect, or SIGUSR1) and give its address", pid)
}

// alive cannot tell here; the connection's loss says it instead.
func alive(int) bool { return true }

func pidListensOn(int, string) (open, known bool) { return false, false }

func systemRoom(int, string) (room, bool) { return room{}, false }
