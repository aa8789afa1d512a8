// Package capture takes heap snapshots from running Node.js processes over
// the Chrome DevTools protocol, streaming them into an io.Writer as they
// arrive: into the parser through a pipe, or into a file (File) that
// appears only when complete.
//
// A session starts with Open: for a local process (Options.PID, Linux)
// it uses the inspector if one is open, or opens it as Node documents,
// with SIGUSR1, and finds the port it listens on from the process's own
// sockets (/proc/PID/fd inodes in /proc/PID/net/tcp{,6}), confirmed by
// the inspector's GET /json/list. Options.Address names an inspector that
// is already open (HOST:PORT or ws://…, e.g. through kubectl
// port-forward). With a PID only loopback is contacted.
//
// Session.Snapshot checks first that the process has the memory a
// snapshot costs it (Headroom; V8's snapshot generator needs about ten
// times the heap in use), then streams HeapProfiler.takeHeapSnapshot, or
// with TrackAllocations records allocation stacks first. Session.Series
// takes several; a caller that analyzes each snapshot before it takes the
// next paces its own steps with a Schedule. Session.Close leaves the process as found: it stops the
// heap profiler and closes the inspector heapsnap opened, checking that
// nothing listens any more. heapsnap never kills the target.
//
// Every error is an *Error: one line, and errors.Is matches exactly one
// kind (ErrNoProcess, ErrNotNode, ErrInspectorDisabled, ErrPortTaken,
// ErrTimeout, …, or context.Canceled), all of them exit 3 for the command
// line. docs/capture.md describes the recipes and the costs.
package capture
