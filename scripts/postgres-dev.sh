#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and development: initdb + pg_ctl into a temp directory,
# listening on 127.0.0.1 only, on a free port. No systemd, no system cluster touched.
#
#   eval "$(scripts/postgres-dev.sh start)"   # creates and starts one; prints export lines:
#                                             #   SLUICE_TEST_POSTGRES (an Npgsql connection string)
#                                             #   SLUICE_TEST_POSTGRES_DIR (its directory)
#   scripts/postgres-dev.sh env  [DIR]        # prints the export lines again
#   scripts/postgres-dev.sh down [DIR]        # stops the server (by its PID), keeps the data
#   scripts/postgres-dev.sh up   [DIR]        # starts it again on the same port
#   scripts/postgres-dev.sh stop [DIR]        # stops it and deletes the directory
#
# DIR defaults to $SLUICE_TEST_POSTGRES_DIR. Installs PostgreSQL from apt when it is missing. As root,
# the server runs as the 'postgres' user (PostgreSQL refuses to run as root).
set -euo pipefail

log() { echo "postgres-dev: $*" >&2; }

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

ensure_installed() {
  if find_bin >/dev/null; then
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed and apt-get is missing; install PostgreSQL 15 (initdb, pg_ctl) first"
    exit 1
  fi
  log "installing PostgreSQL from apt"
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq postgresql >/dev/null
  find_bin >/dev/null || { log "apt installed postgresql but no initdb was found under /usr/lib/postgresql"; exit 1; }
}

# Runs a command as the user that owns the cluster (never root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

dir_arg() {
  local dir="${1:-${SLUICE_TEST_POSTGRES_DIR:-}}"
  if [ -z "$dir" ] || [ ! -f "$dir/port" ]; then
    log "no throw-away cluster given: pass its directory or set SLUICE_TEST_POSTGRES_DIR (from '$0 start')"
    exit 1
  fi
  echo "$dir"
}

print_env() {
  local dir="$1" port
  port=$(cat "$dir/port")
  echo "export SLUICE_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=sluice;Password=sluice;Database=sluice'"
  echo "export SLUICE_TEST_POSTGRES_DIR='$dir'"
}

server_up() {
  local dir="$1" bin port
  bin=$(find_bin)
  port=$(cat "$dir/port")
  # -w waits until it accepts connections; the socket directory is ours, not /var/run/postgresql.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=64MB" start >/dev/null \
    || { log "the server did not start; its log:"; tail -n 20 "$dir/server.log" >&2; exit 1; }
}

server_down() {
  local dir="$1" pid
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  # Fast shutdown by the PID the server wrote: only this cluster's postmaster is signalled.
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start)
    ensure_installed
    bin=$(find_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pg.XXXXXX")
    chmod 755 "$dir"
    free_port >"$dir/port"
    echo sluice >"$dir/pwfile"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
      chown -R postgres "$dir"
    fi
    # Passwords checked on 127.0.0.1 too, so a wrong password in a connection string fails as it would in production.
    as_owner "$bin/initdb" -D "$dir/data" -U sluice --pwfile="$dir/pwfile" --auth=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { log "initdb failed:"; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    server_up "$dir"
    PGPASSWORD=sluice "$bin/psql" -h 127.0.0.1 -p "$(cat "$dir/port")" -U sluice -d postgres -qAt -c "CREATE DATABASE sluice" >/dev/null
    log "PostgreSQL on 127.0.0.1:$(cat "$dir/port") in $dir"
    print_env "$dir"
    ;;
  env)
    print_env "$(dir_arg "${1:-}")"
    ;;
  down)
    server_down "$(dir_arg "${1:-}")"
    ;;
  up)
    server_up "$(dir_arg "${1:-}")"
    ;;
  stop)
    dir=$(dir_arg "${1:-}")
    server_down "$dir"
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | env [DIR] | down [DIR] | up [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
