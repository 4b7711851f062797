#!/usr/bin/env bash
# Type-checks every runtime's project on its own (tsconfig.json references one per runtime), so one
# runtime's globals never leak into another's; the same build editors use through tsconfig.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -b tsconfig.json
