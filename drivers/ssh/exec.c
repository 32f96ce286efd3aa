/*
 * exec: one command on a channel of a non-blocking session, as a state
 * machine a turn moves on (opening, exec request, input, running). Every
 * call here returns at once: libssh answers SSH_AGAIN until the server's
 * reply has come, which a later turn sees. Output beyond max_output is read
 * and dropped (the window must keep moving or the command would block), and
 * marked truncated.
 *
 * Past its deadline a command is answered (timeout) at once, and its
 * channel "winds down": the KILL signal request goes out (sshd delivers it
 * to the command's process group, OpenSSH >= 7.9, except for root logins)
 * and a kill channel runs `kill -KILL -- -PID` with the login shell's pid
 * (which the command prefix wrote on stderr), so that the process group dies
 * either way. The winding channel keeps its place among the connection's
 * channels until sshd closes it: the session it held on the server is not
 * free before.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh.h"

void ed__ssh_fail(ed_result_t *res, ed_errclass_t cls, const char *fmt, ...) {
  char *d = malloc(1024);
  va_list ap;
  if (d) {
    va_start(ap, fmt);
    vsnprintf(d, 1024, fmt, ap);
    va_end(ap);
  }
  res->err = cls;
  res->code = -1;
  res->detail = d;
}

void ed__ssh_answer(ed__ssh_conn_t *conn, ed__ssh_job_t *job) {
  job->next = conn->done;
  conn->done = job;
}

/* ---- results ------------------------------------------------------------ */

/* The detail of a command that ran: why it failed, truncation, and what
 * stderr said when the exit status is not 0. */
static char *run_detail(const char *why, const ed__ssh_run_t *run,
                        int exit_status) {
  const ed__ssh_buf_t *e = &run->err;
  int trunc = run->out.truncated || e->truncated;
  int elen = exit_status != 0 ? (int)(e->len > 200 ? 200 : e->len) : 0;
  if (!why[0] && !trunc && !elen)
    return NULL;
  char *d = malloc(512);
  if (d)
    snprintf(d, 512, "%s%s%s%s%s%.*s", why, why[0] && trunc ? "; " : "",
             trunc ? "output truncated at max_output" : "",
             (why[0] || trunc) && elen ? "; " : "", elen ? "stderr: " : "",
             elen, e->data ? e->data : "");
  return d;
}

/* The result of a command that ran. */
static void shape(ed__ssh_job_t *job, ed__ssh_run_t *run) {
  ed_result_t *res = &job->res;
  char why[256] = "";
  char *value = NULL;
  int exit_status = run->exit_status < 0 ? 255 : run->exit_status;
  res->code = exit_status;
  int rc = ed__ssh_shape(job->output, exit_status, &run->out, &run->err, &value,
                         why, sizeof(why));
  if (rc == -1)
    res->err = ED_ERRCLASS_BAD_JSON;
  else if (rc == -2)
    res->err = ED_ERRCLASS_OTHER, snprintf(why, sizeof(why), "out of memory");
  if (run->exit_status < 0) {
    res->err = ED_ERRCLASS_OTHER;
    snprintf(why, sizeof(why), "no exit status (killed by a signal?)");
  } else if (job->expect_exit >= 0 && exit_status != job->expect_exit) {
    res->err = ED_ERRCLASS_OTHER;
    snprintf(why, sizeof(why), "exit status %d, expected %d", exit_status,
             job->expect_exit);
  }
  res->value = value;
  res->detail = run_detail(why, run, exit_status);
}

/* ---- channels ----------------------------------------------------------- */

static ed__ssh_chan_t *chan_alloc(size_t max_output, uint64_t deadline_ns) {
  ed__ssh_chan_t *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->state = ED_SSH_CH_OPENING;
  c->deadline_ns = deadline_ns;
  c->run.exit_status = -1;
  c->run.remote_pid = -1;
  ed__ssh_buf_init(&c->run.out, max_output);
  /* room for the pid line, taken out before the output is shaped */
  ed__ssh_buf_init(&c->run.err, max_output + 64);
  return c;
}

ed__ssh_chan_t *ed__ssh_chan_new(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  ed__ssh_chan_t *c = chan_alloc(t->max_output, job->deadline_ns);
  if (c)
    c->job = job;
  return c;
}

ed__ssh_chan_t *ed__ssh_kill_new(ed__ssh_target_t *t, long pid) {
  uint64_t deadline =
      ed__ssh_now_ns() + (uint64_t)t->connect_timeout_ms * 1000000u;
  ed__ssh_chan_t *c = chan_alloc(256, deadline);
  if (!c)
    return NULL;
  c->is_kill = 1;
  c->kill_pid = pid;
  snprintf(c->kill_cmd, sizeof(c->kill_cmd),
           "kill -KILL -- -%ld 2>/dev/null || kill -KILL %ld", pid, pid);
  return c;
}

void ed__ssh_chan_free(ed__ssh_chan_t *c) {
  if (!c)
    return;
  /* sends the close (or answers the server's) when the channel is open.
   * A channel still opening is only freed with its session (broken, STOP):
   * freed alone, the server's late confirmation would find no channel and
   * its session would stay open on the server. */
  if (c->ch)
    ssh_channel_free(c->ch);
  ed__ssh_buf_close(&c->run.out);
  ed__ssh_buf_close(&c->run.err);
  free(c);
}

int ed__ssh_chan_finished(const ed__ssh_chan_t *c) {
  return c->state == 0;
}

/* Done with c: its slot is free once the turn frees it. */
static int finish(ed__ssh_chan_t *c) {
  c->state = 0;
  return 1;
}

static const char *cmd_of(const ed__ssh_chan_t *c) {
  if (c->is_kill)
    return c->kill_cmd;
  /* a winding channel's job is answered and gone: an exec request still
   * pending only needs its reply, not the command again */
  return c->job ? c->job->command : "";
}

static int session_failed(ed__ssh_conn_t *conn) {
  return !ed__ssh_session_ok(conn);
}

/* RFC 4254's names of the reason codes of SSH_MSG_CHANNEL_OPEN_FAILURE. */
static const char *open_failure_name(unsigned long code) {
  static const char *const names[] = {NULL, "administratively prohibited",
                                      "connect failed", "unknown channel type",
                                      "resource shortage"};
  return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

/* What the server did to a channel, into buf, never empty: its refusal
 * (libssh's "Channel opening failure: channel N error (CODE) TEXT", with
 * the code's name), or that it closed the channel (dropbear 2022.83 does
 * so, with no reason, to a channel it takes for one already closed), or
 * the connection. */
static const char *server_reason(ed__ssh_conn_t *conn, ed__ssh_chan_t *c,
                                 char *buf, size_t len) {
  const char *why = ssh_get_error(conn->session);
  const char *code = why ? strstr(why, "error (") : NULL;
  char *end = NULL;
  unsigned long n = code ? strtoul(code + 7, &end, 10) : 0;
  if (code && open_failure_name(n) && *end == ')') {
    const char *text = end + 1;
    while (*text == ' ')
      text++;
    snprintf(buf, len, "the server refused it: %s%s%s%s", open_failure_name(n),
             *text ? " (\"" : "", text, *text ? "\")" : ", no text given");
  } else if (why && why[0]) {
    snprintf(buf, len, "%s", why);
  } else if (!ed__ssh_session_ok(conn)) {
    snprintf(buf, len, "the server closed the connection");
  } else if (c->ch && ssh_channel_is_closed(c->ch)) {
    snprintf(buf, len,
             "the server closed the channel at once "
             "(SSH_MSG_CHANNEL_CLOSE) and gave no reason");
  } else {
    snprintf(buf, len, "the server gave no reason");
  }
  return buf;
}

/* The job fails: answered now, the channel closed. */
static int fail_job(ed__ssh_conn_t *conn, ed__ssh_chan_t *c, ed_errclass_t cls,
                    const char *what) {
  ed__ssh_target_t *t = conn->t;
  char why[400];
  server_reason(conn, c, why, sizeof(why));
  if (c->job) {
    ed__ssh_fail(&c->job->res, cls, "[%s]:%d: %s: %s", t->host, t->port, what,
                 why);
    ed__ssh_answer(conn, c->job);
    c->job = NULL;
  } else if (c->is_kill) {
    ed__ssh_log(ED_LOG_WARN, t,
                "could not kill the timed-out command (pid %ld) on [%s]:%d: "
                "%s: %s",
                c->kill_pid, t->host, t->port, what, why);
  }
  return finish(c);
}

static int step_open(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  if (!c->ch && !(c->ch = ssh_channel_new(conn->session)))
    return fail_job(conn, c, ED_ERRCLASS_OTHER, "out of memory");
  int rc = ssh_channel_open_session(c->ch);
  if (rc == SSH_AGAIN)
    return 0;
  if (rc != SSH_OK) {
    if (session_failed(conn))
      return -1;
    /* refused (sshd past its MaxSessions, most often: libssh then has the
     * server's reason) or closed at once without one */
    const char *said = ssh_get_error(conn->session);
    return fail_job(conn, c, ED_ERRCLASS_CONNECT,
                    said && said[0]
                        ? "the server refused a channel (is max_channels "
                          "above its MaxSessions?)"
                        : "cannot open a channel");
  }
  if (c->winding) /* past its deadline before it started: never run it */
    return finish(c);
  c->state = ED_SSH_CH_EXEC;
  return 1;
}

static int step_exec(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  int rc = ssh_channel_request_exec(c->ch, cmd_of(c));
  if (rc == SSH_AGAIN)
    return 0;
  if (rc != SSH_OK) {
    if (session_failed(conn))
      return -1;
    return fail_job(conn, c, ED_ERRCLASS_CONNECT,
                    "the server refused to run the command");
  }
  int has_input = c->job && c->job->input && !c->winding;
  c->state = has_input ? ED_SSH_CH_INPUT : ED_SSH_CH_RUN;
  return 1;
}

/* Upload content: as much as the channel's window takes now. */
static int step_input(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  const ed__ssh_job_t *job = c->job;
  if (!job || c->winding) {
    c->state = ED_SSH_CH_RUN;
    return 1;
  }
  size_t left = job->input_len - c->in_off;
  if (left > 0) {
    uint32_t chunk = left > 32768 ? 32768 : (uint32_t)left;
    int n = ssh_channel_write(c->ch, job->input + c->in_off, chunk);
    if (n < 0)
      return session_failed(conn) ? -1
                                  : fail_job(conn, c, ED_ERRCLASS_CONNECT,
                                             "cannot send the input");
    c->in_off += (size_t)n;
    if (c->in_off < job->input_len)
      return n > 0;
  }
  if (ssh_channel_send_eof(c->ch) == SSH_ERROR)
    return session_failed(conn) ? -1
                                : fail_job(conn, c, ED_ERRCLASS_CONNECT,
                                           "cannot send the input");
  c->state = ED_SSH_CH_RUN;
  return 1;
}

/* Read what stdout and stderr have. 1: something came, 0: nothing, -1: the
 * session failed, -2: out of memory. */
static int drain(ed__ssh_chan_t *c) {
  char buf[16384];
  int got = 0;
  for (int is_err = 0; is_err <= 1; is_err++) {
    ed__ssh_buf_t *b = is_err ? &c->run.err : &c->run.out;
    int n;
    while ((n = ssh_channel_read_nonblocking(c->ch, buf, sizeof(buf), is_err)) >
           0) {
      got = 1;
      if (ed__ssh_buf_append(b, buf, (size_t)n) != 0)
        return -2;
    }
    if (n == SSH_ERROR)
      return -1;
  }
  return got;
}

/* A winding command: the KILL signal request (refused by sshd for root
 * logins, hence the kill channel too, once the pid line has come). */
static int send_kill(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  int did = 0;
  if (!c->signaled) {
    c->signaled = 1;
    ssh_channel_request_send_signal(c->ch, "KILL");
    did = 1;
  }
  long pid = ed__ssh_take_pid(&c->run.err);
  if (pid < 0) {
    /* not yet; at the EOF, never (it ended, or the login shell is not
     * POSIX: the give-up time says so) */
    c->kill_done = ssh_channel_is_eof(c->ch);
    return did;
  }
  c->kill_done = 1;
  ed__ssh_chan_t *k = ed__ssh_kill_new(conn->t, pid);
  if (!k) {
    ed__ssh_log(ED_LOG_WARN, conn->t,
                "out of memory: the timed-out command (pid %ld) on [%s]:%d "
                "was only sent the KILL signal",
                pid, conn->t->host, conn->t->port);
    return 1;
  }
  /* kills wait in line: each takes one more session on the server */
  ed__ssh_chan_t **tail = &conn->kills;
  while (*tail)
    tail = &(*tail)->next;
  *tail = k;
  return 1;
}

/* The command has ended: its answer, or for a kill, whether it worked. */
static int complete(ed__ssh_conn_t *conn, ed__ssh_chan_t *c, int status) {
  c->run.exit_status = status;
  if (c->job) {
    c->run.remote_pid = ed__ssh_take_pid(&c->run.err);
    size_t max_err = c->run.err.max - 64;
    if (c->run.err.len > max_err) {
      c->run.err.len = max_err;
      c->run.err.data[max_err] = '\0';
      c->run.err.truncated = 1;
    }
    shape(c->job, &c->run);
    ed__ssh_answer(conn, c->job);
    c->job = NULL;
  } else if (c->is_kill && status != 0) {
    ed__ssh_log(ED_LOG_WARN, conn->t,
                "could not kill the timed-out command (pid %ld) on [%s]:%d "
                "(kill exited %d)",
                c->kill_pid, conn->t->host, conn->t->port, status);
  }
  return finish(c);
}

static int step_run(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  int got = drain(c);
  if (got == -1)
    return session_failed(conn) ? -1 : complete(conn, c, -1);
  if (got == -2) {
    if (c->job) {
      ed__ssh_fail(&c->job->res, ED_ERRCLASS_OTHER, "out of memory");
      ed__ssh_answer(conn, c->job);
      c->job = NULL;
    }
    return finish(c);
  }
  if (c->winding && !c->kill_done && !c->is_kill)
    got |= send_kill(conn, c);
  if (!ssh_channel_is_eof(c->ch))
    return got;
  /* the exit status may come after the EOF, or never (a signal): the
   * server's close says no more will come */
  int status = ssh_channel_get_exit_status(c->ch);
  if (status == SSH_ERROR && session_failed(conn))
    return -1;
  if (status < 0 && !ssh_channel_is_closed(c->ch))
    return got;
  return complete(conn, c, status < 0 ? -1 : status);
}

/* Past the deadline: answer now, then wind the channel down. */
static void expire(ed__ssh_conn_t *conn, ed__ssh_chan_t *c, uint64_t now) {
  ed__ssh_target_t *t = conn->t;
  if (c->job) {
    ed__ssh_job_t *job = c->job;
    ed__ssh_fail(&job->res, ED_ERRCLASS_TIMEOUT, "%s: %s after %lld ms",
                 job->op,
                 c->state == ED_SSH_CH_OPENING
                     ? "the server opened no channel in time"
                     : "the command did not end in time: killed",
                 (long long)job->timeout_ms);
    ed__ssh_answer(conn, job);
    c->job = NULL;
  } else if (c->is_kill) {
    ed__ssh_log(ED_LOG_WARN, t,
                "could not kill the timed-out command (pid %ld) on [%s]:%d: "
                "the kill did not end in time",
                c->kill_pid, t->host, t->port);
  }
  c->winding = 1;
  c->deadline_ns = now + (uint64_t)t->connect_timeout_ms * 1000000u;
}

int ed__ssh_chan_step(ed__ssh_conn_t *conn, ed__ssh_chan_t *c, uint64_t now) {
  if (c->deadline_ns && now >= c->deadline_ns) {
    if (c->winding) {
      /* the server never closed it: give its place back anyway */
      ed__ssh_log(ED_LOG_WARN, conn->t,
                  "a timed-out command's channel on [%s]:%d did not close "
                  "within connect_timeout after the kill; abandoned",
                  conn->t->host, conn->t->port);
      if (c->state == ED_SSH_CH_OPENING)
        return -1; /* no reply in all that time: the session is stuck */
      return finish(c);
    }
    expire(conn, c, now);
  }
  switch (c->state) {
  case ED_SSH_CH_OPENING:
    return step_open(conn, c);
  case ED_SSH_CH_EXEC:
    return step_exec(conn, c);
  case ED_SSH_CH_INPUT:
    return step_input(conn, c);
  case ED_SSH_CH_RUN:
    return step_run(conn, c);
  default:
    return 0;
  }
}
