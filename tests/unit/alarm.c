/* Alarm rules (core/watch/alarm.h) on hand-made snapshot sequences, and
 * the rules file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"
#include "error.h"

#define START 1800000000.0

/* The events seen, as "raise 1 sensor warning CPU1 Temp" lines. */
typedef struct rec_s {
  char lines[64][160];
  int n;
} rec_t;

static void on_event(void *arg, ed_alarm_ev_t ev, const ed_alarm_t *a) {
  rec_t *r = arg;
  assert_true(r->n < 64);
  static const char *const names[] = {"", "raise", "update", "clear", "ack"};
  snprintf(r->lines[r->n++], sizeof(r->lines[0]), "%s %u %s %s %s", names[ev],
           a->id, ed_alarm_kind_name(a->kind), ed_alarm_sev_name(a->severity),
           a->subject);
}

static ed_alarm_engine_t *engine(rec_t *r, const ed_alarm_rules_t *rules) {
  ed_alarm_rules_t def;
  ed_alarm_rules_default(&def);
  ed_alarm_engine_t *e;
  memset(r, 0, sizeof(*r));
  assert_int_equal(
      ed_alarm_engine_create(rules ? rules : &def, START, on_event, r, &e), 0);
  return e;
}

/* A reachable snapshot of dev at watch time t, with "extra" members. */
static json_t *snap(const char *dev, double t, json_t *extra) {
  json_t *s = json_pack("{s:s,s:f,s:b,s:i,s:{s:i,s:f,s:f}}", "device", dev,
                        "at", START + t, "reachable", 1, "requests", 6,
                        "latency_ms", "samples", 6, "p50", 3.0, "p99", 9.0);
  if (extra) {
    json_object_update(s, extra);
    json_decref(extra);
  }
  return s;
}

static json_t *down(const char *dev, double t) {
  return json_pack("{s:s,s:f,s:b,s:{s:s,s:s}}", "device", dev, "at", START + t,
                   "reachable", 0, "error", "class", "connect", "detail",
                   "connection refused");
}

static json_t *sensor(double reading) {
  return json_pack("{s:[{s:s,s:f,s:s,s:i,s:i,s:n,s:n,s:s}]}", "sensors", "name",
                   "CPU1 Temp", "reading", reading, "unit", "C",
                   "upper_warning", 85, "upper_critical", 90, "lower_warning",
                   "lower_critical", "health", "OK");
}

static void feed(ed_alarm_engine_t *e, json_t *s, double t) {
  assert_int_equal(ed_alarm_feed(e, s, t), 0);
  json_decref(s);
}

static void expect(const rec_t *r, int n, ...) {
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) {
    const char *want = va_arg(ap, const char *);
    if (i >= r->n)
      fail_msg("event %d missing: want \"%s\"", i, want);
    assert_string_equal(r->lines[i], want);
  }
  va_end(ap);
  if (r->n != n)
    fail_msg("%d events, expected %d (extra: \"%s\")", r->n, n,
             r->lines[r->n - 1]);
}

static void test_unreachable_two_polls(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  feed(e, snap("bmc1", 0, NULL), 0);
  feed(e, down("bmc1", 1), 1);
  assert_int_equal(r.n, 0); /* one refused poll: not yet */
  feed(e, down("bmc1", 2), 2);
  expect(&r, 1, "raise 1 unreachable critical ");
  const ed_alarm_t *a = ed_alarm_at(e, 0);
  assert_non_null(strstr(a->text, "connection refused"));
  assert_int_equal(ed_alarm_device_worst(e, "bmc1"), ED_ALARM_CRITICAL);
  feed(e, down("bmc1", 3), 3);
  assert_int_equal(r.n, 1); /* still down: no new event */
  feed(e, snap("bmc1", 4, NULL), 4);
  expect(&r, 2, "raise 1 unreachable critical ",
         "clear 1 unreachable critical ");
  assert_int_equal(ed_alarm_count(e), 0);
  ed_alarm_engine_destroy(e);
}

/* A blip (one refused poll between good ones) never raises. */
static void test_unreachable_blip(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  for (int i = 0; i < 6; i++)
    feed(e, i % 2 ? down("bmc1", i) : snap("bmc1", i, NULL), i);
  assert_int_equal(r.n, 0);
  ed_alarm_engine_destroy(e);
}

static void test_sensor_hold_update_clear(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL); /* sensor hold 10 s */
  feed(e, snap("bmc1", 0, sensor(46)), 0);
  feed(e, snap("bmc1", 5, sensor(86)), 5);
  feed(e, snap("bmc1", 10, sensor(87)), 10);
  assert_int_equal(r.n, 0); /* held 5 s only */
  feed(e, snap("bmc1", 15, sensor(87)), 15);
  expect(&r, 1, "raise 1 sensor warning CPU1 Temp");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "at or over warning "
                                                  "threshold 85"));
  assert_int_equal(ed_alarm_ack(e, 1, 16), 0);
  assert_true(ed_alarm_at(e, 0)->acked);
  /* Into the critical band: the same alarm, worse, acknowledgement taken
   * back. */
  feed(e, snap("bmc1", 20, sensor(91)), 20);
  expect(&r, 3, "raise 1 sensor warning CPU1 Temp",
         "ack 1 sensor warning CPU1 Temp",
         "update 1 sensor critical CPU1 Temp");
  assert_false(ed_alarm_at(e, 0)->acked);
  /* Unreachable for a while: the sensor alarm is neither cleared nor
   * touched. */
  feed(e, down("bmc1", 25), 25);
  assert_int_equal(r.n, 3);
  assert_int_equal(ed_alarm_count(e), 1);
  feed(e, snap("bmc1", 30, sensor(50)), 30);
  expect(&r, 4, "raise 1 sensor warning CPU1 Temp",
         "ack 1 sensor warning CPU1 Temp", "update 1 sensor critical CPU1 Temp",
         "clear 1 sensor critical CPU1 Temp");
  ed_alarm_engine_destroy(e);
}

/* A reading that goes back under before the hold is over starts over. */
static void test_sensor_short_spike(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  double t = 0;
  for (int i = 0; i < 10; i++, t += 5)
    feed(e, snap("bmc1", t, sensor(i % 2 ? 95 : 40)), t);
  assert_int_equal(r.n, 0);
  /* A snapshot without sensors (not read) keeps the pending time. */
  feed(e, snap("bmc1", t, sensor(95)), t);
  feed(e, snap("bmc1", t + 6, NULL), t + 6);
  feed(e, snap("bmc1", t + 11, sensor(95)), t + 11);
  expect(&r, 1, "raise 1 sensor critical CPU1 Temp");
  ed_alarm_engine_destroy(e);
}

static void test_sensor_lower_and_hold_zero(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_rules_t rules;
  ed_alarm_rules_default(&rules);
  rules.r[ED_ALARM_SENSOR].hold_ms = 0;
  ed_alarm_engine_t *e = engine(&r, &rules);
  json_t *fan = json_pack("{s:[{s:s,s:i,s:s,s:i,s:i}]}", "sensors", "name",
                          "Fan1", "reading", 300, "unit", "RPM",
                          "lower_warning", 1000, "lower_critical", 500);
  feed(e, snap("bmc1", 0, fan), 0);
  expect(&r, 1, "raise 1 sensor critical Fan1");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "at or under critical"));
  ed_alarm_engine_destroy(e);
}

static json_t *power(const char *p) {
  return json_pack("{s:s}", "power", p);
}

static void test_power(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  /* bmc2 is off from the start: known, not an alarm. */
  feed(e, snap("bmc2", 0, power("off")), 0);
  feed(e, snap("bmc2", 1, power("off")), 1);
  feed(e, snap("bmc1", 0, power("on")), 0);
  feed(e, snap("bmc1", 1, power("poweringoff")), 1);
  feed(e, snap("bmc1", 2, power("off")), 2);
  feed(e, snap("bmc1", 3, power("poweringon")), 3);
  /* off and powering on: the same alarm, its text following the state. */
  expect(&r, 1, "raise 1 power critical ");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "poweringon (was on)"));
  feed(e, snap("bmc1", 4, power("on")), 4);
  expect(&r, 2, "raise 1 power critical ", "clear 1 power critical ");
  ed_alarm_engine_destroy(e);
}

static json_t *health(const char *h, const char *rollup) {
  return json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "health", "component",
                   "Systems/1", "kind", "system", "health", h, "rollup",
                   rollup);
}

static void test_health_worsening(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  /* By default a rollup is not the component's own health: its parts have
   * their own alarms. */
  feed(e, snap("bmc1", 0, health("OK", "OK")), 0);
  feed(e, snap("bmc1", 1, health("OK", "Critical")), 1);
  assert_int_equal(r.n, 0);
  feed(e, snap("bmc1", 2, health("Critical", "Critical")), 2);
  expect(&r, 1, "raise 1 health critical Systems/1");
  ed_alarm_engine_destroy(e);
  ed_alarm_rules_t rules;
  ed_alarm_rules_default(&rules);
  rules.r[ED_ALARM_HEALTH].rollup = 1;
  e = engine(&r, &rules);
  /* Warning at the start is an active condition: raised at the first
   * poll, said to be so since then. */
  feed(e, snap("bmc1", 0, health("Warning", "Warning")), 0);
  expect(&r, 1, "raise 1 health warning Systems/1");
  assert_non_null(
      strstr(ed_alarm_at(e, 0)->text, "Warning (since the first poll)"));
  feed(e, snap("bmc1", 1, health("Warning", "Warning")), 1);
  assert_int_equal(r.n, 1);
  /* Worse (rollup only): the same alarm, now critical. */
  feed(e, snap("bmc1", 2, health("Warning", "Critical")), 2);
  expect(&r, 2, "raise 1 health warning Systems/1",
         "update 1 health critical Systems/1");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "Critical (was Warning)"));
  /* OK clears it; Warning again raises anew, and says it was OK. */
  feed(e, snap("bmc1", 3, health("OK", "OK")), 3);
  feed(e, snap("bmc1", 4, health("Warning", "OK")), 4);
  expect(&r, 4, "raise 1 health warning Systems/1",
         "update 1 health critical Systems/1",
         "clear 1 health critical Systems/1",
         "raise 2 health warning Systems/1");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "Warning (was OK)"));
  ed_alarm_engine_destroy(e);
}

/* A device Critical from its first poll is counted like any other: raised
 * at once, and its device's worst. */
static void test_health_critical_at_start(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  feed(e, snap("bmc1", 0, health("Critical", "Critical")), 0);
  expect(&r, 1, "raise 1 health critical Systems/1");
  assert_int_equal(ed_alarm_device_worst(e, "bmc1"), ED_ALARM_CRITICAL);
  int counts[3];
  ed_alarm_counts(e, counts);
  assert_int_equal(counts[ED_ALARM_CRITICAL], 1);
  ed_alarm_engine_destroy(e);
}

static void test_psu(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  json_t *ok =
      json_pack("{s:[{s:s,s:s}]}", "psus", "name", "PSU2", "health", "OK");
  json_t *bad = json_pack("{s:[{s:s,s:s}]}", "psus", "name", "PSU2", "health",
                          "Critical");
  feed(e, snap("bmc1", 0, ok), 0);
  feed(e, snap("bmc1", 1, bad), 1);
  expect(&r, 1, "raise 1 psu critical PSU2");
  ed_alarm_engine_destroy(e);
}

static json_t *logs(int n, ...) {
  json_t *arr = json_array();
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) {
    const char *sev = va_arg(ap, const char *);
    const char *msg = va_arg(ap, const char *);
    double age = va_arg(ap, double);
    json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:s}", "severity", sev,
                                         "created", msg, "age_s", age,
                                         "message", msg));
  }
  va_end(ap);
  return json_pack("{s:o}", "log", arr);
}

static void test_log_new_critical(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  /* An old critical entry (an hour before the start) is history. */
  feed(e, snap("bmc1", 2, logs(1, "Critical", "old fan failure", 3602.0)), 2);
  assert_int_equal(r.n, 0);
  /* New: a warning (below min_severity) and a critical one. */
  feed(e,
       snap("bmc1", 10,
            logs(3, "Critical", "PSU2 lost input", 1.0, "Warning", "fan slow",
                 2.0, "Critical", "old fan failure", 3610.0)),
       10);
  expect(&r, 1, "raise 1 log critical PSU2 lost input PSU2 lost input");
  assert_non_null(strstr(ed_alarm_at(e, 0)->text, "PSU2 lost input"));
  /* Seen again: no second alarm; it does not clear by itself. */
  feed(e, snap("bmc1", 15, logs(1, "Critical", "PSU2 lost input", 6.0)), 15);
  feed(e, snap("bmc1", 20, logs(0)), 20);
  assert_int_equal(r.n, 1);
  assert_int_equal(ed_alarm_ack(e, 99, 21), ED_ENOTFOUND);
  assert_int_equal(ed_alarm_ack(e, 1, 21), 0);
  expect(&r, 3, "raise 1 log critical PSU2 lost input PSU2 lost input",
         "ack 1 log critical PSU2 lost input PSU2 lost input",
         "clear 1 log critical PSU2 lost input PSU2 lost input");
  assert_int_equal(ed_alarm_count(e), 0);
  assert_int_equal(ed_alarm_ack(e, 1, 22), ED_ENOTFOUND);
  ed_alarm_engine_destroy(e);
}

static void test_ack_twice(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_engine_t *e = engine(&r, NULL);
  feed(e, snap("bmc1", 0, power("on")), 0);
  feed(e, snap("bmc1", 1, power("off")), 1);
  assert_int_equal(ed_alarm_ack(e, 1, 2), 0);
  assert_int_equal(ed_alarm_ack(e, 1, 3), ED_ESTATE);
  int counts[3];
  ed_alarm_counts(e, counts);
  assert_int_equal(counts[ED_ALARM_CRITICAL], 1);
  assert_int_equal(counts[ED_ALARM_WARNING], 0);
  json_t *j = ed_alarm_json(ed_alarm_at(e, 0), ED_ALARM_EV_ACK);
  assert_true(json_is_true(json_object_get(j, "acked")));
  assert_string_equal(json_string_value(json_object_get(j, "kind")), "power");
  json_decref(j);
  ed_alarm_engine_destroy(e);
}

static json_t *latency(double p50) {
  return json_pack("{s:{s:i,s:f,s:f}}", "latency_ms", "samples", 5, "p50", p50,
                   "p99", p50 * 2);
}

static void test_slow_and_disabled(void **state) {
  (void)state;
  rec_t r;
  ed_alarm_rules_t rules;
  ed_alarm_rules_default(&rules);
  rules.r[ED_ALARM_SLOW].hold_ms = 2000;
  rules.r[ED_ALARM_SLOW].p50_ms = 200;
  rules.r[ED_ALARM_POWER].enabled = 0;
  ed_alarm_engine_t *e = engine(&r, &rules);
  feed(e, snap("bmc1", 0, power("on")), 0);
  feed(e, snap("bmc1", 1, latency(250)), 1);
  feed(e, snap("bmc1", 2, latency(250)), 2);
  feed(e, snap("bmc1", 3, latency(250)), 3);
  feed(e, snap("bmc1", 4, power("off")), 4); /* disabled: nothing */
  feed(e, snap("bmc1", 5, latency(20)), 5);
  expect(&r, 2, "raise 1 slow warning ", "clear 1 slow warning ");
  ed_alarm_engine_destroy(e);
}

/* ---- rules file -------------------------------------------------------- */

static char *diag_text(ed_diag_t *d) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ed_diag_print(d, f);
  fclose(f);
  return buf;
}

static void test_rules_file_ok(void **state) {
  (void)state;
  const char *text = "{\n"
                     "  \"unreachable\": {\"polls\": 1},\n"
                     "  \"sensor\": {\"hold\": \"0s\", \"min_severity\": "
                     "\"critical\"},\n"
                     "  \"slow\": {\"p50_ms\": 250, \"hold\": 1500},\n"
                     "  \"log\": {\"enabled\": false},\n"
                     "  \"health\": {\"rollup\": true}\n"
                     "}\n";
  ed_alarm_rules_t r;
  ed_alarm_rules_default(&r);
  ed_diag_t d;
  ed_diag_init(&d);
  assert_int_equal(
      ed_alarm_rules_parse(&r, "rules.json", text, strlen(text), &d), 0);
  assert_int_equal(d.count, 0);
  assert_int_equal(r.r[ED_ALARM_UNREACHABLE].polls, 1);
  assert_int_equal(r.r[ED_ALARM_SENSOR].hold_ms, 0);
  assert_int_equal(r.r[ED_ALARM_SENSOR].min_level, ED_ALARM_CRITICAL);
  assert_int_equal(r.r[ED_ALARM_SLOW].hold_ms, 1500);
  assert_true(r.r[ED_ALARM_SLOW].p50_ms == 250);
  assert_false(r.r[ED_ALARM_LOG].enabled);
  assert_true(r.r[ED_ALARM_HEALTH].rollup);
  assert_true(r.r[ED_ALARM_POWER].enabled); /* untouched */
  /* The table written back reads back the same. */
  json_t *j = ed_alarm_rules_json(&r);
  char *dump = json_dumps(j, 0);
  ed_alarm_rules_t back;
  ed_alarm_rules_default(&back);
  assert_int_equal(ed_alarm_rules_parse(&back, "dump", dump, strlen(dump), &d),
                   0);
  assert_memory_equal(&back, &r, sizeof(r));
  free(dump);
  json_decref(j);
  ed_diag_close(&d);
}

static void test_rules_file_errors(void **state) {
  (void)state;
  const char *text = "{\n"
                     "  \"sensr\": {},\n"
                     "  \"sensor\": {\"hold\": \"5x\", \"severity\": "
                     "\"critical\"},\n"
                     "  \"unreachable\": {\"polls\": 0, \"pols\": 2},\n"
                     "  \"power\": {\"severity\": \"fatal\"}\n"
                     "}\n";
  ed_alarm_rules_t r, before;
  ed_alarm_rules_default(&r);
  before = r;
  ed_diag_t d;
  ed_diag_init(&d);
  assert_int_equal(
      ed_alarm_rules_parse(&r, "rules.json", text, strlen(text), &d),
      ED_EPARSE);
  assert_memory_equal(&r, &before, sizeof(r)); /* nothing applied */
  char *out = diag_text(&d);
  assert_non_null(strstr(out, "rules.json:2:3: sensr: unknown alarm kind "
                              "\"sensr\" (did you mean \"sensor\"?)"));
  assert_non_null(strstr(out, "rules.json:3:22: sensor.hold: invalid "
                              "duration"));
  assert_non_null(strstr(out, "sensor.severity: \"severity\" does not apply "
                              "to the sensor rule"));
  assert_non_null(strstr(out, "rules.json:4:28: unreachable.polls: expected "
                              "an integer in 1..1000, got 0"));
  assert_non_null(strstr(out, "unreachable.pols: unknown key \"pols\" (did "
                              "you mean \"polls\"?)"));
  assert_non_null(strstr(out, "rules.json:5:25: power.severity: expected "
                              "\"warning\" or \"critical\", got fatal"));
  assert_int_equal(d.count, 6);
  free(out);
  ed_diag_close(&d);
  /* Not JSON at all: the position of the mistake. */
  ed_diag_init(&d);
  const char *bad = "{\n  \"slow\": {\"hold\": 3s}\n}";
  assert_int_equal(ed_alarm_rules_parse(&r, "bad.json", bad, strlen(bad), &d),
                   ED_EPARSE);
  out = diag_text(&d);
  assert_non_null(strstr(out, "bad.json:2:"));
  free(out);
  ed_diag_close(&d);
  ed_diag_init(&d);
  assert_int_equal(ed_alarm_rules_load(&r, "/nonexistent/rules.json", &d),
                   ED_EIO);
  out = diag_text(&d);
  assert_non_null(strstr(out, "/nonexistent/rules.json"));
  free(out);
  ed_diag_close(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unreachable_two_polls),
      cmocka_unit_test(test_unreachable_blip),
      cmocka_unit_test(test_sensor_hold_update_clear),
      cmocka_unit_test(test_sensor_short_spike),
      cmocka_unit_test(test_sensor_lower_and_hold_zero),
      cmocka_unit_test(test_power),
      cmocka_unit_test(test_health_worsening),
      cmocka_unit_test(test_health_critical_at_start),
      cmocka_unit_test(test_psu),
      cmocka_unit_test(test_log_new_critical),
      cmocka_unit_test(test_ack_twice),
      cmocka_unit_test(test_slow_and_disabled),
      cmocka_unit_test(test_rules_file_ok),
      cmocka_unit_test(test_rules_file_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
