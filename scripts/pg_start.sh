#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on loopback for the tests and print its URL.
# Usage: scripts/pg_start.sh [DATA_DIR] [PORT]   (installs Debian's postgresql if it is missing)
set -euo pipefail
DATA_DIR=${1:-${TMPDIR:-/tmp}/crmlab-pg}
PORT=${2:-auto}
if [ "$PORT" = "auto" ]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
BIN=$(find_bin || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "installing PostgreSQL (Debian package postgresql)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN=$(find_bin)
fi
RUN_AS=()
if [ "$(id -u)" = "0" ]; then RUN_AS=(runuser -u postgres --); fi
mkdir -p "$DATA_DIR"
[ "$(id -u)" = "0" ] && chown -R postgres:postgres "$DATA_DIR"
if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
  "${RUN_AS[@]}" "$BIN/initdb" -D "$DATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $PORT -k $DATA_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
fi
for _ in $(seq 1 30); do "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
psql_() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='crmlab'" | grep -q 1 || \
  psql_ -c "CREATE ROLE crmlab LOGIN SUPERUSER PASSWORD 'crmlab'"
psql_ -c "SELECT 1 FROM pg_database WHERE datname='crmlab'" | grep -q 1 || psql_ -c "CREATE DATABASE crmlab OWNER crmlab"
echo "postgresql+psycopg://crmlab:crmlab@127.0.0.1:$PORT/crmlab"
