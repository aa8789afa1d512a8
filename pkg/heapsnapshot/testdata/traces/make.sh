#!/usr/bin/env bash
# Writes node20-track.heapsnapshot.gz, a snapshot taken with allocation
# tracking on (node --track-heap-objects), for the parser's tests of the
# trace sections (trace_function_infos, trace_tree, trace_node_id).
# Needs Node 20 (testdata/tools/get-node.sh 20 fetches it).
set -euo pipefail
cd "$(dirname "$0")"
node=${NODE:-node}
[ "$("$node" -p 'process.versions.node.split(".")[0]')" = 20 ] || { echo "needs Node 20 (set NODE)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && "$node" --track-heap-objects -e '
function makeOrder(i) { return { id: i, items: [i, i + 1], note: "order " + i }; }
function makeOrders(n) { const out = []; for (let i = 0; i < n; i++) out.push(makeOrder(i)); return out; }
globalThis.kept = makeOrders(500);
require("v8").writeHeapSnapshot("s.heapsnapshot");')
gzip -n -9 < "$tmp/s.heapsnapshot" > node20-track.heapsnapshot.gz
