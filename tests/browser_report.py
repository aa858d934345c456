#!/usr/bin/env python3
"""browser_report.py - `dealsim report` loaded in a real headless browser.

Writes the report of the built-in scenario with a sweep file (made here by
`dealsim sweep`, two paths on a grid) and an optimize file (made here by
`dealsim optimize`: every package of the scenario's items), opens it in Debian's chromium driven over the DevTools protocol
(--remote-debugging-pipe; only the standard library is used), and checks:

- no console message of level error, no exception, no CSP violation;
- no network request other than the page itself (the page is self-contained);
- the DOM holds the expected number of charts (one <svg class="chart"> per
  <figure>, counted from the scenario, the sweep and the optimize file
  independently of the page) and every chart renders at a nonzero size;
- every strategy's label is a row of each summary table, in scenario order;
- a full-page PNG screenshot is written to OUT_DIR/report.png.

With --readme-png FILE it also writes a small screenshot of the first charts
(for the README).  Without chromium the test prints SKIPPED and exits
with 77 (ctest's SKIP_RETURN_CODE), never passing.

usage: browser_report.py --dealsim BIN --source DIR --out-dir DIR [--readme-png FILE]
"""
import argparse
import base64
import csv
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
TIMEOUT_S = 120
# The sweep: two paths on a 3 x 2 grid, few draws (the page's shape is
# what is tested here, not the figures).
SWEEP_ARGS = ["--vary", "actors.trump.threshold=0.1:0.5:3",
              "--vary", "protocol.disconnect=0,0.2", "-n", "2000", "-q"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium over --remote-debugging-pipe: it reads commands on fd 3 and
    writes replies and events on fd 4, each a JSON text ended by NUL."""

    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        args = [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from chromium")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            e = self._read(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


def expected_charts(scenario, sweep_csv, optimize_csv):
    """Charts the page must hold, counted from its inputs: P(deal), deal
    rounds, deficit year 1, deficit year H (when the horizon is longer than
    a year), benefit, benefit given a deal, deals that lose money,
    approvals, retaliation (with third parties); the tornadoes of deal and
    benefit of every strategy (the built-in scenario has uncertain inputs);
    per sweep metric and numeric varied path one; one for the optimize
    file."""
    n = 7 + (scenario.get("horizon", 1) > 1) + (len(scenario.get("third_parties", [])) > 0)
    n += 2 * len(scenario["strategies"])
    with open(sweep_csv, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    paths = header[1:header.index("strategy")]
    metrics = [m for m in ("p_deal", "deficit_mean", "benefit_mean") if m in header]
    n += len(paths) * len(metrics)
    if optimize_csv:
        n += 1
    return n


PROBE = r"""
(() => {
  const charts = [...document.querySelectorAll('figure.fig svg.chart')];
  return JSON.stringify({
    figures: document.querySelectorAll('figure.fig').length,
    charts: charts.map(s => {
      const r = s.getBoundingClientRect();
      return {id: s.id, w: r.width, h: r.height,
              title: (s.querySelector('title') || {}).textContent || '',
              desc: ((s.querySelector('desc') || {}).textContent || '').length};
    }),
    svgs: document.querySelectorAll('svg').length,
    tables: [...document.querySelectorAll('#summary table')].map(
      t => [...t.querySelectorAll('tbody th[scope=row]')].map(h => h.textContent)),
    scripts: document.querySelectorAll('script').length,
    external: [...document.querySelectorAll('[src],[href]')].filter(
      e => !(e.tagName === 'A' && e.getAttribute('href').startsWith('#'))).map(e => e.outerHTML),
    height: document.documentElement.scrollHeight,
    first: document.getElementById('p-deal').getBoundingClientRect().top + window.scrollY
  });
})()
"""


def load(b, session, url):
    """Load url in the page and wait for it; the console errors,
    exceptions, error log entries and requests for anything but url itself
    that came with it."""
    problems = []
    b.events.clear()
    b.send("Page.navigate", {"url": url}, session=session)
    b.wait_event("Page.loadEventFired", timeout=TIMEOUT_S)
    # Let late events arrive, then collect everything up to a round trip.
    time.sleep(0.5)
    b.send("Runtime.evaluate", {"expression": "1"}, session=session)
    for e in b.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append("console %s: %s" % (p["type"], json.dumps(p.get("args"))[:300]))
        elif m == "Runtime.exceptionThrown":
            problems.append("exception: %s" % json.dumps(p)[:300])
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append("log error: %s" % p["entry"].get("text", "")[:300])
        elif m == "Network.requestWillBeSent" and p["request"]["url"] != url:
            problems.append("network request: %s" % p["request"]["url"][:300])
    b.events.clear()
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dealsim", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--readme-png")
    a = ap.parse_args()

    exe = find_chromium()
    if not exe:
        print("SKIPPED: chromium not found; tools/deps.sh installs it (apt-get install chromium)")
        return SKIP

    os.makedirs(a.out_dir, exist_ok=True)
    html = os.path.join(a.out_dir, "report.html")
    sweep = os.path.join(a.out_dir, "sweep.csv")
    optimize = os.path.join(a.out_dir, "optimize.csv")
    subprocess.run([a.dealsim, "sweep", *SWEEP_ARGS, "-o", sweep], check=True)
    subprocess.run([a.dealsim, "optimize", "-n", "2000", "-q", "-o", optimize], check=True)
    subprocess.run([a.dealsim, "report", "-n", "20000", "-q", "--no-timestamp",
                    "--sweep", sweep, "--optimize", optimize, "-o", html], check=True)
    scenario = json.loads(subprocess.run([a.dealsim, "scenario"], check=True,
                                         capture_output=True).stdout)
    labels = [s.get("label", s["id"]) for s in scenario["strategies"]]
    want = expected_charts(scenario, sweep, optimize)

    problems = []
    profile = tempfile.mkdtemp(prefix="dealsim-chromium-")
    b = Browser(exe, profile)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget",
                         {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.send(domain + ".enable", session=session)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 800, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
               session=session)
        # The detectors are tested before they are trusted: a page with an
        # external image and a console error must be caught by both.
        bad = os.path.join(a.out_dir, "detectors.html")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE html><title>t</title><img src=\"http://127.0.0.1:9/x.png\">"
                    "<script>console.error('planted')</script>")
        caught = load(b, session, "file://" + os.path.abspath(bad))
        if not any(p.startswith("network request") for p in caught) or \
           not any(p.startswith("console error") for p in caught):
            problems.append("the detectors missed a planted request or error: %s" % caught)

        url = "file://" + os.path.abspath(html)
        problems += load(b, session, url)
        probe = json.loads(b.send("Runtime.evaluate", {"expression": PROBE,
                                                       "returnByValue": True},
                                  session=session)["result"]["value"])

        if probe["scripts"] or probe["external"]:
            problems.append("scripts or external resources: %s" % probe["external"][:5])
        if len(probe["charts"]) != want:
            problems.append("%d charts, expected %d" % (len(probe["charts"]), want))
        if probe["figures"] != len(probe["charts"]):
            problems.append("%d figures but %d charts" % (probe["figures"], len(probe["charts"])))
        for c in probe["charts"]:
            if not (c["w"] > 0 and c["h"] > 0):
                problems.append("chart %s (%s) has size %gx%g" % (c["id"], c["title"], c["w"], c["h"]))
            if not c["title"] or c["desc"] == 0:
                problems.append("chart %s has no title or no text alternative" % c["id"])
        if not probe["tables"]:
            problems.append("no summary table")
        for rows in probe["tables"]:
            if rows != labels:
                problems.append("summary rows %s, expected the strategy labels %s"
                                % (rows, labels))

        shot = os.path.join(a.out_dir, "report.png")
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 800, "height": int(probe["height"]), "deviceScaleFactor": 1,
                "mobile": False}, session=session)
        data = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                      session=session, timeout=TIMEOUT_S)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(data))
        if a.readme_png:
            data = b.send("Page.captureScreenshot",
                          {"format": "png", "clip": {"x": 0, "y": probe["first"] - 8,
                                                     "width": 800, "height": 1250,
                                                     "scale": 0.75}},
                          session=session, timeout=TIMEOUT_S)["data"]
            with open(a.readme_png, "wb") as f:
                f.write(base64.b64decode(data))
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)

    print("browser: %s: %d charts (expected %d), %d bytes; screenshot %s"
          % (html, len(probe["charts"]), want, os.path.getsize(html), shot))
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
