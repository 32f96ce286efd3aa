/* The "checks" object of a scenario: steady-state probes; see
 * scenario_internal.h and docs/scenario-format.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario_internal.h"

static const char *const check_keys[] = {"target", "op",     "expect",
                                         "mode",   "every",  "timeout",
                                         "steady", "settle", NULL};
static const char *const expect_keys[] = {
    "status", "equals", "one_of", "min", "max", "match", "latency_ms", NULL};
/* Index + 1 is the ed_check_mode_t. */
static const char *const modes[] = {"before", "after", "continuous",
                                    "during_fault", NULL};

#define DEFAULT_EVERY_MS 2000
#define MIN_EVERY_MS 100
#define DEFAULT_TIMEOUT_MS 5000
/* An after check asked again, within this window, until it passes: a BMC
 * powering back on after the undo is not a failed drill. */
#define DEFAULT_SETTLE_MS 30000
#define LATENCY_MAX_MS 3600000.0
#define VALUE_MAX 1e300

/* ---- expect ------------------------------------------------------------ */

/* A pattern is echoed in its error only when short enough to read. */
#define ECHO_MAX 60

static void load_match(ed__loader_t *l, json_t *obj, const char *path,
                       ed_expect_t *e) {
  const char *re;
  if (ed__get_string(l, obj, path, "match", 0, &re) != 1)
    return;
  char why[256], mpath[ED__PATH_MAX];
  int rc = ed_pattern_compile(re, &e->pattern, why, sizeof(why));
  if (rc == ED_ENOMEM) {
    l->nomem = 1;
    return;
  }
  if (rc != 0) {
    ed__path_key(mpath, path, "match");
    if (strlen(re) <= ECHO_MAX)
      ed_diag_add(l->diag, mpath, "invalid regular expression \"%s\": %s", re,
                  why);
    else
      ed_diag_add(l->diag, mpath, "invalid regular expression: %s", why);
    return;
  }
  e->match = ed__strdup(l, re);
}

static void load_values(ed__loader_t *l, json_t *obj, const char *path,
                        ed_expect_t *e) {
  json_t *eq = json_object_get(obj, "equals");
  json_t *one = json_object_get(obj, "one_of");
  char kpath[ED__PATH_MAX];
  if (eq && one) {
    ed__path_key(kpath, path, "one_of");
    ed_diag_add_key(l->diag, kpath,
                    "write either \"equals\" or \"one_of\", not both");
    return;
  }
  if (eq)
    e->equals = json_incref(eq);
  if (!one)
    return;
  ed__path_key(kpath, path, "one_of");
  if (ed__want(l, one, JSON_ARRAY, kpath, "an array of accepted values"))
    return;
  if (json_array_size(one) == 0) {
    ed_diag_add(l->diag, kpath, "no value: list at least one");
    return;
  }
  e->one_of = json_incref(one);
}

static void load_expect(ed__loader_t *l, json_t *cobj, const char *cpath,
                        ed_expect_t *e) {
  char path[ED__PATH_MAX];
  json_t *obj = json_object_get(cobj, "expect");
  if (!obj)
    return;
  ed__path_key(path, cpath, "expect");
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, expect_keys);
  int64_t n;
  if (ed__get_int(l, obj, path, "status", 0, 599, &n) == 1) {
    e->status = (int)n;
    e->has_status = 1;
  }
  load_values(l, obj, path, e);
  e->has_min =
      ed__get_number(l, obj, path, "min", -VALUE_MAX, VALUE_MAX, &e->min) == 1;
  e->has_max =
      ed__get_number(l, obj, path, "max", -VALUE_MAX, VALUE_MAX, &e->max) == 1;
  if (e->has_min && e->has_max && e->max < e->min) {
    char mpath[ED__PATH_MAX];
    ed__path_key(mpath, path, "max");
    ed_diag_add(l->diag, mpath, "max %.15g is below min %.15g", e->max, e->min);
  }
  load_match(l, obj, path, e);
  ed__get_number(l, obj, path, "latency_ms", 0.001, LATENCY_MAX_MS,
                 &e->latency_ms);
}

/* ---- checks ------------------------------------------------------------ */

/* A check only reads: its operation must not change the device. */
static void read_only(ed__loader_t *l, const ed_target_t *t,
                      const ed_opspec_t *op) {
  const ed_scenario_drivers_t *d = l->drivers;
  if (!d || !d->op_flags || !t->driver || !op->name || !op->path)
    return;
  int flags = d->op_flags(d->ctx, t->driver, op->name);
  if (flags < 0 || !(flags & ED__OP_DESTRUCTIVE))
    return;
  char kpath[ED__PATH_MAX];
  ed__path_key(kpath, op->path, op->name);
  ed_diag_add_key(l->diag, kpath,
                  "a check must be read-only: operation \"%s\" of driver %s "
                  "changes device state",
                  op->name, t->driver);
}

/* key of the check at path does not apply to its mode: "\"key\" only
 * applies to <which>\"<mode>\")". */
static void not_for_mode(ed__loader_t *l, const char *path, const char *key,
                         const char *which, ed_check_mode_t mode) {
  char kpath[ED__PATH_MAX];
  ed__path_key(kpath, path, key);
  ed_diag_add_key(l->diag, kpath, "\"%s\" only applies to %s\"%s\")", key,
                  which, modes[mode - 1]);
}

static void load_timing(ed__loader_t *l, json_t *obj, const char *path,
                        ed_check_t *c) {
  int mode;
  c->mode = ED_CHECK_CONTINUOUS;
  if (ed__get_choice(l, obj, path, "mode", modes, &mode) == 1)
    c->mode = (ed_check_mode_t)(mode + 1);
  c->every_ms = DEFAULT_EVERY_MS;
  if (ed__get_duration(l, obj, path, "every", 0, MIN_EVERY_MS,
                       ED__LENGTH_MAX_MS, &c->every_ms) == 1 &&
      (c->mode == ED_CHECK_BEFORE || c->mode == ED_CHECK_AFTER))
    not_for_mode(l, path, "every",
                 "\"continuous\" and \"during_fault\" checks (this one "
                 "runs once, ",
                 c->mode);
  c->timeout_ms = DEFAULT_TIMEOUT_MS;
  ed__get_duration(l, obj, path, "timeout", 0, 1, ED__TIMEOUT_MAX_MS,
                   &c->timeout_ms);
  c->steady = 1;
  ed__get_bool(l, obj, path, "steady", &c->steady);
  c->settle_ms = c->mode == ED_CHECK_AFTER ? DEFAULT_SETTLE_MS : 0;
  if (ed__get_duration(l, obj, path, "settle", 0, 0, ED__LENGTH_MAX_MS,
                       &c->settle_ms) == 1 &&
      c->mode != ED_CHECK_AFTER)
    not_for_mode(l, path, "settle", "\"after\" checks (this one is ", c->mode);
}

static void load_check(ed__loader_t *l, const char *name, json_t *obj,
                       ed_check_t *c) {
  char path[ED__PATH_MAX];
  ed__path_key(path, "checks", name);
  /* Kept even when the check is wrong, so that references to it are not
   * reported as undefined as well. */
  c->name = ed__strdup(l, name);
  c->path = ed__strdup(l, path);
  ed__check_name(l, name, path, "check name");
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, check_keys);
  long ti = -1;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, obj, path, "target", 1, "target", s->targets, s->ntargets,
                  sizeof(*s->targets), &ti) == 1)
    c->target = ed__strdup(l, s->targets[ti].name);
  if (ed__load_op(l, obj, path, "op", 1, &c->op) == 1 && ti >= 0) {
    ed__check_op(l, s->targets[ti].driver, &c->op);
    read_only(l, &s->targets[ti], &c->op);
  }
  load_expect(l, obj, path, &c->expect);
  load_timing(l, obj, path, c);
}

void ed__load_checks(ed__loader_t *l, json_t *checks) {
  if (!checks)
    return;
  if (ed__want(l, checks, JSON_OBJECT, "checks", "an object of checks by name"))
    return;
  size_t n = json_object_size(checks);
  if (n == 0) {
    ed_diag_add(l->diag, "checks",
                "no check: define at least one (or leave \"checks\" out)");
    return;
  }
  ed__within(l, "checks", n, ED__CHECKS_MAX, "checks");
  l->s->checks = calloc(n, sizeof(*l->s->checks));
  if (!l->s->checks) {
    l->nomem = 1;
    return;
  }
  const char *name;
  json_t *v;
  json_object_foreach(checks, name, v) {
    load_check(l, name, v, &l->s->checks[l->s->nchecks++]);
  }
}

void ed__free_check(ed_check_t *c) {
  free(c->name);
  free(c->target);
  ed__free_op(&c->op);
  json_decref(c->expect.equals);
  json_decref(c->expect.one_of);
  free(c->expect.match);
  ed_pattern_destroy(c->expect.pattern);
  free(c->path);
}
