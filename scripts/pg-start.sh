#!/usr/bin/env bash
# Starts Debian's PostgreSQL on 127.0.0.1 (installing it when missing) and makes sure the
# role app/app (CREATEDB) and the database app_dev exist. Sourced by pg-test.sh and pg-bench.sh.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
# shellcheck disable=SC2086
pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='app'\"" | grep -q 1 ||
  su postgres -c "psql -q -c \"CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='app_dev'\"" | grep -q 1 ||
  su postgres -c "psql -q -c 'CREATE DATABASE app_dev OWNER app'"
# Test cleanup drops databases WITH (FORCE), which must be able to end any session on them
# (an autovacuum worker runs as the superuser).
su postgres -c "psql -q -c 'GRANT pg_signal_backend TO app'"
export PG_BASE_URL="postgresql://app:app@127.0.0.1:5432"
