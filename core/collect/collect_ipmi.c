/* IPMI: power status (timed), device ID, sensors with thresholds and the
 * SEL, through the driver's read-only operations. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_internal.h"

static void op(ed__cjob_t *j, const char *what, const char *name,
               ed__cjob_cb cb) {
  ed__cjob_op(j, what, name, json_object(), cb, NULL, NULL);
}

static void sample_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  ed__cjob_sample(j, o);
}

static void device_id_cb(ed__cjob_t *j, const ed_probe_outcome_t *o,
                         void *ctx) {
  (void)ctx;
  json_t *v = ed__cjob_value(o);
  const char *fw = json_string_value(json_object_get(v, "firmware_revision"));
  if (fw)
    json_object_set_new(j->snap, "firmware", json_pack("{s:s}", "bmc", fw));
  else
    ed__cjob_gap(j, "device ID", o);
  json_decref(v);
}

/* The driver's threshold state in Redfish's health words. */
static json_t *health_of(const char *state) {
  if (!state)
    return json_null();
  if (strcmp(state, "ok") == 0)
    return json_string("OK");
  if (strcmp(state, "non-critical") == 0)
    return json_string("Warning");
  if (strcmp(state, "critical") == 0 || strcmp(state, "non-recoverable") == 0)
    return json_string("Critical");
  return json_null();
}

static json_t *threshold(json_t *th, const char *a, const char *b) {
  json_t *v = json_object_get(th, a);
  if (!json_is_number(v) && b)
    v = json_object_get(th, b);
  return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

static json_t *sensor(json_t *s) {
  char kind[64];
  const char *type = json_string_value(json_object_get(s, "type"));
  size_t n = 0;
  for (; type && type[n] && n + 1 < sizeof(kind); n++)
    kind[n] = (char)tolower((unsigned char)type[n]);
  kind[n] = '\0';
  json_t *th = json_object_get(s, "thresholds");
  json_t *reading = json_object_get(s, "reading");
  json_t *unit = json_object_get(s, "unit");
  return json_pack(
      "{s:O,s:s,s:O,s:O,s:o,s:o,s:o,s:o,s:o}", "name",
      json_object_get(s, "name"), "kind", kind, "reading",
      reading ? reading : json_null(), "unit", unit ? unit : json_null(),
      "upper_warning", threshold(th, "unc", NULL), "upper_critical",
      threshold(th, "uc", "unr"), "lower_warning", threshold(th, "lnc", NULL),
      "lower_critical", threshold(th, "lc", "lnr"), "health",
      health_of(json_string_value(json_object_get(s, "state"))));
}

static void sensors_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  json_t *v = ed__cjob_value(o);
  if (!json_is_array(v))
    ed__cjob_gap(j, "sensors", o);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *s = json_array_get(v, i);
    if (json_is_string(json_object_get(s, "name")))
      ed__cjob_append(j, "sensors", sensor(s));
  }
  json_decref(v);
}

/* An event's severity. Threshold events (type 1) at a critical or
 * non-recoverable threshold, a power supply failure, a processor IERR or
 * thermal trip are critical; other threshold crossings are warnings;
 * anything else is information. */
static const char *sel_severity(json_t *e) {
  int type = (int)json_integer_value(json_object_get(e, "event_type"));
  int offset = (int)json_integer_value(json_object_get(e, "offset"));
  int stype = (int)json_integer_value(json_object_get(e, "sensor_type_code"));
  const char *dir = json_string_value(json_object_get(e, "direction"));
  if (dir && strcmp(dir, "deassertion") == 0)
    return "OK";
  if (type == 0x01) {
    int crit = (offset >= 0x02 && offset <= 0x05) || offset >= 0x08;
    return crit ? "Critical" : "Warning";
  }
  if ((stype == 0x08 && offset >= 1 && offset <= 3) ||
      (stype == 0x07 && (offset == 0 || offset == 1)))
    return "Critical";
  return "OK";
}

static void sel_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  json_t *v = ed__cjob_value(o);
  if (!json_is_array(v))
    ed__cjob_gap(j, "SEL", o);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *e = json_array_get(v, i);
    json_t *ts = json_object_get(e, "timestamp");
    if (!json_is_integer(ts))
      continue; /* OEM records carry no event */
    char created[32], msg[160];
    ed__epoch_to_iso((double)json_integer_value(ts), created, sizeof(created));
    const char *st = json_string_value(json_object_get(e, "sensor_type"));
    snprintf(msg, sizeof(msg), "%s #%lld %s, offset %lld", st ? st : "sensor",
             (long long)json_integer_value(json_object_get(e, "sensor_number")),
             json_string_value(json_object_get(e, "direction"))
                 ? json_string_value(json_object_get(e, "direction"))
                 : "event",
             (long long)json_integer_value(json_object_get(e, "offset")));
    ed__cjob_append(j, "log",
                    json_pack("{s:s,s:s,s:s}", "severity", sel_severity(e),
                              "created", created, "message", msg));
  }
  json_decref(v);
}

static void power_cb(ed__cjob_t *j, const ed_probe_outcome_t *o, void *ctx) {
  (void)ctx;
  json_t *v = ed__cjob_value(o);
  if (!json_is_string(v)) {
    json_decref(v);
    ed__cjob_unreachable(j, o);
    return;
  }
  ed__cjob_sample(j, o);
  json_object_set_new(j->snap, "power", v);
  for (int i = 0; i < j->o.latency_samples; i++)
    op(j, "power status", "power_status", sample_cb);
  if (j->o.full)
    op(j, "device ID", "device_id", device_id_cb);
  op(j, "sensors", "sensors", sensors_cb);
  if (j->o.log_entries > 0)
    op(j, "SEL", "sel_list", sel_cb);
}

/* Without these read, the device is not known to be ready. */
static const ed__cpart_t required[] = {
    {"power", "power"}, {"sensors", "sensors"}, {NULL, NULL}};

void ed__collect_ipmi(ed__cjob_t *j) {
  j->required = required;
  op(j, "power status", "power_status", power_cb);
}
