#!/usr/bin/env bash
# Builds Sluice (warnings are errors) and runs every test project against real parts:
# real processes, real SQLite files, a real HTTP server on 127.0.0.1.
# Installs what the tests need first; later capabilities add their services here
# (each started before the tests and stopped after, by PID).
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
# Java steps build and run a real jar (issue #4).
need javac && need jar && need java || apt_install openjdk-17-jdk-headless

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build Sluice.slnx -c Release -warnaserror -nologo -v quiet
status=0
dotnet test Sluice.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" 2>&1 | tee "$results/out.txt" || status=$?

# One closing line summing every test project: 'N passed, N failed, N skipped'.
sum() { grep -hoE "$1: +[0-9]+" "$results/out.txt" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit $status
