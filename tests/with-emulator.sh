#!/usr/bin/env bash
# Runs a command with the project's emulator listening on a free loopback port.
# The command sees the emulator's base URL in ZEGO_EMULATOR_URL.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp)"
node "$here/emulator/server.mjs" --port 0 --no-rate-limit --quiet > "$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT

url=""
for _ in $(seq 1 100); do
  url="$(head -n 1 "$out")"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "the emulator did not start" >&2; exit 1; }
  sleep 0.05
done
[ -n "$url" ] || { echo "the emulator printed no URL" >&2; exit 1; }

ZEGO_EMULATOR_URL="$url" "$@"
