#!/usr/bin/env bash
# Builds Sluice (warnings are errors) and runs every test project against real parts: real processes,
# real SQLite files, and on 127.0.0.1 a real HTTP server, PostgreSQL, s3rver and a 3-node Slurm.
# Installs what the tests need first, starts each service before the tests and stops it after, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if need apt-get; then
    apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >/dev/null
  else
    echo "test.sh: please install: $*" >&2; exit 1
  fi
}

need dotnet || { echo "test.sh: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }
# Task and streaming tests run real python3 and awk commands.
need python3 && need awk || apt_install python3 gawk
# The local backend's sandbox tests run tasks in real bubblewrap sandboxes (issue #15).
need bwrap && need setpriv || apt_install bubblewrap util-linux
# Java steps build and run a real jar (issue #4).
need javac && need jar && need java || apt_install openjdk-17-jdk-headless
# The console's tests drive Debian's Chromium through Playwright (issue #19); Playwright never downloads a browser.
[ -x /usr/bin/chromium ] || apt_install chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The Slurm backend's tests and benchmark run against a real 3-node Slurm on 127.0.0.1.
bash scripts/slurm-dev.sh install
results=$(mktemp -d)
pg_dir=""
stop_slurm=0
cleanup() {
  if [ -n "$pg_dir" ]; then bash scripts/postgres-dev.sh stop "$pg_dir" || true; fi
  bash scripts/s3rver-dev.sh stop || true
  if [ "$stop_slurm" = 1 ]; then bash scripts/slurm-dev.sh stop || true; fi
  rm -rf "$results"
}
trap cleanup EXIT

# A throw-away PostgreSQL on 127.0.0.1 for the PostgreSQL store and multi-server tests (installed from
# apt when missing).
eval "$(bash scripts/postgres-dev.sh start)"
pg_dir="$SLUICE_TEST_POSTGRES_DIR"
# The S3 object store tests run against a real s3rver on 127.0.0.1 (installed from npm on first use).
eval "$(bash scripts/s3rver-dev.sh start)"
# A Slurm this checkout already runs (a developer's) is used and left running; one started here is stopped.
bash scripts/slurm-dev.sh running || stop_slurm=1
bash scripts/slurm-dev.sh start
eval "$(bash scripts/slurm-dev.sh env)"

dotnet build Sluice.slnx -c Release -warnaserror -nologo -v quiet
status=0
dotnet test Sluice.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" 2>&1 | tee "$results/out.txt" || status=$?

# One closing line summing every test project: 'N passed, N failed, N skipped'.
sum() { grep -hoE "$1: +[0-9]+" "$results/out.txt" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit $status
