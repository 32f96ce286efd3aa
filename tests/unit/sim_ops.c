/*
 * Unit tests of the operator's commands on one virtual BMC (sim/ops.h) and
 * of what the BMC then serves (sim/live.h), through ed__service_handle()
 * with no socket and explicit times: sensor readings, jumps and drift,
 * health that follows thresholds and rolls up to chassis and system, SEL
 * entries and clearing, patches by JSON pointer and their refusals, the
 * manager's clock with an offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bmc.h"
#include "error.h"
#include "mockup.h"
#include "ops.h"
#include "sensors.h"
#include "service.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_fixture.h"

#define THERMAL "/redfish/v1/Chassis/1/Thermal"
#define POWER "/redfish/v1/Chassis/1/Power"
#define CHASSIS "/redfish/v1/Chassis/1"
#define SYSTEM "/redfish/v1/Systems/1"
#define MANAGER "/redfish/v1/Managers/1"
#define ENTRIES MANAGER "/LogServices/SEL/Entries"

/* GET path at now; the body, parsed (caller decrefs). */
static json_t *get(fx_t *f, const char *path, int64_t now) {
  assert_int_equal(call(f, "GET", path, NULL, now), 200);
  return body(f);
}

/* The element of array key named name in j (borrowed). */
static json_t *named(json_t *j, const char *key, const char *name) {
  size_t i;
  json_t *el;
  json_array_foreach(json_object_get(j, key), i, el) {
    if (strcmp(str_at(el, "Name"), name) == 0)
      return el;
  }
  fail_msg("no %s named %s", key, name);
  return NULL;
}

static const char *health(json_t *obj, const char *key) {
  return str_at(json_object_get(obj, "Status"), key);
}

static void sensor_value(fx_t *f, const char *name, double v, int64_t now) {
  ed__sensor_cmd_t c = {.name = name, .has_value = true, .value = v};
  char err[256] = "";
  assert_int_equal(ed__ops_sensor(f->s, &c, now, err, sizeof(err)), 0);
}

/* Reading and health of a sensor of array key in resource path. */
static double reading(fx_t *f, const char *path, const char *key,
                      const char *rkey, const char *name, int64_t now,
                      char hbuf[16]) {
  json_t *j = get(f, path, now);
  json_t *el = named(j, key, name);
  double v = json_number_value(json_object_get(el, rkey));
  snprintf(hbuf, 16, "%s", health(el, "Health"));
  json_decref(j);
  return v;
}

static void expect_rollups(fx_t *f, const char *want, int64_t now) {
  json_t *c = get(f, CHASSIS, now);
  assert_string_equal(health(c, "HealthRollup"), want);
  assert_string_equal(health(c, "Health"), "OK"); /* its own stays */
  json_decref(c);
  json_t *s = get(f, SYSTEM, now);
  assert_string_equal(health(s, "HealthRollup"), want);
  json_decref(s);
}

/* ---- sensors ----------------------------------------------------------- */

static void test_sensor_health_follows_thresholds(void **state) {
  fx_t *f = *state;
  char h[16];
  /* CPU1 Temp: NonCritical 85, Critical 90, Fatal 95. */
  static const struct {
    double v;
    const char *health;
  } temps[] = {{84.9, "OK"},     {85, "Warning"},  {89.5, "Warning"},
               {90, "Critical"}, {97, "Critical"}, {46, "OK"}};
  for (size_t i = 0; i < sizeof(temps) / sizeof(temps[0]); i++) {
    sensor_value(f, "CPU1 Temp", temps[i].v, 10);
    double v = reading(f, THERMAL, "Temperatures", "ReadingCelsius",
                       "CPU1 Temp", 10, h);
    assert_true(fabs(v - temps[i].v) < 1e-9);
    assert_string_equal(h, temps[i].health);
    expect_rollups(f, temps[i].health, 10);
  }
  /* Fans: lower thresholds (NonCritical 1500, Critical 1000). */
  sensor_value(f, "Fan2", 1400, 20);
  reading(f, THERMAL, "Fans", "Reading", "Fan2", 20, h);
  assert_string_equal(h, "Warning");
  sensor_value(f, "Fan2", 1000, 20);
  reading(f, THERMAL, "Fans", "Reading", "Fan2", 20, h);
  assert_string_equal(h, "Critical");
  expect_rollups(f, "Critical", 20);
  sensor_value(f, "Fan2", 7000, 20);
  expect_rollups(f, "OK", 20);
  /* Voltages, in Power: Critical on either side, the rest untouched. */
  sensor_value(f, "P12V", 13.5, 30);
  assert_true(reading(f, POWER, "Voltages", "ReadingVolts", "P12V", 30, h) ==
              13.5);
  assert_string_equal(h, "Critical");
  expect_rollups(f, "Critical", 30);
  sensor_value(f, "P12V", 10.8, 30);
  reading(f, POWER, "Voltages", "ReadingVolts", "P12V", 30, h);
  assert_string_equal(h, "Critical");
  sensor_value(f, "P12V", 12.1, 30);
  reading(f, POWER, "Voltages", "ReadingVolts", "P12V", 30, h);
  assert_string_equal(h, "OK");
  expect_rollups(f, "OK", 30);
  /* The thresholds themselves are served as the mockup wrote them. */
  json_t *p = get(f, POWER, 30);
  json_t *v = named(p, "Voltages", "P12V");
  assert_true(json_real_value(json_object_get(v, "UpperThresholdCritical")) ==
              13.2);
  assert_non_null(strstr(f->r.body, "13.2,"));
  json_decref(p);
}

static void test_sensor_jump_and_drift(void **state) {
  fx_t *f = *state;
  char h[16], err[256];
  ed__sensor_cmd_t jump = {.name = "CPU1 Temp", .has_jump = true, .jump = 20};
  assert_int_equal(ed__ops_sensor(f->s, &jump, 1000, err, sizeof(err)), 0);
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU1 Temp",
                      1000, h) == 66);
  /* 0.5 per second from t = 1000 ms. */
  ed__sensor_cmd_t drift = {
      .name = "CPU1 Temp", .has_drift = true, .drift = 0.5};
  assert_int_equal(ed__ops_sensor(f->s, &drift, 1000, err, sizeof(err)), 0);
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU1 Temp",
                      1500, h) == 66.25);
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU1 Temp",
                      41000, h) == 86);
  assert_string_equal(h, "Warning");
  expect_rollups(f, "Warning", 41000);
  /* The ETag moves with the reading. */
  assert_int_equal(call(f, "GET", THERMAL, NULL, 41000), 200);
  char *etag = strdup(f->r.etag);
  assert_int_equal(call(f, "GET", THERMAL, NULL, 43000), 200);
  assert_string_not_equal(etag, f->r.etag);
  free(etag);
  /* A jump while drifting adds to the current reading, drift kept. */
  assert_int_equal(ed__ops_sensor(f->s, &jump, 41000, err, sizeof(err)), 0);
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU1 Temp",
                      43000, h) == 107);
  /* drift 0 stops it where it is. */
  drift.drift = 0;
  assert_int_equal(ed__ops_sensor(f->s, &drift, 43000, err, sizeof(err)), 0);
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU1 Temp",
                      900000, h) == 107);
  assert_string_equal(h, "Critical");
  /* Downwards: a fan slowing by 100 RPM a second. */
  ed__sensor_cmd_t slow = {.name = "Fan3",
                           .has_value = true,
                           .value = 1600,
                           .has_drift = true,
                           .drift = -100};
  assert_int_equal(ed__ops_sensor(f->s, &slow, 0, err, sizeof(err)), 0);
  assert_true(reading(f, THERMAL, "Fans", "Reading", "Fan3", 500, h) == 1550);
  assert_string_equal(h, "OK");
  assert_true(reading(f, THERMAL, "Fans", "Reading", "Fan3", 2000, h) == 1400);
  assert_string_equal(h, "Warning");
  /* Other sensors keep the mockup's reading. */
  assert_true(reading(f, THERMAL, "Temperatures", "ReadingCelsius", "CPU2 Temp",
                      2000, h) == 44);
}

static void test_sensor_errors(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  size_t before = ed__service_footprint(f->s);
  ed__sensor_cmd_t c = {.name = "CPU9 Temp", .has_value = true, .value = 1};
  assert_int_equal(ed__ops_sensor(f->s, &c, 0, err, sizeof(err)), ED_EINVAL);
  assert_non_null(strstr(err, "name: "));
  assert_non_null(strstr(err, "'CPU9 Temp'"));
  assert_int_equal(ed__service_footprint(f->s), before);
  /* A reading that is not a number cannot be jumped from. */
  json_t *null = json_null();
  assert_int_equal(
      ed__ops_patch(f->s, THERMAL, "/Fans/0/Reading", null, err, sizeof(err)),
      0);
  json_decref(null);
  ed__sensor_cmd_t j = {.name = "Fan1", .has_jump = true, .jump = 5};
  assert_int_equal(ed__ops_sensor(f->s, &j, 0, err, sizeof(err)), ED_EINVAL);
  assert_non_null(strstr(err, "jump: sensor 'Fan1' has no numeric Reading"));
  /* ...but can be given a value. */
  ed__sensor_cmd_t v = {.name = "Fan1", .has_value = true, .value = 900};
  assert_int_equal(ed__ops_sensor(f->s, &v, 0, err, sizeof(err)), 0);
  char h[16];
  assert_true(reading(f, THERMAL, "Fans", "Reading", "Fan1", 0, h) == 900);
  assert_string_equal(h, "Critical");
}

/* ---- SEL --------------------------------------------------------------- */

/* Seconds between an ISO 8601 UTC time and now (+ offset_s). */
static double skew(const char *iso, double offset_s) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  assert_non_null(iso);
  assert_int_equal(strlen(iso), 25);
  assert_string_equal(iso + 19, "+00:00");
  const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
  assert_non_null(end);
  return difftime(timegm(&tm), time(NULL)) - offset_s;
}

static void test_sel_add_and_clear(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  json_t *c = get(f, ENTRIES, 0);
  assert_int_equal(
      json_integer_value(json_object_get(c, "Members@odata.count")), 1);
  json_decref(c);
  assert_int_equal(ed__ops_sel(f->s, false, ED__HEALTH_CRITICAL,
                               "PSU2 failure detected", err, sizeof(err)),
                   0);
  assert_int_equal(ed__ops_sel(f->s, false, ED__HEALTH_WARNING,
                               "Fan3 below its lower threshold", err,
                               sizeof(err)),
                   0);
  c = get(f, ENTRIES, 0);
  json_t *mem = json_object_get(c, "Members");
  assert_int_equal(
      json_integer_value(json_object_get(c, "Members@odata.count")), 3);
  assert_int_equal(json_array_size(mem), 3);
  assert_string_equal(str_at(json_array_get(mem, 1), "@odata.id"),
                      ENTRIES "/2");
  json_decref(c);
  json_t *e = get(f, ENTRIES "/2", 0);
  assert_string_equal(str_at(e, "Id"), "2");
  assert_string_equal(str_at(e, "EntryType"), "SEL");
  assert_string_equal(str_at(e, "Severity"), "Critical");
  assert_string_equal(str_at(e, "Message"), "PSU2 failure detected");
  assert_string_equal(str_at(e, "@odata.type"), "#LogEntry.v1_9_0.LogEntry");
  assert_true(fabs(skew(str_at(e, "Created"), 0)) <= 2);
  json_decref(e);
  e = get(f, ENTRIES "/3", 0);
  assert_string_equal(str_at(e, "Severity"), "Warning");
  json_decref(e);
  /* Clear: the mockup's entry goes too; clear and add in one command. */
  assert_int_equal(ed__ops_sel(f->s, true, 0, NULL, err, sizeof(err)), 0);
  c = get(f, ENTRIES, 0);
  assert_int_equal(
      json_integer_value(json_object_get(c, "Members@odata.count")), 0);
  json_decref(c);
  assert_int_equal(call(f, "GET", ENTRIES "/2", NULL, 0), 404);
  assert_int_equal(
      ed__ops_sel(f->s, true, ED__HEALTH_OK, "fresh start", err, sizeof(err)),
      0);
  c = get(f, ENTRIES, 0);
  assert_int_equal(
      json_integer_value(json_object_get(c, "Members@odata.count")), 1);
  assert_string_equal(
      str_at(json_array_get(json_object_get(c, "Members"), 0), "@odata.id"),
      ENTRIES "/4");
  json_decref(c);
}

/* ---- patch ------------------------------------------------------------- */

static void test_patch_sets_by_pointer(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  assert_int_equal(call(f, "GET", POWER, NULL, 0), 200);
  char *etag = strdup(f->r.etag);
  json_t *crit = json_string("Critical");
  assert_int_equal(ed__ops_patch(f->s, POWER, "/PowerSupplies/1/Status/Health",
                                 crit, err, sizeof(err)),
                   0);
  json_t *p = get(f, POWER, 0);
  assert_string_not_equal(etag, f->r.etag);
  free(etag);
  assert_string_equal(health(named(p, "PowerSupplies", "PSU2"), "Health"),
                      "Critical");
  assert_string_equal(health(named(p, "PowerSupplies", "PSU1"), "Health"),
                      "OK");
  json_decref(p);
  /* The rollups see a failed PSU too. */
  expect_rollups(f, "Critical", 0);
  /* Redundancy lost, old firmware; a new key is created. */
  assert_int_equal(ed__ops_patch(f->s, POWER, "/Redundancy/0/Status/Health",
                                 crit, err, sizeof(err)),
                   0);
  json_t *old = json_string("3.1.0");
  assert_int_equal(
      ed__ops_patch(f->s, MANAGER, "/FirmwareVersion", old, err, sizeof(err)),
      0);
  json_t *yes = json_true(), *obj = json_object();
  assert_int_equal(
      ed__ops_patch(f->s, SYSTEM "/", "/Oem", obj, err, sizeof(err)), 0);
  json_decref(obj);
  assert_int_equal(
      ed__ops_patch(f->s, SYSTEM, "/Oem/a~1b~0c", yes, err, sizeof(err)), 0);
  assert_int_equal(
      ed__ops_patch(f->s, SYSTEM, "/Links/Chassis/-", old, err, sizeof(err)),
      0);
  json_t *m = get(f, MANAGER, 0);
  assert_string_equal(str_at(m, "FirmwareVersion"), "3.1.0");
  json_decref(m);
  json_t *s = get(f, SYSTEM, 0);
  assert_true(
      json_is_true(json_object_get(json_object_get(s, "Oem"), "a/b~c")));
  json_t *links = json_object_get(json_object_get(s, "Links"), "Chassis");
  assert_int_equal(json_array_size(links), 2);
  assert_string_equal(json_string_value(json_array_get(links, 1)), "3.1.0");
  json_decref(s);
  /* A client's read of the patched resource needs no special rights, and
   * the client's own PATCH still works over it. */
  assert_int_equal(call(f, "PATCH", SYSTEM, "{\"AssetTag\": \"rack-7\"}", 0),
                   200);
  s = body(f);
  assert_string_equal(str_at(s, "AssetTag"), "rack-7");
  assert_non_null(json_object_get(s, "Oem"));
  json_decref(s);
  json_decref(crit);
  json_decref(old);
  json_decref(yes);
}

static void patch_refused(fx_t *f, const char *path, const char *ptr,
                          const char *want) {
  char err[256] = "";
  json_t *v = json_string("x");
  assert_int_equal(ed__ops_patch(f->s, path, ptr, v, err, sizeof(err)),
                   ED_EINVAL);
  json_decref(v);
  if (strstr(err, want) == NULL)
    fail_msg("patch %s %s: '%s' does not say '%s'", path, ptr, err, want);
}

static void test_patch_refusals(void **state) {
  fx_t *f = *state;
  assert_int_equal(call(f, "GET", POWER, NULL, 0), 200);
  char *etag = strdup(f->r.etag);
  patch_refused(f, "/redfish/v1/Chassis/9", "/Name",
                "path: no resource at /redfish/v1/Chassis/9");
  patch_refused(f, POWER, "/Nope/Health", "pointer: /Nope: no such property");
  patch_refused(f, POWER, "/PowerSupplies/2/Status",
                "pointer: /PowerSupplies/2: no such element (the array has 2)");
  patch_refused(f, POWER, "/PowerSupplies/01/Status",
                "pointer: /PowerSupplies/01: expected an array index");
  patch_refused(f, POWER, "/PowerSupplies/7",
                "pointer: /PowerSupplies/7: no such element");
  patch_refused(f, POWER, "/Name/first", "pointer: /Name: not an object");
  patch_refused(f, POWER, "/Id/x/y", "pointer: /Id: not an object");
  patch_refused(f, POWER, "/a~2b", "'~' must be followed by 0 or 1");
  patch_refused(f, POWER, "Name", "pointer: expected a JSON pointer");
  patch_refused(f, POWER, "", "pointer: expected a JSON pointer");
  patch_refused(f, ENTRIES, "/Name", "use the \"sel\" command");
  patch_refused(f, "/redfish/v1/SessionService/Sessions", "/Name",
                "built from live state");
  /* Nothing was changed by any of them. */
  assert_int_equal(call(f, "GET", POWER, NULL, 0), 200);
  assert_string_equal(etag, f->r.etag);
  free(etag);
}

/* ---- the clock --------------------------------------------------------- */

static void expect_clock(fx_t *f, ed__service_t *s, double offset_s) {
  ed__sim_request_t q = {
      .method = "GET", .path = MANAGER, .authorization = BASIC_OK};
  ed__sim_response_free(&f->r);
  assert_int_equal(ed__service_handle(s, &q, 0, &f->r), 0);
  json_t *m = body(f);
  assert_true(fabs(skew(str_at(m, "DateTime"), offset_s)) <= 2);
  assert_string_equal(str_at(m, "DateTimeLocalOffset"), "+00:00");
  json_decref(m);
}

static void test_clock_offset(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  ed__service_t *other = NULL;
  assert_int_equal(ed__service_create(f->m, &cfg, &other), 0);
  size_t untouched = ed__service_footprint(other);
  /* No offset: the true time, and reading it allocates nothing. */
  expect_clock(f, f->s, 0);
  expect_clock(f, other, 0);
  assert_int_equal(ed__service_footprint(other), untouched);
  assert_int_equal(ed__ops_clock(other, 0), 0);
  assert_int_equal(ed__service_footprint(other), untouched);
  assert_int_equal(ed__ops_clock(f->s, 90000), 0);
  expect_clock(f, f->s, 90);
  expect_clock(f, other, 0);
  assert_int_equal(ed__ops_clock(f->s, -3600000), 0);
  expect_clock(f, f->s, -3600);
  /* The BMC stamps its SEL with its own clock. */
  assert_int_equal(
      ed__ops_sel(f->s, false, ED__HEALTH_OK, "clock test", err, sizeof(err)),
      0);
  json_t *e = get(f, ENTRIES "/2", 0);
  assert_true(fabs(skew(str_at(e, "Created"), -3600)) <= 2);
  json_decref(e);
  assert_int_equal(ed__ops_clock(f->s, 0), 0);
  expect_clock(f, f->s, 0);
  ed__service_destroy(other);
}

/* Another BMC on the same template sees none of it. */
static void test_isolation(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  ed__service_t *other = NULL;
  assert_int_equal(ed__service_create(f->m, &cfg, &other), 0);
  size_t untouched = ed__service_footprint(other);
  assert_true(untouched <= 128);
  sensor_value(f, "CPU1 Temp", 99, 0);
  json_t *v = json_string("Critical");
  assert_int_equal(ed__ops_patch(f->s, POWER, "/PowerSupplies/0/Status/Health",
                                 v, err, sizeof(err)),
                   0);
  json_decref(v);
  assert_int_equal(
      ed__ops_sel(f->s, false, ED__HEALTH_CRITICAL, "x", err, sizeof(err)), 0);
  assert_true(ed__service_footprint(f->s) > untouched);
  static const char *const paths[] = {THERMAL, POWER, CHASSIS, SYSTEM, ENTRIES};
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    ed__sim_request_t q = {
        .method = "GET", .path = paths[i], .authorization = BASIC_OK};
    ed__sim_response_t r;
    assert_int_equal(ed__service_handle(other, &q, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, ": \"Critical\""));
    assert_null(strstr(r.body, ": \"Warning\""));
    assert_null(strstr(r.body, "99"));
    ed__sim_response_free(&r);
  }
  assert_int_equal(ed__service_footprint(other), untouched);
  ed__service_destroy(other);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sensor_health_follows_thresholds,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_sensor_jump_and_drift, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sensor_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sel_add_and_clear, setup, teardown),
      cmocka_unit_test_setup_teardown(test_patch_sets_by_pointer, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_patch_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_clock_offset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
