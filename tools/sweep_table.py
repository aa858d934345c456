#!/usr/bin/env python3
"""Example: run a dealsim sweep from Python (standard library only) and print
P(deal) for each strategy at each point as a small table.

    tools/sweep_table.py [--dealsim PATH] [--draws N]

It sweeps the number of rounds before the deadline in the built-in Japan-US
scenario; change VARY to sweep anything else (any path of the scenario).
"""
import argparse
import csv
import io
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VARY = "protocol.rounds=1,2,3,4,5"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dealsim", default=os.path.join(HERE, "..", "build", "release", "dealsim"))
    ap.add_argument("--draws", type=int, default=20000)
    args = ap.parse_args()

    cmd = [args.dealsim, "sweep", "--vary", VARY, "-n", str(args.draws), "-q"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        return res.returncode

    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    path = VARY.split("=")[0]
    points = sorted({int(r["point"]) for r in rows})
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    cell = {(int(r["point"]), r["strategy"]): float(r["p_deal"]) for r in rows}
    value = {int(r["point"]): r[path] for r in rows}

    width = max(len(s) for s in strategies)
    print(f"P(deal) by {path}")
    print(" " * width + "".join(f"{value[p]:>8}" for p in points))
    for s in strategies:
        print(f"{s:<{width}}" + "".join(f"{cell[(p, s)]:8.3f}" for p in points))
    return 0


if __name__ == "__main__":
    sys.exit(main())
