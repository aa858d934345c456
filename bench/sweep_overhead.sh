#!/usr/bin/env bash
# Sweep overhead: a sweep of POINTS points x DRAWS draws against one run of
# POINTS*DRAWS draws of the same scenario, with 1 thread and with 2, both
# writing their CSV to a file in a temporary directory.  Each time is the
# best of PASSES passes, the sweep and the run alternating (wall-clock
# timing on a shared machine); the ratio sweep / run is printed for each
# thread count (target <= 1.1), with the median over the passes of the
# ratio of each pass's sweep and run CPU times: the two of a pass run a few
# seconds apart, so that figure moves less when the machine's speed
# changes between passes.
#
# The swept parameter is the mode of the baseline deficit's triangular
# distribution (baseline_deficit.mode, 58 to 70 bn/yr; the built-in
# scenario's is 60): a triangular variate costs the same whatever its mode,
# and the baseline only scales the deficits, so every point does the same
# work per draw as the run.
#
# Usage: bench/sweep_overhead.sh [SCENARIO [POINTS [DRAWS [PASSES]]]]
#        (default: the built-in Japan-US scenario, 1000 points, 1000
#        draws, 5 passes).  Uses build/release/dealsim (built here) unless
#        DEALSIM names another executable.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/japan_us_2025.json}
points=${2:-1000}
draws=${3:-1000}
passes=${4:-5}
if [ -z "${DEALSIM:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target dealsim >/dev/null
  DEALSIM=build/release/dealsim
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$DEALSIM" "$scenario" "$points" "$draws" "$passes" "$tmp" <<'PY'
import os, subprocess, sys, time
dealsim, scen, points, draws, passes, tmp = sys.argv[1:]
points, draws, passes = int(points), int(draws), int(passes)

def timed(args, out):
    t = time.perf_counter()
    p = subprocess.Popen([dealsim] + args + ["-q", "-o", os.path.join(tmp, out)])
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{dealsim} {' '.join(args)} failed")
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime

print(f"{scen}: sweep of {points} points x {draws} draws "
      f"(baseline_deficit.mode=58:70:{points}) against a run of "
      f"{points * draws} draws, best of {passes} alternating passes")
for j in (1, 2):
    run = ["run", scen, "-n", str(points * draws), "-j", str(j)]
    sweep = ["sweep", scen, "--vary", f"baseline_deficit.mode=58:70:{points}",
             "-n", str(draws), "-j", str(j)]
    best = {"run": (1e9, 1e9), "sweep": (1e9, 1e9)}
    pairs = []
    for _ in range(passes):
        got = {}
        for name, args in (("sweep", sweep), ("run", run)):
            w, c = timed(args, name + ".csv")
            got[name] = c
            best[name] = (min(best[name][0], w), min(best[name][1], c))
        pairs.append(got["sweep"] / got["run"])
    (rw, rc), (sw, sc) = best["run"], best["sweep"]
    pairs.sort()
    med = (pairs[(passes - 1) // 2] + pairs[passes // 2]) / 2
    print(f"-j {j}: sweep {sw:.3f} s wall / {sc:.3f} s CPU; "
          f"run {rw:.3f} s / {rc:.3f} s; "
          f"ratio {sw / rw:.3f} wall, {sc / rc:.3f} CPU; "
          f"median of the passes' CPU ratios {med:.3f}  (target <= 1.1)")
PY
