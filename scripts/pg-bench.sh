#!/usr/bin/env bash
# The PostgreSQL parts of `npm run bench`: the webhook ack, order-to-TikTok latency, the
# touchpoint scale figures, the spend sync at scale and storage per order (the rest runs on SQLite). Arguments (e.g. --seconds=10) pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-start.sh
su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS app_bench WITH (FORCE)' -c 'CREATE DATABASE app_bench OWNER app'"
export BENCH_PG_URL="$PG_BASE_URL/app_bench"
restore() { npx prisma generate >/dev/null 2>&1; }
trap restore EXIT
DATABASE_URL="$BENCH_PG_URL" npx prisma generate >/dev/null
npx tsx bench/run.ts webhooks-pg latency-pg scale-pg spend-scale-pg order-storage-pg "$@"
