/*
 * Unit tests of the emergency-plan sections of the scenario loader
 * (core/scenario/scenario_checks.c, scenario_plan.c, scenario_guard.c): the
 * model values of tests/scenarios/good/04-drill.json, the drill example of
 * docs/scenario-format.md, and what depends on the driver table. The error
 * texts are pinned by tests/scenarios/bad/58-* to 80-* (run by
 * test_scenario).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "error.h"
#include "scenario.h"

#ifndef ED_SCENARIO_TESTDIR
#error "ED_SCENARIO_TESTDIR must name tests/scenarios"
#endif

/* ---- a fake driver table ------------------------------------------------
 * "redfish" only; operations are not checked here (test_scenario does),
 * but their flags are: get reads, patch/post/reset change device state. */

static int fake_lookup(void *ctx, const char *driver) {
  (void)ctx;
  return strcmp(driver, "redfish") == 0 ? 0 : ED_ENOTFOUND;
}

static int fake_op_flags(void *ctx, const char *driver, const char *op) {
  (void)ctx;
  if (strcmp(driver, "redfish") != 0)
    return ED_ENOTFOUND;
  if (!strcmp(op, "get"))
    return 0;
  if (!strcmp(op, "patch") || !strcmp(op, "post") || !strcmp(op, "reset"))
    return 0x1; /* ED_OP_DESTRUCTIVE */
  return ED_ENOTFOUND;
}

static const ed_scenario_drivers_t fake_drivers = {
    NULL, fake_lookup, NULL, NULL, NULL, fake_op_flags, NULL};

/* ---- helpers ----------------------------------------------------------- */

static char *slurp(const char *file) {
  FILE *f = fopen(file, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    fwrite(chunk, 1, n, m);
  fclose(f);
  fclose(m);
  return buf;
}

/* Load `file`; fails the test, printing the errors, unless it loads. */
static ed_scenario_t *load_ok(const char *file,
                              const ed_scenario_drivers_t *drivers) {
  ed_diag_t d;
  ed_diag_init(&d);
  ed_scenario_t *s = NULL;
  int rc = ed_scenario_load(file, drivers, &d, &s);
  if (rc != 0)
    ed_diag_print(&d, stderr);
  assert_int_equal(d.count, 0);
  ed_diag_close(&d);
  assert_int_equal(rc, 0);
  assert_non_null(s);
  return s;
}

/* Load `len` bytes of text from a temporary file. */
static int load_text(const char *text, size_t len,
                     const ed_scenario_drivers_t *drivers, size_t *nerrors,
                     ed_scenario_t **out) {
  char file[] = "/tmp/ed-scenario-plan-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  close(fd);
  ed_diag_t d;
  ed_diag_init(&d);
  int rc = ed_scenario_load(file, drivers, &d, out);
  unlink(file);
  if (rc != 0 && !nerrors)
    ed_diag_print(&d, stderr);
  if (nerrors)
    *nerrors = d.count;
  ed_diag_close(&d);
  return rc;
}

/* ---- 04-drill.json ----------------------------------------------------- */

static void check_checks(const ed_scenario_t *s) {
  assert_int_equal(s->nchecks, 7);
  const ed_check_t *c = ed_scenario_check(s, "bmc2-up");
  assert_non_null(c);
  assert_ptr_equal(c, &s->checks[0]);
  assert_string_equal(c->name, "bmc2-up");
  assert_string_equal(c->target, "bmc2");
  assert_string_equal(c->path, "checks.bmc2-up");
  assert_string_equal(c->op.name, "get");
  assert_string_equal(c->op.path, "checks.bmc2-up.op");
  assert_string_equal(json_string_value(json_object_get(c->op.arg, "pointer")),
                      "/PowerState");
  assert_true(c->expect.has_status);
  assert_int_equal(c->expect.status, 200);
  assert_string_equal(json_string_value(c->expect.equals), "On");
  assert_null(c->expect.one_of);
  assert_false(c->expect.has_min || c->expect.has_max);
  assert_null(c->expect.match);
  assert_true(c->expect.latency_ms == 500);
  assert_int_equal(c->mode, ED_CHECK_CONTINUOUS);
  assert_int_equal(c->every_ms, 2000);
  assert_int_equal(c->timeout_ms, 5000);
  assert_true(c->steady);

  c = ed_scenario_check(s, "bmc2-down");
  assert_int_equal(c->mode, ED_CHECK_DURING_FAULT);
  assert_int_equal(c->every_ms, 500);
  assert_false(c->steady);
  c = ed_scenario_check(s, "temp");
  assert_true(c->expect.has_min && c->expect.has_max);
  assert_true(c->expect.min == 5 && c->expect.max == 85.5);
  assert_false(c->expect.has_status);
  assert_null(c->expect.equals);
  c = ed_scenario_check(s, "health");
  assert_int_equal(c->mode, ED_CHECK_BEFORE);
  assert_int_equal(json_array_size(c->expect.one_of), 2);
  assert_string_equal(json_string_value(json_array_get(c->expect.one_of, 1)),
                      "Warning");
  c = ed_scenario_check(s, "fw");
  assert_int_equal(c->mode, ED_CHECK_AFTER);
  assert_string_equal(c->expect.match, "^1\\.[0-9]+");
  assert_true(c->expect.has_status);
  assert_int_equal(c->expect.status, 0);
  assert_false(c->steady);
  /* Defaults. */
  c = ed_scenario_check(s, "bmc1-up");
  assert_int_equal(c->mode, ED_CHECK_CONTINUOUS);
  assert_int_equal(c->every_ms, 2000);
  assert_int_equal(c->timeout_ms, 5000);
  assert_true(c->steady);
  assert_false(c->expect.has_status);
  assert_true(c->expect.latency_ms == 0);
  assert_null(ed_scenario_check(s, "bmc9-up"));
  assert_null(ed_scenario_check(s, NULL));
}

static void check_faults(const ed_scenario_t *s) {
  assert_int_equal(s->nfaults, 4);
  const ed_fault_t *f = &s->faults[0];
  assert_string_equal(f->name, "bmc2-off");
  assert_string_equal(f->path, "faults[0]");
  assert_int_equal(f->at_ms, 40000);
  assert_int_equal(f->for_ms, 0);
  assert_string_equal(f->action.target, "bmc2");
  assert_string_equal(f->action.op.name, "reset");
  assert_string_equal(json_string_value(f->action.op.arg), "ForceOff");
  assert_string_equal(f->action.path, "faults[0].action");
  assert_null(f->action.sim);
  assert_true(f->has_undo);
  assert_string_equal(f->undo.target, "bmc2");
  assert_string_equal(json_string_value(f->undo.op.arg), "On");
  assert_string_equal(f->undo.op.path, "faults[0].undo.action");
  assert_int_equal(f->undo_when, ED_UNDO_ON_ABORT);
  assert_int_equal(f->nverify, 0);
  assert_string_equal(f->plan, "power-restore");

  f = &s->faults[1]; /* a sim fault: undone by a clear */
  assert_string_equal(f->name, "bmc1-slow");
  assert_int_equal(f->at_ms, 10000);
  assert_int_equal(f->for_ms, 20000);
  assert_null(f->action.op.name);
  assert_string_equal(
      json_string_value(json_object_get(f->action.sim, "latency")), "500ms");
  assert_string_equal(f->action.path, "faults[1].sim");
  assert_true(f->has_undo);
  assert_true(json_is_true(json_object_get(f->undo.sim, "clear")));
  assert_string_equal(f->undo.target, "bmc1");
  assert_int_equal(f->undo_when, ED_UNDO_ALWAYS);
  assert_null(f->plan);

  f = &s->faults[2]; /* default name, no undo, a verification */
  assert_string_equal(f->name, "fault-3");
  assert_false(f->has_undo);
  assert_int_equal(f->nverify, 1);
  assert_string_equal(f->verify[0], "bmc3-up");

  f = &s->faults[3];
  assert_true(json_is_false(json_object_get(f->undo.sim, "hang")));
  assert_int_equal(f->undo_when, ED_UNDO_NEVER);
}

static void check_power_restore(const ed_plan_t *p) {
  assert_string_equal(p->path, "plans.power-restore");
  assert_int_equal(p->rto_ms, 60000);
  assert_int_equal(p->rto_from, ED_RTO_FROM_FAULT);
  assert_string_equal(p->trigger_check, "bmc2-up");
  assert_int_equal(p->detection_delay_ms, 2000);
  assert_int_equal(p->nsteps, 3);
  const ed_step_t *st = &p->steps[0];
  assert_string_equal(st->name, "detect");
  assert_false(st->has_action);
  assert_null(st->action.target);
  assert_int_equal(st->nverify, 1);
  assert_string_equal(st->verify[0], "bmc2-down");
  assert_int_equal(st->timeout_ms, 10000);
  assert_int_equal(st->retries, 0);
  assert_int_equal(st->backoff_ms, 1000);
  assert_int_equal(st->on_failure, ED_ONFAIL_STOP);
  assert_null(st->save_as);
  st = &p->steps[1];
  assert_string_equal(st->name, "power on");
  assert_string_equal(st->path, "plans.power-restore.steps[1]");
  assert_true(st->has_action);
  assert_string_equal(st->action.target, "bmc2");
  assert_string_equal(st->action.op.name, "reset");
  assert_int_equal(st->timeout_ms, 60000);
  assert_int_equal(st->retries, 2);
  assert_int_equal(st->backoff_ms, 2000);
  assert_int_equal(st->on_failure, ED_ONFAIL_STOP);
  st = &p->steps[2];
  assert_string_equal(st->action.op.name, "get");
  assert_int_equal(st->nverify, 0);
  assert_string_equal(st->save_as, "bmc_fw");
  assert_int_equal(st->on_failure, ED_ONFAIL_CONTINUE);
}

static void check_plans(const ed_scenario_t *s) {
  assert_int_equal(s->nplans, 2);
  const ed_plan_t *p = ed_scenario_plan(s, "power-restore");
  assert_ptr_equal(p, &s->plans[0]);
  check_power_restore(p);
  p = ed_scenario_plan(s, "slow-bmc1");
  assert_non_null(p);
  assert_int_equal(p->rto_ms, 0);
  assert_int_equal(p->rto_from, ED_RTO_FROM_DETECTION);
  assert_int_equal(p->detection_delay_ms, 0);
  const ed_step_t *st = &p->steps[0];
  assert_true(st->has_action);
  assert_null(st->action.op.name);
  assert_true(json_is_true(json_object_get(st->action.sim, "clear")));
  assert_int_equal(st->on_failure, ED_ONFAIL_GOTO);
  assert_string_equal(st->goto_step, "retry");
  st = &p->steps[1];
  assert_string_equal(st->goto_step, "retry"); /* to itself, with retries */
  assert_int_equal(st->retries, 100);
  assert_null(ed_scenario_plan(s, "nope"));
}

static void check_guardrails(const ed_scenario_t *s) {
  assert_int_equal(s->nguardrails, 5);
  const ed_guardrail_t *g = s->guardrails;
  assert_int_equal(g[0].kind, ED_GUARD_P99);
  assert_true(g[0].threshold == 800);
  assert_int_equal(g[0].for_ms, 10000);
  assert_string_equal(g[0].workload, "poll-system");
  assert_string_equal(g[0].text, "p99 > 800ms for 10s");
  assert_string_equal(g[0].path, "guardrails[0]");
  assert_int_equal(g[1].kind, ED_GUARD_ERROR_RATE);
  assert_true(g[1].threshold == 0.05);
  assert_int_equal(g[1].for_ms, 5000);
  assert_null(g[1].workload);
  assert_int_equal(g[2].kind, ED_GUARD_ERROR_RATE);
  assert_true(g[2].threshold == 0.05);
  assert_int_equal(g[2].for_ms, 0);
  assert_int_equal(g[3].kind, ED_GUARD_P99);
  assert_true(g[3].threshold == 1500);
  assert_int_equal(g[4].kind, ED_GUARD_CHECK_RED);
  assert_string_equal(g[4].check, "bmc1-up");
  assert_int_equal(g[4].for_ms, 30000);
  assert_string_equal(g[4].text, "check_red bmc1-up for 30s");
}

static void test_drill_values(void **state) {
  (void)state;
  ed_scenario_t *s =
      load_ok(ED_SCENARIO_TESTDIR "/good/04-drill.json", &fake_drivers);
  check_checks(s);
  check_faults(s);
  check_plans(s);
  check_guardrails(s);
  assert_int_equal(s->max_faulted_targets, 1);
  assert_int_equal(s->time_limit_ms, 600000);
  ed_scenario_destroy(s);
}

/* Without the drill sections, their defaults. */
static void test_drill_defaults(void **state) {
  (void)state;
  ed_scenario_t *s =
      load_ok(ED_SCENARIO_TESTDIR "/good/02-minimal.json", &fake_drivers);
  assert_int_equal(s->nchecks + s->nfaults + s->nplans + s->nguardrails, 0);
  assert_null(s->checks);
  assert_int_equal(s->max_faulted_targets, 0);
  assert_int_equal(s->time_limit_ms, 0);
  assert_null(ed_scenario_check(s, "x"));
  assert_null(ed_scenario_plan(s, "x"));
  ed_scenario_destroy(s);
}

/* "workloads" may be left out when there are checks, not otherwise. */
static void test_checks_without_workloads(void **state) {
  (void)state;
  static const char ok[] =
      "{\"name\":\"v\",\"targets\":{\"a\":{\"driver\":\"redfish\",\"sim\":{}}},"
      "\"checks\":{\"up\":{\"target\":\"a\",\"op\":{\"get\":\"/\"}}},"
      "\"faults\":[{\"at\":\"1h\",\"target\":\"a\",\"sim\":{\"down\":true}}]}";
  ed_scenario_t *s = NULL;
  assert_int_equal(load_text(ok, sizeof(ok) - 1, &fake_drivers, NULL, &s), 0);
  assert_int_equal(s->nworkloads, 0);
  assert_int_equal(ed_scenario_length_ms(s), 0);
  /* No workload, no drill length: a fault at any time is accepted. */
  assert_int_equal(s->faults[0].at_ms, 3600000);
  ed_scenario_destroy(s);
  static const char bad[] =
      "{\"name\":\"v\",\"targets\":{\"a\":{\"driver\":\"redfish\"}}}";
  size_t n = 0;
  s = NULL;
  assert_int_equal(load_text(bad, sizeof(bad) - 1, &fake_drivers, &n, &s),
                   ED_EPARSE);
  assert_null(s);
  assert_int_equal(n, 1);
}

/* Read-only checks rely on the driver's op flags: without op_flags (or
 * without a driver table at all) a destructive check cannot be told. */
static void test_op_flags_optional(void **state) {
  (void)state;
  const char *file = ED_SCENARIO_TESTDIR "/bad/59-check-destructive.json";
  ed_scenario_t *s = load_ok(file, NULL);
  assert_string_equal(ed_scenario_check(s, "power")->op.name, "reset");
  ed_scenario_destroy(s);
  ed_scenario_drivers_t no_flags = fake_drivers;
  no_flags.op_flags = NULL;
  ed_scenario_destroy(load_ok(file, &no_flags));
  ed_diag_t d;
  ed_diag_init(&d);
  s = NULL;
  assert_int_equal(ed_scenario_load(file, &fake_drivers, &d, &s), ED_EPARSE);
  assert_int_equal(d.count, 2);
  ed_diag_close(&d);
}

/* The drill example of docs/scenario-format.md (the json block after the
 * heading "## A complete drill") must load. */
static void test_doc_drill(void **state) {
  (void)state;
  char *doc = slurp(ED_SCENARIO_TESTDIR "/../../docs/scenario-format.md");
  assert_non_null(doc);
  char *begin = strstr(doc, "\n## A complete drill");
  assert_non_null(begin);
  begin = strstr(begin, "```json\n");
  assert_non_null(begin);
  begin += 8;
  char *end = strstr(begin, "```");
  assert_non_null(end);
  ed_scenario_t *s = NULL;
  assert_int_equal(
      load_text(begin, (size_t)(end - begin), &fake_drivers, NULL, &s), 0);
  assert_int_equal(s->nchecks, 7);
  assert_int_equal(s->nfaults, 3);
  assert_int_equal(s->nguardrails, 3);
  const ed_plan_t *p = ed_scenario_plan(s, "power-restore");
  assert_non_null(p);
  check_power_restore(p);
  assert_string_equal(s->faults[0].plan, "power-restore");
  assert_int_equal(ed_scenario_length_ms(s), 180000);
  ed_scenario_destroy(s);
  free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_drill_values),
      cmocka_unit_test(test_drill_defaults),
      cmocka_unit_test(test_checks_without_workloads),
      cmocka_unit_test(test_op_flags_optional),
      cmocka_unit_test(test_doc_drill),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
