package capture

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/buger/jsonparser"
)

// SnapshotOptions controls one snapshot.
type SnapshotOptions struct {
	// TrackAllocations, when positive, records allocation stacks for that
	// long before the snapshot is taken, so that it carries them
	// (trace_function_infos, trace_tree); tracking stops with the snapshot.
	TrackAllocations time.Duration
	// Force takes the snapshot even when the headroom check says the
	// process would likely run out of memory.
	Force bool
	// Progress, if set, is called on the caller's goroutine as the
	// snapshot is generated and streamed.
	Progress func(Progress)
	// Step numbers the snapshot in Progress (Series sets it; 0 means 1).
	Step int
}

// Phase says what a snapshot is doing.
type Phase int

const (
	// PhaseTracking: allocation tracking is on, the snapshot not yet asked for.
	PhaseTracking Phase = iota
	// PhaseGenerating: V8 is walking the heap (Done of Total objects).
	PhaseGenerating
	// PhaseStreaming: chunks are arriving (Bytes so far).
	PhaseStreaming
	// PhaseDone: the snapshot arrived whole.
	PhaseDone
)

// Progress reports a snapshot under way.
type Progress struct {
	Step  int
	Phase Phase
	// Done and Total are V8's reportHeapSnapshotProgress: objects of the
	// heap walked so far, of Total.
	Done, Total int
	// Bytes is how much of the snapshot has been received.
	Bytes int64
	// Elapsed is the time since the snapshot was asked for (or since
	// allocation tracking started).
	Elapsed time.Duration
}

// Stats describes a snapshot taken.
type Stats struct {
	Bytes    int64         // size of the snapshot's JSON
	Chunks   int           // protocol messages it came in
	Duration time.Duration // from the request to the last chunk
	Headroom Headroom      // the check made before it (zero when forced)
}

// Snapshot takes a heap snapshot of the process and streams it, in order
// and as it arrives, into w; nothing is buffered beyond one chunk. Unless
// opts.Force is set, it first checks that the process has the memory a
// snapshot takes (ErrNoHeadroom). If w fails, the rest of the snapshot is
// read and dropped (V8 cannot be stopped mid-snapshot) and w's error is
// returned. On any error what w received is incomplete.
func (s *Session) Snapshot(ctx context.Context, w io.Writer, opts SnapshotOptions) (Stats, error) {
	if opts.Step == 0 {
		opts.Step = 1
	}
	var st Stats
	if !opts.Force {
		h, err := s.checkHeadroom(ctx)
		if err != nil {
			return st, err
		}
		st.Headroom = h
	}
	if !s.profiling {
		if _, err := s.command(ctx, "HeapProfiler.enable", nil); err != nil {
			return st, err
		}
		s.profiling = true
	}
	method := "HeapProfiler.takeHeapSnapshot"
	if opts.TrackAllocations > 0 {
		if err := s.trackAllocations(ctx, opts); err != nil {
			return st, err
		}
		if !opts.Force {
			// Tracking itself takes memory: check again.
			if _, err := s.checkHeadroom(ctx); err != nil {
				_, _ = s.command(ctx, "HeapProfiler.disable", nil) // stops tracking, takes no snapshot
				s.profiling = false
				return st, err
			}
		}
		// V8's stopTrackingHeapObjects takes the snapshot while the
		// allocation tracker is still on, then stops it: one snapshot,
		// with the stacks.
		method = "HeapProfiler.stopTrackingHeapObjects"
	}
	return s.stream(ctx, w, method, opts, st)
}

// trackAllocations turns on allocation tracking and waits, reading the
// heap statistics V8 sends every 50 ms meanwhile.
func (s *Session) trackAllocations(ctx context.Context, opts SnapshotOptions) error {
	if _, err := s.command(ctx, "HeapProfiler.startTrackingHeapObjects", map[string]any{"trackAllocations": true}); err != nil {
		return err
	}
	s.logf("tracking allocations in %s for %s", s.target, opts.TrackAllocations)
	start := time.Now()
	report(opts, Progress{Phase: PhaseTracking})
	wctx, cancel := context.WithTimeout(ctx, opts.TrackAllocations)
	defer cancel()
	if err := s.ws.drain(wctx, ctx); err != nil {
		return s.failure(ctx, "allocation tracking", err)
	}
	report(opts, Progress{Phase: PhaseTracking, Elapsed: time.Since(start)})
	return nil
}

// stream runs a command that produces a snapshot and writes its chunks to w.
func (s *Session) stream(ctx context.Context, w io.Writer, method string, opts SnapshotOptions, st Stats) (Stats, error) {
	if s.ws == nil {
		return st, failf(ErrDisconnected, nil, "%s: the inspector connection was lost", s.target)
	}
	start := time.Now()
	var scratch []byte
	var writeErr error
	onEvent := func(ev event) error {
		switch ev.method {
		case "HeapProfiler.addHeapSnapshotChunk":
			raw, _, _, err := jsonparser.Get(ev.params, "chunk")
			if err != nil {
				return badMessage("a chunk without text")
			}
			if cap(scratch) < len(raw) {
				scratch = make([]byte, len(raw)) // unescaping never lengthens
			}
			chunk, err := jsonparser.Unescape(raw, scratch)
			if err != nil {
				return badMessage("a chunk with a bad escape")
			}
			st.Bytes += int64(len(chunk))
			st.Chunks++
			if writeErr == nil {
				_, writeErr = w.Write(chunk)
			}
			report(opts, Progress{Phase: PhaseStreaming, Bytes: st.Bytes, Elapsed: time.Since(start)})
		case "HeapProfiler.reportHeapSnapshotProgress":
			done, _ := jsonparser.GetInt(ev.params, "done")
			total, _ := jsonparser.GetInt(ev.params, "total")
			report(opts, Progress{Phase: PhaseGenerating, Done: int(done), Total: int(total), Bytes: st.Bytes, Elapsed: time.Since(start)})
		}
		return nil
	}
	s.logf("taking a heap snapshot of %s", s.target)
	_, err := s.ws.call(ctx, method, map[string]any{"reportProgress": true}, s.opts.IdleTimeout, onEvent)
	st.Duration = time.Since(start)
	if err != nil {
		return st, s.failure(ctx, "the snapshot", err)
	}
	if writeErr != nil {
		return st, writeErr
	}
	if st.Bytes == 0 {
		return st, failf(ErrProtocol, nil, "%s: the inspector sent an empty snapshot", s.target)
	}
	if st.Headroom.RSS > 0 {
		if after, err := s.Headroom(ctx); err == nil && after.RSS > st.Headroom.RSS {
			s.retained = max(s.retained, after.RSS-st.Headroom.RSS)
		}
	}
	report(opts, Progress{Phase: PhaseDone, Bytes: st.Bytes, Elapsed: st.Duration})
	return st, nil
}

func report(opts SnapshotOptions, p Progress) {
	if opts.Progress != nil {
		p.Step = opts.Step
		opts.Progress(p)
	}
}

// Sink receives one snapshot of a series. CloseWithError(nil) says it
// arrived whole; with an error, that it did not (a file is then removed).
// *io.PipeWriter is a Sink, and so is *File.
type Sink interface {
	io.Writer
	CloseWithError(err error) error
}

// SeriesOptions controls a series of snapshots.
type SeriesOptions struct {
	Count    int           // number of snapshots (at least 1)
	Interval time.Duration // from the start of one to the start of the next
	Snapshot SnapshotOptions
}

// Series takes opts.Count snapshots, paced by a Schedule of opts.Interval
// (start to start; the next one starts at once when a snapshot took
// longer), streaming step i (1-based) into the Sink open(i) returns, which
// is closed with the snapshot's outcome before the next step. It stops at
// the first error, which it returns with the steps completed.
func (s *Session) Series(ctx context.Context, opts SeriesOptions, open func(step int) (Sink, error)) ([]Stats, error) {
	if opts.Count < 1 {
		return nil, errors.New("capture: a series needs at least one snapshot")
	}
	var done []Stats
	sched := Schedule{Interval: opts.Interval}
	for step := 1; step <= opts.Count; step++ {
		if err := sched.Wait(ctx); err != nil {
			return done, contextError(ctx, "%s: the series did not finish within the timeout", s.target)
		}
		sink, err := open(step)
		if err != nil {
			return done, err
		}
		so := opts.Snapshot
		so.Step = step
		st, err := s.Snapshot(ctx, sink, so)
		if cerr := sink.CloseWithError(err); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return done, err
		}
		done = append(done, st)
	}
	return done, nil
}

// Schedule paces the steps of a series for a caller that drives them
// itself (one that analyzes each snapshot before it takes the next, as
// heapsnap capture --count does): the first Wait returns at once, each
// later one Interval after the previous one returned, or at once when
// that time has passed. The zero Schedule never waits.
type Schedule struct {
	Interval time.Duration
	next     time.Time
}

// Wait blocks until the next step is due, or ctx ends (its error).
func (sc *Schedule) Wait(ctx context.Context) error {
	if sc.next.IsZero() {
		sc.next = time.Now()
		return ctx.Err()
	}
	sc.next = sc.next.Add(sc.Interval)
	if err := sleepUntil(ctx, sc.next); err != nil {
		return err
	}
	if now := time.Now(); now.After(sc.next) {
		sc.next = now // late: the interval counts from this step's start
	}
	return nil
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
