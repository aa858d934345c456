#!/usr/bin/env bash
# Benchmarks (SPEC §5-§7 targets): draws/s of the engine and of whole runs on
# one and on all threads, against the floor of generating the same random
# variates alone; peak resident memory of `dealsim run` at 10^5 and 10^7
# draws.  Usage: tools/bench.sh [SCENARIO] [DRAWS]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/japan_us_2025.json}
draws=${2:-1000000}
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target dealsim bench_run >/dev/null
threads=$(nproc)
echo "machine: $(nproc) cores; scenario: $scenario; $draws draws"
out=$(build/release/bench/bench_run "$scenario" "$draws" "$threads" 2>/dev/null)
echo "$out"
python3 - "$out" "$threads" <<'PY'
import sys
v = {l.split()[0]: float(l.split()[1]) for l in sys.argv[1].splitlines()}
t = sys.argv[2]
print(f"engine time per draw / variates-only floor: {v['variates_1t'] / v['engine_1t']:.2f}  (target <= 2)")
print(f"run {t} threads / 1 thread: {v['run_' + t + 't'] / v['run_1t']:.2f}x  (target >= 1.8 on 2 cores)")
print(f"single-thread run: {v['run_1t']:.0f} draws/s  (target >= 500000)")
PY
python3 - "$scenario" <<'PY'
import os, subprocess, sys
def peak(n):
    # wait4 gives this child's own rusage: ru_maxrss in KiB on Linux.
    p = subprocess.Popen(["build/release/dealsim", "run", sys.argv[1], "-n", str(n),
                          "-q", "-o", "/dev/null"])
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return ru.ru_maxrss / 1024.0
small = peak(10**5)
big = peak(10**7)
print(f"peak RSS: 1e5 draws {small:.1f} MiB, 1e7 draws {big:.1f} MiB, ratio {big / small:.2f}  (target <= 1.2, < 64 MiB)")
PY
python3 - "$scenario" <<'PY'
import os, subprocess, sys, time
# Sweep overhead (SPEC §9): a sweep of P points x N draws against one run of
# P*N draws, all threads, best of 5 alternating runs (wall and CPU seconds).
def timed(args):
    t = time.perf_counter()
    p = subprocess.Popen(["build/release/dealsim"] + args + ["-q", "-o", "/dev/null"])
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime
scen = sys.argv[1]
for P, N in ((1000, 1000), (100, 10000), (10, 100000)):
    run = ["run", scen, "-n", str(P * N)]
    sweep = ["sweep", scen, "--vary", f"home.discount=0.9:1:{P}", "-n", str(N)]
    best = {"run": (1e9, 1e9), "sweep": (1e9, 1e9)}
    for _ in range(5):
        for name, args in (("run", run), ("sweep", sweep)):
            w, c = timed(args)
            best[name] = (min(best[name][0], w), min(best[name][1], c))
    (rw, rc), (sw, sc) = best["run"], best["sweep"]
    print(f"sweep {P} points x {N} draws: {sw:.2f} s wall / {sc:.2f} s CPU; "
          f"run of {P * N} draws: {rw:.2f} s / {rc:.2f} s; "
          f"ratio {sw / rw:.2f} wall, {sc / rc:.2f} CPU  (target <= 1.1)")
PY
