#!/usr/bin/env bash
# Prints shell commands that put a supported Node (>= 22) first on PATH:
#   eval "$(bash scripts/ensure-node.sh)"
# Where the machine's own Node is new enough it prints nothing that changes PATH. Where it is
# older (Node 20 is past end of life), it installs Node $NODE_VERSION from the npm registry's
# node-linux-<arch> package into a cache folder once, then points PATH and node-gyp's headers
# at it, so native modules (better-sqlite3) are compiled for the Node that will load them.
# The npm registry is the only source these machines reach; npm checks the tarball's integrity.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-$(tr -d 'v \n' < "$(dirname "$0")/../.nvmrc")}"
MIN_MAJOR=22
CACHE_ROOT="${NODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tiktok-ads-bridge/node}"

current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(current_major)" -ge "$MIN_MAJOR" ]; then
  echo "# node $(node -v) is supported; PATH unchanged"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no Node package for $(uname -m); install Node >= $MIN_MAJOR yourself" >&2; exit 1 ;;
esac
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "ensure-node: no Node package for $(uname -s); install Node >= $MIN_MAJOR yourself" >&2; exit 1 ;;
esac

dir="$CACHE_ROOT/$NODE_VERSION-$os-$arch"
if [ ! -x "$dir/bin/node" ]; then
  echo "ensure-node: installing Node $NODE_VERSION into $dir (once)" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$NODE_VERSION" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-*.tgz -C "$tmp/unpacked"
  "$tmp/unpacked/package/bin/node" -e 'process.exit(0)' \
    || { echo "ensure-node: the downloaded Node does not run on this machine" >&2; exit 1; }
  mkdir -p "$CACHE_ROOT"
  rm -rf "$dir.partial"
  mv "$tmp/unpacked/package" "$dir.partial"
  mv "$dir.partial" "$dir"   # atomic: a half-extracted folder is never taken for a Node
fi

# npm itself is JavaScript and runs on whichever node is first on PATH.
printf 'export PATH=%q:"$PATH"\n' "$dir/bin"
printf 'export npm_config_nodedir=%q\n' "$dir"
