#!/usr/bin/env bash
# Submits a study as an N-task Slurm array plus a merge job that runs when all tasks succeeded.
# Usage: examples/slurm/submit.sh SPEC.yaml OUT_DIR N [extra sbatch options…]
# Environment, passed on to the jobs: REPGEOM_JAR (default java/target/repgeom.jar, relative to the
# directory you submit from), or REPGEOM, the whole command that runs repgeom; REPGEOM_RUN_OPTIONS,
# more options for 'repgeom run' (e.g. "--backend native --chunk-size 8192").
# Prints the array job id and the merge job id.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
spec="${1:?usage: submit.sh SPEC.yaml OUT_DIR N [sbatch options]}"
out="${2:?usage: submit.sh SPEC.yaml OUT_DIR N [sbatch options]}"
n="${3:?usage: submit.sh SPEC.yaml OUT_DIR N [sbatch options]}"
shift 3
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" "$@" "$here/study-array.sbatch" "$spec" "$out")
array="${array%%;*}"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$@" "$here/merge.sbatch" "$out" "$n")
echo "array job $array ($n shards), merge job $merge -> $out"
