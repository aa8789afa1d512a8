#!/usr/bin/env bash
# Regenerates the leak snapshots in snapshots/ and their ground truth:
#   snapshots/NAME.heapsnapshot.gz  the snapshot (gzip -n -9)
#   snapshots/NAME.facts.json       lib/facts.js: every leak of the program, measured
#                                   in the snapshot, with DevTools' retained sizes
#                                   (oracle run.mjs --out), and the heap's inventory
#   snapshots/producers.tsv         which runtime wrote each snapshot
# then checks them (lib/check.js) and rewrites the generated tables of README.md.
#
# usage: ./make.sh [node] [chromium] [deno] [series] [goldens]   (default: all)
#   node      node/main.js with every Node shape, leak on $LEAK_MAJORS, fixed on
#             $FIXED_MAJORS (Node 20 on PATH, others from ../tools/get-node.sh)
#   chromium  chromium/{leak,fixed}/app.js in headless Chromium
#             (apt-get install -y chromium, or CHROMIUM=/path/to/chromium)
#   deno      deno/main.js {leak,fixed} (../tools/get-deno.sh $DENO_VERSION)
#   series    node/series.js: node20-series-{1,2,3}, one process leaking a little
#             more at every step (timers, EventTarget listeners, a Map), for diff
#   goldens   oracle + facts for every snapshot present, then lib/check.js
# Env: LEAK_MAJORS (default "20 22 24 26"), FIXED_MAJORS (default "20 26"),
#      DENO_VERSION (default 2.9.6), HEAPSNAP_ORACLE (default /tmp/devtools-oracle,
#      with `npm ci` done).
#
# The programs are copied to /tmp/heapsnap-leaks (HEAPSNAP_LEAKS_STAGE) and run
# from there, so the script names inside the snapshots do not depend on where
# this checkout lives: /tmp/heapsnap-leaks/node/leak/timers.js,
# file:///tmp/heapsnap-leaks/chromium/leak/app.js, ...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tools=$here/../tools
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(node chromium deno series goldens)
node=${NODE:-node}
oracle=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
stage=${HEAPSNAP_LEAKS_STAGE:-/tmp/heapsnap-leaks}
leak_majors=${LEAK_MAJORS:-20 22 24 26}
fixed_majors=${FIXED_MAJORS:-20 26}
deno_version=${DENO_VERSION:-2.9.6}
node_shapes=(emitter event-target timers collections closure promises)
out=$here/snapshots
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-leaks-work.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The fixed twin of every program differs from the leaky one only in the
# lines that fix the bug: same file names, same line count.
check_twins() {
  local a b
  for a in node/leak/*.js chromium/leak/*.js deno/leak/*.js; do
    b=${a/\/leak\//\/fixed\/}
    [ -f "$b" ] || { echo "make.sh: $a has no fixed twin $b" >&2; exit 1; }
    [ "$(wc -l < "$a")" = "$(wc -l < "$b")" ] || { echo "make.sh: $a and $b differ in length" >&2; exit 1; }
  done
}

stage_copy() {
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r node deno "$stage/"
  cp -r ../scenarios/incident "$stage/"
  for v in leak fixed; do
    mkdir -p "$stage/chromium/$v"
    cp chromium/index.html "chromium/$v/app.js" "$stage/chromium/$v/"
  done
}

put() {  # NAME: gzip $tmp/NAME.heapsnapshot into snapshots/NAME.heapsnapshot.gz
  gzip -n -9 -c "$tmp/$1.heapsnapshot" > "$out/$1.heapsnapshot.gz"
  echo "wrote snapshots/$1.heapsnapshot.gz ($(stat -c %s "$tmp/$1.heapsnapshot") bytes raw, $(stat -c %s "$out/$1.heapsnapshot.gz") gzip'ed)"
}

record() {  # NAME PRODUCER V8: replace NAME's row of snapshots/producers.tsv
  touch "$out/producers.tsv"
  { grep -v -P "^(name|$1)\t" "$out/producers.tsv" || true; printf '%s\t%s\t%s\n' "$1" "$2" "$3"; } | sort > "$tmp/p.tsv"
  { printf 'name\tproducer\tv8\n'; cat "$tmp/p.tsv"; } > "$out/producers.tsv"
}

# Node flags that make reruns closer to identical (never byte-identical), and
# no warning output (which would create process.stderr in the heap; the
# `warned` markers are still set).
node_flags=(--no-warnings --hash-seed=1 --random-seed=1)

run_node() {
  local major variant bin
  for major in $leak_majors $fixed_majors; do
    bin=$("$tools/get-node.sh" "$major")
    for variant in leak fixed; do
      if [ "$variant" = leak ] && [[ " $leak_majors " != *" $major "* ]]; then continue; fi
      if [ "$variant" = fixed ] && [[ " $fixed_majors " != *" $major "* ]]; then continue; fi
      [ -f "$tmp/node$major-$variant.heapsnapshot" ] && continue
      (cd "$stage/node" && "$bin" "${node_flags[@]}" main.js "$tmp/node$major-$variant.heapsnapshot" "$variant" "${node_shapes[@]}")
      put "node$major-$variant"
      record "node$major-$variant" "node $("$bin" -p process.version)" "$("$bin" -p process.versions.v8)"
    done
  done
}

cdp_node_flags() {  # Node 20 needs --experimental-websocket for the CDP scripts
  if [ "$("$node" -p 'typeof WebSocket')" != function ]; then echo --experimental-websocket; fi
}

json_field() {  # FILE FIELD
  "$node" -p 'JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]]' "$1" "$2"
}

run_chromium() {
  local variant
  for variant in leak fixed; do
    # shellcheck disable=SC2046
    "$node" --no-warnings $(cdp_node_flags) "$tools/chromium-snapshot.mjs" "$stage/chromium/$variant/index.html" \
      "$tmp/chromium-$variant.heapsnapshot" > "$tmp/chromium-$variant.json"
    put "chromium-$variant"
    record "chromium-$variant" "$(json_field "$tmp/chromium-$variant.json" product) (Debian chromium $(dpkg-query -W -f '${Version}' chromium 2>/dev/null || echo '?'))" \
      "$(json_field "$tmp/chromium-$variant.json" jsVersion)"
  done
}

run_deno() {
  local variant deno
  deno=$("$tools/get-deno.sh" "$deno_version")
  for variant in leak fixed; do
    # shellcheck disable=SC2046
    "$node" --no-warnings $(cdp_node_flags) "$tools/deno-snapshot.mjs" "$deno" "$tmp/deno-$variant.heapsnapshot" \
      "$stage/deno/main.js" "$variant" > "$tmp/deno-$variant.json"
    put "deno-$variant"
    record "deno-$variant" "deno $(json_field "$tmp/deno-$variant.json" deno | cut -d' ' -f1)" "$(json_field "$tmp/deno-$variant.json" v8)"
  done
}

run_series() {
  local k
  (cd "$stage/node" && "$node" "${node_flags[@]}" series.js "$tmp/node20-series" 3)
  for k in 1 2 3; do
    put "node20-series-$k"
    record "node20-series-$k" "node $("$node" -p process.version)" "$("$node" -p process.versions.v8)"
  done
}

run_goldens() {
  if [ ! -f "$oracle/run.mjs" ] || [ ! -d "$oracle/node_modules/chrome-devtools-frontend" ]; then
    echo "make.sh: no installed DevTools oracle at $oracle (set HEAPSNAP_ORACLE)" >&2; exit 1
  fi
  mkdir -p "$tmp/o"
  local f name
  for f in "$out"/*.heapsnapshot.gz; do
    name=$(basename "$f" .heapsnapshot.gz)
    case $name in *-series-*) continue;; esac # no facts: the diff tests count by the program
    gzip -dc "$f" > "$tmp/o/$name.heapsnapshot"
    (cd "$tmp/o" && "$node" --max-old-space-size=4096 "$oracle/run.mjs" "$name.heapsnapshot" --out "$name.nodes.tsv" --quiet > /dev/null)
    HEAPSNAP_LEAKS_STAGE=$stage "$node" lib/facts.js "$name" "$tmp/o/$name.heapsnapshot" --oracle-nodes "$tmp/o/$name.nodes.tsv" > "$out/$name.facts.json"
    rm -f "$tmp/o/$name.heapsnapshot" "$tmp/o/$name.nodes.tsv"
    echo "goldens: $name"
  done
  "$node" lib/check.js --write-readme
}

check_twins
stage_copy
for w in "${what[@]}"; do
  case $w in
    node) run_node;;
    chromium) run_chromium;;
    deno) run_deno;;
    series) run_series;;
    goldens) run_goldens;;
    *) echo "make.sh: unknown part '$w' (node|chromium|deno|series|goldens)" >&2; exit 2;;
  esac
done
du -sh "$out"
