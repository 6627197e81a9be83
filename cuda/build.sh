#!/usr/bin/env bash
# Builds the CUDA backend's kernels and their host emulator.
#
#   cuda/build.sh <classes-dir> <target-dir>
#
# Called by Maven (java/pom.xml, exec-maven-plugin, phase process-classes):
#   1. packs repgeom_train.cu followed by repgeom_rnn.cu (the recurrent kernel, which uses the team
#      code of the first) as <classes>/org/repgeom/cuda/repgeom_train.cu (in the jar; NVRTC compiles it
#      at run time when no embedded binary fits the device; nvcc compiles the same bytes);
#   2. with nvcc on PATH (or $NVCC): compiles <classes>/org/repgeom/cuda/repgeom.fatbin with SASS for
#      sm_80, sm_86, sm_89, sm_90 and PTX for compute_90, and writes ptxas -v (registers, spills, per
#      kernel and architecture) to <target>/cuda/ptxas-report.txt. Any nvcc error FAILS the build.
#      -ftz=true: subnormal floats are flushed to zero, as the native CPU backend does (MXCSR FTZ/DAZ);
#      division and square root stay IEEE round-to-nearest (-prec-div, -prec-sqrt are untouched).
#      Without nvcc: a warning, the build succeeds, and the CUDA backend reports "kernels not built";
#      with nvcc it also compiles the library path's elementwise kernels (repgeom_library.cu) into
#      <classes>/org/repgeom/cuda/repgeom_library.fatbin (same architectures; no generic-load check:
#      they are bandwidth-bound grid-stride loops over global memory);
#   3. with a C++ compiler ($CXX or g++): builds the host emulators in <target>/cuda-emulator/ (the
#      kernels' code on CPU threads, used by the tests; not shipped): rg_cuda_emu (warps of one
#      thread), rg_cuda_emu32 (warps of 32 emulated lanes), where the CPU has FMA rg_cuda_emu_fma and
#      rg_cuda_emu32_fma (the same with a*b+c contracted into fma, as nvcc does by default) and,
#      where g++ has ThreadSanitizer, rg_cuda_emu32_tsan. A compile error fails the build; without a compiler the emulator tests skip.
#      Also the library path's test doubles: librg_library_host.so (its kernels on host memory, JNI;
#      needs jni.h from $JAVA_HOME or javac's JDK) and librg_fake_cublas.so (a host libcublas stand-in).
# Outputs newer than their sources are kept (no recompilation). RG_CUDA_REPORT=1 also copies the
# ptxas report to cuda/ptxas-report.txt (the committed copy).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
classes="${1:?usage: build.sh <classes-dir> <target-dir>}"
target="${2:?usage: build.sh <classes-dir> <target-dir>}"
src="$here/repgeom_train.cu"
rnn_src="$here/repgeom_rnn.cu"
emu_src="$here/rg_emulator.cpp"
res="$classes/org/repgeom/cuda"
NVCC="${NVCC:-nvcc}"
CXX="${CXX:-g++}"

say() { echo "[repgeom cuda] $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

mkdir -p "$res" "$target/cuda" || fail "cannot create output directories"
packed="$res/repgeom_train.cu"
cat "$src" "$rnn_src" > "$packed.tmp" && mv -f "$packed.tmp" "$packed" || fail "cannot pack the kernel source"

newer() { # out src... : true when out exists and is newer than every src
    local out="$1"; shift
    [ -f "$out" ] || return 1
    for s in "$@"; do [ "$out" -nt "$s" ] || return 1; done
    return 0
}

# 1. the fatbin
fatbin="$res/repgeom.fatbin"
report="$target/cuda/ptxas-report.txt"
lib_src="$here/repgeom_library.cu"
lib_fatbin="$res/repgeom_library.fatbin"
archs=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86
       -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90,code='[sm_90,compute_90]')
if command -v "$NVCC" > /dev/null 2>&1; then
    if newer "$fatbin" "$src" "$rnn_src" "$0" && [ -f "$report" ]; then
        say "fatbin up to date: $fatbin"
    else
        tmp="$(mktemp -d)"
        trap 'rm -rf "$tmp"' EXIT
        if ! "$NVCC" -fatbin -O3 -std=c++17 -ftz=true "${archs[@]}" --threads 0 -Xptxas -v -Werror all-warnings \
                -o "$tmp/repgeom.fatbin" "$packed" > "$tmp/ptxas.txt" 2>&1; then
            cat "$tmp/ptxas.txt" >&2
            fail "nvcc failed on $packed"
        fi
        {
            echo "# ptxas -v for cuda/repgeom_train.cu + repgeom_rnn.cu ($("$NVCC" --version | tail -1)), per kernel and architecture"
            printf "%-8s %-36s %9s %11s %12s %11s\n" arch kernel registers stack_bytes spill_stores spill_loads
            # ptxas prints, per entry: "Compiling entry function 'K' for 'sm_XY'", then its stack/spill line
            # and "Used N registers"; helper functions' lines in between are skipped
            awk '/Compiling entry function/ { split($0, q, "\047"); k = q[2]; a = q[4]; want = 1; next }
                 want && /stack frame/ { st = $1; ss = $5; sl = $9; next }
                 want && /Used [0-9]+ registers/ { for (i = 1; i <= NF; i++) if ($i == "Used") r = $(i + 1);
                     printf "%-8s %-36s %9s %11s %12s %11s\n", a, k, r, st, ss, sl; want = 0 }' "$tmp/ptxas.txt" | sort
        } > "$report"
        # Every training kernel is compiled once per placement so that each array has a known memory
        # space; a generic float load or store in the PTX means that broke (a pointer chosen at run
        # time between shared and global memory): fail the build rather than ship slow kernels.
        "$NVCC" -ptx -O3 -std=c++17 -ftz=true -arch=compute_90 -o "$tmp/repgeom.ptx" "$packed" || fail "nvcc -ptx failed on $packed"
        generic=$(grep -cE '^[[:space:]]*(ld|st)\.f32[[:space:]]' "$tmp/repgeom.ptx" || true)
        if [ "$generic" -gt 0 ]; then
            fail "$generic generic ld.f32/st.f32 in the PTX of $packed (expected ld/st.shared or .global only)"
        fi
        mv -f "$tmp/repgeom.fatbin" "$fatbin" || fail "cannot write $fatbin"
        say "built $fatbin ($(wc -c < "$fatbin") bytes); ptxas report: $report"
        if awk 'NR > 2 && ($5 > 0 || $6 > 0) { found = 1 } END { exit !found }' "$report"; then
            say "note: some kernels spill registers, see $report"
        fi
    fi
    if [ "${RG_CUDA_REPORT:-0}" = 1 ]; then cp -f "$report" "$here/ptxas-report.txt"; fi
    # the library path's elementwise kernels (repgeom_library.cu includes repgeom_train.cu for its
    # device functions only): a module of their own, so the fused kernel's build and checks are untouched
    if newer "$lib_fatbin" "$lib_src" "$src" "$0"; then
        say "library fatbin up to date: $lib_fatbin"
    else
        "$NVCC" -fatbin -O3 -std=c++17 -ftz=true "${archs[@]}" --threads 0 -Werror all-warnings -I"$here" \
            -o "$lib_fatbin.tmp" "$lib_src" || fail "nvcc failed on $lib_src"
        mv -f "$lib_fatbin.tmp" "$lib_fatbin" || fail "cannot write $lib_fatbin"
        say "built $lib_fatbin ($(wc -c < "$lib_fatbin") bytes)"
    fi
else
    rm -f "$fatbin" "$lib_fatbin"
    say "WARNING: no nvcc on PATH; CUDA kernels not built (the CUDA backend will report it; other backends work)"
fi

# 2. the host emulator (tests only)
emu_dir="$target/cuda-emulator"
# name, extra flags: warps of one thread; warps of 32 emulated lanes (shuffles, __syncwarp); the
# 32-lane build under ThreadSanitizer (a race in the team code fails the tests that run it)
build_emulator() {
    local out="$emu_dir/$1"; shift
    if newer "$out" "$src" "$rnn_src" "$emu_src" "$0"; then
        say "emulator up to date: $out"
        return 0
    fi
    "$CXX" -std=c++17 -O2 -Wall -Wextra -Werror -pthread -I"$here" "$@" -o "$out.tmp" "$emu_src" \
        || fail "compiling the host emulator $(basename "$out") failed"
    mv -f "$out.tmp" "$out"
    say "built the host emulator $out"
}
if command -v "$CXX" > /dev/null 2>&1; then
    mkdir -p "$emu_dir" || fail "cannot create $emu_dir"
    build_emulator rg_cuda_emu
    build_emulator rg_cuda_emu32 -DRG_EMU_WARP=32
    # nvcc contracts a*b+c into one fma by default (-fmad=true); g++ in ISO C++ mode does not. These
    # builds contract as the device may (-ffp-contract=fast on hardware FMA): where this CPU has FMA
    # (a probe program built with -mfma must run), else those tests skip. See cuda/README.md
    # "FMA contraction" for which expressions nvcc and g++ contract.
    if echo 'int main(){volatile float a=3,b=5,c=7;return __builtin_fmaf(a,b,c)==22.0f?0:1;}' \
            | "$CXX" -x c++ -mfma -o "$emu_dir/fma-probe" - > /dev/null 2>&1 && "$emu_dir/fma-probe"; then
        build_emulator rg_cuda_emu_fma -mfma -ffp-contract=fast
        build_emulator rg_cuda_emu32_fma -DRG_EMU_WARP=32 -mfma -ffp-contract=fast
    else
        say "note: this CPU or $CXX has no FMA; the contracting emulator builds (rg_cuda_emu*_fma) are skipped"
    fi
    rm -f "$emu_dir/fma-probe"
    # ThreadSanitizer needs its runtime (libtsan); without it that one test skips
    if echo 'int main(){return 0;}' | "$CXX" -x c++ -fsanitize=thread -o /dev/null - > /dev/null 2>&1; then
        build_emulator rg_cuda_emu32_tsan -DRG_EMU_WARP=32 -fsanitize=thread -g -O1
    else
        say "note: $CXX cannot build with -fsanitize=thread here; the race check of the emulator will skip"
    fi
    # the library path's test doubles: its elementwise kernels on the host behind JNI (needs jni.h)
    # and a host libcublas stand-in for the real cuBLAS bridge (LibraryPathEmulationTest)
    jhome="${JAVA_HOME:-}"
    if [ -z "$jhome" ] && command -v javac > /dev/null 2>&1; then
        jhome="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    fi
    host_lib="$emu_dir/librg_library_host.so"
    if [ ! -f "$jhome/include/jni.h" ]; then
        say "note: no jni.h (JAVA_HOME?); the library path's host tests will skip"
    elif ! newer "$host_lib" "$here/rg_library_host.cpp" "$lib_src" "$src" "$emu_src" "$0"; then
        "$CXX" -std=c++17 -O2 -Wall -Wextra -Werror -pthread -shared -fPIC -I"$here" -I"$jhome/include" \
            -I"$jhome/include/linux" -o "$host_lib.tmp" "$here/rg_library_host.cpp" \
            || fail "compiling the library path's host kernels failed"
        mv -f "$host_lib.tmp" "$host_lib"
        say "built $host_lib"
    fi
    fake="$emu_dir/librg_fake_cublas.so"
    if ! newer "$fake" "$here/rg_fake_cublas.c" "$0"; then
        "$CXX" -x c -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -o "$fake.tmp" "$here/rg_fake_cublas.c" \
            || fail "compiling the host cuBLAS stand-in failed"
        mv -f "$fake.tmp" "$fake"
        say "built $fake"
    fi
else
    say "WARNING: no C++ compiler '$CXX'; the kernel emulation tests will skip"
fi
exit 0
