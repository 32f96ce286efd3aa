"""Misbehaving devices for tests/integration/bad_devices.sh (loopback only).

usage: bad_peer.py PORT MODE [CERT KEY]
Every connection is served by MODE, whatever the request:
  ok          200, a small Redfish system (a control)
  hang        accepts, reads the request, never answers
  trickle     a valid 200 answer, one byte per second
  reset       status line and half the headers, then a TCP reset
  badjson     200 with a body that is not JSON
  huge        200, Content-Length 100 MB, the body streamed as fast as read
  huge_close  200, no Content-Length (close-delimited), 100 MB streamed
  longer      Content-Length 1000, 20 bytes of body, then close
  shorter     Content-Length 5 for a longer body (the rest follows it)
  http10      HTTP/1.0 200 without keep-alive, body until close
  chunked     200 with a chunked body (three chunks), keep-alive
  interim     "100 Continue", then the 200
  trailing    a 200, then bytes that answer nothing (the client must not
              re-use the connection)
  stale       answers the first request of each connection and closes it on
              the second without a byte (a keep-alive timeout racing the
              request: the client must send it again on a new connection)
  tls_stale   stale, over TLS with CERT/KEY (the close is a TCP close, no
              close_notify: what a BMC that drops idle connections sends)
  notls       answers a TLS ClientHello with plain-text HTTP (handshake fails)
  tls         TLS with CERT/KEY (e.g. a certificate for the wrong name)
Runs until killed.
"""
import os
import socket
import ssl
import struct
import sys
import threading
import time

PORT = int(sys.argv[1])
MODE = sys.argv[2]
SYSTEM = (b'{"@odata.id":"/redfish/v1/Systems/1","Id":"1",'
          b'"PowerState":"On","Status":{"Health":"OK"}}')
HUGE = 100 * 1024 * 1024


def read_request(s):
    """Read up to the end of the headers (requests here carry no body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def head(status="200 OK", length=None, version="HTTP/1.1", extra=""):
    h = "%s %s\r\nContent-Type: application/json\r\n" % (version, status)
    if length is not None:
        h += "Content-Length: %d\r\n" % length
    return (h + extra + "\r\n").encode()


def stream(s, n):
    block = b" " * 65536
    sent = 0
    while sent < n:
        k = s.send(block[: min(len(block), n - sent)])
        sent += k


def chunked(body, parts=3):
    step = (len(body) + parts - 1) // parts
    out = b""
    for i in range(0, len(body), step):
        piece = body[i:i + step]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return out + b"0\r\n\r\n"


def serve(s):
    served = 0
    try:
        while True:
            if MODE == "notls":
                s.recv(65536)  # a ClientHello: no end of headers in it
                s.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            if read_request(s) is None:
                return
            served += 1
            if MODE in ("stale", "tls_stale") and served == 2:
                os.close(s.detach())  # a TCP close: no TLS close_notify
                return
            if MODE in ("ok", "tls", "stale", "tls_stale"):
                s.sendall(head(length=len(SYSTEM)) + SYSTEM)
            elif MODE == "hang":
                while s.recv(65536):
                    pass
                return
            elif MODE == "trickle":
                for b in head(length=len(SYSTEM)) + SYSTEM:
                    s.sendall(bytes([b]))
                    time.sleep(1)
            elif MODE == "reset":
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: appl")
                time.sleep(0.05)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                s.close()
                return
            elif MODE == "badjson":
                body = b'{"PowerState": "On", oops this is { not JSON'
                s.sendall(head(length=len(body)) + body)
            elif MODE == "huge":
                s.sendall(head(length=HUGE) + b"[")
                stream(s, HUGE - 1)
            elif MODE == "huge_close":
                s.sendall(head(extra="Connection: close\r\n") + b"[")
                stream(s, HUGE - 1)
                return
            elif MODE == "longer":
                s.sendall(head(length=1000) + SYSTEM[:20])
                time.sleep(0.05)
                return
            elif MODE == "shorter":
                s.sendall(head(length=5) + SYSTEM)
            elif MODE == "chunked":
                s.sendall(head(extra="Transfer-Encoding: chunked\r\n") +
                          chunked(SYSTEM))
            elif MODE == "interim":
                s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" +
                          head(length=len(SYSTEM)) + SYSTEM)
            elif MODE == "trailing":
                s.sendall(head(length=len(SYSTEM)) + SYSTEM + b"HTTP/1.1 200")
            elif MODE == "http10":
                s.sendall(head(version="HTTP/1.0") + SYSTEM)
                return
    except (OSError, ssl.SSLError):
        return
    finally:
        try:
            s.close()
        except OSError:
            pass


def main():
    ctx = None
    if MODE in ("tls", "tls_stale"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", PORT))
    ls.listen(128)
    while True:
        s, _ = ls.accept()
        if ctx is not None:
            try:
                s.settimeout(10)
                s = ctx.wrap_socket(s, server_side=True)
                s.settimeout(None)
            except (OSError, ssl.SSLError):
                s.close()
                continue
        threading.Thread(target=serve, args=(s,), daemon=True).start()


main()
