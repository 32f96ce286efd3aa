/*
 * exec: one command on a new channel of a session, with a deadline. Output
 * beyond max_output is read and dropped (the window must keep moving or the
 * command would block), and marked truncated.
 */
#include <stdio.h>
#include <string.h>

#include "ssh.h"

/* Longest wait of one read: stderr is drained at least this often. */
#define SLICE_MS 100

static int remaining_ms(uint64_t deadline_ns) {
  if (deadline_ns == 0)
    return SLICE_MS;
  uint64_t now = ed__ssh_now_ns();
  if (now >= deadline_ns)
    return 0;
  uint64_t ms = (deadline_ns - now + 999999u) / 1000000u;
  return ms > SLICE_MS ? SLICE_MS : (int)ms;
}

/* Read what stdout (wait up to ms) and stderr (no wait) have. 0, or -1 on
 * a session error, -2 out of memory. */
static int pump(ssh_channel ch, int ms, ed__ssh_run_t *run) {
  char buf[16384];
  int n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, ms);
  if (n == SSH_ERROR)
    return -1;
  if (n > 0 && ed__ssh_buf_append(&run->out, buf, (size_t)n) != 0)
    return -2;
  while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), 1)) > 0)
    if (ed__ssh_buf_append(&run->err, buf, (size_t)n) != 0)
      return -2;
  return n == SSH_ERROR ? -1 : 0;
}

static int send_input(ssh_channel ch, const char *in, size_t len) {
  while (len > 0) {
    uint32_t chunk = len > 32768 ? 32768 : (uint32_t)len;
    int n = ssh_channel_write(ch, in, chunk);
    if (n <= 0)
      return -1;
    in += n;
    len -= (size_t)n;
  }
  return ssh_channel_send_eof(ch) == SSH_OK ? 0 : -1;
}

int ed__ssh_exec(ssh_session s, const char *command, const char *in,
                 size_t in_len, uint64_t deadline_ns, ed__ssh_run_t *run,
                 char *errbuf, size_t errlen) {
  ssh_channel ch = ssh_channel_new(s);
  if (!ch || ssh_channel_open_session(ch) != SSH_OK) {
    snprintf(errbuf, errlen, "cannot open a channel: %s", ssh_get_error(s));
    if (ch)
      ssh_channel_free(ch);
    return ED_SSH_EXEC_NOCHAN;
  }
  int rc = ED_SSH_EXEC_OK;
  size_t max_err = run->err.max;
  run->err.max += 64; /* room for the pid line */
  if (ssh_channel_request_exec(ch, command) != SSH_OK) {
    snprintf(errbuf, errlen, "the server refused to run the command: %s",
             ssh_get_error(s));
    rc = ED_SSH_EXEC_BROKEN;
  } else if (in && send_input(ch, in, in_len) != 0) {
    snprintf(errbuf, errlen, "cannot send the input: %s", ssh_get_error(s));
    rc = ED_SSH_EXEC_BROKEN;
  }
  while (rc == ED_SSH_EXEC_OK && !ssh_channel_is_eof(ch)) {
    int ms = remaining_ms(deadline_ns);
    if (ms == 0) {
      rc = ED_SSH_EXEC_TIMEOUT;
      break;
    }
    int p = pump(ch, ms, run);
    if (p == -2) {
      rc = ED_SSH_EXEC_NOMEM;
    } else if (p != 0 || ssh_channel_is_closed(ch)) {
      if (ssh_channel_is_eof(ch))
        break;
      snprintf(errbuf, errlen, "the connection failed under the command: %s",
               ssh_get_error(s));
      rc = ED_SSH_EXEC_BROKEN;
    }
  }
  run->remote_pid = ed__ssh_take_pid(&run->err);
  if (run->err.len > max_err) {
    run->err.len = max_err;
    run->err.data[max_err] = '\0';
    run->err.truncated = 1;
  }
  if (rc == ED_SSH_EXEC_OK) {
    /* what came with the EOF */
    if (pump(ch, 0, run) == -2)
      rc = ED_SSH_EXEC_NOMEM;
    run->exit_status = ssh_channel_get_exit_status(ch);
  } else if (rc == ED_SSH_EXEC_TIMEOUT) {
    /* sshd delivers it to the command's process group (OpenSSH >= 7.9),
     * except for root logins: the caller then kills remote_pid */
    ssh_channel_request_send_signal(ch, "KILL");
    snprintf(errbuf, errlen, "the command did not end in time: killed");
  }
  if (!ssh_channel_is_closed(ch))
    ssh_channel_close(ch);
  ssh_channel_free(ch);
  return rc;
}

/* A command past its deadline: kill its process group through another
 * channel, as sshd refuses "signal" requests for root logins. */
void ed__ssh_kill_remote(ed__ssh_target_t *t, ed__ssh_conn_t *c, long pid) {
  char cmd[96], why[256];
  if (pid <= 1 || !c->session) {
    ed__ssh_drop(c);
    return;
  }
  snprintf(cmd, sizeof(cmd), "kill -KILL -- -%ld 2>/dev/null || kill -KILL %ld",
           pid, pid);
  ed__ssh_run_t run = {.exit_status = -1};
  ed__ssh_buf_init(&run.out, 256);
  ed__ssh_buf_init(&run.err, 256);
  uint64_t deadline =
      ed__ssh_now_ns() + (uint64_t)t->connect_timeout_ms * 1000000u;
  int rc =
      ed__ssh_exec(c->session, cmd, NULL, 0, deadline, &run, why, sizeof(why));
  if (rc != ED_SSH_EXEC_OK || run.exit_status != 0) {
    ed__ssh_log(ED_LOG_WARN, t,
                "could not kill the timed-out command (pid %ld) on [%s]:%d",
                pid, t->host, t->port);
    ed__ssh_drop(c);
  }
  ed__ssh_buf_close(&run.out);
  ed__ssh_buf_close(&run.err);
}
