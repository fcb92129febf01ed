#!/usr/bin/env bash
# Starts or stops a local S3-compatible server (s3rver 3.7.1 from npm) on 127.0.0.1 for the S3 store
# tests and benchmarks. s3rver is installed into a cache folder outside the repository
# (SLUICE_TOOLS_DIR, default ~/.cache/sluice-tools); its data lives in a fresh temp folder per start.
#
#   eval "$(bash scripts/s3rver-dev.sh start)"   # prints: export SLUICE_TEST_S3_ENDPOINT=http://127.0.0.1:PORT
#   bash scripts/s3rver-dev.sh stop              # stops the server this checkout started (by PID) and deletes its data
#
# State (pid, port, data folder) is kept in .s3rver/ at the repository root (git-ignored), so tests
# run by hand find the endpoint there when SLUICE_TEST_S3_ENDPOINT is not set.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.7.1
tools="${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/s3rver-$version"
state="$PWD/.s3rver"

install() {
  if [ ! -f "$tools/node_modules/s3rver/bin/s3rver.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      if command -v apt-get >/dev/null 2>&1; then
        apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq nodejs npm >/dev/null
      else
        echo "s3rver-dev.sh: please install Node.js and npm" >&2; exit 1
      fi
    fi
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent "s3rver@$version" >&2
  fi
}

running() { [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }

start() {
  if running; then
    echo "export SLUICE_TEST_S3_ENDPOINT=$(cat "$state/endpoint")"
    return
  fi
  install
  mkdir -p "$state"
  data=$(mktemp -d "${TMPDIR:-/tmp}/sluice-s3rver.XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # --no-vhost-buckets: the store uses path-style addressing, and a bucket named like a host must not be misread.
  nohup node "$tools/node_modules/s3rver/bin/s3rver.js" -d "$data" -a 127.0.0.1 -p "$port" --silent --no-vhost-buckets \
    >"$state/s3rver.log" 2>&1 &
  echo $! >"$state/pid"
  echo "$data" >"$state/data"
  endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$endpoint/" 2>/dev/null || python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      echo "$endpoint" >"$state/endpoint"
      echo "export SLUICE_TEST_S3_ENDPOINT=$endpoint"
      return
    fi
    if ! running; then break; fi
    sleep 0.1
  done
  echo "s3rver-dev.sh: s3rver did not start; its log:" >&2
  cat "$state/s3rver.log" >&2 || true
  stop
  exit 1
}

stop() {
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  if [ -f "$state/data" ]; then rm -rf "$(cat "$state/data")"; fi
  rm -rf "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
