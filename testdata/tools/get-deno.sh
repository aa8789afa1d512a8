#!/usr/bin/env bash
# usage: get-deno.sh [VERSION]
# Prints the path of a `deno` binary (default VERSION: 2, i.e. the newest 2.x).
# Deno ships its Linux binary in the npm package @deno/linux-x64-glibc (the
# `deno` package only picks the platform package as an optional dependency),
# so the binary is fetched with `npm pack @deno/linux-x64-glibc@VERSION`
# (npm-pack.sh) once
# into a cache dir
#   ${HEAPSNAP_DENO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapsnap-deno}/VERSION
# and reused afterwards, the way get-node.sh does it for Node.
# Everything except the final path goes to stderr.
set -euo pipefail
version=${1:-2}
case $version in *[!0-9.]*|'') echo "get-deno.sh: VERSION must look like 2 or 2.9.6, got '$version'" >&2; exit 2;; esac
case $(uname -m) in
  x86_64) pkg=@deno/linux-x64-glibc;;
  aarch64) pkg=@deno/linux-arm64-glibc;;
  *) echo "get-deno.sh: no Deno npm package for $(uname -m)" >&2; exit 1;;
esac

cache=${HEAPSNAP_DENO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapsnap-deno}
dir=$cache/$version
bin=$dir/package/deno
if [ ! -x "$bin" ]; then
  "$(dirname "$0")/npm-pack.sh" "$pkg@$version" "$dir"
  [ -f "$bin" ] || { echo "get-deno.sh: no package/deno in $pkg@$version" >&2; exit 1; }
  chmod +x "$bin"
fi
got=$("$bin" --version | head -n 1 | cut -d" " -f1-2)
case $version in
  *.*.*) [ "$got" = "deno $version" ] || { echo "get-deno.sh: $bin is '$got', not deno $version" >&2; exit 1; };;
  *) case "$got " in "deno $version."*) ;; *) echo "get-deno.sh: $bin is '$got', not deno $version.x" >&2; exit 1;; esac;;
esac
echo "$bin"
