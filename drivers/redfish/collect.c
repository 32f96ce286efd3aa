/*
 * collect: the Redfish driver's health collection (ABI version 2's
 * collect). From the service root to the systems (and their processors'
 * EnvironmentMetrics), chassis (sensors, fans and power supplies, in both
 * generations of resources, and EnvironmentMetrics) and managers, and their
 * log services, into the snapshot model of driver.h. GETs only, each through
 * the driver's own path (auth, limits), queued with <eventdrill/snapshot.h>.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/snapshot.h>

#include "redfish.h"

/* Members read per collection: a BMC has a few; more is a runaway. */
#define MAX_MEMBERS 16
/* Sensors per chassis read at most (a server publishes some dozens). */
#define MAX_SENSORS 128
#define ROOT "/redfish/v1"

typedef enum { KIND_SYSTEM, KIND_CHASSIS, KIND_MANAGER } kind_t;
static const char *const kind_names[] = {"system", "chassis", "manager"};

/* ---- memo: what a walk found, for the next collections ----------------
 *   {"leaves": [{"uri", "kind"}], "walk": [...] (being found),
 *    "entries": {"<uri>": <log entry>}}
 * kept in the target (freed at close), used when the core allows it
 * (ED_COLLECT_MEMO: a watch's polls): a device is walked from its service
 * root once, later polls read only the resources found then and only the log
 * entries not seen before. */

static json_t *memo_of(ed_snap_job_t *j) {
  return j->driver;
}

static void remember_leaf(ed_snap_job_t *j, const char *uri, const char *kind) {
  if (!memo_of(j) || j->replay)
    return;
  json_t *walk = json_object_get(memo_of(j), "walk");
  if (!walk) {
    walk = json_array();
    json_object_set_new(memo_of(j), "walk", walk);
  }
  json_array_append_new(walk, json_pack("{s:s,s:s}", "uri", uri, "kind", kind));
}

/* At the end: a complete walk becomes the leaves; a replay that met an
 * error drops them, so that the next collection walks again. */
static void memo_commit(ed_snap_job_t *j) {
  json_t *m = memo_of(j);
  if (!m)
    return;
  int clean = json_is_true(json_object_get(j->snap, "reachable")) &&
              !json_object_get(j->snap, "gaps");
  if (!j->replay && clean && json_object_get(m, "walk"))
    json_object_set(m, "leaves", json_object_get(m, "walk"));
  if (j->replay && !clean)
    json_object_del(m, "leaves");
  json_object_del(m, "walk");
}

static void get(ed_snap_job_t *j, const char *path, ed_snap_cb cb, void *ctx,
                void (*ctx_free)(void *)) {
  const char *what =
      strncmp(path, ROOT "/", sizeof(ROOT)) == 0 ? path + sizeof(ROOT) : path;
  ed__rf_op_t *op = NULL;
  char err[256];
  if (ed__rf_prepare_get(j->target, path, 0, &op, err, sizeof(err)) != 0) {
    ed_snap_answer_t a = {.err = ED_ERRCLASS_OTHER, .detail = err};
    ed_snap_gap(j, what, &a);
    if (ctx_free)
      ctx_free(ctx);
    return;
  }
  ed_snap_read(j, what, op, cb, ctx, ctx_free);
}

static const char *link_of(json_t *doc, const char *key) {
  return json_string_value(
      json_object_get(json_object_get(doc, key), "@odata.id"));
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static json_t *str_or_null(json_t *o, const char *key) {
  const char *s = str(o, key);
  return s ? json_string(s) : json_null();
}

static json_t *num_or_null(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

/* A parsed body, or a gap (and NULL). */
static json_t *body(ed_snap_job_t *j, const ed_snap_answer_t *a,
                    const char *what) {
  json_t *doc = ed_snap_value(a);
  if (!json_is_object(doc)) {
    json_decref(doc);
    ed_snap_gap(j, what, a);
    return NULL;
  }
  return doc;
}

/* ---- logs -------------------------------------------------------------- */

static void add_entry(ed_snap_job_t *j, json_t *e) {
  ed_snap_append(j, "log",
                 json_pack("{s:o,s:o,s:o}", "severity",
                           str_or_null(e, "Severity"), "created",
                           str_or_null(e, "Created"), "message",
                           str_or_null(e, "Message")));
}

/* A log entry never changes: the memo keeps it, so that it is read once. */
static void remember_entry(ed_snap_job_t *j, const char *uri, json_t *entry) {
  if (!memo_of(j))
    return;
  json_t *seen = json_object_get(memo_of(j), "entries");
  if (!seen) {
    seen = json_object();
    json_object_set_new(memo_of(j), "entries", seen);
  }
  json_object_set_new(seen, uri, json_deep_copy(entry));
}

static void entry_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *doc = body(j, a, ctx);
  if (doc) {
    add_entry(j, doc);
    json_t *log = json_object_get(j->snap, "log");
    remember_entry(j, ctx, json_array_get(log, json_array_size(log) - 1));
  }
  json_decref(doc);
}

/* Entries inline (with Severity) are taken as they are; links are read,
 * the newest (last) ones only. */
static void entries_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *doc = body(j, a, ctx);
  json_t *members = json_object_get(doc, "Members");
  size_t n = json_array_size(members);
  size_t keep = (size_t)j->c->log_entries;
  for (size_t i = n > keep ? n - keep : 0; i < n; i++) {
    json_t *m = json_array_get(members, i);
    const char *uri = str(m, "@odata.id");
    json_t *seen =
        uri && memo_of(j)
            ? json_object_get(json_object_get(memo_of(j), "entries"), uri)
            : NULL;
    if (json_object_get(m, "Severity"))
      add_entry(j, m);
    else if (seen)
      ed_snap_append(j, "log", json_deep_copy(seen));
    else if (uri)
      get(j, uri, entry_cb, strdup(uri), free);
  }
  json_decref(doc);
}

static void log_service_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                           void *ctx) {
  json_t *doc = body(j, a, ctx);
  const char *entries = link_of(doc, "Entries");
  if (entries) {
    remember_leaf(j, entries, "entries");
    get(j, entries, entries_cb, strdup(entries), free);
  }
  json_decref(doc);
}

static void log_services_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                            void *ctx) {
  json_t *doc = body(j, a, ctx);
  json_t *members = json_object_get(doc, "Members");
  for (size_t i = 0; i < json_array_size(members) && i < MAX_MEMBERS; i++) {
    const char *uri = str(json_array_get(members, i), "@odata.id");
    if (uri)
      get(j, uri, log_service_cb, strdup(uri), free);
  }
  json_decref(doc);
}

/* ---- chassis: thermal and power ---------------------------------------- */

/* The chassis a resource belongs to: the segment after /Chassis/ of its
 * URI ("Blade1"), or NULL. Sensors and supplies carry it, so that two with
 * one name on two chassis stay apart. */
static json_t *chassis_of(const char *uri) {
  const char *p = uri ? strstr(uri, "/Chassis/") : NULL;
  if (!p)
    return json_null();
  p += strlen("/Chassis/");
  size_t n = strcspn(p, "/");
  return n ? json_stringn(p, n) : json_null();
}

/* Names are how findings and alarms tell sensors (and supplies) apart: a
 * name that two members of `key` share, on different chassis, gets its
 * chassis appended ("CPU Temp (Blade1)"). Done once everything is read,
 * so the result does not depend on the order answers came in. */
static void qualify_names(json_t *snap, const char *key) {
  json_t *arr = json_object_get(snap, key), *counts = json_object();
  json_t *x;
  size_t i;
  json_array_foreach(arr, i, x) {
    const char *name = str(x, "name");
    if (name)
      json_object_set_new(
          counts, name,
          json_integer(json_integer_value(json_object_get(counts, name)) + 1));
  }
  json_array_foreach(arr, i, x) {
    const char *name = str(x, "name"), *ch = str(x, "chassis");
    if (!name || !ch || json_integer_value(json_object_get(counts, name)) < 2)
      continue;
    char buf[300];
    snprintf(buf, sizeof(buf), "%s (%s)", name, ch);
    json_object_set_new(x, "name", json_string(buf));
  }
  json_decref(counts);
}

static json_t *sensor(json_t *s, const char *kind, const char *reading_key,
                      const char *unit) {
  json_t *st = json_object_get(s, "Status");
  const char *upper_c = json_object_get(s, "UpperThresholdCritical")
                            ? "UpperThresholdCritical"
                            : "UpperThresholdFatal";
  const char *lower_c = json_object_get(s, "LowerThresholdCritical")
                            ? "LowerThresholdCritical"
                            : "LowerThresholdFatal";
  return json_pack(
      "{s:o,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "name", str_or_null(s, "Name"),
      "kind", kind, "reading", num_or_null(s, reading_key), "unit", unit,
      "upper_warning", num_or_null(s, "UpperThresholdNonCritical"),
      "upper_critical", num_or_null(s, upper_c), "lower_warning",
      num_or_null(s, "LowerThresholdNonCritical"), "lower_critical",
      num_or_null(s, lower_c), "health", str_or_null(st, "Health"));
}

static int absent(json_t *o) {
  const char *state = str(json_object_get(o, "Status"), "State");
  return state && strcmp(state, "Absent") == 0;
}

static void add_sensors(ed_snap_job_t *j, json_t *doc, const char *uri,
                        const char *array, const char *kind,
                        const char *reading_key, const char *unit) {
  json_t *list = json_object_get(doc, array);
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *s = json_array_get(list, i);
    if (absent(s))
      continue;
    json_t *item = sensor(s, kind, reading_key, unit);
    json_object_set_new(item, "chassis", chassis_of(uri));
    ed_snap_append(j, "sensors", item);
  }
}

static void thermal_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *doc = body(j, a, ctx);
  add_sensors(j, doc, ctx, "Temperatures", "temperature", "ReadingCelsius",
              "C");
  add_sensors(j, doc, ctx, "Fans", "fan", "Reading", "RPM");
  json_decref(doc);
}

static json_t *status_item(json_t *o) {
  json_t *st = json_object_get(o, "Status");
  json_t *item =
      json_pack("{s:o,s:o,s:o}", "name", str_or_null(o, "Name"), "health",
                str_or_null(st, "Health"), "state", str_or_null(st, "State"));
  if (str(o, "Mode"))
    json_object_set_new(item, "mode", json_string(str(o, "Mode")));
  return item;
}

/* The list a supply was given in: uri below the root, without its last
 * segment when cut ("Chassis/1U/PowerSubsystem/PowerSupplies" for a member
 * of PowerSubsystem; "Chassis/1U/Power" for the older array). A chassis
 * that publishes both generations lists one set of supplies twice: counted
 * per list, its redundancy is judged once per generation, never on a sum. */
static json_t *listed_in(const char *uri, int cut) {
  const char *p =
      strncmp(uri, ROOT "/", sizeof(ROOT)) == 0 ? uri + sizeof(ROOT) : uri;
  const char *end = cut ? strrchr(p, '/') : NULL;
  return json_stringn(p, end ? (size_t)(end - p) : strlen(p));
}

static void power_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *doc = body(j, a, ctx);
  json_t *psus = json_object_get(doc, "PowerSupplies");
  for (size_t i = 0; i < json_array_size(psus); i++) {
    json_t *item = status_item(json_array_get(psus, i));
    json_object_set_new(item, "chassis", chassis_of(ctx));
    json_object_set_new(item, "listed_in", listed_in(ctx, 0));
    ed_snap_append(j, "psus", item);
  }
  json_t *red = json_object_get(doc, "Redundancy");
  for (size_t i = 0; i < json_array_size(red); i++)
    ed_snap_append(j, "redundancy", status_item(json_array_get(red, i)));
  add_sensors(j, doc, ctx, "Voltages", "voltage", "ReadingVolts", "V");
  json_decref(doc);
}

/* ---- chassis, newer generation: Sensors and PowerSubsystem --------------
 * Services since 2021 publish each sensor as its own resource (reading,
 * units, thresholds by kind) and the power supplies under PowerSubsystem;
 * many publish only these, some publish both. Both generations are read
 * where a chassis links both: they are different resources of the service
 * (a fault the older one shows is a fault), under their own names. */

/* The kind and unit of a Sensor resource, from ReadingType or, failing it,
 * ReadingUnits (UCUM: "Cel", "RPM", "V", "%"). */
static void sensor_kind(json_t *s, const char **kind, const char **unit) {
  const char *type = str(s, "ReadingType"), *units = str(s, "ReadingUnits");
  const char *ctx = str(s, "PhysicalContext");
  *unit = units ? units : "";
  if ((type && !strcmp(type, "Temperature")) ||
      (units && !strcmp(units, "Cel")))
    *kind = "temperature", *unit = "C";
  else if ((type && !strcmp(type, "Rotational")) ||
           (units && !strcmp(units, "RPM")) || (ctx && !strcmp(ctx, "Fan")) ||
           ((type && !strcmp(type, "Percent")) &&
            strstr(str(s, "Id") ? str(s, "Id") : "", "Fan")))
    *kind = "fan";
  else if ((type && !strcmp(type, "Voltage")) || (units && !strcmp(units, "V")))
    *kind = "voltage";
  else
    *kind = "other";
}

static json_t *threshold(json_t *t, const char *a, const char *b) {
  json_t *v = json_object_get(json_object_get(t, a), "Reading");
  if (!json_is_number(v) && b)
    v = json_object_get(json_object_get(t, b), "Reading");
  return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

static void sensor_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *s = body(j, a, ctx);
  if (!s || absent(s)) {
    json_decref(s);
    return;
  }
  const char *kind, *unit;
  sensor_kind(s, &kind, &unit);
  json_t *t = json_object_get(s, "Thresholds");
  ed_snap_append(
      j, "sensors",
      json_pack("{s:o,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "name",
                str_or_null(s, "Name"), "kind", kind, "reading",
                num_or_null(s, "Reading"), "unit", unit, "upper_warning",
                threshold(t, "UpperCaution", NULL), "upper_critical",
                threshold(t, "UpperCritical", "UpperFatal"), "lower_warning",
                threshold(t, "LowerCaution", NULL), "lower_critical",
                threshold(t, "LowerCritical", "LowerFatal"), "health",
                str_or_null(json_object_get(s, "Status"), "Health"), "chassis",
                chassis_of(ctx), "source", ctx));
  json_decref(s);
}

static void psu_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *doc = body(j, a, ctx);
  if (doc) {
    json_t *item = status_item(doc);
    json_object_set_new(item, "chassis", chassis_of(ctx));
    json_object_set_new(item, "listed_in", listed_in(ctx, 1));
    ed_snap_append(j, "psus", item);
  }
  json_decref(doc);
}

/* Each member of a collection (Sensors, PowerSupplies), up to max, read
 * with cb and remembered as a leaf of `kind` for the next collections. */
static void members_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx,
                       const char *kind, ed_snap_cb cb, size_t max) {
  json_t *doc = body(j, a, ctx);
  json_t *members = json_object_get(doc, "Members");
  for (size_t i = 0; i < json_array_size(members) && i < max; i++) {
    const char *uri = str(json_array_get(members, i), "@odata.id");
    if (!uri)
      continue;
    remember_leaf(j, uri, kind);
    get(j, uri, cb, strdup(uri), free);
  }
  json_decref(doc);
}

static void sensors_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  members_cb(j, a, ctx, "sensor", sensor_cb, MAX_SENSORS);
}

static void psus_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  members_cb(j, a, ctx, "psu", psu_cb, MAX_MEMBERS);
}

/* PowerSubsystem: its redundancy groups inline, its supplies behind a
 * link. Remembered as a leaf itself: the groups change. */
static void power_subsystem_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                               void *ctx) {
  json_t *doc = body(j, a, ctx);
  json_t *red = json_object_get(doc, "PowerSupplyRedundancy");
  for (size_t i = 0; i < json_array_size(red); i++) {
    json_t *g = json_array_get(red, i);
    json_t *item = status_item(g);
    if (json_is_null(json_object_get(item, "name")) && str(g, "RedundancyType"))
      json_object_set_new(item, "name", json_string(str(g, "RedundancyType")));
    if (str(g, "RedundancyType"))
      json_object_set_new(item, "mode", json_string(str(g, "RedundancyType")));
    ed_snap_append(j, "redundancy", item);
  }
  const char *psus = link_of(doc, "PowerSupplies");
  if (psus && !j->replay)
    get(j, psus, psus_cb, strdup(psus), free);
  json_decref(doc);
}

/* ---- chassis, newer generation: ThermalSubsystem -----------------------
 * Each fan is a resource of its own under ThermalSubsystem/Fans: its speed
 * (SpeedPercent: a percentage and, where the fan reports it, SpeedRPM) and
 * its Status. */

static void fan_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  json_t *f = body(j, a, ctx);
  if (!f || absent(f)) {
    json_decref(f);
    return;
  }
  json_t *speed = json_object_get(f, "SpeedPercent");
  json_t *rpm = json_object_get(speed, "SpeedRPM");
  int by_rpm = json_is_number(rpm);
  json_t *item =
      json_pack("{s:o,s:s,s:o,s:s,s:n,s:n,s:n,s:n,s:o,s:o}", "name",
                str_or_null(f, "Name"), "kind", "fan", "reading",
                by_rpm ? json_real(json_number_value(rpm))
                       : num_or_null(speed, "Reading"),
                "unit", by_rpm ? "RPM" : "%", "upper_warning", "upper_critical",
                "lower_warning", "lower_critical", "health",
                str_or_null(json_object_get(f, "Status"), "Health"), "chassis",
                chassis_of(ctx));
  ed_snap_append(j, "sensors", item);
  json_decref(f);
}

static void fans_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  members_cb(j, a, ctx, "fan", fan_cb, MAX_SENSORS);
}

/* ThermalSubsystem: its fans behind a link. Remembered as a leaf itself,
 * like PowerSubsystem. Its FanRedundancy groups are left out: the
 * snapshot's "redundancy" is the power supplies' (the inspection rule
 * psu-redundancy judges it). */
static void thermal_subsystem_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                                 void *ctx) {
  json_t *doc = body(j, a, ctx);
  const char *fans = link_of(doc, "Fans");
  if (fans && !j->replay)
    get(j, fans, fans_cb, strdup(fans), free);
  json_decref(doc);
}

/* ---- EnvironmentMetrics: a chassis' or a processor's summary -----------
 * A temperature, a power draw and fan speeds, without thresholds. Most of
 * them copy a Sensor (DataSourceUri): such a copy is dropped at the end
 * when that Sensor was read itself (it carries the thresholds), so that one
 * reading is never counted twice. Named after the resource they describe
 * ("Chassis/1U temperature"). */

static json_t *env_item(const char *name, const char *kind, const char *unit,
                        json_t *reading, const char *uri, json_t *o) {
  json_t *item = json_pack(
      "{s:s,s:s,s:o,s:s,s:n,s:n,s:n,s:n,s:n,s:o}", "name", name, "kind", kind,
      "reading", reading, "unit", unit, "upper_warning", "upper_critical",
      "lower_warning", "lower_critical", "health", "chassis", chassis_of(uri));
  const char *source = str(o, "DataSourceUri");
  if (item && source)
    json_object_set_new(item, "copy_of", json_string(source));
  return item;
}

static void env_metrics_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                           void *ctx) {
  json_t *doc = body(j, a, ctx);
  if (!doc)
    return;
  const char *uri = ctx;
  const char *owner =
      strncmp(uri, ROOT "/", sizeof(ROOT)) == 0 ? uri + sizeof(ROOT) : uri;
  size_t olen = strlen(owner);
  static const char tail[] = "/EnvironmentMetrics";
  if (olen >= sizeof(tail) - 1 &&
      strcmp(owner + olen - (sizeof(tail) - 1), tail) == 0)
    olen -= sizeof(tail) - 1;
  char name[300];
  json_t *t = json_object_get(doc, "TemperatureCelsius");
  if (json_is_number(json_object_get(t, "Reading"))) {
    snprintf(name, sizeof(name), "%.*s temperature", (int)olen, owner);
    ed_snap_append(
        j, "sensors",
        env_item(name, "temperature", "C", num_or_null(t, "Reading"), uri, t));
  }
  json_t *w = json_object_get(doc, "PowerWatts");
  if (json_is_number(json_object_get(w, "Reading"))) {
    snprintf(name, sizeof(name), "%.*s power", (int)olen, owner);
    ed_snap_append(
        j, "sensors",
        env_item(name, "power", "W", num_or_null(w, "Reading"), uri, w));
  }
  json_t *fans = json_object_get(doc, "FanSpeedsPercent");
  for (size_t i = 0; i < json_array_size(fans); i++) {
    json_t *f = json_array_get(fans, i);
    json_t *rpm = json_object_get(f, "SpeedRPM");
    int by_rpm = json_is_number(rpm);
    if (!by_rpm && !json_is_number(json_object_get(f, "Reading")))
      continue;
    if (str(f, "DeviceName"))
      snprintf(name, sizeof(name), "%s", str(f, "DeviceName"));
    else
      snprintf(name, sizeof(name), "%.*s fan %zu", (int)olen, owner, i + 1);
    ed_snap_append(j, "sensors",
                   env_item(name, "fan", by_rpm ? "RPM" : "%",
                            by_rpm ? json_real(json_number_value(rpm))
                                   : num_or_null(f, "Reading"),
                            uri, f));
  }
  json_decref(doc);
}

static void env_metrics(ed_snap_job_t *j, const char *uri) {
  remember_leaf(j, uri, "environment");
  get(j, uri, env_metrics_cb, strdup(uri), free);
}

/* A system's processors: each one's EnvironmentMetrics, where it has one
 * (an absent processor has none). */
static void processor_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                         void *ctx) {
  json_t *doc = body(j, a, ctx);
  const char *env = link_of(doc, "EnvironmentMetrics");
  if (env && !absent(doc))
    env_metrics(j, env);
  json_decref(doc);
}

static void processors_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                          void *ctx) {
  json_t *doc = body(j, a, ctx);
  json_t *members = json_object_get(doc, "Members");
  for (size_t i = 0; i < json_array_size(members) && i < MAX_MEMBERS; i++) {
    const char *uri = str(json_array_get(members, i), "@odata.id");
    if (uri)
      get(j, uri, processor_cb, strdup(uri), free);
  }
  json_decref(doc);
}

/* At the end: a copy (copy_of) of a Sensor that was read is dropped, and
 * the Sensors' own URIs (source) are not part of the snapshot. */
static void drop_copies(json_t *snap) {
  json_t *arr = json_object_get(snap, "sensors"), *read = json_object();
  json_t *x;
  size_t i;
  json_array_foreach(arr, i, x) {
    const char *src = str(x, "source");
    if (src)
      json_object_set_new(read, src, json_true());
  }
  for (i = json_array_size(arr); i-- > 0;) {
    x = json_array_get(arr, i);
    const char *copy = str(x, "copy_of");
    if (copy && json_object_get(read, copy)) {
      json_array_remove(arr, i);
      continue;
    }
    json_object_del(x, "source");
    json_object_del(x, "copy_of");
  }
  json_decref(read);
}

/* ---- members ----------------------------------------------------------- */

static void firmware(ed_snap_job_t *j, const char *key, const char *version) {
  json_t *fw = json_object_get(j->snap, "firmware");
  if (!fw) {
    fw = json_object();
    json_object_set_new(j->snap, "firmware", fw);
  }
  if (version && !json_object_get(fw, key))
    json_object_set_new(fw, key, json_string(version));
}

static void power_state(ed_snap_job_t *j, const char *state) {
  char low[32];
  size_t n = 0;
  if (!state || json_object_get(j->snap, "power"))
    return;
  for (; state[n] && n + 1 < sizeof(low); n++)
    low[n] = (char)tolower((unsigned char)state[n]);
  low[n] = '\0';
  json_object_set_new(j->snap, "power", json_string(low));
}

/* The manager's clock against ours: the device stamped DateTime while the
 * request was out, taken as its middle. A DateTime of whole seconds is the
 * device's clock cut to the second: the offset is taken from the middle of
 * that second, and is only known to half of it plus half the round trip
 * (clock_uncertainty_s), so that a clock in sync never reads -0.9 s. */
static void clock_offset(ed_snap_job_t *j, const ed_snap_answer_t *a,
                         json_t *doc) {
  const char *text = str(doc, "DateTime");
  double dev = ed_snap_iso_to_epoch(text);
  if (dev < 0 || json_object_get(j->snap, "clock_offset_s"))
    return;
  double res = 1.0;
  const char *frac = strchr(text, '.');
  for (const char *p = frac ? frac + 1 : ""; *p >= '0' && *p <= '9'; p++)
    res /= 10;
  double mid = ed_snap_now() - a->latency_ms / 2000.0;
  json_object_set_new(j->snap, "clock_offset_s",
                      json_real(dev + res / 2 - mid));
  json_object_set_new(j->snap, "clock_uncertainty_s",
                      json_real(res / 2 + a->latency_ms / 2000.0));
}

/* Walking: a chassis' sensors, fans, supplies and redundancy in each
 * generation it publishes and its EnvironmentMetrics, a system's processors,
 * and everyone's log services. */
static void follow_links(ed_snap_job_t *j, kind_t kind, json_t *doc) {
  const char *logs = link_of(doc, "LogServices");
  if (kind == KIND_CHASSIS) {
    const char *sensors = link_of(doc, "Sensors");
    const char *subsystem = link_of(doc, "PowerSubsystem");
    const char *cooling = link_of(doc, "ThermalSubsystem");
    const char *env = link_of(doc, "EnvironmentMetrics");
    const char *thermal = link_of(doc, "Thermal");
    const char *power = link_of(doc, "Power");
    if (sensors)
      get(j, sensors, sensors_cb, strdup(sensors), free);
    if (subsystem) {
      remember_leaf(j, subsystem, "power_subsystem");
      get(j, subsystem, power_subsystem_cb, strdup(subsystem), free);
    }
    if (cooling) {
      remember_leaf(j, cooling, "thermal_subsystem");
      get(j, cooling, thermal_subsystem_cb, strdup(cooling), free);
    }
    if (env)
      env_metrics(j, env);
    if (thermal) {
      remember_leaf(j, thermal, "thermal");
      get(j, thermal, thermal_cb, strdup(thermal), free);
    }
    if (power) {
      remember_leaf(j, power, "power");
      get(j, power, power_cb, strdup(power), free);
    }
  }
  if (kind == KIND_SYSTEM) {
    const char *cpus = link_of(doc, "Processors");
    if (cpus)
      get(j, cpus, processors_cb, strdup(cpus), free);
  }
  if (logs && j->c->log_entries > 0)
    get(j, logs, log_services_cb, strdup(logs), free);
}

static void member_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  kind_t kind = (kind_t)(intptr_t)ctx;
  json_t *doc = body(j, a, kind_names[kind]);
  if (!doc)
    return;
  const char *uri = str(doc, "@odata.id");
  const char *name = uri && strncmp(uri, ROOT "/", sizeof(ROOT)) == 0
                         ? uri + sizeof(ROOT)
                         : (uri ? uri : "?");
  json_t *st = json_object_get(doc, "Status");
  ed_snap_append(j, "health",
                 json_pack("{s:s,s:s,s:o,s:o,s:o}", "component", name, "kind",
                           kind_names[kind], "health",
                           str_or_null(st, "Health"), "rollup",
                           str_or_null(st, "HealthRollup"), "state",
                           str_or_null(st, "State")));
  if (uri)
    remember_leaf(j, uri, kind_names[kind]);
  if (kind == KIND_SYSTEM) {
    power_state(j, str(doc, "PowerState"));
    if ((j->c->flags & ED_COLLECT_FULL))
      firmware(j, "bios", str(doc, "BiosVersion"));
  } else if (kind == KIND_MANAGER && (j->c->flags & ED_COLLECT_FULL)) {
    firmware(j, "bmc", str(doc, "FirmwareVersion"));
    clock_offset(j, a, doc);
  }
  if (!j->replay)
    follow_links(j, kind, doc);
  json_decref(doc);
}

static void collection_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                          void *ctx) {
  kind_t kind = (kind_t)(intptr_t)ctx;
  json_t *doc = body(j, a, kind_names[kind]);
  json_t *members = json_object_get(doc, "Members");
  for (size_t i = 0; i < json_array_size(members) && i < MAX_MEMBERS; i++) {
    const char *uri = str(json_array_get(members, i), "@odata.id");
    if (uri)
      get(j, uri, member_cb, (void *)(intptr_t)kind, NULL);
  }
  json_decref(doc);
}

/* ---- the service root -------------------------------------------------- */

static void sample_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  ed_snap_sample(j, a);
}

/* Read the leaves the memo holds; 0 when there are none (walk instead). */
static int replay_leaves(ed_snap_job_t *j) {
  json_t *leaves = memo_of(j) ? json_object_get(memo_of(j), "leaves") : NULL;
  if (json_array_size(leaves) == 0)
    return 0;
  j->replay = 1;
  json_t *leaf;
  size_t i;
  json_array_foreach(leaves, i, leaf) {
    const char *uri = json_string_value(json_object_get(leaf, "uri"));
    const char *kind = json_string_value(json_object_get(leaf, "kind"));
    if (!uri || !kind)
      continue;
    if (strcmp(kind, "thermal") == 0)
      get(j, uri, thermal_cb, strdup(uri), free);
    else if (strcmp(kind, "power") == 0)
      get(j, uri, power_cb, strdup(uri), free);
    else if (strcmp(kind, "sensor") == 0)
      get(j, uri, sensor_cb, strdup(uri), free);
    else if (strcmp(kind, "psu") == 0)
      get(j, uri, psu_cb, strdup(uri), free);
    else if (strcmp(kind, "power_subsystem") == 0)
      get(j, uri, power_subsystem_cb, strdup(uri), free);
    else if (strcmp(kind, "thermal_subsystem") == 0)
      get(j, uri, thermal_subsystem_cb, strdup(uri), free);
    else if (strcmp(kind, "fan") == 0)
      get(j, uri, fan_cb, strdup(uri), free);
    else if (strcmp(kind, "environment") == 0)
      get(j, uri, env_metrics_cb, strdup(uri), free);
    else if (strcmp(kind, "entries") == 0 && j->c->log_entries > 0)
      get(j, uri, entries_cb, strdup(uri), free);
    for (int k = 0; k < 3; k++)
      if (strcmp(kind, kind_names[k]) == 0)
        get(j, uri, member_cb, (void *)(intptr_t)k, NULL);
  }
  return 1;
}

static void root_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *doc = ed_snap_value(a);
  if (!json_is_object(doc)) {
    json_decref(doc);
    ed_snap_unreachable(j, a);
    return;
  }
  ed_snap_sample(j, a);
  if (replay_leaves(j)) {
    for (int i = 0; i < j->c->latency_samples; i++)
      get(j, ROOT, sample_cb, NULL, NULL);
    json_decref(doc);
    return;
  }
  static const char *const keys[] = {"Systems", "Chassis", "Managers"};
  for (int k = 0; k < 3; k++) {
    const char *uri = link_of(doc, keys[k]);
    if (uri)
      get(j, uri, collection_cb, (void *)(intptr_t)k, NULL);
  }
  for (int i = 0; i < j->c->latency_samples; i++)
    get(j, ROOT, sample_cb, NULL, NULL);
  json_decref(doc);
}

/* Without these read, the device is not known to be ready. */
static const ed_snap_part_t required[] = {{"health", "health"},
                                          {"power", "power"},
                                          {"sensors", "sensors"},
                                          {NULL, NULL}};

/* At the end: copies dropped, names made unique, then the memo. */
static void last_words(ed_snap_job_t *j) {
  drop_copies(j->snap);
  qualify_names(j->snap, "sensors");
  qualify_names(j->snap, "psus");
  memo_commit(j);
}

int ed__rf_collect(void *target, ed_collect_t *c) {
  ed__rf_target_t *t = target;
  ed_snap_job_t *j = ed_snap_begin(t, c, ed__rf_submit, ed__rf_op_free);
  if (!j)
    return -1;
  if (c->flags & ED_COLLECT_MEMO) {
    if (!t->memo)
      t->memo = json_object();
    j->driver = t->memo;
  }
  j->required = required;
  j->last_words = last_words;
  get(j, ROOT, root_cb, NULL, NULL);
  ed_snap_go(j);
  return 0;
}
