#!/usr/bin/env bash
# Regenerates the allocation-trace fixtures: main.js (requiring src/orders.js)
# run with `node --track-heap-objects` on Node 20, 22, 24 and 26, and the
# DevTools oracle's goldens for each snapshot:
#   snapshots/nodeN.heapsnapshot.gz  the snapshot (gzip -n -9)
#   snapshots/nodeN.stacks.tsv.gz    run.mjs --allocation-stacks  (one row per node with a stack)
#   snapshots/nodeN.tops.tsv.gz      run.mjs --allocation-tops    (the Allocation view)
#   snapshots/nodeN.callers.tsv.gz   run.mjs --allocation-callers (every top's callers, expanded)
#   snapshots/producers.tsv          node and V8 version of each snapshot
#   snapshots/growth-tracked-N.heapsnapshot.gz (N = 1..3)
#                                    ../scenarios/growth/growth.js, a leak that grows every
#                                    round, run with --track-heap-objects on PATH's node: a
#                                    series whose leak candidates have allocation stacks
#
# usage: ./make.sh [snapshots] [goldens] [series]   (default: all three)
# Env: HEAPSNAP_ORACLE (default /tmp/devtools-oracle, with `npm ci` done; it runs
#      on the `node` on PATH, Node >= 20), VERSIONS (default "20 22 24 26"),
#      STAGE (default /tmp/heapsnap-alloc): the program runs from there, so the
#      script names in the snapshots are /tmp/heapsnap-alloc/src/orders.js etc.
#      whatever the checkout's path. Node majors other than PATH's come from
#      ../tools/get-node.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(snapshots goldens series)
oracle=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
versions=${VERSIONS:-20 22 24 26}
stage=${STAGE:-/tmp/heapsnap-alloc}
out=$here/snapshots
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-alloc-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
# V8 flags that make reruns closer to identical (they are never byte-identical).
seeds=(--hash-seed=1 --random-seed=1)

snapshots() {
  local v node
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r main.js src "$stage/"
  : > "$work/producers.tsv"
  for v in $versions; do
    node=$(../tools/get-node.sh "$v")
    (cd "$stage" && "$node" --track-heap-objects --expose-gc "${seeds[@]}" main.js "$work/node$v.heapsnapshot")
    gzip -n -9 -c "$work/node$v.heapsnapshot" > "$out/node$v.heapsnapshot.gz"
    printf 'node%s\t%s\tv8 %s\n' "$v" "$("$node" -p process.version)" "$("$node" -p process.versions.v8)" >> "$work/producers.tsv"
    echo "wrote snapshots/node$v.heapsnapshot.gz ($(stat -c %s "$out/node$v.heapsnapshot.gz") bytes)"
  done
  cp "$work/producers.tsv" "$out/producers.tsv"
  rm -rf "$stage"
}

goldens() {
  if [ ! -f "$oracle/run.mjs" ] || [ ! -d "$oracle/node_modules/chrome-devtools-frontend" ]; then
    echo "make.sh: no installed DevTools oracle at $oracle (set HEAPSNAP_ORACLE)" >&2; exit 1
  fi
  local v name
  for v in $versions; do
    name=node$v
    gzip -dc "$out/$name.heapsnapshot.gz" > "$work/$name.heapsnapshot"
    (cd "$work" && node "$oracle/run.mjs" "$name.heapsnapshot" --out /dev/null --quiet \
      --allocation-stacks "$name.stacks.tsv" --allocation-tops "$name.tops.tsv" \
      --allocation-callers "$name.callers.tsv" > /dev/null)
    for f in stacks tops callers; do
      gzip -n -9 -c "$work/$name.$f.tsv" > "$out/$name.$f.tsv.gz"
    done
    echo "goldens: $name ($(($(wc -l < "$work/$name.stacks.tsv") - 1)) stacks, $(($(wc -l < "$work/$name.tops.tsv") - 1)) tops)"
    rm -f "$work/$name".*
  done
}

series() {
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r ../scenarios/growth "$stage/"
  (cd "$stage/growth" && node --track-heap-objects --expose-gc "${seeds[@]}" growth.js "$work/growth-tracked")
  for i in 1 2 3; do
    gzip -n -9 -c "$work/growth-tracked-$i.heapsnapshot" > "$out/growth-tracked-$i.heapsnapshot.gz"
    echo "wrote snapshots/growth-tracked-$i.heapsnapshot.gz ($(stat -c %s "$out/growth-tracked-$i.heapsnapshot.gz") bytes)"
  done
  rm -rf "$stage"
}

for w in "${what[@]}"; do
  case $w in
    snapshots) snapshots;;
    goldens) goldens;;
    series) series;;
    *) echo "make.sh: unknown part '$w' (snapshots|goldens|series)" >&2; exit 2;;
  esac
done
du -sh "$out"
