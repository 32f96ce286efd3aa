# The Redfish driver against nginx on loopback: GETs with JSON pointers and
# "{first}", keep-alive load, HTTP errors, bad JSON, the body cap, and TLS:
# right CA, wrong CA, wrong host name, expired certificate, insecure.
. "$(dirname "$0")/redfish_lib.sh"
rf_tree
rf_certs
rf_nginx
U="http://127.0.0.1:$HTTP_PORT"
S="https://127.0.0.1"
N=(-t auth='"none"')

out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/PowerState"' -n 3 -c 2)
check "get {first} + pointer" '"err":"ok","code":200' "$out"
check "pointer value" '"value":"On"' "$out"
check "3 done" '"done":3,"ok":3' "$out"

out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/Status"' -n 1)
check "object value compact" '"value":{"Health":"OK"}' "$out"

# conns_for MARK: connections nginx saw for the requests whose line holds
# MARK, and the requests.
conns_for() {
  grep -F "$1" "$D/nginx/logs/access.log" | awk '{ seen[$1] = 1; n++ }
    END { printf "%d connections, %d requests", length(seen), n }'
}

out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1?keepalive"' -n 2000 -c 16 -q)
check "keep-alive load" '"done":2000,"ok":2000' "$out"
seen=$(conns_for "?keepalive ")
check "keep-alive: 2000 GETs over at most 16 connections" "within: " \
  "$(echo "$seen" | awk '{ print ($1 <= 16 && $3 == 2000 ? "within: " : "over: ") $0 }')"

out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/nothing"' -n 1 || true)
check "404 is http_4xx" '"err":"http_4xx","code":404' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/nothing"' -a expect_status=404 -n 1)
check "expected 404 is ok" '"err":"ok","code":404' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/fail"' -n 1 || true)
check "503 is http_5xx" '"err":"http_5xx","code":503' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/broken.json"' -a pointer='"/x"' -n 1 || true)
check "invalid JSON is bad_json" '"err":"bad_json"' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1/broken.json"' -n 1)
check "no pointer: body not parsed" '"err":"ok"' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -o get -a path='"/redfish/v1"' -a pointer='"/Nope"' -n 1 || true)
check "missing pointer is bad_json" '"err":"bad_json"' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -t max_body=1000000 -o get -a path='"/redfish/v1/big.json"' -n 1 || true)
check "body over max_body is too_large" '"err":"too_large"' "$out"
out=$(rf_host -t url="\"$U\"" "${N[@]}" -t max_body=1000000 -o get -a path='"/redfish/v1/big.json"' -a pointer='""' -n 1 || true)
check "body over max_body is too_large (buffered)" '"err":"too_large"' "$out"

C="$D/certs"
out=$(rf_host -t url="\"$S:$TLS_PORT\"" "${N[@]}" -t ca_file="\"$C/ca.pem\"" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/Id"' -n 20 -c 4)
check "https right CA" '"done":20,"ok":20' "$out"
check "https value" '"value":"sys-7"' "$out"
out=$(rf_host -t url="\"$S:$TLS_PORT\"" "${N[@]}" -t ca_file="\"$C/ca.pem\"" -o get -a path='"/redfish/v1?tlskeep"' -n 300 -c 4 -q)
check "https keep-alive load" '"done":300,"ok":300' "$out"
seen=$(conns_for "?tlskeep ")
check "https keep-alive: 300 GETs over at most 4 connections" "within: " \
  "$(echo "$seen" | awk '{ print ($1 <= 4 && $3 == 300 ? "within: " : "over: ") $0 }')"
out=$(rf_host -t url="\"$S:$TLS_PORT\"" "${N[@]}" -t ca_file="\"$C/ca2.pem\"" -o get -a path='"/redfish/v1"' -n 1 || true)
check "https wrong CA is tls" '"err":"tls"' "$out"
out=$(rf_host -t url="\"$S:$TLS_PORT\"" "${N[@]}" -o get -a path='"/redfish/v1"' -n 1 || true)
check "https system CAs only is tls" '"err":"tls"' "$out"
out=$(rf_host -t url="\"$S:$BADNAME_PORT\"" "${N[@]}" -t ca_file="\"$C/ca.pem\"" -o get -a path='"/redfish/v1"' -n 1 || true)
check "https wrong host name is tls" '"err":"tls"' "$out"
out=$(rf_host -t url="\"$S:$EXPIRED_PORT\"" "${N[@]}" -t ca_file="\"$C/ca.pem\"" -o get -a path='"/redfish/v1"' -n 1 || true)
check "https expired is tls" '"err":"tls"' "$out"
out=$(rf_host -t url="\"$S:$BADNAME_PORT\"" "${N[@]}" -t insecure=true -o get -a path='"/redfish/v1"' -n 2 2>&1)
check "insecure: no verification" '"done":2,"ok":2' "$out"
check "insecure: warned" 'NOT verified' "$out"

out=$(rf_host -t url="\"http://127.0.0.1:$(rf_port)\"" "${N[@]}" -o get -a path='"/redfish/v1"' -n 1 || true)
check "closed port is connect" '"err":"connect"' "$out"

rf_done
