/*
 * sim: the fleet. Each virtual BMC is a listener, its service (service.h),
 * its knobs and a FIFO worker gate; connections are http.c's. One mockup is
 * loaded per fleet and shared by every BMC.
 */
#include "sim.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "command.h"
#include "config.h"
#include "control.h"
#include "error.h"
#include "http.h"
#include "knobs.h"
#include "service.h"
#include "tls.h"

#define BACKLOG 1024
#define REOPEN_RETRY_MS 500

typedef struct bmc_s {
  ed_sim_t *sim;
  uv_tcp_t *listener;     /* NULL while down */
  uv_timer_t *down_timer; /* allocated on the first "down" */
  ed__service_t *svc;
  ed__http_conn_t *conns;
  ed__knobs_t knobs;
  ed__gate_t gate;
  uint64_t rng;
  uint64_t served, errors, resets, hangs, refused;
  uint32_t in_flight;
  uint32_t index;
  uint32_t addr;
  uint16_t port;
  char url[32];
} bmc_t;

struct ed_sim_s {
  uv_loop_t *loop;
  ed__sim_config_t cfg;
  ed__mockup_t *mockup;
  ed__tls_ctx_t *tls;
  bmc_t *bmcs;
  size_t n;
  ed__control_t *control;
  size_t open;      /* listeners, timers, connections, control not yet closed */
  size_t conns;     /* BMC connections open */
  size_t max_conns; /* at most, so descriptors remain for the rest */
  uint64_t refused; /* connections refused at the limit */
  int at_limit;     /* refusing now (said once on stderr) */
  int closing;
  void (*close_cb)(void *arg);
  void *close_arg;
};

static void on_request(void *owner, ed__http_req_t *req);
static void on_abort(void *owner, ed__http_req_t *req);
static void on_go_down(void *owner, int64_t ms);
static void on_refused(void *owner, ed__http_req_t *req, int status);
static void on_conn_close(void *owner, ed__http_conn_t *c);

static const ed__http_handler_t bmc_handler = {
    .on_request = on_request,
    .on_abort = on_abort,
    .on_go_down = on_go_down,
    .on_refused = on_refused,
    .on_close = on_conn_close,
};

/* ---- teardown bookkeeping ---- */

static void finalize(ed_sim_t *sim) {
  for (size_t i = 0; i < sim->n; i++)
    ed__service_destroy(sim->bmcs[i].svc);
  free(sim->bmcs);
  ed__mockup_destroy(sim->mockup);
  ed__tls_ctx_destroy(sim->tls);
  ed__config_close(&sim->cfg);
  void (*cb)(void *) = sim->close_cb;
  void *arg = sim->close_arg;
  free(sim);
  if (cb)
    cb(arg);
}

static void one_closed(ed_sim_t *sim) {
  if (--sim->open == 0 && sim->closing)
    finalize(sim);
}

static void free_handle(uv_handle_t *h) {
  bmc_t *b = h->data;
  free(h);
  one_closed(b->sim);
}

/* ---- requests ---- */

static ed__http_req_t *req_of(ed__waiter_t *w) {
  return (ed__http_req_t *)((char *)w - offsetof(ed__http_req_t, wait));
}

static void access_log(bmc_t *b, ed__http_req_t *req, int status,
                       const char *fault) {
  char line[1024], path[512];
  size_t o = 0;
  for (const char *p = req->r.path; p && *p && o + 7 < sizeof(path); p++) {
    unsigned char ch = (unsigned char)*p;
    /* Control characters, quotes and bytes beyond ASCII (a decoded path
     * may hold anything) are escaped: every line stays valid JSON. */
    if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
      o += (size_t)snprintf(path + o, sizeof(path) - o, "\\u%04x", ch);
    else
      path[o++] = (char)ch;
  }
  path[o] = '\0';
  double ms = (double)(uv_hrtime() - req->start_ns) / 1e6;
  uv_timeval64_t tv;
  uv_gettimeofday(&tv);
  int n =
      snprintf(line, sizeof(line),
               "{\"ts\":%.3f,\"bmc\":%u,\"method\":\"%s\",\"path\":\"%s\","
               "\"status\":%d,\"ms\":%.3f,\"fault\":%s%s%s}\n",
               (double)tv.tv_sec + tv.tv_usec / 1e6, b->index,
               req->r.method ? req->r.method : "?", path, status, ms,
               fault ? "\"" : "", fault ? fault : "null", fault ? "\"" : "");
  if (n > 0)
    fwrite(line, 1, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
           stderr);
}

static void answer(bmc_t *b, ed__http_req_t *req) {
  ed__sim_response_t resp;
  memset(&resp, 0, sizeof(resp));
  const char *fault = NULL;
  int rc;
  if (req->fate.action == ED__ACT_ERROR) {
    b->errors++;
    fault = "error";
    rc = ed__sim_error_response(&resp, req->fate.status,
                                "Base.1.8.ServiceTemporarilyUnavailable",
                                "Injected fault: the service is unavailable.");
    if (req->fate.status == 503)
      resp.retry_after_s = 1;
  } else {
    rc = ed__service_handle(b->svc, &req->r, (int64_t)uv_now(b->sim->loop),
                            &resp);
  }
  if (rc < 0) {
    ed__sim_response_free(&resp);
    ed__http_conn_close(req->conn);
    return;
  }
  b->served++;
  if (b->sim->cfg.access_log)
    access_log(b, req, resp.status, fault);
  ed__http_respond(req, &resp);
  ed__sim_response_free(&resp);
}

static void start_service(bmc_t *b, ed__http_req_t *req);

/* Give the worker back and start whoever waited longest for one. */
static void release_worker(bmc_t *b, ed__http_req_t *req) {
  if (!req->has_worker)
    return;
  req->has_worker = 0;
  ed__waiter_t *w = ed__gate_leave(&b->gate, b->knobs.capacity);
  if (w)
    start_service(b, req_of(w));
}

/* The request's service time is over: act out its fate. */
static void act(bmc_t *b, ed__http_req_t *req) {
  req->live = 0;
  b->in_flight--;
  release_worker(b, req);
  if (req->fate.action == ED__ACT_RESET) {
    b->resets++;
    if (b->sim->cfg.access_log)
      access_log(b, req, 0, "reset");
    ed__http_conn_reset(req->conn);
    return;
  }
  answer(b, req);
}

static void service_done(uv_timer_t *t) {
  ed__http_req_t *req = t->data;
  act(req->conn->owner, req);
}

static void start_service(bmc_t *b, ed__http_req_t *req) {
  req->has_worker = 1;
  if (req->fate.delay_ms == 0) {
    act(b, req);
    return;
  }
  uv_timer_start(ed__http_req_timer(req), service_done, req->fate.delay_ms, 0);
}

static void on_request(void *owner, ed__http_req_t *req) {
  bmc_t *b = owner;
  req->live = 1;
  b->in_flight++;
  ed__knobs_decide(&b->knobs, &b->rng, &req->fate);
  if (req->fate.action == ED__ACT_HANG) {
    b->hangs++;
    req->held = 1; /* closed when its client gives up or the hang ends */
    if (b->sim->cfg.access_log)
      access_log(b, req, 0, "hang");
    return; /* counted in flight until its connection goes */
  }
  if (ed__gate_enter(&b->gate, b->knobs.capacity, &req->wait))
    start_service(b, req);
}

static void on_abort(void *owner, ed__http_req_t *req) {
  bmc_t *b = owner;
  if (!req->live)
    return;
  /* The client went away before the answer: the request still counts.
   * A hang was logged when it came in. */
  if (b->sim->cfg.access_log && req->fate.action != ED__ACT_HANG)
    access_log(b, req, 0, "aborted");
  req->live = 0;
  b->in_flight--;
  if (req->wait.queued)
    ed__gate_cancel(&b->gate, &req->wait);
  if (req->timer_on)
    uv_timer_stop(&req->timer);
  release_worker(b, req);
}

static void on_refused(void *owner, ed__http_req_t *req, int status) {
  bmc_t *b = owner;
  if (b->sim->cfg.access_log)
    access_log(b, req, status, NULL);
}

/* ---- connections and listeners ---- */

static void on_conn_close(void *owner, ed__http_conn_t *c) {
  bmc_t *b = owner;
  b->sim->conns--;
  if (b->sim->at_limit && b->sim->conns < b->sim->max_conns) {
    b->sim->at_limit = 0;
    fprintf(stderr,
            "eventdrill-sim: below the connection limit again (%zu open); "
            "accepting\n",
            b->sim->conns);
  }
  if (c->prev)
    c->prev->next = c->next;
  else
    b->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  one_closed(b->sim);
}

/* A connection refused at the limit: accepted (libuv would otherwise
 * retry it at once, for ever), told 503 when it is plain HTTP, closed. */
typedef struct refused_s {
  uv_tcp_t tcp;
  ed_sim_t *sim;
} refused_t;

static void refused_closed(uv_handle_t *h) {
  refused_t *r = h->data;
  ed_sim_t *sim = r->sim;
  free(r);
  one_closed(sim);
}

static const char busy_answer[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    "Retry-After: 1\r\nConnection: close\r\nContent-Length: 48\r\n\r\n"
    "eventdrill-sim: too many connections; try again\n";

static void refuse(bmc_t *b, uv_stream_t *server) {
  ed_sim_t *sim = b->sim;
  b->refused++;
  sim->refused++;
  if (!sim->at_limit) {
    sim->at_limit = 1;
    fprintf(stderr,
            "eventdrill-sim: %zu connections open, the limit for %zu file "
            "descriptors: refusing new ones with 503 until some close\n",
            sim->conns, sim->max_conns);
  }
  refused_t *r = malloc(sizeof(*r));
  if (!r)
    return;
  r->sim = sim;
  uv_tcp_init(sim->loop, &r->tcp);
  r->tcp.data = r;
  sim->open++;
  if (uv_accept(server, (uv_stream_t *)&r->tcp) == 0 && !sim->tls) {
    uv_buf_t buf = uv_buf_init((char *)busy_answer, sizeof(busy_answer) - 1);
    uv_try_write((uv_stream_t *)&r->tcp, &buf, 1);
  }
  uv_close((uv_handle_t *)&r->tcp, refused_closed);
}

static void on_connection(uv_stream_t *server, int status) {
  bmc_t *b = server->data;
  ed__http_conn_t *c;
  if (status == UV_EMFILE || status == UV_ENFILE) {
    /* Out of descriptors all the same (libuv closed the connection): say
     * so, and count it as refused. */
    b->refused++;
    b->sim->refused++;
    if (!b->sim->at_limit) {
      b->sim->at_limit = 1;
      fprintf(stderr,
              "eventdrill-sim: out of file descriptors (%s): "
              "refusing new connections until some close\n",
              uv_strerror(status));
    }
    return;
  }
  if (status < 0 || b->sim->closing)
    return;
  if (b->sim->conns >= b->sim->max_conns) {
    refuse(b, server);
    return;
  }
  if (ed__http_accept(server, b->sim->tls, &bmc_handler, b, &c) < 0)
    return;
  b->sim->conns++;
  c->prev = NULL;
  c->next = b->conns;
  if (b->conns)
    b->conns->prev = c;
  b->conns = c;
  b->sim->open++;
}

static void set_url(bmc_t *b) {
  struct in_addr ia = {.s_addr = htonl(b->addr)};
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &ia, host, sizeof(host));
  snprintf(b->url, sizeof(b->url), "%s://%s:%u", b->sim->tls ? "https" : "http",
           host, b->port);
}

/* Port 0 asked for any free port: keep the one the kernel gave, so that the
 * URL is true and the BMC comes back on it after going down. */
static void learn_port(bmc_t *b, uv_tcp_t *t) {
  struct sockaddr_in sa;
  int len = sizeof(sa);
  if (uv_tcp_getsockname(t, (struct sockaddr *)&sa, &len) == 0) {
    b->port = ntohs(sa.sin_port);
    set_url(b);
  }
}

static int bmc_listen(bmc_t *b, char *errbuf, size_t errlen) {
  uv_tcp_t *t = malloc(sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "BMC %u: out of memory", b->index);
    return ED_ENOMEM;
  }
  uv_tcp_init(b->sim->loop, t);
  t->data = b;
  b->sim->open++;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(b->port);
  sa.sin_addr.s_addr = htonl(b->addr);
  int r = uv_tcp_bind(t, (const struct sockaddr *)&sa, 0);
  if (r == 0)
    r = uv_listen((uv_stream_t *)t, BACKLOG, on_connection);
  if (r < 0) {
    snprintf(errbuf, errlen, "BMC %u: cannot listen on %s: %s", b->index,
             b->url, uv_strerror(r));
    uv_close((uv_handle_t *)t, free_handle);
    return ED_EIO;
  }
  b->listener = t;
  if (b->port == 0)
    learn_port(b, t);
  return 0;
}

static void close_conns(bmc_t *b) {
  ed__http_conn_t *c = b->conns, *next;
  for (; c; c = next) {
    next = c->next;
    ed__http_conn_close(c);
  }
}

static void bmc_up(bmc_t *b);

static void down_over(uv_timer_t *t) {
  bmc_up(t->data);
}

static void bmc_up(bmc_t *b) {
  char err[256];
  if (b->listener || b->sim->closing)
    return;
  if (b->down_timer)
    uv_timer_stop(b->down_timer);
  if (bmc_listen(b, err, sizeof(err)) < 0) {
    /* The port may still be held by someone else: try again soon. */
    fprintf(stderr, "eventdrill-sim: %s; retrying\n", err);
    uv_timer_start(b->down_timer, down_over, REOPEN_RETRY_MS, 0);
  }
}

/* Refuse connections (listener closed, open ones dropped) for ms, or until
 * "up" when ms is 0. State is kept. */
static int bmc_down(bmc_t *b, int64_t ms) {
  if (!b->down_timer) {
    if (!(b->down_timer = malloc(sizeof(*b->down_timer))))
      return ED_ENOMEM;
    uv_timer_init(b->sim->loop, b->down_timer);
    b->down_timer->data = b;
    b->sim->open++;
  }
  if (b->listener) {
    uv_close((uv_handle_t *)b->listener, free_handle);
    b->listener = NULL;
  }
  close_conns(b);
  uv_timer_stop(b->down_timer);
  if (ms > 0)
    uv_timer_start(b->down_timer, down_over, (uint64_t)ms, 0);
  return 0;
}

static void on_go_down(void *owner, int64_t ms) {
  bmc_down(owner, ms);
}

/* ---- control ---- */

/* One command applied to one BMC. */
typedef struct apply_s {
  const ed__command_t *cmd;
  const char *where;
  char *errbuf;
  size_t errlen;
} apply_t;

/* The BMCs a command names: "bmc": i, [i, ...] or "all" (the default when
 * absent). Checks the whole selection, then calls fn on each BMC until one
 * fails. */
static int for_bmcs(ed_sim_t *sim, const apply_t *a,
                    int (*fn)(bmc_t *, const apply_t *)) {
  const json_t *sel = a->cmd->bmc;
  if (!sel ||
      (json_is_string(sel) && strcmp(json_string_value(sel), "all") == 0)) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sim->n; i++)
      rc = fn(&sim->bmcs[i], a);
    return rc;
  }
  size_t n = json_is_array(sel) ? json_array_size(sel) : 1;
  for (size_t k = 0; k < n; k++) {
    const json_t *v = json_is_array(sel) ? json_array_get(sel, k) : sel;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (size_t)json_integer_value(v) >= sim->n) {
      snprintf(a->errbuf, a->errlen,
               "%s%sbmc: expected a BMC index below %zu, a list of them, or "
               "\"all\"",
               a->where, *a->where ? "." : "", sim->n);
      return ED_EINVAL;
    }
  }
  int rc = 0;
  for (size_t k = 0; rc == 0 && k < n; k++) {
    const json_t *v = json_is_array(sel) ? json_array_get(sel, k) : sel;
    rc = fn(&sim->bmcs[json_integer_value(v)], a);
  }
  return rc;
}

static int apply_one(bmc_t *b, const apply_t *a) {
  const ed__command_t *c = a->cmd;
  int rc = 0;
  if (c->op == ED__OP_KNOBS) {
    ed__knobs_apply(&b->knobs, &c->knobs);
    /* A larger capacity lets waiters in at once. */
    ed__waiter_t *w;
    while ((w = ed__gate_admit(&b->gate, b->knobs.capacity)))
      start_service(b, req_of(w));
    /* The hang is over: what it held is let go (closed), since its client
     * has long stopped waiting for an answer. */
    if (b->knobs.hang_rate <= 0) {
      ed__http_conn_t *k = b->conns, *next;
      for (; k; k = next) {
        next = k->next;
        if (ed__http_conn_holds(k))
          ed__http_conn_close(k);
      }
    }
  } else if (c->op == ED__OP_DOWN) {
    rc = bmc_down(b, c->ms);
  } else if (c->op == ED__OP_UP) {
    bmc_up(b);
  } else {
    rc = ed__command_apply(c, b->svc, (int64_t)uv_now(b->sim->loop), a->where,
                           a->errbuf, a->errlen);
  }
  if (rc == ED_ENOMEM)
    snprintf(a->errbuf, a->errlen, "BMC %u: out of memory", b->index);
  return rc;
}

static int check_only(bmc_t *b, const apply_t *a) {
  (void)b;
  (void)a;
  return 0;
}

/* When a command runs: at run time every op; while the fleet is created
 * (changes at start) all but down and up, which wait for the listeners of
 * ed_sim_start. */
enum { RUN_ALL = 0, RUN_STATE, RUN_TRANSPORT };

static int control_at(ed_sim_t *sim, const json_t *cmd, const char *where,
                      int phase, char *errbuf, size_t errlen) {
  ed__command_t c;
  int rc = ed__command_parse(cmd, where, &c, errbuf, errlen);
  if (rc < 0)
    return rc;
  bool transport = c.op == ED__OP_DOWN || c.op == ED__OP_UP;
  apply_t a = {&c, where, errbuf, errlen};
  /* Out of its phase a command is only checked, so that a bad "bmc" is
   * refused with the other configuration errors. */
  if ((phase == RUN_STATE && transport) ||
      (phase == RUN_TRANSPORT && !transport))
    return for_bmcs(sim, &a, check_only);
  return for_bmcs(sim, &a, apply_one);
}

int ed_sim_control(ed_sim_t *sim, const json_t *cmd, char *errbuf,
                   size_t errlen) {
  if (!json_is_object(cmd)) {
    snprintf(errbuf, errlen, "expected a JSON object");
    return ED_EINVAL;
  }
  /* A caller outside the loop's callbacks may find its clock stale: a
   * drift or an outage starts from the true now. */
  uv_update_time(sim->loop);
  return control_at(sim, cmd, "", RUN_ALL, errbuf, errlen);
}

/* The configuration's "changes", in order, in one phase. */
static int apply_changes(ed_sim_t *sim, int phase, char *errbuf,
                         size_t errlen) {
  const char *origin = sim->cfg.origin;
  size_t i;
  json_t *cmd;
  json_array_foreach(sim->cfg.changes, i, cmd) {
    char where[32], why[1024];
    snprintf(where, sizeof(where), "changes[%zu]", i);
    int rc = control_at(sim, cmd, where, phase, why, sizeof(why));
    if (rc < 0) {
      snprintf(errbuf, errlen, "%s: %s", origin, why);
      return rc;
    }
  }
  return 0;
}

static json_t *bmc_status(bmc_t *b) {
  int64_t now = (int64_t)uv_now(b->sim->loop);
  return json_pack(
      "{s:I,s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "index",
      (json_int_t)b->index, "url", b->url, "up", b->listener != NULL, "power",
      ed__service_power_state(b->svc, now), "in_flight",
      (json_int_t)b->in_flight, "busy", (json_int_t)b->gate.busy, "queued",
      (json_int_t)b->gate.queued, "served", (json_int_t)b->served, "errors",
      (json_int_t)b->errors, "resets", (json_int_t)b->resets, "hangs",
      (json_int_t)b->hangs, "refused", (json_int_t)b->refused, "knobs",
      ed__knobs_to_json(&b->knobs));
}

json_t *ed_sim_status(ed_sim_t *sim) {
  json_t *arr = json_array();
  if (!arr)
    return NULL;
  for (size_t i = 0; i < sim->n; i++) {
    if (json_array_append_new(arr, bmc_status(&sim->bmcs[i])) < 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return json_pack("{s:I,s:{s:I,s:I,s:b,s:I},s:o}", "count", (json_int_t)sim->n,
                   "connections", "open", (json_int_t)sim->conns, "limit",
                   (json_int_t)sim->max_conns, "at_limit",
                   sim->conns >= sim->max_conns, "refused",
                   (json_int_t)sim->refused, "bmcs", arr);
}

const char *ed_sim_control_url(const ed_sim_t *sim) {
  return sim->control ? ed__control_url(sim->control) : NULL;
}

/* ---- lifecycle ---- */

static int make_bmcs(ed_sim_t *sim, char *errbuf, size_t errlen) {
  ed__sim_config_t *cfg = &sim->cfg;
  if (!(sim->bmcs = calloc(cfg->bmcs, sizeof(*sim->bmcs)))) {
    snprintf(errbuf, errlen, "out of memory for %zu BMCs", cfg->bmcs);
    return ED_ENOMEM;
  }
  for (size_t i = 0; i < cfg->bmcs; i++) {
    bmc_t *b = &sim->bmcs[i];
    b->sim = sim;
    b->index = (uint32_t)i;
    b->knobs = cfg->knobs;
    b->rng = cfg->seed * 0x9e3779b97f4a7c15ULL + i * 0xd1b54a32d192ed03ULL;
    ed__config_bmc_addr(cfg, i, &b->addr, &b->port);
    set_url(b);
    if (ed__service_create(sim->mockup, &cfg->svc, &b->svc) < 0) {
      snprintf(errbuf, errlen, "BMC %zu: cannot create its service", i);
      return ED_ENOMEM;
    }
    sim->n = i + 1;
  }
  for (size_t k = 0; k < cfg->n_per_bmc; k++)
    ed__knobs_apply(&sim->bmcs[cfg->per_bmc[k].index].knobs,
                    &cfg->per_bmc[k].patch);
  return 0;
}

int ed_sim_create(uv_loop_t *loop, const json_t *config, const char *origin,
                  ed_sim_t **out, char *errbuf, size_t errlen) {
  ed_sim_t *sim = calloc(1, sizeof(*sim));
  if (!sim) {
    snprintf(errbuf, errlen, "out of memory");
    return ED_ENOMEM;
  }
  sim->loop = loop;
  int rc = ed__config_parse(&sim->cfg, config, origin, errbuf, errlen);
  if (rc < 0) {
    free(sim);
    return rc;
  }
  char why[512];
  if ((rc = ed__mockup_load(sim->cfg.mockup, &sim->mockup, why, sizeof(why))) <
      0)
    snprintf(errbuf, errlen, "%s: mockup: %s", origin ? origin : "config", why);
  else if (sim->cfg.tls_cert &&
           (rc = ed__tls_ctx_create(sim->cfg.tls_cert, sim->cfg.tls_key,
                                    sim->cfg.tls_ca, &sim->tls, why,
                                    sizeof(why))) < 0)
    snprintf(errbuf, errlen, "%s: %s", origin ? origin : "config", why);
  else
    rc = make_bmcs(sim, errbuf, errlen);
  if (rc == 0) {
    uv_update_time(loop); /* changes that drift start from now */
    rc = apply_changes(sim, RUN_STATE, errbuf, errlen);
  }
  if (rc < 0) {
    sim->closing = 1;
    finalize(sim);
    return rc;
  }
  *out = sim;
  return 0;
}

/* Descriptors kept for what is not a BMC connection: the standard
 * streams, libuv's own, the control channel and its clients, files read. */
#define RESERVED_FDS 32

/* Every BMC holds a listening socket: make room for them and for clients.
 * Sets the connection limit from what the descriptor limit leaves. */
static int raise_nofile(ed_sim_t *sim, size_t need, char *errbuf,
                        size_t errlen) {
  struct rlimit rl;
  sim->max_conns = SIZE_MAX;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    snprintf(errbuf, errlen,
             "%zu BMCs need about %zu file descriptors; the limit is %llu "
             "(raise it with ulimit -n)",
             need - 64, need, (unsigned long long)rl.rlim_cur);
    return ED_ERANGE;
  }
  if (rl.rlim_cur != RLIM_INFINITY)
    sim->max_conns = (size_t)rl.rlim_cur - sim->n - RESERVED_FDS;
  return 0;
}

int ed_sim_start(ed_sim_t *sim, char *errbuf, size_t errlen) {
  int rc = raise_nofile(sim, sim->n + 64, errbuf, errlen);
  for (size_t i = 0; rc == 0 && i < sim->n; i++)
    rc = bmc_listen(&sim->bmcs[i], errbuf, errlen);
  /* Outages among the changes close what was just opened: no connection
   * can have come in, the loop has not run since. */
  if (rc == 0)
    rc = apply_changes(sim, RUN_TRANSPORT, errbuf, errlen);
  if (rc == 0 && sim->cfg.has_control) {
    rc =
        ed__control_start(sim->loop, sim, sim->cfg.control_addr,
                          sim->cfg.control_port, &sim->control, errbuf, errlen);
    if (rc == 0)
      sim->open++;
  }
  return rc;
}

size_t ed_sim_count(const ed_sim_t *sim) {
  return sim->n;
}

const char *ed_sim_url(const ed_sim_t *sim, size_t i) {
  return i < sim->n ? sim->bmcs[i].url : NULL;
}

static void control_closed(void *arg) {
  one_closed(arg);
}

void ed_sim_close(ed_sim_t *sim, void (*cb)(void *arg), void *arg) {
  if (sim->closing)
    return;
  sim->closing = 1;
  sim->close_cb = cb;
  sim->close_arg = arg;
  sim->open++; /* held while closing, so finalize runs once, at the end */
  if (sim->control)
    ed__control_close(sim->control, control_closed, sim);
  for (size_t i = 0; i < sim->n; i++) {
    bmc_t *b = &sim->bmcs[i];
    if (b->listener) {
      uv_close((uv_handle_t *)b->listener, free_handle);
      b->listener = NULL;
    }
    if (b->down_timer) {
      uv_close((uv_handle_t *)b->down_timer, free_handle);
      b->down_timer = NULL;
    }
    close_conns(b);
  }
  one_closed(sim);
}
