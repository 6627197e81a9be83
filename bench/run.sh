#!/usr/bin/env bash
# The benchmark harness: in ONE run on this machine, measure the FP32 peaks (numpy SGEMM and the
# CPU's FMA peak), the repgeom backends (JMH: java reference, native) and the peers (numpy, PyTorch,
# JAX) on every WORKLOAD.md case, and write the ratios.
#
#   mvn -q -DskipTests package && bench/run.sh bench/results/DATE-cpu-harness
#   bench/run.sh --cases "W16 Wsmall" --reps 5 OUT
#
# Cases: W16 W64 W256 W1024 (P = 64, dX = 64, GD), Wsmall (P = 8, dX = 8, M = 16, E = 16384, GD),
# Wlong (the README example's ReLU width-64 members, Adam with decay, 60,000 steps) and Wlong-short
# (the same members over 3,000 steps; added whenever Wlong is asked for), and example: the README example
# study (examples/abstract-hypercube.yaml through java/target/repgeom.jar, 3 runs at most, its GFLOP/s by
# bench/study_gflops.py over the training's wall seconds and per CPU-second of the training threads). Writes OUT.jsonl (every raw result line, JMH JSON converted;
# the first line names the CPU model, cores and ISA flags) and OUT.md (member-steps/s and GFLOP/s
# min/median, % of each peak, native against java and against the fastest peer, long/short run).
# PyTorch (CPU wheel) and JAX are installed with pip into a virtual environment the harness creates
# ($RG_BENCH_VENV, default ~/.cache/repgeom-bench-venv, sharing the system's numpy); what pip cannot
# get, and anything else missing (jars, gcc, numpy), is skipped with a line saying so.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
cases="W16 W64 W256 W1024 Wsmall Wlong Wlong-short example"
reps=5
steps=200
backends="java native"
peers="numpy torch jax"
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cases) cases="$2"; shift ;;
        --reps) reps="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        --backends) backends="$2"; shift ;;
        --peers) peers="$2"; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) out="$1" ;;
    esac
    shift
done
# the long run is judged against the short run: Wlong brings Wlong-short along
case " $cases " in *" Wlong "*) case " $cases " in *" Wlong-short "*) ;; *) cases="$cases Wlong-short" ;; esac ;; esac
[ -n "$out" ] || { echo "usage: $0 [--cases LIST] [--reps N] [--steps N] [--backends 'java native'] [--peers 'numpy torch jax'] OUT" >&2; exit 2; }
out="${out%.jsonl}"; out="${out%.md}"
mkdir -p "$(dirname "$out")"
jsonl="$out.jsonl"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
: > "$jsonl"
isa="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' | grep -xE 'avx2|fma|avx512f|avx512bw|avx512vl|avx512_bf16|avx512_fp16|amx_tile|amx_bf16|amx_int8' | tr '\n' ' ' | sed 's/ $//')"
printf '{"harness": true, "date": "%s", "cpu": "%s", "cores": %s, "isa": "%s", "loadavg": "%s", "cases": "%s", "steps": %s, "reps": %s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)" "$isa" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$cases" "$steps" "$reps" >> "$jsonl"

# Per case: JMH shape, width M, members E on a CPU (WORKLOAD.md), steps per repetition
shape_of() { case "$1" in Wsmall) echo Wsmall ;; Wlong*) echo Wlong ;; *) echo W ;; esac; }
width_of() { case "$1" in Wsmall) echo 16 ;; Wlong*) echo 64 ;; *) echo "${1#W}" ;; esac; }
members_of() { case "$1" in W16|W64) echo 1024 ;; W256) echo 256 ;; W1024) echo 32 ;; Wsmall) echo 16384 ;; Wlong*) echo 64 ;; esac; }
steps_of() { case "$1" in Wlong) echo 60000 ;; Wlong-short) echo 3000 ;; *) echo "$steps" ;; esac; }
peer_case() { case "$1" in Wlong*) echo Wlong ;; *) echo "$1" ;; esac; }

# 1. peaks
"$py" "$here/peak/sgemm_peak.py" --device cpu >> "$jsonl" || echo '{"peak": "sgemm", "error": "numpy missing?"}' >> "$jsonl"
# The FMA peak is measured at the start and again at the end (fma_peaks end): on a shared VM the
# whole machine's throughput was seen to halve for minutes at a time, and a peak taken in such a
# window makes every "% of peak" twice too large. ratios.py uses the largest measurement.
fma_peaks() { # when
    if command -v gcc > /dev/null; then
        for flags in "-mavx512f" "-mavx2 -mfma"; do
            # shellcheck disable=SC2086
            if gcc -O2 $flags -fopenmp -o "$tmp/fma" "$here/peak/fma_peak.c" 2> /dev/null && "$tmp/fma" > "$tmp/fma.json" 2> /dev/null; then
                sed "s/^{/{\"when\": \"$1\", /" "$tmp/fma.json" >> "$jsonl"
            fi
        done
    else
        echo '{"peak": "fma", "skipped": "no gcc"}' >> "$jsonl"
    fi
}
fma_peaks start

# 2. the README example, end to end (the first thing after the peak, while the machine is as quiet as it gets)
case " $cases " in *" example "*)
    repgeom="$here/../java/target/repgeom.jar"
    if [ -f "$repgeom" ]; then
        r="$reps"; [ "$r" -gt 3 ] && r=3
        for i in $(seq 1 "$r"); do
            echo "+ README example, run $i" >&2
            t0="$(date +%s.%N)"
            if java -jar "$repgeom" run "$here/../examples/abstract-hypercube.yaml" --out "$tmp/example" --no-report --quiet \
                    > "$tmp/example.txt" 2>&1; then
                wall="$("$py" -c "import time; print(round(time.time() - $t0, 3))")"
                "$py" "$here/study_gflops.py" "$tmp/example" --json --wall "$wall" >> "$jsonl"
            else
                printf '{"example": "abstract-hypercube", "error": "failed: %s"}\n' "$(tail -1 "$tmp/example.txt" | tr -d '"\\' | cut -c1-200)" >> "$jsonl"
            fi
            rm -rf "$tmp/example"
        done
    else
        echo "{\"example\": \"abstract-hypercube\", \"skipped\": \"$repgeom missing: run mvn -q -DskipTests package\"}" >> "$jsonl"
    fi ;;
esac

# 3. repgeom backends through JMH, one JMH run per backend and case (E depends on the case);
#    the java reference is left out of the long runs (60,000 Adam steps of 64 members: minutes)
jar="$here/target/benchmarks.jar"
if [ -f "$jar" ]; then
    for b in $backends; do
        bench="JavaBackendBench"; [ "$b" = native ] && bench="NativeBackendBench"
        for c in $cases; do
            [ "$c" = example ] && continue
            if [ "$b" = java ] && [ "${c#Wlong}" != "$c" ]; then
                printf '{"backend": "java", "case": "%s", "skipped": "the reference is not run on the long runs"}\n' "$c" >> "$jsonl"
                continue
            fi
            r="$reps"; [ "$c" = Wlong ] && [ "$r" -gt 3 ] && r=3
            echo "+ JMH $bench $c" >&2
            java -jar "$jar" "$bench" -p shape="$(shape_of "$c")" -p width="$(width_of "$c")" -p members="$(members_of "$c")" \
                -p steps="$(steps_of "$c")" -i "$r" -wi 1 -f 1 -rf json -rff "$tmp/jmh.json" > "$tmp/jmh.txt" 2>&1 \
                && "$py" "$here/ratios.py" --jmh "$tmp/jmh.json" --backend "$b" --case "$c" >> "$jsonl" \
                || printf '{"backend": "%s", "case": "%s", "error": "JMH failed"}\n' "$b" "$c" >> "$jsonl"
        done
    done
else
    echo "{\"backends\": \"skipped\", \"why\": \"$jar missing: run mvn -q -DskipTests package\"}" >> "$jsonl"
fi

# 4. the peers. numpy runs on the harness's python; torch and jax in a virtual environment made
#    here (system site packages visible, so the same numpy), installed by pip where it can
venv="${RG_BENCH_VENV:-$HOME/.cache/repgeom-bench-venv}"
vpy="$py"
case " $peers " in *" torch "*|*" jax "*)
    if [ ! -x "$venv/bin/python" ]; then
        echo "+ creating $venv" >&2
        "$py" -m venv --system-site-packages "$venv" > "$tmp/venv.txt" 2>&1 || rm -rf "$venv"
    fi
    if [ -x "$venv/bin/python" ]; then
        vpy="$venv/bin/python"
        for pkg in torch jax; do
            case " $peers " in *" $pkg "*) ;; *) continue ;; esac
            if ! "$vpy" -c "import $pkg" 2> /dev/null; then
                echo "+ pip install $pkg" >&2
                # a CPU-only torch wheel where the index has one (no CUDA libraries to fetch)
                spec="$pkg"; [ "$pkg" = torch ] && spec="$("$vpy" -m pip index versions torch 2> /dev/null | tr ' ,' '\n\n' | grep -m1 '+cpu$' | sed 's/^/torch==/')"
                "$vpy" -m pip install -q "${spec:-$pkg}" > "$tmp/pip.txt" 2>&1 || "$vpy" -m pip install -q "$pkg" > "$tmp/pip.txt" 2>&1 \
                    || printf '{"peer": "%s", "skipped": true, "reason": "pip could not install %s: %s"}\n' "$pkg" "$pkg" \
                        "$(grep -m1 -E 'ERROR' "$tmp/pip.txt" | tr -d '"\\' | cut -c1-200)" >> "$jsonl"
            fi
        done
    else
        echo '{"peers": "torch, jax", "skipped": true, "reason": "no virtual environment (python3 -m venv failed)"}' >> "$jsonl"
    fi ;;
esac
for c in $cases; do
    [ "$c" = example ] && continue
    pc="$(peer_case "$c")"
    for p in $peers; do
        script="$here/peers/${p}_peer.py"
        args=(--case "$pc" --steps "$(steps_of "$c")" --reps "$reps")
        [ "$c" = Wlong ] && [ "$reps" -gt 3 ] && args=(--case "$pc" --steps 60000 --reps 3)
        [ "$p" = jax ] && args+=(--precision highest)
        # 64 members of tiny matrices: torch's intra-op threads only add synchronisation (measured 100x
        # slower with 2 threads than with 1 on a loaded 2-core machine), so the long runs use one
        [ "$p" = torch ] && [ "$pc" = Wlong ] && args+=(--threads 1)
        # stacked bmm (hand-written backward) and torch.func; bmm-autograd is the same forward, slower
        [ "$p" = torch ] && [ "$pc" != Wlong ] && args+=(--variant bmm,func)
        echo "+ $p peer $c" >&2
        pyx="$vpy"; [ "$p" = numpy ] && pyx="$py"
        timeout "${RG_PEER_TIMEOUT:-1800}" "$pyx" "$script" "${args[@]}" > "$tmp/peer.jsonl" 2> "$tmp/peer.err" \
            || printf '{"peer": "%s", "case": "%s", "error": "failed: %s"}\n' "$p" "$c" "$(tail -1 "$tmp/peer.err" | tr -d '"\\' | cut -c1-200)" >> "$jsonl"
        # the long runs' 3,000-step results are filed under their own case name
        sed "s/\"case\": \"$pc\"/\"case\": \"$c\"/" "$tmp/peer.jsonl" >> "$jsonl"
    done
done

fma_peaks end
"$py" "$here/ratios.py" --summarize "$jsonl" > "$out.md"
cat "$out.md"
