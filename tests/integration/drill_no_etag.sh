#!/usr/bin/env bash
# A PATCH with if_match "auto" against a server that sends no ETag would go
# out without If-Match: `rehearse --dry-run` says so in its preflight, and a
# rehearsal at its start, before the fault
# (a warning on the terminal, a "proof" event in the journal, the
# summary's drill.warnings, the report's anomalies, and the same in the
# summary rebuilt from the journal), for the fault's PATCH and its undo's.
# The peer is a small Redfish-like HTTP server on 127.0.0.1 that never
# sends an ETag and records each PATCH with its If-Match header.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh" # free_port
PORT=$(free_port)
$PY - "$PORT" "$WORK/patches.jsonl" <<'PYEOF' &
import http.server, json, sys
port, log = int(sys.argv[1]), sys.argv[2]
state = {"AssetTag": "rack-7"}
class Peer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def system(self):
        return dict(state, **{"@odata.id": "/redfish/v1/Systems/1", "Id": "1",
                              "PowerState": "On"})
    def do_GET(self):
        if self.path == "/redfish/v1":
            self.answer(200, {"Systems": {"@odata.id": "/redfish/v1/Systems"}})
        elif self.path == "/redfish/v1/Systems":
            self.answer(200, {"Members": [{"@odata.id": "/redfish/v1/Systems/1"}]})
        elif self.path == "/redfish/v1/Systems/1":
            self.answer(200, self.system())
        else:
            self.answer(404, {"error": {"message": "no such resource"}})
    def do_PATCH(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "if_match": self.headers.get("If-Match"),
                                "body": body}) + "\n")
        state.update(body)
        self.answer(200, self.system())
http.server.ThreadingHTTPServer(("127.0.0.1", port), Peer).serve_forever()
PYEOF
peer_pid=$!
cleanup_hooks+=("kill $peer_pid 2>/dev/null")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/redfish/v1" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/redfish/v1" || fail "the peer did not start"

cat >"$WORK/tag.json" <<EOF2
{ "name": "no-etag",
  "targets": { "bmc": { "driver": "redfish", "url": "http://127.0.0.1:$PORT", "auth": "none",
                        "rehearsal": true } },
  "checks": {
    "tag": { "target": "bmc", "mode": "after", "settle": "0s",
             "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/AssetTag" } },
             "expect": { "equals": "rack-7" } } },
  "faults": [
    { "name": "retag", "at": "500ms", "for": "500ms", "target": "bmc",
      "action": { "patch": { "path": "/redfish/v1/Systems/1", "body": { "AssetTag": "drill" },
                             "if_match": "auto" } },
      "undo": { "action": { "patch": { "path": "/redfish/v1/Systems/1",
                                       "body": { "AssetTag": "rack-7" }, "if_match": "auto" } } } } ] }
EOF2
# the preflight says it too, before anything is sent but the proofs' GETs
drill_run "$WORK/dry" rehearse "$WORK/tag.json" --dry-run
drill_expect "$WORK/dry" 0
want='may not run: if_match "auto", but /redfish/v1/Systems/1 sends no ETag: the PATCH would go without If-Match'
grep -qF "warning: fault retag $want" "$WORK/dry.err" ||
  { drill_show "$WORK/dry"; fail "dry run: no warning for the fault"; }
grep -q "preflight: 1 target started (connected, credentials accepted), no action sent; 2 actions may not run" \
  "$WORK/dry.out" || { drill_show "$WORK/dry"; fail "dry run: the count of warnings"; }
[ ! -e "$WORK/patches.jsonl" ] || fail "dry run: a PATCH reached the peer"
r=$WORK/r
drill_run "$r" rehearse "$WORK/tag.json"
drill_expect "$r" 0
journal_parses "$r"
grep -qF "warning: fault retag $want" "$r.err" ||
  { drill_show "$r"; fail "no warning at the start for the fault"; }
grep -qF "warning: the undo of fault retag $want" "$r.err" ||
  { drill_show "$r"; fail "no warning at the start for the undo"; }
grep -qF "WARNING: fault retag $want" "$r.err" ||
  { drill_show "$r"; fail "no warning under the summary"; }
$PY - "$r" "$WORK/patches.jsonl" <<'PYEOF' || { drill_show "$r"; fail "the warnings"; }
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
kinds = [e["ev"] for e in ev]
proofs = [e for e in ev if e["ev"] == "proof"]
assert len(proofs) == 2, proofs
for p in proofs:
    assert p["fault"] == "retag" and p["ok"] is False and p["provable"] is True, p
    assert "sends no ETag" in p["reason"], p
assert max(kinds.index("proof"), len(kinds) - 1 - kinds[::-1].index("proof")) \
    < kinds.index("fault_start"), kinds
s = json.load(open(d + "/summary.json"))
w = s["drill"]["warnings"]
assert sorted(x.get("undo", False) for x in w) == [False, True], w
assert all(x["fault"] == "retag" and "sends no ETag" in x["reason"] for x in w), w
md = open(d + "/report.md").read()
assert "warning: fault retag may not run: if\\_match" in md or \
    "warning: fault retag may not run: if_match" in md, md[-2000:]
# what the peer got: the PATCHes, without If-Match (said, not hidden)
patches = [json.loads(l) for l in open(sys.argv[2])]
assert [p["body"]["AssetTag"] for p in patches] == ["drill", "rack-7"], patches
assert all(p["if_match"] is None for p in patches), patches
PYEOF
# the summary rebuilt from the journal alone has the same warnings
"$EVENTDRILL" report "$r" >"$WORK/report.out" 2>"$WORK/report.err" ||
  { cat "$WORK/report.err" >&2; fail "report: exit $?"; }
grep -q "differs" "$WORK/report.err" && { cat "$WORK/report.err" >&2; fail "report: the rebuilt summary differs"; }
$PY - "$r" <<'PYEOF' || fail "rebuilt warnings"
import json, sys
live = json.load(open(sys.argv[1] + "/summary.json"))["drill"]["warnings"]
rebuilt = json.load(open(sys.argv[1] + "/summary.rebuilt.json"))["drill"]["warnings"]
assert live == rebuilt, (live, rebuilt)
PYEOF
pass "if_match auto without an ETag: a warning at the start, in the journal, the summary and the report"
