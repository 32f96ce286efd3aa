/* The emergency plan beside the alarms: which fault of the --plan scenario
 * an alarm stands for (same target, and the fault's "alarm" kind when it
 * names one), its plan's steps, and on request the plan's read-only
 * verifications (each step's `verify` checks, through the read-only probe
 * host: an action is never run from the watch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "log.h"
#include "watch_internal.h"

const ed_fault_t *ed__watch_plan_fault(const ed__watch_t *w,
                                       const ed_alarm_t *a) {
  if (!w->plan || !a)
    return NULL;
  const char *kind = ed_alarm_kind_name(a->kind);
  for (size_t i = 0; i < w->plan->nfaults; i++) {
    const ed_fault_t *f = &w->plan->faults[i];
    if (f->plan && f->action.target &&
        strcmp(f->action.target, a->device) == 0 &&
        (!f->alarm || strcmp(f->alarm, kind) == 0))
      return f;
  }
  return NULL;
}

json_t *ed__watch_plan_entry(const ed__watch_t *w, const ed_fault_t *f) {
  const ed_plan_t *p = ed_scenario_plan(w->plan, f->plan);
  json_t *steps = json_array();
  for (size_t i = 0; p && i < p->nsteps; i++) {
    const ed_step_t *s = &p->steps[i];
    json_t *v = json_array();
    for (size_t k = 0; k < s->nverify; k++)
      json_array_append_new(v, json_string(s->verify[k]));
    json_t *st = json_pack("{s:s,s:o}", "name", s->name, "verify", v);
    if (s->has_action) {
      char what[256];
      ed_probe_describe(&s->action, what, sizeof(what));
      json_object_set_new(st, "action", json_string(what));
    }
    json_array_append_new(steps, st);
  }
  json_t *o = json_pack("{s:s,s:s,s:o}", "plan", f->plan, "fault", f->name,
                        "steps", steps);
  if (p && p->rto_ms)
    json_object_set_new(o, "rto_ms", json_integer(p->rto_ms));
  return o;
}

/* The view's entry of alarm id: the plan, and the last verification's
 * results (kept in w->verify by id). */
static json_t *entry_of(ed__watch_t *w, unsigned id, int create) {
  char key[16];
  snprintf(key, sizeof(key), "%u", id);
  json_t *e = json_object_get(w->verify, key);
  if (e || !create)
    return e;
  const ed_fault_t *f = ed__watch_plan_fault(w, ed_alarm_find(w->alarms, id));
  if (!f)
    return NULL;
  e = ed__watch_plan_entry(w, f);
  json_object_set_new(e, "running", json_false());
  json_object_set_new(e, "results", json_array());
  json_object_set_new(w->verify, key, e);
  return e;
}

const json_t *ed__watch_plan_view(ed__watch_t *w, unsigned id) {
  return entry_of(w, id, 1);
}

/* ---- verification: the checks one after the other ---------------------- */

typedef struct vrun_s {
  ed__watch_t *w;
  unsigned id;
  const ed_plan_t *plan;
  size_t step, check; /* the next one */
  const ed_check_t *cur;
  json_t *entry; /* borrowed from w->verify */
  int failed;
} vrun_t;

static void next_check(vrun_t *v);

static void record(vrun_t *v, const char *check, int ok, const char *reason,
                   double latency_ms) {
  const ed_step_t *s = &v->plan->steps[v->step];
  json_t *r =
      json_pack("{s:s,s:s,s:b,s:s,s:f}", "step", s->name, "check", check, "ok",
                ok, "reason", reason, "latency_ms", latency_ms);
  json_array_append(json_object_get(v->entry, "results"), r);
  json_object_set_new(r, "alarm", json_integer(v->id));
  json_object_set_new(r, "plan", json_string(v->plan->name));
  if (v->cur)
    json_object_set_new(r, "target", json_string(v->cur->target));
  ed__watch_journal(v->w, "plan_verify", r);
  v->failed |= !ok;
  if (v->w->view)
    ed_view_dirty(v->w->view);
}

static void on_outcome(void *arg, const ed_probe_outcome_t *o) {
  vrun_t *v = arg;
  char reason[512] = "ok";
  int ok = ed_expect_eval(&v->cur->expect, o, reason, sizeof(reason));
  if (o->refused)
    snprintf(reason, sizeof(reason), "refused: %s",
             o->detail ? o->detail : "changes state");
  record(v, v->cur->name, ok && !o->refused, ok ? "ok" : reason, o->latency_ms);
  v->check++;
  next_check(v);
}

static void finish(vrun_t *v) {
  ed__watch_t *w = v->w;
  json_object_set_new(v->entry, "running", json_false());
  ed__watch_journal(w, "plan_verify_end",
                    json_pack("{s:I,s:s,s:b}", "alarm", (json_int_t)v->id,
                              "plan", v->plan->name, "ok", !v->failed));
  if (w->view) {
    ed_view_message(w->view, "plan %s: verifications %s", v->plan->name,
                    v->failed ? "FAILED (see the results)" : "all passed");
    ed_view_dirty(w->view);
  }
  w->verifying--;
  free(v);
}

/* Run the next check; a check that cannot run (unknown, device not
 * started) is a failed result, not an error of the watch. */
static void next_check(vrun_t *v) {
  ed__watch_t *w = v->w;
  while (v->step < v->plan->nsteps) {
    const ed_step_t *s = &v->plan->steps[v->step];
    if (v->check >= s->nverify || w->stopping) {
      v->step++;
      v->check = 0;
      continue;
    }
    const char *name = s->verify[v->check];
    v->cur = ed_scenario_check(w->plan, name);
    ed_fleet_target_t *t =
        v->cur ? ed_fleet_find(&w->fleet, v->cur->target) : NULL;
    if (!v->cur || !t || !t->started) {
      char why[600];
      snprintf(why, sizeof(why), "%s",
               !v->cur       ? "no such check in the plan's scenario"
               : !t          ? "its target is not a device of the inventory"
               : t->error[0] ? t->error
                             : "device not started");
      v->cur = NULL;
      record(v, name, 0, why, 0);
      v->check++;
      continue;
    }
    ed_probe_run_op(&w->probes, v->cur->target, &v->cur->op, v->cur->timeout_ms,
                    on_outcome, v);
    return;
  }
  finish(v);
}

void ed__watch_plan_verify(ed__watch_t *w, unsigned id) {
  json_t *e = entry_of(w, id, 1);
  if (!e || w->stopping) {
    if (w->view)
      ed_view_message(w->view, "alarm %u has no emergency-plan entry", id);
    return;
  }
  if (json_is_true(json_object_get(e, "running")))
    return;
  vrun_t *v = calloc(1, sizeof(*v));
  if (!v)
    return;
  v->w = w;
  v->id = id;
  v->entry = e;
  v->plan =
      ed_scenario_plan(w->plan, json_string_value(json_object_get(e, "plan")));
  json_object_set_new(e, "running", json_true());
  json_object_set_new(e, "results", json_array());
  w->verifying++;
  ed__watch_journal(
      w, "plan_verify_start",
      json_pack("{s:I,s:s}", "alarm", (json_int_t)id, "plan", v->plan->name));
  if (w->view)
    ed_view_message(w->view, "plan %s: running its read-only verifications",
                    v->plan->name);
  next_check(v);
}
