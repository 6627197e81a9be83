#!/usr/bin/env bash
# Builds the self-contained bundle for GPU nodes (no Maven, no internet, maybe no Java):
#   bundle/runtime/   a jlink'ed Java runtime with only the modules the jars use
#   bundle/lib/       repgeom.jar (CLI + native and CUDA kernels inside), bench/ (the JMH benchmarks
#                     and JMH itself, without a second copy of repgeom),
#                     repgeom-tests.jar + junit-platform-console-standalone.jar (to run the GPU tests)
#   bundle/bin/       repgeom, repgeom-bench, repgeom-tests: launchers using bundle/runtime
# then checks it: total size under 64 MiB (what the device tool carries) and `bin/repgeom devices` runs.
#
# Usage: scripts/bundle.sh [OUT_DIR]   (default: bundle/ at the repository root, git-ignored)
# Needs the Maven build first (mvn -DskipTests package, or verify, which runs this script last).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/bundle}"
limit_mib=64

jar="$root/java/target/repgeom.jar"
bench="$(ls "$root"/bench/target/repgeom-bench-*.jar 2>/dev/null | head -1 || true)"
bench_deps="$root/bench/target/bundle-deps/bench-lib"
tests="$root/java/target/test-classes"
console="$(ls "$root"/bench/target/bundle-deps/junit-platform-console-standalone-*.jar 2>/dev/null | head -1 || true)"
for f in "$jar" "$bench" "$bench_deps"; do
    [[ -e "$f" ]] || { echo "bundle: ${f:-the bench jar} is missing; run 'mvn -DskipTests package' first" >&2; exit 1; }
done
command -v jlink >/dev/null || { echo "bundle: jlink not found (needs a full JDK 17+)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/lib/bench" "$out/bin"
cp "$jar" "$out/lib/"
cp "$bench" "$out/lib/bench/repgeom-bench.jar"
cp "$bench_deps"/*.jar "$out/lib/bench/"
if [[ -d "$tests" && -n "$console" ]]; then
    jar --create --file "$out/lib/repgeom-tests.jar" -C "$tests" .
    cp "$console" "$out/lib/junit-platform-console-standalone.jar"
else
    echo "bundle: test classes or the JUnit console launcher missing; bin/repgeom-tests not included" >&2
fi

# Modules: what jdeps finds in the jars, plus jdk.unsupported (sun.misc.Unsafe in JCuda/LWJGL) and
# the management modules (heap figures in logs, JMH's GC profiler) and jdk.zipfs (JUnit scans jars with it).
mods="java.base,jdk.unsupported,java.management,jdk.management,jdk.zipfs"
for j in "$out"/lib/*.jar "$out"/lib/bench/*.jar; do
    m="$(jdeps --multi-release 17 --print-module-deps --ignore-missing-deps "$j" 2>/dev/null | tail -1 || true)"
    mods="$mods${m:+,$m}"
done
mods="$(tr ',' '\n' <<< "$mods" | sort -u | paste -sd, -)"
jlink --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"
# Debian's libjvm.so keeps its symbol table (3-4 MiB); the bundle has no use for it.
if command -v strip >/dev/null; then strip --strip-unneeded "$out"/runtime/lib/server/libjvm.so "$out"/runtime/lib/*.so 2>/dev/null || true; fi

launcher() { # name, java arguments before "$@"
    cat > "$out/bin/$1" <<SH
#!/usr/bin/env bash
# $1 from the repgeom bundle: runs with the bundle's own Java runtime.
here="\$(cd "\$(dirname "\$0")/.." && pwd)"
exec "\$here/runtime/bin/java" \${REPGEOM_JAVA_OPTS:-} $2 "\$@"
SH
    chmod +x "$out/bin/$1"
}
launcher repgeom '-jar "$here/lib/repgeom.jar"'
launcher repgeom-bench '-cp "$here/lib/repgeom.jar:$here/lib/bench/*" org.openjdk.jmh.Main'
if [[ -f "$out/lib/repgeom-tests.jar" ]]; then
    # The engine and its tests on the JVM's own class path (not the launcher's -cp option): tests that
    # start a second JVM pass java.class.path on, and that must name org.repgeom.cli.Main's jar.
    launcher repgeom-tests '-cp "$here/lib/repgeom.jar:$here/lib/repgeom-tests.jar:$here/lib/junit-platform-console-standalone.jar" org.junit.platform.console.ConsoleLauncher execute --fail-if-no-tests --disable-banner'
fi

size=$(du -sb "$out" | cut -f1)
mib=$(( (size + 1048575) / 1048576 ))
if (( size > limit_mib * 1048576 )); then
    echo "bundle: $out is $mib MiB, over the $limit_mib MiB the device tool carries" >&2
    exit 1
fi
"$out/bin/repgeom" devices > "$out/devices.txt" || { echo "bundle: bin/repgeom devices failed:" >&2; cat "$out/devices.txt" >&2; exit 1; }
# The session script must fail where CUDA cannot run, even when nvidia-smi answers (a device listed
# but unusable must not yield a green session). Checked here whenever this machine has no CUDA.
if grep -q '^cuda *no' "$out/devices.txt"; then
    fake="$(mktemp -d)"
    printf '#!/bin/sh\necho "NVIDIA-SMI (bundle check stand-in)"\n' > "$fake/nvidia-smi"; chmod +x "$fake/nvidia-smi"
    if PATH="$fake:$PATH" REPGEOM_BUNDLE="$out" bash "$root/scripts/gpu-session.sh" "$fake/out" device > "$fake/log" 2>&1; then
        echo "bundle: scripts/gpu-session.sh device passed on a machine without CUDA:" >&2; cat "$fake/log" >&2; rm -rf "$fake"; exit 1
    fi
    grep -q 'required backend check FAILED' "$fake/out/device.txt" \
        || { echo "bundle: the device step failed without saying why:" >&2; cat "$fake/log" >&2; rm -rf "$fake"; exit 1; }
    rm -rf "$fake"
    echo "bundle: checked that scripts/gpu-session.sh device fails here (no CUDA, stand-in nvidia-smi)"
fi
echo "bundle: $out ($mib MiB; modules $mods)"
