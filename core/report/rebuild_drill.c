/* The drill's part of a summary rebuilt from the journal's drill events
 * (fault_*, detected, plan_*, step_*, rto, undo_*, check, abort,
 * drill_end). */
#include <stdio.h>
#include <string.h>

#include "rebuild_internal.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static double num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

/* The object of `arr` whose `key` is `name`, or NULL. */
static json_t *find(json_t *arr, const char *key, const char *name) {
  size_t i;
  json_t *x;
  json_array_foreach(arr, i, x) if (strcmp(str(x, key), name) == 0) return x;
  return NULL;
}

static void reason(json_t *reasons, const char *fmt, const char *a,
                   const char *b) {
  char text[600];
  snprintf(text, sizeof(text), fmt, a, b);
  json_array_append_new(reasons, json_string(text));
}

static void on_fault_event(json_t *faults, const char *kind, const json_t *e,
                           double t) {
  const char *name = str(e, "fault");
  json_t *f = find(faults, "name", name);
  if (!f) {
    f = json_pack("{s:s,s:s,s:f,s:s}", "name", name, "target", str(e, "target"),
                  "at_s", t, "state", "pending");
    json_object_set_new(f, "undo", json_pack("{s:s}", "state", "none"));
    json_array_append_new(faults, f);
  }
  if (strcmp(kind, "fault_start") == 0) {
    json_object_set_new(f, "injected_s", json_real(t));
    json_object_set_new(f, "state", json_string("not recovered"));
  } else if (strcmp(kind, "fault_end") == 0 &&
             !json_is_true(json_object_get(e, "ok"))) {
    json_object_set_new(f, "state", json_string("failed"));
    json_object_set(f, "reason", json_object_get(e, "reason"));
  } else if (strcmp(kind, "fault_skipped") == 0) {
    json_object_set_new(f, "state", json_string("skipped"));
    json_object_set(f, "reason", json_object_get(e, "reason"));
  } else if (strcmp(kind, "detected") == 0) {
    json_object_set_new(f, "detected_s", json_real(t));
  } else if (strcmp(kind, "plan_not_started") == 0) {
    json_object_set(f, "plan", json_object_get(e, "plan"));
    json_object_set(f, "reason", json_object_get(e, "reason"));
  } else if (strcmp(kind, "rto") == 0) {
    double rto = num(e, "rto_s"), target = num(e, "rto_target_s");
    json_object_set(f, "plan", json_object_get(e, "plan"));
    json_object_set_new(f, "state", json_string("recovered"));
    if (target > 0)
      json_object_set_new(f, "rto_target_s", json_real(target));
    json_object_set_new(f, "rto_s", json_real(rto));
    if (target > 0)
      json_object_set_new(f, "rto_met", json_boolean(rto <= target));
  } else if (strcmp(kind, "undo_end") == 0) {
    int ok = json_is_true(json_object_get(e, "ok"));
    json_t *u = json_pack("{s:s}", "state", ok ? "done" : "failed");
    if (!ok)
      json_object_set(u, "reason", json_object_get(e, "reason"));
    json_object_set_new(f, "undo", u);
  }
}

static void on_plan_event(json_t *plans, const char *kind, const json_t *e,
                          double t, const char *last_fault) {
  const char *name = str(e, "plan");
  json_t *p = find(plans, "name", name);
  if (!p) {
    p = json_pack("{s:s,s:s,s:s,s:[]}", "name", name, "fault", last_fault,
                  "outcome", "not finished", "steps");
    json_array_append_new(plans, p);
  }
  if (strcmp(kind, "plan_end") == 0) {
    json_object_set(p, "outcome", json_object_get(e, "outcome"));
    if (json_object_get(e, "reason"))
      json_object_set(p, "reason", json_object_get(e, "reason"));
    return;
  }
  if (strncmp(kind, "step_", 5) != 0)
    return;
  json_t *steps = json_object_get(p, "steps");
  json_t *s = find(steps, "name", str(e, "step"));
  if (!s) {
    s = json_pack("{s:s,s:s,s:i,s:f}", "name", str(e, "step"), "outcome",
                  "not finished", "tries", 0, "start_s", t);
    json_array_append_new(steps, s);
  }
  if (strcmp(kind, "step_try") == 0) {
    json_object_set(s, "tries", json_object_get(e, "try"));
    json_object_set_new(s, "duration_s", json_real(t - num(s, "start_s")));
  } else if (strcmp(kind, "step_end") == 0) {
    static const char *const keys[] = {"outcome", "tries", "duration_s",
                                       "reason", "action"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
      if (json_object_get(e, keys[i]))
        json_object_set(s, keys[i], json_object_get(e, keys[i]));
  }
}

static void on_check(json_t *checks, const json_t *e, json_t *reasons) {
  const char *name = str(e, "check");
  json_t *c = find(checks, "name", name);
  if (!c) {
    c = json_pack("{s:s,s:i,s:i,s:i}", "name", name, "runs", 0, "green", 0,
                  "red", 0);
    json_array_append_new(checks, c);
  }
  int ok = json_is_true(json_object_get(e, "ok"));
  const char *k = ok ? "green" : "red";
  json_object_set_new(
      c, "runs",
      json_integer(json_integer_value(json_object_get(c, "runs")) + 1));
  json_object_set_new(
      c, k, json_integer(json_integer_value(json_object_get(c, k)) + 1));
  if (ok)
    return;
  json_object_set(c, "last_failure", json_object_get(e, "reason"));
  const char *by = str(e, "by");
  if (strcmp(by, "before") == 0)
    reason(reasons, "check %s failed before the drill: %s", name,
           str(e, "reason"));
  else if (strcmp(by, "after") == 0)
    reason(reasons, "check %s failed after the drill: %s", name,
           str(e, "reason"));
}

json_t *ed__rebuild_drill(const json_t *events, json_t *reasons) {
  json_t *faults = json_array(), *plans = json_array(), *checks = json_array();
  const char *mode = "rehearse", *abort_reason = "", *last_fault = "";
  int aborted = 0;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *kind = str(e, "ev");
    double t = num(e, "t");
    if (strcmp(kind, "drill_start") == 0) {
      mode = str(e, "mode");
    } else if (strcmp(kind, "abort") == 0) {
      aborted = 1;
      abort_reason = str(e, "reason");
    } else if (strcmp(kind, "check") == 0) {
      on_check(checks, e, reasons);
    } else if (strncmp(kind, "fault_", 6) == 0 || !strcmp(kind, "detected") ||
               !strcmp(kind, "rto") || !strcmp(kind, "plan_not_started") ||
               !strcmp(kind, "undo_end")) {
      on_fault_event(faults, kind, e, t);
      if (strcmp(kind, "fault_start") == 0)
        last_fault = str(e, "fault");
    } else if (strncmp(kind, "plan_", 5) == 0 ||
               strncmp(kind, "step_", 5) == 0) {
      on_plan_event(plans, kind, e, t, last_fault);
    }
  }
  if (aborted)
    reason(reasons, "aborted: %s%s", abort_reason, "");
  json_t *f;
  json_array_foreach(faults, i, f) {
    const char *name = str(f, "name"), *state = str(f, "state");
    json_t *p = find(plans, "fault", name);
    if (strcmp(state, "failed") == 0)
      reason(reasons, "fault %s: %s", name, str(f, "reason"));
    else if (strcmp(str(json_object_get(f, "undo"), "state"), "failed") == 0)
      reason(reasons, "fault %s: its undo failed: %s", name,
             str(json_object_get(f, "undo"), "reason"));
    if (p && !json_object_get(f, "plan"))
      json_object_set(f, "plan", json_object_get(p, "name"));
    if (strcmp(state, "failed") == 0 || strcmp(state, "skipped") == 0)
      continue;
    if (p && strcmp(str(p, "outcome"), "passed") != 0) {
      char text[600];
      snprintf(text, sizeof(text), "fault %s: plan %s failed: %s", name,
               str(p, "name"), str(p, "reason"));
      json_array_append_new(reasons, json_string(text));
    } else if (json_is_false(json_object_get(f, "rto_met"))) {
      char text[600];
      snprintf(text, sizeof(text),
               "fault %s: RTO %.1f s is over its target of %.1f s", name,
               num(f, "rto_s"), num(f, "rto_target_s"));
      json_array_append_new(reasons, json_string(text));
    } else if (p && !json_object_get(f, "rto_s")) {
      reason(reasons,
             "fault %s: plan %s ran, but the steady state never came back",
             name, str(p, "name"));
    }
  }
  return json_pack("{s:s,s:b,s:s,s:o,s:o,s:o}", "mode", mode, "aborted",
                   aborted, "abort_reason", abort_reason, "faults", faults,
                   "plans", plans, "checks", checks);
}
