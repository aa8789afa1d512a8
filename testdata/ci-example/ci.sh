#!/bin/sh
# The plain-shell CI recipe of docs/ci.md, run for real by
# internal/cli/ci_example_test.go:
#
#   ./ci.sh [OUTDIR]      LEAK=0 for the fixed service
#
# It runs the tests with node, which writes a snapshot after the warm-up
# and one at the end, then gates the end snapshot against the budgets in
# .heapsnap.yaml and writes a JUnit report. Its exit status is heapsnap
# check's: 0 within budget, 1 a budget exceeded, 2 a configuration error,
# 3 an unreadable snapshot.
#
# HEAPSNAP and NODE name the binaries (default: heapsnap and node on PATH).
set -eu
cd "$(dirname "$0")"
out=${1:-snapshots}
mkdir -p "$out"

"${NODE:-node}" --expose-gc test.js "$out"

"${HEAPSNAP:-heapsnap}" check "$out/end.heapsnapshot" \
  --baseline "$out/start.heapsnapshot" \
  --junit "$out/heapsnap-junit.xml"
