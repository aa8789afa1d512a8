package capture

import (
	"errors"
	"fmt"
)

// The kinds of failure a capture can end in. Every error this package
// returns matches exactly one of them with errors.Is, prints as one line,
// and means exit 3 to the command line.
var (
	ErrNoProcess         = errors.New("no such process")
	ErrNotPermitted      = errors.New("not permitted")
	ErrNotNode           = errors.New("not a Node.js process")
	ErrInspectorDisabled = errors.New("inspector disabled")
	ErrPortTaken         = errors.New("inspector port taken")
	ErrNotInspector      = errors.New("no inspector at that address")
	ErrNotLoopback       = errors.New("inspector not on loopback")
	ErrOtherNetwork      = errors.New("process in another network namespace")
	ErrUnsupported       = errors.New("not supported on this system")
	ErrNoHeadroom        = errors.New("not enough memory for a snapshot")
	ErrProcessExited     = errors.New("process exited")
	ErrDisconnected      = errors.New("inspector connection lost")
	ErrTimeout           = errors.New("timed out")
	ErrProtocol          = errors.New("inspector protocol error")
	ErrCloseFailed       = errors.New("inspector left open")
)

// Error is a capture failure: Kind is one of the Err values above, Msg the
// whole one-line message, Cause what the system said (for errors.Is/As on
// context.Canceled and the like).
type Error struct {
	Kind  error
	Msg   string
	Cause error
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Cause} }

func failf(kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Cause: cause}
}
