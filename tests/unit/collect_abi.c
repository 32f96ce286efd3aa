/* The collect capability between the core (core/collect/collect.h) and a
 * driver: a test driver (tests/plugins/collector.c) that answers through
 * <eventdrill/snapshot.h>, at once, with a text that is not JSON, or not at
 * all, and the example driver, which has no collect. Every answer comes
 * exactly once and is stamped by the core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect.h"
#include "fleet.h"
#include "inventory.h"
#include "plugin_host.h"
#include "probe.h"

enum { DEV_QUEUE, DEV_SYNC, DEV_BAD, DEV_FAIL, DEV_EMPTY, DEV_EXAMPLE, NDEV };

typedef struct fixture_s {
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  ed_scenario_t *inv;
  ed_fleet_t fleet;
  ed_probe_host_t probes;
  ed_probe_target_t pt[NDEV];
  json_t *snap;
  int calls; /* answers received since the last collect() */
  int started;
} fixture_t;

static void on_fleet(ed_fleet_t *f, void *arg) {
  (void)f;
  fixture_t *x = arg;
  x->started = !x->started;
}

static int setup(void **state) {
  fixture_t *x = calloc(1, sizeof(*x));
  assert_non_null(x);
  assert_int_equal(uv_loop_init(&x->loop), 0);
  assert_int_equal(ed_plugin_host_create(&x->loop, &x->ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(x->ph, ED_TEST_COLLECTOR_DIR), 0);
  assert_int_equal(ed_plugin_host_add_dir(x->ph, ED_TEST_DRIVER_DIR), 0);
  char file[512];
  snprintf(file, sizeof(file), "%s/collect-abi-fleet.json", ED_TEST_TMPDIR);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  /* in the order of the enum above */
  fputs("{\"name\": \"abi\", \"devices\": {"
        "\"q\": {\"driver\": \"collector\", \"labels\": {\"role\": \"db\"}},"
        "\"s\": {\"driver\": \"collector\", \"mode\": \"sync\"},"
        "\"b\": {\"driver\": \"collector\", \"mode\": \"bad\"},"
        "\"f\": {\"driver\": \"collector\", \"mode\": \"fail\"},"
        "\"z\": {\"driver\": \"collector\", \"reads\": 0},"
        "\"ex\": {\"driver\": \"example\"}}}",
        f);
  fclose(f);
  ed_scenario_drivers_t drivers;
  ed_plugin_host_scenario_drivers(x->ph, &drivers);
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = ed_inventory_load(file, &drivers, &diag, &x->inv);
  ed_diag_close(&diag);
  assert_int_equal(rc, 0);
  assert_int_equal(x->inv->ntargets, NDEV);
  assert_int_equal(ed_fleet_init(&x->fleet, &x->loop, x->ph, file,
                                 x->inv->targets, NDEV, NULL),
                   0);
  assert_int_equal(ed_fleet_open(&x->fleet, 0), 0);
  ed_fleet_start(&x->fleet, on_fleet, x);
  while (!x->started)
    uv_run(&x->loop, UV_RUN_ONCE);
  for (size_t i = 0; i < NDEV; i++) {
    ed_fleet_target_t *t = &x->fleet.targets[i];
    assert_true(t->started);
    x->pt[i] = (ed_probe_target_t){t->spec, t->drv, t->state, t->sim};
  }
  assert_int_equal(
      ed_probe_host_init(&x->probes, &x->loop, x->ph, x->pt, NDEV, 1, file), 0);
  *state = x;
  return 0;
}

static int teardown(void **state) {
  fixture_t *x = *state;
  ed_probe_host_close(&x->probes);
  ed_fleet_stop(&x->fleet, on_fleet, x);
  while (x->started)
    uv_run(&x->loop, UV_RUN_ONCE);
  ed_fleet_close(&x->fleet);
  uv_run(&x->loop, UV_RUN_DEFAULT);
  ed_scenario_destroy(x->inv);
  ed_plugin_host_destroy(x->ph);
  assert_int_equal(uv_loop_close(&x->loop), 0);
  free(x);
  return 0;
}

static void on_snapshot(void *arg, json_t *snap) {
  fixture_t *x = arg;
  x->calls++;
  json_decref(x->snap);
  x->snap = snap;
}

/* Collect device i; the loop then runs until nothing is left to do, so
 * that a second answer would be seen. *before: answers received before
 * ed_collect_device returned. */
static json_t *collect(fixture_t *x, int i, int max_in_flight, int *before) {
  ed_collect_opts_t o;
  ed_collect_opts_default(&o, 1);
  o.max_in_flight = max_in_flight;
  x->snap = NULL;
  x->calls = 0;
  assert_int_equal(
      ed_collect_device(&x->probes, &x->fleet.targets[i], &o, on_snapshot, x),
      0);
  if (before)
    *before = x->calls;
  uv_run(&x->loop, UV_RUN_DEFAULT);
  assert_int_equal(x->calls, 1);
  assert_int_equal(x->probes.in_flight, 0);
  json_t *s = x->snap;
  x->snap = NULL;
  /* stamped by the core, whatever the driver answered */
  assert_string_equal(json_string_value(json_object_get(s, "device")),
                      x->fleet.targets[i].spec->name);
  assert_string_equal(json_string_value(json_object_get(s, "driver")),
                      x->fleet.targets[i].spec->driver);
  assert_true(json_number_value(json_object_get(s, "at")) > 1e9);
  assert_true(json_is_number(json_object_get(s, "duration_ms")));
  assert_true(json_is_boolean(json_object_get(s, "reachable")));
  return s;
}

static json_int_t int_at(const json_t *o, const char *a, const char *b) {
  const json_t *v = json_object_get(o, a);
  return json_integer_value(b ? json_object_get(v, b) : v);
}

/* Queued reads through snapshot.h: every read answered and counted, the
 * device's bound on reads in flight held (and used), the parts read. */
static void test_queue(void **state) {
  fixture_t *x = *state;
  for (int bound = 1; bound <= 3; bound++) {
    json_t *s = collect(x, DEV_QUEUE, bound, NULL);
    assert_true(json_is_true(json_object_get(s, "reachable")));
    assert_int_equal(json_array_size(json_object_get(s, "sensors")), 5);
    assert_int_equal(int_at(s, "requests", NULL), 5);
    assert_int_equal(int_at(s, "latency_ms", "samples"), 5);
    assert_int_equal(int_at(s, "max_in_flight_seen", NULL), bound);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s, "read"), "power")),
        "on");
    assert_int_equal(int_at(s, "read", "sensors"), 5);
    assert_null(json_object_get(s, "gaps"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(s, "labels"), "role")),
                        "db");
    json_decref(s);
  }
}

/* Nothing read: each part a ready verdict needs is a gap, and null in
 * "read". */
static void test_empty(void **state) {
  fixture_t *x = *state;
  int before = -1;
  json_t *s = collect(x, DEV_EMPTY, 2, &before);
  assert_int_equal(before, 1); /* no read: answered at once */
  json_t *gaps = json_object_get(s, "gaps");
  assert_int_equal(json_array_size(gaps), 2);
  assert_string_equal(json_string_value(json_array_get(gaps, 0)),
                      "power: nothing read");
  assert_string_equal(json_string_value(json_array_get(gaps, 1)),
                      "sensors: nothing read");
  assert_true(
      json_is_null(json_object_get(json_object_get(s, "read"), "power")));
  json_decref(s);
}

/* done called before collect returned is one answer like any other. */
static void test_sync(void **state) {
  fixture_t *x = *state;
  int before = -1;
  json_t *s = collect(x, DEV_SYNC, 2, &before);
  assert_int_equal(before, 1);
  assert_true(json_is_true(json_object_get(s, "reachable")));
  assert_string_equal(json_string_value(json_object_get(s, "power")), "on");
  json_decref(s);
}

/* A text that is not a JSON object: unreachable, and the core says why. */
static void test_bad(void **state) {
  fixture_t *x = *state;
  json_t *s = collect(x, DEV_BAD, 2, NULL);
  assert_true(json_is_false(json_object_get(s, "reachable")));
  json_t *e = json_object_get(s, "error");
  assert_string_equal(json_string_value(json_object_get(e, "class")),
                      "protocol");
  assert_non_null(strstr(json_string_value(json_object_get(e, "detail")),
                         "driver collector answered a snapshot that is not "
                         "a JSON object"));
  json_decref(s);
}

/* collect returning < 0: the core answers for it, once. */
static void test_fail(void **state) {
  fixture_t *x = *state;
  json_t *s = collect(x, DEV_FAIL, 2, NULL);
  assert_true(json_is_false(json_object_get(s, "reachable")));
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(s, "error"), "detail")),
      "driver collector could not start a collection");
  json_decref(s);
}

/* A driver without collect: not monitored, never reached. */
static void test_no_collect(void **state) {
  fixture_t *x = *state;
  assert_false(ed_plugin_can_collect(x->fleet.targets[DEV_EXAMPLE].drv));
  assert_true(ed_plugin_can_collect(x->fleet.targets[DEV_QUEUE].drv));
  json_t *s = collect(x, DEV_EXAMPLE, 2, NULL);
  assert_true(json_is_false(json_object_get(s, "reachable")));
  assert_true(json_is_false(json_object_get(s, "monitored")));
  assert_string_equal(json_string_value(json_object_get(s, "unread")),
                      "driver example has no health collection");
  json_decref(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_queue), cmocka_unit_test(test_empty),
      cmocka_unit_test(test_sync),  cmocka_unit_test(test_bad),
      cmocka_unit_test(test_fail),  cmocka_unit_test(test_no_collect),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
