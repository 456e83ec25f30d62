#!/usr/bin/env bash
# Shared by the infra scripts: paths and logging. Runtime state lives in .local/ (git-ignored).
set -euo pipefail
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLACEMENTS_ROOT="$(cd "$INFRA_DIR/.." && pwd)"
LOCAL_DIR="${PLACEMENTS_LOCAL_DIR:-$PLACEMENTS_ROOT/.local}"
mkdir -p "$LOCAL_DIR"

infra_log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
infra_fail() { infra_log "error: $*"; exit 1; }

# Waits until a TCP port accepts connections, up to $2 seconds.
wait_for_port() { # <host> <port> <seconds>
  local host="$1" port="$2" seconds="$3" i
  for ((i = 0; i < seconds * 4; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
