/*
 * conn: see conn.h.
 *
 * A connection is opened in one of the dialers (shared by all targets, see
 * dialer_take): curl multis of at most DIALER_SIZE connections each,
 * because curl_easy_send and curl_easy_recv find their connection by walking
 * the multi's connection cache. Once curl has connected, the connection stays
 * in its multi (the multi is made with ED__CUV_KEEP_DONE: taking the easy
 * handle out would close it) and its socket's watcher is adopted (curl_uv.h):
 * its events come here.
 *
 * What HTTP asks of a client that re-uses connections, done here as libcurl
 * does it: an idle connection is watched, so that one the server closed is
 * noticed and closed at once; a GET that finds its re-used connection closed
 * before any byte of the answer came is sent again, once, on a new one; an
 * answer that says "close" (or HTTP/1.0 without keep-alive, or a body that
 * ends with the connection) ends its connection; bytes past the end of an
 * answer end it too, since they can belong to no request.
 */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "xfer.h"

#define DIALER_SIZE 8
/* Read at most this much per curl_easy_recv (a Redfish answer is some kB). */
#define RECV_CHUNK 16384
/* Read at most this much per turn of the loop, then let the loop run (and
 * come back at once): a device that floods its connection must not starve
 * the other targets, the timers or the signals. */
#define READ_BUDGET (4 * RECV_CHUNK)
/* A free connection unused this long is closed and freed: the pool follows what
 * the target needs now, not the most it ever needed (a burst of hung requests
 * once made it open many), on both ends. Looked for at most once a second. */
#define IDLE_CLOSE_MS 15000
#define IDLE_SWEEP_MS 1000

enum { CONN_CLOSED, CONN_DIALING, CONN_OPEN };

struct ed__rf_conn_s {
  ed__rf_target_t *t;
  ed__rf_conn_t *all_next;  /* every connection of the target */
  ed__rf_conn_t *idle_next; /* the target's free connections */
  ed__cuv_t *dialer;        /* the multi that opens it, for life */
  size_t slot;              /* its place in the pool of dialers */
  CURL *easy;               /* CONNECT_ONLY handle */
  int in_multi;             /* easy added to the dialer (dialing or open) */
  int state;
  curl_socket_t fd; /* when open */
  int closing;      /* we are closing it: curl's close is no news */
  int lost;         /* curl closed it under a request (news for the loop) */
  unsigned served;  /* answers read since it was opened */
  ed__rf_xfer_t *x; /* the request it carries, NULL when free */
  int64_t timeout_ms;
  uint64_t deadline;
  uv_timer_t timer;  /* x's deadline, or news of a lost connection */
  uv_timer_t resume; /* reading on after the loop had its turn */
  int handles;       /* of the two above, not yet closed */
  ed__rf_answer_t ans;
  char *out; /* x's request bytes (a copy: the op's may change meanwhile) */
  size_t out_len, out_cap, sent;
  size_t got; /* bytes of answer read for x */
  int retried;
  uint64_t idle_since; /* loop time it was last made free */
  char errbuf[CURL_ERROR_SIZE];
};

static void dial(ed__rf_conn_t *c);
static void write_more(ed__rf_conn_t *c);

/* ---- the answer ------------------------------------------------------ */

static size_t on_body(void *arg, const char *p, size_t len) {
  ed__rf_conn_t *c = arg;
  return ed__rf_xfer_take(c->x, p, len);
}

/* ---- the request ------------------------------------------------------ */

static const char *base_path(const ed__rf_op_t *op) {
  size_t n = strlen(op->t->base);
  if (!op->url || strncmp(op->url, op->t->base, n) != 0 || op->url[n] != '/')
    return NULL;
  return op->url + n;
}

static int eligible(const ed__rf_op_t *op) {
  if (op->kind != ED__RF_GET || op->etag_auto || op->if_match || op->want_etag)
    return 0;
  const char *path = base_path(op);
  if (!path)
    return 0;
  /* A byte that needs encoding, or a fragment ("Power#/PowerControl/0", as
   * Redfish member ids can be), which is not sent: curl's business. */
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f || *p == '#')
      return 0;
  return 1;
}

int ed__rf_conn_eligible(ed__rf_op_t *op) {
  if (!op->url)
    return 0;
  if (!op->conn_path) /* the URL, once set, stays: decide once */
    op->conn_path = eligible(op) ? 1 : -1;
  return op->conn_path > 0;
}

/* op's request bytes, built again when the auth line changed. */
static int wire_build(ed__rf_op_t *op) {
  ed__rf_target_t *t = op->t;
  if (op->wire && op->wire_gen == t->auth_gen)
    return 0;
  const char *host = strstr(t->base, "://") + 3;
  const char *path = base_path(op);
  const char *auth = t->auth_line ? t->auth_line : "";
  size_t cap = strlen(path) + strlen(host) + strlen(auth) + 128;
  char *w = malloc(cap);
  if (!w)
    return -ENOMEM;
  int n =
      snprintf(w, cap,
               "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " ED__RF_USER_AGENT
               "\r\nAccept: application/json\r\n%s%s\r\n",
               path, host, auth, auth[0] ? "\r\n" : "");
  ed__rf_wipe_free(op->wire);
  op->wire = w;
  op->wire_len = (size_t)n;
  op->wire_gen = t->auth_gen;
  return 0;
}

/* ---- connections ------------------------------------------------------ */

static int watch(ed__rf_conn_t *c, int events, int busy) {
  return ed__cuv_watch(c->dialer, c->fd, events, busy);
}

/* Close c's socket (through curl, which owns it) and forget the answer. */
static void conn_close(ed__rf_conn_t *c) {
  uv_timer_stop(&c->resume);
  if (c->in_multi) {
    c->closing = 1;
    ed__cuv_remove(c->dialer, c->easy);
    c->closing = 0;
    c->in_multi = 0;
  }
  c->fd = CURL_SOCKET_BAD;
  c->state = CONN_CLOSED;
  c->lost = 0;
  c->served = 0;
}

static void idle_push(ed__rf_conn_t *c) {
  c->idle_next = c->t->idle_conns;
  c->t->idle_conns = c;
  c->idle_since = uv_now(c->t->loop);
  if (c->state == CONN_OPEN)
    watch(c, UV_READABLE, 0); /* to see the server close it */
}

static void conn_free(ed__rf_conn_t *c);

/* Close and free the free connections unused for IDLE_CLOSE_MS. The free
 * list is a stack (the last made free is used first), so those are the
 * ones only a past burst needed (a BMC that stopped answering for a while
 * once had as many as the in-flight cap). Freeing them, not only closing
 * them, gives their curl handles and buffers back: a target holds what it
 * used in the last IDLE_CLOSE_MS, not the most it ever needed, and a later
 * burst makes new ones. */
static void idle_sweep(ed__rf_target_t *t) {
  uint64_t now = uv_now(t->loop);
  if (now < t->idle_sweep_at)
    return;
  t->idle_sweep_at = now + IDLE_SWEEP_MS;
  ed__rf_conn_t **p = &t->idle_conns;
  while (*p) {
    ed__rf_conn_t *c = *p;
    if (now - c->idle_since < IDLE_CLOSE_MS) {
      p = &c->idle_next;
      continue;
    }
    *p = c->idle_next;
    conn_free(c);
  }
}

/* The request on c is over: c goes back to the free ones, then x's owner
 * hears (it may send the next request at once, on c). */
static void finish(ed__rf_conn_t *c, CURLcode rc) {
  ed__rf_xfer_t *x = c->x;
  uv_timer_stop(&c->timer);
  uv_timer_stop(&c->resume);
  c->x = NULL;
  x->conn = NULL;
  if (rc != CURLE_OK || !c->ans.reuse)
    conn_close(c);
  idle_push(c);
  idle_sweep(c->t);
  x->on_done(x, rc);
}

static void fail(ed__rf_conn_t *c, CURLcode rc, const char *why) {
  ed__rf_xfer_t *x = c->x;
  if (!x->errbuf[0])
    snprintf(x->errbuf, sizeof(x->errbuf), "%s",
             why ? why : (c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc)));
  finish(c, rc); /* rc is an error: c is closed */
}

/* The request's timer runs from a deadline, so a request sent again keeps
 * the time it had left. */
static void on_timer(uv_timer_t *timer);
static void arm(ed__rf_conn_t *c) {
  uint64_t now = uv_now(c->t->loop);
  uv_timer_start(&c->timer, on_timer, c->deadline > now ? c->deadline - now : 0,
                 0);
}

/* A GET that met a re-used connection the server had closed: once more, on
 * a new connection, as HTTP allows for an idempotent request. */
static int retry_stale(ed__rf_conn_t *c) {
  if (c->got != 0 || c->served == 0 || c->retried)
    return 0;
  c->retried = 1;
  conn_close(c);
  dial(c);
  return 1;
}

/* send or recv failed with rc. */
static void broken(ed__rf_conn_t *c, CURLcode rc) {
  if (!retry_stale(c))
    fail(c, rc, NULL);
}

static void on_timer(uv_timer_t *timer) {
  ed__rf_conn_t *c = timer->data;
  char why[128];
  if (!c->x)
    return;
  if (c->lost) {
    ed__rf_xfer_t *x = c->x;
    broken(c, CURLE_RECV_ERROR); /* closes c, and sends x again or fails */
    if (c->x == x)
      arm(c); /* sent again: its deadline holds */
    return;
  }
  snprintf(why, sizeof(why),
           "Operation timed out after %lld milliseconds with %zu bytes "
           "received",
           (long long)c->timeout_ms, c->got);
  fail(c, CURLE_OPERATION_TIMEDOUT, why);
}

/* The answer ended with the connection. */
static void on_eof(ed__rf_conn_t *c) {
  char why[128];
  ed__rf_answer_feed(&c->ans, NULL, 0); /* a body to EOF */
  c->x->status = c->ans.status;
  if (c->ans.done) {
    c->ans.reuse = 0;
    c->served++;
    finish(c, CURLE_OK);
  } else if (!retry_stale(c)) {
    if (c->got == 0) {
      fail(c, CURLE_GOT_NOTHING, "Empty reply from server");
    } else {
      snprintf(why, sizeof(why),
               "connection closed before the end of the answer (%zu bytes "
               "read)",
               c->got);
      fail(c, CURLE_PARTIAL_FILE, why);
    }
  }
}

/* The answer broke a rule of answer.h, or is no HTTP. */
static void answer_failed(ed__rf_conn_t *c) {
  char why[CURL_ERROR_SIZE];
  ed__rf_xfer_t *x = c->x;
  CURLcode rc = CURLE_WEIRD_SERVER_REPLY;
  if (c->ans.err == ED__RF_ANSWER_BODY) {
    /* past max_body (x->too_large), or no memory for it */
    rc = x->too_large ? CURLE_WRITE_ERROR : CURLE_OUT_OF_MEMORY;
  } else if (c->ans.err == ED__RF_ANSWER_HEAD) {
    x->too_large = ED__RF_TOO_LARGE_HEAD;
    rc = CURLE_WRITE_ERROR;
  }
  fail(c, rc, ed__rf_answer_why(&c->ans, why, sizeof(why)));
}

static void on_resume(uv_timer_t *timer);

/* Read what the connection has, READ_BUDGET at most before the loop gets
 * its turn (resume reads on right after). */
static void read_more(ed__rf_conn_t *c) {
  char buf[RECV_CHUNK];
  size_t budget = READ_BUDGET;
  while (budget > 0) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(c->easy, buf, sizeof(buf), &n);
    if (rc == CURLE_AGAIN)
      return;
    if (rc != CURLE_OK) {
      broken(c, rc);
      return;
    }
    if (n == 0) {
      on_eof(c);
      return;
    }
    c->got += n;
    size_t used = ed__rf_answer_feed(&c->ans, buf, n);
    c->x->status = c->ans.status;
    if (c->ans.done) {
      if (used < n)
        c->ans.reuse = 0; /* bytes past the answer: the connection is spoilt */
      c->served++;
      finish(c, CURLE_OK);
      return;
    }
    if (c->ans.err) {
      answer_failed(c);
      return;
    }
    budget = budget > n ? budget - n : 0;
  }
  /* More may be waiting, also inside TLS where no poll would show it. */
  uv_timer_start(&c->resume, on_resume, 0, 0);
}

static void on_resume(uv_timer_t *timer) {
  ed__rf_conn_t *c = timer->data;
  if (c->x && !c->lost && c->sent >= c->out_len)
    read_more(c);
}

static void write_more(ed__rf_conn_t *c) {
  while (c->sent < c->out_len) {
    size_t n = 0;
    CURLcode rc =
        curl_easy_send(c->easy, c->out + c->sent, c->out_len - c->sent, &n);
    if (rc == CURLE_AGAIN) {
      watch(c, UV_READABLE | UV_WRITABLE, 1);
      return;
    }
    if (rc != CURLE_OK) {
      broken(c, rc);
      return;
    }
    c->sent += n;
  }
  watch(c, UV_READABLE, 1);
}

/* Bytes or a close on a free connection: the server closed it (or sent what
 * nobody asked for, or, with TLS, a session ticket, which curl takes). */
static void idle_wake(ed__rf_conn_t *c) {
  char b[256];
  size_t n = 0;
  if (curl_easy_recv(c->easy, b, sizeof(b), &n) == CURLE_AGAIN)
    return;
  conn_close(c);
}

static void on_io(void *arg, int status, int events) {
  ed__rf_conn_t *c = arg;
  ed__rf_xfer_t *x = c->x;
  if (!x) {
    idle_wake(c);
    return;
  }
  if (status < 0)
    events = UV_READABLE | UV_WRITABLE; /* let send or recv say what it is */
  if (c->sent < c->out_len) {
    write_more(c);
    if (c->x != x || c->sent < c->out_len)
      return; /* over, or still sending */
  }
  if (events & UV_READABLE)
    read_more(c);
}

/* curl closes c's socket: called from inside curl, so only take note, and
 * tell a request waiting on it from the loop. */
static void on_lost(void *arg) {
  ed__rf_conn_t *c = arg;
  c->fd = CURL_SOCKET_BAD;
  if (c->closing)
    return;
  c->lost = 1;
  if (c->x)
    uv_timer_start(&c->timer, on_timer, 0, 0);
  else
    c->state = CONN_CLOSED;
}

static void begin_exchange(ed__rf_conn_t *c) {
  ed__rf_answer_init(&c->ans, on_body, c);
  c->errbuf[0] = '\0';
  c->sent = 0;
  c->got = 0;
  write_more(c);
}

/* The dialers' done callback: curl connected c, or could not. */
static void on_dialed(CURL *easy, CURLcode rc, void *priv) {
  ed__rf_conn_t *c = priv;
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (rc == CURLE_OK)
    curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &fd);
  if (rc == CURLE_OK && fd != CURL_SOCKET_BAD &&
      ed__cuv_adopt(c->dialer, fd, on_io, on_lost, c) == 0) {
    c->fd = fd;
    c->state = CONN_OPEN;
    begin_exchange(c);
    return;
  }
  if (rc == CURLE_OK)
    rc = CURLE_COULDNT_CONNECT;
  fail(c, rc, NULL); /* closes c, after taking curl's reason */
}

static void dial(ed__rf_conn_t *c) {
  if (c->in_multi)
    conn_close(c); /* a connection curl closed: out of the multi first */
  c->errbuf[0] = '\0';
  c->state = CONN_DIALING;
  if (ed__cuv_add(c->dialer, c->easy) < 0) {
    c->state = CONN_CLOSED;
    fail(c, CURLE_FAILED_INIT, "could not start a connection");
    return;
  }
  c->in_multi = 1;
}

/* The dialers, shared by every target of the loop: a connection goes to
 * the first with fewer than DIALER_SIZE, and one is made when all are full.
 * A curl multi has its own descriptors (libcurl 7.88 keeps a socket pair in
 * each) and tables: one per target made a fleet of 10,000 targets need
 * 30,000 descriptors and more memory for them than for its connections. The
 * pool goes when the last target that used it is freed. */
static struct {
  ed__cuv_t **dialer;
  unsigned *used; /* connections of each dialer */
  size_t n, cap;
  size_t users; /* targets that made connections */
} pool;

static ed__cuv_t *dialer_take(ed__rf_target_t *t, size_t *slot) {
  size_t i = 0;
  while (i < pool.n && pool.used[i] >= DIALER_SIZE)
    i++;
  if (i == pool.n) {
    if (pool.n == pool.cap) {
      size_t cap = pool.cap ? pool.cap * 2 : 16;
      ed__cuv_t **d = realloc(pool.dialer, cap * sizeof(*d));
      if (!d)
        return NULL;
      pool.dialer = d;
      unsigned *u = realloc(pool.used, cap * sizeof(*u));
      if (!u)
        return NULL;
      pool.used = u;
      pool.cap = cap;
    }
    if (ed__cuv_create(t->loop, 0, ED__CUV_KEEP_DONE, on_dialed,
                       &pool.dialer[i]) < 0)
      return NULL;
    pool.used[i] = 0;
    pool.n++;
  }
  if (!t->pooled) {
    t->pooled = 1;
    pool.users++;
  }
  pool.used[i]++;
  *slot = i;
  return pool.dialer[i];
}

/* t's connections are all freed: the pool goes with its last user (every
 * easy handle of its multis is gone by then). */
static void pool_leave(ed__rf_target_t *t) {
  if (!t->pooled)
    return;
  t->pooled = 0;
  if (--pool.users > 0)
    return;
  for (size_t i = 0; i < pool.n; i++)
    ed__cuv_destroy(pool.dialer[i]);
  free(pool.dialer);
  free(pool.used);
  memset(&pool, 0, sizeof(pool));
}

static void free_conn_mem(uv_handle_t *h) {
  ed__rf_conn_t *c = h->data;
  if (--c->handles == 0)
    free(c);
}

static ed__rf_conn_t *conn_new(ed__rf_target_t *t) {
  ed__rf_conn_t *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->easy = curl_easy_init();
  ed__cuv_t *dialer = c->easy ? dialer_take(t, &c->slot) : NULL;
  if (!dialer) {
    curl_easy_cleanup(c->easy);
    free(c);
    return NULL;
  }
  c->t = t;
  c->fd = CURL_SOCKET_BAD;
  c->dialer = dialer;
  ed__rf_easy_fixed(t, c->easy);
  curl_easy_setopt(c->easy, CURLOPT_URL, t->base);
  curl_easy_setopt(c->easy, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
  curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
  /* curl closes a cached connection idle longer than this when it opens
   * another in the same multi; ours are busy without curl seeing it. */
  curl_easy_setopt(c->easy, CURLOPT_MAXAGE_CONN, 1L << 30);
  ed__cuv_setup_easy(c->dialer, c->easy);
  uv_timer_init(t->loop, &c->timer);
  c->timer.data = c;
  uv_timer_init(t->loop, &c->resume);
  c->resume.data = c;
  c->handles = 2;
  c->all_next = t->conns;
  t->conns = c;
  t->nconns++;
  return c;
}

int ed__rf_conn_send(ed__rf_xfer_t *x, int64_t timeout_ms, ed__rf_xfer_cb cb) {
  ed__rf_target_t *t = x->t;
  ed__rf_op_t *op = x->op;
  if (wire_build(op) < 0)
    return -ENOMEM;
  ed__rf_conn_t *c = t->idle_conns;
  if (c)
    t->idle_conns = c->idle_next;
  else if (!(c = conn_new(t)))
    return -ENOMEM;
  if (c->out_cap < op->wire_len) {
    char *o = malloc(op->wire_len);
    if (!o) {
      idle_push(c);
      return -ENOMEM;
    }
    if (c->out)
      explicit_bzero(c->out, c->out_cap); /* held an auth line */
    free(c->out);
    c->out = o;
    c->out_cap = op->wire_len;
  }
  memcpy(c->out, op->wire, op->wire_len);
  c->out_len = op->wire_len;
  if (timeout_ms <= 0)
    timeout_ms = t->opts->timeout_ms;
  ed__rf_xfer_begin(x, cb, op->wire_gen);
  x->conn = c;
  c->x = x;
  c->retried = 0;
  c->timeout_ms = timeout_ms;
  c->deadline = uv_now(t->loop) + (uint64_t)timeout_ms;
  arm(c);
  if (c->state == CONN_OPEN && !c->lost)
    begin_exchange(c);
  else
    dial(c);
  return 0;
}

void ed__rf_conn_abort(ed__rf_xfer_t *x) {
  ed__rf_conn_t *c = x->conn;
  uv_timer_stop(&c->timer);
  uv_timer_stop(&c->resume);
  c->x = NULL;
  x->conn = NULL;
  conn_close(c);
  idle_push(c);
}

/* Close c and free it; c is on no free list. Its timers' handles are
 * closed first, the memory goes with the last. */
static void conn_free(ed__rf_conn_t *c) {
  ed__rf_target_t *t = c->t;
  for (ed__rf_conn_t **p = &t->conns; *p; p = &(*p)->all_next)
    if (*p == c) {
      *p = c->all_next;
      break;
    }
  t->nconns--;
  conn_close(c);
  curl_easy_cleanup(c->easy);
  pool.used[c->slot]--;
  if (c->out)
    explicit_bzero(c->out, c->out_cap); /* holds the auth line */
  free(c->out);
  uv_close((uv_handle_t *)&c->timer, free_conn_mem);
  uv_close((uv_handle_t *)&c->resume, free_conn_mem);
}

void ed__rf_conn_free_all(ed__rf_target_t *t) {
  t->idle_conns = NULL;
  while (t->conns)
    conn_free(t->conns);
  pool_leave(t);
}
