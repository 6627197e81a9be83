#!/usr/bin/env bash
# Trains the 1,000,000-member study of million.yaml with a 2 GiB heap cap and reports wall time,
# the peak Java heap (sum of the heap pools' peaks, printed by repgeom) and the peak heap after
# GC from the GC log. Usage: bench/scale/million.sh [OUT_DIR] [extra repgeom run options]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
out="${1:-/tmp/repgeom-million}"
shift || true
jar="$root/java/target/repgeom.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -DskipTests package)
rm -rf "$out" "$out.incomplete"
log="$out.gc.log"
start=$(date +%s%N)
java -Xmx2g -Xlog:gc:file="$log" -jar "$jar" run "$here/million.yaml" --out "$out" --quiet "$@" 2>&1 | tee "$out.log"
end=$(date +%s%N)
echo "wall time: $(( (end - start) / 1000000 )) ms"
# largest heap occupancy right after a collection, e.g. "GC(12) Pause Young (Normal) ... 300M->120M(2048M)"
awk '{ if (match($0, /->[0-9]+M/)) { v = substr($0, RSTART + 2, RLENGTH - 3) + 0; if (v > m) m = v } } END { print "peak heap after GC: " m " MiB" }' "$log"
du -sh "$out"
