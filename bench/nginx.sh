# nginx as the reference HTTP server of the bench scripts (sourced).
#
# nginx_serve DIR PORT FILE [TLS_PORT CERT KEY]: serve FILE as
# application/json at /redfish/v1 on 127.0.0.1:PORT (and over TLS on
# 127.0.0.1:TLS_PORT with CERT and KEY when given), one worker pinned to
# CPU 0, keep-alive without limit, no access log; its config, pid and error
# log live in DIR (which the caller removes, after killing the pid in
# DIR/nginx.pid). Returns once it answers.
nginx_serve() {
  local dir=$1 port=$2 file=$3 tls=""
  if [ -n "${4:-}" ]; then
    tls="listen 127.0.0.1:$4 ssl; ssl_certificate $5; ssl_certificate_key $6;"
  fi
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<NGX
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$port;
    $tls
    location = /redfish/v1 {
      default_type application/json;
      alias $file;
    }
  }
}
NGX
  taskset -c 0 nginx -p "$dir" -c "$dir/nginx.conf"
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/redfish/v1" && return 0
    sleep 0.1
  done
  echo "nginx did not start on 127.0.0.1:$port" >&2
  return 1
}
