package capture

import (
	"net"
	"strconv"
	"strings"
)

// inspectAddress is where a Node process will open its inspector on
// SIGUSR1: --inspect-port (or --inspect and friends, which also set it)
// from NODE_OPTIONS and then the command line, the later one winning as in
// Node; 127.0.0.1:9229 when neither says. Port 0 means a port the system
// picks.
func inspectAddress(argv []string, nodeOptions string) (host string, port int) {
	host, port = "127.0.0.1", defaultInspectorPort
	apply := func(args []string, stopAtScript bool) {
		for i := 0; i < len(args); i++ {
			a := args[i]
			if a == "--" || (stopAtScript && !strings.HasPrefix(a, "-")) {
				return
			}
			name, value, hasValue := strings.Cut(a, "=")
			switch name {
			case "--inspect-port", "--debug-port":
				if !hasValue && i+1 < len(args) {
					i++
					value, hasValue = args[i], true
				}
			case "--inspect", "--inspect-brk", "--inspect-wait":
			default:
				continue
			}
			if hasValue {
				host, port = parseHostPort(value, host, port)
			}
		}
	}
	apply(strings.Fields(nodeOptions), false)
	if len(argv) > 1 {
		apply(argv[1:], true)
	}
	return host, port
}

// parseHostPort reads Node's [host:]port (a bare host keeps the port).
func parseHostPort(v, host string, port int) (string, int) {
	if p, err := strconv.ParseUint(v, 10, 16); err == nil {
		return host, int(p)
	}
	if h, ps, err := net.SplitHostPort(v); err == nil {
		if p, err := strconv.ParseUint(ps, 10, 16); err == nil {
			return h, int(p)
		}
	}
	return strings.Trim(v, "[]"), port
}
