#include "plan.h"

#include <eventdrill/json_wide.h>

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "metrics.h"

/* A goto loop in a plan ends after this many jumps. */
#define MAX_JUMPS 100

struct ed_plan_run_s {
  const ed_plan_t *plan;
  ed_probe_host_t *probes;
  ed_checks_t *checks;
  ed_plan_events_t ev;
  const char *const *only;
  ed_step_run_t *steps;
  size_t cur;
  unsigned gen; /* bumps when a try ends: late answers of it are ignored */
  int started, finished, failed, aborted;
  int jumps;
  int pending; /* probes and checks of this plan still out */
  int verify_left, verify_bad;
  char verify_reason[256];
  uv_timer_t timer;    /* delay, back-off */
  uv_timer_t deadline; /* the current step's timeout */
  int closing;
  uint64_t first_step_ns, last_action_ns, end_ns;
  char reason[256];
  const char *fault; /* the fault that started the plan, or NULL */
};

typedef struct cb_s {
  ed_plan_run_t *run;
  unsigned gen;
} cb_t;

/* The note a check or action carries back: which try of which run it
 * answers. NULL on no memory. */
static cb_t *cb_new(ed_plan_run_t *r) {
  cb_t *cb = malloc(sizeof(*cb));
  if (!cb)
    return NULL;
  cb->run = r;
  cb->gen = r->gen;
  r->pending++;
  return cb;
}

/* Free cb; its run, or NULL when the answer is late (its try is over). */
static ed_plan_run_t *cb_take(cb_t *cb) {
  ed_plan_run_t *r = cb->run;
  r->pending--;
  int stale = cb->gen != r->gen || r->finished;
  free(cb);
  return stale ? NULL : r;
}

static void emit(ed_plan_run_t *r, const char *ev, json_t *obj) {
  if (r->ev.event)
    r->ev.event(r->ev.arg, ev, obj);
  json_decref(obj);
}

static const ed_step_t *step(const ed_plan_run_t *r) {
  return &r->plan->steps[r->cur];
}

static void finish_plan(ed_plan_run_t *r);
static void begin_step(ed_plan_run_t *r);
static void try_step(ed_plan_run_t *r);

static const char *outcome_name(ed_step_outcome_t o) {
  switch (o) {
  case ED_STEP_PASSED:
    return "passed";
  case ED_STEP_FAILED:
    return "failed";
  case ED_STEP_NOT_RUN:
    return "not run";
  case ED_STEP_RUNNING:
    return "running";
  default:
    return "pending";
  }
}

static size_t step_index(const ed_plan_run_t *r, const char *name) {
  for (size_t i = 0; i < r->plan->nsteps; i++)
    if (strcmp(r->plan->steps[i].name, name) == 0)
      return i;
  return r->plan->nsteps;
}

/* What became of a step's action in verify mode, for the journal and
 * the summary: "not sent: verify mode; would run: …". */
static json_t *action_note(const ed_step_run_t *sr) {
  char note[256];
  snprintf(note, sizeof(note), "not sent: verify mode%s%s",
           sr->proof[0] ? "; " : "", sr->proof);
  return json_string(note);
}

/* The step's target and action, as the journal and the summary name
 * them (a step that only verifies has neither). */
static void step_what(json_t *o, const ed_step_t *st) {
  if (!st->has_action)
    return;
  char what[300];
  ed_probe_describe(&st->action, what, sizeof(what));
  json_object_set_new(o, "target", json_string(st->action.target));
  json_object_set_new(o, "operation", json_string(what));
}

static void end_step(ed_plan_run_t *r, ed_step_outcome_t outcome,
                     const char *reason) {
  ed_step_run_t *sr = &r->steps[r->cur];
  const ed_step_t *st = step(r);
  r->gen++;
  uv_timer_stop(&r->deadline);
  uv_timer_stop(&r->timer);
  sr->outcome = outcome;
  sr->end_ns = uv_hrtime();
  snprintf(sr->reason, sizeof(sr->reason), "%s", reason ? reason : "");
  json_t *o =
      json_pack("{s:s,s:s,s:s,s:i,s:f}", "plan", r->plan->name, "step",
                st->name, "outcome", outcome_name(outcome), "tries", sr->tries,
                "duration_s", (double)(sr->end_ns - sr->start_ns) / 1e9);
  if (reason && reason[0])
    json_object_set_new(o, "reason", json_string(reason));
  if (sr->action_skipped)
    json_object_set_new(o, "action", action_note(sr));
  step_what(o, st);
  emit(r, "step_end", o);
  if (r->aborted)
    return;
  size_t next = r->cur + 1;
  if (outcome == ED_STEP_FAILED) {
    if (st->on_failure == ED_ONFAIL_STOP) {
      r->failed = 1;
      snprintf(r->reason, sizeof(r->reason), "step \"%s\" failed: %s", st->name,
               reason);
      finish_plan(r);
      return;
    }
    if (st->on_failure == ED_ONFAIL_GOTO) {
      if (++r->jumps > MAX_JUMPS) {
        r->failed = 1;
        snprintf(r->reason, sizeof(r->reason),
                 "step \"%s\": more than %d jumps, the plan loops", st->name,
                 MAX_JUMPS);
        finish_plan(r);
        return;
      }
      next = step_index(r, st->goto_step);
    }
  }
  r->cur = next;
  if (r->cur >= r->plan->nsteps)
    finish_plan(r);
  else
    begin_step(r);
}

/* A try failed: retry after the back-off while tries and time are left. */
static void on_backoff(uv_timer_t *t) {
  try_step(t->data);
}

static void try_failed(ed_plan_run_t *r, const char *reason) {
  const ed_step_t *st = step(r);
  ed_step_run_t *sr = &r->steps[r->cur];
  r->gen++;
  if (r->probes->read_only || sr->tries > st->retries) {
    end_step(r, ED_STEP_FAILED, reason);
    return;
  }
  int64_t backoff = st->backoff_ms;
  for (int i = 1; i < sr->tries && backoff < 3600000; i++)
    backoff *= 2;
  snprintf(sr->reason, sizeof(sr->reason), "%s", reason);
  uv_timer_start(&r->timer, on_backoff, (uint64_t)backoff, 0);
}

static void on_deadline(uv_timer_t *t) {
  ed_plan_run_t *r = t->data;
  char why[300];
  const ed_step_run_t *sr = &r->steps[r->cur];
  snprintf(why, sizeof(why), "timed out after %d tr%s%s%s", sr->tries,
           sr->tries == 1 ? "y" : "ies", sr->reason[0] ? "; last: " : "",
           sr->reason);
  end_step(r, ED_STEP_FAILED, why);
}

/* ---- verifications ---------------------------------------------------- */

/* Verify mode proves the step can run: the check got an answer. */
static int executable(const ed_check_result_t *res) {
  switch (res->out->err) {
  case ED_ERRCLASS_CONNECT:
  case ED_ERRCLASS_TIMEOUT:
  case ED_ERRCLASS_TLS:
  case ED_ERRCLASS_AUTH:
  case ED_ERRCLASS_CANCELLED:
    return 0;
  default:
    return !res->out->refused;
  }
}

static void on_verified(void *arg, const ed_check_result_t *res) {
  ed_plan_run_t *r = cb_take(arg);
  if (!r)
    return;
  int good = r->probes->read_only ? executable(res) : res->ok;
  if (!good && !r->verify_bad) {
    r->verify_bad = 1;
    snprintf(r->verify_reason, sizeof(r->verify_reason), "check %s: %s",
             res->check->name, res->reason);
  }
  if (--r->verify_left > 0)
    return;
  if (r->verify_bad)
    try_failed(r, r->verify_reason);
  else
    end_step(r, ED_STEP_PASSED, NULL);
}

static void run_verifications(ed_plan_run_t *r) {
  const ed_step_t *st = step(r);
  if (st->nverify == 0) {
    end_step(r, ED_STEP_PASSED, NULL);
    return;
  }
  r->verify_left = (int)st->nverify;
  r->verify_bad = 0;
  char by[96];
  snprintf(by, sizeof(by), "step %s", st->name);
  for (size_t i = 0; i < st->nverify; i++) {
    cb_t *cb = cb_new(r);
    if (!cb || ed_checks_run(r->checks, st->verify[i], by, on_verified, cb)) {
      if (cb)
        cb_take(cb);
      r->verify_left--;
      r->verify_bad = 1;
      snprintf(r->verify_reason, sizeof(r->verify_reason), "%s %s",
               cb ? "unknown check" : "out of memory running check",
               st->verify[i]);
    }
  }
  if (r->verify_left == 0)
    try_failed(r, r->verify_reason);
}

/* ---- actions ---------------------------------------------------------- */

static void on_action(void *arg, const ed_probe_outcome_t *o) {
  ed_plan_run_t *r = cb_take(arg);
  if (!r)
    return;
  const ed_step_t *st = step(r);
  if (o->err != ED_ERRCLASS_NONE) {
    char why[300];
    snprintf(why, sizeof(why), "action failed: %s%s%s",
             ed_errclass_name(o->err), o->detail ? ": " : "",
             o->detail ? o->detail : "");
    try_failed(r, why);
    return;
  }
  r->last_action_ns = uv_hrtime();
  if (st->save_as && o->value) {
    /* A string value is kept as its text, anything else as JSON text. */
    json_t *v =
        ed_json_loadb_wide(o->value, strlen(o->value), JSON_DECODE_ANY, NULL);
    const char *text = json_is_string(v) ? json_string_value(v) : o->value;
    json_object_set_new(r->probes->vars, st->save_as, json_string(text));
    json_decref(v);
  }
  run_verifications(r);
}

/* Verify mode: the driver proves, without sending it, that the step's
 * state-changing action could run now. "Cannot run" fails the step (the
 * plan would fail on the night); "not provable" (a driver without the
 * capability) lets the verifications decide, with a warning, so that
 * nobody reads it as proven. */
static void on_proof(void *arg, const ed_probe_outcome_t *o) {
  ed_plan_run_t *r = cb_take(arg);
  if (!r)
    return;
  const ed_step_t *st = step(r);
  ed_step_run_t *sr = &r->steps[r->cur];
  char what[160];
  ed_probe_describe(&st->action, what, sizeof(what));
  if (o->err == ED_ERRCLASS_NONE) {
    snprintf(sr->proof, sizeof(sr->proof), "would run%s%s",
             o->value ? ": " : "", o->value ? o->value : "");
  } else if (o->unprovable) {
    snprintf(sr->proof, sizeof(sr->proof), "not provable: %s",
             o->detail ? o->detail : "");
    ed_warn(st->name, "%s: %s", what, sr->proof);
  } else {
    char why[300];
    snprintf(sr->proof, sizeof(sr->proof), "cannot run");
    snprintf(why, sizeof(why), "cannot run %s: %s%s%s", what,
             ed_errclass_name(o->err), o->detail ? ": " : "",
             o->detail ? o->detail : "");
    try_failed(r, why);
    return;
  }
  run_verifications(r);
}

static void prove_action(ed_plan_run_t *r) {
  cb_t *cb = cb_new(r);
  if (!cb) {
    try_failed(r, "out of memory proving the action");
    return;
  }
  ed_probe_check_action(r->probes, &step(r)->action, step(r)->timeout_ms,
                        on_proof, cb);
}

static void try_step(ed_plan_run_t *r) {
  const ed_step_t *st = step(r);
  ed_step_run_t *sr = &r->steps[r->cur];
  sr->tries++;
  emit(r, "step_try",
       json_pack("{s:s,s:s,s:i}", "plan", r->plan->name, "step", st->name,
                 "try", sr->tries));
  if (!st->has_action) {
    run_verifications(r);
    return;
  }
  int flags = ed_probe_action_flags(r->probes, &st->action);
  if (r->probes->read_only && (flags < 0 || (flags & ED_OP_DESTRUCTIVE))) {
    sr->action_skipped = 1;
    prove_action(r);
    return;
  }
  cb_t *cb = cb_new(r);
  if (!cb) {
    try_failed(r, "out of memory running the action");
    return;
  }
  ed_probe_run_action(r->probes, &st->action, st->timeout_ms, on_action, cb);
}

static int selected(const ed_plan_run_t *r, const char *name) {
  if (!r->only)
    return 1;
  for (const char *const *o = r->only; *o; o++)
    if (strcmp(*o, name) == 0)
      return 1;
  return 0;
}

static void begin_step(ed_plan_run_t *r) {
  const ed_step_t *st = step(r);
  ed_step_run_t *sr = &r->steps[r->cur];
  memset(sr, 0, sizeof(*sr));
  sr->start_ns = uv_hrtime();
  if (!r->first_step_ns)
    r->first_step_ns = sr->start_ns;
  if (!selected(r, st->name)) {
    end_step(r, ED_STEP_NOT_RUN, "not selected with --only");
    return;
  }
  sr->outcome = ED_STEP_RUNNING;
  emit(r, "step_start",
       json_pack("{s:s,s:s}", "plan", r->plan->name, "step", st->name));
  uv_timer_start(&r->deadline, on_deadline, (uint64_t)st->timeout_ms, 0);
  try_step(r);
}

static void finish_plan(ed_plan_run_t *r) {
  if (r->finished)
    return;
  r->finished = 1;
  r->end_ns = uv_hrtime();
  uv_timer_stop(&r->timer);
  uv_timer_stop(&r->deadline);
  /* Steps never reached say why. */
  for (size_t i = 0; i < r->plan->nsteps; i++) {
    ed_step_run_t *sr = &r->steps[i];
    if (sr->outcome != ED_STEP_PENDING && sr->outcome != ED_STEP_RUNNING)
      continue;
    sr->outcome = ED_STEP_NOT_RUN;
    snprintf(sr->reason, sizeof(sr->reason), "%s",
             r->aborted ? "the drill was aborted"
                        : "not reached: an earlier step failed");
    /* Journaled too, so that a summary rebuilt from the journal lists
     * every step, as the live one does. */
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s}", "plan", r->plan->name,
                          "step", r->plan->steps[i].name, "outcome", "not run",
                          "tries", sr->tries, "reason", sr->reason);
    step_what(o, &r->plan->steps[i]);
    emit(r, "step_end", o);
  }
  json_t *o = json_pack("{s:s,s:s}", "plan", r->plan->name, "outcome",
                        r->aborted  ? "aborted"
                        : r->failed ? "failed"
                                    : "passed");
  if (r->reason[0])
    json_object_set_new(o, "reason", json_string(r->reason));
  emit(r, "plan_end", o);
  if (r->ev.finished)
    r->ev.finished(r->ev.arg, r);
}

static void on_delay(uv_timer_t *t) {
  ed_plan_run_t *r = t->data;
  if (r->plan->nsteps == 0) {
    finish_plan(r);
    return;
  }
  r->cur = 0;
  begin_step(r);
}

/* ---- lifecycle and queries ------------------------------------------- */

int ed_plan_run_create(const ed_plan_t *plan, ed_probe_host_t *probes,
                       ed_checks_t *checks, const ed_plan_events_t *ev,
                       const char *const *only, ed_plan_run_t **out) {
  ed_plan_run_t *r = calloc(1, sizeof(*r));
  if (!r)
    return ED_ENOMEM;
  r->steps = calloc(plan->nsteps + 1, sizeof(*r->steps));
  if (!r->steps) {
    free(r);
    return ED_ENOMEM;
  }
  r->plan = plan;
  r->probes = probes;
  r->checks = checks;
  r->ev = *ev;
  r->only = only;
  uv_timer_init(probes->loop, &r->timer);
  uv_timer_init(probes->loop, &r->deadline);
  r->timer.data = r->deadline.data = r;
  *out = r;
  return 0;
}

void ed_plan_run_start(ed_plan_run_t *r, int64_t delay_ms) {
  if (r->started)
    return;
  r->started = 1;
  json_t *o = json_pack("{s:s,s:f}", "plan", r->plan->name, "detection_delay_s",
                        (double)delay_ms / 1000.0);
  if (r->fault)
    json_object_set_new(o, "fault", json_string(r->fault));
  emit(r, "plan_start", o);
  uv_timer_start(&r->timer, on_delay, (uint64_t)(delay_ms > 0 ? delay_ms : 0),
                 0);
}

void ed_plan_run_abort(ed_plan_run_t *r, const char *why) {
  if (r->finished)
    return;
  r->aborted = 1;
  r->gen++;
  snprintf(r->reason, sizeof(r->reason), "aborted: %s", why);
  if (r->started && r->cur < r->plan->nsteps &&
      r->steps[r->cur].outcome == ED_STEP_RUNNING)
    end_step(r, ED_STEP_NOT_RUN, "the drill was aborted");
  finish_plan(r);
}

int ed_plan_run_idle(const ed_plan_run_t *r) {
  return (r->finished || !r->started) && r->pending == 0;
}

static void on_closed(uv_handle_t *h) {
  ed_plan_run_t *r = h->data;
  if (--r->closing == 0) {
    free(r->steps);
    free(r);
  }
}

void ed_plan_run_destroy(ed_plan_run_t *r) {
  if (!r)
    return;
  r->closing = 2;
  uv_close((uv_handle_t *)&r->timer, on_closed);
  uv_close((uv_handle_t *)&r->deadline, on_closed);
}

void ed_plan_run_set_fault(ed_plan_run_t *r, const char *fault) {
  r->fault = fault;
}

const ed_plan_t *ed_plan_run_plan(const ed_plan_run_t *r) {
  return r->plan;
}
int ed_plan_run_started(const ed_plan_run_t *r) {
  return r->started;
}
int ed_plan_run_finished(const ed_plan_run_t *r) {
  return r->finished;
}
int ed_plan_run_passed(const ed_plan_run_t *r) {
  return r->finished && !r->failed && !r->aborted;
}
const char *ed_plan_run_reason(const ed_plan_run_t *r) {
  return r->reason;
}
const ed_step_run_t *ed_plan_run_step(const ed_plan_run_t *r, size_t i) {
  return i < r->plan->nsteps ? &r->steps[i] : NULL;
}
uint64_t ed_plan_run_first_step_ns(const ed_plan_run_t *r) {
  return r->first_step_ns;
}
uint64_t ed_plan_run_last_action_ns(const ed_plan_run_t *r) {
  return r->last_action_ns;
}
uint64_t ed_plan_run_end_ns(const ed_plan_run_t *r) {
  return r->end_ns;
}

json_t *ed_plan_run_json(const ed_plan_run_t *r, uint64_t t0) {
  json_t *steps = json_array();
  for (size_t i = 0; i < r->plan->nsteps; i++) {
    const ed_step_run_t *sr = &r->steps[i];
    json_t *o =
        json_pack("{s:s,s:s,s:i}", "name", r->plan->steps[i].name, "outcome",
                  outcome_name(sr->outcome), "tries", sr->tries);
    if (sr->start_ns && sr->end_ns) {
      json_object_set_new(o, "start_s",
                          json_real((double)(sr->start_ns - t0) / 1e9));
      json_object_set_new(o, "duration_s",
                          json_real((double)(sr->end_ns - sr->start_ns) / 1e9));
    }
    if (sr->reason[0])
      json_object_set_new(o, "reason", json_string(sr->reason));
    if (sr->action_skipped)
      json_object_set_new(o, "action", action_note(sr));
    step_what(o, &r->plan->steps[i]);
    json_array_append_new(steps, o);
  }
  json_t *o = json_pack("{s:s,s:b,s:s,s:o}", "name", r->plan->name, "started",
                        r->started, "outcome",
                        !r->started   ? "not started"
                        : r->aborted  ? "aborted"
                        : r->failed   ? "failed"
                        : r->finished ? "passed"
                                      : "unfinished",
                        "steps", steps);
  if (r->reason[0])
    json_object_set_new(o, "reason", json_string(r->reason));
  return o;
}
