#!/usr/bin/env bash
# Capture benchmark: what it takes to get from a running Node process to
# heapsnap's report, by two routes, on a fresh process for every run:
#
#   capture  heapsnap capture PID --format json
#            (SIGUSR1, the snapshot streamed over the inspector into the
#            parser, the inspector closed again)
#   file     node --heapsnapshot-signal=SIGUSR2: kill -USR2, wait until
#            Node has written and closed the file (the same V8 serializer
#            as v8.writeHeapSnapshot), then heapsnap analyze FILE --format json
#
# For each: wall time from the signal to the report (for the file, split
# into writing it and analyzing it); the target's peak RSS
# over the run (VmHWM, reset through /proc/PID/clear_refs after setup) and
# its RSS before; heapsnap's peak RSS; the file's size. Linux, run from
# anywhere in the repository:
#
#   testdata/bench/capture.sh                 # a 150 MB heap, 3 runs of each
#   HEAP_MB=100 RUNS=5 testdata/bench/capture.sh
#
# Environment:
#   HEAP_MB       ballast of testdata/capture/leak.js (LEAK_BALLAST_MB), default 150
#   RUNS          runs of each route, alternating, default 3
#   NODE          node binary (default: node on PATH)
#   BENCH_DIR     where the file route writes (default /tmp/heapsnap-bench)
#   HEAPSNAP_BIN  heapsnap binary (default: go build ./cmd/heapsnap)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HEAP_MB=${HEAP_MB:-150}
RUNS=${RUNS:-3}
NODE=${NODE:-node}
BENCH_DIR=${BENCH_DIR:-/tmp/heapsnap-bench}
TIME=/usr/bin/time

log() { printf '%s\n' "$*" >&2; }
die() { log "capture.sh: $*"; exit 1; }

"$TIME" -f '%M' true >/dev/null 2>&1 || die "GNU time (/usr/bin/time) is required"
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
cd "$ROOT"
BIN=${HEAPSNAP_BIN:-$BENCH_DIR/heapsnap}
if [[ -z ${HEAPSNAP_BIN:-} ]]; then
	log "capture.sh: building $BIN"
	go build -o "$BIN" ./cmd/heapsnap
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null || true; }
trap cleanup EXIT

# start [NODE_ARGS...]: a fresh leak.js with the ballast, settled, its
# peak RSS reset; sets PID and RSS_BEFORE (kB).
start() {
	local out=$BENCH_DIR/leak.out
	: >"$out"
	LEAK_BALLAST_MB=$HEAP_MB "$NODE" --expose-gc "$@" testdata/capture/leak.js >"$out" 2>&1 &
	PID=$!
	until grep -q ready "$out"; do
		kill -0 "$PID" 2>/dev/null || die "leak.js exited: $(cat "$out")"
		sleep 0.2
	done
	sleep 1
	echo 5 >"/proc/$PID/clear_refs" || die "cannot reset the peak RSS of $PID (needs Linux and permission)"
	RSS_BEFORE=$(kb "$PID" VmRSS)
}

stop() {
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
}

# wait_written DIR: until Node has closed the snapshot file it writes in DIR.
wait_written() {
	local f
	until f=$(ls "$1"/*.heapsnapshot 2>/dev/null | head -1) && [[ -n $f ]]; do sleep 0.05; done
	while ls -l "/proc/$PID/fd" 2>/dev/null | grep -q -- "$f"; do sleep 0.05; done
	echo "$f"
}

printf 'route\trun\twall_s\tsnapshot_s\tanalyze_s\ttarget_rss_before_mb\ttarget_peak_mb\tpeak_rise_mb\theapsnap_peak_mb\tfile_mb\n'
for ((run = 1; run <= RUNS; run++)); do
	start
	t=$(mktemp "$BENCH_DIR/time.XXXXXX")
	t0=$(now)
	"$TIME" -f '%M' -o "$t" "$BIN" capture "$PID" --format json -q >/dev/null
	t1=$(now)
	peak=$(kb "$PID" VmHWM)
	printf 'capture\t%d\t%s\t-\t-\t%d\t%d\t%d\t%d\t-\n' "$run" "$(elapsed "$t0" "$t1")" $((RSS_BEFORE / 1024)) $((peak / 1024)) $(((peak - RSS_BEFORE) / 1024)) $(($(tail -1 "$t") / 1024))
	stop

	dir=$(mktemp -d "$BENCH_DIR/file.XXXXXX")
	start --heapsnapshot-signal=SIGUSR2 --diagnostic-dir="$dir"
	t0=$(now)
	kill -USR2 "$PID"
	f=$(wait_written "$dir")
	tw=$(now)
	peak=$(kb "$PID" VmHWM)
	"$TIME" -f '%M' -o "$t" "$BIN" analyze "$f" --format json -q >/dev/null
	t1=$(now)
	printf 'file\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n' "$run" "$(elapsed "$t0" "$t1")" "$(elapsed "$t0" "$tw")" "$(elapsed "$tw" "$t1")" $((RSS_BEFORE / 1024)) $((peak / 1024)) $(((peak - RSS_BEFORE) / 1024)) $(($(tail -1 "$t") / 1024)) $(($(stat -c %s "$f") / 1000000))
	stop
	rm -rf "$dir" "$t"
done
