/* The drill's part of a summary rebuilt from the journal's drill events
 * (fault_*, detected, plan_*, step_*, rto, undo_*, check, abort,
 * drill_end), in the shape of the live one, so that the verdict model
 * (core/evidence/verdict.h) built from either is the same. */
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
    if (json_object_get(e, "plan"))
      json_object_set(f, "plan", json_object_get(e, "plan"));
    if (json_object_get(e, "rto_target_s"))
      json_object_set(f, "rto_target_s", json_object_get(e, "rto_target_s"));
    if (json_is_true(json_object_get(e, "undo_pending")))
      json_object_set_new(f, "undo", json_pack("{s:s}", "state", "owed"));
  } else if (strcmp(kind, "fault_verified") == 0) {
    if (json_is_true(json_object_get(e, "ok"))) {
      if (!json_object_get(f, "plan"))
        json_object_set_new(f, "state", json_string("recovered"));
    } else {
      json_object_set_new(f, "verified", json_false());
      json_object_set(f, "reason", json_object_get(e, "reason"));
    }
  } else if (strcmp(kind, "undo_skipped") == 0) {
    json_object_set_new(
        f, "undo", json_pack("{s:s}", "state", "not run (on_abort/never)"));
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
    /* As the live drill: a fault without a plan is back once undone. */
    if (ok && !json_object_get(f, "plan") &&
        strcmp(str(f, "state"), "not recovered") == 0)
      json_object_set_new(f, "state", json_string("recovered"));
  }
}

static void on_plan_event(json_t *plans, const char *kind, const json_t *e,
                          double t) {
  const char *name = str(e, "plan");
  json_t *p = find(plans, "name", name);
  if (!p) {
    p = json_pack("{s:s,s:b,s:s,s:[]}", "name", name, "started", 1, "outcome",
                  "not finished", "steps");
    json_array_append_new(plans, p);
  }
  if (strcmp(kind, "plan_start") == 0 && json_object_get(e, "fault"))
    json_object_set(p, "fault", json_object_get(e, "fault"));
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
    static const char *const keys[] = {"outcome",  "tries",  "duration_s",
                                       "reason",   "action", "target",
                                       "operation"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
      if (json_object_get(e, keys[i]))
        json_object_set(s, keys[i], json_object_get(e, keys[i]));
  }
}

static void on_check(json_t *checks, const json_t *e) {
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
  if (json_is_true(json_object_get(e, "steady")))
    json_object_set_new(c, "steady", json_true());
  const char *by = str(e, "by");
  if (strcmp(by, "before") == 0 || strcmp(by, "after") == 0) {
    if (!ok || !json_object_get(c, by))
      json_object_set_new(c, by, json_string(ok ? "passed" : "failed"));
  }
  /* as the live drill keeps it: the latest answer, whoever asked, once the
   * check has run as a continuous check */
  double sent = num(e, "t") - num(e, "latency_ms") / 1000.0;
  if ((strcmp(by, "continuous") == 0 ||
       (json_object_get(c, "at_end") && strcmp(by, "before") &&
        strcmp(by, "after"))) &&
      sent >= num(c, "at_end_sent")) {
    json_object_set_new(c, "at_end", json_string(ok ? "green" : "red"));
    json_object_set_new(c, "at_end_sent", json_real(sent));
  }
  if (!ok)
    json_object_set(c, "last_failure", json_object_get(e, "reason"));
}

/* arr (taken) in the scenario's order of `names` (drill_items' list);
 * checks never run are listed too, as the live summary lists them. */
static json_t *in_order(json_t *arr, const json_t *names, int checks) {
  json_t *out = json_array();
  size_t i;
  json_t *n;
  json_array_foreach(names, i, n) {
    const char *name = str(n, "name");
    json_t *x = find(arr, "name", name);
    if (x)
      json_array_append(out, x);
    else if (checks)
      json_array_append_new(out, json_pack("{s:s,s:i,s:i,s:i}", "name", name,
                                           "runs", 0, "green", 0, "red", 0));
    if (checks && json_is_true(json_object_get(n, "steady")))
      json_object_set_new(json_array_get(out, json_array_size(out) - 1),
                          "steady", json_true());
  }
  json_t *x;
  json_array_foreach(arr, i, x) if (!find(out, "name", str(x, "name")))
      json_array_append(out, x);
  json_decref(arr);
  return out;
}

/* A rehearsal's proof at its start that found a step, a fault or an undo
 * could not run: one of the drill's warnings, as the live drill keeps it. */
static void on_proof(json_t *warnings, const json_t *e) {
  if (json_is_true(json_object_get(e, "ok")) ||
      !json_is_true(json_object_get(e, "provable")))
    return;
  json_t *w = json_object_get(e, "fault")
                  ? json_pack("{s:s}", "fault", str(e, "fault"))
                  : json_pack("{s:s,s:s}", "plan", str(e, "plan"), "step",
                              str(e, "step"));
  if (json_is_true(json_object_get(e, "undo")))
    json_object_set_new(w, "undo", json_true());
  json_object_set_new(w, "reason", json_string(str(e, "reason")));
  json_array_append_new(warnings, w);
}

json_t *ed__rebuild_drill(const json_t *events) {
  json_t *faults = json_array(), *plans = json_array(), *checks = json_array();
  json_t *warnings = json_array();
  const char *mode = "rehearse", *abort_reason = "";
  const json_t *order = NULL;
  int aborted = 0;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *kind = str(e, "ev");
    double t = num(e, "t");
    if (strcmp(kind, "drill_items") == 0) {
      order = e;
    } else if (strcmp(kind, "drill_start") == 0) {
      mode = str(e, "mode");
    } else if (strcmp(kind, "abort") == 0) {
      aborted = 1;
      abort_reason = str(e, "reason");
    } else if (strcmp(kind, "check") == 0) {
      on_check(checks, e);
    } else if (strcmp(kind, "proof") == 0) {
      on_proof(warnings, e);
    } else if (strncmp(kind, "fault_", 6) == 0 || !strcmp(kind, "detected") ||
               !strcmp(kind, "rto") || !strcmp(kind, "plan_not_started") ||
               !strcmp(kind, "undo_end") || !strcmp(kind, "undo_skipped")) {
      on_fault_event(faults, kind, e, t);
    } else if (strncmp(kind, "plan_", 5) == 0 ||
               strncmp(kind, "step_", 5) == 0) {
      on_plan_event(plans, kind, e, t);
    }
  }
  size_t ci;
  json_t *cx;
  json_array_foreach(checks, ci, cx) json_object_del(cx, "at_end_sent");
  if (order) {
    checks = in_order(checks, json_object_get(order, "checks"), 1);
    faults = in_order(faults, json_object_get(order, "faults"), 0);
  }
  return json_pack("{s:s,s:b,s:s,s:o,s:o,s:o,s:o}", "mode", mode, "aborted",
                   aborted, "abort_reason", abort_reason, "faults", faults,
                   "plans", plans, "checks", checks, "warnings", warnings);
}
