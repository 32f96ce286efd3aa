/* The drill's part of the summary and of the verdict. */
#include <stdio.h>
#include <string.h>

#include "drill_internal.h"

static const char *fault_state_name(fault_state_t s) {
  switch (s) {
  case FAULT_SKIPPED:
    return "skipped";
  case FAULT_FAILED:
    return "failed";
  case FAULT_ACTIVE:
    return "not recovered";
  case FAULT_RECOVERED:
    return "recovered";
  default:
    return "pending";
  }
}

static const char *undo_name(int s) {
  static const char *const names[] = {"none", "running", "done", "failed",
                                      "not run (on_abort/never)"};
  return s >= 0 && s <= 4 ? names[s] : "?";
}

static double rel(const ed_drill_t *d, uint64_t ns) {
  return ns && d->t0 && ns >= d->t0 ? (double)(ns - d->t0) / 1e9 : 0.0;
}

uint64_t ed__drill_rto_from(const frt_t *f) {
  const ed_plan_t *p =
      f->spec->plan ? ed_scenario_plan(f->d->sc, f->spec->plan) : NULL;
  if (p && p->rto_from == ED_RTO_FROM_DETECTION && f->detected_ns)
    return f->detected_ns;
  if (p && p->rto_from == ED_RTO_FROM_PLAN && f->plan &&
      ed_plan_run_first_step_ns(f->plan))
    return ed_plan_run_first_step_ns(f->plan);
  return f->injected_ns;
}

static json_t *fault_json(const ed_drill_t *d, const frt_t *f) {
  json_t *o = json_pack("{s:s,s:s,s:f,s:s}", "name", f->spec->name, "target",
                        f->spec->action.target, "at_s", f->spec->at_ms / 1000.0,
                        "state", fault_state_name(f->state));
  if (f->reason[0])
    json_object_set_new(o, "reason", json_string(f->reason));
  if (f->verify_bad)
    json_object_set_new(o, "verified", json_false());
  if (f->injected_ns)
    json_object_set_new(o, "injected_s", json_real(rel(d, f->injected_ns)));
  if (f->detected_ns)
    json_object_set_new(o, "detected_s", json_real(rel(d, f->detected_ns)));
  if (f->spec->plan) {
    const ed_plan_t *p = ed_scenario_plan(d->sc, f->spec->plan);
    json_object_set_new(o, "plan", json_string(f->spec->plan));
    if (p && p->rto_ms)
      json_object_set_new(o, "rto_target_s", json_real(p->rto_ms / 1000.0));
    if (f->rto_end_ns) {
      double rto = (double)(f->rto_end_ns - ed__drill_rto_from(f)) / 1e9;
      json_object_set_new(o, "rto_s", json_real(rto));
      if (p && p->rto_ms)
        json_object_set_new(o, "rto_met",
                            json_boolean(rto * 1000.0 <= (double)p->rto_ms));
    }
  }
  json_t *undo = json_pack("{s:s}", "state", undo_name(f->undo_state));
  if (f->undo_reason[0])
    json_object_set_new(undo, "reason", json_string(f->undo_reason));
  json_object_set_new(o, "undo", undo);
  return o;
}

json_t *ed_drill_summary(const ed_drill_t *d) {
  json_t *faults = json_array(), *plans = json_array(), *checks = json_array();
  for (size_t i = 0; i < d->nfaults; i++) {
    json_array_append_new(faults, fault_json(d, &d->faults[i]));
    if (d->faults[i].plan) {
      json_t *p = ed_plan_run_json(d->faults[i].plan, d->t0);
      json_object_set_new(p, "fault", json_string(d->faults[i].spec->name));
      json_array_append_new(plans, p);
    }
  }
  for (size_t i = 0; i < d->sc->nplans; i++)
    if (d->trigger_plans[i])
      json_array_append_new(plans,
                            ed_plan_run_json(d->trigger_plans[i], d->t0));
  static const char *const modes[] = {"", "before", "after", "continuous",
                                      "during_fault"};
  for (size_t i = 0; i < d->sc->nchecks; i++) {
    const ed_check_t *c = &d->sc->checks[i];
    const ed__check_stats_t *st = &d->stats[i];
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:b,s:i,s:i,s:i}", "name", c->name, "target",
                  c->target, "mode", modes[c->mode], "steady", c->steady,
                  "runs", st->runs, "green", st->green, "red", st->red);
    if (st->last_reason[0])
      json_object_set_new(o, "last_failure", json_string(st->last_reason));
    if (st->before_runs)
      json_object_set_new(o, "before",
                          json_string(st->before_failed ? "failed" : "passed"));
    if (st->after_runs)
      json_object_set_new(o, "after",
                          json_string(st->after_failed ? "failed" : "passed"));
    if (st->last_seen)
      json_object_set_new(o, "at_end",
                          json_string(st->last_seen > 0 ? "green" : "red"));
    json_array_append_new(checks, o);
  }
  return json_pack("{s:s,s:b,s:s,s:o,s:o,s:o,s:O}", "mode",
                   d->mode == ED_MODE_VERIFY ? "verify" : "rehearse", "aborted",
                   d->aborted, "abort_reason", d->abort_reason, "faults",
                   faults, "plans", plans, "checks", checks, "warnings",
                   d->warnings);
}

int ed_drill_before_failed(const ed_drill_t *d) {
  return d->before_failed;
}

void ed_drill_print(const json_t *drill, FILE *out) {
  size_t i, j;
  json_t *x, *s;
  json_t *faults = json_object_get(drill, "faults");
  if (json_array_size(faults))
    fprintf(out, "\nfaults\n");
  json_array_foreach(faults, i, x) {
    fprintf(out, "  %-20s %-10s at %6.1f s  %-13s",
            json_string_value(json_object_get(x, "name")),
            json_string_value(json_object_get(x, "target")),
            json_real_value(json_object_get(x, "at_s")),
            json_string_value(json_object_get(x, "state")));
    json_t *rto = json_object_get(x, "rto_s");
    json_t *target = json_object_get(x, "rto_target_s");
    if (rto)
      fprintf(out, "  RTO %.1f s", json_real_value(rto));
    if (target)
      fprintf(out, " (target %.0f s)", json_real_value(target));
    fprintf(out, "  undo: %s\n",
            json_string_value(
                json_object_get(json_object_get(x, "undo"), "state")));
  }
  json_array_foreach(json_object_get(drill, "warnings"), i, x) {
    const char *why = json_string_value(json_object_get(x, "reason"));
    if (json_object_get(x, "fault"))
      fprintf(out, "\nWARNING: %sfault %s may not run: %s\n",
              json_is_true(json_object_get(x, "undo")) ? "the undo of " : "",
              json_string_value(json_object_get(x, "fault")), why ? why : "");
    else
      fprintf(out, "\nWARNING: plan %s, step \"%s\" may not run: %s\n",
              json_string_value(json_object_get(x, "plan")),
              json_string_value(json_object_get(x, "step")), why ? why : "");
  }
  json_t *plans = json_object_get(drill, "plans");
  json_array_foreach(plans, i, x) {
    fprintf(out, "\nplan %s: %s\n",
            json_string_value(json_object_get(x, "name")),
            json_string_value(json_object_get(x, "outcome")));
    json_array_foreach(json_object_get(x, "steps"), j, s) {
      fprintf(out, "  %-24s %-8s tries %d  %6.1f s  %s\n",
              json_string_value(json_object_get(s, "name")),
              json_string_value(json_object_get(s, "outcome")),
              (int)json_integer_value(json_object_get(s, "tries")),
              json_real_value(json_object_get(s, "duration_s")),
              json_object_get(s, "reason")
                  ? json_string_value(json_object_get(s, "reason"))
                  : "");
    }
  }
}
