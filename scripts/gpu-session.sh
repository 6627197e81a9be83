#!/usr/bin/env bash
# What a GPU session owes, in one command on the device machine (no Maven, no internet there), from
# the bundle built here by `mvn verify` (or scripts/bundle.sh) and carried:
#   run(carry=["bundle"], command="scripts/gpu-session.sh $OUT")            default plan, about 8 min
#   run(carry=["bundle"], command="scripts/gpu-session.sh $OUT quick")      quick plan, about 4 min
#   scripts/gpu-session.sh OUT STEP...                                      chosen steps only
#
# Steps (time estimates for an H200 with a warm bundle; each step also has a hard time limit so
# the whole plan stays inside a 10-minute command):
#   device      ~30 s  (limit  90 s) nvidia-smi, nvcc, `repgeom devices --require cuda`: the CUDA
#                                    backend must load AND train a small group that agrees with the
#                                    java reference, in a process of its own. If it fails nothing
#                                    else runs: every later step would only skip or mislead.
#   tests       ~2 min (limit 240 s) the GPU tests (JUnit tag "gpu"); fails when any test is skipped
#                                    or aborted, or when none ran
#   bench       ~3 min (limit 270 s) JMH CudaBackendBench on WORKLOAD.md's GPU cases W16 W64 W256 W1024
#                                    (+ Wsmall when the bench has it), fail-on-error, 1 warm-up + 3 runs
#   bench-quick ~1 min (limit 100 s) W64 and W256 only, 1 warm-up + 2 runs
#   bench-library ~1 min (limit 100 s) JMH CudaLibraryBench: the library path (cuBLAS batched SGEMM)
#                                    and the fused kernel on W256 and W1024, fail-on-error, 1 warm-up
#                                    + 2 runs each; skipped with a line when the bundle has no such bench
#   peers       ~1 min (limit 120 s) torch/jax on the device and the CUDA SGEMM peak, only when python
#                                    with torch or jax is present there (skipped with a line otherwise)
#   cpu-tests   ~5 min (limit 420 s) the whole CPU suite from the bundle (not in any plan: on request)
# Plans: default = device tests bench bench-library peers (~8 min); quick = device tests bench-quick (~4 min).
#
# OUT receives at most 8 files: summary.txt (one line per step with its time and verdict, machine
# facts), device.txt, jmh-cuda.json (every case in one JSON array; beside each score the secondary
# results kernelSeconds, the kernels' time from CUDA events, and launches), jmh-library.json (when
# bench-library ran), peers.jsonl and peers.md (when peers ran), logs.tar.gz (every step's full log
# and the JUnit XML). Exit status 1 if any step failed.
set -u
out="${1:?usage: scripts/gpu-session.sh OUT [default|quick|STEP...]}"
shift
case "${*:-default}" in
    default) steps="device tests bench bench-library peers" ;;
    quick) steps="device tests bench-quick" ;;
    *) steps="$*" ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
b="${REPGEOM_BUNDLE:-$root/bundle}"
mkdir -p "$out"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
summary="$out/summary.txt"
{ echo "# gpu-session $(date -u +%FT%TZ) plan: $steps"; uname -a; } > "$summary"
status=0
device_ok=1

say() { echo "$*" | tee -a "$summary"; }

step() { # name, limit in seconds, command...
    local name="$1" limit="$2"; shift 2
    local log="$logs/$name.log" t0 rc
    echo "== $name (limit ${limit} s): $*" > "$log"
    t0=$(date +%s)
    # the step's functions run in a child bash (exported below) so that timeout can bound them
    timeout --kill-after=10 "$limit" bash -c '"$@"' step "$@" >> "$log" 2>&1
    rc=$?
    local dt=$(( $(date +%s) - t0 ))
    if [ $rc -eq 0 ]; then say "== $name ok (${dt} s)"; else
        [ $rc -eq 124 ] && say "== $name FAILED: over its ${limit} s limit" || say "== $name FAILED (exit $rc, ${dt} s)"
        tail -15 "$log" | sed 's/^/   /' | tee -a "$summary"
        status=1
    fi
    return $rc
}

device_check() {
    if command -v nvidia-smi >/dev/null; then nvidia-smi; else echo "nvidia-smi: not found"; fi
    if command -v nvcc >/dev/null; then nvcc --version; else echo "nvcc: not found (the bundle's fatbin or NVRTC is used)"; fi
    "$b/bin/repgeom" devices --require cuda
}

# JUnit's console prints "[ N tests successful ]", "[ N tests aborted ]", "[ N tests skipped ]":
# a GPU test that skips (no device) or aborts (assumption) is no evidence, so it fails the step.
gpu_tests() {
    local log="$logs/gpu-tests.out"
    "$b/bin/repgeom-tests" --scan-classpath "$b/lib/repgeom-tests.jar" --include-tag gpu \
        --reports-dir "$logs/gpu-tests-xml" --details=summary > "$log" 2>&1
    local rc=$?
    cat "$log"
    local ok aborted skipped containers_aborted
    ok=$(sed -n 's/.*\[ *\([0-9]*\) tests successful *\].*/\1/p' "$log" | tail -1)
    aborted=$(sed -n 's/.*\[ *\([0-9]*\) tests aborted *\].*/\1/p' "$log" | tail -1)
    skipped=$(sed -n 's/.*\[ *\([0-9]*\) tests skipped *\].*/\1/p' "$log" | tail -1)
    containers_aborted=$(sed -n 's/.*\[ *\([0-9]*\) containers aborted *\].*/\1/p' "$log" | tail -1)
    echo "gpu tests: successful ${ok:-?}, aborted ${aborted:-?}, skipped ${skipped:-?}, classes aborted ${containers_aborted:-?}, launcher exit $rc"
    [ $rc -eq 0 ] && [ "${ok:-0}" -gt 0 ] && [ "${aborted:-1}" -eq 0 ] && [ "${skipped:-1}" -eq 0 ] \
        && [ "${containers_aborted:-1}" -eq 0 ]
}

# One JMH run per case (each its own GPU sizes), every result in one JSON array.
bench() { # warmups measurements case...
    local wi="$1" i="$2"; shift 2
    local bench_bin="$b/bin/repgeom-bench" parts=() failed=0
    "$bench_bin" -l | grep -q CudaBackendBench || { echo "this bundle has no CudaBackendBench"; return 1; }
    local has_shape=0
    "$bench_bin" CudaBackendBench -lp 2>/dev/null | grep -q 'shape' && has_shape=1
    for c in "$@"; do
        local args
        case "$c" in
            W16) args="-p width=16 -p members=65536" ;;
            W64) args="-p width=64 -p members=16384" ;;
            W256) args="-p width=256 -p members=4096" ;;
            W1024) args="-p width=1024 -p members=1024" ;;
            Wsmall) if [ $has_shape -eq 0 ]; then echo "Wsmall: this bundle's CudaBackendBench has no shape parameter"; failed=1; continue; fi
                    args="-p shape=Wsmall -p width=16 -p members=262144" ;;
        esac
        echo "== case $c: $args"
        # shellcheck disable=SC2086
        "$bench_bin" CudaBackendBench $args -foe true -f 1 -wi "$wi" -i "$i" -rf json -rff "$logs/jmh-$c.json" || failed=1
        [ -s "$logs/jmh-$c.json" ] && parts+=("$logs/jmh-$c.json")
    done
    # join the per-case arrays: drop each file's outer brackets, separate by commas
    { echo "["; local first=1
      for p in "${parts[@]}"; do
          [ $first -eq 1 ] || echo ","; first=0
          sed '1s/^[[:space:]]*\[//; $s/\][[:space:]]*$//' "$p"
      done; echo "]"; } > "$out/jmh-cuda.json"
    [ ${#parts[@]} -gt 0 ] && [ $failed -eq 0 ]
}

# Both CUDA paths on W256 and W1024 (each case one JMH run over path=library,fused).
bench_library() {
    local bench_bin="$b/bin/repgeom-bench" parts=() failed=0
    if ! "$bench_bin" -l | grep -q CudaLibraryBench; then echo "bench-library skipped: this bundle has no CudaLibraryBench"; return 0; fi
    for c in W256 W1024; do
        local args
        case "$c" in
            W256) args="-p width=256 -p members=4096" ;;
            W1024) args="-p width=1024 -p members=1024" ;;
        esac
        echo "== case $c: $args"
        # shellcheck disable=SC2086
        "$bench_bin" CudaLibraryBench $args -foe true -f 1 -wi 1 -i 2 -rf json -rff "$logs/jmh-library-$c.json" || failed=1
        [ -s "$logs/jmh-library-$c.json" ] && parts+=("$logs/jmh-library-$c.json")
    done
    { echo "["; local first=1
      for p in "${parts[@]}"; do
          [ $first -eq 1 ] || echo ","; first=0
          sed '1s/^[[:space:]]*\[//; $s/\][[:space:]]*$//' "$p"
      done; echo "]"; } > "$out/jmh-library.json"
    [ ${#parts[@]} -gt 0 ] && [ $failed -eq 0 ]
}

peers() {
    local py="${PYTHON:-python3}"
    if ! command -v "$py" >/dev/null || ! "$py" -c 'import importlib.util as u, sys; sys.exit(0 if (u.find_spec("torch") or u.find_spec("jax")) else 1)' 2>/dev/null; then
        echo "peers skipped: no python with torch or jax on this machine"
        return 0
    fi
    bash "$root/bench/peers/run_all.sh" --gpu "$logs/peers" || return 1
    cp "$logs/peers.jsonl" "$logs/peers.md" "$out/" 2>/dev/null
    return 0
}

export b out logs root
export -f device_check gpu_tests bench bench_library peers
for s in $steps; do
    if [ $device_ok -eq 0 ] && [ "$s" != cpu-tests ]; then say "== $s not run: the device step failed"; continue; fi
    case "$s" in
        device) step device 90 device_check || device_ok=0; cp "$logs/device.log" "$out/device.txt" ;;
        tests) step gpu-tests 240 gpu_tests ;;
        bench) step bench 270 bench 1 3 W16 W64 W256 W1024 Wsmall ;;
        bench-quick) step bench-quick 100 bench 1 2 W64 W256 ;;
        bench-library) step bench-library 100 bench_library ;;
        peers) step peers 120 peers ;;
        cpu-tests) step cpu-tests 420 "$b/bin/repgeom-tests" --scan-classpath "$b/lib/repgeom-tests.jar" \
                       --exclude-tag gpu --exclude-classname '.*ExampleStudyTest' --reports-dir "$logs/cpu-tests-xml" ;;
        *) say "unknown step $s (steps: device tests bench bench-quick bench-library peers cpu-tests; plans: default quick)"; status=2 ;;
    esac
done
tar -czf "$out/logs.tar.gz" -C "$logs" . 2>/dev/null
say "# gpu-session done $(date -u +%FT%TZ), exit $status"
exit $status
