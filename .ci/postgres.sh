#!/usr/bin/env bash
# Install (from Debian packages), start and prepare a PostgreSQL server for the tests.
# Prints the export line for TEST_POSTGRES_URL on its last line of stdout.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi

port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -p $port" && break
  sleep 1
done

su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'composure_test') THEN
    CREATE ROLE composure_test LOGIN CREATEDB PASSWORD 'composure_test';
  END IF;
  -- The role the app runs as when migrations run as composure_test (tests/test_audit_chain.py):
  -- it owns nothing, so it cannot alter the audit tables or switch off their triggers.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'composure_app') THEN
    CREATE ROLE composure_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'composure_app';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE composure_test OWNER composure_test'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'composure_test')\gexec
SQL

echo "export TEST_POSTGRES_URL=postgresql+psycopg://composure_test:composure_test@127.0.0.1:${port}/composure_test"
