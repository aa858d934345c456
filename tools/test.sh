#!/usr/bin/env bash
# README command 2: install what is missing, then build and run the whole
# test suite three times: a debug build with warnings as errors, an
# optimised release build (timing-sensitive code behaves differently when
# fast), and an AddressSanitizer + UBSan build with leak detection on; then
# the command line under valgrind's memcheck on the debug build
# (ctest -L valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
jobs=$(nproc)
for preset in dev release asan; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  ctest --preset "$preset" -j "$jobs" -LE valgrind
done
echo "== dev: the command line under valgrind"
ctest --preset dev -L valgrind
echo "== all tests passed on the dev, release and asan builds and under valgrind"
