#!/usr/bin/env bash
# The benchmark harness: in ONE run on this machine, measure the FP32 peaks (numpy SGEMM and the
# CPU's FMA peak), the repgeom backends (JMH: java reference, native) and the numpy peer on every
# WORKLOAD.md case, and write the ratios.
#
#   mvn -q -DskipTests package && bench/run.sh bench/results/DATE-cpu-harness
#   bench/run.sh --cases "W16 W64" --reps 5 OUT
#
# Writes OUT.jsonl (every raw result line, JMH JSON converted) and OUT.md (table of member-steps/s
# and GFLOP/s min/median, % of each peak, native/java and native/numpy ratios). Needs the built
# jars (bench/target/benchmarks.jar), gcc for the FMA peak, python3 with numpy for the peer; what
# is missing is skipped with a line saying so.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
cases="W16 W64 W256 W1024"
reps=5
steps=200
backends="java native"
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cases) cases="$2"; shift ;;
        --reps) reps="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        --backends) backends="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) out="$1" ;;
    esac
    shift
done
[ -n "$out" ] || { echo "usage: $0 [--cases LIST] [--reps N] [--steps N] [--backends 'java native'] OUT" >&2; exit 2; }
out="${out%.jsonl}"; out="${out%.md}"
mkdir -p "$(dirname "$out")"
jsonl="$out.jsonl"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
: > "$jsonl"
printf '{"harness": true, "date": "%s", "cpu": "%s", "cores": %s, "cases": "%s", "steps": %s, "reps": %s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)" \
    "$cases" "$steps" "$reps" >> "$jsonl"

# E per case on a CPU (WORKLOAD.md)
members_of() { case "$1" in W16|W64) echo 1024 ;; W256) echo 256 ;; W1024) echo 32 ;; esac; }
width_of() { echo "${1#W}"; }

# 1. peaks
"$py" "$here/peak/sgemm_peak.py" --device cpu >> "$jsonl" || echo '{"peak": "sgemm", "error": "numpy missing?"}' >> "$jsonl"
if command -v gcc > /dev/null; then
    for isa in "-mavx512f" "-mavx2 -mfma"; do
        # shellcheck disable=SC2086
        if gcc -O2 $isa -fopenmp -o "$tmp/fma" "$here/peak/fma_peak.c" 2> /dev/null && "$tmp/fma" > "$tmp/fma.json" 2> /dev/null; then
            cat "$tmp/fma.json" >> "$jsonl"
        fi
    done
else
    echo '{"peak": "fma", "skipped": "no gcc"}' >> "$jsonl"
fi

# 2. repgeom backends through JMH, one JMH run per backend and case (E depends on the case)
jar="$here/target/benchmarks.jar"
if [ -f "$jar" ]; then
    for b in $backends; do
        bench="JavaBackendBench"; [ "$b" = native ] && bench="NativeBackendBench"
        for c in $cases; do
            echo "+ JMH $bench $c" >&2
            java -jar "$jar" "$bench" -p width="$(width_of "$c")" -p members="$(members_of "$c")" -p steps="$steps" \
                -i "$reps" -wi 1 -f 1 -rf json -rff "$tmp/jmh.json" > "$tmp/jmh.txt" 2>&1 \
                && "$py" "$here/ratios.py" --jmh "$tmp/jmh.json" --backend "$b" --case "$c" >> "$jsonl" \
                || printf '{"backend": "%s", "case": "%s", "error": "JMH failed"}\n' "$b" "$c" >> "$jsonl"
        done
    done
else
    echo "{\"backends\": \"skipped\", \"why\": \"$jar missing: run mvn -q -DskipTests package\"}" >> "$jsonl"
fi

# 3. the numpy peer on the same cases
for c in $cases; do
    echo "+ numpy peer $c" >&2
    "$py" "$here/peers/numpy_peer.py" --case "$c" --steps "$steps" --reps "$reps" >> "$jsonl" \
        || printf '{"peer": "numpy", "case": "%s", "error": "failed"}\n' "$c" >> "$jsonl"
done

"$py" "$here/ratios.py" --summarize "$jsonl" > "$out.md"
cat "$out.md"
