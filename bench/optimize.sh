#!/usr/bin/env bash
# `dealsim optimize` (SPEC §12), one run each, on the built-in scenario (six
# items), release build:
#  1. the marginal cost of one more strategy in `run`, on one thread:
#     m = (t_S - t_1) / (S - 1), t_S the run of the scenario's S strategies,
#     t_1 the same scenario with one of them (--set strategies=...: the same
#     world, the same packages);
#  2. optimize with 3 intensities (0, 0.5, 1) for each of the 6 items = 729
#     candidates, on one thread: target t_729 <= 729 m + t_1 (the world of
#     one run, plus 729 strategies);
#  3. peak resident memory of optimize at 10^4 candidates
#     (5 x 5 x 5 x 4 x 4 x 5 intensities), on all threads: target < 256 MiB.
# Usage: bench/optimize.sh [DRAWS [DRAWS_MEMORY]]  (default 100000, 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
draws=${1:-100000}
mdraws=${2:-20000}
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target dealsim >/dev/null
python3 - "$draws" "$mdraws" <<'PY'
import json, os, subprocess, sys, time
draws, mdraws = sys.argv[1], sys.argv[2]
B = "build/release/dealsim"
scen = json.load(open("scenarios/japan_us_2025.json"))
S = len(scen["strategies"])
one = json.dumps([scen["strategies"][0]])

def timed(args):
    # CPU time of the child (user + system), not wall-clock: on one thread
    # they agree on an idle machine, and CPU time does not count the time
    # the process waits for a core on a shared one.
    p = subprocess.Popen([B] + args, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return ru.ru_utime + ru.ru_stime

def peak(args):
    p = subprocess.Popen([B] + args, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)      # ru_maxrss: KiB on Linux
    assert os.waitstatus_to_exitcode(status) == 0
    return ru.ru_maxrss / 1024.0

common = ["-n", draws, "-j", "1", "-q"]
t_s = timed(["run"] + common + ["--format", "csv"])
t_1 = timed(["run"] + common + ["--format", "csv", "--set", "strategies=" + one])
m = (t_s - t_1) / (S - 1)
items = [i["id"] for i in scen["items"]]
levels = []
for i in items:
    levels += ["--item", i + "=0,0.5,1"]
t_o = timed(["optimize"] + common + levels + ["-o", "/dev/null"])
print(f"CPU seconds; run, {S} strategies, {draws} draws, 1 thread: {t_s:.2f} s; 1 strategy: {t_1:.2f} s")
print(f"marginal cost of a strategy: {m * 1000:.1f} ms")
bound = 729 * m + t_1
print(f"optimize, 729 candidates: {t_o:.2f} s; 729 x marginal + one run: {bound:.2f} s; "
      f"ratio {t_o / bound:.3f}  (target <= 1)")
counts = [5, 5, 5, 4, 4, 5]
big = []
for i, k in zip(items, counts):
    big += ["--item", i + "=" + ",".join(str(j / (k - 1)) for j in range(k))]
mib = peak(["optimize", "-n", mdraws, "-q", "-o", "/dev/null"] + big)
print(f"optimize, 10000 candidates, {mdraws} draws, {os.cpu_count()} threads: "
      f"peak RSS {mib:.1f} MiB  (target < 256)")
PY
