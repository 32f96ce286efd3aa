"""Hostile Redfish devices for tests/integration/hostile_peer.sh (loopback).

usage: hostile_peer.py PORT MODE [--tls CERT KEY] [--record FILE]
                       [--redirect PORT]
Every connection is served by MODE, whatever the request. A session login
(POST .../SessionService/Sessions) is answered 201 with a good token unless
MODE is a login_* or token_* one; every GET is answered by MODE unless MODE
is a login_* or token_* one (then a small system, as a control).
With --record FILE each request's head is appended to FILE (one JSON line:
the request line and its headers), so a test can see what was sent.

GET answers:
  ok              200, a small system (a control)
  interim_flood   "HTTP/1.1 100 Continue" without end, as fast as read
  interim_slow    "HTTP/1.1 102 Processing" every 50 ms without end
  interim_many    40 x "100 Continue", then the 200
  interim_few     3 x "100 Continue", then the 200
  header_flood    a 200 status line, then header lines without end
  header_huge     one header of 4 MB
  header_many     200 with 5,000 small headers (some 150 kB, over the
                  parser's 80 kB)
  header_slow     header lines without end, one every 100 ms
  chunk_ext_flood a chunked body whose first chunk extension never ends
  chunk_ext_ok    a chunked body with small extensions and trailers
  trailer_flood   a chunked body, then trailer lines without end
  chunk_tiny      a chunked body of 1-byte chunks (valid)
  slowloris       a valid answer, one byte per second
  cl_2gb          Content-Length 2 GB, the body streamed as fast as read
  cl_overflow     Content-Length 99999999999999999999999
  cl_negative     Content-Length -1
  cl_twice        two different Content-Length headers
  body_over_max   Content-Length max_body + 1 (2 MB + 1), all sent
  chunked_over    a chunked body past 2 MB
  close_over      a body to the close, past 2 MB
  redirect        302 to http://127.0.0.1:<--redirect>/redfish/v1/Systems/1
  redirect_307    the same with 307
  crlf_header     a header value holding a lone CR
  nul_header      a header value holding a NUL
  ctl_header      a header value holding ESC and BEL
  reset_mid_body  half the body, then a TCP reset
  reset_at_once   a TCP reset right after the request
  close_at_once   the connection closed after the request, no byte
  never_answer    reads the request, never answers, keeps the connection
  garbage_status  "HTXP/9.9 hello" as a status line
  status_999      "HTTP/1.1 999 Odd"
  status_huge     a status line with a 1 MB reason
  half_status     "HTTP/1.1 2", then close
  http09          a body with no status line at all
  switching       "101 Switching Protocols", then bytes
  binary_flood    random bytes without end
  body_flood_ws   200, a body of spaces to the close without end
  accept_never    listens with a backlog of one and never accepts: the
                  client's connects time out half-way
Login answers (MODE login_*, token_*):
  login_interim_flood   endless "100 Continue" to the login
  login_header_flood    endless headers to the login
  login_never           the login is never answered
  token_empty     "X-Auth-Token:" with no value
  token_blank     "X-Auth-Token:" with spaces and a tab
  token_huge      a 64 kB token
  token_crlf      a token, a lone CR, then a header of its own
  token_ctl       a token holding a control character (0x01)
  token_nul       a token holding a NUL
  token_8bit      a token holding a byte 0xff
TLS (with --tls):
  tls_mid_handshake  reads the ClientHello, closes mid-handshake
  tls_reset          reads the ClientHello, resets the connection
  tls_garbage        answers the ClientHello with random bytes
  any GET mode above, over TLS
Runs until killed.
"""
import argparse
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("mode")
ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
ap.add_argument("--record")
ap.add_argument("--redirect", type=int, default=0)
A = ap.parse_args()
MODE = A.mode
SYSTEM = (b'{"@odata.id":"/redfish/v1/Systems/1","Id":"1",'
          b'"PowerState":"On","Status":{"Health":"OK"}}')
MAX_BODY = 2 * 1024 * 1024
GOOD_TOKEN = "0123456789abcdef0123456789abcdef"
TOKENS = {
    "token_empty": b"",
    "token_blank": b"   \t ",
    "token_huge": b"A" * 65536,
    "token_crlf": b"abc\rX-Evil: 1",
    "token_ctl": b"ab\x01cd",
    "token_nul": b"ab\x00cd",
    "token_8bit": b"ab\xffcd",
}
record_lock = threading.Lock()


def record(head):
    if not A.record:
        return
    lines = head.decode("latin-1").split("\r\n")
    with record_lock, open(A.record, "a") as f:
        f.write(json.dumps({"request": lines[0], "headers": lines[1:]}) + "\n")


def read_request(s):
    """The request's head, and its body when it has a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v.strip() or b"0")
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    record(head)
    return head


def head(status="200 OK", length=None, extra=b""):
    h = b"HTTP/1.1 %s\r\nContent-Type: application/json\r\n" % status.encode()
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + extra + b"\r\n"


def ok(s):
    s.sendall(head(length=len(SYSTEM)) + SYSTEM)


def forever(s, piece, pause=0.0):
    while True:
        s.sendall(piece)
        if pause:
            time.sleep(pause)


def stream(s, n, block=b" " * 65536):
    sent = 0
    while n is None or sent < n:
        k = s.send(block if n is None else block[: min(len(block), n - sent)])
        sent += k


def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def login(s):
    if MODE == "login_interim_flood":
        forever(s, b"HTTP/1.1 100 Continue\r\n\r\n")
    elif MODE == "login_header_flood":
        s.sendall(b"HTTP/1.1 201 Created\r\n")
        forever(s, b"X-Pad: " + b"p" * 64 + b"\r\n")
    elif MODE == "login_never":
        while s.recv(65536):
            pass
        return False
    tok = TOKENS.get(MODE, GOOD_TOKEN.encode())
    body = b'{"@odata.id":"/redfish/v1/SessionService/Sessions/1","Id":"1"}'
    s.sendall(head("201 Created", len(body),
                   b"X-Auth-Token: " + tok + b"\r\n"
                   b"Location: /redfish/v1/SessionService/Sessions/1\r\n") +
              body)
    return True


def chunked(body, step):
    out = b""
    for i in range(0, len(body), step):
        piece = body[i:i + step]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return out + b"0\r\n\r\n"


def get(s):
    """Answer one GET by MODE; False when the connection is over."""
    m = MODE
    if m.startswith(("login_", "token_")) or m == "ok":
        ok(s)
    elif m == "interim_flood":
        forever(s, b"HTTP/1.1 100 Continue\r\n\r\n" * 64)
    elif m == "interim_slow":
        forever(s, b"HTTP/1.1 102 Processing\r\n\r\n", 0.05)
    elif m in ("interim_many", "interim_few"):
        n = 40 if m == "interim_many" else 3
        s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * n)
        ok(s)
    elif m == "header_flood":
        s.sendall(b"HTTP/1.1 200 OK\r\n")
        forever(s, (b"X-Flood: " + b"f" * 54 + b"\r\n") * 64)
    elif m == "header_huge":
        s.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: ")
        stream(s, 4 << 20, b"h" * 65536)
        s.sendall(b"\r\nContent-Length: 0\r\n\r\n")
    elif m == "header_many":
        extra = b"".join(b"X-H%05d: %s\r\n" % (i, b"v" * 20) for i in range(5000))
        s.sendall(head(length=len(SYSTEM), extra=extra) + SYSTEM)
    elif m == "header_slow":
        s.sendall(b"HTTP/1.1 200 OK\r\n")
        forever(s, b"X-Slow: s\r\n", 0.1)
    elif m == "chunk_ext_flood":
        s.sendall(head(extra=b"Transfer-Encoding: chunked\r\n") + b"10;ext=")
        forever(s, b"e" * 65536)
    elif m == "chunk_ext_ok":
        body = b""
        for i in range(0, len(SYSTEM), 20):
            piece = SYSTEM[i:i + 20]
            body += b"%x;name=v%d;q=\"x\"\r\n%s\r\n" % (len(piece), i, piece)
        body += b"0\r\nX-Trailer: t\r\nX-Other: o\r\n\r\n"
        s.sendall(head(extra=b"Transfer-Encoding: chunked\r\n"
                       b"Trailer: X-Trailer, X-Other\r\n") + body)
    elif m == "trailer_flood":
        s.sendall(head(extra=b"Transfer-Encoding: chunked\r\n") +
                  b"%x\r\n%s\r\n0\r\n" % (len(SYSTEM), SYSTEM))
        forever(s, (b"X-T: " + b"t" * 58 + b"\r\n") * 64)
    elif m == "chunk_tiny":
        s.sendall(head(extra=b"Transfer-Encoding: chunked\r\n") +
                  chunked(SYSTEM, 1))
    elif m == "slowloris":
        for b in head(length=len(SYSTEM)) + SYSTEM:
            s.sendall(bytes([b]))
            time.sleep(1)
    elif m == "cl_2gb":
        s.sendall(head(length=2 << 30) + b"[")
        stream(s, (2 << 30) - 1)
    elif m == "cl_overflow":
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: "
                  b"99999999999999999999999\r\n\r\n" + SYSTEM)
    elif m == "cl_negative":
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" + SYSTEM)
    elif m == "cl_twice":
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                  b"Content-Length: 3\r\n\r\n" % len(SYSTEM) + SYSTEM)
    elif m == "body_over_max":
        s.sendall(head(length=MAX_BODY + 1))
        stream(s, MAX_BODY + 1)
    elif m == "chunked_over":
        s.sendall(head(extra=b"Transfer-Encoding: chunked\r\n"))
        piece = b" " * 65536
        for _ in range(MAX_BODY // len(piece) + 2):
            s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        s.sendall(b"0\r\n\r\n")
    elif m == "close_over":
        s.sendall(head(extra=b"Connection: close\r\n"))
        stream(s, MAX_BODY * 2)
        return False
    elif m in ("redirect", "redirect_307"):
        status = "302 Found" if m == "redirect" else "307 Temporary Redirect"
        s.sendall(head(status, 0, b"Location: http://127.0.0.1:%d"
                       b"/redfish/v1/Systems/1\r\n" % A.redirect))
    elif m == "crlf_header":
        s.sendall(head(length=len(SYSTEM), extra=b"X-Odd: a\rb\r\n") + SYSTEM)
    elif m == "nul_header":
        s.sendall(head(length=len(SYSTEM), extra=b"X-Odd: a\x00b\r\n") +
                  SYSTEM)
    elif m == "ctl_header":
        s.sendall(head(length=len(SYSTEM),
                       extra=b"X-Odd: \x1b]0;title\x07\x1b[2J\r\n") + SYSTEM)
    elif m == "reset_mid_body":
        s.sendall(head(length=len(SYSTEM)) + SYSTEM[:20])
        time.sleep(0.02)
        reset(s)
        return False
    elif m == "reset_at_once":
        reset(s)
        return False
    elif m == "close_at_once":
        return False
    elif m == "never_answer":
        while s.recv(65536):
            pass
        return False
    elif m == "garbage_status":
        s.sendall(b"HTXP/9.9 hello\r\n\r\n" + SYSTEM)
    elif m == "status_999":
        s.sendall(b"HTTP/1.1 999 Odd\r\nContent-Length: %d\r\n\r\n"
                  % len(SYSTEM) + SYSTEM)
    elif m == "status_huge":
        s.sendall(b"HTTP/1.1 200 ")
        stream(s, 1 << 20, b"r" * 65536)
        s.sendall(b"\r\nContent-Length: 0\r\n\r\n")
    elif m == "half_status":
        s.sendall(b"HTTP/1.1 2")
        return False
    elif m == "http09":
        s.sendall(SYSTEM)
        return False
    elif m == "switching":
        s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: odd\r\n"
                  b"Connection: upgrade\r\n\r\n" + os.urandom(4096))
    elif m == "binary_flood":
        block = os.urandom(65536)
        forever(s, block)
    elif m == "body_flood_ws":
        s.sendall(head(extra=b"Connection: close\r\n"))
        stream(s, None)
    else:
        raise SystemExit("hostile_peer: unknown mode %s" % m)
    return True


def tls_early(s):
    """The TLS modes that never finish a handshake; True when handled."""
    if MODE == "tls_mid_handshake":
        s.recv(65536)
        s.close()
    elif MODE == "tls_reset":
        s.recv(65536)
        reset(s)
    elif MODE == "tls_garbage":
        s.recv(65536)
        s.sendall(os.urandom(8192))
        s.close()
    else:
        return False
    return True


def serve(s, ctx):
    try:
        if ctx is not None:
            if tls_early(s):
                return
            s.settimeout(10)
            s = ctx.wrap_socket(s, server_side=True)
            s.settimeout(None)
        while True:
            h = read_request(s)
            if h is None:
                return
            if h.startswith(b"POST ") and b"/SessionService/Sessions" in h:
                if not login(s):
                    return
            elif h.startswith(b"DELETE "):
                s.sendall(head("204 No Content", 0))
            elif not get(s):
                return
    except (OSError, ssl.SSLError):
        return
    finally:
        try:
            s.close()
        except OSError:
            pass


def main():
    if MODE == "accept_never":
        # A backlog of one, never accepted: connects beyond it hang in
        # SYN-SENT until the client gives up, mid-connect.
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", A.port))
        ls.listen(0)
        while True:
            time.sleep(3600)
    ctx = None
    if A.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(A.tls[0], A.tls[1])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", A.port))
    ls.listen(128)
    while True:
        s, _ = ls.accept()
        threading.Thread(target=serve, args=(s, ctx), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
