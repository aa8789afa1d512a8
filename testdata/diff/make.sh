#!/usr/bin/env bash
# Writes the DevTools oracle's Comparison view for every pair in pairs.tsv:
#   BASE-to-CURRENT.diff.tsv.gz   run.mjs CURRENT --diff BASE --diff-out (gzip -n -9)
# (names are the file names without directories). Most pairs are snapshots of
# different processes or programs: DevTools matches node ids regardless, and
# so does `heapsnap diff --match ids`, which the tests compare with these rows.
#
# usage: ./make.sh        Env: HEAPSNAP_ORACLE (default /tmp/devtools-oracle, after npm ci),
#                              NODE (default node)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
testdata=$(dirname "$here")
oracle=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
node=${NODE:-node}
if [ ! -f "$oracle/run.mjs" ] || [ ! -d "$oracle/node_modules/chrome-devtools-frontend" ]; then
  echo "make.sh: no installed DevTools oracle at $oracle (set HEAPSNAP_ORACLE)" >&2; exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

snapshot() {  # BASEPATH: print the snapshot file, decompressed into $tmp if gzip'ed
  if [ -f "$testdata/$1.heapsnapshot" ]; then echo "$testdata/$1.heapsnapshot"; return; fi
  local out="$tmp/$(echo "$1" | tr / _).heapsnapshot"
  [ -f "$out" ] || gzip -dc "$testdata/$1.heapsnapshot.gz" > "$out"
  echo "$out"
}

grep -v '^#' "$here/pairs.tsv" | while IFS=$'\t' read -r base cur; do
  [ -n "$base" ] || continue
  name="$(basename "$base")-to-$(basename "$cur").diff.tsv"
  "$node" --max-old-space-size=4096 "$oracle/run.mjs" "$(snapshot "$cur")" --out /dev/null \
    --diff "$(snapshot "$base")" --diff-out "$tmp/$name" --quiet > /dev/null
  gzip -n -9 -c "$tmp/$name" > "$here/$name.gz"
  echo "wrote testdata/diff/$name.gz ($(($(wc -l < "$tmp/$name") - 1)) classes)"
done
