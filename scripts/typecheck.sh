#!/usr/bin/env bash
# Type-checks every runtime's project on its own, so one runtime's globals never leak into another's.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for project in tsconfig.shared.json tsconfig.node.json tsconfig.preload.json tsconfig.web.json signer-server/tsconfig.json tsconfig.test.json; do
  echo "tsc -p $project"
  npx tsc -p "$project" || status=1
done
exit $status
