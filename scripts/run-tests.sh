#!/usr/bin/env bash
# Runs the whole suite: starts a throwaway PostgreSQL on loopback for the store tests, then pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
pg_started=0
if [ -z "${FRONTWATCH_TEST_PG_DSN:-}" ] && [ -x scripts/pg-test-server.sh ]; then
  if dsn=$(bash scripts/pg-test-server.sh start); then
    export FRONTWATCH_TEST_PG_DSN="$dsn"
    pg_started=1
  else
    echo "could not start the test PostgreSQL server" >&2
  fi
fi
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
status=$?
[ "$pg_started" = 1 ] && bash scripts/pg-test-server.sh stop >/dev/null 2>&1
exit $status
