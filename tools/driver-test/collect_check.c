#include "collect_check.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/json_wide.h>

/* After the first done, how long the checker keeps the loop running to see
 * a second one. */
#define SECOND_DONE_MS 300

/* One collection and what became of it. */
typedef struct coll_s {
  ed_collect_t c; /* first: done finds its record from c */
  ed_ccheck_t *k;
  unsigned dones, dones_judged;
  int in_collect;   /* inside the driver's collect */
  int inside;       /* done called from inside collect */
  int wrong_thread; /* done called off the loop thread */
  int after_close;  /* done called after target_close returned */
  char *text;       /* the first answer, NUL-terminated */
  size_t len;
  uint64_t start_ns, done_ns;
  struct coll_s *next;
} coll_t;

struct ed_ccheck_s {
  ed_ccheck_spec_t spec;
  uv_loop_t *loop;
  pthread_t loop_thread;
  int closed;
  int unanswered; /* a collection never answered: no second one */
  coll_t *all;    /* every collection, until destroy */
};

ed_ccheck_t *ed_ccheck_create(uv_loop_t *loop, const ed_ccheck_spec_t *spec) {
  ed_ccheck_t *k = calloc(1, sizeof(*k));
  if (!k)
    return NULL;
  k->spec = *spec;
  k->loop = loop;
  k->loop_thread = pthread_self();
  return k;
}

static void on_done(ed_collect_t *c, const char *snapshot, size_t len) {
  coll_t *r = (coll_t *)c;
  if (!pthread_equal(pthread_self(), r->k->loop_thread)) {
    r->wrong_thread = 1;
    r->dones++;
    return; /* nothing else is safe off the loop thread */
  }
  r->dones++;
  r->inside |= r->in_collect;
  r->after_close |= r->k->closed;
  if (r->dones > 1)
    return;
  r->done_ns = uv_hrtime();
  r->text = malloc(len + 1);
  if (r->text && (snapshot || len == 0)) {
    if (len)
      memcpy(r->text, snapshot, len);
    r->text[len] = '\0';
    r->len = len;
  }
}

/* A new collection, as the core fills it for `inspect`. */
static coll_t *new_coll(ed_ccheck_t *k) {
  coll_t *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->k = k;
  r->c.flags = ED_COLLECT_FULL;
  r->c.latency_samples = 2;
  r->c.log_entries = 5;
  r->c.max_in_flight = k->spec.max_in_flight > 0 ? k->spec.max_in_flight : 1;
  r->c.timeout_ms = k->spec.timeout_ms;
  r->c.done = on_done;
  r->c.core_data = r;
  r->next = k->all;
  k->all = r;
  return r;
}

static int start(ed_ccheck_t *k, coll_t *r, void *target, const char *what) {
  r->start_ns = uv_hrtime();
  r->in_collect = 1;
  int rc = k->spec.drv->collect(target, &r->c);
  r->in_collect = 0;
  if (rc == 0)
    return 0;
  if (r->dones)
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "collect returned %d and called done as well (done must not "
                "be called when collect returns < 0)",
                rc);
  else
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "collect returned %d: the core reports the device unreachable "
                "(\"could not start a collection\")",
                rc);
  r->dones_judged = r->dones;
  return -1;
}

static void on_guard(uv_timer_t *t) {
  *(int *)t->data = 1;
}

/* Run the loop until *flag is set (when flag is not NULL) and the
 * collection answered, or ms passed. */
static void wait_for(ed_ccheck_t *k, coll_t *r, const int *flag, uint64_t ms) {
  int expired = 0;
  uv_timer_t guard;
  uv_timer_init(k->loop, &guard);
  guard.data = &expired;
  uv_timer_start(&guard, on_guard, ms, 0);
  while ((r->dones == 0 || (flag && !*flag)) && !expired)
    uv_run(k->loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(k->loop, UV_RUN_NOWAIT);
}

/* Keep the loop running a little: a second done shows up here. */
static void linger(ed_ccheck_t *k) {
  int expired = 0;
  uv_timer_t guard;
  uv_timer_init(k->loop, &guard);
  guard.data = &expired;
  uv_timer_start(&guard, on_guard, SECOND_DONE_MS, 0);
  while (!expired)
    uv_run(k->loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(k->loop, UV_RUN_NOWAIT);
}

/* ---- the snapshot -------------------------------------------------------- */

static const char *const array_members[] = {
    "health", "psus", "redundancy", "sensors", "log", "disks", NULL};
static const char *const string_arrays[] = {"gaps", "failed_units", NULL};
static const char *const object_members[] = {"error", "latency_ms", "firmware",
                                             "read", NULL};

/* What is wrong with the snapshot's shape, in why; 0 when nothing. */
static int shape(const json_t *s, char *why, size_t len) {
  json_t *reach = json_object_get(s, "reachable");
  if (!json_is_boolean(reach))
    return snprintf(why, len,
                    "the snapshot has no \"reachable\" (true or false), the "
                    "one member driver.h requires"),
           -1;
  if (json_is_false(reach) &&
      !json_is_string(json_object_get(json_object_get(s, "error"), "class")))
    return snprintf(why, len,
                    "\"reachable\" is false but \"error\" does not say why "
                    "(an object with \"class\" and \"detail\")"),
           -1;
  for (const char *const *m = array_members; *m; m++) {
    json_t *a = json_object_get(s, *m), *x;
    size_t i;
    if (a && !json_is_array(a))
      return snprintf(why, len, "\"%s\" is not an array", *m), -1;
    json_array_foreach(a, i, x) {
      if (!json_is_object(x))
        return snprintf(why, len, "\"%s\"[%zu] is not an object", *m, i), -1;
      if (!strcmp(*m, "sensors") &&
          (!json_is_string(json_object_get(x, "name")) ||
           !json_is_string(json_object_get(x, "kind"))))
        return snprintf(why, len,
                        "\"sensors\"[%zu] lacks its \"name\" or \"kind\" "
                        "(strings: findings and alarms name the sensor)",
                        i),
               -1;
    }
  }
  for (const char *const *m = string_arrays; *m; m++) {
    json_t *a = json_object_get(s, *m), *x;
    size_t i;
    if (a && !json_is_array(a))
      return snprintf(why, len, "\"%s\" is not an array", *m), -1;
    json_array_foreach(a, i, x) {
      if (!json_is_string(x))
        return snprintf(why, len, "\"%s\"[%zu] is not a string", *m, i), -1;
    }
  }
  for (const char *const *m = object_members; *m; m++) {
    json_t *o = json_object_get(s, *m);
    if (o && !json_is_object(o))
      return snprintf(why, len, "\"%s\" is not an object", *m), -1;
  }
  json_t *req = json_object_get(s, "requests");
  if (req && !json_is_integer(req))
    return snprintf(why, len, "\"requests\" is not an integer"), -1;
  json_t *power = json_object_get(s, "power");
  if (power && !json_is_string(power))
    return snprintf(why, len, "\"power\" is not a string"), -1;
  return 0;
}

/* The snapshot of r parsed and checked, or NULL (said as a FAIL). */
static json_t *judge_text(ed_ccheck_t *k, coll_t *r, const char *what) {
  char why[300];
  if (!r->text) {
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "done was called with a NULL snapshot");
    return NULL;
  }
  if (k->spec.secret && k->spec.secret[0] && strstr(r->text, k->spec.secret)) {
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "the snapshot holds the target's secret");
    return NULL;
  }
  json_error_t err;
  json_t *s = ed_json_loadb_wide(r->text, r->len, 0, &err);
  if (!json_is_object(s)) {
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "the snapshot is not the JSON text of an object: %s: \"%.60s\"",
                s ? "not an object" : err.text, r->text);
    json_decref(s);
    return NULL;
  }
  if (shape(s, why, sizeof(why)) != 0) {
    k->spec.say(k->spec.say_arg, "FAIL", what, "%s", why);
    json_decref(s);
    return NULL;
  }
  return s;
}

/* How done was called; 0 when once, on the loop thread, in time. */
static int judge_calls(ed_ccheck_t *k, coll_t *r, const char *what,
                       uint64_t wait_ms) {
  r->dones_judged = r->dones;
  if (r->wrong_thread) {
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "done called off the loop thread (call it from the loop: "
                "uv_async_send or an after_work callback)");
    return -1;
  }
  if (r->dones == 0) {
    k->unanswered = 1;
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "done was never called within %llu ms (collect returned 0: "
                "done is due exactly once)",
                (unsigned long long)wait_ms);
    return -1;
  }
  if (r->dones > 1) {
    k->spec.say(k->spec.say_arg, "FAIL", what,
                "done called %u times for one collection (exactly once)",
                r->dones);
    return -1;
  }
  return 0;
}

static size_t count(const json_t *s, const char *key) {
  return json_array_size(json_object_get(s, key));
}

/* The first gap, or "". */
static const char *first_gap(const json_t *s) {
  const char *g =
      json_string_value(json_array_get(json_object_get(s, "gaps"), 0));
  return g ? g : "";
}

void ed_ccheck_run(ed_ccheck_t *k, void *target, const char *what) {
  coll_t *r = new_coll(k);
  if (!r) {
    k->spec.say(k->spec.say_arg, "FAIL", what, "out of memory");
    return;
  }
  if (start(k, r, target, what) != 0)
    return;
  uint64_t wait = (uint64_t)k->spec.wait_ms;
  wait_for(k, r, NULL, wait);
  if (r->dones)
    linger(k);
  if (judge_calls(k, r, what, wait) != 0)
    return;
  json_t *s = judge_text(k, r, what);
  if (!s)
    return;
  int reach = json_is_true(json_object_get(s, "reachable"));
  double ms = (double)(r->done_ns - r->start_ns) / 1e6;
  if (!reach) {
    json_t *e = json_object_get(s, "error");
    k->spec.say(k->spec.say_arg, k->spec.expect_ok ? "FAIL" : "warn", what,
                "%sthe device is unreachable: %s: %s",
                k->spec.expect_ok ? "--expect-ok: " : "",
                json_string_value(json_object_get(e, "class")),
                json_string_value(json_object_get(e, "detail"))
                    ? json_string_value(json_object_get(e, "detail"))
                    : "");
    json_decref(s);
    return;
  }
  if (count(s, "gaps"))
    k->spec.say(k->spec.say_arg, "warn", what, "%zu part%s not read: %s",
                count(s, "gaps"), count(s, "gaps") == 1 ? "" : "s",
                first_gap(s));
  k->spec.say(k->spec.say_arg, "ok", what,
              "done called once%s on the loop thread after %.1f ms: "
              "reachable, %lld requests, %zu health, %zu psus, %zu sensors, "
              "%zu log entries, %zu gaps",
              r->inside ? " (from inside collect)" : "", ms,
              (long long)json_integer_value(json_object_get(s, "requests")),
              count(s, "health"), count(s, "psus"), count(s, "sensors"),
              count(s, "log"), count(s, "gaps"));
  json_decref(s);
}

/* ---- a collection cut short by target_stop --------------------------------
 */

typedef struct stop_s {
  int calls;
} stop_t;

static void on_stopped(void *arg, int status, const char *detail) {
  (void)status, (void)detail;
  ((stop_t *)arg)->calls++;
}

/* Whether the snapshot says something was given up: an error or a gap of
 * class "cancelled". */
static size_t cancelled_parts(const json_t *s) {
  size_t n = 0, i;
  json_t *g;
  const char *cls =
      json_string_value(json_object_get(json_object_get(s, "error"), "class"));
  if (cls && strcmp(cls, "cancelled") == 0)
    n++;
  json_array_foreach(json_object_get(s, "gaps"), i, g) {
    if (json_string_value(g) && strstr(json_string_value(g), "cancelled"))
      n++;
  }
  return n;
}

/* A collection asked of the target once it is stopped (a late poll): it
 * must answer once, without reading anything, its parts cancelled. */
static void after_stop(ed_ccheck_t *k, void *target) {
  const char *what = "collect (stopped)";
  coll_t *r = new_coll(k);
  if (!r) {
    k->spec.say(k->spec.say_arg, "FAIL", what, "out of memory");
    return;
  }
  r->start_ns = uv_hrtime();
  r->in_collect = 1;
  int rc = k->spec.drv->collect(target, &r->c);
  r->in_collect = 0;
  if (rc != 0) {
    r->dones_judged = r->dones;
    k->spec.say(k->spec.say_arg, r->dones ? "FAIL" : "ok", what,
                r->dones ? "collect returned %d and called done as well"
                         : "collect on the stopped target returned %d: "
                           "nothing started",
                rc);
    return;
  }
  uint64_t wait = (uint64_t)k->spec.wait_ms;
  wait_for(k, r, NULL, wait);
  if (r->dones)
    linger(k);
  if (judge_calls(k, r, what, wait) != 0)
    return;
  json_t *s = judge_text(k, r, what);
  if (!s)
    return;
  size_t n = cancelled_parts(s);
  if (n)
    k->spec.say(k->spec.say_arg, "ok", what,
                "done called once, %zu part%s cancelled, after %.1f ms", n,
                n == 1 ? "" : "s", (double)(r->done_ns - r->start_ns) / 1e6);
  else
    k->spec.say(k->spec.say_arg, "warn", what,
                "done called once with nothing cancelled: were requests sent "
                "to the stopped target?");
  json_decref(s);
}

void ed_ccheck_run_stopped(ed_ccheck_t *k, void *target, const char *what) {
  const ed_driver_t *drv = k->spec.drv;
  if (!drv->target_stop) {
    k->spec.say(k->spec.say_arg, "skip", what,
                "not checked: the driver has no target_stop");
    return;
  }
  if (k->unanswered) {
    k->spec.say(k->spec.say_arg, "skip", what,
                "not checked: a collection was never answered");
    return;
  }
  coll_t *r = new_coll(k);
  if (!r) {
    k->spec.say(k->spec.say_arg, "FAIL", what, "out of memory");
    return;
  }
  if (start(k, r, target, what) != 0)
    return;
  unsigned before = r->dones;
  stop_t st = {0};
  int rc = drv->target_stop(target, on_stopped, &st);
  if (rc != 0)
    st.calls = 1; /* counts as stopped, without a callback */
  uint64_t wait = (uint64_t)k->spec.wait_ms;
  wait_for(k, r, &st.calls, wait);
  if (r->dones)
    linger(k);
  if (judge_calls(k, r, what, wait) != 0)
    return;
  json_t *s = judge_text(k, r, what);
  if (!s)
    return;
  size_t n = cancelled_parts(s);
  double ms = (double)(r->done_ns - r->start_ns) / 1e6;
  if (before)
    k->spec.say(k->spec.say_arg, "ok", what,
                "done called once, before target_stop (nothing left to "
                "cancel)");
  else if (n)
    k->spec.say(k->spec.say_arg, "ok", what,
                "target_stop during the collection: done called once after "
                "%.1f ms, %zu part%s cancelled",
                ms, n, n == 1 ? "" : "s");
  else
    k->spec.say(k->spec.say_arg, "warn", what,
                "target_stop during the collection: done called once after "
                "%.1f ms with nothing cancelled (were the reads already "
                "answered?)",
                ms);
  json_decref(s);
  if (st.calls)
    after_stop(k, target);
}

void ed_ccheck_mark_closed(ed_ccheck_t *k) {
  k->closed = 1;
}

void ed_ccheck_destroy(ed_ccheck_t *k) {
  if (!k)
    return;
  int late = 0;
  for (coll_t *r = k->all; r; r = r->next) {
    if (r->dones > r->dones_judged && !late) {
      k->spec.say(k->spec.say_arg, "FAIL", "collect (late)",
                  "done called %u times for one collection, %u of them after "
                  "it was judged%s",
                  r->dones, r->dones - r->dones_judged,
                  r->after_close ? ", after target_close returned" : "");
      late = 1;
    }
  }
  while (k->all) {
    coll_t *r = k->all;
    k->all = r->next;
    free(r->text);
    free(r);
  }
  free(k);
}
