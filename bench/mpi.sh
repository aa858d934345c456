#!/usr/bin/env bash
# Runs over processes (SPEC §14) on this machine: the MPI efficiency,
# `mpirun -n 2 dealsim run -j 1` against `mpirun -n 1 dealsim run -j 1` on
# the same draws (target: >= 1.8x on 2 cores, 90% efficiency), each the
# best of PASSES alternating passes of whole-process wall-clock time; then
# the costs behind the scaling estimate of docs/cluster.md (bench_mpi):
# one block's time, the bytes a process sends rank 0, and rank 0's time to
# unpack and merge them.
# Usage: bench/mpi.sh [SCENARIO [DRAWS [PASSES]]]
#        (default: the built-in Japan-US scenario, 10^7 draws, 3 passes)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/japan_us_2025.json}
draws=${2:-10000000}
passes=${3:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
command -v mpirun >/dev/null || { echo "bench/mpi.sh: mpirun not found (tools/deps.sh installs it)" >&2; exit 1; }
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target dealsim bench_mpi >/dev/null
ldd build/release/dealsim | grep -q libmpi ||
  { echo "bench/mpi.sh: dealsim was built without MPI" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
secs() {
  local n=$1 t0 t1
  t0=$(date +%s.%N)
  mpirun --oversubscribe -n "$n" build/release/dealsim run "$scenario" -n "$draws" -s 1 -j 1 \
    -q --no-progress -o "$tmp/n$n.csv" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
}
best1=1e9 best2=1e9
for _ in $(seq "$passes"); do
  t=$(secs 1); best1=$(awk -v a="$t" -v b="$best1" 'BEGIN {print (a < b) ? a : b}')
  t=$(secs 2); best2=$(awk -v a="$t" -v b="$best2" 'BEGIN {print (a < b) ? a : b}')
done
cmp -s "$tmp/n1.csv" "$tmp/n2.csv" || { echo "bench/mpi.sh: outputs differ" >&2; exit 1; }
echo "run on $scenario, $draws draws, -j 1, best of $passes passes (whole process)"
printf 'mpirun -n 1: %.2f s\nmpirun -n 2: %.2f s\n' "$best1" "$best2"
echo "$best1 $best2" | awk '{printf "speed-up -n 2 / -n 1: %.2fx, efficiency %.0f%%  (target >= 1.8x)\n", $1 / $2, 50 * $1 / $2}'
echo "costs per block and per message (bench_mpi, 64 blocks):"
build/release/bench/bench_mpi "$scenario" 64
