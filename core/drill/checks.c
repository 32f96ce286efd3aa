#include "checks.h"

#include <eventdrill/json_wide.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "metrics.h"

typedef struct waiter_s waiter_t;

typedef struct crt_s {
  const ed_check_t *spec;
  size_t index;
  ed_check_state_t state;
  uint64_t since_ns;
  int running;
  uv_timer_t timer;
  int timer_on;
  struct ed_checks_s *owner;
  struct run_s *settling; /* an after run waiting to be asked again */
} crt_t;

struct ed_checks_s {
  const ed_scenario_t *sc;
  ed_probe_host_t *probes;
  ed_check_result_cb on_result;
  void *arg;
  crt_t *crt;
  size_t n;
  int faults_active;
  int started;
  int closing; /* handles left to close */
  int destroyed;
};

/* One on-demand run: who asked and what to call back. */
typedef struct run_s {
  crt_t *crt;
  char by[64];
  ed_check_result_cb cb;
  void *arg;
  void (*group_done)(void *);
  void *group_arg;
  int *group_left;
  uint64_t started_ns;      /* first try */
  uint64_t settle_until_ns; /* an after run: asked again until then */
  int tries;
} run_t;

/* ---- judging ---------------------------------------------------------- */

static int judge_value(const ed_expect_t *e, const char *text, char *buf,
                       size_t len) {
  json_error_t jerr;
  json_t *v =
      text ? ed_json_loadb_wide(text, strlen(text), JSON_DECODE_ANY, &jerr)
           : NULL;
  int ok = 1;
  if ((e->equals || e->one_of || e->has_min || e->has_max || e->match) && !v) {
    snprintf(buf, len, "no value to judge");
    return 0;
  }
  if (e->equals && !json_equal(v, e->equals)) {
    char *want = json_dumps(e->equals, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, len, "value %s, expected %s", text, want ? want : "?");
    free(want);
    ok = 0;
  }
  if (ok && e->one_of) {
    size_t i;
    json_t *x;
    int found = 0;
    json_array_foreach(e->one_of, i, x) found |= json_equal(v, x);
    if (!found) {
      snprintf(buf, len, "value %s is not one of those expected", text);
      ok = 0;
    }
  }
  if (ok && (e->has_min || e->has_max)) {
    if (!json_is_number(v)) {
      snprintf(buf, len, "value %s is not a number", text);
      ok = 0;
    } else {
      double d = json_number_value(v);
      if ((e->has_min && d < e->min) || (e->has_max && d > e->max)) {
        snprintf(buf, len, "value %g outside [%g, %g]", d,
                 e->has_min ? e->min : -INFINITY,
                 e->has_max ? e->max : INFINITY);
        ok = 0;
      }
    }
  }
  if (ok && e->match) {
    const char *subject = json_is_string(v) ? json_string_value(v) : text;
    size_t n = json_is_string(v) ? json_string_length(v) : strlen(text);
    char why[192];
    int m = e->pattern
                ? ed_pattern_match(e->pattern, subject, n, why, sizeof(why))
                : ED_EINVAL;
    if (m == 0)
      snprintf(buf, len, "value %s does not match /%s/", text, e->match);
    else if (m < 0)
      /* A match that could not finish is no pass: say why. */
      snprintf(buf, len, "value %s against /%s/: %s", text, e->match,
               m == ED_ERANGE ? why : ed_strerror(m));
    ok = m == 1;
  }
  json_decref(v);
  return ok;
}

int ed_expect_eval(const ed_expect_t *e, const ed_probe_outcome_t *o, char *buf,
                   size_t len) {
  int status_ok = e->has_status && o->code == e->status;
  if (o->err != ED_ERRCLASS_NONE && !status_ok) {
    snprintf(buf, len, "could not run: %s%s%s", ed_errclass_name(o->err),
             o->detail ? ": " : "", o->detail ? o->detail : "");
    return 0;
  }
  if (e->has_status && !status_ok) {
    snprintf(buf, len, "status %d, expected %d", o->code, e->status);
    return 0;
  }
  if (e->latency_ms > 0 && o->latency_ms > e->latency_ms) {
    snprintf(buf, len, "answered in %.1f ms, bound %.0f ms", o->latency_ms,
             e->latency_ms);
    return 0;
  }
  if (!judge_value(e, o->value, buf, len))
    return 0;
  snprintf(buf, len, "ok");
  return 1;
}

/* ---- running ---------------------------------------------------------- */

static void free_if_done(ed_checks_t *c);

/* Between two tries of a settling after check. */
#define SETTLE_RETRY_MS 1000

static void launch(crt_t *crt, run_t *run);

static void on_settle(uv_timer_t *t) {
  crt_t *crt = t->data;
  run_t *run = crt->settling;
  crt->settling = NULL;
  if (run)
    launch(crt, run);
}

/* A failed try of a settling after check is asked again while its window
 * lasts (the check stays running meanwhile): 1 when it will be. */
static int settle_again(crt_t *crt, run_t *run, int ok, uint64_t now) {
  ed_checks_t *c = crt->owner;
  if (ok || !run->settle_until_ns || c->destroyed ||
      now + (uint64_t)SETTLE_RETRY_MS * 1000000u >= run->settle_until_ns)
    return 0;
  crt->settling = run;
  uv_timer_start(&crt->timer, on_settle, SETTLE_RETRY_MS, 0);
  return 1;
}

/* How the tries of a settling check ended, in its reason. */
static void settle_note(const run_t *run, int ok, uint64_t now, char *reason,
                        size_t len) {
  if (!run->settle_until_ns || run->tries < 2)
    return;
  /* the last reason, cut to leave room for the note, on a character
   * boundary (a value quoted in it may be any UTF-8) */
  char was[400];
  size_t n = strlen(reason);
  if (n >= sizeof(was)) {
    n = sizeof(was) - 1;
    while (n > 0 && ((unsigned char)reason[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(was, reason, n);
  was[n] = '\0';
  double waited = (double)(now - run->started_ns) / 1e9;
  if (ok)
    snprintf(reason, len, "ok after %d tries (%.1f s to settle)", run->tries,
             waited);
  else
    snprintf(reason, len, "%s (still, after %d tries in %.1f s of settling)",
             was, run->tries, waited);
}

static void on_outcome(void *arg, const ed_probe_outcome_t *o) {
  run_t *run = arg;
  crt_t *crt = run->crt;
  ed_checks_t *c = crt->owner;
  char reason[512];
  int ok = ed_expect_eval(&crt->spec->expect, o, reason, sizeof(reason));
  uint64_t now = uv_hrtime();
  run->tries++;
  if (settle_again(crt, run, ok, now))
    return;
  crt->running = 0;
  settle_note(run, ok, now, reason, sizeof(reason));
  ed_check_state_t st = ok ? ED_CHECK_STATE_GREEN : ED_CHECK_STATE_RED;
  if (st != crt->state) {
    crt->state = st;
    crt->since_ns = now;
  }
  ed_check_result_t r = {.check = crt->spec,
                         .index = crt->index,
                         .ok = ok,
                         .reason = reason,
                         .by = run->by,
                         .out = o,
                         .at_ns = now};
  if (!c->destroyed && c->on_result)
    c->on_result(c->arg, &r);
  if (!c->destroyed && run->cb)
    run->cb(run->arg, &r);
  if (run->group_left && --*run->group_left == 0) {
    free(run->group_left);
    if (!c->destroyed)
      run->group_done(run->group_arg);
  }
  free(run);
  free_if_done(c);
}

static int start_run(crt_t *crt, const char *by, ed_check_result_cb cb,
                     void *arg, run_t **out) {
  run_t *run = calloc(1, sizeof(*run));
  if (!run)
    return ED_ENOMEM;
  run->crt = crt;
  snprintf(run->by, sizeof(run->by), "%s", by);
  run->cb = cb;
  run->arg = arg;
  crt->running++;
  if (out)
    *out = run;
  return 0;
}

static void launch(crt_t *crt, run_t *run) {
  ed_checks_t *c = crt->owner;
  if (!run->started_ns)
    run->started_ns = uv_hrtime();
  ed_probe_run_op(c->probes, crt->spec->target, &crt->spec->op,
                  crt->spec->timeout_ms, on_outcome, run);
}

static crt_t *find(const ed_checks_t *c, const char *name) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->crt[i].spec->name, name) == 0)
      return &c->crt[i];
  return NULL;
}

int ed_checks_run(ed_checks_t *c, const char *name, const char *by,
                  ed_check_result_cb cb, void *arg) {
  crt_t *crt = find(c, name);
  if (!crt)
    return ED_ENOTFOUND;
  run_t *run;
  int rc = start_run(crt, by, cb, arg, &run);
  if (rc == 0)
    launch(crt, run);
  return rc;
}

void ed_checks_run_mode(ed_checks_t *c, ed_check_mode_t mode,
                        void (*done)(void *arg), void *arg) {
  int *left = calloc(1, sizeof(int));
  *left = 1; /* held until every run is launched */
  for (size_t i = 0; i < c->n; i++) {
    if (c->crt[i].spec->mode != mode)
      continue;
    run_t *run;
    if (start_run(&c->crt[i], mode == ED_CHECK_BEFORE ? "before" : "after",
                  NULL, NULL, &run) != 0)
      continue;
    run->group_done = done;
    run->group_arg = arg;
    run->group_left = left;
    if (mode == ED_CHECK_AFTER && c->crt[i].spec->settle_ms > 0)
      run->settle_until_ns =
          uv_hrtime() + (uint64_t)c->crt[i].spec->settle_ms * 1000000u;
    (*left)++;
    launch(&c->crt[i], run);
  }
  if (--*left == 0) {
    free(left);
    done(arg);
  }
}

static void on_tick(uv_timer_t *t) {
  crt_t *crt = t->data;
  /* A check still waiting for its last answer is not started again: a slow
   * device must not pile up probes. */
  if (crt->running)
    return;
  run_t *run;
  if (start_run(crt,
                crt->spec->mode == ED_CHECK_CONTINUOUS ? "continuous"
                                                       : "during_fault",
                NULL, NULL, &run) == 0)
    launch(crt, run);
}

static void timer_on(crt_t *crt) {
  if (crt->timer_on)
    return;
  crt->timer_on = 1;
  uv_timer_start(&crt->timer, on_tick, 0, (uint64_t)crt->spec->every_ms);
}

static void timer_off(crt_t *crt) {
  if (!crt->timer_on)
    return;
  crt->timer_on = 0;
  uv_timer_stop(&crt->timer);
}

void ed_checks_start(ed_checks_t *c) {
  c->started = 1;
  for (size_t i = 0; i < c->n; i++)
    if (c->crt[i].spec->mode == ED_CHECK_CONTINUOUS ||
        (c->crt[i].spec->mode == ED_CHECK_DURING_FAULT && c->faults_active))
      timer_on(&c->crt[i]);
}

void ed_checks_stop(ed_checks_t *c) {
  c->started = 0;
  for (size_t i = 0; i < c->n; i++)
    timer_off(&c->crt[i]);
}

void ed_checks_cut_settle(ed_checks_t *c) {
  for (size_t i = 0; i < c->n; i++) {
    crt_t *crt = &c->crt[i];
    run_t *run = crt->settling;
    if (run)
      run->settle_until_ns = 0; /* the next answer is the last */
    if (!run)
      continue;
    crt->settling = NULL;
    uv_timer_stop(&crt->timer);
    launch(crt, run);
  }
}

void ed_checks_set_faults_active(ed_checks_t *c, int active) {
  c->faults_active = active;
  for (size_t i = 0; i < c->n; i++) {
    if (c->crt[i].spec->mode != ED_CHECK_DURING_FAULT)
      continue;
    if (active && c->started)
      timer_on(&c->crt[i]);
    else
      timer_off(&c->crt[i]);
  }
}

ed_check_state_t ed_checks_state(const ed_checks_t *c, const char *name,
                                 uint64_t *since_ns) {
  crt_t *crt = find(c, name);
  if (!crt)
    return ED_CHECK_STATE_UNKNOWN;
  if (since_ns)
    *since_ns = crt->since_ns;
  return crt->state;
}

int ed_checks_steady_green(const ed_checks_t *c) {
  for (size_t i = 0; i < c->n; i++) {
    const crt_t *crt = &c->crt[i];
    /* before/after checks describe other moments than "now" */
    if (!crt->spec->steady || crt->spec->mode == ED_CHECK_BEFORE ||
        crt->spec->mode == ED_CHECK_AFTER)
      continue;
    if (crt->state == ED_CHECK_STATE_RED)
      return 0;
  }
  return 1;
}

int ed_checks_busy(const ed_checks_t *c) {
  int n = 0;
  for (size_t i = 0; i < c->n; i++)
    n += c->crt[i].running;
  return n;
}

/* ---- lifecycle -------------------------------------------------------- */

int ed_checks_create(const ed_scenario_t *s, ed_probe_host_t *probes,
                     ed_check_result_cb on_result, void *arg,
                     ed_checks_t **out) {
  ed_checks_t *c = calloc(1, sizeof(*c));
  if (!c)
    return ED_ENOMEM;
  c->sc = s;
  c->probes = probes;
  c->on_result = on_result;
  c->arg = arg;
  c->n = s->nchecks;
  c->crt = calloc(c->n + 1, sizeof(*c->crt));
  if (!c->crt) {
    free(c);
    return ED_ENOMEM;
  }
  for (size_t i = 0; i < c->n; i++) {
    crt_t *crt = &c->crt[i];
    crt->spec = &s->checks[i];
    crt->index = i;
    crt->owner = c;
    uv_timer_init(probes->loop, &crt->timer);
    crt->timer.data = crt;
  }
  *out = c;
  return 0;
}

static void free_if_done(ed_checks_t *c) {
  if (c->destroyed && c->closing == 0 && ed_checks_busy(c) == 0) {
    free(c->crt);
    free(c);
  }
}

static void on_closed(uv_handle_t *h) {
  crt_t *crt = h->data;
  ed_checks_t *c = crt->owner;
  c->closing--;
  free_if_done(c);
}

void ed_checks_destroy(ed_checks_t *c) {
  if (!c)
    return;
  c->destroyed = 1;
  c->closing = (int)c->n;
  for (size_t i = 0; i < c->n; i++) {
    run_t *run = c->crt[i].settling;
    if (run) { /* waiting between tries: nobody wants its answer now */
      c->crt[i].settling = NULL;
      c->crt[i].running = 0;
      if (run->group_left && --*run->group_left == 0)
        free(run->group_left);
      free(run);
    }
    uv_close((uv_handle_t *)&c->crt[i].timer, on_closed);
  }
  if (c->n == 0)
    free_if_done(c);
}
