/* The core's side of a collection: ask the target's driver (its collect),
 * time and stamp the answer; see collect.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eventdrill/json_wide.h>

#include "collect.h"
#include "error.h"
#include "plugin_host.h"

/* One collection in flight: the driver's ed_collect_t first, so that the
 * driver's pointer is ours. */
typedef struct job_s {
  ed_collect_t c;
  ed_probe_host_t *h;
  const ed_fleet_target_t *t;
  double t0; /* ed_collect_now() at the start */
  uint64_t t0_ns;
  ed_collect_cb cb;
  void *arg;
} job_t;

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
  o->memo = !full;
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

/* ---- the answer -------------------------------------------------------- */

/* The snapshot the driver's text holds, or one that says why there is none. */
static json_t *parse(const job_t *j, const char *text, size_t len) {
  json_error_t e;
  json_t *s = text ? ed_json_loadb_wide(text, len, 0, &e) : NULL;
  if (json_is_object(s))
    return s;
  json_decref(s);
  char why[300];
  snprintf(why, sizeof(why),
           "driver %s answered a snapshot that is not a JSON object%s%s",
           j->t->spec->driver, text ? ": " : "", text ? e.text : "");
  return json_pack("{s:b,s:{s:s,s:i,s:s}}", "reachable", 0, "error", "class",
                   "protocol", "code", 0, "detail", why);
}

/* The core's members, over whatever the driver wrote there. */
static void stamp(const job_t *j, json_t *s) {
  const ed_target_t *spec = j->t->spec;
  json_object_set_new(s, "device", json_string(spec->name));
  json_object_set_new(s, "driver", json_string(spec->driver));
  if (spec->labels)
    json_object_set(s, "labels", spec->labels);
  else
    json_object_del(s, "labels");
  json_object_set_new(s, "at", json_real(j->t0));
  json_object_set_new(s, "duration_ms",
                      json_real((double)(uv_hrtime() - j->t0_ns) / 1e6));
  if (!json_is_boolean(json_object_get(s, "reachable")))
    json_object_set_new(s, "reachable", json_false());
}

static void answer(job_t *j, json_t *s) {
  stamp(j, s);
  ed_collect_cb cb = j->cb;
  void *arg = j->arg;
  j->h->in_flight--;
  free(j);
  cb(arg, s);
}

static void collected(ed_collect_t *c, const char *snapshot, size_t len) {
  job_t *j = (job_t *)c;
  answer(j, parse(j, snapshot, len));
}

/* ---- entry ------------------------------------------------------------- */

static json_t *unreachable(const char *cls, const char *detail) {
  return json_pack("{s:b,s:i,s:{s:s,s:i,s:s}}", "reachable", 0, "requests", 0,
                   "error", "class", cls, "code", 0, "detail", detail);
}

/* A driver without collect: nothing was read, and the snapshot says so
 * plainly, so that no reader calls the device reached, healthy or ready. */
static json_t *not_monitored(const job_t *j) {
  char why[200];
  snprintf(why, sizeof(why), "driver %s has no health collection",
           j->t->spec->driver);
  json_t *s = unreachable("unsupported", why);
  json_object_set_new(s, "monitored", json_false());
  json_object_set_new(s, "unread", json_string(why));
  return s;
}

int ed_collect_device(ed_probe_host_t *h, const ed_fleet_target_t *t,
                      const ed_collect_opts_t *o, ed_collect_cb cb, void *arg) {
  job_t *j = calloc(1, sizeof(*j));
  if (!j)
    return ED_ENOMEM;
  *j = (job_t){
      .c = {.flags = (o->full ? ED_COLLECT_FULL : 0u) |
                     (o->memo ? ED_COLLECT_MEMO : 0u),
            .latency_samples = o->latency_samples,
            .log_entries = o->log_entries,
            .max_in_flight = o->max_in_flight < 1 ? 1 : o->max_in_flight,
            .timeout_ms = o->timeout_ms,
            .done = collected},
      .h = h,
      .t = t,
      .t0 = ed_collect_now(),
      .t0_ns = uv_hrtime(),
      .cb = cb,
      .arg = arg};
  h->in_flight++;
  if (!t->drv || !ed_plugin_can_collect(t->drv)) {
    answer(j, not_monitored(j));
    return 0;
  }
  if (!t->started) {
    answer(j, unreachable("connect", t->error[0] ? t->error : "not started"));
    return 0;
  }
  if (t->drv->collect(t->state, &j->c) != 0) {
    char why[200];
    snprintf(why, sizeof(why), "driver %s could not start a collection",
             t->spec->driver);
    answer(j, unreachable("other", why));
  }
  return 0;
}
