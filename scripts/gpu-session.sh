#!/usr/bin/env bash
# Everything a GPU session owes, in one command on the device machine (no Maven, no internet there):
#   1. the device: nvidia-smi, nvcc version
#   2. `repgeom devices` from the bundle (does the CUDA backend load?)
#   3. the GPU tests (JUnit tag "gpu") from the bundle, then the whole suite's CPU tests as a smoke check
#   4. JMH CudaBackendBench on WORKLOAD.md's GPU cases (when the bench jar has it)
#   5. the peers on the same device: torch (cuda) and jax (gpu, highest and default precision) and the
#      CUDA SGEMM peak, through bench/peers/run_all.sh --gpu
# Raw output of each step goes to OUT/<step>.log (+ JMH json, peers jsonl/md); a failing step does not
# stop the later ones; the exit status is 1 if any step failed.
#
# Usage (from the repository root, with the bundle built here by `mvn verify` or scripts/bundle.sh and
# carried: run(carry=["bundle"], command="scripts/gpu-session.sh $OUT")):
#   scripts/gpu-session.sh OUT [STEP...]     steps: device tests bench peers (default: all)
set -u
out="${1:?usage: scripts/gpu-session.sh OUT [device|tests|bench|peers ...]}"
shift
steps="${*:-device tests bench peers}"
root="$(cd "$(dirname "$0")/.." && pwd)"
b="$root/bundle"
mkdir -p "$out"
status=0
step() { # name, command...
    local name="$1"; shift
    echo "== $name: $*" | tee "$out/$name.log"
    local t0=$(date +%s)
    if "$@" >> "$out/$name.log" 2>&1; then echo "== $name ok ($(( $(date +%s) - t0 )) s)"; else
        echo "== $name FAILED ($(( $(date +%s) - t0 )) s), tail:"; tail -20 "$out/$name.log"; status=1; fi
}
{ date -u +%FT%TZ; uname -a; } > "$out/when.txt"

for s in $steps; do case "$s" in
device)
    step device bash -c "nvidia-smi; nvcc --version; '$b/bin/repgeom' devices" ;;
tests)
    step gpu-tests "$b/bin/repgeom-tests" --scan-classpath "$b/lib/repgeom-tests.jar" --include-tag gpu \
        --reports-dir "$out/gpu-tests-xml"
    step cpu-tests "$b/bin/repgeom-tests" --scan-classpath "$b/lib/repgeom-tests.jar" --exclude-tag gpu \
        --exclude-classname '.*ExampleStudyTest' ;;
bench)
    if "$b/bin/repgeom-bench" -l | grep -q CudaBackendBench; then
        step jmh-cuda "$b/bin/repgeom-bench" CudaBackendBench -rf json -rff "$out/jmh-cuda.json"
    else
        echo "== jmh-cuda: this bundle has no CudaBackendBench" | tee "$out/jmh-cuda.log"; status=1
    fi ;;
peers)
    step peers bash "$root/bench/peers/run_all.sh" --gpu "$out/peers" ;;
*) echo "unknown step $s" >&2; status=2 ;;
esac; done
exit $status
