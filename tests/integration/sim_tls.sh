#!/bin/bash
# HTTPS: a CA and certificates made here with the openssl CLI; curl must
# accept the right CA and refuse a wrong CA, a wrong host name and an
# expired certificate.
source "$(dirname "$0")/sim_lib.sh"
A=127.0.62.1
cd "$D"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key; key other.key; key bmc.key
openssl req -x509 -key ca.key -out ca.pem -days 2 -subj "/CN=eventdrill test CA" 2>/dev/null
openssl req -x509 -key other.key -out other.pem -days 2 -subj "/CN=other CA" 2>/dev/null
openssl req -new -key bmc.key -out bmc.csr -subj "/CN=$A" 2>/dev/null
echo "subjectAltName=IP:$A" > san.cnf
openssl x509 -req -in bmc.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -extfile san.cnf -out bmc.pem 2>/dev/null
# -days -1: notAfter yesterday.
openssl x509 -req -in bmc.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days -1 -extfile san.cnf -out expired.pem 2>/dev/null

# bmcs 2: the second BMC's address (127.0.62.2) is not in the certificate.
sim_start --bmcs 2 --address $A --port 18002 --tls-cert bmc.pem --tls-key bmc.key
grep -q "https://$A:18002" sim.out || fail "start line should say https"
code() { curl -sS -o /dev/null -w '%{http_code}' "$@" 2>/dev/null || echo "exit$?"; }
expect_eq "right CA" "$(code --cacert ca.pem https://$A:18002/redfish/v1)" 200
expect_eq "wrong CA" "$(code --cacert other.pem https://$A:18002/redfish/v1)" "000exit60"
expect_eq "wrong host name" "$(code --cacert ca.pem https://127.0.62.2:18002/redfish/v1)" "000exit60"
n=$(curl -s -w '%{num_connects}\n' --cacert ca.pem -o /dev/null -o /dev/null \
  https://$A:18002/redfish/v1 https://$A:18002/redfish/v1 | paste -sd,)
expect_eq "TLS keep-alive" "$n" "1,0"
# Basic auth over TLS reaches the service.
expect_eq "authenticated GET" "$(code --cacert ca.pem -u admin:password https://$A:18002/redfish/v1/Systems)" 200
# Plain HTTP to the TLS port is not answered as HTTP.
curl -s -m 2 http://$A:18002/redfish/v1 -o /dev/null && fail "plain HTTP accepted on TLS"
sim_stop

sim_start --bmcs 1 --address $A --port 18002 --tls-cert expired.pem --tls-key bmc.key
curl -sS -o /dev/null --cacert ca.pem https://$A:18002/redfish/v1 2>err.txt && fail "expired accepted"
grep -q "expired" err.txt || fail "curl should say expired: $(cat err.txt)"
echo "ok: expired certificate refused"
sim_stop

# A key that does not match: exit 2, the message names the key.
rc=0
"$SIM" --tls-cert bmc.pem --tls-key other.key --address $A --port 18002 2>err.txt >/dev/null || rc=$?
expect_eq "mismatched key exit status" "$rc" 2
grep -q "tls.key" err.txt || fail "error should name tls.key: $(cat err.txt)"
echo PASS
