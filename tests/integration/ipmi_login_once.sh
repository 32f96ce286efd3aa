#!/usr/bin/env bash
# One wrong IPMI password costs one refused login per run, not one per
# request: a BMC locks the account, or runs out of sessions, after a burst
# of refused logins. eventdrill talks to OpenIPMI's ipmi_sim through a UDP
# relay on 127.0.0.1 that counts the RMCP+ session opens it forwards (RAKP
# Message 1, the message that carries the user name and starts the
# password check):
#  - `rehearse --dry-run` with a wrong password: exit 4, one RAKP 1;
#  - the real run (7 checks, a fault, a plan): exit 4 before anything is
#    sent, one RAKP 1 more;
#  - ipmitool with the right password gets a session at once afterwards;
#  - the right password: the dry run passes (exit 0) with one RAKP 1.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/ipmi_lib.sh"
. "$(dirname "$0")/drill_lib.sh"
bmc_start

RELAY_PORT=$(free_udp_port)
$PY - "$RELAY_PORT" "$BMC_PORT" "$WORK/rakp1" <<'PYEOF' &
import select, socket, sys
port, bmc, count_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", port))
clients = {}  # client address -> its own socket toward the BMC
opens = 0
open(count_file, "w").write("0\n")
while True:
    socks = [front] + list(clients.values())
    for s in select.select(socks, [], [], 1.0)[0]:
        if s is front:
            data, addr = front.recvfrom(65535)
            # RMCP (4 bytes), then auth type 0x06 (RMCP+) and payload type
            # 0x12: RAKP Message 1
            if len(data) > 5 and data[4] == 0x06 and data[5] & 0x3F == 0x12:
                opens += 1
                open(count_file, "w").write("%d\n" % opens)
            if addr not in clients:
                c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                c.connect(("127.0.0.1", bmc))
                clients[addr] = c
            clients[addr].send(data)
        else:
            data = s.recv(65535)
            addr = next(a for a, c in clients.items() if c is s)
            front.sendto(data, addr)
PYEOF
relay_pid=$!
cleanup_hooks+=("kill $relay_pid 2>/dev/null")
for _ in $(seq 50); do [ -s "$WORK/rakp1" ] && break; sleep 0.1; done
opens() { cat "$WORK/rakp1"; }

sed -e "s/@HOST@/127.0.0.1:$RELAY_PORT/" "$SCEN/ipmi-crosscheck.json" >"$WORK/cross.json"

export IPMI_CREDS=admin:Wr0ngPa55
drill_run "$WORK/dry" rehearse "$WORK/cross.json" --dry-run
drill_expect "$WORK/dry" 4
grep -q "could not start: auth: password refused" "$WORK/dry.err" ||
  { drill_show "$WORK/dry"; fail "dry run: the refusal is not said"; }
grep -q "credentials accepted" "$WORK/dry.out" && fail "dry run: credentials said accepted"
[ "$(opens)" -eq 1 ] || fail "dry run: $(opens) session opens reached the BMC, expected 1"

drill_run "$WORK/run" rehearse "$WORK/cross.json"
drill_expect "$WORK/run" 4
[ "$(opens)" -eq 2 ] || fail "run: $(($(opens) - 1)) session opens reached the BMC, expected 1"
grep -q '"ev":"check"' "$WORK/run/journal.jsonl" && fail "run: a check was sent after the refusal"
[ "$(grep -c "set power" "$BMC_DIR/control.log")" -eq 0 ] || fail "run: the fault was injected"
grep -rq "Wr0ngPa55" "$WORK/dry" "$WORK/dry.out" "$WORK/dry.err" "$WORK/run" \
  "$WORK/run.out" "$WORK/run.err" 2>/dev/null && fail "the password leaked"

ipmitool_bmc mc info >/dev/null || fail "ipmitool got no session right after the refusals"

export IPMI_CREDS=admin:secret
drill_run "$WORK/good" rehearse "$WORK/cross.json" --dry-run
drill_expect "$WORK/good" 0
grep -q "credentials accepted" "$WORK/good.out" || { drill_show "$WORK/good"; fail "good dry run"; }
[ "$(opens)" -eq 3 ] || fail "good dry run: $(($(opens) - 2)) session opens, expected 1"
pass "a wrong IPMI password: exit 4 in the preflight and the run, one refused login each"
