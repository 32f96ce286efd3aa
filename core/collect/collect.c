/* The collection engine: a bounded queue of read-only requests per device,
 * latency samples, and the snapshot; see collect.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eventdrill/json_wide.h>

#include "collect_internal.h"
#include "error.h"

typedef struct ed__cfetch_s {
  ed__cjob_t *job;
  char *what;
  ed_opspec_t op;
  ed__cjob_cb cb;
  void *ctx;
  void (*ctx_free)(void *);
  struct ed__cfetch_s *next;
} fetch_t;

typedef struct job_ext_s {
  ed__cjob_t j;
  int pumping;
  int finished;
} job_ext_t;

double ed_collect_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ed_collect_opts_default(ed_collect_opts_t *o, int full) {
  memset(o, 0, sizeof(*o));
  o->full = full;
  o->latency_samples = full ? 10 : 0;
  o->log_entries = full ? 50 : 10;
  o->max_in_flight = full ? 2 : 1;
  o->timeout_ms = 5000;
}

/* ---- health words ------------------------------------------------------ */

int ed_health_rank(const char *health) {
  if (!health)
    return 0;
  if (strcmp(health, "Critical") == 0)
    return 2;
  if (strcmp(health, "Warning") == 0)
    return 1;
  return 0;
}

const char *ed_health_worst(const char *a, const char *b) {
  static const char *const words[] = {"OK", "Warning", "Critical"};
  int ra = ed_health_rank(a), rb = ed_health_rank(b);
  return words[ra > rb ? ra : rb];
}

/* ---- times ------------------------------------------------------------- */

double ed__iso_to_epoch(const char *s) {
  struct tm tm = {0};
  int n = 0;
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

void ed__epoch_to_iso(double t, char *buf, size_t len) {
  time_t secs = (time_t)t;
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the queue --------------------------------------------------------- */

static void pump(ed__cjob_t *j);

static void free_fetch(fetch_t *f) {
  if (f->ctx_free)
    f->ctx_free(f->ctx);
  json_decref(f->op.arg);
  free(f->op.name);
  free(f->op.path);
  free(f->what);
  free(f);
}

static void fetched(void *arg, const ed_probe_outcome_t *o) {
  fetch_t *f = arg;
  ed__cjob_t *j = f->job;
  j->in_flight--;
  f->cb(j, o, f->ctx);
  free_fetch(f);
  pump(j);
}

void ed__cjob_op(ed__cjob_t *j, const char *what, const char *name, json_t *arg,
                 ed__cjob_cb cb, void *ctx, void (*ctx_free)(void *)) {
  fetch_t *f = calloc(1, sizeof(*f));
  if (f) {
    f->what = strdup(what);
    f->op.name = strdup(name);
    f->op.path = strdup("collect");
  }
  if (!f || !f->what || !f->op.name || !f->op.path || !arg) {
    if (f) {
      f->ctx = ctx;
      f->ctx_free = ctx_free;
      free_fetch(f);
    } else if (ctx_free) {
      ctx_free(ctx);
    }
    json_decref(arg);
    ed__cjob_gap(j, what, NULL);
    return;
  }
  f->op.arg = arg;
  f->job = j;
  f->cb = cb;
  f->ctx = ctx;
  f->ctx_free = ctx_free;
  if (j->tail)
    j->tail->next = f;
  else
    j->head = f;
  j->tail = f;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double rank(const double *v, size_t n, double p) {
  size_t k = (size_t)ceil(p / 100.0 * (double)n);
  return v[k ? k - 1 : 0];
}

/* What was read of each part the gatherer requires, in the snapshot's
 * "read" ({"health": 3, "power": "on", ...}: a count for a list, else the
 * value, null when nothing); a required part that is missing or empty is a gap:
 * an unread device is never called ready. Only for a reachable device (an
 * unreachable one has its own finding). */
static void coverage(ed__cjob_t *j) {
  if (!j->required || !json_is_true(json_object_get(j->snap, "reachable")))
    return;
  json_t *read = json_object();
  for (const ed__cpart_t *p = j->required; p->part; p++) {
    json_t *v = json_object_get(j->snap, p->key);
    int empty =
        !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
    if (empty) {
      char buf[200];
      snprintf(buf, sizeof(buf), "%s: nothing read", p->part);
      ed__cjob_append(j, "gaps", json_string(buf));
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

static void finish(ed__cjob_t *j) {
  json_t *s = j->snap;
  coverage(j);
  if (j->nlat) {
    qsort(j->lat, j->nlat, sizeof(double), cmp_double);
    json_object_set_new(
        s, "latency_ms",
        json_pack("{s:I,s:f,s:f,s:f}", "samples", (json_int_t)j->nlat, "p50",
                  rank(j->lat, j->nlat, 50), "p99", rank(j->lat, j->nlat, 99),
                  "max", j->lat[j->nlat - 1]));
  }
  json_object_set_new(s, "duration_ms",
                      json_real((ed_collect_now() - j->t0) * 1000.0));
  json_object_set_new(s, "requests", json_integer(j->requests));
  ed__cjob_trim_log(j);
  if (j->driver_free)
    j->driver_free(j->driver);
  free(j->lat);
  ed_collect_cb cb = j->cb;
  void *arg = j->arg;
  free(j);
  cb(arg, s);
}

/* Issue what the device's bound allows. A probe may complete at once (a
 * refusal), re-entering here through fetched(): the flag keeps one loop. */
static void pump(ed__cjob_t *j) {
  job_ext_t *x = (job_ext_t *)j;
  if (x->pumping)
    return;
  x->pumping = 1;
  while (j->head && j->in_flight < j->o.max_in_flight) {
    fetch_t *f = j->head;
    j->head = f->next;
    if (!j->head)
      j->tail = NULL;
    f->next = NULL;
    j->in_flight++;
    j->requests++;
    ed_probe_run_op(j->h, j->t->spec->name, &f->op, j->o.timeout_ms, fetched,
                    f);
  }
  x->pumping = 0;
  if (!j->head && j->in_flight == 0 && !x->finished) {
    x->finished = 1;
    finish(j);
  }
}

/* ---- what gatherers call ---------------------------------------------- */

void ed__cjob_sample(ed__cjob_t *j, const ed_probe_outcome_t *o) {
  if (o->err != ED_ERRCLASS_NONE)
    return;
  if (j->nlat == j->caplat) {
    size_t cap = j->caplat ? j->caplat * 2 : 16;
    double *nv = realloc(j->lat, cap * sizeof(double));
    if (!nv)
      return;
    j->lat = nv;
    j->caplat = cap;
  }
  j->lat[j->nlat++] = o->latency_ms;
}

void ed__cjob_append(ed__cjob_t *j, const char *key, json_t *obj) {
  json_t *arr = json_object_get(j->snap, key);
  if (!arr) {
    arr = json_array();
    json_object_set_new(j->snap, key, arr);
  }
  json_array_append_new(arr, obj);
}

void ed__cjob_gap(ed__cjob_t *j, const char *what,
                  const ed_probe_outcome_t *o) {
  char buf[512];
  if (!o)
    snprintf(buf, sizeof(buf), "%s: out of memory", what);
  else if (o->detail)
    snprintf(buf, sizeof(buf), "%s: %s %d: %s", what,
             ed_errclass_string(o->err), o->code, o->detail);
  else
    snprintf(buf, sizeof(buf), "%s: %s %d", what, ed_errclass_string(o->err),
             o->code);
  ed__cjob_append(j, "gaps", json_string(buf));
}

void ed__cjob_unreachable(ed__cjob_t *j, const ed_probe_outcome_t *o) {
  json_object_set_new(j->snap, "reachable", json_false());
  json_object_set_new(j->snap, "error",
                      json_pack("{s:s,s:i,s:s}", "class",
                                ed_errclass_string(o->err), "code", o->code,
                                "detail", o->detail ? o->detail : ""));
}

json_t *ed__cjob_value(const ed_probe_outcome_t *o) {
  if (o->err != ED_ERRCLASS_NONE || !o->value)
    return NULL;
  return ed_json_loadb_wide(o->value, strlen(o->value), JSON_DECODE_ANY, NULL);
}

static int newest_first(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  double tx =
      ed__iso_to_epoch(json_string_value(json_object_get(x, "created")));
  double ty =
      ed__iso_to_epoch(json_string_value(json_object_get(y, "created")));
  return tx < ty ? 1 : tx > ty ? -1 : 0;
}

void ed__cjob_trim_log(ed__cjob_t *j) {
  json_t *log = json_object_get(j->snap, "log");
  size_t n = json_array_size(log);
  if (n == 0)
    return;
  json_t **v = calloc(n, sizeof(*v));
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(log, i));
  qsort(v, n, sizeof(*v), newest_first);
  json_t *out = json_array();
  size_t keep = j->o.log_entries > 0 ? (size_t)j->o.log_entries : n;
  for (size_t i = 0; i < n; i++) {
    if (i < keep) {
      double t =
          ed__iso_to_epoch(json_string_value(json_object_get(v[i], "created")));
      if (t > 0)
        json_object_set_new(v[i], "age_s", json_real(j->t0 - t));
      json_array_append(out, v[i]);
    }
    json_decref(v[i]);
  }
  free(v);
  json_object_set_new(j->snap, "log", out);
}

/* ---- entry ------------------------------------------------------------- */

static ed__cjob_t *new_job(ed_probe_host_t *h, const ed_fleet_target_t *t,
                           const ed_collect_opts_t *o, ed_collect_cb cb,
                           void *arg) {
  job_ext_t *x = calloc(1, sizeof(*x));
  if (!x)
    return NULL;
  ed__cjob_t *j = &x->j;
  j->h = h;
  j->t = t;
  j->o = *o;
  if (j->o.max_in_flight < 1)
    j->o.max_in_flight = 1;
  j->cb = cb;
  j->arg = arg;
  j->t0 = ed_collect_now();
  j->snap = json_pack("{s:s,s:s,s:f,s:b}", "device", t->spec->name, "driver",
                      t->spec->driver, "at", j->t0, "reachable", 1);
  if (!j->snap) {
    free(x);
    return NULL;
  }
  if (t->spec->labels)
    json_object_set(j->snap, "labels", t->spec->labels);
  return j;
}

int ed_collect_device(ed_probe_host_t *h, const ed_fleet_target_t *t,
                      const ed_collect_opts_t *o, ed_collect_cb cb, void *arg) {
  ed__cjob_t *j = new_job(h, t, o, cb, arg);
  if (!j)
    return ED_ENOMEM;
  const char *d = t->spec->driver;
  if (!t->started) {
    ed_probe_outcome_t out = {
        .err = ED_ERRCLASS_CONNECT,
        .detail = (char *)(t->error[0] ? t->error : "not started")};
    ed__cjob_unreachable(j, &out);
  } else if (strcmp(d, "redfish") == 0) {
    ed__collect_redfish(j);
  } else if (strcmp(d, "ipmi") == 0) {
    ed__collect_ipmi(j);
  } else if (strcmp(d, "ssh") == 0) {
    ed__collect_ssh(j);
  } else {
    char what[160];
    snprintf(what, sizeof(what), "driver %s", d);
    ed_probe_outcome_t out = {.err = ED_ERRCLASS_OTHER,
                              .detail = "no health collection for this "
                                        "driver"};
    ed__cjob_gap(j, what, &out);
  }
  pump(j);
  return 0;
}
