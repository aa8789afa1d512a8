#!/usr/bin/env bash
# usage: oracle-goldens.sh DIR [NAME...]
#
# (Re)writes the DevTools-oracle golden files for every NAME.heapsnapshot.gz and
# NAME.heapsnapshot in DIR (or only for the given NAMEs):
#   NAME.nodes.tsv.gz      per-node TSV            (run.mjs --out)
#   NAME.classes.tsv.gz    Summary view rows       (run.mjs --classes)
#   NAME.summary.json      totals/statistics/rows  (run.mjs --json)
#   NAME.retainers.tsv.gz  Retainers-view order    (run.mjs --retainers-dump --sample 2000)
# The .gz files are written with `gzip -n -9`, so they are byte-for-byte
# reproducible. Each snapshot is first decompressed/copied into a temp dir and
# the oracle is run there on the bare file name, so the "snapshot" field of
# NAME.summary.json is just "NAME.heapsnapshot".
#
# The oracle (shared/devtools-oracle, with `npm ci` done) is taken from
# $HEAPSNAP_ORACLE (default /tmp/devtools-oracle). $HEAPSNAP_ORACLE_NODE_FLAGS is
# passed to node (e.g. --max-old-space-size=16000 for big snapshots).
set -euo pipefail
dir=${1:?usage: oracle-goldens.sh DIR [NAME...]}
shift
oracle=${HEAPSNAP_ORACLE:-/tmp/devtools-oracle}
if [ ! -f "$oracle/run.mjs" ] || [ ! -d "$oracle/node_modules/chrome-devtools-frontend" ]; then
  echo "oracle-goldens.sh: no installed oracle at $oracle (set HEAPSNAP_ORACLE;" \
       "cp -r shared/devtools-oracle /tmp/devtools-oracle && (cd /tmp/devtools-oracle && npm ci))" >&2
  exit 1
fi
dir=$(cd "$dir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heapsnap-goldens.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  shopt -s nullglob
  for f in "$dir"/*.heapsnapshot.gz "$dir"/*.heapsnapshot; do
    b=$(basename "$f"); names+=("${b%%.heapsnapshot*}")
  done
  shopt -u nullglob
fi
[ ${#names[@]} -gt 0 ] || { echo "oracle-goldens.sh: no *.heapsnapshot(.gz) in $dir" >&2; exit 1; }

status=0
for name in "${names[@]}"; do
  snap=$name.heapsnapshot
  if [ -f "$dir/$snap.gz" ]; then
    gzip -dc "$dir/$snap.gz" > "$tmp/$snap"
  elif [ -f "$dir/$snap" ]; then
    cp "$dir/$snap" "$tmp/$snap"
  else
    echo "oracle-goldens.sh: no $snap(.gz) in $dir" >&2; status=1; continue
  fi
  # shellcheck disable=SC2086
  if ! (cd "$tmp" && node ${HEAPSNAP_ORACLE_NODE_FLAGS:-} "$oracle/run.mjs" "$snap" \
          --out "$name.nodes.tsv" --classes "$name.classes.tsv" --json "$name.summary.json" \
          --retainers-dump "$name.retainers.tsv" --sample 2000 --top 0 > "$name.stdout" 2> "$name.stderr"); then
    echo "oracle-goldens.sh: oracle FAILED on $snap:" >&2
    tail -20 "$tmp/$name.stderr" >&2
    status=1; continue
  fi
  # Expected stderr: "[oracle] loaded ...", "[oracle] wrote ..." and DevTools'
  # "N nodes are unreachable" / "Still found N unreachable nodes" reports.
  if grep -v '^\[oracle\] \(loaded\|wrote\|DevTools reported: Heap snapshot: \|  \)' "$tmp/$name.stderr" | grep -q .; then
    echo "oracle-goldens.sh: warning: unexpected oracle stderr for $snap:" >&2; cat "$tmp/$name.stderr" >&2
  fi
  for k in nodes classes retainers; do
    gzip -n -9 -c "$tmp/$name.$k.tsv" > "$dir/$name.$k.tsv.gz"
  done
  cp "$tmp/$name.summary.json" "$dir/$name.summary.json"
  unreachable=$(grep -o '[0-9]* nodes are unreachable\|Still found [0-9]* unreachable nodes' "$tmp/$name.stderr" | tr '\n' ';' || true)
  echo "$name: $(grep -E '^(nodes|edges|total_size):' "$tmp/$name.stdout" | sed 's/ *(.*//' | tr '\n' ' ')${unreachable:+ [$unreachable]}"
  rm -f "$tmp/$name".*
done
exit $status
