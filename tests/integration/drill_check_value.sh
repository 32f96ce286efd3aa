#!/usr/bin/env bash
# A check whose value is 14 MB of two-byte characters, served by a loopback
# HTTP peer: the journal holds the value once, cut to 4,096 bytes on a
# character boundary with its whole length noted, and every line of it is
# valid JSON (also the failing check's reason, cut inside the value).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh" # free_port
mkdir -p "$WORK/www"
$PY -c '
import json, sys
json.dump({"Big": "\u00e9" * (7 * 1024 * 1024), "Small": "ok"},
          open(sys.argv[1], "w"), ensure_ascii=False)' "$WORK/www/big.json"
PORT=$(free_port)
(cd "$WORK/www"; nohup $PY -m http.server --bind 127.0.0.1 "$PORT" \
  </dev/null >/dev/null 2>&1 & echo $! >"$WORK/http.pid")
http_stop() { [ -s "$WORK/http.pid" ] && kill "$(cat "$WORK/http.pid")" 2>/dev/null; }
cleanup_hooks+=("http_stop")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/big.json" && break; sleep 0.1; done
cat >"$WORK/value.json" <<EOF2
{ "name": "check-value",
  "targets": { "web": { "driver": "redfish", "url": "http://127.0.0.1:$PORT", "auth": "none" } },
  "checks": {
    "big-ok": { "target": "web", "op": { "get": { "path": "/big.json", "pointer": "/Big" } },
                "expect": { "match": "^\u00e9+\$" }, "mode": "before", "timeout": "60s" },
    "big-red": { "target": "web", "op": { "get": { "path": "/big.json", "pointer": "/Big" } },
                 "expect": { "equals": "short" }, "mode": "after", "settle": "0s", "timeout": "60s" },
    "small": { "target": "web", "op": { "get": { "path": "/big.json", "pointer": "/Small" } },
               "expect": { "equals": "ok" }, "mode": "after", "settle": "0s", "timeout": "60s" } } }
EOF2
r=$WORK/r
drill_run "$r" verify "$WORK/value.json"
journal_parses "$r"
[ "$(stat -c %s "$r/journal.jsonl")" -lt 100000 ] ||
  fail "journal is $(stat -c %s "$r/journal.jsonl") bytes: the value was not cut"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "check values in the journal"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1] + "/journal.jsonl")]
checks = {e["check"]: e for e in ev if e["ev"] == "check"}
whole = len(json.dumps("\u00e9" * (7 * 1024 * 1024), ensure_ascii=False).encode())
for name in ("big-ok", "big-red"):
    c = checks[name]
    v = c["value"]
    assert c["value_cut"] is True and c["value_bytes"] == whole, c.get("value_bytes")
    assert len(v.encode()) <= 4096 and len(v.encode()) >= 4090, len(v.encode())
    assert v == ("\"" + "\u00e9" * 7 * 1024 * 1024)[:len(v)], "not the value's beginning"
    assert len(c["reason"].encode()) < 1024, len(c["reason"])
assert checks["big-ok"]["ok"] is True, checks["big-ok"]["reason"]
assert checks["big-red"]["ok"] is False
assert checks["big-red"]["reason"].startswith("value \"\u00e9"), checks["big-red"]["reason"][:40]
s = checks["small"]
assert s["ok"] is True and s["value"] == "\"ok\"" and "value_cut" not in s, s
PYEOF
pass "a 14 MB check value journaled once, cut to 4 KiB with its length"
