#!/usr/bin/env bash
# Single-thread speed of this tree against an earlier revision, on the
# built-in Japan-US scenario and on bench/six_items.json (six items, five
# packages, four actors).  Builds bench_run of revision BASE (git archive
# into a temporary directory, release preset) and of this tree, then runs
# the two alternately, PASSES times on each scenario, and prints for each
# figure the best pass (wall-clock timing on a shared machine: the least
# disturbed pass):
#   run_1t      a whole run on one thread, engine + statistics (the figure
#               that matters), draws/s;
#   engine_1t   the engine alone, draws/s;
#   variates_1t the same random variates and nothing else, draws/s;
# the ratios this / base, and the floor ratio of each build, engine time
# over variates time (variates_1t / engine_1t).
# Usage: bench/speed.sh [BASE [DRAWS [PASSES]]]
#        (default: f047be6, 200000 draws, 5 passes).  BASE_BUILD=DIR reuses
#        (or keeps) the base's source tree and build in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-f047be6}
draws=${2:-200000}
passes=${3:-5}
if [[ -n "${BASE_BUILD:-}" ]]; then
  tmp=$BASE_BUILD
  mkdir -p "$tmp"
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi
if [[ ! -x "$tmp/build/release/bench/bench_run" ]]; then
  git archive "$base" | tar -x -C "$tmp"
  (cd "$tmp" && cmake --preset release >/dev/null &&
     cmake --build --preset release -j "$(nproc)" --target bench_run >/dev/null)
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_run >/dev/null
this_bin=build/release/bench/bench_run
base_bin=$tmp/build/release/bench/bench_run

# figure NAME OUTPUT: the value of line NAME of bench_run's output.
figure() { awk -v n="$1" '$1 == n {print $2; exit}' <<<"$2"; }
max() { echo $(( $1 > $2 ? $1 : $2 )); }

echo "single thread, $draws draws, best of $passes alternating passes;" \
     "base $(git rev-parse --short "$base"), this tree $(git rev-parse --short HEAD)$(
     git diff --quiet HEAD -- . || echo ' + changes')"
for scenario in scenarios/japan_us_2025.json bench/six_items.json; do
  declare -A best=()
  for k in base this; do
    for f in run_1t engine_1t variates_1t; do best[$k.$f]=0; done
  done
  for _ in $(seq "$passes"); do
    for k in base this; do
      bin=$this_bin
      [[ $k == base ]] && bin=$base_bin
      out=$("$bin" "$scenario" "$draws" 1 2>/dev/null)
      for f in run_1t engine_1t variates_1t; do
        best[$k.$f]=$(max "${best[$k.$f]}" "$(figure "$f" "$out")")
      done
    done
  done
  echo "$scenario"
  for f in run_1t engine_1t variates_1t; do
    awk -v f="$f" -v b="${best[base.$f]}" -v t="${best[this.$f]}" \
      'BEGIN {printf "  %-12s base %9d  this %9d draws/s  ratio %.3f\n", f, b, t, t / b}'
  done
  awk -v bv="${best[base.variates_1t]}" -v be="${best[base.engine_1t]}" \
      -v tv="${best[this.variates_1t]}" -v te="${best[this.engine_1t]}" \
    'BEGIN {printf "  floor ratio (engine time / variates time): base %.2f  this %.2f\n",
            bv / be, tv / te}'
  unset best
done
echo "(target: run_1t and engine_1t ratios >= 1.5 on both scenarios)"
