#!/usr/bin/env bash
# Starts (or reuses) a throwaway PostgreSQL cluster on 127.0.0.1 for the tests, installing
# Debian's PostgreSQL first when it is missing. Prints the Npgsql connection string on stdout.
#   scripts/postgres-test-cluster.sh start   # idempotent
#   scripts/postgres-test-cluster.sh stop
# Settings: CRDTSYNC_PG_DIR (default /tmp/crdtsync-pg), CRDTSYNC_PG_PORT (default 55432).
set -euo pipefail
dir="${CRDTSYNC_PG_DIR:-/tmp/crdtsync-pg}"
port="${CRDTSYNC_PG_PORT:-55432}"
user=crdtsync
password=crdtsync-test

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_owner() {
  # initdb and postgres refuse to run as root: run them as the 'postgres' system user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_postgres() {
  if [ -z "$(find_bin)" ]; then
    echo "installing PostgreSQL from Debian's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    else sudo apt-get update -qq >&2 && sudo apt-get install -y -qq postgresql >&2; fi
  fi
}

start() {
  install_postgres
  local bin; bin="$(find_bin)"
  if [ "$(id -u)" = 0 ]; then mkdir -p "$dir" && chown postgres:postgres "$dir"; else mkdir -p "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    local pwfile="$dir/pwfile"
    echo "$password" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >"$dir/initdb.log" 2>&1
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on" start >&2
  fi
  echo "Host=127.0.0.1;Port=$port;Username=$user;Password=$password;Database=postgres;Pooling=true"
}

stop() {
  local bin; bin="$(find_bin)"
  [ -n "$bin" ] && [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
