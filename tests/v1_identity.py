#!/usr/bin/env python3
"""Model v1 files read by the model v2 engine give the v1 results.

tests/golden/v1/ holds what the v1 model printed (summary CSV at 3000 draws,
per-draw CSV at 300, seed 7), for each v1 scenario below, as given and with
home.tariff_burden set to 0 (tests/data/v1/full.json is the v1 form of
tests/data/good/full.json, which now uses the keys of model v2 too).  The
v2 engine must print the same bytes in every v1 column, except:
  - as given, the columns that the corrected pass-through of SPEC 5.4
    changes: the deficit and benefit columns (their means, standard errors
    and quantiles; per draw, deficit and benefit);
  - the quantile columns (_p05, _p50, _p95), which are now exact at values
    many draws share (SPEC 6): a changed quantile must stay within 0.5% of
    the largest of the old three, the old one being within 0.1% of the range.
With a burden of 0 the pass-through changes nothing (border prices do not
move), so every other column is the same bytes.  Columns v2 appends after
the v1 ones are not compared.
  tests/v1_identity.py DEALSIM SOURCE_DIR
"""
import csv, io, os, subprocess, sys

dealsim, src = sys.argv[1], sys.argv[2]
gold = os.path.join(src, "tests/golden/v1")
scenarios = ["tests/data/good/japan_us_2025_v1.json", "scenarios/tutorial.json",
             "tests/data/good/minimal.json", "tests/data/v1/full.json",
             "tests/data/oracle/economics.json", "tests/data/oracle/retaliation.json"]
PASS_SUMMARY = {"deficit_mean", "deficit_se", "deficit_p05", "deficit_p50", "deficit_p95",
                "deficit_change_mean", "benefit_mean", "benefit_se", "benefit_p05",
                "benefit_p50", "benefit_p95"}
PASS_DRAWS = {"deficit", "benefit"}


def run(args):
    p = subprocess.run([dealsim] + args + ["-q", "--format", "csv"], capture_output=True,
                       text=True, cwd=src)
    if p.returncode != 0:
        sys.exit(f"FAIL: dealsim {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def compare(name, old_text, new_text, passing):
    old, new = rows(old_text), rows(new_text)
    bad = 0
    if len(old) != len(new):
        print(f"FAIL {name}: {len(old)} rows before, {len(new)} now")
        return 1
    head = old[0]
    if new[0][:len(head)] != head:
        print(f"FAIL {name}: the v1 columns are not the first ones, in order")
        return 1
    checked = 0
    for r, (a, b) in enumerate(zip(old[1:], new[1:]), start=2):
        for c, col in enumerate(head):
            if a[c] == b[c]:
                checked += 1
                continue
            if col in passing:
                continue
            if col.endswith(("_p05", "_p50", "_p95")) and a[c] and b[c]:
                # The old quantile was within 0.1% of the range of its
                # metric; the spread of its three quantiles stands for that.
                stem = col[:-4]
                qs = [abs(float(a[head.index(stem + q)])) for q in ("_p05", "_p50", "_p95")
                      if a[head.index(stem + q)]]
                if abs(float(a[c]) - float(b[c])) <= 5e-3 * max(qs):
                    continue
            print(f"FAIL {name}: row {r}, column {col}: {a[c]!r} before, {b[c]!r} now")
            bad += 1
            if bad > 10:
                return bad
    print(f"ok   {name}: {checked} cells the same bytes")
    return bad


failed = 0
for s in scenarios:
    n = os.path.splitext(os.path.basename(s))[0]
    for tag, extra in (("", []), (".b0", ["--set", "home.tariff_burden=0"])):
        pass_s = PASS_SUMMARY if not tag else set()
        pass_d = PASS_DRAWS if not tag else set()
        with open(os.path.join(gold, f"{n}{tag}.csv")) as f:
            failed += compare(f"{n}{tag} summary", f.read(),
                              run(["run", s, "-n", "3000", "-s", "7", "-j", "2"] + extra), pass_s)
        with open(os.path.join(gold, f"{n}{tag}.draws.csv")) as f:
            old = f.read()
        tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"dealsim-v1-{os.getpid()}.csv")
        try:
            run(["run", s, "-n", "300", "-s", "7", "-j", "2", "--draws-out", tmp] + extra)
            with open(tmp) as f:
                failed += compare(f"{n}{tag} per draw", old, f.read(), pass_d)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
print("v1 identity:", "FAILED" if failed else "ok")
sys.exit(1 if failed else 0)
