#!/usr/bin/env bash
# test_install.sh - `cmake --install` to a prefix inside the build tree, then
# build examples/embed.c against the installed files twice, with CMake
# (find_package(dealsim)) and with pkg-config (dealsim.pc), run both, and
# check that they print what the installed `dealsim run` reports.
#
#   test_install.sh SOURCE_DIR BUILD_DIR WORK_DIR CC [EXTRA_FLAGS]
#
# WORK_DIR (inside the build tree) is emptied and holds everything this
# writes, temporary files included.  EXTRA_FLAGS go to every compile and link
# of the example (the sanitizer flags of a sanitizer build, whose library
# needs its runtime).
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
  echo "usage: test_install.sh SOURCE_DIR BUILD_DIR WORK_DIR CC [EXTRA_FLAGS]" >&2
  exit 2
fi
src=$1 build=$2 work=$3 cc=$4 extra=${5:-}
draws=3000  # "a few thousand": enough for distinct figures, quick under ASan
seed=11

fail() { echo "test_install: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

rm -rf "$work"
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp  # the compilers' temporary files stay in the build tree
prefix=$work/prefix

step "install to $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || {
  cat "$work/install.log" >&2; fail "cmake --install failed"; }
for f in bin/dealsim include/dealsim/run.h include/dealsim/scenario.h \
         include/dealsim/stats.h share/dealsim/scenarios/japan_us_2025.json; do
  [ -f "$prefix/$f" ] || fail "$f is not installed"
done
[ -x "$prefix/bin/dealsim" ] || fail "bin/dealsim is not executable"
lib=$(find "$prefix" -name 'libdealsim_core.*' | head -n 1)
[ -n "$lib" ] || fail "no libdealsim_core under the prefix"
pc=$(find "$prefix" -name dealsim.pc)
[ "$(printf '%s\n' "$pc" | wc -l)" -eq 1 ] && [ -n "$pc" ] || fail "want one dealsim.pc, found: '$pc'"
config=$(find "$prefix" -name dealsimConfig.cmake)
[ -n "$config" ] || fail "no dealsimConfig.cmake under the prefix"
[ -f "$(dirname "$config")/dealsimConfigVersion.cmake" ] || fail "no dealsimConfigVersion.cmake"
if grep -rqF -- "$src" "$(dirname "$config")" "$pc"; then
  fail "the installed package names the source tree"
fi
"$prefix/bin/dealsim" --version >"$work/version.txt" || fail "installed dealsim --version failed"
# The installed JSON Schema is what the program prints; the man pages and
# completions are there.
"$prefix/bin/dealsim" schema >"$work/schema.json" || fail "installed dealsim schema failed"
cmp -s "$work/schema.json" "$prefix/share/dealsim/scenario.schema.json" ||
  fail "share/dealsim/scenario.schema.json is missing or is not what \`dealsim schema\` prints"
for f in man/man1/dealsim.1 man/man1/dealsim-run.1 man/man1/dealsim-schema.1 \
         man/man5/dealsim-scenario.5 bash-completion/completions/dealsim \
         zsh/site-functions/_dealsim; do
  [ -s "$prefix/share/$f" ] || fail "share/$f is not installed"
done

export PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
pkg-config --exists dealsim || fail "pkg-config does not find dealsim"
[ "$(pkg-config --modversion dealsim)" = "$(sed -n 's/^dealsim \([^ ]*\).*/\1/p' "$work/version.txt")" ] ||
  fail "dealsim.pc version $(pkg-config --modversion dealsim) is not the program's ($(cat "$work/version.txt"))"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs dealsim)"
read -r -a pc_cflags <<<"$(pkg-config --cflags dealsim)"
read -r -a xflags <<<"$extra"
strict=(-std=c11 -Wall -Wextra -pedantic -Werror)

step "every installed header compiles on its own"
for h in "$prefix"/include/dealsim/*.h; do
  printf '#include <dealsim/%s>\n' "$(basename "$h")" |
    "$cc" "${strict[@]}" "${pc_cflags[@]}" -fsyntax-only -x c - ||
    fail "include/dealsim/$(basename "$h") does not compile alone"
done

step "build the example with CMake (find_package(dealsim))"
cmake -S "$src/examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${strict[*]} $extra" \
      -DCMAKE_EXE_LINKER_FLAGS="$extra" >"$work/cmake-configure.log" || {
  cat "$work/cmake-configure.log" >&2; fail "configuring examples/ failed"; }
found=$(sed -n 's/^dealsim_DIR:PATH=//p' "$work/cmake-build/CMakeCache.txt")
[ "$found" = "$(dirname "$config")" ] || fail "find_package(dealsim) found '$found', not the installed package"
cmake --build "$work/cmake-build" >"$work/cmake-build.log" 2>&1 || {
  cat "$work/cmake-build.log" >&2; fail "building examples/ with CMake failed"; }

step "build the example with pkg-config"
"$cc" -o "$work/embed-pc" "${xflags[@]}" "$src/examples/embed.c" "${pc_flags[@]}" ||
  fail "cc embed.c \$(pkg-config --cflags --libs dealsim) failed"

# check NAME OUT REF: OUT (the example's output) lists every strategy of REF
# (the summary CSV of `dealsim run`), in order, with REF's p_deal and
# p_deal_se to 6 decimals, each a probability.
check() {
  awk -v name="$1" '
    function fail(msg) { print "test_install: FAIL: " name ": " msg > "/dev/stderr"; bad = 1; exit 1 }
    FNR == 1 && NR == 1 { next }                       # CSV header
    NR == FNR {
      split($0, c, ",")
      n++; id[n] = c[1]; p[n] = sprintf("%.6f", c[3]); se[n] = sprintf("%.6f", c[4])
      next
    }
    FNR <= 2 { next }                                  # heading lines
    {
      k++
      if (k > n) fail("extra line: " $0)
      if ($1 != id[k]) fail("line " FNR ": strategy " $1 ", want " id[k])
      if (!($2 >= 0 && $2 <= 1)) fail($1 ": p_deal " $2 " is not in [0, 1]")
      if ($2 != p[k]) fail($1 ": p_deal " $2 ", dealsim run says " p[k])
      if ($3 != se[k]) fail($1 ": p_deal_se " $3 ", dealsim run says " se[k])
    }
    END { if (!bad && k != n) fail("printed " k + 0 " strategies, want " n) }
  ' "$3" "$2" || fail "$1: output differs from dealsim run (see above)"
}

step "run both and compare with dealsim run"
"$prefix/bin/dealsim" run -n 5000 -j 2 --format csv -q >"$work/builtin.csv"
"$prefix/bin/dealsim" run "$src/scenarios/tutorial.json" -n "$draws" -s "$seed" -j 2 \
  --format csv -q >"$work/tutorial.csv"
for exe in "$work/cmake-build/embed" "$work/embed-pc"; do
  how=$(basename "$exe")
  # A shared dealsim_core in a directory the loader does not search: CMake
  # records it in the program, pkg-config leaves it to the user.
  if [ "$how" = embed-pc ]; then
    export LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  # The built-in scenario with the defaults: 5000 draws, the scenario's seed (1).
  "$exe" >"$work/$how-builtin.txt" || fail "$how: the built-in scenario failed"
  head -n 1 "$work/$how-builtin.txt" |
    grep -qx 'Japan-US tariff talks, June 2025: the China card: 5000 draws, seed 1' ||
    fail "$how: unexpected heading: $(head -n 1 "$work/$how-builtin.txt")"
  check "$how (built-in)" "$work/$how-builtin.txt" "$work/builtin.csv"
  # A file, with draws and seed given.
  "$exe" "$src/scenarios/tutorial.json" "$draws" "$seed" >"$work/$how-tutorial.txt" ||
    fail "$how: tutorial.json failed"
  check "$how tutorial.json" "$work/$how-tutorial.txt" "$work/tutorial.csv"
  # A bad file: its problem on stderr, exit status 2, nothing on stdout.
  set +e
  "$exe" "$src/tests/data/bad/dist_normal_sd.json" >"$work/$how-bad.out" 2>"$work/$how-bad.err"
  rc=$?
  set -e
  [ $rc -eq 2 ] || fail "$how: a bad scenario exited $rc, want 2"
  [ ! -s "$work/$how-bad.out" ] || fail "$how: a bad scenario wrote to stdout"
  grep -qF 'dist_normal_sd.json: error: items.semis.cost.sd: must be >= 0, got -1' "$work/$how-bad.err" ||
    fail "$how: the problem is not reported: $(cat "$work/$how-bad.err")"
done
cmp -s "$work/embed-tutorial.txt" "$work/embed-pc-tutorial.txt" ||
  fail "the CMake and pkg-config builds print different figures"
echo "test_install: ok"
