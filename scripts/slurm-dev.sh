#!/usr/bin/env bash
# A 3-node Slurm on 127.0.0.1 for Sluice's Slurm tests and benchmark, without systemd:
#   scripts/slurm-dev.sh install   apt-installs slurm-wlm and munge (skipped when present)
#   scripts/slurm-dev.sh start     writes the config, starts munged, slurmctld and slurmd n1..n3, waits for idle nodes
#   scripts/slurm-dev.sh stop      stops exactly the daemons `start` started (by their recorded PIDs)
#   scripts/slurm-dev.sh status    shows the daemons and `sinfo`
#   scripts/slurm-dev.sh running   exits 0 when this checkout's Slurm controller runs
#   scripts/slurm-dev.sh env       prints `export SLURM_CONF=...` for a shell that wants to use this Slurm
#
# Everything lives in one state directory ($SLUICE_SLURM_DIR, default /tmp/sluice-slurm-<hash of this
# checkout>): slurm.conf, the munge key and socket, spool, logs, PID files. The Slurm CLI finds the
# cluster through SLURM_CONF=<state>/slurm.conf; munge through AuthInfo=socket=... in that file.
# Ports: slurmctld on BASE, slurmd n1..n3 on BASE+1..BASE+3, where BASE is $SLUICE_SLURM_PORT_BASE or
# derived from the state directory, so two checkouts on one machine do not collide.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
hash=$(printf '%s' "$repo" | cksum | cut -d' ' -f1)
dir=${SLUICE_SLURM_DIR:-/tmp/sluice-slurm-$((hash % 100000))}
base=${SLUICE_SLURM_PORT_BASE:-$((20000 + (hash % 400) * 10))}
nodes=(n1 n2 n3)
# config_overrides lets each slurmd advertise these instead of what the host has (2 vCPUs here).
node_cpus=${SLUICE_SLURM_NODE_CPUS:-16}
node_mem=${SLUICE_SLURM_NODE_MEMORY_MIB:-65536}

need() { command -v "$1" >/dev/null 2>&1; }

install() {
  if need slurmctld && need slurmd && need munged && need srun && need sinfo; then
    return 0
  fi
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq slurm-wlm munge >/dev/null
}

write_config() {
  mkdir -p "$dir"/{state,log,run,spool}
  chmod 0755 "$dir"
  for n in "${nodes[@]}"; do mkdir -p "$dir/spool/$n"; done
  cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm-dev.sh: a 3-node Slurm on 127.0.0.1 for development and CI.
ClusterName=sluice-dev
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$base
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
# No systemd and no cgroup delegation here. A step's processes are its task's process group: a
# task's shell and everything it starts without a new session. (proctrack/linuxproc follows parent
# links, but slurmstepd's tasks are re-parented to init here, so it found nothing to kill.)
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Memory is a consumable resource; without a default a job that asks for none (sbatch --wrap=true)
# gets a whole node's memory, so only one such job per node could run at a time.
DefMemPerCPU=1024
# No slurmdbd: finished jobs go to a text file that 'sacct -c' reads.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
# Start jobs as soon as they are submitted instead of in bursts every few seconds.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# A finished job stays in slurmctld's memory (scontrol show job, squeue -t all) for MinJobAge
# seconds. Short keeps the controller small during the 200-job benchmark; after that its record is
# only in the jobcomp file. Sluice does not need finished jobs from slurmctld (it learns a step's end
# from the step's own srun), so 30 s is plenty for a person looking at a failure.
MinJobAge=30
# A node whose slurmd stops answering is DOWN after 10 s (default 300 s), so lost work shows soon;
# a restarted slurmd returns it to service.
SlurmdTimeout=10
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=2
InactiveLimit=0
NodeName=n[1-3] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[$((base + 1))-$((base + 3))] CPUs=$node_cpus RealMemory=$node_mem State=UNKNOWN
PartitionName=debug Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Starts a daemon in the foreground of a new session and records its PID (stop kills exactly it).
spawn() {
  local name=$1; shift
  setsid "$@" >>"$dir/log/$name.out" 2>&1 </dev/null &
  echo $! >"$dir/run/$name.started-pid"
}

start() {
  need slurmctld || { echo "slurm-dev: Slurm is not installed; run: bash scripts/slurm-dev.sh install" >&2; exit 1; }
  if pid_alive "$dir/run/slurmctld.started-pid"; then
    echo "slurm-dev: already running in $dir (stop it first: bash scripts/slurm-dev.sh stop)" >&2
    wait_idle
    return 0
  fi
  write_config
  export SLURM_CONF=$dir/slurm.conf
  if [[ ! -f "$dir/munge.key" ]]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge.key"
  fi
  spawn munged munged --foreground --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/run/munge.seed"
  for _ in $(seq 100); do [[ -S "$dir/munge.socket" ]] && break; sleep 0.05; done
  [[ -S "$dir/munge.socket" ]] || { echo "slurm-dev: munged did not start; see $dir/log/munged.out" >&2; stop; exit 1; }
  # -c: a fresh controller every start (no jobs from an earlier run).
  spawn slurmctld slurmctld -D -c -f "$dir/slurm.conf"
  for n in "${nodes[@]}"; do
    spawn "slurmd-$n" slurmd -D -N "$n" -f "$dir/slurm.conf"
  done
  wait_idle
}

wait_idle() {
  export SLURM_CONF=$dir/slurm.conf
  for _ in $(seq 300); do
    if [[ $(sinfo -h -N -t idle -o '%N' 2>/dev/null | sort -u | wc -l) -eq ${#nodes[@]} ]]; then
      echo "slurm-dev: ${#nodes[@]} nodes idle; SLURM_CONF=$dir/slurm.conf"
      return 0
    fi
    sleep 0.1
  done
  echo "slurm-dev: nodes not idle after 30 s; logs in $dir/log" >&2
  sinfo -N >&2 || true
  exit 1
}

stop() {
  local f pid
  # Nodes and controller first, munged last (they talk to it while shutting down).
  for f in "$dir"/run/slurmd-*.started-pid "$dir/run/slurmctld.started-pid" "$dir/run/munged.started-pid"; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

status() {
  local f
  for f in "$dir"/run/*.started-pid; do
    [[ -f "$f" ]] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then s=running; else s=dead; fi
    echo "$(basename "$f" .started-pid) pid $(cat "$f") $s"
  done
  SLURM_CONF=$dir/slurm.conf sinfo -N 2>&1 || true
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  running) pid_alive "$dir/run/slurmctld.started-pid" ;;
  env) echo "export SLURM_CONF=$dir/slurm.conf" ;;
  *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
