/* Collecting a device's snapshot (core/collect/collect.h) with the Redfish
 * driver from the build tree, against a simulated BMC in this process. */
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

typedef struct fixture_s {
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  ed_scenario_t *inv;
  ed_fleet_t fleet;
  ed_probe_host_t probes;
  ed_probe_target_t pt;
  json_t *snap;
  int calls;
  int started;
} fixture_t;

static void on_started(ed_fleet_t *f, void *arg) {
  (void)f;
  ((fixture_t *)arg)->started = 1;
}

static int setup(void **state) {
  fixture_t *x = calloc(1, sizeof(*x));
  assert_non_null(x);
  assert_int_equal(uv_loop_init(&x->loop), 0);
  assert_int_equal(ed_plugin_host_create(&x->loop, &x->ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(x->ph, ED_TEST_DRIVER_DIR), 0);
  char file[512];
  snprintf(file, sizeof(file), "%s/collect-fleet.json", ED_TEST_TMPDIR);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fputs("{\"name\": \"one\", \"devices\": {\"b\": {\"driver\": \"redfish\", "
        "\"auth\": \"basic\", \"sim\": {}, \"labels\": {\"role\": \"db\"}}}}",
        f);
  fclose(f);
  ed_scenario_drivers_t drivers;
  ed_plugin_host_scenario_drivers(x->ph, &drivers);
  ed_diag_t diag;
  ed_diag_init(&diag);
  assert_int_equal(ed_inventory_load(file, &drivers, &diag, &x->inv), 0);
  ed_diag_close(&diag);
  assert_int_equal(
      ed_fleet_init(&x->fleet, &x->loop, x->ph, file, x->inv->targets, 1, NULL),
      0);
  assert_int_equal(ed_fleet_open(&x->fleet, 0), 0);
  ed_fleet_start(&x->fleet, on_started, x);
  while (!x->started)
    uv_run(&x->loop, UV_RUN_ONCE);
  ed_fleet_target_t *t = &x->fleet.targets[0];
  assert_true(t->started);
  x->pt = (ed_probe_target_t){t->spec, t->drv, t->state, t->sim};
  assert_int_equal(
      ed_probe_host_init(&x->probes, &x->loop, x->ph, &x->pt, 1, 1, file), 0);
  *state = x;
  return 0;
}

static void on_stopped(ed_fleet_t *f, void *arg) {
  (void)f;
  ((fixture_t *)arg)->started = 0;
}

static int teardown(void **state) {
  fixture_t *x = *state;
  ed_probe_host_close(&x->probes);
  ed_fleet_stop(&x->fleet, on_stopped, x);
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
  ((fixture_t *)arg)->snap = snap;
}

static json_t *collect(fixture_t *x, const ed_collect_opts_t *o) {
  x->snap = NULL;
  assert_int_equal(
      ed_collect_device(&x->probes, &x->fleet.targets[0], o, on_snapshot, x),
      0);
  while (!x->snap)
    uv_run(&x->loop, UV_RUN_ONCE);
  return x->snap;
}

static json_int_t requests(const json_t *s) {
  return json_integer_value(json_object_get(s, "requests"));
}

static void sim(fixture_t *x, const char *cmd) {
  char err[256];
  json_t *c = json_loads(cmd, 0, NULL);
  assert_non_null(c);
  int rc = ed_sim_control(x->fleet.targets[0].sim, c, err, sizeof(err));
  if (rc != 0)
    fprintf(stderr, "%s: %s\n", cmd, err);
  assert_int_equal(rc, 0);
  json_decref(c);
}

/* A full collection reads every part of the simulated BMC. */
static void test_full(void **state) {
  fixture_t *x = *state;
  ed_collect_opts_t o;
  ed_collect_opts_default(&o, 1);
  o.latency_samples = 4;
  json_t *s = collect(x, &o);
  assert_true(json_is_true(json_object_get(s, "reachable")));
  assert_string_equal(json_string_value(json_object_get(s, "power")), "on");
  assert_int_equal(json_array_size(json_object_get(s, "health")), 3);
  assert_int_equal(json_array_size(json_object_get(s, "psus")), 2);
  assert_true(json_array_size(json_object_get(s, "sensors")) >= 5);
  assert_non_null(json_object_get(json_object_get(s, "firmware"), "bmc"));
  assert_true(json_number_value(json_object_get(s, "clock_offset_s")) < 2.0);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(s, "latency_ms"), "samples")),
                   5);
  assert_null(json_object_get(s, "gaps"));
  json_decref(s);
}

/* With a memo, the second poll reads only the leaves found by the first,
 * and a new log entry costs one more request. */
static void test_memo(void **state) {
  fixture_t *x = *state;
  ed_collect_opts_t o;
  ed_collect_opts_default(&o, 0);
  o.memo = 1;
  json_t *first = collect(x, &o);
  json_t *second = collect(x, &o);
  json_t *third = collect(x, &o);
  assert_true(requests(second) < requests(first));
  assert_int_equal(requests(third), requests(second));
  /* root, system, chassis, manager, thermal, power, the log entries */
  assert_int_equal(requests(second), 7);
  assert_int_equal(json_array_size(json_object_get(second, "psus")), 2);
  assert_true(json_equal(json_object_get(first, "sensors"),
                         json_object_get(second, "sensors")));
  assert_true(json_equal(json_object_get(first, "health"),
                         json_object_get(second, "health")));
  sim(x, "{\"op\": \"sel\", \"severity\": \"Critical\", \"message\": "
         "\"PSU2 failure detected\"}");
  sim(x, "{\"op\": \"sensor\", \"name\": \"CPU1 Temp\", \"value\": 88}");
  sim(x, "{\"op\": \"patch\", \"path\": \"/redfish/v1/Chassis/1/Power\", "
         "\"pointer\": \"/PowerSupplies/1/Status/Health\", \"value\": "
         "\"Critical\"}");
  json_t *fourth = collect(x, &o);
  assert_int_equal(requests(fourth), requests(second) + 1);
  json_t *log = json_object_get(fourth, "log");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(log, 0), "message")),
      "PSU2 failure detected");
  /* A power supply failing during the watch is seen at the next poll. */
  json_t *psu2 = json_array_get(json_object_get(fourth, "psus"), 1);
  assert_string_equal(json_string_value(json_object_get(psu2, "health")),
                      "Critical");
  json_t *cpu = json_array_get(json_object_get(fourth, "sensors"), 0);
  assert_int_equal((int)json_number_value(json_object_get(cpu, "reading")), 88);
  json_decref(first);
  json_decref(second);
  json_decref(third);
  json_decref(fourth);
}

/* A device that goes down is unreachable, with the reason; when it comes
 * back the memo still serves. */
static void test_down_and_back(void **state) {
  fixture_t *x = *state;
  ed_collect_opts_t o;
  ed_collect_opts_default(&o, 0);
  o.memo = 1;
  o.timeout_ms = 1000;
  json_decref(collect(x, &o));
  sim(x, "{\"op\": \"down\", \"bmc\": \"all\"}");
  json_t *s = collect(x, &o);
  assert_true(json_is_false(json_object_get(s, "reachable")));
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(s, "error"), "class")),
      "connect");
  json_decref(s);
  sim(x, "{\"op\": \"up\", \"bmc\": \"all\"}");
  s = collect(x, &o);
  assert_true(json_is_true(json_object_get(s, "reachable")));
  assert_non_null(json_object_get(s, "sensors"));
  json_decref(s);
}

static void on_snapshot_counted(void *arg, json_t *snap) {
  fixture_t *x = arg;
  x->calls++;
  json_decref(x->snap);
  x->snap = snap;
}

/* The simulated BMC has answered the service root and one more read
 * (so the root's answer was taken), and holds another. */
static int walking(fixture_t *x) {
  json_t *st = ed_sim_status(x->fleet.targets[0].sim);
  json_t *bmc = json_array_get(json_object_get(st, "bmcs"), 0);
  int yes = json_integer_value(json_object_get(bmc, "served")) >= 2 &&
            json_integer_value(json_object_get(bmc, "in_flight")) >= 1;
  json_decref(st);
  return yes;
}

/* Stopping the target cancels its collection: the reads in flight come
 * back cancelled, nothing more is sent, and the answer comes once, with
 * what was read. */
static void test_stop_cancels(void **state) {
  fixture_t *x = *state;
  sim(x, "{\"op\": \"knobs\", \"bmc\": \"all\", \"latency\": \"50ms\"}");
  ed_collect_opts_t o;
  ed_collect_opts_default(&o, 1);
  x->snap = NULL;
  x->calls = 0;
  assert_int_equal(ed_collect_device(&x->probes, &x->fleet.targets[0], &o,
                                     on_snapshot_counted, x),
                   0);
  /* until the walk has gone past the service root, reads in flight */
  while (!x->snap && !walking(x))
    uv_run(&x->loop, UV_RUN_ONCE);
  assert_null(x->snap);
  ed_fleet_stop(&x->fleet, on_stopped, x);
  while (x->started || x->probes.in_flight)
    uv_run(&x->loop, UV_RUN_ONCE);
  uv_run(&x->loop, UV_RUN_NOWAIT);
  assert_int_equal(x->calls, 1);
  json_t *s = x->snap;
  x->snap = NULL;
  assert_true(json_is_true(json_object_get(s, "reachable")));
  json_t *g;
  size_t i, cancelled = 0;
  json_array_foreach(json_object_get(s, "gaps"), i, g) {
    cancelled += strstr(json_string_value(g), "cancelled") != NULL;
  }
  assert_true(cancelled > 0);
  /* far fewer reads than a whole walk (23 on the simulated BMC) */
  assert_true(json_integer_value(json_object_get(s, "requests")) < 23);
  json_decref(s);
  x->started = 1; /* as teardown expects: it stops the fleet again */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_full, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memo, setup, teardown),
      cmocka_unit_test_setup_teardown(test_down_and_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stop_cancels, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
