#!/usr/bin/env python3
"""Regenerate or check the output samples in README.md and docs/*.md.

    tools/examples.py --check  [--dealsim PATH] [FILE.md ...]
    tools/examples.py --update [--dealsim PATH] [FILE.md ...]

Every output sample in the documentation is a fenced block between two
markers that name the command printing it:

    <!-- example: dealsim run -n 20000 -s 7 -j 2 --format table -->
    ```
    ...what the command prints...
    ```
    <!-- /example -->

The command runs under bash (with pipefail) from the repository's top
directory, with stdin empty, LC_ALL=C, and stdout and stderr together as a
terminal shows them; `dealsim` in it is the program given by --dealsim
(default: build/release/dealsim).  It must exit 0, unless the marker says
otherwise: `<!-- example exit=2: ... -->`.  A command written `$ CMD` is shown
in the block, as `$ CMD` on the first line, above its output.  Commands must
be deterministic: give -n, -s and -j.

--update rewrites every block with what its command prints now; --check
prints a diff of every block that differs and exits 1 if any does.  Without
FILE arguments, README.md and docs/*.md are processed.
"""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OPEN = re.compile(r"^<!--\s*example(?:\s+exit=(\d+))?\s*:\s*(.*?)\s*-->\s*$")
CLOSE = re.compile(r"^<!--\s*/example\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")
TIMEOUT_S = 600  # one command; the slowest today takes about a second


class Problem(Exception):
    """A marker or command that cannot be processed; the message names the place."""


def find_blocks(path, lines):
    """Yield (marker line index, exit status, command, first and last line
    index of the fenced block's contents) for every marked sample of a file."""
    i = 0
    while i < len(lines):
        m = OPEN.match(lines[i])
        if not m:
            if CLOSE.match(lines[i]):
                raise Problem(f"{path}:{i + 1}: <!-- /example --> without an opening marker")
            i += 1
            continue
        start, status, command = i, int(m.group(1) or 0), m.group(2)
        if not command:
            raise Problem(f"{path}:{start + 1}: the marker names no command")
        j = start + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j]) if j < len(lines) else None
        if not fence:
            raise Problem(f"{path}:{start + 1}: a fenced block must follow the marker")
        k = j + 1
        while k < len(lines) and lines[k].rstrip("\n") != fence.group(1):
            k += 1
        if k == len(lines):
            raise Problem(f"{path}:{j + 1}: the fenced block is not closed")
        e = k + 1
        while e < len(lines) and not lines[e].strip():
            e += 1
        if e == len(lines) or not CLOSE.match(lines[e]):
            raise Problem(f"{path}:{start + 1}: <!-- /example --> must follow the fenced block")
        yield start, status, command, j + 1, k
        i = e + 1


def run(path, line, status, command, dealsim):
    """What the block of `command` must hold, as a list of lines."""
    shown = command[2:].strip() if command.startswith("$ ") else None
    env = dict(os.environ, LC_ALL="C")
    env.pop("LANGUAGE", None)
    env["PATH"] = os.path.dirname(dealsim) + os.pathsep + env.get("PATH", "")
    try:
        res = subprocess.run(["bash", "-o", "pipefail", "-c", shown or command], cwd=ROOT,
                             env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Problem(f"{path}:{line}: `{command}` ran longer than {TIMEOUT_S} s")
    out = res.stdout.decode("utf-8", errors="replace")
    if res.returncode != status:
        raise Problem(f"{path}:{line}: `{command}` exited {res.returncode}, want {status}:\n{out}")
    if out and not out.endswith("\n"):
        out += "\n"
    body = (f"$ {shown}\n" if shown else "") + out
    result = body.splitlines(keepends=True)
    for n, text in enumerate(result):
        if FENCE.match(text):
            raise Problem(f"{path}:{line}: line {n + 1} of the output of `{command}` "
                          "starts a fence; it cannot be shown in a fenced block")
    return result


def process(path, dealsim, update):
    """Check (or rewrite) the samples of one file.  Returns the number of
    samples that differ from what their commands print."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    rel = os.path.relpath(path, ROOT)
    drifted, edits = 0, []
    for start, status, command, first, last in find_blocks(rel, lines):
        want = run(rel, start + 1, status, command, dealsim)
        have = lines[first:last]
        if want == have:
            continue
        drifted += 1
        edits.append((first, last, want))
        if not update:
            sys.stdout.writelines(difflib.unified_diff(
                have, want, f"{rel}:{first + 1} (in the file)", f"`{command}` (prints now)"))
    if update and edits:
        for first, last, want in reversed(edits):
            lines[first:last] = want
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
        print(f"{rel}: updated {drifted} sample{'s' if drifted != 1 else ''}")
    return drifted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="diff every sample; exit 1 if one drifted")
    mode.add_argument("--update", action="store_true", help="rewrite every sample in place")
    ap.add_argument("--dealsim", default=os.path.join(ROOT, "build", "release", "dealsim"),
                    help="the dealsim program the commands run (default: %(default)s)")
    ap.add_argument("files", nargs="*", help="Markdown files (default: README.md docs/*.md)")
    args = ap.parse_args()

    dealsim = os.path.abspath(args.dealsim)
    if os.path.basename(dealsim) != "dealsim" or not os.access(dealsim, os.X_OK):
        print(f"examples.py: --dealsim must name an executable called dealsim, got {args.dealsim}",
              file=sys.stderr)
        return 2
    files = args.files or [os.path.join(ROOT, "README.md")] + sorted(
        glob.glob(os.path.join(ROOT, "docs", "*.md")))
    drifted = 0
    try:
        for path in files:
            drifted += process(os.path.abspath(path), dealsim, args.update)
    except (Problem, OSError) as e:
        sys.stdout.flush()
        print(f"examples.py: {e}", file=sys.stderr)
        return 2
    sys.stdout.flush()  # the diffs come before the verdict
    if args.check and drifted:
        print(f"examples.py: {drifted} sample{'s' if drifted != 1 else ''} drifted; "
              "run tools/examples.py --update and review the diff", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
