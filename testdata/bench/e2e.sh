#!/usr/bin/env bash
# End-to-end benchmark: generate snapshots of several sizes, time
# `heapsnap analyze FILE --format json` on each and print a table of wall
# time and peak RSS. Run from anywhere inside the repository:
#
#   testdata/bench/e2e.sh                                  # synthetic 1M and 10M nodes
#   SIZES="1M 10M 31M" testdata/bench/e2e.sh
#   SIZES= SERVICE_SCALES="1 12.5" testdata/bench/e2e.sh   # real Node snapshots only
#   ORACLE=1 SIZES=3M testdata/bench/e2e.sh                # also time the DevTools oracle
#
# Environment:
#   SIZES           synthetic snapshot node counts (k/M/G suffixes), default "1M 10M"
#   SYNTH_ARGS      extra internal/tools/synthsnap flags, e.g. "-big-self-sizes -strings-bytes 600M"
#   SERVICE_SCALES  scales for service-heap.js (real V8 snapshots; scale 1 ≈ 100 MB,
#                   25 ≈ 2.3 GB and ~14 GB of RAM), default none
#   FILES           existing snapshots to time as well (never deleted)
#   NODE_HEAP_MB    --max-old-space-size for node (default 16000)
#   BENCH_DIR       where snapshots and binaries go (default /tmp/heapsnap-bench)
#   HEAPSNAP_BIN    heapsnap binary to time (default: go build ./cmd/heapsnap)
#   RUNS            analyze runs per file; the best wall time and the largest RSS are
#                   reported (default 1)
#   ORACLE=1        also time the DevTools oracle on each file, if HEAPSNAP_ORACLE
#                   (default /tmp/devtools-oracle) holds run.mjs
#   KEEP=1          keep the generated snapshots (default: each is deleted after use)
#
# Columns: file size, nodes and edges (from the header), generation time and
# peak RSS, then heapsnap's wall time, peak RSS and RSS / file size, then the
# oracle's. Results are also appended to $BENCH_DIR/results.tsv.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/heapsnap-bench}
SIZES=${SIZES-1M 10M}
SYNTH_ARGS=${SYNTH_ARGS-}
SERVICE_SCALES=${SERVICE_SCALES-}
FILES=${FILES-}
NODE_HEAP_MB=${NODE_HEAP_MB:-16000}
RUNS=${RUNS:-1}
ORACLE=${ORACLE:-0}
HEAPSNAP_ORACLE=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
KEEP=${KEEP:-0}

log() { printf '%s\n' "$*" >&2; }
die() { log "e2e: $*"; exit 1; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

# GNU time reports peak RSS; install it if it is missing.
TIME=/usr/bin/time
if ! "$TIME" -f '%e %M' true >/dev/null 2>&1; then
	log "e2e: installing GNU time"
	if command -v apt-get >/dev/null; then
		(apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; }) ||
			die "GNU time is missing and could not be installed"
	else
		die "GNU time (/usr/bin/time) is required"
	fi
fi

cd "$ROOT"
if [[ -n ${HEAPSNAP_BIN:-} ]]; then
	BIN=$HEAPSNAP_BIN
	[[ -x $BIN ]] || die "HEAPSNAP_BIN=$BIN is not executable"
else
	[[ -d cmd/heapsnap ]] || die "cmd/heapsnap does not exist yet; set HEAPSNAP_BIN"
	BIN=$BENCH_DIR/heapsnap
	log "e2e: building $BIN"
	go build -o "$BIN" ./cmd/heapsnap
fi
SYNTH=$BENCH_DIR/synthsnap
if [[ -n $SIZES ]]; then
	log "e2e: building $SYNTH"
	go build -o "$SYNTH" ./internal/tools/synthsnap
fi
use_oracle=0
if [[ $ORACLE == 1 ]]; then
	if [[ -f $HEAPSNAP_ORACLE/run.mjs ]]; then
		use_oracle=1
	else
		log "e2e: ORACLE=1 but $HEAPSNAP_ORACLE/run.mjs does not exist; skipping the oracle"
	fi
fi

GENERATED=()
cleanup() {
	if [[ $KEEP != 1 ]]; then
		for f in "${GENERATED[@]:+${GENERATED[@]}}"; do rm -f "$f"; done
	fi
}
trap cleanup EXIT

# free_mb prints the space available in BENCH_DIR, in MB.
free_mb() { df -Pm "$BENCH_DIR" | awk 'NR==2 {print $4}'; }

# header_count FILE KEY prints node_count or edge_count from the header.
header_count() { head -c 8192 "$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }

# timed OUT CMD... runs CMD under GNU time; OUT gets "wall_s peak_rss_kb".
timed() {
	local out=$1
	shift
	"$TIME" -f '%e %M' -o "$out" "$@"
}

RESULTS=$BENCH_DIR/results.tsv
[[ -f $RESULTS ]] || printf 'date\tfile\tsize_mb\tnodes\tedges\tgen_s\tgen_rss_mb\twall_s\trss_mb\trss_per_file\toracle_s\toracle_rss_mb\n' >"$RESULTS"
ROWS=()
FAILED=0

# bench FILE GEN_S GEN_RSS_MB: time heapsnap (and the oracle) on FILE and
# record a row.
bench() {
	local f=$1 gen_s=$2 gen_rss=$3 name size_b nodes edges wall="" rss=0 t w r
	name=$(basename "$f")
	size_b=$(stat -c %s "$f")
	nodes=$(header_count "$f" node_count)
	edges=$(header_count "$f" edge_count)
	t=$(mktemp "$BENCH_DIR/time.XXXXXX")
	for ((i = 0; i < RUNS; i++)); do
		if ! timed "$t" "$BIN" analyze "$f" --format json >/dev/null 2>"$t.err"; then
			log "e2e: heapsnap analyze $name failed:"
			tail -5 "$t.err" >&2
			wall=FAIL
			break
		fi
		read -r w r <"$t"
		if [[ -z $wall ]] || awk -v a="$w" -v b="$wall" 'BEGIN{exit !(a<b)}'; then wall=$w; fi
		((r > rss)) && rss=$r
	done
	local oracle_s=- oracle_rss=-
	if [[ $use_oracle == 1 ]]; then
		if timed "$t" node --max-old-space-size="$NODE_HEAP_MB" "$HEAPSNAP_ORACLE/run.mjs" "$f" --out - --quiet >/dev/null 2>"$t.err"; then
			read -r oracle_s r <"$t"
			oracle_rss=$((r / 1024))
		else
			oracle_s=FAIL
			grep -m1 -E 'Error|error' "$t.err" >&2 || tail -2 "$t.err" >&2
		fi
	fi
	rm -f "$t" "$t.err"
	local size_mb rss_mb ratio
	size_mb=$(awk -v b="$size_b" 'BEGIN{printf "%.1f", b/1e6}')
	rss_mb=$((rss / 1024))
	ratio=$(awk -v r="$rss" -v b="$size_b" 'BEGIN{printf "%.2f", r*1024/b}')
	ROWS+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$name" "$size_mb" "$nodes" "$edges" "$gen_s" "$gen_rss" "$wall" "$rss_mb" "$ratio" "$oracle_s" "$oracle_rss")")
	printf '%s\t%s\n' "$(date -u +%FT%TZ)" "${ROWS[-1]}" >>"$RESULTS"
	if [[ $wall == FAIL ]]; then
		FAILED=1
		log "e2e: $name: ${size_mb} MB, $nodes nodes, analyze FAILED"
	else
		log "e2e: $name: ${size_mb} MB, $nodes nodes, analyze ${wall}s, ${rss_mb} MB RSS (${ratio}× file)"
	fi
}

# need_disk EST_MB: fail early when BENCH_DIR cannot hold a file of EST_MB.
need_disk() {
	local free
	free=$(free_mb)
	if ((free < $1 + 1024)); then
		log "e2e: only ${free} MB free in $BENCH_DIR, need about $1 MB; skipping"
		return 1
	fi
}

# generate_and_bench FILE PREFIX COMMAND...: run COMMAND, which writes FILE,
# timing it (its output indented by PREFIX on stderr), then bench FILE and
# delete it unless KEEP=1.
generate_and_bench() {
	local f=$1 prefix=$2 t gen_s gen_kb
	shift 2
	GENERATED+=("$f")
	t=$(mktemp "$BENCH_DIR/time.XXXXXX")
	timed "$t" "$@" 2>&1 | sed "s/^/$prefix/" >&2
	read -r gen_s gen_kb <"$t"
	rm -f "$t"
	bench "$f" "$gen_s" $((gen_kb / 1024))
	[[ $KEEP == 1 ]] || rm -f "$f"
}

for n in $SIZES; do
	f=$BENCH_DIR/synth-$n.heapsnapshot
	# About 72 bytes per node with the default settings.
	est=$(awk -v n="$n" 'BEGIN{m=1; if(n~/[kK]$/)m=1e3; if(n~/M$/)m=1e6; if(n~/G$/)m=1e9; sub(/[kKMG]$/,"",n); printf "%d", n*m*80/1e6}')
	need_disk "$est" || continue
	log "e2e: generating $n-node synthetic snapshot $SYNTH_ARGS"
	# shellcheck disable=SC2086 # SYNTH_ARGS is a list of flags
	generate_and_bench "$f" "  synthsnap: " "$SYNTH" -nodes "$n" $SYNTH_ARGS -o "$f"
done

for s in $SERVICE_SCALES; do
	f=$BENCH_DIR/service-$s.heapsnapshot
	est=$(awk -v s="$s" 'BEGIN{printf "%d", s*95}')
	need_disk "$est" || continue
	log "e2e: generating service heap at scale $s (node --max-old-space-size=$NODE_HEAP_MB)"
	generate_and_bench "$f" "  " node --max-old-space-size="$NODE_HEAP_MB" "$ROOT/testdata/bench/service-heap.js" --scale "$s" --out "$f"
done

for f in $FILES; do
	[[ -f $f ]] || die "FILES: $f does not exist"
	bench "$f" - -
done

((${#ROWS[@]})) || die "nothing was benchmarked"
{
	printf 'file\tsize MB\tnodes\tedges\tgen s\tgen RSS MB\twall s\tpeak RSS MB\tRSS/file\toracle s\toracle RSS MB\n'
	printf '%s\n' "${ROWS[@]}"
} | column -t -s $'\t'
exit "$FAILED"
