#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests: loopback only, data under .pgtest/, random password.
# Usage: pg-test-server.sh start   -> prints the DSN on stdout (nothing else); idempotent
#        pg-test-server.sh stop    -> stops the server and deletes its data
#        pg-test-server.sh status  -> prints the DSN if running, exit 1 otherwise
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$PWD/.pgtest"          # gitignored; holds the DSN and where the data directory lives
DB_NAME=frontwatch_test
DB_USER=frontwatch

log() { echo "pg-test-server: $*" >&2; }

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  local d
  # Newest Debian PostgreSQL first (/usr/lib/postgresql/<major>/bin).
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  log "no PostgreSQL server binaries (initdb, pg_ctl) found; install them: apt-get install -y postgresql"
  exit 1
}

# initdb refuses to run as root: when root, run the server as an unprivileged user.
RUN_USER=""
as_user() {
  if [ -z "$RUN_USER" ]; then "$@"; return; fi
  if command -v runuser >/dev/null 2>&1; then runuser -u "$RUN_USER" -- "$@"
  else su "$RUN_USER" -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}
pick_user() {
  [ "$(id -u)" -ne 0 ] && return
  if id -u postgres >/dev/null 2>&1; then RUN_USER=postgres; return; fi
  if ! id -u frontwatch-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin frontwatch-pg
  fi
  RUN_USER=frontwatch-pg
}

free_port() {
  local py
  for py in .venv/bin/python python3 python; do
    if command -v "$py" >/dev/null 2>&1; then
      "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
      return
    fi
  done
  echo $((20000 + RANDOM % 20000))
}

datadir() { cat "$STATE/location" 2>/dev/null || true; }

running() {
  local dd; dd=$(datadir)
  [ -n "$dd" ] && [ -f "$dd/data/postmaster.pid" ] && [ -f "$STATE/dsn" ] || return 1
  as_user "$BINDIR/pg_ctl" -D "$dd/data" status >/dev/null 2>&1
}

start() {
  if running; then cat "$STATE/dsn"; return; fi
  stop_quietly
  mkdir -p "$STATE"
  # The data directory lives in the checkout when the server's user can reach it; a checkout
  # under a private home (e.g. /root) is not reachable, so fall back to a private temp dir.
  local dd="$STATE/server"
  mkdir -p "$dd"
  if [ -n "$RUN_USER" ]; then
    chown "$RUN_USER" "$dd"
    if ! as_user test -w "$dd"; then
      rmdir "$dd"
      dd=$(mktemp -d /tmp/frontwatch-pgtest.XXXXXX)
      chown "$RUN_USER" "$dd"
    fi
  fi
  echo "$dd" >"$STATE/location"
  chmod 700 "$dd"
  local pw port
  pw=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  port=$(free_port)
  printf '%s\n' "$pw" >"$dd/pwfile"
  [ -n "$RUN_USER" ] && chown "$RUN_USER" "$dd/pwfile"
  as_user "$BINDIR/initdb" -D "$dd/data" -U "$DB_USER" --pwfile="$dd/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$dd/initdb.log" 2>&1 || { log "initdb failed:"; cat "$dd/initdb.log" >&2; exit 1; }
  rm -f "$dd/pwfile"
  # Loopback only, socket in the data dir; durability off because the data is thrown away.
  as_user "$BINDIR/pg_ctl" -D "$dd/data" -l "$dd/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dd -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >/dev/null 2>&1 || { log "server did not start:"; tail -n 20 "$dd/server.log" >&2; exit 1; }
  PGPASSWORD="$pw" "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME" \
    || { log "createdb failed"; exit 1; }
  local dsn="postgresql://$DB_USER:$pw@127.0.0.1:$port/$DB_NAME"
  (umask 077; echo "$dsn" >"$STATE/dsn")
  log "PostgreSQL $("$BINDIR/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dd/data"
  echo "$dsn"
}

stop_quietly() {
  local dd; dd=$(datadir)
  if [ -n "$dd" ] && [ -d "$dd/data" ]; then
    as_user "$BINDIR/pg_ctl" -D "$dd/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$dd" ] && [ -d "$dd" ]; then rm -rf "$dd"; fi
  rm -f "$STATE/dsn" "$STATE/location"
}

BINDIR=$(find_bindir)
pick_user
case "${1:-start}" in
  start) start ;;
  stop) stop_quietly; log "stopped" ;;
  status) if running; then cat "$STATE/dsn"; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
