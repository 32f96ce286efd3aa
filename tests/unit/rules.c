/* Inspection rules (core/inspect/rules.c) on hand-made snapshots: each
 * rule's boundary, the ranking, tuning and added rules, and the rules
 * file's errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "rules.h"

/* A healthy Redfish snapshot; tests change what they need. */
static json_t *healthy(const char *device) {
  json_t *s = json_pack(
      "{s:s,s:s,s:b,s:s,s:{s:f,s:f},s:f,s:[{s:s,s:s,s:s,s:s,s:s}],"
      "s:[{s:s,s:s,s:s},{s:s,s:s,s:s}],s:[{s:s,s:s,s:s}],"
      "s:[{s:s,s:s,s:f,s:s,s:f,s:f,s:n,s:n,s:s}],s:{s:s,s:s},s:[]}",
      "device", device, "driver", "redfish", "reachable", 1, "power", "on",
      "latency_ms", "p50", 2.0, "p99", 4.0, "clock_offset_s", 0.5, "health",
      "component", "Systems/1", "kind", "system", "health", "OK", "rollup",
      "OK", "state", "Enabled", "psus", "name", "PSU1", "health", "OK", "state",
      "Enabled", "name", "PSU2", "health", "OK", "state", "Enabled",
      "redundancy", "name", "PSU Redundancy", "health", "OK", "state",
      "Enabled", "sensors", "name", "CPU1 Temp", "kind", "temperature",
      "reading", 46.0, "unit", "C", "upper_warning", 85.0, "upper_critical",
      90.0, "lower_warning", "lower_critical", "health", "OK", "firmware",
      "bmc", "3.2.0", "bios", "2.4.1", "log");
  assert_non_null(s);
  return s;
}

static json_t *eval(ed_rules_t *r, json_t *snaps) {
  json_t *f = ed_rules_evaluate(r, snaps);
  json_decref(snaps);
  return f;
}

/* The severity of rule on device among findings, or NULL. */
static const char *found(const json_t *findings, const char *device,
                         const char *rule) {
  json_t *f;
  size_t i;
  json_array_foreach((json_t *)findings, i, f) {
    if (!strcmp(json_string_value(json_object_get(f, "device")), device) &&
        !strcmp(json_string_value(json_object_get(f, "rule")), rule))
      return json_string_value(json_object_get(f, "severity"));
  }
  return NULL;
}

static ed_rules_t *builtin(void) {
  ed_diag_t diag;
  ed_diag_init(&diag);
  ed_rules_t *r = NULL;
  assert_int_equal(ed_rules_create(NULL, &diag, &r), 0);
  ed_diag_close(&diag);
  return r;
}

static void set_reading(json_t *s, double v) {
  json_object_set_new(json_array_get(json_object_get(s, "sensors"), 0),
                      "reading", json_real(v));
}

static void test_healthy_fleet_has_no_finding(void **state) {
  (void)state;
  ed_rules_t *r = builtin();
  json_t *f =
      eval(r, json_pack("[o,o,o]", healthy("a"), healthy("b"), healthy("c")));
  assert_int_equal(json_array_size(f), 0);
  json_decref(f);
  ed_rules_destroy(r);
}

static void test_sensor_levels(void **state) {
  (void)state;
  ed_rules_t *r = builtin();
  json_t *near = healthy("near"), *edge = healthy("edge");
  json_t *warn = healthy("warn"), *crit = healthy("crit");
  set_reading(near, 77.0); /* 9.4 % under 85: inside the 10 % margin */
  set_reading(edge, 76.0); /* 10.6 % under: outside */
  set_reading(warn, 85.0); /* at the warning threshold */
  set_reading(crit, 90.0); /* at the critical one */
  json_t *f = eval(r, json_pack("[o,o,o,o]", near, edge, warn, crit));
  assert_string_equal(found(f, "near", "sensor-margin"), "warning");
  assert_null(found(f, "edge", "sensor-margin"));
  assert_string_equal(found(f, "warn", "sensor-warning"), "high");
  assert_null(found(f, "warn", "sensor-margin"));
  assert_string_equal(found(f, "crit", "sensor-critical"), "critical");
  assert_null(found(f, "crit", "sensor-warning"));
  /* Ranked by risk: critical first, then high, then warning. */
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(f, 0), "severity")),
      "critical");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(f, 2), "severity")),
      "warning");
  json_decref(f);
  ed_rules_destroy(r);
}

static void test_power_and_health(void **state) {
  (void)state;
  ed_rules_t *r = builtin();
  json_t *psu = healthy("psu"), *off = healthy("off");
  json_t *down = healthy("down"), *roll = healthy("roll");
  json_object_set_new(json_array_get(json_object_get(psu, "psus"), 1), "health",
                      json_string("Critical"));
  json_object_set_new(off, "power", json_string("off"));
  json_object_set_new(down, "reachable", json_false());
  json_object_set_new(
      down, "error",
      json_pack("{s:s,s:s}", "class", "connect", "detail", "refused"));
  json_object_set_new(json_array_get(json_object_get(roll, "health"), 0),
                      "rollup", json_string("Warning"));
  json_t *f = eval(r, json_pack("[o,o,o,o]", psu, off, down, roll));
  assert_string_equal(found(f, "psu", "psu-failed"), "critical");
  assert_string_equal(found(f, "psu", "psu-redundancy"), "high");
  assert_string_equal(found(f, "off", "power-off"), "warning");
  assert_string_equal(found(f, "down", "unreachable"), "critical");
  assert_string_equal(found(f, "roll", "health-warning"), "warning");
  assert_null(found(f, "roll", "health-critical"));
  json_decref(f);
  ed_rules_destroy(r);
}

/* The detail of rule on device among findings, or NULL. */
static const char *detail_of(const json_t *findings, const char *device,
                             const char *rule) {
  json_t *f;
  size_t i;
  json_array_foreach((json_t *)findings, i, f) {
    if (!strcmp(json_string_value(json_object_get(f, "device")), device) &&
        !strcmp(json_string_value(json_object_get(f, "rule")), rule))
      return json_string_value(json_object_get(f, "detail"));
  }
  return NULL;
}

/* Supplies are counted for redundancy per list they were given in: one
 * supply published in two lists (two generations of resources) is not two
 * supplies, while two in one list with one failed is no redundancy. */
static void test_psu_lists(void **state) {
  (void)state;
  ed_rules_t *r = builtin();
  json_t *twice = healthy("twice"), *one = healthy("one");
  json_t *p = json_object_get(twice, "psus");
  json_object_set_new(json_array_get(p, 0), "listed_in",
                      json_string("Chassis/1U/Power"));
  json_object_set_new(json_array_get(p, 1), "listed_in",
                      json_string("Chassis/1U/PowerSubsystem/PowerSupplies"));
  json_object_set_new(json_array_get(p, 1), "health", json_string("Warning"));
  p = json_object_get(one, "psus");
  for (size_t i = 0; i < 2; i++)
    json_object_set_new(json_array_get(p, i), "listed_in",
                        json_string("Chassis/1U/Power"));
  json_object_set_new(json_array_get(p, 1), "health", json_string("Critical"));
  json_t *f = eval(r, json_pack("[o,o]", twice, one));
  assert_null(found(f, "twice", "psu-redundancy"));
  assert_string_equal(found(f, "twice", "psu-failed"), "critical");
  assert_string_equal(detail_of(f, "one", "psu-redundancy"),
                      "1 of 2 power supplies healthy in Chassis/1U/Power: no "
                      "redundancy left");
  json_decref(f);
  ed_rules_destroy(r);
}

static void test_fleet_rules(void **state) {
  (void)state;
  ed_rules_t *r = builtin();
  json_t *old = healthy("old"), *slow = healthy("slow");
  json_t *late = healthy("late"), *logged = healthy("logged");
  json_object_set_new(json_object_get(old, "firmware"), "bmc",
                      json_string("2.9.0"));
  json_object_set_new(slow, "latency_ms",
                      json_pack("{s:f,s:f}", "p50", 30.0, "p99", 40.0));
  json_object_set_new(late, "clock_offset_s", json_real(-5.5));
  json_array_append_new(json_object_get(logged, "log"),
                        json_pack("{s:s,s:f,s:s}", "severity", "Critical",
                                  "age_s", 60.0, "message", "PSU2 lost"));
  json_array_append_new(json_object_get(logged, "log"),
                        json_pack("{s:s,s:f,s:s}", "severity", "Critical",
                                  "age_s", 90000.0, "message", "old"));
  json_t *f =
      eval(r, json_pack("[o,o,o,o,o]", old, slow, late, logged, healthy("ok")));
  assert_string_equal(found(f, "old", "firmware-outlier"), "warning");
  assert_null(found(f, "ok", "firmware-outlier"));
  /* 30 ms is 15 times the fleet's median of 2 ms, over the 20 ms floor. */
  assert_string_equal(found(f, "slow", "slow-device"), "warning");
  assert_null(found(f, "ok", "slow-device"));
  assert_string_equal(found(f, "late", "clock-drift"), "warning");
  assert_string_equal(found(f, "logged", "log-critical"), "high");
  json_t *x;
  size_t i;
  json_array_foreach(f, i, x) {
    if (!strcmp(json_string_value(json_object_get(x, "rule")), "log-critical"))
      assert_non_null(strstr(json_string_value(json_object_get(x, "detail")),
                             "1 Critical"));
  }
  json_decref(f);
  ed_rules_destroy(r);
}

static ed_rules_t *from_text(const char *text, ed_diag_t *diag, int *rc) {
  char path[512];
  snprintf(path, sizeof(path), "%s/rules-test.json", ED_RULES_TMPDIR);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  ed_rules_t *r = NULL;
  *rc = ed_rules_create(path, diag, &r);
  return r;
}

/* An offset within its uncertainty (a clock of whole seconds, the round
 * trip) is no drift, however tight max_s; beyond it, it is. */
static void test_clock_uncertainty(void **state) {
  (void)state;
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc;
  ed_rules_t *r = from_text("{\"rules\": {\"clock-drift\": {\"max_s\": 0.25}}}",
                            &diag, &rc);
  assert_int_equal(rc, 0);
  json_t *sync = healthy("sync"), *off = healthy("off");
  json_object_set_new(sync, "clock_offset_s", json_real(-0.6));
  json_object_set_new(sync, "clock_uncertainty_s", json_real(0.51));
  json_object_set_new(off, "clock_offset_s", json_real(-0.9));
  json_object_set_new(off, "clock_uncertainty_s", json_real(0.51));
  json_t *f = eval(r, json_pack("[o,o]", sync, off));
  assert_null(found(f, "sync", "clock-drift"));
  assert_string_equal(found(f, "off", "clock-drift"), "warning");
  json_t *x;
  size_t i;
  json_array_foreach(f, i, x) {
    if (!strcmp(json_string_value(json_object_get(x, "rule")), "clock-drift"))
      assert_non_null(strstr(json_string_value(json_object_get(x, "detail")),
                             "-0.9 s (± 0.5 s)"));
  }
  json_decref(f);
  ed_rules_destroy(r);
  ed_diag_close(&diag);
}

static void test_tuned_and_added(void **state) {
  (void)state;
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc;
  ed_rules_t *r = from_text(
      "{\"rules\": {\"clock-drift\": {\"max_s\": 0.25, \"severity\": "
      "\"high\"}, \"power-off\": {\"enabled\": false}},"
      " \"add\": [{\"id\": \"pinned\", \"title\": \"t\", \"measure\": \"m\","
      " \"pointer\": \"/firmware/bios\", \"match\": \"^2\\\\.4\"}]}",
      &diag, &rc);
  assert_int_equal(rc, 0);
  assert_int_equal(diag.count, 0);
  json_t *off = healthy("off");
  json_object_set_new(off, "power", json_string("off"));
  json_t *f = eval(r, json_pack("[o]", off));
  assert_string_equal(found(f, "off", "clock-drift"), "high");
  assert_null(found(f, "off", "power-off"));
  assert_string_equal(found(f, "off", "pinned"), "warning");
  json_decref(f);
  ed_rules_destroy(r);
  ed_diag_close(&diag);
}

static void test_file_errors(void **state) {
  (void)state;
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc;
  ed_rules_t *r = from_text("{\n \"rules\": {\"slow-devise\": {}},\n"
                            " \"add\": [{\"id\": \"unreachable\", \"title\": "
                            "\"t\", \"measure\": \"m\", \"pointer\": \"/x\","
                            " \"above\": \"high\"}],\n \"extra\": 1\n}",
                            &diag, &rc);
  assert_null(r);
  assert_int_equal(rc, ED_EPARSE);
  assert_int_equal(diag.count, 4);
  char all[2048] = "";
  for (size_t i = 0; i < diag.count; i++) {
    strcat(all, diag.entries[i].path);
    strcat(all, ": ");
    strcat(all, diag.entries[i].message);
    strcat(all, "\n");
  }
  assert_non_null(strstr(all, "rules.slow-devise: unknown rule \"slow-devise\" "
                              "(did you mean \"slow-device\"?)"));
  assert_non_null(
      strstr(all, "add[0].id: rule \"unreachable\" already exists"));
  assert_non_null(strstr(all, "add[0].above: expected a number, got a string"));
  assert_non_null(strstr(all, "extra: unknown key \"extra\""));
  for (size_t i = 0; i < diag.count; i++)
    if (!strcmp(diag.entries[i].path, "rules.slow-devise"))
      assert_int_equal(diag.entries[i].line, 2);
  ed_diag_close(&diag);
}

/* An added rule's "match" has the limits of every user pattern: one that
 * expands too far is refused with the file's errors; a value it cannot be
 * matched against within the limits is a finding that says so, never a
 * silent pass. */
static void test_match_limits(void **state) {
  (void)state;
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc;
  ed_rules_t *r = from_text(
      "{\"add\": [{\"id\": \"nested\", \"title\": \"t\", \"measure\": \"m\","
      " \"pointer\": \"/firmware/bios\", \"match\": "
      "\"((a{1,255}){1,255}){1,255}\"}]}",
      &diag, &rc);
  assert_null(r);
  assert_int_equal(rc, ED_EPARSE);
  assert_int_equal(diag.count, 1);
  assert_string_equal(diag.entries[0].path, "add[0].match");
  assert_non_null(strstr(diag.entries[0].message,
                         "not a valid regular expression: too large once "
                         "compiled"));
  ed_diag_close(&diag);

  ed_diag_init(&diag);
  r = from_text("{\"add\": [{\"id\": \"slow\", \"title\": \"t\", \"measure\":"
                " \"m\", \"pointer\": \"/firmware/bios\", \"match\": "
                "\"^(a|aa)+$\"}]}",
                &diag, &rc);
  assert_int_equal(rc, 0);
  json_t *bad = healthy("bad"), *fine = healthy("fine");
  json_object_set_new(json_object_get(bad, "firmware"), "bios",
                      json_string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"));
  json_object_set_new(json_object_get(fine, "firmware"), "bios",
                      json_string("aaaa"));
  json_t *f = eval(r, json_pack("[o,o]", bad, fine));
  assert_string_equal(found(f, "bad", "slow"), "warning");
  assert_string_equal(found(f, "fine", "slow"), "warning");
  char *text = json_dumps(f, JSON_COMPACT);
  assert_non_null(strstr(text, "could not be judged: matching stopped at its "
                               "limit"));
  free(text);
  json_decref(f);
  ed_rules_destroy(r);
  ed_diag_close(&diag);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_healthy_fleet_has_no_finding),
      cmocka_unit_test(test_sensor_levels),
      cmocka_unit_test(test_power_and_health),
      cmocka_unit_test(test_psu_lists),
      cmocka_unit_test(test_fleet_rules),
      cmocka_unit_test(test_tuned_and_added),
      cmocka_unit_test(test_clock_uncertainty),
      cmocka_unit_test(test_file_errors),
      cmocka_unit_test(test_match_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
