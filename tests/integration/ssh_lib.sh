# Helpers of the ssh_* integration tests (sourced after lib/common.sh and
# drill_lib.sh): a throwaway sshd on 127.0.0.1 with its own config and keys,
# stopped by its pid, and scenario templates filled with its paths.

# sshd_start: sshd with its own host key, client key and authorized_keys in
# $SSHD; sets SSH_PORT, SSH_USER, and writes $SSHD/known_hosts. It logs
# (LogLevel VERBOSE) to $SSHD/sshd.log: one "Accepted" line per connection.
# Optional: SSH_USER (default: the current user) to log in as; SSHD_EXTRA,
# config lines put first (sshd keeps the first value of a keyword, so they
# override the defaults below).
sshd_start() {
  SSHD=$WORK/sshd
  mkdir -p "$SSHD" && chmod 700 "$SSHD"
  ssh-keygen -q -t ed25519 -N '' -f "$SSHD/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$SSHD/client_key"
  ssh-keygen -q -t ed25519 -N '' -f "$SSHD/other_key"
  cp "$SSHD/client_key.pub" "$SSHD/authorized_keys"
  chmod 600 "$SSHD/authorized_keys"
  SSH_PORT=$(free_port)
  SSH_USER=${SSH_USER:-$(id -un)}
  cat >"$SSHD/sshd_config" <<CONF
${SSHD_EXTRA:-}
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSHD/host_ed25519
PidFile $SSHD/sshd.pid
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
LogLevel VERBOSE
MaxSessions 16
MaxStartups 64
CONF
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSHD/host_ed25519.pub")" \
    >"$SSHD/known_hosts"
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$SSHD/sshd_config" || fail "sshd -t refused the config"
  /usr/sbin/sshd -f "$SSHD/sshd_config" -E "$SSHD/sshd.log" ||
    fail "sshd did not start"
  for _ in $(seq 50); do [ -s "$SSHD/sshd.pid" ] && break; sleep 0.1; done
  [ -s "$SSHD/sshd.pid" ] || fail "sshd wrote no pid file"
  cleanup_hooks+=("sshd_stop")
  SSH_FP=$(ssh-keygen -l -E sha256 -f "$SSHD/host_ed25519.pub" | cut -d' ' -f2)
}

sshd_stop() {
  [ -s "$SSHD/sshd.pid" ] && kill "$(cat "$SSHD/sshd.pid")" 2>/dev/null
  rm -f "$SSHD/sshd.pid"
}

# sshd_accepted: connections sshd has authenticated so far.
sshd_accepted() {
  grep -c "Accepted publickey for" "$SSHD/sshd.log" || true
}

# render TEMPLATE OUT: fill @PORT@ @USER@ @KEY@ @OTHER_KEY@ @KNOWN@ @DIR@
# @HTTP_PORT@ (when set) @TOKEN@ (this shell's pid) of a scenario template.
render() {
  sed -e "s|@PORT@|$SSH_PORT|g" -e "s|@USER@|$SSH_USER|g" \
    -e "s|@KEY@|$SSHD/client_key|g" -e "s|@OTHER_KEY@|$SSHD/other_key|g" \
    -e "s|@KNOWN@|$SSHD/known_hosts|g" -e "s|@DIR@|$WORK|g" \
    -e "s|@HTTP_PORT@|${HTTP_PORT:-0}|g" -e "s|@TOKEN@|$$|g" "$1" >"$2"
}
