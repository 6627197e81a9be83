#!/usr/bin/env bash
# Workload Wrnn in ONE run on this machine: the native recurrent loop (rnn_train_fused, JMH
# NativeRnnBench) against the batched numpy peer (bench/peers/rnn_numpy_peer.py), both training the
# same E ReLU RNNs (width M, T steps, Wsmall's task) for the same GD steps; member-steps/s min and
# median of each, and their ratio.
#
#   mvn -q -DskipTests package && bench/rnn.sh bench/results/DATE-cpu-rnn
#   MEMBERS=4096 WIDTH=16 TIME_STEPS=3 STEPS=200 REPS=5 bench/rnn.sh OUT
#
# Writes OUT.jsonl (the CPU line, JMH's raw result, the peer's line) and OUT.md.
set -eu
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: bench/rnn.sh OUT}"
out="${out%.jsonl}"; out="${out%.md}"
py="${PYTHON:-python3}"
members="${MEMBERS:-4096}"; width="${WIDTH:-16}"; t="${TIME_STEPS:-3}"; steps="${STEPS:-200}"; reps="${REPS:-5}"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "no $jar: run mvn -q -DskipTests package first" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cpu="$(lscpu | grep -E '^Model name' | sed 's/^Model name:[[:space:]]*//')"
isa="$(grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
java -jar "$jar" NativeRnnBench -p members="$members" -p width="$width" -p timeSteps="$t" -p steps="$steps" \
    -wi 1 -i "$reps" -f 1 -rf json -rff "$tmp/jmh.json" > "$tmp/jmh.log"
"$py" "$here/peers/rnn_numpy_peer.py" --members "$members" --width "$width" --time-steps "$t" --steps "$steps" \
    --reps "$reps" > "$tmp/peer.json"
CPU="$cpu" ISA="$isa" "$py" - "$tmp/jmh.json" "$tmp/peer.json" "$out" "$members" "$steps" <<'PY'
import json, os, statistics, sys
jmh_file, peer_file, out, members, steps = sys.argv[1:6]
ms = int(members) * int(steps)
jmh = json.load(open(jmh_file))[0]
native = [s for row in jmh["primaryMetric"]["rawData"] for s in row]
peer = json.loads(open(peer_file).read().strip().splitlines()[-1])
p = jmh["params"]
rate = lambda s: ms / s
rows = [("native rnn_train_fused", native), ("numpy batched-rnn-gd", peer["seconds"])]
with open(out + ".jsonl", "w") as f:
    f.write(json.dumps({"cpu_model": os.environ["CPU"], "isa": os.environ["ISA"].split()}) + "\n")
    f.write(json.dumps(jmh) + "\n")
    f.write(json.dumps(peer) + "\n")
lines = ["# Wrnn: native rnn_train_fused against numpy, one run", "",
         "CPU: %s (%s); E = %s ReLU RNNs, width %s, T = %s, %s GD steps per repetition (P = 8, dX = 8, dY = 3); "
         "load average at the end %.1f." % (os.environ["CPU"], os.environ["ISA"].strip(), members, p["width"],
                                             p["timeSteps"], steps, os.getloadavg()[0]), "",
         "| implementation | member-steps/s (best) | member-steps/s (median) | seconds per repetition |",
         "|---|---|---|---|"]
for name, secs in rows:
    lines.append("| %s | %.0f | %.0f | %s |" % (name, rate(min(secs)), rate(statistics.median(secs)),
                                              ", ".join("%.2f" % s for s in secs)))
lines += ["", "native / numpy: %.2fx (best), %.2fx (median)" % (min(peer["seconds"]) / min(native),
          statistics.median(peer["seconds"]) / statistics.median(native))]
open(out + ".md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
