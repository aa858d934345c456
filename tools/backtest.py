#!/usr/bin/env python3
"""The back-test figures of docs/backtest.md, per strategy of a scenario.

    tools/backtest.py SCENARIO [dealsim run options, e.g. -n 20000 -s 1 -j 2]

Runs `dealsim run` (the dealsim on PATH) once with a per-draw file and
prints, for every strategy: P(deal by the first deadline), the share of
draws with a deal in the extension, P(deal) at all, the mean export-weighted
tariff given a deal and the share of deals whose tariff is within 2.5
points of 15%, and the mean benefit given a deal.
"""
import csv, io, os, subprocess, sys, tempfile

if len(sys.argv) < 2:
    sys.exit(__doc__)
scenario, opts = sys.argv[1], sys.argv[2:]
with tempfile.TemporaryDirectory() as tmp:
    draws = os.path.join(tmp, "draws.csv")
    res = subprocess.run(["dealsim", "run", scenario, *opts, "-q", "--format", "csv",
                          "--draws-out", draws], stdout=subprocess.PIPE, text=True)
    if res.returncode != 0:
        sys.exit(res.returncode)
    summary = list(csv.DictReader(io.StringIO(res.stdout)))
    deals = {r["strategy"]: [] for r in summary}
    with open(draws, newline="") as f:
        for r in csv.DictReader(f):
            if r["deal"] == "1":
                deals[r["strategy"]].append(float(r["tariff"]))

print(f"{'strategy':<24} {'by deadline':>11} {'extension':>9} {'P(deal)':>7} "
      f"{'tariff|deal':>11} {'15%±2.5|deal':>12} {'benefit|deal':>12}")
for r in summary:
    p, ext = float(r["p_deal"]), float(r["p_deal_in_extension"])
    t = deals[r["strategy"]]
    mean_t = f"{100 * sum(t) / len(t):.1f}%" if t else "-"
    near = f"{sum(1 for x in t if abs(x - 0.15) <= 0.025) / len(t):.2f}" if t else "-"
    bgd = r["benefit_given_deal_mean"]
    bgd = f"{float(bgd):+.1f}" if bgd else "-"
    print(f"{r['strategy']:<24} {p - ext:>11.3f} {ext:>9.3f} {p:>7.3f} {mean_t:>11} "
          f"{near:>12} {bgd:>12}")
