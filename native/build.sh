#!/usr/bin/env bash
# Builds the native CPU backend: librepgeom.so under <classes-dir>/native/<os>-<arch>/.
#
#   native/build.sh <classes-dir> [java-home]
#
# Called by Maven (java/pom.xml, exec-maven-plugin, phase process-classes) so that the library
# lands in target/classes and from there in the shaded jar. Without a C compiler or JNI headers (or
# on an unsupported OS/architecture) it prints a warning and exits 0: the native tests then skip and
# the engine falls back to the Java backend. A compile or link error is a broken source, not a
# missing tool: it exits 1 and so fails the Maven build.
#
# repgeom_train.c is compiled once per instruction-set level (AVX-512, AVX2+FMA, baseline) and
# repgeom_kernels.c picks the level at run time, so the library runs on any CPU of its
# architecture; never -march=native. Set RG_VEC_REPORT=1 to see gcc's vectorisation report.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
classes="${1:?usage: build.sh <classes-dir> [java-home]}"
jhome="${2:-${JAVA_HOME:-}}"
CC="${CC:-gcc}"

warn() { echo "[repgeom native] WARNING: $*; native backend not built (the Java backend still works)" >&2; exit 0; }
fail() { echo "[repgeom native] ERROR: $*" >&2; exit 1; }

command -v "$CC" >/dev/null 2>&1 || warn "no C compiler '$CC' on PATH"
if [ -z "$jhome" ] && command -v javac >/dev/null 2>&1; then
  jhome="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
inc="$jhome/include"
[ -f "$inc/jni.h" ] || warn "no jni.h under '$inc' (pass the JDK home as second argument)"

case "$(uname -s)" in
  Linux) os=linux; incos="$inc/linux"; ext=so ;;
  Darwin) os=macos; incos="$inc/darwin"; ext=dylib ;;
  *) warn "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) warn "unsupported architecture $(uname -m)" ;;
esac

out="$classes/native/$os-$arch"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" || fail "cannot create $out"

common=(-std=gnu11 -O3 -fPIC -fno-math-errno -fopenmp-simd -Wall -Wextra -Wno-unused-parameter -I"$here" -I"$inc" -I"$incos")
[ "${RG_VEC_REPORT:-0}" = 1 ] && common+=(-fopt-info-vec-optimized)

compile() { # src obj flags...
  local src="$1" obj="$2"; shift 2
  "$CC" "${common[@]}" "$@" -c "$here/$src" -o "$tmp/$obj" || fail "compiling $src $* failed"
}

objs=()
if [ "$arch" = x86_64 ]; then
  v512=(-march=x86-64-v4 -mtune=generic -mprefer-vector-width=512 -DRG_VARIANT=avx512 -DRG_VLEN=16 -DRG_RB=4)
  v2=(-march=x86-64-v3 -mtune=generic -DRG_VARIANT=avx2 -DRG_VLEN=8 -DRG_RB=2)
  v0=(-DRG_VARIANT=generic -DRG_VLEN=4 -DRG_RB=2)
  compile repgeom_train.c train_avx512.o "${v512[@]}"
  compile repgeom_soa.c soa_avx512.o "${v512[@]}"
  compile repgeom_train.c train_avx2.o "${v2[@]}"
  compile repgeom_soa.c soa_avx2.o "${v2[@]}"
  compile repgeom_train.c train_generic.o "${v0[@]}"
  compile repgeom_soa.c soa_generic.o "${v0[@]}"
  compile repgeom_rnn_lanes.c rnn_lanes_avx512.o "${v512[@]}"
  compile repgeom_rnn_lanes.c rnn_lanes_avx2.o "${v2[@]}"
  compile repgeom_rnn_lanes.c rnn_lanes_generic.o "${v0[@]}"
  compile repgeom_kernels.c kernels.o -DRG_HAVE_X86_VARIANTS
  compile repgeom_rnn.c rnn.o -DRG_HAVE_X86_VARIANTS
  objs=(train_avx512.o soa_avx512.o train_avx2.o soa_avx2.o train_generic.o soa_generic.o kernels.o
        rnn_lanes_avx512.o rnn_lanes_avx2.o rnn_lanes_generic.o rnn.o)
else
  compile repgeom_train.c train_generic.o -DRG_VARIANT=generic -DRG_VLEN=4 -DRG_RB=2
  compile repgeom_soa.c soa_generic.o -DRG_VARIANT=generic -DRG_VLEN=4 -DRG_RB=2
  compile repgeom_kernels.c kernels.o
  compile repgeom_rnn_lanes.c rnn_lanes_generic.o -DRG_VARIANT=generic -DRG_VLEN=4
  compile repgeom_rnn.c rnn.o
  objs=(train_generic.o soa_generic.o kernels.o rnn_lanes_generic.o rnn.o)
fi
# the recurrent loop's member-at-a-time layout (repgeom_rnn.c) is one build with AVX2 clones; its lane
# layout (repgeom_rnn_lanes.c) one build per instruction-set level, as repgeom_soa.c
compile repgeom_jni.c jni.o
# the double-precision twin of the Java loop must round as Java does: no fused multiply-add anywhere
# (-ffp-contract=off, also where the baseline ISA has FMA, as on aarch64); one build whose loop carries its own
# AVX-512 / AVX2 clones (target_clones; -Wno-psabi: its vector helpers are all inlined, no ABI crosses them)
compile repgeom_train_f64.c train_f64.o -ffp-contract=off -Wno-psabi
objs+=(jni.o train_f64.o)

lib="$out/librepgeom.$ext"
# -z defs: an undefined symbol is a link error here, not a load failure at run time
ldflags=(-shared)
[ "$os" = linux ] && ldflags+=(-Wl,-z,defs)
(cd "$tmp" && "$CC" "${ldflags[@]}" -o "$tmp/librepgeom.$ext" "${objs[@]}" -lm) || fail "linking failed"
mv -f "$tmp/librepgeom.$ext" "$lib" || fail "cannot write $lib"
echo "[repgeom native] built $lib"

# The cuBLAS bridge of the CUDA library path: its own small library (dlopen()s libcublas at run
# time, needs no CUDA to build), so that the CPU backend above never depends on libdl or CUDA.
"$CC" -std=gnu11 -O2 -fPIC -Wall -Wextra -Wno-unused-parameter -I"$inc" -I"$incos" -c "$here/repgeom_cublas.c" \
  -o "$tmp/cublas.o" || fail "compiling repgeom_cublas.c failed"
cublas_lib="$out/librepgeom_cublas.$ext"
(cd "$tmp" && "$CC" "${ldflags[@]}" -o "$tmp/librepgeom_cublas.$ext" cublas.o -ldl) || fail "linking librepgeom_cublas failed"
mv -f "$tmp/librepgeom_cublas.$ext" "$cublas_lib" || fail "cannot write $cublas_lib"
echo "[repgeom native] built $cublas_lib"
