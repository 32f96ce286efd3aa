"""Misbehaving Redfish peers for the driver's tests (loopback only).

usage: redfish_peer.py PORT
Paths:
  POST /redfish/v1/SessionService/Sessions  201 + X-Auth-Token + Location
       (401 when the password is not "s3cret-pw")
  DELETE /redfish/v1/SessionService/Sessions/N  204, counted
  GET /redfish/v1/Systems            collection, first member sys-1
  GET /redfish/v1/Systems/sys-1      needs a live token; a token expires
                                     after 7 uses (401)
  GET /expire                        invalidates all tokens, then 200
  GET /refused                       401 whatever the token, counted
  GET /slow                          answers after 3 s
  GET /badjson                       200 with invalid JSON
  GET /reset                         closes the connection at once
  GET /trunc                         Content-Length 1000, 10 bytes, close
  GET /garbage                       not HTTP at all
  GET /stats                         counters as JSON
  POST /redfish/v1/Systems/sys-1/Actions/ComputerSystem.Reset  204
"""
import json
import socket
import sys
import time
import http.server

TOKENS = set()
USES = {}
STATS = {"logins": 0, "logouts": 0, "resets": [], "sys_gets": 0,
         "refused": 0}


class Peer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def authed(self):
        return self.headers.get("X-Auth-Token") in TOKENS

    def do_POST(self):
        data = self.body()
        if self.path == "/redfish/v1/SessionService/Sessions":
            req = json.loads(data)
            if req.get("Password") != "s3cret-pw":
                return self.send_json(401, {"error": "bad credentials"})
            STATS["logins"] += 1
            tok = "tok-%d" % STATS["logins"]
            TOKENS.add(tok)
            loc = "/redfish/v1/SessionService/Sessions/%d" % STATS["logins"]
            return self.send_json(201, {"@odata.id": loc},
                                  [("X-Auth-Token", tok), ("Location", loc)])
        if self.path.endswith("/Actions/ComputerSystem.Reset"):
            if not self.authed():
                return self.send_json(401, {})
            STATS["resets"].append(json.loads(data).get("ResetType"))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.send_json(404, {})

    def do_DELETE(self):
        if self.path.startswith("/redfish/v1/SessionService/Sessions/") and self.authed():
            STATS["logouts"] += 1
            TOKENS.discard(self.headers.get("X-Auth-Token"))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.send_json(401, {})

    def do_GET(self):
        p = self.path
        if p == "/stats":
            return self.send_json(200, STATS)
        if p == "/redfish/v1/Systems":
            if not self.authed():
                return self.send_json(401, {})
            return self.send_json(200, {"Members": [{"@odata.id": "/redfish/v1/Systems/sys-1"}]})
        if p == "/redfish/v1/Systems/sys-1":
            if not self.authed():
                return self.send_json(401, {})
            STATS["sys_gets"] += 1
            tok = self.headers.get("X-Auth-Token")
            USES[tok] = USES.get(tok, 0) + 1
            if USES[tok] > 7:
                TOKENS.discard(tok)  # the session expired under the load
                return self.send_json(401, {})
            return self.send_json(200, {"Id": "sys-1", "PowerState": "On"})
        if p == "/refused":
            STATS["refused"] += 1
            return self.send_json(401, {})
        if p == "/slow":
            time.sleep(3)
            return self.send_json(200, {})
        if p == "/badjson":
            body = b'{"PowerState": On'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        if p == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            return
        if p == "/trunc":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"a":"0123')
            self.close_connection = True
            return
        if p == "/garbage":
            self.wfile.write(b"\x00\x01 what is this\r\n\r\n")
            self.close_connection = True
            return
        self.send_json(404, {})


http.server.ThreadingHTTPServer.daemon_threads = True
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Peer)
srv.serve_forever()
