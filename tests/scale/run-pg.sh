#!/usr/bin/env bash
# Runs scripts/test-scale.ts or scripts/test-faults.ts on PostgreSQL (127.0.0.1, role app/app):
# starts Debian's cluster when needed, generates the Prisma client for PostgreSQL for the run and
# the SQLite one again afterwards, as scripts/pg-bench.sh does. The generated client is shared by
# the whole checkout: do not run this while someone runs the SQLite tests in the same checkout.
#   bash tests/scale/run-pg.sh scale [--orders 10000 ...]
#   bash tests/scale/run-pg.sh faults [--kills 5 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:?usage: run-pg.sh scale|faults [args]}
shift
case "$which" in
  scale | faults) ;;
  *) echo "usage: run-pg.sh scale|faults [args]" >&2; exit 2 ;;
esac
source scripts/pg-start.sh
# Each run creates (and drops) its own database; this one is only used to connect to the server.
export DATABASE_URL="$PG_BASE_URL/app_dev"
restore() { env -u DATABASE_URL npx prisma generate >/dev/null 2>&1; }
trap restore EXIT
npx prisma generate >/dev/null
npx tsx "scripts/test-$which.ts" "$@"
