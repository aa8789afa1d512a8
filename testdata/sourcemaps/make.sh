#!/usr/bin/env bash
# Rebuilds the TypeScript source-map fixture and its four snapshots:
#   dist/*.js, dist/*.js.map   tsc (src/*.ts, tsconfig.json), maps next to the scripts
#   bundle/main.js             esbuild bundle of src/main.ts with an inline data: map
#   indexmap/main.js, .js.map  dist/*.js concatenated, with an index map (sections),
#                              by make-indexmap.js
#   snapshots/tsc.heapsnapshot.gz        node dist/main.js, run from $STAGE
#   snapshots/container.heapsnapshot.gz  node dist/main.js, run from /app (paths
#                                        /app/dist/...; /app is created for the run
#                                        and removed, so only --source-maps DIR finds
#                                        the maps)
#   snapshots/bundle.heapsnapshot.gz     node bundle/main.js, run from $STAGE
#   snapshots/indexmap.heapsnapshot.gz   node indexmap/main.js, run from $STAGE
#   snapshots/tracked.heapsnapshot.gz    node --track-heap-objects dist/main.js, run
#                                        from /app like container: allocation stacks
#                                        whose frames resolve only through
#                                        --source-maps DIR
# then checks resolved.tsv (written by `go test ./internal/sources -update`)
# against Mozilla's source-map library (check.js).
#
# usage: ./make.sh [build] [snapshots] [tracked] [check]   (default: build snapshots check;
# snapshots includes tracked)
# Needs Node 20 on PATH (or NODE=/path/to/node20) and npm; snapshots needs root
# (it creates /app) and refuses to run if /app exists.
# Env: STAGE (default /tmp/heapsnap-sourcemaps): where the programs run from; it
# is deleted afterwards, so that the tests cannot find the maps next to the
# staged scripts by accident.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(build snapshots check)
node=${NODE:-node}
stage=${STAGE:-/tmp/heapsnap-sourcemaps}
work=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-sourcemaps-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
seeds=(--hash-seed=1 --random-seed=1)

tools() {  # installs the pinned compilers once into $work
  [ -d "$work/node_modules" ] && return
  cp package.json package-lock.json "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
}

build() {
  tools
  rm -rf "$work/src" dist bundle indexmap
  cp -r src tsconfig.json "$work/"
  (cd "$work" && ./node_modules/.bin/tsc -p . \
    && ./node_modules/.bin/esbuild src/main.ts --bundle --platform=node --format=cjs \
         --target=node20 --sourcemap=inline --log-level=warning --outfile=bundle/main.js \
    && "$node" "$here/make-indexmap.js" dist indexmap)
  cp -r "$work/dist" "$work/bundle" "$work/indexmap" .
  echo "built dist/ bundle/ indexmap/"
}

snap() {  # DIR SCRIPT NAME [NODE FLAGS]: run SCRIPT from DIR, gzip the snapshot to snapshots/NAME
  (cd "$1" && "$node" --no-warnings "${seeds[@]}" "${@:4}" "$2" "$work/$3.heapsnapshot")
  gzip -n -9 -c "$work/$3.heapsnapshot" > "snapshots/$3.heapsnapshot.gz"
  echo "wrote snapshots/$3.heapsnapshot.gz ($(stat -c %s "snapshots/$3.heapsnapshot.gz") bytes)"
}

need_node20_and_app() {
  local v
  v=$("$node" -p 'process.versions.node')
  case $v in 20.*) ;; *) echo "make.sh: need Node 20 (got $v); set NODE=/path/to/node20" >&2; exit 1;; esac
  [ ! -e /app ] || { echo "make.sh: /app exists; the container snapshots need to create and remove it" >&2; exit 1; }
}

tracked() {
  need_node20_and_app
  mkdir -p snapshots /app
  cp -r dist /app/
  snap /app dist/main.js tracked --track-heap-objects
  rm -rf /app
}

snapshots() {
  need_node20_and_app
  mkdir -p snapshots
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r dist bundle indexmap "$stage/"
  snap "$stage" dist/main.js tsc
  snap "$stage" bundle/main.js bundle
  snap "$stage" indexmap/main.js indexmap
  rm -rf "$stage"
  mkdir /app
  cp -r dist /app/
  snap /app dist/main.js container
  rm -rf /app
  tracked
  printf 'node %s, v8 %s\n' "$("$node" -p process.version)" "$("$node" -p process.versions.v8)" > snapshots/producer.txt
}

check() {
  tools
  NODE_PATH="$work/node_modules" "$node" check.js resolved.tsv
}

for w in "${what[@]}"; do
  case $w in
    build) build;;
    snapshots) snapshots;;
    tracked) tracked;;
    check) check;;
    *) echo "make.sh: unknown part '$w' (build|snapshots|tracked|check)" >&2; exit 2;;
  esac
done
