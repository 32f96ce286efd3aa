/*
 * turn: a connection's turn on libuv's pool. It owns the session while it
 * runs: it connects when needed (blocking, bounded by connect_timeout),
 * starts the jobs the loop handed it, and moves every channel on with
 * non-blocking calls until nothing more can happen without waiting — then
 * it returns, and the loop watches the socket (and the earliest deadline)
 * for it. So a turn never sleeps on the pool while commands run: waiting
 * is the loop's job, a pool thread is held only while there is work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh.h"

/* Longest turn while data keeps coming (a command writing without end):
 * past it the turn ends and the loop, which sees the socket readable,
 * queues the next one behind the other pool work. */
#define SLICE_NS (20u * 1000000u)

static void take_jobs_back(ed__ssh_conn_t *conn, ed__ssh_job_t *job) {
  job->next = conn->retry;
  conn->retry = job;
}

/* The session failed under its channels: commands that surely did not
 * start (no channel yet) are handed back once, to be sent again on a new
 * connection; the others fail. The session is dropped. */
static void broken(ed__ssh_conn_t *conn) {
  ed__ssh_target_t *t = conn->t;
  char why[256];
  snprintf(why, sizeof(why), "%s",
           conn->session ? ssh_get_error(conn->session) : "no session");
  for (ed__ssh_chan_t *c = conn->chans, *next; c; c = next) {
    next = c->next;
    ed__ssh_job_t *job = c->job;
    if (job && c->state == ED_SSH_CH_OPENING && !job->retried) {
      job->retried = 1;
      take_jobs_back(conn, job);
    } else if (job) {
      ed__ssh_fail(&job->res, ED_ERRCLASS_CONNECT,
                   "[%s]:%d: the connection failed under the command: %s",
                   t->host, t->port, why);
      ed__ssh_answer(conn, job);
    } else if (c->is_kill) {
      ed__ssh_log(ED_LOG_WARN, t,
                  "could not kill the timed-out command (pid %ld) on "
                  "[%s]:%d: the connection failed: %s",
                  c->kill_pid, t->host, t->port, why);
    }
    c->job = NULL;
    ed__ssh_chan_free(c);
  }
  conn->chans = NULL;
  for (ed__ssh_chan_t *k = conn->kills, *next; k; k = next) {
    next = k->next;
    ed__ssh_log(ED_LOG_WARN, t,
                "could not kill the timed-out command (pid %ld) on [%s]:%d: "
                "the connection failed: %s",
                k->kill_pid, t->host, t->port, why);
    ed__ssh_chan_free(k);
  }
  conn->kills = NULL;
  conn->kill_running = 0;
  ed__ssh_drop(conn);
}

/* Every job of `in` fails with the same reason (no connection). */
static void fail_all(ed__ssh_conn_t *conn, ed__ssh_job_t *in, ed_errclass_t cls,
                     const char *why) {
  for (ed__ssh_job_t *job = in, *next; job; job = next) {
    next = job->next;
    ed__ssh_fail(&job->res, cls, "%s", why);
    ed__ssh_answer(conn, job);
  }
}

static void add_chan(ed__ssh_conn_t *conn, ed__ssh_chan_t *c) {
  c->next = conn->chans;
  conn->chans = c;
}

/* The jobs the loop handed over become channels (opened by the pump). */
static void start_jobs(ed__ssh_conn_t *conn, ed__ssh_job_t *in) {
  for (ed__ssh_job_t *job = in, *next; job; job = next) {
    next = job->next;
    ed__ssh_chan_t *c = ed__ssh_chan_new(conn->t, job);
    if (!c) {
      ed__ssh_fail(&job->res, ED_ERRCLASS_OTHER, "out of memory");
      ed__ssh_answer(conn, job);
      continue;
    }
    add_chan(conn, c);
  }
}

/* One kill at a time: at most one session more than max_channels. */
static int start_kill(ed__ssh_conn_t *conn) {
  if (conn->kill_running || !conn->kills)
    return 0;
  ed__ssh_chan_t *k = conn->kills;
  conn->kills = k->next;
  add_chan(conn, k);
  conn->kill_running = 1;
  return 1;
}

/* Step every channel once; free the finished ones. 1: progress, 0: none,
 * -1: the session failed. */
static int step_all(ed__ssh_conn_t *conn, uint64_t now) {
  int progress = start_kill(conn);
  for (ed__ssh_chan_t **pc = &conn->chans; *pc;) {
    ed__ssh_chan_t *c = *pc;
    int r = ed__ssh_chan_step(conn, c, now);
    if (r < 0)
      return -1;
    progress |= r;
    if (ed__ssh_chan_finished(c)) {
      *pc = c->next;
      if (c->is_kill)
        conn->kill_running = 0;
      ed__ssh_chan_free(c);
      progress = 1;
    } else {
      pc = &c->next;
    }
  }
  return progress;
}

/* Move everything on until nothing more happens without waiting: no
 * channel moved, no packet came, and the socket has nothing to read. */
static void pump(ed__ssh_conn_t *conn) {
  uint64_t start = ed__ssh_now_ns();
  for (;;) {
    uint64_t now = ed__ssh_now_ns();
    uint64_t packets = conn->rx.in_packets;
    int progress = step_all(conn, now);
    if (progress < 0) {
      broken(conn);
      return;
    }
    int rc = ssh_event_dopoll(conn->event, 0);
    if (rc == SSH_ERROR || !ed__ssh_session_ok(conn)) {
      broken(conn);
      return;
    }
    if (!progress && rc == SSH_AGAIN && conn->rx.in_packets == packets)
      return;
    if (now - start > SLICE_NS) {
      conn->out.wake_ns = now; /* at once, after the others' pool work */
      return;
    }
  }
}

/* What the loop needs to know to wait for this connection. */
static void report(ed__ssh_conn_t *conn) {
  ed__ssh_report_t *o = &conn->out;
  uint64_t wake = o->wake_ns;
  o->nchans = 0;
  for (ed__ssh_chan_t *c = conn->chans; c; c = c->next) {
    if (!c->is_kill)
      o->nchans++;
    if (c->deadline_ns && (!wake || c->deadline_ns < wake))
      wake = c->deadline_ns;
  }
  o->wake_ns = wake;
  o->fd = conn->session ? (int)ssh_get_fd(conn->session) : -1;
  o->want_write =
      conn->session && (ssh_get_status(conn->session) & SSH_WRITE_PENDING);
}

/* Connect when there is none (or it dropped). 0, or -1 with the jobs of
 * `in` failed. */
static int ensure_session(ed__ssh_conn_t *conn, ed__ssh_job_t *in) {
  if (conn->session && !ed__ssh_session_ok(conn))
    broken(conn); /* dropped between turns (sshd restarted, idle cut) */
  if (conn->session)
    return 0;
  ed_errclass_t cls;
  char why[768];
  if (ed__ssh_connect(conn->t, conn, &cls, why, sizeof(why)) == 0)
    return 0;
  fail_all(conn, in, cls, why);
  return -1;
}

static void run_turn(ed__ssh_conn_t *conn) {
  ed__ssh_job_t *in = conn->in;
  conn->in = NULL;
  if (!in && !conn->session)
    return;
  if (!in && !ed__ssh_session_ok(conn)) {
    broken(conn); /* an idle connection dropped: reconnect when needed */
    return;
  }
  if (ensure_session(conn, in) != 0)
    return;
  start_jobs(conn, in);
  pump(conn);
}

/* target_start: one connection, so that an unreachable host, a refused
 * host key or refused credentials stop the drill before it starts. */
static void connect_turn(ed__ssh_conn_t *conn) {
  ed_errclass_t cls;
  conn->out.status = 0;
  if (conn->session)
    return;
  if (ed__ssh_connect(conn->t, conn, &cls, conn->out.detail,
                      sizeof(conn->out.detail)) != 0)
    conn->out.status = -1;
}

/* target_stop: what is still running is answered "cancelled" (the core
 * has stopped waiting for it) and the session closed. */
static void stop_turn(ed__ssh_conn_t *conn) {
  for (ed__ssh_chan_t *c = conn->chans; c; c = c->next)
    if (c->job) {
      ed__ssh_fail(&c->job->res, ED_ERRCLASS_CANCELLED,
                   "cancelled: the target stopped");
      ed__ssh_answer(conn, c->job);
      c->job = NULL;
    }
  for (ed__ssh_chan_t *c = conn->chans, *next; c; c = next) {
    next = c->next;
    ed__ssh_chan_free(c);
  }
  conn->chans = NULL;
  for (ed__ssh_chan_t *k = conn->kills, *next; k; k = next) {
    next = k->next;
    ed__ssh_chan_free(k);
  }
  conn->kills = NULL;
  conn->kill_running = 0;
  fail_all(conn, conn->in, ED_ERRCLASS_CANCELLED,
           "cancelled: the target stopped");
  conn->in = NULL;
  ed__ssh_drop(conn);
}

void ed__ssh_turn(uv_work_t *w) {
  ed__ssh_conn_t *conn = w->data;
  conn->out.wake_ns = 0;
  conn->done = conn->retry = NULL;
  switch (conn->mode) {
  case ED_SSH_TURN_CONNECT:
    connect_turn(conn);
    if (conn->in) /* not at start, but nothing handed over is dropped */
      run_turn(conn);
    break;
  case ED_SSH_TURN_STOP:
    stop_turn(conn);
    break;
  default:
    run_turn(conn);
    break;
  }
  report(conn);
}
