#!/usr/bin/env python3
"""report_html.py - the page of `dealsim report` is well-formed and
self-contained.

Writes the report of the built-in scenario at its default number of draws,
with a sweep file and an optimize file (tests/data/report/), and parses it
with the standard library's html.parser, checking:

- one doctype, then <html lang> with <head> (charset, title) and <body>;
- every element that is not void is closed, in order (a strict stack: the
  browser would forgive a missing </td>, this check does not), and a void
  element or an SVG element closed with "/>" is never closed again;
- every attribute value is well formed (the parser reports what it cannot
  read), ids are unique, every aria-labelledby names existing ids;
- every character reference is one the parser knows, no text holds a raw
  '<' or '&' the parser had to guess about;
- no <script>, no src= attribute, no href= but links to the page's own
  anchors (each of which exists), no @import or url( in the style: the page
  loads nothing;
- the page is smaller than 2 MiB (SPEC §13).

usage: report_html.py DEALSIM SOURCE_DIR WORK_DIR
"""
import html.parser
import os
import subprocess
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
MAX_BYTES = 2 << 20


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack = []
        self.problems = []
        self.ids = set()
        self.labelledby = []
        self.anchors = []
        self.doctype = 0
        self.counts = {}
        self.in_style = False
        self.style = ""

    def where(self):
        return "line %d col %d" % self.getpos()

    def _attrs(self, tag, attrs):
        for k, v in attrs:
            if v is None and k not in ("open",):
                self.problems.append("%s: <%s %s> has no value" % (self.where(), tag, k))
            # A link to an anchor of the page loads nothing; anything else
            # would.
            if k == "src" or (k == "href" and not (tag == "a" and v.startswith("#"))):
                self.problems.append("%s: <%s %s=%r> loads something" % (self.where(), tag, k, v))
            if k == "href" and v.startswith("#"):
                self.anchors.append(v[1:])
            if k == "id":
                if v in self.ids:
                    self.problems.append("%s: duplicate id %r" % (self.where(), v))
                self.ids.add(v)
            if k == "aria-labelledby":
                self.labelledby.extend(v.split())

    def handle_decl(self, decl):
        self.doctype += 1
        if decl.lower() != "doctype html":
            self.problems.append("%s: doctype %r" % (self.where(), decl))

    def in_svg(self):
        return any(t == "svg" for t, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        if not (tag == "title" and self.in_svg()):
            self.counts[tag] = self.counts.get(tag, 0) + 1
        self._attrs(tag, attrs)
        if tag == "script":
            self.problems.append("%s: a <script>" % self.where())
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append((tag, self.where()))

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        self._attrs(tag, attrs)
        if tag in VOID:
            return
        # "/>" closes an element only in SVG (foreign content).
        if not self.in_svg():
            self.problems.append("%s: <%s/> outside SVG" % (self.where(), tag))

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag in VOID:
            self.problems.append("%s: </%s> closes a void element" % (self.where(), tag))
            return
        if not self.stack:
            self.problems.append("%s: </%s> with nothing open" % (self.where(), tag))
            return
        top, at = self.stack.pop()
        if top != tag:
            self.problems.append("%s: </%s> closes <%s> opened at %s" % (self.where(), tag, top, at))

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        elif "<" in data:
            self.problems.append("%s: a raw '<' in text: %r" % (self.where(), data[:60]))

    def handle_entityref(self, name):
        if name not in ("amp", "lt", "gt", "quot"):
            self.problems.append("%s: entity &%s;" % (self.where(), name))

    def handle_charref(self, name):
        if name != "39":
            self.problems.append("%s: character reference &#%s;" % (self.where(), name))


def check(path):
    return check_bytes(open(path, "rb").read())


def check_bytes(data):
    text = data.decode("utf-8")  # raises on bytes that are not UTF-8
    c = Checker()
    c.feed(text)
    c.close()
    p = c.problems
    if len(data) >= MAX_BYTES:
        p.append("%d bytes, not under 2 MiB" % len(data))
    if c.doctype != 1:
        p.append("%d doctypes" % c.doctype)
    for t, at in c.stack:
        p.append("<%s> opened at %s is never closed" % (t, at))
    for tag in ("html", "head", "body", "title", "main"):
        if c.counts.get(tag) != 1:
            p.append("%d <%s> elements" % (c.counts.get(tag, 0), tag))
    if not text.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"):
        p.append("the page does not start with its doctype, html lang and charset")
    for i in c.labelledby:
        if i not in c.ids:
            p.append("aria-labelledby names %r, which is no id" % i)
    for i in c.anchors:
        if i not in c.ids:
            p.append("a link to #%s, which is no id" % i)
    if "@import" in c.style or "url(" in c.style:
        p.append("the style sheet loads something")
    if c.counts.get("svg", 0) != c.counts.get("figure", 0):
        p.append("%d svg in %d figures" % (c.counts.get("svg", 0), c.counts.get("figure", 0)))
    return p, len(data), c.counts.get("svg", 0)


# Pages the checker must reject, each for the reason given: the checker is
# tested before it is trusted.
HEAD = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"><title>t</title></head><body><main>"
TAIL = "</main></body></html>"
BAD = [
    ("<table><tr><td>1</tr></table>", "closes <td>"),
    ("<p>a < b</p>", "raw '<'"),
    ("<p>&nbsp;</p>", "entity &nbsp;"),
    ("<figure><svg><rect/></svg></figure><div/>", "outside SVG"),
    ("<img src=\"x.png\">", "loads something"),
    ("<a href=\"http://example.com/\">x</a>", "loads something"),
    ("<a href=\"#nowhere\">x</a>", "no id"),
    ("<p id=\"a\"></p><p id=\"a\"></p>", "duplicate id"),
    ("<figure><svg aria-labelledby=\"nope\"></svg></figure>", "no id"),
    ("<style>@import 'x.css';</style>", "style sheet loads"),
    ("<script>1</script>", "a <script>"),
    ("<div>", "never closed"),
]


def self_test():
    good, _, _ = check_bytes((HEAD + "<p>a &amp; b &#39;</p><figure><svg><title>t</title><rect/></svg></figure>"
                              + TAIL).encode())
    if good:
        return ["the checker rejects a good page: %s" % good]
    fails = []
    for body, why in BAD:
        p, _, _ = check_bytes((HEAD + body + TAIL).encode())
        if not any(why in q for q in p):
            fails.append("the checker misses %r (%s): %s" % (body, why, p))
    return fails


def main():
    dealsim, src, work = sys.argv[1:4]
    broken = self_test()
    if broken:
        for q in broken:
            print("FAIL: " + q)
        return 1
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "report.html")
    data = os.path.join(src, "tests", "data", "report")
    subprocess.run([dealsim, "report", "-q", "-o", out,
                    "--sweep", os.path.join(data, "sweep1.csv"),
                    "--optimize", os.path.join(data, "optimize.csv")], check=True)
    problems, size, charts = check(out)
    print("report_html: %s: %d bytes, %d charts" % (out, size, charts))
    for q in problems[:40]:
        print("FAIL: " + q)
    if len(problems) > 40:
        print("... and %d more" % (len(problems) - 40))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
