/* verdict: the judged items of small summaries, green earned only, the
 * exit status, the pass sentence and the item-by-item comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

static json_t *parse(const char *text) {
  json_error_t err;
  json_t *j = json_loads(text, 0, &err);
  if (!j)
    fail_msg("bad test JSON at %d: %s", err.line, err.text);
  return j;
}

/* The item of kind and name, or NULL. */
static const json_t *find(const json_t *v, const char *kind, const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(v, "items"), i, it) {
    if (!strcmp(json_string_value(json_object_get(it, "kind")), kind) &&
        !strcmp(json_string_value(json_object_get(it, "name")), name))
      return it;
  }
  return NULL;
}

static const char *status(const json_t *it) {
  return json_string_value(json_object_get(it, "status"));
}

#define WL(completed)                                                          \
  "\"workloads\": [{\"name\": \"poll\", \"total\": {\"requests\": " #completed \
  ", \"completed\": " #completed ", \"ok\": " #completed                       \
  ", \"dropped\": 0, \"expected\": 20}}],"                                     \
  "\"slo\": {\"checks\": [{\"workload\": \"poll\", \"slo\": \"p99_ms\", "      \
  "\"target\": 100, \"achieved\": 0, \"met\": true}]}"

static void no_data_is_not_met(void **state) {
  (void)state;
  json_t *s = parse("{" WL(0) "}");
  json_t *v = ed_verdict_build(s);
  assert_non_null(v);
  assert_false(ed_verdict_pass(v));
  assert_string_equal(status(find(v, "load", "poll")), "failed");
  assert_string_equal(status(find(v, "slo", "poll p99_ms")), "failed");
  assert_int_equal(ed_verdict_exit(v), 1);
  json_decref(v);
  json_decref(s);
}

/* Every answer an error: no SLO in the scenario, and still not green. */
static void only_errors_is_not_green(void **state) {
  (void)state;
  json_t *s = parse("{\"workloads\": [{\"name\": \"poll\", \"total\": "
                    "{\"requests\": 20, \"completed\": 20, \"ok\": 0, "
                    "\"dropped\": 0, \"expected\": 20}}]}");
  json_t *v = ed_verdict_build(s);
  assert_false(ed_verdict_pass(v));
  const json_t *it = find(v, "load", "poll");
  assert_string_equal(status(it), "failed");
  assert_non_null(strstr(json_string_value(json_object_get(it, "reason")),
                         "no request succeeded"));
  assert_int_equal(ed_verdict_exit(v), 1);
  json_decref(v);
  /* an error_rate SLO says how many errors are acceptable: it judges */
  json_object_set_new(
      s, "slo",
      parse("{\"checks\": [{\"workload\": \"poll\", \"slo\": "
            "\"error_rate\", \"target\": 1, \"achieved\": 1, \"met\": "
            "true}]}"));
  v = ed_verdict_build(s);
  assert_string_equal(status(find(v, "load", "poll")), "passed");
  assert_true(ed_verdict_pass(v));
  json_decref(v);
  json_decref(s);
}

static void data_and_no_fault_pass(void **state) {
  (void)state;
  json_t *s =
      parse("{" WL(20) ", \"drill\": {\"mode\": \"rehearse\", "
                       "\"aborted\": false, \"faults\": [], \"plans\": [], "
                       "\"checks\": []}}");
  json_t *v = ed_verdict_build(s);
  assert_true(ed_verdict_pass(v));
  assert_int_equal(ed_verdict_exit(v), 0);
  assert_int_equal(json_array_size(json_object_get(v, "reasons")), 0);
  char text[300];
  ed_verdict_pass_sentence(v, text, sizeof(text));
  assert_string_equal(text, "every judged item passed: 1 SLO met");
  assert_null(strstr(text, "fault"));
  json_decref(v);
  json_decref(s);
}

static void before_check_and_signal(void **state) {
  (void)state;
  json_t *s = parse(
      "{" WL(0) ", \"interruption\": \"interrupted by a signal\", "
                "\"drill\": {\"mode\": \"rehearse\", \"aborted\": false, "
                "\"faults\": [{\"name\": \"f\", \"state\": \"pending\"}], "
                "\"plans\": [], \"checks\": [{\"name\": \"up\", \"before\": "
                "\"failed\", \"last_failure\": \"status 503\"}]}}");
  json_t *v = ed_verdict_build(s);
  assert_false(ed_verdict_pass(v));
  assert_int_equal(ed_verdict_exit(v), 3);
  const json_t *c = find(v, "check", "up before the drill");
  assert_string_equal(status(c), "failed");
  /* the drill never started: its load and SLO were not judged, nor the
   * fault it never reached */
  assert_string_equal(status(find(v, "slo", "poll p99_ms")), "not run");
  assert_null(find(v, "fault", "f"));
  const json_t *r = json_object_get(v, "reasons");
  assert_string_equal(json_string_value(json_array_get(r, 0)),
                      "interrupted by a signal");
  assert_string_equal(json_string_value(json_array_get(r, 1)),
                      "check up failed before the drill: status 503");
  json_decref(v);
  json_decref(s);
}

static void fault_without_plan_and_failed_step(void **state) {
  (void)state;
  json_t *s = parse(
      "{\"drill\": {\"mode\": \"rehearse\", \"aborted\": false, \"checks\": "
      "[], \"faults\": [{\"name\": \"off\", \"target\": \"b\", \"state\": "
      "\"not recovered\", \"undo\": {\"state\": \"none\"}}, {\"name\": "
      "\"loss\", \"target\": \"b\", \"state\": \"not recovered\", \"plan\": "
      "\"p\", \"rto_target_s\": 8, \"undo\": {\"state\": \"failed\", "
      "\"reason\": \"timeout\"}}], \"plans\": [{\"name\": \"p\", \"fault\": "
      "\"loss\", \"outcome\": \"failed\", \"reason\": \"step s failed\", "
      "\"steps\": [{\"name\": \"s\", \"outcome\": \"failed\", \"tries\": 4, "
      "\"target\": \"a\", \"operation\": \"reset On on a\", \"reason\": "
      "\"value Off\"}]}]}}");
  json_t *v = ed_verdict_build(s);
  assert_false(ed_verdict_pass(v));
  assert_string_equal(status(find(v, "recovery", "off")), "failed");
  const json_t *rec = find(v, "recovery", "loss");
  assert_string_equal(status(rec), "failed");
  assert_null(json_object_get(rec, "rto_s"));
  const json_t *st = find(v, "step", "p / s");
  assert_string_equal(status(st), "failed");
  assert_string_equal(json_string_value(json_object_get(st, "target")), "a");
  assert_string_equal(json_string_value(json_object_get(st, "reason")),
                      "failed after 4 tries: value Off");
  assert_string_equal(status(find(v, "undo", "loss undo")), "failed");
  /* one reason per cause: the step is told through its fault */
  const json_t *r = json_object_get(v, "reasons");
  assert_int_equal(json_array_size(r), 3);
  assert_string_equal(json_string_value(json_array_get(r, 0)),
                      "fault off: not recovered, and it has no plan");
  assert_string_equal(json_string_value(json_array_get(r, 1)),
                      "fault loss: plan p failed: step s failed");
  json_decref(v);
  json_decref(s);
}

static void preflight_fails_alone(void **state) {
  (void)state;
  json_t *s = parse("{" WL(0) ", \"preflight\": {\"errors\": [{\"target\": "
                              "\"real\", \"message\": \"login refused\"}]}}");
  json_t *v = ed_verdict_build(s);
  assert_int_equal(ed_verdict_exit(v), 4);
  assert_null(find(v, "load", "poll"));
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(v, "reasons"), 0)),
      "preflight: target real could not start: login refused");
  json_decref(v);
  json_decref(s);
}

static void nothing_judged_is_not_green(void **state) {
  (void)state;
  json_t *s = parse("{\"drill\": {\"mode\": \"verify\", \"aborted\": false, "
                    "\"faults\": [], \"plans\": [], \"checks\": []}}");
  json_t *v = ed_verdict_build(s);
  assert_false(ed_verdict_pass(v));
  assert_string_equal(status(find(v, "run", "something judged")), "failed");
  assert_int_equal(ed_verdict_exit(v), 1);
  json_decref(v);
  json_decref(s);
}

static void diff_names_each_field(void **state) {
  (void)state;
  json_t *s = parse("{" WL(20) "}");
  json_t *a = ed_verdict_build(s);
  json_t *b = ed_verdict_build(s);
  json_t *diffs = json_array();
  assert_int_equal(ed_verdict_diff(a, b, diffs), 0);
  json_t *slo = (json_t *)find(b, "slo", "poll p99_ms");
  json_object_set_new(slo, "achieved", json_real(0.5));
  assert_int_equal(ed_verdict_diff(a, b, diffs), 1);
  assert_non_null(strstr(json_string_value(json_array_get(diffs, 0)),
                         "(slo poll p99_ms).achieved"));
  json_array_remove(json_object_get(b, "items"), 0);
  assert_true(ed_verdict_diff(a, b, diffs) > 1);
  json_decref(diffs);
  json_decref(a);
  json_decref(b);
  json_decref(s);
}

/* One shard's summary: a workload on other shards' targets is not run
 * there; in a merged summary, a missing shard fails the verdict. */
static void shards_judged(void **state) {
  (void)state;
  json_t *s = parse(
      "{\"workloads\": [{\"name\": \"poll\", \"total\": {\"requests\": 0, "
      "\"completed\": 0, \"dropped\": 0, \"expected\": 20}, "
      "\"per_target\": [{\"target\": \"b\"}]}, {\"name\": \"mine\", "
      "\"total\": {\"requests\": 5, \"completed\": 5, \"ok\": 5, \"dropped\": "
      "0, "
      "\"expected\": 5}, \"per_target\": [{\"target\": \"a\"}]}], "
      "\"shard\": {\"index\": 0, \"count\": 2, "
      "\"targets\": {\"a\": 0, \"b\": 1}}}");
  json_t *v = ed_verdict_build(s);
  assert_string_equal(status(find(v, "load", "poll")), "not run");
  assert_string_equal(status(find(v, "load", "mine")), "passed");
  assert_true(ed_verdict_pass(v));
  json_decref(v);
  /* shard 1 owns b: its workload with no data fails there */
  json_object_set_new(json_object_get(s, "shard"), "index", json_integer(1));
  v = ed_verdict_build(s);
  assert_string_equal(status(find(v, "load", "poll")), "failed");
  assert_string_equal(status(find(v, "load", "mine")), "not run");
  json_decref(v);
  json_object_del(s, "shard");
  json_object_set_new(
      json_object_get(json_array_get(json_object_get(s, "workloads"), 0),
                      "total"),
      "completed", json_integer(20));
  json_object_set_new(
      s, "shards",
      parse("{\"count\": 3, \"parts\": [{\"index\": 0}, {\"index\": 2}], "
            "\"missing\": [1]}"));
  v = ed_verdict_build(s);
  assert_string_equal(status(find(v, "shard", "shard 0 of 3")), "passed");
  assert_string_equal(status(find(v, "shard", "shard 1 of 3")), "failed");
  assert_false(ed_verdict_pass(v));
  json_decref(v);
  json_decref(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(no_data_is_not_met),
      cmocka_unit_test(only_errors_is_not_green),
      cmocka_unit_test(data_and_no_fault_pass),
      cmocka_unit_test(before_check_and_signal),
      cmocka_unit_test(fault_without_plan_and_failed_step),
      cmocka_unit_test(preflight_fails_alone),
      cmocka_unit_test(nothing_judged_is_not_green),
      cmocka_unit_test(diff_names_each_field),
      cmocka_unit_test(shards_judged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
