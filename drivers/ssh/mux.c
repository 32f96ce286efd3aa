/*
 * mux: the loop thread's side of the SSH driver. Commands wait in the
 * target's queue for a free channel, go to a connection's inbox, and are
 * run by that connection's turns (turn.c) on libuv's pool. The loop never
 * calls libssh: between turns it watches the session's socket (uv_poll)
 * and the earliest deadline (uv_timer), and queues the next turn when
 * either fires or new commands come.
 *
 * Why turns. libssh sessions are not thread-safe, and several commands
 * must share one connection, each on its own channel (sshd runs up to
 * MaxSessions of them per connection). The choices were:
 *  - a pool job per command, holding the session's lock while it waits on
 *    its channel: a pool thread per running command (UV_THREADPOOL_SIZE,
 *    4 by default, shared with the other blocking drivers) and the lock
 *    serialises their waits anyway;
 *  - a thread per connection looping over ssh_event_dopoll: threads the
 *    core does not know of, blocked while nothing happens, and the design
 *    puts blocking libraries on libuv's pool;
 *  - turns (this): one pool job per connection at a time, which owns the
 *    session while it runs and does everything that can be done without
 *    waiting — non-blocking channels, every reply that has come — then
 *    returns. A session is thus only ever touched by one thread, a
 *    connection needs no pool thread while its commands run, and
 *    max_channels commands run at once over one connection whatever the
 *    pool's size. Connecting (blocking, bounded by connect_timeout) is
 *    done by a turn too.
 *
 * A target's memory lives until its last turn and handle are done: refs
 * counts them, plus one until target_close.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh.h"

static void queue_turn(ed__ssh_conn_t *conn, int mode);
static void arm_timer(ed__ssh_target_t *t);

static void unref(ed__ssh_target_t *t) {
  if (--t->refs == 0)
    ed__ssh_target_free(t);
}

/* ---- jobs ----------------------------------------------------------- */

void ed__ssh_job_free(ed__ssh_job_t *job) {
  if (!job)
    return;
  free(job->command);
  free(job->input);
  free((void *)job->res.value);
  free((void *)job->res.detail);
  free(job);
}

static void link_job(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  job->prev_all = NULL;
  job->next_all = t->jobs;
  if (t->jobs)
    t->jobs->prev_all = job;
  t->jobs = job;
}

static void unlink_job(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  if (job->prev_all)
    job->prev_all->next_all = job->next_all;
  else
    t->jobs = job->next_all;
  if (job->next_all)
    job->next_all->prev_all = job->prev_all;
  job->prev_all = job->next_all = NULL;
}

/* Give the core its answer and free the job. The core's done callback may
 * submit again: callers have their state settled before they deliver. */
static void deliver(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  ed_request_t *req = job->req;
  unlink_job(t, job);
  job->req = NULL;
  if (req) {
    if (job->res.value && !job->res.value_len)
      job->res.value_len = strlen(job->res.value);
    req->done(req, &job->res);
  }
  ed__ssh_job_free(job);
}

static void deliver_list(ed__ssh_target_t *t, ed__ssh_job_t *list) {
  for (ed__ssh_job_t *job = list, *next; job; job = next) {
    next = job->next;
    deliver(t, job);
  }
}

/* Every request still out is answered "cancelled" now; the jobs a turn
 * holds are freed when it hands them back, the others at once. */
static void cancel_all(ed__ssh_target_t *t, const char *why) {
  ed_result_t res = {.err = ED_ERRCLASS_CANCELLED, .code = -1, .detail = why};
  for (ed__ssh_job_t *job = t->jobs; job; job = job->next_all) {
    ed_request_t *req = job->req;
    job->req = NULL;
    if (req)
      req->done(req, &res);
  }
  deliver_list(t, t->queue);
  t->queue = NULL;
  t->queue_tail = &t->queue;
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *conn = &t->conns[i];
    deliver_list(t, conn->inbox);
    conn->inbox = NULL;
    conn->inbox_tail = &conn->inbox;
    conn->used -= conn->ninbox;
    conn->ninbox = 0;
  }
}

/* ---- the queue -------------------------------------------------------- */

static void enqueue(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  job->next = NULL;
  *t->queue_tail = job;
  t->queue_tail = &job->next;
}

/* Jobs a turn hands back (their connection failed before they started):
 * first in line again. */
static void requeue_front(ed__ssh_target_t *t, ed__ssh_job_t *list) {
  while (list) {
    ed__ssh_job_t *job = list;
    list = job->next;
    job->next = t->queue;
    t->queue = job;
    if (t->queue_tail == &t->queue)
      t->queue_tail = &job->next;
  }
}

static ed__ssh_job_t *dequeue(ed__ssh_target_t *t) {
  ed__ssh_job_t *job = t->queue;
  t->queue = job->next;
  if (!t->queue)
    t->queue_tail = &t->queue;
  job->next = NULL;
  return job;
}

/* The connection for the next command: a connected one with a free
 * channel, the least busy (commands spread over the connections, each
 * served by its own sshd process); else one still to connect. Connections
 * are opened as the load needs them. NULL when all channels are taken. */
static ed__ssh_conn_t *pick(ed__ssh_target_t *t) {
  ed__ssh_conn_t *best = NULL;
  int best_up = 0;
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *c = &t->conns[i];
    if (c->stopped || c->used >= t->max_channels ||
        (c->busy && c->mode == ED_SSH_TURN_STOP))
      continue;
    /* out is the turn's while busy: read only between turns */
    int up = c->busy || c->out.fd >= 0;
    if (!best || (up && !best_up) || (up == best_up && c->used < best->used)) {
      best = c;
      best_up = up;
    }
  }
  return best;
}

/* Give queued jobs to connections with free channels, then start the
 * turns of those that have new work and no turn yet. */
static void dispatch(ed__ssh_target_t *t) {
  if (t->closed)
    return;
  ed__ssh_conn_t *conn;
  while (t->queue && (conn = pick(t))) {
    ed__ssh_job_t *job = dequeue(t);
    *conn->inbox_tail = job;
    conn->inbox_tail = &job->next;
    conn->ninbox++;
    conn->used++;
  }
  for (int i = 0; i < t->nconns; i++) {
    conn = &t->conns[i];
    if (conn->inbox && !conn->busy && !conn->stopped)
      queue_turn(conn, ED_SSH_TURN_RUN);
  }
}

/* ---- the socket between turns ------------------------------------------ */

static void on_poll_closed(uv_handle_t *h) {
  ed__ssh_conn_t *conn = h->data;
  free(h);
  unref(conn->t);
}

static void poll_close(ed__ssh_conn_t *conn) {
  if (!conn->poll)
    return;
  uv_close((uv_handle_t *)conn->poll, on_poll_closed);
  conn->poll = NULL;
  conn->poll_fd = -1;
}

static void on_poll(uv_poll_t *p, int status, int events) {
  ed__ssh_conn_t *conn = p->data;
  (void)status; /* an error too is for the turn to find out */
  (void)events;
  if (conn->busy || conn->stopped || conn->t->closed) {
    uv_poll_stop(p);
    return;
  }
  queue_turn(conn, ED_SSH_TURN_RUN);
  arm_timer(conn->t);
}

/* Watch the session's socket (a new one after a reconnection). */
static void poll_watch(ed__ssh_conn_t *conn, int fd, int want_write) {
  ed__ssh_target_t *t = conn->t;
  if (conn->poll && conn->poll_fd != fd)
    poll_close(conn);
  if (fd < 0)
    return;
  if (!conn->poll) {
    uv_poll_t *p = malloc(sizeof(*p));
    /* libuv makes the socket non-blocking; libssh, which only reads and
     * writes it after its own poll, wants it as it left it */
    int flags = fcntl(fd, F_GETFL);
    if (!p || uv_poll_init(t->loop, p, fd) != 0) {
      free(p);
      ed__ssh_log(ED_LOG_WARN, t, "cannot watch the connection's socket");
      conn->wake_ns = ed__ssh_now_ns() + 10000000u; /* then poll by time */
      return;
    }
    if (flags >= 0)
      fcntl(fd, F_SETFL, flags);
    p->data = conn;
    conn->poll = p;
    conn->poll_fd = fd;
    t->refs++;
  }
  uv_poll_start(conn->poll, UV_READABLE | (want_write ? UV_WRITABLE : 0),
                on_poll);
}

/* ---- turns ------------------------------------------------------------ */

static void after_turn(uv_work_t *w, int status);

/* Hand the connection to a turn: from now until after_turn, its session,
 * channels and the jobs of `in` are the turn's. */
static void queue_turn(ed__ssh_conn_t *conn, int mode) {
  ed__ssh_target_t *t = conn->t;
  uint64_t now = uv_hrtime();
  if (conn->poll)
    uv_poll_stop(conn->poll);
  conn->busy = 1;
  conn->mode = mode;
  conn->in = conn->inbox;
  /* waiting for a channel is not sending (the service time starts now) */
  for (ed__ssh_job_t *job = conn->in; job; job = job->next)
    if (job->req)
      job->req->sent_ns = now;
  conn->inbox = NULL;
  conn->inbox_tail = &conn->inbox;
  conn->ninbox = 0;
  conn->work.data = conn;
  t->refs++;
  /* fails only for a NULL work callback */
  (void)uv_queue_work(t->loop, &conn->work, ed__ssh_turn, after_turn);
}

/* What the connection does next, once its turn is over. */
static void next_step(ed__ssh_conn_t *conn, int mode) {
  ed__ssh_target_t *t = conn->t;
  int has_session = conn->out.fd >= 0;
  if (mode == ED_SSH_TURN_STOP) {
    conn->stopped = 1;
    poll_close(conn);
  } else if (t->closed) {
    /* the session is dropped on the pool, not here */
    if (has_session)
      queue_turn(conn, ED_SSH_TURN_STOP);
  } else if (conn->stop_wanted && !conn->inbox && !conn->out.nchans &&
             !t->queue) {
    queue_turn(conn, ED_SSH_TURN_STOP); /* its last command is done */
  } else if (conn->inbox ||
             (conn->wake_ns && conn->wake_ns <= ed__ssh_now_ns())) {
    queue_turn(conn, ED_SSH_TURN_RUN);
  } else {
    poll_watch(conn, conn->out.fd, conn->out.want_write);
  }
}

static void turn_callbacks(ed__ssh_conn_t *conn, int mode) {
  ed__ssh_target_t *t = conn->t;
  ed_target_cb cb = t->cb;
  if (t->closed || !cb)
    return;
  if (mode == ED_SSH_TURN_CONNECT) {
    t->cb = NULL;
    cb(t->cb_arg, conn->out.status, conn->out.status ? conn->out.detail : NULL);
  } else if (mode == ED_SSH_TURN_STOP && conn->stop_counted) {
    conn->stop_counted = 0;
    if (--t->stops_left == 0) {
      t->cb = NULL;
      cb(t->cb_arg, 0, NULL);
    }
  }
}

static void after_turn(uv_work_t *w, int status) {
  ed__ssh_conn_t *conn = w->data;
  ed__ssh_target_t *t = conn->t;
  ed__ssh_job_t *done = conn->done, *retry = conn->retry;
  int mode = conn->mode;
  (void)status; /* turns are never cancelled */
  conn->done = conn->retry = NULL;
  conn->busy = 0;
  conn->wake_ns = conn->out.wake_ns;
  conn->used = conn->out.nchans + conn->ninbox;
  if (t->closed)
    deliver_list(t, retry); /* cancelled already: just freed */
  else
    requeue_front(t, retry);
  next_step(conn, mode);
  dispatch(t);
  arm_timer(t);
  /* the state is settled: the core may submit again from its callbacks */
  deliver_list(t, done);
  turn_callbacks(conn, mode);
  unref(t);
}

/* ---- deadlines ---------------------------------------------------------- */

static void on_timer(uv_timer_t *h) {
  ed__ssh_target_t *t = h->data;
  uint64_t now = ed__ssh_now_ns();
  ed__ssh_job_t *expired = NULL;
  /* still waiting for a channel at their deadline */
  for (ed__ssh_job_t **pj = &t->queue; *pj;) {
    ed__ssh_job_t *job = *pj;
    if (job->deadline_ns > now) {
      pj = &job->next;
      continue;
    }
    *pj = job->next;
    ed__ssh_fail(&job->res, ED_ERRCLASS_TIMEOUT,
                 "all %d channels of [%s]:%d stayed busy for %lld ms",
                 t->max_channels * t->nconns, t->host, t->port,
                 (long long)job->timeout_ms);
    job->next = expired;
    expired = job;
  }
  t->queue_tail = &t->queue;
  while (*t->queue_tail)
    t->queue_tail = &(*t->queue_tail)->next;
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *conn = &t->conns[i];
    if (!conn->busy && !conn->stopped && conn->wake_ns && conn->wake_ns <= now)
      queue_turn(conn, ED_SSH_TURN_RUN);
  }
  arm_timer(t);
  deliver_list(t, expired);
}

/* The timer on the earliest deadline the loop must act on: a queued job's,
 * or a connection's between turns. */
static void arm_timer(ed__ssh_target_t *t) {
  uint64_t first = 0;
  if (t->closed)
    return;
  for (ed__ssh_job_t *job = t->queue; job; job = job->next)
    if (!first || job->deadline_ns < first)
      first = job->deadline_ns;
  for (int i = 0; i < t->nconns; i++) {
    const ed__ssh_conn_t *conn = &t->conns[i];
    if (!conn->busy && !conn->stopped && conn->wake_ns &&
        (!first || conn->wake_ns < first))
      first = conn->wake_ns;
  }
  if (!first) {
    uv_timer_stop(t->timer);
    return;
  }
  uint64_t now = ed__ssh_now_ns();
  uint64_t ms = first > now ? (first - now + 999999u) / 1000000u : 0;
  uv_timer_start(t->timer, on_timer, ms, 0);
}

static void on_timer_closed(uv_handle_t *h) {
  ed__ssh_target_t *t = h->data;
  free(h);
  unref(t);
}

/* ---- the driver's entry points ---------------------------------------- */

int ed__ssh_mux_init(ed__ssh_target_t *t, uv_loop_t *loop) {
  t->loop = loop;
  t->refs = 1;
  t->queue_tail = &t->queue;
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *conn = &t->conns[i];
    conn->t = t;
    conn->inbox_tail = &conn->inbox;
    conn->poll_fd = -1;
    conn->out.fd = -1;
  }
  t->timer = malloc(sizeof(*t->timer));
  if (!t->timer || uv_timer_init(loop, t->timer) != 0) {
    free(t->timer);
    t->timer = NULL;
    return -1;
  }
  t->timer->data = t;
  t->refs++;
  return 0;
}

int ed__ssh_mux_submit(ed__ssh_target_t *t, ed__ssh_job_t *job) {
  if (t->stopping || t->closed)
    return -1;
  link_job(t, job);
  enqueue(t, job);
  dispatch(t);
  arm_timer(t);
  return 0;
}

int ed__ssh_mux_start(ed__ssh_target_t *t, ed_target_cb cb, void *arg) {
  t->cb = cb;
  t->cb_arg = arg;
  queue_turn(&t->conns[0], ED_SSH_TURN_CONNECT);
  return 0;
}

/* Stop: no new command is taken; idle connections are closed now, the
 * others once their last command is done (the core may still wait for a
 * check's answer). target_close cancels whatever is left. */
int ed__ssh_mux_stop(ed__ssh_target_t *t, ed_target_cb cb, void *arg) {
  pthread_mutex_lock(&t->mu); /* turns may still connect */
  unsigned long n = t->connects;
  pthread_mutex_unlock(&t->mu);
  ed__ssh_log(ED_LOG_DEBUG, t, "%lu connection%s opened during the run", n,
              n == 1 ? "" : "s");
  t->stopping = 1;
  t->stops_left = 0;
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *conn = &t->conns[i];
    conn->stop_wanted = 1;
    if (conn->busy || conn->used > 0)
      continue;
    conn->stop_counted = 1;
    t->stops_left++;
    queue_turn(conn, ED_SSH_TURN_STOP);
  }
  if (t->stops_left == 0) {
    cb(arg, 0, NULL);
    return 0;
  }
  t->cb = cb;
  t->cb_arg = arg;
  return 0;
}

void ed__ssh_mux_close(ed__ssh_target_t *t) {
  t->stopping = 1;
  cancel_all(t, "cancelled: the target closed");
  t->closed = 1;
  t->cb = NULL;
  uv_close((uv_handle_t *)t->timer, on_timer_closed);
  for (int i = 0; i < t->nconns; i++) {
    ed__ssh_conn_t *conn = &t->conns[i];
    poll_close(conn);
    if (!conn->busy && !conn->stopped && conn->out.fd >= 0)
      queue_turn(conn, ED_SSH_TURN_STOP);
  }
  unref(t);
}
