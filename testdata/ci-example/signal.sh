#!/bin/sh
# The signal recipe of docs/ci.md, run for real by
# internal/cli/ci_example_test.go, which also checks that the recipe's
# lines below are the ones docs/ci.md shows:
#
#   ./signal.sh [OUTDIR]      LEAK=0 for the fixed service
#
# It starts the service (server.js) with --heapsnapshot-signal in OUTDIR,
# drives it over HTTP (a warm-up, then the "integration tests", both
# load.js), has it write a snapshot after each, and gates the second
# against the first with heapsnap check and .heapsnap.yaml. Its exit
# status is heapsnap check's.
#
# HEAPSNAP and NODE name the binaries (default: heapsnap and node on PATH).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-snapshots}
mkdir -p "$out"
cd "$out"
rm -f Heap.*.heapsnapshot port
node_bin=${NODE:-$(command -v node)}
heapsnap_bin=${HEAPSNAP:-$(command -v heapsnap)}

# What the recipe's commands stand for here.
node() { # exec: run in the background, it is the process $! names
  if [ "$2" = server.js ]; then
    exec "$node_bin" "$1" "$here/server.js"
  fi
  exec "$node_bin" "$@"
}
npm() { # npm run warm-up | integration-tests: requests to the server
  until [ -s port ]; do sleep 1; done
  case $2 in
  warm-up) "$node_bin" "$here/load.js" "$(cat port)" 0 200 ;;
  integration-tests) "$node_bin" "$here/load.js" "$(cat port)" 200 2000 ;;
  esac
}
heapsnap() {
  "$heapsnap_bin" "$@" --config "$here/.heapsnap.yaml" --junit heapsnap-junit.xml
}

# --- the recipe of docs/ci.md ---
# snapshot N: signal the server, then wait until V8 has written its Nth
# snapshot: the file appears when writing starts and is complete when it
# ends in "}" and stops growing.
snapshot() {
  kill -USR2 "$server"
  until [ "$(ls Heap.*.heapsnapshot 2>/dev/null | wc -l)" -ge "$1" ]; do sleep 1; done
  file=$(ls Heap.*.heapsnapshot | tail -n 1)
  size=-1
  until [ "$(tail -c 1 "$file")" = "}" ] && [ "$(wc -c < "$file")" = "$size" ]; do
    size=$(wc -c < "$file")
    sleep 1
  done
}

node --heapsnapshot-signal=SIGUSR2 server.js &
server=$!
npm run warm-up
snapshot 1                     # the baseline
npm run integration-tests
snapshot 2                     # the end
kill "$server"

# Heap.<date>.<time>.<pid>.<thread>.<sequence>.heapsnapshot: in name
# order, the baseline comes first.
set -- Heap.*.heapsnapshot
heapsnap check "$2" --baseline "$1"
# --- end of the recipe ---
