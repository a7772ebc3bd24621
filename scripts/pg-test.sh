#!/usr/bin/env bash
# Runs the database-dependent test suite against PostgreSQL on 127.0.0.1 (Debian's cluster).
# The generated Prisma client is provider-specific: generate the PostgreSQL one for the run and
# put the SQLite one back afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-start.sh

export TEST_DATABASE_URL="$PG_BASE_URL/app_dev"
restore() { npx prisma generate >/dev/null 2>&1; }
trap restore EXIT
DATABASE_URL="$TEST_DATABASE_URL" npx prisma generate >/dev/null
npx vitest run --project db "$@"
