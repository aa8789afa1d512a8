#!/usr/bin/env bash
# Regenerates every leak-scenario snapshot in snapshots/ and its goldens:
#   snapshots/NAME.heapsnapshot.gz   the snapshot (gzip -n -9)
#   snapshots/NAME.facts.json        lib/facts.js: listeners, owner paths, source
#                                    locations, counts, collection sizes
#   snapshots/NAME.classes.tsv.gz    DevTools oracle Summary rows   (run.mjs --classes)
#   snapshots/NAME.summary.json      DevTools oracle totals/classes (run.mjs --json)
#   snapshots/NAME.nodes.tsv.gz      DevTools oracle per-node rows  (run.mjs --out), only
#                                    for the snapshots in $NODES_GOLDENS (see below)
#   snapshots/A-to-B.diff.tsv.gz     DevTools oracle Comparison of B against base A
#                                    (run.mjs B --diff A --diff-out)
# then checks the numbers stated in README.md (lib/check.js).
#
# usage: ./make.sh [node] [chromium] [goldens]     (default: all three)
#   node      the Node.js scenarios (needs Node 20 on PATH, or NODE=/path/to/node)
#   chromium  chromium/detached-dom.html in headless Chromium
#             (apt-get install -y chromium, or CHROMIUM=/path/to/chromium)
#   goldens   oracle goldens + facts + README checks for every snapshot present
# Env: HEAPSNAP_ORACLE (default /tmp/devtools-oracle, with `npm ci` done),
#      HEAPSNAP_SCENARIO_STAGE (default /tmp/heapsnap-scenarios),
#      NODES_GOLDENS: snapshots that get a committed NAME.nodes.tsv.gz (default: one
#        per scenario, to keep the directory small: incident-leak abort-leak big-map
#        growth-4 detached-dom); NODES_GOLDENS=all writes it for every snapshot.
#
# The programs are copied to $HEAPSNAP_SCENARIO_STAGE and run from there, so the
# script names inside the snapshots do not depend on where this checkout lives:
# e.g. /tmp/heapsnap-scenarios/incident/src/data-processor.js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(node chromium goldens)
node=${NODE:-node}
oracle=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
stage=${HEAPSNAP_SCENARIO_STAGE:-/tmp/heapsnap-scenarios}
nodes_goldens=${NODES_GOLDENS:-incident-leak abort-leak big-map growth-4 detached-dom}
out=$here/snapshots
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-scenarios-work.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# V8 flags that make reruns closer to identical (they are never byte-identical).
seeds=(--hash-seed=1 --random-seed=1)

put() {  # NAME: gzip $tmp/NAME.heapsnapshot into snapshots/NAME.heapsnapshot.gz
  gzip -n -9 -c "$tmp/$1.heapsnapshot" > "$out/$1.heapsnapshot.gz"
  echo "wrote snapshots/$1.heapsnapshot.gz ($(stat -c %s "$tmp/$1.heapsnapshot") bytes raw, $(stat -c %s "$out/$1.heapsnapshot.gz") gzip'ed)"
}

stage_copy() {
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r incident abort bigmap growth chromium "$stage/"
}

run_node() {
  local v
  v=$("$node" -p 'process.versions.node')
  case $v in 20.*) ;; *) echo "make.sh: need Node 20 (got $v); set NODE=/path/to/node20" >&2; exit 1;; esac
  stage_copy
  (cd "$stage/incident" && "$node" --no-warnings "${seeds[@]}" data-processor.js "$tmp/incident-leak.heapsnapshot")
  put incident-leak
  (cd "$stage/incident" && "$node" --no-warnings "${seeds[@]}" data-processor-fixed.js "$tmp/incident-fixed.heapsnapshot")
  put incident-fixed
  (cd "$stage/abort" && "$node" --no-warnings "${seeds[@]}" abort-leak.js "$tmp/abort-leak.heapsnapshot")
  put abort-leak
  (cd "$stage/bigmap" && "$node" "${seeds[@]}" big-map.js "$tmp/big-map.heapsnapshot")
  put big-map
  (cd "$stage/growth" && "$node" --expose-gc "${seeds[@]}" growth.js "$tmp/growth")
  for i in 1 2 3 4; do put "growth-$i"; done
  (cd "$stage/growth" && "$node" --expose-gc "${seeds[@]}" stable.js "$tmp/stable")
  for i in 1 2 3; do put "stable-$i"; done
  printf 'node\t%s\tv8 %s\n' "$("$node" -p process.version)" "$("$node" -p process.versions.v8)" > "$tmp/producer-node"
  merge_producers node
}

run_chromium() {
  stage_copy
  local flags=()
  if [ "$("$node" -p 'typeof WebSocket')" != function ]; then flags=(--experimental-websocket); fi
  "$node" --no-warnings "${flags[@]}" "$here/../tools/chromium-snapshot.mjs" "$stage/chromium/detached-dom.html" "$tmp/detached-dom.heapsnapshot" > "$tmp/chromium.json"
  put detached-dom
  printf 'chromium\t%s (Debian chromium %s)\tv8 %s\n' \
    "$("$node" -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).product' "$tmp/chromium.json")" \
    "$(dpkg-query -W -f '${Version}' chromium 2>/dev/null || echo '?')" \
    "$("$node" -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).jsVersion' "$tmp/chromium.json")" > "$tmp/producer-chromium"
  merge_producers chromium
}

merge_producers() {  # KIND: replace that row of snapshots/producers.tsv
  touch "$out/producers.tsv"
  { grep -v -P "^$1\t" "$out/producers.tsv" || true; cat "$tmp/producer-$1"; } | sort > "$tmp/p.tsv"
  mv "$tmp/p.tsv" "$out/producers.tsv"
}

# Extra lib/facts.js arguments per snapshot.
facts_args() {
  case $1 in
    growth-*|stable-*) echo "--count LeakedRecord,TempBuffer,onData --collection leakedRecords --collection app.bus";;
    big-map) echo "--count Session,HistoryEntry --collection cache.sessions --collection cache.active --collection cache.history --collection cache.byEmail --collection cache.banners --collection cache.format";;
    abort-leak) echo "--count RequestContext,onAbort,Listener --collection shutdown --collection perRequest";;
    incident-*) echo "--count DataProcessor --collection processor --collection processor.emitter";;
    detached-dom) echo "--count onPanelClick,onOpenClick --collection leakedPanels";;
    *) echo "";;
  esac
}

oracle_run() {  # ARGS...: run the DevTools oracle quietly, in $tmp/o
  (cd "$tmp/o" && "$node" --max-old-space-size=4096 "$oracle/run.mjs" "$@" --quiet > /dev/null)
}

run_goldens() {
  if [ ! -f "$oracle/run.mjs" ] || [ ! -d "$oracle/node_modules/chrome-devtools-frontend" ]; then
    echo "make.sh: no installed DevTools oracle at $oracle (set HEAPSNAP_ORACLE)" >&2; exit 1
  fi
  mkdir -p "$tmp/o"
  local names=() f b
  for f in "$out"/*.heapsnapshot.gz; do b=$(basename "$f"); names+=("${b%.heapsnapshot.gz}"); done
  for name in "${names[@]}"; do
    # The oracle runs on the bare file name so that summary.json says "NAME.heapsnapshot".
    gzip -dc "$out/$name.heapsnapshot.gz" > "$tmp/o/$name.heapsnapshot"
    oracle_run "$name.heapsnapshot" --out "$name.nodes.tsv" --classes "$name.classes.tsv" --json "$name.summary.json"
    if [ "$nodes_goldens" = all ] || [[ " $nodes_goldens " == *" $name "* ]]; then
      gzip -n -9 -c "$tmp/o/$name.nodes.tsv" > "$out/$name.nodes.tsv.gz"
    else
      rm -f "$out/$name.nodes.tsv.gz"
    fi
    gzip -n -9 -c "$tmp/o/$name.classes.tsv" > "$out/$name.classes.tsv.gz"
    cp "$tmp/o/$name.summary.json" "$out/$name.summary.json"
    # shellcheck disable=SC2046
    "$node" lib/facts.js "$tmp/o/$name.heapsnapshot" --oracle-nodes "$tmp/o/$name.nodes.tsv" $(facts_args "$name") > "$out/$name.facts.json"
    echo "goldens: $name"
  done
  local pair base cur
  for pair in growth-1:growth-2 growth-3:growth-4 stable-1:stable-2; do
    base=${pair%%:*} cur=${pair##*:}
    [ -f "$tmp/o/$base.heapsnapshot" ] && [ -f "$tmp/o/$cur.heapsnapshot" ] || continue
    oracle_run "$cur.heapsnapshot" --out /dev/null --diff "$base.heapsnapshot" --diff-out "$base-to-${cur##*-}.diff.tsv"
    gzip -n -9 -c "$tmp/o/$base-to-${cur##*-}.diff.tsv" > "$out/$base-to-${cur##*-}.diff.tsv.gz"
    echo "goldens: $base-to-${cur##*-}.diff.tsv.gz"
  done
  "$node" lib/check.js "$out"
}

for w in "${what[@]}"; do
  case $w in
    node) run_node;;
    chromium) run_chromium;;
    goldens) run_goldens;;
    *) echo "make.sh: unknown part '$w' (node|chromium|goldens)" >&2; exit 2;;
  esac
done
du -sh "$out"
