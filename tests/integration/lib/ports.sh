# Ports for the servers a test starts (sourced; needs $PY).

# free_port: a TCP port free on 127.0.0.1 right now, below the ephemeral
# range (32768 and up), where the connections of other tests and programs
# take their local ports: a port from there can be taken between this
# choice and the bind of the server that gets it. A port is never handed
# out twice in one test: those given are listed in $PORTS_TAKEN (default
# $WORK/.ports-taken).
free_port() {
  $PY - "${PORTS_TAKEN:-$WORK/.ports-taken}" <<'PYEOF'
import os, random, socket, sys
path = sys.argv[1]
taken = set(open(path).read().split()) if os.path.exists(path) else set()
while True:
    port = random.randrange(20000, 32000)
    if str(port) in taken:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    with open(path, "a") as f:
        f.write("%d\n" % port)
    print(port)
    break
PYEOF
}
