#!/usr/bin/env bash
# Regenerates the corner-case snapshots corner01..corner12.heapsnapshot from the
# oracle's random generator fuzz_snapshots.py (run in place, read-only; it is not
# copied into this repository) with a fixed seed, keeping the files listed in
# PICK below. See README.md for what each one covers.
#
# usage: ./make.sh            write cornerNN.heapsnapshot
#        ./make.sh --survey   also print the corner-case features of all COUNT
#                             generated files (needs the installed oracle, see
#                             ../tools/snapshot-features.py); this is how PICK was chosen
# Then: ../tools/oracle-goldens.sh .
#
# Env: HEAPSNAP_ORACLE_SRC  directory holding fuzz_snapshots.py
#                           (default: shared/devtools-oracle next to the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${HEAPSNAP_ORACLE_SRC:-$here/../../../shared/devtools-oracle}
gen=$src/fuzz_snapshots.py
[ -f "$gen" ] || { echo "make.sh: no $gen (set HEAPSNAP_ORACLE_SRC)" >&2; exit 1; }

SEED=2026
COUNT=200
# cornerNN <- fuzzKKK, in this order (corner01 = fuzz004, ...).
PICK=(004 123 135 059 024 051 130 134 038 035 143 098)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-corner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 "$gen" "$tmp" "$COUNT" "$SEED"

cd "$here"
rm -f corner[0-9][0-9].heapsnapshot
i=0
for k in "${PICK[@]}"; do
  i=$((i + 1))
  name=$(printf 'corner%02d' "$i")
  cp "$tmp/fuzz$k.heapsnapshot" "$name.heapsnapshot"
  echo "$name.heapsnapshot <- fuzz$k.heapsnapshot (seed $SEED) $(stat -c %s "$name.heapsnapshot") bytes"
done

if [ "${1:-}" = --survey ]; then
  python3 "$here/../tools/snapshot-features.py" "$tmp"/fuzz*.heapsnapshot
fi
echo "now run: ../tools/oracle-goldens.sh ."
