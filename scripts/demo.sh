#!/usr/bin/env bash
# GetBizUsage for the last three full days (UTC), printed as a table.
# Without credentials it queries the project's emulator on a free loopback port;
# with ZEGO_APP_ID and ZEGO_SERVER_SECRET set it queries the real service.
set -euo pipefail
cd "$(dirname "$0")/.."

start="$(date -u -d '3 days ago' +%Y%m%d)"
end="$(date -u -d '1 day ago' +%Y%m%d)"
args=(biz-usage --start "$start" --end "$end" --metrics publish_count,play_count)

if [ -n "${ZEGO_APP_ID:-}" ] && [ -n "${ZEGO_SERVER_SECRET:-}" ]; then
  echo "GetBizUsage $start..$end for AppId $ZEGO_APP_ID, from the ZEGO service"
  exec node pkg/bin/zego-analytics.mjs "${args[@]}" ${ZEGO_REGION:+--region "$ZEGO_REGION"}
fi

# The emulator's built-in demo app (see tests/emulator/README.md).
export ZEGO_APP_ID=1234567890
export ZEGO_SERVER_SECRET=5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4
tests/with-emulator.sh bash -c '
  echo "GetBizUsage $1..$2 for the demo app, from the local emulator at $ZEGO_EMULATOR_URL"
  shift 2
  node pkg/bin/zego-analytics.mjs "$@" --endpoint "$ZEGO_EMULATOR_URL"
' demo "$start" "$end" "${args[@]}"
