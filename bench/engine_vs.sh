#!/usr/bin/env bash
# The engine's speed against an earlier revision, and the cost of a
# horizon.  Builds bench_run of revision BASE (git archive into a temporary
# directory, release preset) and of this tree, then runs both on the same
# v1 scenario, seed and draws, alternately, and prints the single-thread
# engine rates and their ratio (target >= 0.9); then bench_horizon on
# bench/horizon.json, a scenario with H = 5 against itself at H = 1
# (target >= 0.7).  Each figure is the best of the passes: wall-clock
# timing on a shared machine.
# Usage: bench/engine_vs.sh [BASE [SCENARIO [DRAWS [PASSES]]]]
#        (default: the merge base with main, the built-in Japan-US
#        scenario, 200000 draws, 5 passes)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-$(git merge-base HEAD main)}
scenario=${2:-scenarios/japan_us_2025.json}
draws=${3:-200000}
passes=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$base" | tar -x -C "$tmp"
(cd "$tmp" && cmake --preset release >/dev/null &&
   cmake --build --preset release -j "$(nproc)" --target bench_run >/dev/null)
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_run bench_horizon >/dev/null
echo "engine on $scenario, $draws draws, 1 thread, best of $passes passes"
best_base=0 best_this=0
for _ in $(seq "$passes"); do
  b=$("$tmp/build/release/bench/bench_run" "$scenario" "$draws" 1 2>/dev/null |
      awk '$1 == "engine_1t" {print $2}')
  t=$(build/release/bench/bench_run "$scenario" "$draws" 1 2>/dev/null |
      awk '$1 == "engine_1t" {print $2}')
  best_base=$(( b > best_base ? b : best_base ))
  best_this=$(( t > best_this ? t : best_this ))
done
echo "engine_1t $(git rev-parse --short "$base"): $best_base draws/s"
echo "engine_1t this tree: $best_this draws/s"
awk -v a="$best_this" -v b="$best_base" \
  'BEGIN {printf "ratio this / base: %.3f  (target >= 0.9)\n", a / b}'
echo "horizon: bench/horizon.json at its horizon and at horizon 1"
build/release/bench/bench_horizon bench/horizon.json "$draws" 2>/dev/null
echo "(target: ratio >= 0.7)"
