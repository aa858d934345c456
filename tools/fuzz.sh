#!/usr/bin/env bash
# Run a libFuzzer campaign on one fuzz target of tests/fuzz/.
#
# Usage: tools/fuzz.sh TARGET SECONDS [--merge|--minimise] [LIBFUZZER_OPTION...]
#   TARGET      scenario | set | design | csv | number
#   SECONDS     length of the campaign (libFuzzer -max_total_time)
#   --merge     afterwards, add to the committed corpus tests/fuzz/corpus/TARGET
#               few inputs that cover the campaign's new edges (at most 200
#               files in all; FUZZ_MAX_FILES to change)
#   --minimise  the same, but rebuild the committed corpus from its files and
#               the campaign's, removing the files no longer needed
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
usage() { sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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
case ${1:-} in
  --merge) merge=merge; shift ;;
  --minimise) merge=minimise; shift ;;
esac

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

if [ "$merge" != 0 ]; then
  # libFuzzer's own -merge=1 keeps every input with a new feature (edge hit
  # counts included): hundreds of files.  Instead, record the edges of every
  # input (-merge_control_file) and pick inputs greedily, each time the one
  # that covers most edges not yet covered (a committed file, then the
  # smaller, on a tie), until none adds any or the corpus has $max_files
  # files.  --merge starts from the whole committed corpus and only adds;
  # --minimise starts from nothing and removes the committed files it did
  # not pick.
  max_files=${FUZZ_MAX_FILES:-200}
  control=$build/logs/$target-merge.txt
  scratch=$(mktemp -d)
  "$exe" -merge=1 -use_counters=0 -merge_control_file="$control" \
         "$scratch" "$seeds" "$work" >"$build/logs/$target-merge.log" 2>&1 || true
  rm -rf "$scratch"
  python3 - "$control" "$seeds" "$max_files" "$merge" <<'PY'
import hashlib, os, shutil, sys
control, seeds, cap, mode = sys.argv[1], os.path.realpath(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = open(control).read().split("\n")
n = int(lines[0])
files = lines[2:2 + n]
cov = {i: set() for i in range(n)}
for line in lines[2 + n:]:
    if line.startswith("COV "):
        f = line.split()
        cov[int(f[1])] = set(f[2:])
committed = {i for i, p in enumerate(files) if os.path.dirname(os.path.realpath(p)) == seeds}
everything = set().union(*cov.values())
keep = set(committed) if mode == "merge" else set()
covered = set().union(*(cov[i] for i in keep))
while len(keep) < cap:
    best = max((i for i in range(n) if i not in keep), default=None,
               key=lambda i: (len(cov[i] - covered), i in committed, -os.path.getsize(files[i])))
    if best is None or not cov[best] - covered:
        break
    keep.add(best)
    covered |= cov[best]
added = removed = 0
for i in sorted(keep - committed):
    data = open(files[i], "rb").read()
    name = os.path.join(seeds, hashlib.sha1(data).hexdigest())
    if not os.path.exists(name):
        shutil.copyfile(files[i], name)
        added += 1
for i in sorted(committed - keep):
    os.remove(files[i])
    removed += 1
print("fuzz.sh: %d input(s) added to and %d removed from %s: %d files, covering %d of the "
      "%d edges seen" % (added, removed, seeds, len(os.listdir(seeds)), len(covered),
                         len(everything)))
PY
fi
exit "$status"
