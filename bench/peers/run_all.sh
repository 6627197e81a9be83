#!/usr/bin/env bash
# Runs the SGEMM peak and every peer on every workload-W case, in one run, and writes
#   OUT.jsonl  every JSON line the scripts printed (raw results, skips, checks)
#   OUT.md     a Markdown summary of it (bench/peers/summarize.py)
#
# usage: bench/peers/run_all.sh [--gpu] [--cases "W16 W64 W256 W1024"] [--steps N] [--reps N] OUT
#   default     CPU: SGEMM peak (numpy), numpy --check, numpy / torch (cpu) / jax (cpu) at the
#               CPU E of WORKLOAD.md, 200 steps, 5 reps
#   --gpu       GPU machine: adds the CUDA SGEMM peak (FP32 and TF32) and runs torch (cuda) and jax
#               (gpu) at the GPU E, 1000 steps; numpy still runs at the CPU E on the host CPU
#   PYTHON=...  interpreter to use (default python3)
# torch or jax missing is not a failure: their scripts print a "skipped" line and exit 0. A script
# that fails leaves an {"error": ...} line and the run goes on; the exit status is 1 if any failed.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
gpu=0
cases="W16 W64 W256 W1024"
steps=""
reps=5
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --gpu) gpu=1 ;;
        --cases) cases="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        --reps) reps="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) out="$1" ;;
    esac
    shift
done
if [ -z "$out" ]; then
    echo "usage: $0 [--gpu] [--cases LIST] [--steps N] [--reps N] OUT" >&2
    exit 2
fi
out="${out%.jsonl}"; out="${out%.md}"
mkdir -p "$(dirname "$out")"
jsonl="$out.jsonl"
: > "$jsonl"
failed=0

run() {  # run one script invocation, append its JSON lines, keep going on failure
    echo "+ $*" >&2
    "$py" "$@" >> "$jsonl"
    local rc=$?
    if [ $rc -ne 0 ]; then
        printf '{"script": "%s", "error": "exit status %d"}\n' "$*" "$rc" >> "$jsonl"
        failed=1
    fi
}

cpu_steps=${steps:-200}
gpu_steps=${steps:-1000}
{
    printf '{"run_all": true, "date": "%s", "host": "%s", "gpu_mode": %d, "cases": "%s", "reps": %d}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" "$gpu" "$cases" "$reps"
} >> "$jsonl"

run "$here/../peak/sgemm_peak.py" --device cpu
[ $gpu -eq 1 ] && run "$here/../peak/sgemm_peak.py" --device cuda
run "$here/numpy_peer.py" --check
for c in $cases; do
    run "$here/numpy_peer.py" --case "$c" --steps "$cpu_steps" --reps "$reps"
done
if [ $gpu -eq 1 ]; then
    run "$here/torch_peer.py" --device cuda --check
    run "$here/jax_peer.py" --device gpu --check
    for c in $cases; do
        run "$here/torch_peer.py" --device cuda --case "$c" --steps "$gpu_steps" --reps "$reps"
        run "$here/jax_peer.py" --device gpu --case "$c" --steps "$gpu_steps" --reps "$reps"
    done
else
    run "$here/torch_peer.py" --device cpu --check
    run "$here/jax_peer.py" --device cpu --check
    for c in $cases; do
        run "$here/torch_peer.py" --device cpu --case "$c" --steps "$cpu_steps" --reps "$reps"
        run "$here/jax_peer.py" --device cpu --case "$c" --steps "$cpu_steps" --reps "$reps"
    done
fi
# the peak once more at the end: on a shared machine the two bracket the run (the best is used)
run "$here/../peak/sgemm_peak.py" --device cpu

"$py" "$here/summarize.py" "$jsonl" > "$out.md" || failed=1
echo "wrote $jsonl and $out.md" >&2
exit $failed
