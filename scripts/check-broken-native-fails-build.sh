#!/usr/bin/env bash
# Shows that a C file which no longer compiles fails `mvn package` (instead of a green build with
# the native tests silently skipped): copies the tracked tree to a temporary folder, breaks
# native/repgeom_train.c there, runs the package build and expects it to fail on the native step.
#
#   scripts/check-broken-native-fails-build.sh        (exit 0: the build failed as it should)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && git ls-files -z | xargs -0 tar cf - ) | (cd "$tmp" && tar xf -)
echo 'int rg_deliberately_broken(void) { return undeclared_name; }' >> "$tmp/native/repgeom_train.c"
if (cd "$tmp" && mvn -B -ntp -o -q -DskipTests -Drepgeom.cuda.skip=true -pl java package) > "$tmp/build.log" 2>&1; then
    echo "FAIL: mvn package succeeded with a broken native/repgeom_train.c" >&2
    exit 1
fi
if ! grep -q '\[repgeom native\] ERROR: compiling repgeom_train.c' "$tmp/build.log"; then
    echo "FAIL: the build failed, but not on the native compile:" >&2
    tail -20 "$tmp/build.log" >&2
    exit 1
fi
echo "ok: mvn package fails on a broken C file:"
grep -m1 'undeclared_name' "$tmp/build.log" || true
grep -m1 '\[repgeom native\] ERROR' "$tmp/build.log"
