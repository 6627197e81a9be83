#!/usr/bin/env bash
# Starts (or stops) a throwaway single-node Slurm on this machine, for trying the array scripts
# without a cluster: munged, slurmctld and slurmd from Debian's packages (apt-get install slurmctld
# slurmd slurm-client munge), configured in DIR, not in /etc. Needs root (slurmd runs jobs as any user).
#   examples/slurm/local-cluster.sh start DIR   # then: export SLURM_CONF=DIR/slurm.conf
#   examples/slurm/local-cluster.sh stop DIR
set -euo pipefail
cmd="${1:?usage: local-cluster.sh start|stop DIR}"
dir="$(mkdir -p "${2:?usage: local-cluster.sh start|stop DIR}" && cd "$2" && pwd)"
export SLURM_CONF="$dir/slurm.conf"
stop_pid() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; }
if [ "$cmd" = stop ]; then
    stop_pid "$dir/slurmd.pid"
    stop_pid "$dir/slurmctld.pid"
    stop_pid "$dir/munged.pid"
    exit 0
fi
host="$(hostname -s)"
node="$(slurmd -C | head -1)" # NodeName=… CPUs=… RealMemory=… as this machine has them
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chown munge:munge "$dir/munge" 2>/dev/null || true
cat > "$SLURM_CONF" <<CONF
ClusterName=repgeom-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CryptoType=crypto/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
$node State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
    --seed-file="$dir/munge/seed" --force
slurmctld -i
slurmd
for _ in $(seq 60); do
    if sinfo -h -o %T 2>/dev/null | grep -q idle; then
        echo "single-node Slurm up: export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 1
done
echo "Slurm did not come up; logs in $dir" >&2
exit 1
