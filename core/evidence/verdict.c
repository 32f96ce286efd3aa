#include "verdict.h"

#include "term.h"
#include "textsafe.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PASSED "passed"
#define FAILED "failed"
#define NOT_RUN "not run"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static double num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

static int is(const char *a, const char *b) {
  return strcmp(a, b) == 0;
}

/* What the items are built into, and whether a failed item's reason is a
 * cause of its own (headline) or the consequence of another item's (a plan
 * step under its fault's recovery). */
typedef struct build_s {
  json_t *items;
  json_t *reasons;
} build_t;

static json_t *item(build_t *b, const char *kind, const char *name,
                    const char *status, int headline, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static json_t *item(build_t *b, const char *kind, const char *name,
                    const char *status, int headline, const char *fmt, ...) {
  json_t *o =
      json_pack("{s:s,s:s,s:s}", "kind", kind, "name", name, "status", status);
  if (fmt) {
    char text[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    json_object_set_new(o, "reason", json_string(text));
    if (headline && is(status, FAILED))
      json_array_append_new(b->reasons, json_string(text));
  }
  json_array_append_new(b->items, o);
  return o;
}

static void copy(json_t *to, const json_t *from, const char *key) {
  json_t *v = json_object_get(from, key);
  if (v)
    json_object_set(to, key, v);
}

/* ---- the run as a whole -------------------------------------------------- */

static void preflight_items(build_t *b, const json_t *s) {
  const json_t *errs =
      json_object_get(json_object_get(s, "preflight"), "errors");
  size_t i;
  json_t *e;
  json_array_foreach(errs, i, e) {
    json_t *o = item(b, "preflight", str(e, "target"), FAILED, 1,
                     "preflight: target %s could not start: %s",
                     str(e, "target"), str(e, "message"));
    copy(o, e, "target");
  }
  if (!json_array_size(errs))
    item(b, "preflight", "targets started", PASSED, 0, NULL);
}

static int drill_started(const json_t *s) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(json_object_get(s, "drill"), "checks"), i,
                     c) if (is(str(c, "before"), FAILED)) return 0;
  return !json_array_size(
      json_object_get(json_object_get(s, "preflight"), "errors"));
}

static void run_items(build_t *b, const json_t *s, int preflight_ok) {
  const char *why = str(s, "interruption");
  if (why[0])
    item(b, "run", "ran to its end", FAILED, 1, "%s", why);
  else
    item(b, "run", "ran to its end", PASSED, 0, NULL);
  const json_t *d = json_object_get(s, "drill");
  if (!d || !preflight_ok)
    return;
  if (json_is_true(json_object_get(d, "aborted")))
    item(b, "guardrail", "no abort", FAILED, 1, "aborted: %s",
         str(d, "abort_reason"));
  else
    item(b, "guardrail", "no abort", PASSED, 0, NULL);
}

/* A merged drill (`eventdrill merge`): each shard's folder was there. A
 * shard merged without ("--allow-missing") drove and judged none of its
 * targets: that is never green. */
static void shard_items(build_t *b, const json_t *s) {
  const json_t *sh = json_object_get(s, "shards");
  if (!sh)
    return;
  json_int_t n = json_integer_value(json_object_get(sh, "count"));
  char name[64];
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(sh, "parts"), i, x) {
    snprintf(name, sizeof(name), "shard %lld of %lld",
             (long long)json_integer_value(json_object_get(x, "index")),
             (long long)n);
    item(b, "shard", name, PASSED, 0, NULL);
  }
  json_array_foreach(json_object_get(sh, "missing"), i, x) {
    snprintf(name, sizeof(name), "shard %lld of %lld",
             (long long)json_integer_value(x), (long long)n);
    item(b, "shard", name, FAILED, 1,
         "%s is missing from the merge: its targets were neither driven "
         "nor judged",
         name);
  }
}

/* ---- checks before, during (verify) and after ---------------------------- */

static void check_items(build_t *b, const json_t *s) {
  const json_t *d = json_object_get(s, "drill");
  int verify = is(str(d, "mode"), "verify");
  size_t i;
  json_t *c;
  char name[300];
  json_array_foreach(json_object_get(d, "checks"), i, c) {
    const char *n = str(c, "name");
    static const char *const when[] = {"before", "after"};
    for (int k = 0; k < 2; k++) {
      const char *st = str(c, when[k]);
      if (!st[0])
        continue;
      snprintf(name, sizeof(name), "%s %s the drill", n, when[k]);
      json_t *o = is(st, FAILED) ? item(b, "check", name, FAILED, 1,
                                        "check %s failed %s the drill: %s", n,
                                        when[k], str(c, "last_failure"))
                                 : item(b, "check", name, PASSED, 0, NULL);
      json_object_set_new(o, "check", json_string(n));
    }
    /* A continuous steady-state check still red when the drill ended: the
     * service was left unhealthy, whatever each fault's recovery said. */
    if (!verify && json_is_true(json_object_get(c, "steady")) &&
        is(str(c, "at_end"), "red")) {
      snprintf(name, sizeof(name), "%s at the end of the drill", n);
      json_t *o = item(b, "check", name, FAILED, 1,
                       "check %s is red at the end of the drill: %s", n,
                       str(c, "last_failure"));
      json_object_set_new(o, "check", json_string(n));
    }
    /* In verify mode a steady-state check judges the live fleet; in a
     * rehearsal the checks that run during the drill are judged through
     * each fault's recovery. */
    if (!verify || !json_is_true(json_object_get(c, "steady")) ||
        str(c, "before")[0] || str(c, "after")[0])
      continue;
    snprintf(name, sizeof(name), "%s on the live fleet", n);
    json_int_t runs = json_integer_value(json_object_get(c, "runs"));
    json_int_t red = json_integer_value(json_object_get(c, "red"));
    json_t *o;
    if (red > 0)
      o = item(b, "check", name, FAILED, 1,
               "check %s is red on the live fleet: %s", n,
               str(c, "last_failure"));
    else if (runs == 0)
      o = item(b, "check", name, NOT_RUN, 0, "the check never ran");
    else
      o = item(b, "check", name, PASSED, 0, NULL);
    json_object_set_new(o, "check", json_string(n));
    copy(o, c, "runs");
    copy(o, c, "red");
  }
}

/* ---- load and SLOs ------------------------------------------------------- */

static const json_t *workload(const json_t *s, const char *name) {
  size_t i;
  json_t *w;
  json_array_foreach(json_object_get(s, "workloads"), i,
                     w) if (is(str(w, "name"), name)) return w;
  return NULL;
}

static json_int_t completed(const json_t *w) {
  return json_integer_value(
      json_object_get(json_object_get(w, "total"), "completed"));
}

/* Whether the scenario sets SLO `slo` for workload wl. */
static int has_slo(const json_t *s, const char *wl, const char *slo) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(json_object_get(s, "slo"), "checks"), i,
                     c) {
    if (strcmp(str(c, "workload"), wl) == 0 && strcmp(str(c, "slo"), slo) == 0)
      return 1;
  }
  return 0;
}

static json_int_t succeeded(const json_t *w) {
  return json_integer_value(json_object_get(json_object_get(w, "total"), "ok"));
}

/* Whether the runner offered the load asked: no request dropped for want
 * of a free slot. (A send that left late is measured from its intended
 * time, so it only makes latency look worse, never better; a Poisson
 * arrival may send fewer than the mean asked.) */
static void runner_item(build_t *b, const json_t *w) {
  const json_t *t = json_object_get(w, "total");
  json_int_t sent = json_integer_value(json_object_get(t, "requests"));
  json_int_t dropped = json_integer_value(json_object_get(t, "dropped"));
  json_int_t expected = json_integer_value(json_object_get(t, "expected"));
  char name[300];
  snprintf(name, sizeof(name), "%s load offered", str(w, "name"));
  json_t *o;
  if (dropped > 0)
    o = item(b, "runner", name, FAILED, 1,
             "runner limit: workload %s sent %lld of the %lld requests asked "
             "(%lld dropped): the device was not offered the load asked",
             str(w, "name"), (long long)sent, (long long)expected,
             (long long)dropped);
  else
    o = item(b, "runner", name, PASSED, 0, NULL);
  json_object_set_new(o, "requests", json_integer(sent));
  json_object_set_new(o, "expected", json_integer(expected));
  json_object_set_new(o, "dropped", json_integer(dropped));
}

/* In the summary of one shard of a drill (--shard I/N), a workload none
 * of whose targets this shard owns: another shard's to judge. */
static int other_shards(const json_t *s, const json_t *w) {
  const json_t *sh = json_object_get(s, "shard");
  if (!sh)
    return 0;
  const json_t *map = json_object_get(sh, "targets");
  json_int_t me = json_integer_value(json_object_get(sh, "index"));
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(w, "per_target"), i, t) {
    if (json_integer_value(json_object_get(map, str(t, "target"))) == me)
      return 0;
  }
  return 1;
}

static void load_items(build_t *b, const json_t *s, int started) {
  size_t i;
  json_t *w;
  json_array_foreach(json_object_get(s, "workloads"), i, w) {
    const char *n = str(w, "name");
    json_t *o;
    if (!started)
      o = item(b, "load", n, NOT_RUN, 0, "the drill did not start");
    else if (other_shards(s, w))
      o = item(b, "load", n, NOT_RUN, 0,
               "its targets belong to other shards of the drill");
    else if (completed(w) == 0)
      o = item(b, "load", n, FAILED, 1,
               "workload %s: no data (no request completed)", n);
    else if (succeeded(w) == 0 && !has_slo(s, n, "error_rate"))
      /* Every answer an error and no error_rate SLO to say how many
       * errors are acceptable: the device was never measured. */
      o = item(b, "load", n, FAILED, 1,
               "workload %s: no request succeeded (%lld completed, each "
               "with an error; an error_rate SLO says how many are "
               "acceptable)",
               n, (long long)completed(w));
    else
      o = item(b, "load", n, PASSED, 0, NULL);
    json_object_set(o, "requests",
                    json_object_get(json_object_get(w, "total"), "requests"));
    json_object_set_new(o, "completed", json_integer(completed(w)));
  }
  json_t *c;
  char name[300];
  json_array_foreach(json_object_get(json_object_get(s, "slo"), "checks"), i,
                     c) {
    const char *wl = str(c, "workload"), *slo = str(c, "slo");
    snprintf(name, sizeof(name), "%s %s", wl, slo);
    json_t *o;
    if (!started)
      o = item(b, "slo", name, NOT_RUN, 0, "the drill did not start");
    else if (other_shards(s, workload(s, wl)))
      o = item(b, "slo", name, NOT_RUN, 0,
               "its targets belong to other shards of the drill");
    else if (completed(workload(s, wl)) == 0)
      o = item(b, "slo", name, FAILED, 0, "no data: no request completed");
    else if (json_is_true(json_object_get(c, "met")))
      o = item(b, "slo", name, PASSED, 0, NULL);
    else {
      char got[64], want[64];
      ed_verdict_slo_value(slo, num(c, "achieved"), got, sizeof(got));
      ed_verdict_slo_value(slo, num(c, "target"), want, sizeof(want));
      o = item(b, "slo", name, FAILED, 1,
               "SLO %s of workload %s: %s, target %s", slo, wl, got, want);
    }
    copy(o, c, "workload");
    copy(o, c, "target");
    copy(o, c, "achieved");
  }
  json_array_foreach(json_object_get(s, "workloads"), i, w) {
    if (started && completed(w) > 0)
      runner_item(b, w);
  }
}

/* ---- faults, their recovery and undo ------------------------------------- */

static const json_t *plan_of(const json_t *d, const char *fault) {
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(d, "plans"), i,
                     p) if (is(str(p, "fault"), fault) &&
                            !is(str(p, "outcome"), "not started")) return p;
  return NULL;
}

static void recovery_item(build_t *b, const json_t *d, const json_t *f) {
  const char *n = str(f, "name"), *state = str(f, "state");
  const char *plan = str(f, "plan");
  const json_t *p = plan_of(d, n);
  json_t *o;
  if (is(state, "failed") || is(state, "skipped")) {
    o = item(b, "recovery", n, NOT_RUN, 0, "the fault was not injected");
  } else if (json_is_false(json_object_get(f, "verified"))) {
    o = item(b, "recovery", n, FAILED, 1, "fault %s: %s", n, str(f, "reason"));
  } else if (!plan[0]) {
    if (is(state, "recovered"))
      o = item(b, "recovery", n, PASSED, 0, "recovered without a plan");
    else
      o = item(b, "recovery", n, FAILED, 1,
               "fault %s: not recovered, and it has no plan", n);
  } else if (!p) {
    o = item(b, "recovery", n, FAILED, 1, "fault %s: %s", n,
             str(f, "reason")[0] ? str(f, "reason") : "its plan never started");
  } else if (!is(str(p, "outcome"), "passed")) {
    o = item(b, "recovery", n, FAILED, 1, "fault %s: plan %s failed: %s", n,
             plan, str(p, "reason")[0] ? str(p, "reason") : str(p, "outcome"));
  } else if (!json_object_get(f, "rto_s")) {
    o = item(b, "recovery", n, FAILED, 1,
             "fault %s: plan %s ran, but the steady state never came back "
             "(some steady-state check stayed red)",
             n, plan);
  } else if (json_is_false(json_object_get(f, "rto_met"))) {
    o = item(b, "recovery", n, FAILED, 1,
             "fault %s: RTO %.1f s is over its target of %.1f s", n,
             num(f, "rto_s"), num(f, "rto_target_s"));
  } else {
    o = item(b, "recovery", n, PASSED, 0,
             json_object_get(f, "rto_target_s") ? "within its RTO target"
                                                : "recovered (no RTO target)");
  }
  json_object_set_new(o, "fault", json_string(n));
  if (plan[0] && !is(str(o, "status"), NOT_RUN))
    json_object_set_new(o, "plan", json_string(plan));
  copy(o, f, "rto_s");
  copy(o, f, "rto_target_s");
}

static void fault_items(build_t *b, const json_t *s) {
  const json_t *d = json_object_get(s, "drill");
  size_t i;
  json_t *f;
  char name[300];
  json_array_foreach(json_object_get(d, "faults"), i, f) {
    const char *n = str(f, "name"), *state = str(f, "state");
    json_t *o;
    if (is(state, "pending"))
      continue; /* the drill never started: its cause is judged */
    if (is(state, "failed"))
      o = item(b, "fault", n, FAILED, 1, "fault %s: %s", n, str(f, "reason"));
    else if (is(state, "skipped"))
      o = item(b, "fault", n, NOT_RUN, 0, "%s",
               str(f, "reason")[0] ? str(f, "reason") : "not injected");
    else
      o = item(b, "fault", n, PASSED, 0, "injected");
    copy(o, f, "target");
    recovery_item(b, d, f);
    const json_t *u = json_object_get(f, "undo");
    const char *us = str(u, "state");
    snprintf(name, sizeof(name), "%s undo", n);
    if (is(us, "done"))
      o = item(b, "undo", name, PASSED, 0, NULL);
    else if (is(us, "failed"))
      o = item(b, "undo", name, FAILED, 1, "fault %s: its undo failed: %s", n,
               str(u, "reason"));
    else if (is(us, "owed"))
      o = item(b, "undo", name, FAILED, 1,
               "fault %s: its undo is owed (the run stopped before it): run "
               "eventdrill recover",
               n);
    else if (strncmp(us, "not run", 7) == 0)
      o = item(b, "undo", name, NOT_RUN, 0, "%s", us);
    else
      continue;
    json_object_set_new(o, "fault", json_string(n));
  }
}

/* ---- plans and their steps ----------------------------------------------- */

static void plan_items(build_t *b, const json_t *s) {
  const json_t *d = json_object_get(s, "drill");
  int verify = is(str(d, "mode"), "verify");
  size_t i, j;
  json_t *p, *st;
  char name[600];
  json_array_foreach(json_object_get(d, "plans"), i, p) {
    const char *n = str(p, "name"), *out = str(p, "outcome");
    if (is(out, "not started"))
      continue;
    /* A fault's plan is judged through the fault's recovery; a plan a
     * check started stands on its own. */
    int own = !str(p, "fault")[0];
    json_t *o;
    if (is(out, "passed"))
      o = item(b, "plan", n, PASSED, 0, NULL);
    else
      o = item(b, "plan", n, FAILED, own, "plan %s %s: %s", n,
               verify && own ? "cannot run as written" : "failed",
               str(p, "reason")[0] ? str(p, "reason") : out);
    copy(o, p, "fault");
    json_array_foreach(json_object_get(p, "steps"), j, st) {
      const char *sn = str(st, "name"), *so = str(st, "outcome");
      snprintf(name, sizeof(name), "%s / %s", n, sn);
      const char *why = str(st, "reason");
      const char *act = str(st, "action");
      if (is(so, "passed") && strstr(act, "not provable")) {
        /* verify could not prove the action: passed on its checks alone,
         * said as a warning wherever the item is shown */
        o = item(b, "step", name, PASSED, 0, "%s", act);
        json_object_set_new(o, "warning", json_true());
      } else if (is(so, "passed"))
        o = item(b, "step", name, PASSED, 0, why[0] ? "%s" : NULL, why);
      else if (is(so, "not run"))
        o = item(b, "step", name, NOT_RUN, 0, "%s", why[0] ? why : so);
      else
        o = item(b, "step", name, FAILED, 0, "%s after %lld tr%s%s%s", so,
                 (long long)json_integer_value(json_object_get(st, "tries")),
                 json_integer_value(json_object_get(st, "tries")) == 1 ? "y"
                                                                       : "ies",
                 why[0] ? ": " : "", why);
      json_object_set_new(o, "plan", json_string(n));
      json_object_set_new(o, "step", json_string(sn));
      static const char *const keys[] = {"target", "operation", "action",
                                         "tries", "duration_s"};
      for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        copy(o, st, keys[k]);
    }
  }
}

/* ---- the verdict --------------------------------------------------------- */

json_t *ed_verdict_build(const json_t *s) {
  build_t b = {json_array(), json_array()};
  if (!b.items || !b.reasons) {
    json_decref(b.items);
    json_decref(b.reasons);
    return NULL;
  }
  preflight_items(&b, s);
  int started = drill_started(s);
  /* A target that could not start: nothing else ran to be judged. */
  int preflight_ok = !json_array_size(
      json_object_get(json_object_get(s, "preflight"), "errors"));
  run_items(&b, s, preflight_ok);
  shard_items(&b, s);
  if (preflight_ok) {
    check_items(&b, s);
    /* verify sends no load: its SLOs are not judged. */
    if (!is(str(json_object_get(s, "drill"), "mode"), "verify"))
      load_items(&b, s, started);
    fault_items(&b, s);
    plan_items(&b, s);
  }
  size_t i;
  json_t *it;
  /* Green is earned: a run in which nothing was judged (no load, check,
   * fault or plan) proves nothing, and does not pass. */
  int judged = 0;
  json_array_foreach(b.items, i, it) {
    const char *k = str(it, "kind");
    judged |= !is(k, "preflight") && !is(k, "run") && !is(k, "guardrail") &&
              !is(k, "shard");
  }
  if (!judged && preflight_ok)
    item(&b, "run", "something judged", FAILED, 1,
         "nothing was judged: the run has no load, check, fault or plan");
  json_int_t n[3] = {0, 0, 0};
  json_array_foreach(b.items, i, it) {
    const char *st = str(it, "status");
    n[is(st, PASSED) ? 0 : is(st, FAILED) ? 1 : 2]++;
  }
  /* A failure always says why, even one whose reason is another's. */
  if (n[1] && !json_array_size(b.reasons))
    json_array_append_new(b.reasons, json_string("an item failed (see items)"));
  return json_pack("{s:b,s:o,s:{s:I,s:I,s:I},s:o}", "pass", n[1] == 0,
                   "reasons", b.reasons, "counts", PASSED, n[0], FAILED, n[1],
                   NOT_RUN, n[2], "items", b.items);
}

int ed_verdict_pass(const json_t *v) {
  return json_is_true(json_object_get(v, "pass"));
}

/* A failed item of kind (and of that name, unless NULL). */
static int failed_kind(const json_t *v, const char *kind, const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(v, "items"), i, it) {
    if (is(str(it, "kind"), kind) && is(str(it, "status"), FAILED) &&
        (!name || is(str(it, "name"), name)))
      return 1;
  }
  return 0;
}

int ed_verdict_exit(const json_t *v) {
  if (ed_verdict_pass(v))
    return 0;
  if (failed_kind(v, "preflight", NULL))
    return 4;
  if (failed_kind(v, "run", "ran to its end") ||
      failed_kind(v, "guardrail", NULL))
    return 3;
  return 1;
}

static void counts_text(const json_t *v, char *buf, size_t len) {
  const json_t *c = json_object_get(v, "counts");
  json_int_t p = json_integer_value(json_object_get(c, PASSED));
  json_int_t f = json_integer_value(json_object_get(c, FAILED));
  json_int_t n = json_integer_value(json_object_get(c, NOT_RUN));
  snprintf(buf, len, "%lld judged: %lld passed, %lld failed, %lld not run",
           (long long)(p + f + n), (long long)p, (long long)f, (long long)n);
}

void ed_verdict_slo_value(const char *slo, double v, char *buf, size_t len) {
  size_t n = slo ? strlen(slo) : 0;
  if (n > 3 && strcmp(slo + n - 3, "_ms") == 0)
    snprintf(buf, len, "%g ms", v);
  else if (slo && strcmp(slo, "error_rate") == 0)
    snprintf(buf, len, "%g%%", v * 100.0);
  else
    snprintf(buf, len, "%g", v);
}

/* "VERDICT: PASS (…)", the word coloured when out takes colour. */
static void print_head(const json_t *v, FILE *out) {
  char counts[200];
  counts_text(v, counts, sizeof(counts));
  int pass = ed_verdict_pass(v);
  fprintf(out, "VERDICT: %s%s%s (%s)",
          ed_term_sgr(out, pass ? ED_SGR_GREEN : ED_SGR_RED),
          pass ? "PASS" : "FAIL", ed_term_sgr(out, ED_SGR_RESET), counts);
}

void ed_verdict_print(const json_t *v, FILE *out) {
  fputc('\n', out);
  print_head(v, out);
  fputc('\n', out);
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(v, "reasons"), i, x) {
    fputs("  - ", out);
    ed_text_fputs_terminal(out, json_string_value(x));
    fputc('\n', out);
  }
}

void ed_verdict_print_line(const json_t *v, FILE *out) {
  print_head(v, out);
  const json_t *reasons = json_object_get(v, "reasons");
  size_t n = json_array_size(reasons);
  if (n) {
    fputs(": ", out);
    ed_text_fputs_terminal(out, json_string_value(json_array_get(reasons, 0)));
    if (n > 1)
      fprintf(out, " (+%zu more)", n - 1);
  }
  fputc('\n', out);
}

static size_t count_kind(const json_t *v, const char *kind) {
  size_t n = 0, i;
  json_t *it;
  json_array_foreach(json_object_get(v, "items"), i, it) n +=
      is(str(it, "kind"), kind) && is(str(it, "status"), PASSED);
  return n;
}

void ed_verdict_pass_sentence(const json_t *v, char *buf, size_t len) {
  size_t slo = count_kind(v, "slo"), rec = count_kind(v, "recovery");
  size_t chk = count_kind(v, "check"), plan = count_kind(v, "plan");
  int n = snprintf(buf, len, "every judged item passed");
  const char *sep = ": ";
  struct {
    size_t n;
    const char *one, *many;
  } parts[] = {{slo, "SLO met", "SLOs met"},
               {rec, "fault recovered", "faults recovered"},
               {chk, "check green", "checks green"},
               {plan, "plan passed", "plans passed"}};
  for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    if (!parts[i].n || n < 0 || (size_t)n >= len)
      continue;
    n += snprintf(buf + n, len - (size_t)n, "%s%zu %s", sep, parts[i].n,
                  parts[i].n == 1 ? parts[i].one : parts[i].many);
    sep = ", ";
  }
}

/* ---- comparing two verdicts ---------------------------------------------- */

static int same(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b))
    return fabs(json_number_value(a) - json_number_value(b)) < 1e-6;
  return a && b && json_equal((json_t *)a, (json_t *)b);
}

static size_t diff_line(json_t *diffs, const char *where, const json_t *a,
                        const json_t *b) {
  char *sa = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  char *sb = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  char line[1200];
  snprintf(line, sizeof(line),
           "verdict %.300s: summary.json %.400s, journal %.400s", where,
           sa ? sa : "(absent)", sb ? sb : "(absent)");
  free(sa);
  free(sb);
  json_array_append_new(diffs, json_string(line));
  return 1;
}

size_t ed_verdict_diff(const json_t *a, const json_t *b, json_t *diffs) {
  size_t n = 0;
  if (!same(json_object_get(a, "pass"), json_object_get(b, "pass")))
    n += diff_line(diffs, "pass", json_object_get(a, "pass"),
                   json_object_get(b, "pass"));
  const json_t *ia = json_object_get(a, "items"),
               *ib = json_object_get(b, "items");
  size_t na = json_array_size(ia), nb = json_array_size(ib);
  char where[700];
  for (size_t i = 0; i < na || i < nb; i++) {
    const json_t *x = json_array_get(ia, i), *y = json_array_get(ib, i);
    const json_t *label = x ? x : y;
    snprintf(where, sizeof(where), "item %zu (%s %s)", i + 1,
             str(label, "kind"), str(label, "name"));
    if (!x || !y) {
      n += diff_line(diffs, where, x, y);
      continue;
    }
    const char *k;
    json_t *v;
    char sub[800];
    json_object_foreach((json_t *)x, k, v) {
      if (!same(v, json_object_get(y, k))) {
        snprintf(sub, sizeof(sub), "%s.%s", where, k);
        n += diff_line(diffs, sub, v, json_object_get(y, k));
      }
    }
    json_object_foreach((json_t *)y, k, v) {
      if (!json_object_get(x, k)) {
        snprintf(sub, sizeof(sub), "%s.%s", where, k);
        n += diff_line(diffs, sub, NULL, v);
      }
    }
  }
  return n;
}
