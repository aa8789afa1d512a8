package capture

import (
	"context"
	"time"
)

// closeExpression closes the inspector from inside the process: the
// inspector module's close() ("Deactivate the inspector. Blocks until
// there are no active connections"). process.getBuiltinModule (Node
// 20.16, 22.3 and later) reaches the module from any scope, ES modules
// included; before it, Runtime.evaluate with includeCommandLineAPI has
// Node's console require. close() runs on the next turn of the event loop,
// so that this evaluation is answered first and the connection it cuts is
// one heapsnap expects to lose.
const closeExpression = `(() => {
	const inspector = typeof process.getBuiltinModule === 'function'
		? process.getBuiltinModule('inspector')
		: require('inspector');
	setImmediate(() => inspector.close());
	return true;
})()`

// Close leaves the process as heapsnap found it: it stops the heap
// profiler and, when heapsnap opened the inspector (or Options says to),
// closes the inspector and checks that nothing listens any more. The
// process keeps running. Close may be called more than once.
func (s *Session) Close(ctx context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.dropConnection()
	if s.opts.PID != 0 && !alive(s.opts.PID) {
		return nil
	}
	closeIt := s.opened || s.opts.CloseInspector
	if s.ws == nil {
		if !closeIt {
			return nil
		}
		// The connection was dropped mid-snapshot: a new one closes the
		// inspector once the process has finished the snapshot, which V8
		// cannot stop (until then Node may turn a new connection away).
		// That takes as long as a snapshot may, so the wait is the idle
		// timeout's; cancel ctx to give up sooner.
		rctx, cancel := context.WithTimeout(ctx, max(s.opts.Timeout, s.opts.IdleTimeout))
		err := s.reconnect(rctx)
		cancel()
		if err != nil {
			return s.leftOpen(err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if s.profiling {
		// Frees the object ids V8 keeps once a snapshot was taken, and
		// stops allocation tracking. Failing here changes nothing for
		// closing the inspector.
		_, _ = s.command(ctx, "HeapProfiler.disable", nil)
	}
	if !closeIt {
		return nil
	}
	if err := s.evaluate(ctx, closeExpression, nil); err != nil {
		return s.leftOpen(err)
	}
	select {
	case <-s.ws.done: // the inspector cut the connection
	case <-ctx.Done():
		return s.leftOpen(contextError(ctx, "no disconnection"))
	}
	if err := s.waitClosed(ctx); err != nil {
		return s.leftOpen(err)
	}
	s.logf("closed the inspector of %s", s.target)
	return nil
}

// reconnect connects again, retrying until ctx ends.
func (s *Session) reconnect(ctx context.Context) error {
	for {
		err := s.connect(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if s.opts.PID != 0 && !alive(s.opts.PID) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitClosed waits until the inspector no longer listens.
func (s *Session) waitClosed(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if !s.stillListening(ctx) {
			return nil
		}
		select {
		case <-ctx.Done():
			return contextError(ctx, "still listening")
		case <-tick.C:
		}
	}
}

// stillListening reports whether the inspector's address still answers.
func (s *Session) stillListening(ctx context.Context) bool {
	if s.opts.PID != 0 {
		if open, known := pidListensOn(s.opts.PID, s.ep.hostPort); known {
			return open
		}
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err := probe(pctx, s.ep.hostPort)
	return err == nil
}

func (s *Session) leftOpen(err error) error {
	return failf(ErrCloseFailed, err, "%s: could not close its inspector, which is still open on %s: %v", s.target, s.ep.hostPort, err)
}
