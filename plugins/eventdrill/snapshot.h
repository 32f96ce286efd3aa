/*
 * eventdrill driver SDK: building a health snapshot (the `collect`
 * capability of driver.h) from a queue of read-only reads.
 *
 * Optional: a driver may build its snapshot any way it likes. This helper
 * keeps what every collector needs out of the drivers: a bounded queue of
 * reads sent with the driver's own submit, their latency, the gaps (what
 * could not be read), the parts a ready verdict needs, the newest log
 * entries, and the one call of c->done with the snapshot's text.
 *
 *   ed_snap_job_t *j = ed_snap_begin(target, c, my_submit, my_op_free);
 *   ed_snap_read(j, "Systems", prepared_get, systems_cb, NULL, NULL);
 *   ed_snap_go(j);       the reads run; when none is left, done is called
 *
 * Everything runs on the loop thread. A read is an operation the driver
 * prepared itself (its own op_prepare or internals): the job sends it with
 * `submit` (a non-blocking submit: a blocking driver passes a function that
 * runs its blocking call on the thread pool and completes on the loop),
 * hands the answer to the read's callback, which may queue more reads, then
 * frees it with `op_free`. A submit that returns -ECANCELED (the target is
 * stopping) answers the read at once with ED_ERRCLASS_CANCELLED, so that a
 * stopped target's collection ends without sending anything more. Once the
 * queue is empty and nothing is in flight, the job finishes: "read" and its
 * gaps from `required`, "latency_ms", "requests", the log trimmed to
 * c->log_entries newest first, the driver's last_words, then c->done with the
 * text, then the job is freed.
 *
 * Header-only (Jansson and libuv), so that a driver needs nothing but this
 * SDK to use it.
 */
#ifndef EVENTDRILL_SNAPSHOT_H
#define EVENTDRILL_SNAPSHOT_H

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eventdrill/driver.h>
#include <eventdrill/json_wide.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The answer to one read. value and detail are NUL-terminated copies owned
 * by the job, valid while the read's callback runs. */
typedef struct ed_snap_answer_s {
  ed_errclass_t err;
  int code;
  const char *value; /* the result's value (JSON text), or NULL */
  const char *detail;
  double latency_ms; /* from the send (req->sent_ns) to the answer */
} ed_snap_answer_t;

typedef struct ed_snap_job_s ed_snap_job_t;
typedef void (*ed_snap_cb)(ed_snap_job_t *j, const ed_snap_answer_t *a,
                           void *ctx);

/* A part of the device's state a ready verdict needs: `part` names it in
 * the report, `key` is the snapshot member that holds it (an array that must
 * not be empty, or any other value that must be there). */
typedef struct ed_snap_part_s {
  const char *part;
  const char *key;
} ed_snap_part_t;

typedef struct ed__snap_read_s {
  ed_snap_job_t *job;
  char *what;
  void *op;
  ed_snap_cb cb;
  void *ctx;
  void (*ctx_free)(void *);
  ed_request_t req;
  uint64_t t0_ns;
  struct ed__snap_read_s *next;
} ed__snap_read_t;

struct ed_snap_job_s {
  /* for the driver's callbacks to read and write */
  void *target;    /* as given to ed_snap_begin */
  ed_collect_t *c; /* the core's collection (flags, limits) */
  json_t *snap;    /* being filled */
  double t0;       /* ed_snap_now() at the start */
  int replay;      /* the driver's: e.g. walking what a memo remembers */
  void *driver;    /* the driver's own state for this job */
  const ed_snap_part_t *required; /* NULL-ended, or NULL */
  /* Called once at the end, before the snapshot is written: last touches
   * (names made unique, a memo kept) and freeing `driver`. May be NULL. */
  void (*last_words)(ed_snap_job_t *j);
  /* the job's */
  int (*submit)(void *target, ed_request_t *req);
  void (*op_free)(void *target, void *op);
  ed__snap_read_t *head, *tail;
  int in_flight, requests, pumping, started, finished;
  double *lat;
  size_t nlat, caplat;
};

/* Seconds since the epoch on this host's clock. */
static inline double ed_snap_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ISO 8601 date and time ("2026-11-26T20:41:07+00:00", "…Z", fractions
 * allowed) to seconds since the epoch; <0 when it is not one. */
static inline double ed_snap_iso_to_epoch(const char *s) {
  struct tm tm;
  int n = 0;
  memset(&tm, 0, sizeof(tm));
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double t = (double)timegm(&tm);
  const char *p = s + n;
  if (*p == '.') {
    double frac = 0, scale = 0.1;
    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
      frac += (*p - '0') * scale;
    t += frac;
  }
  if (*p == 'Z' || *p == '\0')
    return t;
  int hh, mm;
  if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2) {
    double off = hh * 3600.0 + mm * 60.0;
    return *p == '+' ? t - off : t + off;
  }
  return -1;
}

/* Seconds since the epoch to "2026-11-26T20:41:07Z". */
static inline void ed_snap_epoch_to_iso(double t, char *buf, size_t len) {
  time_t secs = (time_t)t;
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- what callbacks call ----------------------------------------------- */

/* Append obj (taken) to the snapshot's array `key`, created if needed. */
static inline void ed_snap_append(ed_snap_job_t *j, const char *key,
                                  json_t *obj) {
  json_t *arr = json_object_get(j->snap, key);
  if (!arr) {
    arr = json_array();
    json_object_set_new(j->snap, key, arr);
  }
  json_array_append_new(arr, obj);
}

/* Note in "gaps" that `what` could not be read, with a's reason (a NULL:
 * out of memory). */
static inline void ed_snap_gap(ed_snap_job_t *j, const char *what,
                               const ed_snap_answer_t *a) {
  char buf[512];
  if (!a)
    snprintf(buf, sizeof(buf), "%s: out of memory", what);
  else if (a->detail)
    snprintf(buf, sizeof(buf), "%s: %s %d: %s", what,
             ed_errclass_string(a->err), a->code, a->detail);
  else
    snprintf(buf, sizeof(buf), "%s: %s %d", what, ed_errclass_string(a->err),
             a->code);
  ed_snap_append(j, "gaps", json_string(buf));
}

/* The first read failed: the device is unreachable, with a's reason. */
static inline void ed_snap_unreachable(ed_snap_job_t *j,
                                       const ed_snap_answer_t *a) {
  json_object_set_new(j->snap, "reachable", json_false());
  json_object_set_new(j->snap, "error",
                      json_pack("{s:s,s:i,s:s}", "class",
                                ed_errclass_string(a->err), "code", a->code,
                                "detail", a->detail ? a->detail : ""));
}

/* Count a's latency in "latency_ms" (a successful answer only). */
static inline void ed_snap_sample(ed_snap_job_t *j, const ed_snap_answer_t *a) {
  if (a->err != ED_ERRCLASS_NONE)
    return;
  if (j->nlat == j->caplat) {
    size_t cap = j->caplat ? j->caplat * 2 : 16;
    double *nv = (double *)realloc(j->lat, cap * sizeof(double));
    if (!nv)
      return;
    j->lat = nv;
    j->caplat = cap;
  }
  j->lat[j->nlat++] = a->latency_ms;
}

/* a's value parsed as JSON (a new reference), or NULL when a failed or its
 * value is not JSON. */
static inline json_t *ed_snap_value(const ed_snap_answer_t *a) {
  if (a->err != ED_ERRCLASS_NONE || !a->value)
    return NULL;
  return ed_json_loadb_wide(a->value, strlen(a->value), JSON_DECODE_ANY, NULL);
}

/* ---- the queue --------------------------------------------------------- */

static inline void ed__snap_pump(ed_snap_job_t *j);

static inline void ed__snap_free_read(ed_snap_job_t *j, ed__snap_read_t *r) {
  if (r->ctx_free)
    r->ctx_free(r->ctx);
  if (r->op && j->op_free)
    j->op_free(j->target, r->op);
  free(r->what);
  free(r);
}

static inline void ed__snap_answered(ed_request_t *req,
                                     const ed_result_t *res) {
  ed__snap_read_t *r = (ed__snap_read_t *)req->core_data;
  ed_snap_job_t *j = r->job;
  char *value = res->value ? strndup(res->value, res->value_len) : NULL;
  /* From the send: a driver that waits for a pool thread first re-stamps
   * sent_ns when the request really leaves (waiting is not sending). */
  uint64_t sent = r->req.sent_ns ? r->req.sent_ns : r->t0_ns;
  ed_snap_answer_t a = {res->err, res->code, value, res->detail,
                        (double)(uv_hrtime() - sent) / 1e6};
  j->in_flight--;
  r->cb(j, &a, r->ctx);
  free(value);
  ed__snap_free_read(j, r);
  ed__snap_pump(j);
}

/* Queue a read of the prepared operation op (taken: freed with op_free
 * after its callback). `what` names it in gaps ("Chassis/1/Power"). ctx is
 * passed to cb; when ctx_free is not NULL it frees ctx after cb. A NULL op
 * (the driver could not prepare it) is a gap at once. */
static inline void ed_snap_read(ed_snap_job_t *j, const char *what, void *op,
                                ed_snap_cb cb, void *ctx,
                                void (*ctx_free)(void *)) {
  ed__snap_read_t *r = (ed__snap_read_t *)calloc(1, sizeof(*r));
  char *w = strdup(what);
  if (!r || !w || !op) {
    free(r);
    free(w);
    if (op && j->op_free)
      j->op_free(j->target, op);
    if (ctx_free)
      ctx_free(ctx);
    ed_snap_answer_t a = {ED_ERRCLASS_OTHER, 0, NULL, "could not prepare", 0};
    ed_snap_gap(j, what, op ? NULL : &a);
    return;
  }
  r->job = j;
  r->what = w;
  r->op = op;
  r->cb = cb;
  r->ctx = ctx;
  r->ctx_free = ctx_free;
  if (j->tail)
    j->tail->next = r;
  else
    j->head = r;
  j->tail = r;
}

static inline int ed__snap_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static inline double ed__snap_rank(const double *v, size_t n, double p) {
  size_t k = (size_t)ceil(p / 100.0 * (double)n);
  return v[k ? k - 1 : 0];
}

/* What was read of each required part, in "read"; a part missing or empty
 * is a gap. Only for a reachable device (an unreachable one says why). */
static inline void ed__snap_coverage(ed_snap_job_t *j) {
  if (!j->required || !json_is_true(json_object_get(j->snap, "reachable")))
    return;
  json_t *read = json_object();
  for (const ed_snap_part_t *p = j->required; p->part; p++) {
    json_t *v = json_object_get(j->snap, p->key);
    int empty =
        !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
    if (empty) {
      char buf[200];
      snprintf(buf, sizeof(buf), "%s: nothing read", p->part);
      ed_snap_append(j, "gaps", json_string(buf));
      json_object_set_new(read, p->part, json_null());
    } else {
      json_object_set_new(read, p->part,
                          json_is_array(v)
                              ? json_integer((json_int_t)json_array_size(v))
                              : json_deep_copy(v));
    }
  }
  json_object_set_new(j->snap, "read", read);
}

static inline int ed__snap_newest_first(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  double tx =
      ed_snap_iso_to_epoch(json_string_value(json_object_get(x, "created")));
  double ty =
      ed_snap_iso_to_epoch(json_string_value(json_object_get(y, "created")));
  return tx < ty ? 1 : tx > ty ? -1 : 0;
}

/* Keep the newest c->log_entries entries of "log", newest first, each with
 * its age. */
static inline void ed__snap_trim_log(ed_snap_job_t *j) {
  json_t *log = json_object_get(j->snap, "log");
  size_t n = json_array_size(log);
  if (n == 0)
    return;
  json_t **v = (json_t **)calloc(n, sizeof(*v));
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(log, i));
  qsort(v, n, sizeof(*v), ed__snap_newest_first);
  json_t *out = json_array();
  size_t keep = j->c->log_entries > 0 ? (size_t)j->c->log_entries : n;
  for (size_t i = 0; i < n; i++) {
    if (i < keep) {
      double t = ed_snap_iso_to_epoch(
          json_string_value(json_object_get(v[i], "created")));
      if (t > 0)
        json_object_set_new(v[i], "age_s", json_real(j->t0 - t));
      json_array_append(out, v[i]);
    }
    json_decref(v[i]);
  }
  free(v);
  json_object_set_new(j->snap, "log", out);
}

static inline void ed__snap_finish(ed_snap_job_t *j) {
  json_t *s = j->snap;
  ed__snap_coverage(j);
  if (j->nlat) {
    qsort(j->lat, j->nlat, sizeof(double), ed__snap_cmp);
    json_object_set_new(s, "latency_ms",
                        json_pack("{s:I,s:f,s:f,s:f}", "samples",
                                  (json_int_t)j->nlat, "p50",
                                  ed__snap_rank(j->lat, j->nlat, 50), "p99",
                                  ed__snap_rank(j->lat, j->nlat, 99), "max",
                                  j->lat[j->nlat - 1]));
  }
  json_object_set_new(s, "requests", json_integer(j->requests));
  ed__snap_trim_log(j);
  if (j->last_words)
    j->last_words(j);
  char *text = json_dumps(s, JSON_COMPACT);
  static const char oom[] =
      "{\"reachable\":false,\"error\":{\"class\":\"other\",\"code\":0,"
      "\"detail\":\"out of memory for the snapshot\"}}";
  ed_collect_t *c = j->c;
  json_decref(s);
  free(j->lat);
  free(j);
  if (text)
    c->done(c, text, strlen(text));
  else
    c->done(c, oom, sizeof(oom) - 1);
  free(text);
}

/* Send what the bound allows. A submit may answer at once, re-entering
 * here through ed__snap_answered: the flag keeps one loop. */
static inline void ed__snap_pump(ed_snap_job_t *j) {
  if (j->pumping || !j->started)
    return;
  j->pumping = 1;
  int bound = j->c->max_in_flight > 0 ? j->c->max_in_flight : 1;
  while (j->head && j->in_flight < bound) {
    ed__snap_read_t *r = j->head;
    j->head = r->next;
    if (!j->head)
      j->tail = NULL;
    r->next = NULL;
    r->req.op = r->op;
    r->req.timeout_ms = j->c->timeout_ms;
    r->req.done = ed__snap_answered;
    r->req.core_data = r;
    r->req.intended_ns = r->req.sent_ns = r->t0_ns = uv_hrtime();
    j->in_flight++;
    j->requests++;
    int rc = j->submit(j->target, &r->req);
    if (rc != 0) {
      ed_result_t res = {ED_ERRCLASS_OTHER, 0, NULL, 0, "could not be sent"};
      if (rc == -ECANCELED)
        res = (ed_result_t){ED_ERRCLASS_CANCELLED, 0, NULL, 0,
                            "not sent: the target is stopping"};
      j->requests--;
      ed__snap_answered(&r->req, &res);
    }
  }
  j->pumping = 0;
  if (!j->head && j->in_flight == 0 && !j->finished) {
    j->finished = 1;
    ed__snap_finish(j);
  }
}

/* ---- entry ------------------------------------------------------------- */

/* A new job for collection c of target, reads sent with submit and freed
 * with op_free. The snapshot starts as {"reachable": true}. NULL when out of
 * memory (then nothing was called). */
static inline ed_snap_job_t *ed_snap_begin(void *target, ed_collect_t *c,
                                           int (*submit)(void *,
                                                         ed_request_t *),
                                           void (*op_free)(void *, void *)) {
  ed_snap_job_t *j = (ed_snap_job_t *)calloc(1, sizeof(*j));
  if (!j)
    return NULL;
  j->snap = json_pack("{s:b}", "reachable", 1);
  if (!j->snap) {
    free(j);
    return NULL;
  }
  j->target = target;
  j->c = c;
  j->submit = submit;
  j->op_free = op_free;
  j->t0 = ed_snap_now();
  return j;
}

/* Start the reads queued so far; c->done is called once the last answer is
 * in (possibly before this returns). The job must not be touched after. */
static inline void ed_snap_go(ed_snap_job_t *j) {
  j->started = 1;
  ed__snap_pump(j);
}

#ifdef __cplusplus
}
#endif
#endif /* EVENTDRILL_SNAPSHOT_H */
