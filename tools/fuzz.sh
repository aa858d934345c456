#!/usr/bin/env bash
# Run a libFuzzer campaign on one fuzz target of tests/fuzz/.
#
# Usage: tools/fuzz.sh TARGET SECONDS [--merge] [LIBFUZZER_OPTION...]
#   TARGET    scenario | set | design | csv | number
#   SECONDS   length of the campaign (libFuzzer -max_total_time)
#   --merge   afterwards, copy the inputs that reach new coverage into the
#             committed corpus tests/fuzz/corpus/TARGET (libFuzzer -merge=1)
#   LIBFUZZER_OPTION...  passed on, e.g. -jobs=1, -max_len=8192, -seed=1
#
# Builds the target with clang into build/fuzz (ASan + UBSan + libFuzzer,
# the library instrumented for coverage), then fuzzes from the committed
# corpus with the target's dictionary.  New inputs go to build/fuzz/corpus/
# TARGET (kept between campaigns), crashes to build/fuzz/artifacts/TARGET/,
# libFuzzer's output to build/fuzz/logs/.  The committed corpus is only
# read, unless --merge is given.  Prints libFuzzer's final statistics
# (executions, cov, ft) and exits non-zero when it found a crash.
# Reproduce a crash with the replay program of any build:
#   build/asan/tests/fuzz/fuzz_TARGET_replay build/fuzz/artifacts/TARGET/crash-...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
case $target in
  scenario|set|design) dict=scenario.dict ;;
  csv) dict=csv.dict ;;
  number) dict=number.dict ;;
  *) echo "fuzz.sh: unknown target '$target'" >&2; usage ;;
esac
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] ||
  { echo "fuzz.sh: SECONDS must be a whole number >= 1, got '$seconds'" >&2; exit 2; }
merge=0
if [ "${1:-}" = --merge ]; then
  merge=1
  shift
fi

cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null ||
  { echo "fuzz.sh: $cc not found (tools/deps.sh installs clang and libFuzzer)" >&2; exit 1; }

build=$root/build/fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  # -O1: fast enough to fuzz, and asserts and stack traces stay useful.
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_FLAGS=-O1 -DDEALSIM_SANITIZE=ON -DDEALSIM_FUZZ=ON \
        -DBUILD_TESTING=ON >/dev/null
fi
cmake --build "$build" --target "fuzz_$target" -j "${FUZZ_BUILD_JOBS:-2}" >/dev/null

exe=$build/tests/fuzz/fuzz_$target
seeds=$root/tests/fuzz/corpus/$target
work=$build/corpus/$target
artifacts=$build/artifacts/$target/
mkdir -p "$work" "$artifacts" "$build/logs"

# The first directory receives new inputs; the committed seeds are read.
log=$build/logs/$target-$(date +%Y%m%d-%H%M%S).log
status=0
(cd "$build/logs" &&
  "$exe" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
         -dict="$root/tests/fuzz/$dict" -artifact_prefix="$artifacts" \
         "$@" "$work" "$seeds") >"$log" 2>&1 || status=$?
# With -jobs=N, libFuzzer's own output is in fuzz-<job>.log files.
for job in "$build"/logs/fuzz-*.log; do
  [ -f "$job" ] || continue
  cat "$job" >>"$log"
  rm -f "$job"
done

echo "fuzz.sh: $target, $seconds s; full log: $log"
grep -E '^#[0-9]+' "$log" | grep -E 'cov:' | tail -n 1 || true
grep -E '^stat::' "$log" | awk '!seen[$0]++' || true
grep -E 'ERROR:|SUMMARY:|property failed|Test unit written' "$log" || true
echo "fuzz.sh: $(find "$work" -type f | wc -l) input(s) in $work"

if [ "$merge" = 1 ]; then
  before=$(find "$seeds" -type f | wc -l)
  "$exe" -merge=1 "$seeds" "$work" >/dev/null 2>&1
  after=$(find "$seeds" -type f | wc -l)
  echo "fuzz.sh: merged $((after - before)) new input(s) into tests/fuzz/corpus/$target ($after files)"
  [ "$after" -le 200 ] ||
    echo "fuzz.sh: the committed corpus has more than 200 files: minimise it" >&2
fi
exit "$status"
