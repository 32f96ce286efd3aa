# Helpers of the Redfish driver's integration tests (sourced, not run).
# Peers listen on 127.0.0.1 only; everything lives in a temp dir removed at
# exit, and every server started here is stopped by its pid.
set -euo pipefail
: "${ED_BUILD:?run through ctest (ED_BUILD unset)}"
HOST="$ED_BUILD/bin/redfish_host"
DRV="$ED_BUILD/lib/eventdrill/drivers/redfish.so"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
D=$(mktemp -d)
PIDS=()
FAILS=0
PASSES=0
rf_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$D"
}
trap rf_cleanup EXIT

. "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"
PORTS_TAKEN=$D/.ports-taken
# A free TCP port on 127.0.0.1.
rf_port() {
  free_port
}

# Wait until something accepts on 127.0.0.1:$1.
rf_wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# The fake core, under valgrind when RF_VALGRIND=1.
rf_host() {
  if [ "${RF_VALGRIND:-0}" = 1 ]; then
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=99 "$HOST" "$DRV" "$@"
  else
    "$HOST" "$DRV" "$@"
  fi
}

# check NAME PATTERN OUTPUT: OUTPUT must contain the fixed string PATTERN.
check() {
  if grep -qF -- "$2" <<<"$3"; then
    echo "ok - $1"
    PASSES=$((PASSES + 1))
  else
    echo "not ok - $1: no '$2' in:"
    sed 's/^/    /' <<<"$3" | head -20
    FAILS=$((FAILS + 1))
  fi
}

# check_not NAME PATTERN OUTPUT: OUTPUT must not contain PATTERN.
check_not() {
  if grep -qF -- "$2" <<<"$3"; then
    echo "not ok - $1: '$2' found"
    FAILS=$((FAILS + 1))
  else
    echo "ok - $1"
    PASSES=$((PASSES + 1))
  fi
}

rf_done() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}

# A fake Redfish tree of static JSON files under $D/www.
rf_tree() {
  local w="$D/www/redfish/v1"
  mkdir -p "$w/Systems/sys-7" "$w/SessionService/Sessions"
  echo '{"@odata.id":"/redfish/v1","RedfishVersion":"1.15.0","Systems":{"@odata.id":"/redfish/v1/Systems"}}' >"$w/index.json"
  echo '{"@odata.id":"/redfish/v1/Systems","Members@odata.count":1,"Members":[{"@odata.id":"/redfish/v1/Systems/sys-7"}]}' >"$w/Systems/index.json"
  echo '{"@odata.id":"/redfish/v1/Systems/sys-7","Id":"sys-7","PowerState":"On","Status":{"Health":"OK"},"Actions":{"#ComputerSystem.Reset":{"target":"/redfish/v1/Systems/sys-7/Actions/ComputerSystem.Reset"}}}' >"$w/Systems/sys-7/index.json"
  echo 'this is { not JSON' >"$w/broken.json"
  head -c 2000000 /dev/zero | tr '\0' ' ' >"$w/big.json"
}

# CAs and certificates: ca (right), ca2 (wrong), good (IP 127.0.0.1),
# wrongname (DNS bmc.example), expired (IP 127.0.0.1, notAfter in the past).
rf_certs() {
  local c="$D/certs"
  . "$ED_SRC/scripts/lib/certs.sh"
  certs_ca "$c" ca
  certs_ca "$c" ca2 ca2
  certs_leaf "$c" good good IP:127.0.0.1
  certs_leaf "$c" wrongname wrongname DNS:bmc.example
  certs_leaf "$c" expired expired IP:127.0.0.1 -1
}

# nginx serving $D/www: plain HTTP on $HTTP_PORT, TLS with the good,
# wrong-name and expired certificates on $TLS_PORT, $BADNAME_PORT,
# $EXPIRED_PORT. One worker; pinned with taskset when RF_NGINX_CPU is set.
rf_nginx() {
  HTTP_PORT=$(rf_port) TLS_PORT=$(rf_port) BADNAME_PORT=$(rf_port) EXPIRED_PORT=$(rf_port)
  local c="$D/certs" user=""
  [ "$(id -u)" = 0 ] && user="user root;"
  mkdir -p "$D/nginx/logs"
  tls_server() {
    echo "server { listen 127.0.0.1:$1 ssl; ssl_certificate $c/$2.pem; ssl_certificate_key $c/$2.key; include $D/nginx/common.conf; }"
  }
  cat >"$D/nginx/common.conf" <<NGX
root $D/www;
default_type application/json;
location = /redfish/v1/fail { return 503 '{"error":{"message":"busy"}}'; }
location / { try_files \$uri \$uri/index.json =404; }
NGX
  cat >"$D/nginx/nginx.conf" <<NGX
$user
worker_processes 1;
daemon off;
pid $D/nginx/nginx.pid;
error_log $D/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  # Which connection served each request: the keep-alive checks count them.
  log_format conns '\$connection \$connection_requests "\$request" \$status';
  access_log $D/nginx/logs/access.log conns;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $D/nginx/body;
  proxy_temp_path $D/nginx/proxy;
  fastcgi_temp_path $D/nginx/fastcgi;
  uwsgi_temp_path $D/nginx/uwsgi;
  scgi_temp_path $D/nginx/scgi;
  server { listen 127.0.0.1:$HTTP_PORT; include $D/nginx/common.conf; }
  $(tls_server "$TLS_PORT" good)
  $(tls_server "$BADNAME_PORT" wrongname)
  $(tls_server "$EXPIRED_PORT" expired)
}
NGX
  local pin=()
  [ -n "${RF_NGINX_CPU:-}" ] && pin=(taskset -c "$RF_NGINX_CPU")
  "${pin[@]}" nginx -p "$D/nginx" -c "$D/nginx/nginx.conf" -e "$D/nginx/logs/error.log" &
  PIDS+=($!)
  rf_wait_port "$HTTP_PORT"
  rf_wait_port "$EXPIRED_PORT"
}
