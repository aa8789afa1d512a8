#!/usr/bin/env bash
# usage: npm-pack.sh PACKAGE@VERSION DIR
# Unpacks the npm registry tarball of PACKAGE@VERSION (`npm pack`) into DIR
# (DIR/package/...), replacing DIR only once the tarball is fully unpacked.
# Shared by get-node.sh and get-deno.sh, whose runtimes ship as npm packages.
set -euo pipefail
spec=${1:?usage: npm-pack.sh PACKAGE@VERSION DIR}
dir=${2:?usage: npm-pack.sh PACKAGE@VERSION DIR}
parent=$(dirname "$dir")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.tmp-$(basename "$dir").XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "npm-pack.sh: npm pack $spec -> $dir" >&2
tgz=$(cd "$tmp" && npm pack --silent "$spec" | tail -n 1)
mkdir -p "$tmp/x"
tar -xzf "$tmp/$tgz" -C "$tmp/x"
rm -rf "$dir"
mv "$tmp/x" "$dir"
