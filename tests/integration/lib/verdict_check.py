"""Every output of one run tells the same verdict.

usage: verdict_check.py DIR WANT STATUS TERMINAL JUNIT [REASON...]

DIR       results folder (summary.json optional: a killed run has none)
WANT      PASS or FAIL
STATUS    the exit status eventdrill gave (or - when there was none)
TERMINAL  the file holding what it printed (or -)
JUNIT     the JUnit file written with the run, or by `eventdrill report`
REASON    text that one of the verdict's reasons must hold

Checks: the exit status matches the verdict; the terminal's VERDICT line
says WANT with the same counts and reasons; summary.json's and
summary.rebuilt.json's verdicts say WANT, hold the reasons, and are equal
item by item, field by field; the JUnit file's failures equal the failed
items (testsuites and each testsuite), each <failure> has a type and its
reason as text; report.html's verdict says WANT and lists every reason.
"""
import html
import json
import math
import sys
import xml.etree.ElementTree as ET

d, want, status, terminal, junit = sys.argv[1:6]
reasons_wanted = sys.argv[6:]
passed = want == "PASS"


def load(name):
    try:
        return json.load(open(d + "/" + name))
    except FileNotFoundError:
        return None


def same(a, b, where):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-6), (where, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), (where, sorted(a), sorted(b))
        for k in a:
            same(a[k], b[k], where + "." + k)
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s[%d]" % (where, i))
    else:
        assert a == b, (where, a, b)


live = load("summary.json")
rebuilt = load("summary.rebuilt.json")
assert rebuilt is not None, "no summary.rebuilt.json"
v = rebuilt["verdict"]
if live is not None:
    same(live["verdict"], rebuilt["verdict"], "verdict (live vs rebuilt)")
    v = live["verdict"]
assert v["pass"] is passed, v
items = v["items"]
failed = [i for i in items if i["status"] == "failed"]
assert (len(failed) == 0) is passed, failed
assert v["counts"]["failed"] == len(failed), v["counts"]
assert all(i.get("reason") for i in failed), failed
if passed:
    assert v["reasons"] == [], v
else:
    assert v["reasons"], v
for r in reasons_wanted:
    assert any(r in x for x in v["reasons"]), (r, v["reasons"])

# exit status
if status != "-":
    st = int(status)
    kinds = {i["kind"] for i in failed}
    if passed:
        assert st == 0, st
    elif "preflight" in kinds:
        assert st == 4, (st, kinds)
    elif "guardrail" in kinds or any(
            i["kind"] == "run" and i["name"] == "ran to its end" for i in failed):
        assert st == 3, (st, kinds)
    else:
        assert st == 1, (st, kinds)

# terminal
if terminal != "-":
    text = open(terminal).read()
    c = v["counts"]
    line = "VERDICT: %s (%d judged: %d passed, %d failed, %d not run)" % (
        want, c["passed"] + c["failed"] + c["not run"], c["passed"],
        c["failed"], c["not run"])
    assert line in text, (line, text[-2000:])
    for r in v["reasons"]:
        assert "  - " + r in text, (r, text[-2000:])
    assert "SLO: met" not in text, "the old SLO line"

# JUnit
root = ET.parse(junit).getroot()
assert root.tag == "testsuites", root.tag
assert int(root.get("failures")) == len(failed), (root.get("failures"), len(failed))
assert int(root.get("tests")) == len(items), (root.get("tests"), len(items))
nfail = 0
ncases = 0
for suite in root.findall("testsuite"):
    cases = suite.findall("testcase")
    fs = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert int(suite.get("tests")) == len(cases), suite.attrib
    assert int(suite.get("failures")) == len(fs), suite.attrib
    assert suite.get("errors") == "0", suite.attrib
    for f in fs:
        assert f.get("type") and f.text and f.text == f.get("message"), f.attrib
    nfail += len(fs)
    ncases += len(cases)
    kind = suite.get("name").rsplit(".", 1)[1]
    assert [c.get("name") for c in cases] == \
        [i["name"] for i in items if i["kind"] == kind], kind
assert nfail == len(failed) and ncases == len(items), (nfail, ncases)

# report.html
page = open(d + "/report.html").read()
assert ">Verdict: %s<" % want in page, "report.html verdict"
for r in v["reasons"]:
    assert html.escape(r, quote=False) in page or html.escape(r) in page, \
        ("report.html lacks", r)
print("%s: %s, %d items, %d failed" % (d, want, len(items), len(failed)))
for r in v["reasons"]:
    print("  - " + r)
