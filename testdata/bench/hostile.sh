#!/usr/bin/env bash
# Hostile-input benchmark: for each class of internal/hostile and each
# filler size, write the snapshot (plain, or as a gzip file for the *.gz
# rows), run `heapsnap analyze` on it with each binary given, and print
# wall time and peak RSS (GNU time) as a Markdown table, the figures of
# docs/robustness.md. Run from anywhere inside the repository:
#
#   testdata/bench/hostile.sh /tmp/old/heapsnap bin/heapsnap
#   CLASSES="array-space locations" SIZES="64MiB" testdata/bench/hostile.sh bin/heapsnap
#
# Environment:
#   CLASSES   classes to run (default: all of `hostilesnap -list`)
#   GZIP      classes also run gzip-compressed (default: array-space locations unused-string)
#   SIZES     filler sizes (default "64MiB 256MiB 512MiB")
#   TIMEOUT   seconds before a run is stopped and shown as ">TIMEOUT s" (default 300);
#             a binary that times out is not run on the class's larger sizes
#   DIR       where the snapshots go, one at a time (default /tmp/heapsnap-hostile)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 HEAPSNAP_BINARY..." >&2; exit 2; }
DIR=${DIR:-/tmp/heapsnap-hostile}
SIZES=${SIZES:-64MiB 256MiB 512MiB}
TIMEOUT=${TIMEOUT:-300}
GZIP=${GZIP-array-space locations unused-string}
mkdir -p "$DIR"
go build -o "$DIR/hostilesnap" "$ROOT/internal/tools/hostilesnap"
CLASSES=${CLASSES:-$("$DIR/hostilesnap" -list | awk '{print $1}')}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }

# measure BINARY FILE prints "wall s, peak MB, exit", or ">TIMEOUT s".
# After a timeout, the binary's larger sizes of the class are not run.
declare -A timedout
measure() {
	local rc
	if [ -n "${timedout[$1 $class$gz]-}" ]; then
		printf '>%s s' "$TIMEOUT"
		return
	fi
	/usr/bin/time -f '%e %M' -o "$DIR/time.txt" timeout "$TIMEOUT" "$1" analyze -q "$2" >/dev/null 2>&1 && rc=0 || rc=$?
	if [ "$rc" = 124 ]; then
		timedout[$1 $class$gz]=1
		printf '>%s s' "$TIMEOUT"
		return
	fi
	# GNU time writes "Command exited with non-zero status N" before the figures.
	set -- $(tail -n 1 "$DIR/time.txt")
	printf '%.2f s, %d MB' "$1" $(($2 / 1024))
	[ "$rc" = 0 ] || printf ', exit %s' "$rc"
}

printf '| class | filler |'
for b in "$@"; do printf ' %s |' "$b"; done
printf '\n|---|---|'
for _ in "$@"; do printf -- '---|'; done
printf '\n'
for class in $CLASSES; do
	for gz in "" .gz; do
		if [ -n "$gz" ] && [[ " $GZIP " != *" $class "* ]]; then
			continue
		fi
		for size in $SIZES; do
			file=$DIR/$class.heapsnapshot$gz
			if [ -n "$gz" ]; then
				"$DIR/hostilesnap" -class "$class" -size "$size" -gzip -o "$file"
			else
				"$DIR/hostilesnap" -class "$class" -size "$size" -o "$file"
			fi
			printf '| %s%s | %s |' "$class" "$gz" "$size"
			for b in "$@"; do
				printf ' '
				measure "$b" "$file"
				printf ' |'
			done
			printf '\n'
			rm -f "$file"
		done
	done
done
