/* The built-in inspection rules, one small function each and a table that
 * names them, and the kind of rule a rules file adds; see rules.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "error.h"
#include "rules_internal.h"

/* ---- helpers for the rules ------------------------------------------- */

static void emit(ed__rule_ctx_t *c, json_t *snap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emit(ed__rule_ctx_t *c, json_t *snap, const char *fmt, ...) {
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof(detail), fmt, ap);
  va_end(ap);
  json_t *f =
      json_pack("{s:s,s:s,s:O,s:s,s:s,s:s}", "rule", c->rule->id, "severity",
                ed_severity_name(c->rule->severity), "device",
                json_object_get(snap, "device"), "title", c->rule->title,
                "detail", detail, "measure", c->rule->measure);
  json_t *labels = json_object_get(snap, "labels");
  if (f && labels)
    json_object_set(f, "labels", labels);
  if (f)
    json_array_append_new(c->findings, f);
}

static double param(const ed__rule_ctx_t *c, const char *key) {
  json_t *v = json_object_get(c->rule->params, key);
  if (json_is_number(v))
    return json_number_value(v);
  int64_t ms = 0;
  if (json_is_string(v) && ed_duration_from_json(v, &ms, NULL, 0) == 0)
    return (double)ms / 1000.0; /* durations are in seconds here */
  return 0;
}

static const char *s_of(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static int reachable(json_t *snap) {
  return json_is_true(json_object_get(snap, "reachable"));
}

static int num(json_t *o, const char *key, double *out) {
  json_t *v = json_object_get(o, key);
  if (!json_is_number(v))
    return 0;
  *out = json_number_value(v);
  return 1;
}

/* ---- built-in rules --------------------------------------------------- */

/* A device whose driver cannot collect was not reached at all: it is
 * unread (below), not unreachable. */
static const char *unread(json_t *snap) {
  return json_string_value(json_object_get(snap, "unread"));
}

static void r_unreachable(ed__rule_ctx_t *c, json_t *snap) {
  if (reachable(snap) || unread(snap))
    return;
  json_t *e = json_object_get(snap, "error");
  emit(c, snap, "%s: %s", s_of(e, "class"), s_of(e, "detail"));
}

/* Each component whose own health is at the rule's level is a finding; the
 * components that only roll up a part at that level make one together
 * (the part itself is usually found by another rule). */
static void health_rule(ed__rule_ctx_t *c, json_t *snap, int rank) {
  const char *word = rank == 2 ? "Critical" : "Warning";
  char rolled[400] = "";
  size_t off = 0, nrolled = 0;
  json_t *h;
  size_t i;
  json_array_foreach(json_object_get(snap, "health"), i, h) {
    const char *health = s_of(h, "health"), *rollup = s_of(h, "rollup");
    /* A warning rule stays quiet where the critical one speaks. */
    if (rank == 1 &&
        (strcmp(health, "Critical") == 0 || strcmp(rollup, "Critical") == 0))
      continue;
    if (strcmp(health, word) == 0) {
      emit(c, snap, "%s %s: health %s", s_of(h, "kind"), s_of(h, "component"),
           health);
    } else if (strcmp(rollup, word) == 0 && off < sizeof(rolled)) {
      off += (size_t)snprintf(rolled + off, sizeof(rolled) - off, "%s%s",
                              nrolled ? ", " : "", s_of(h, "component"));
      nrolled++;
    }
  }
  if (nrolled)
    emit(c, snap, "health rollup %s on %s (a part below %s %s)", word, rolled,
         nrolled == 1 ? "it is" : "them is", word);
}

static void r_health_critical(ed__rule_ctx_t *c, json_t *snap) {
  health_rule(c, snap, 2);
}
static void r_health_warning(ed__rule_ctx_t *c, json_t *snap) {
  health_rule(c, snap, 1);
}

static void r_power_off(ed__rule_ctx_t *c, json_t *snap) {
  const char *p = json_string_value(json_object_get(snap, "power"));
  if (reachable(snap) && p && strcmp(p, "on") != 0)
    emit(c, snap, "power is %s", p);
}

static int bad_status(json_t *item) {
  const char *state = s_of(item, "state");
  if (strcmp(state, "Absent") == 0)
    return 0;
  return strcmp(s_of(item, "health"), "Warning") == 0 ||
         strcmp(s_of(item, "health"), "Critical") == 0 ||
         (state[0] && strcmp(state, "Enabled") != 0 &&
          strcmp(state, "StandbySpare") != 0);
}

static void r_psu_failed(ed__rule_ctx_t *c, json_t *snap) {
  json_t *p;
  size_t i;
  json_array_foreach(json_object_get(snap, "psus"), i, p) {
    if (bad_status(p))
      emit(c, snap, "%s: health %s, state %s", s_of(p, "name"),
           s_of(p, "health")[0] ? s_of(p, "health") : "unknown",
           s_of(p, "state")[0] ? s_of(p, "state") : "unknown");
  }
}

static void r_psu_redundancy(ed__rule_ctx_t *c, json_t *snap) {
  json_t *r, *p;
  size_t i;
  json_array_foreach(json_object_get(snap, "redundancy"), i, r) {
    if (bad_status(r))
      emit(c, snap, "%s: health %s, state %s", s_of(r, "name"),
           s_of(r, "health"), s_of(r, "state"));
  }
  /* Counted per list the device gave them in ("listed_in"; one list when
   * the driver does not say): a device that publishes one set of supplies
   * in two lists (Redfish's two generations) must not count it twice. */
  json_t *lists = json_object();
  json_array_foreach(json_object_get(snap, "psus"), i, p) {
    if (strcmp(s_of(p, "state"), "Absent") == 0)
      continue;
    const char *list = s_of(p, "listed_in");
    json_t *n = json_object_get(lists, list);
    if (!n) {
      n = json_pack("[i,i]", 0, 0);
      json_object_set_new(lists, list, n);
    }
    json_array_set_new(
        n, 0, json_integer(json_integer_value(json_array_get(n, 0)) + 1));
    json_array_set_new(n, 1,
                       json_integer(json_integer_value(json_array_get(n, 1)) +
                                    !bad_status(p)));
  }
  const char *list;
  json_t *n;
  json_object_foreach(lists, list, n) {
    json_int_t total = json_integer_value(json_array_get(n, 0));
    json_int_t good = json_integer_value(json_array_get(n, 1));
    if (total >= 2 && good < 2)
      emit(c, snap,
           "%lld of %lld power supplies healthy%s%s: no redundancy left",
           (long long)good, (long long)total, list[0] ? " in " : "", list);
  }
  json_decref(lists);
}

/* Which threshold a sensor's reading is at: 2 critical, 1 warning, 0 not. */
static int sensor_level(json_t *s, double *reading, double *limit) {
  double r, t;
  if (!num(s, "reading", &r))
    return strcmp(s_of(s, "health"), "Critical") == 0  ? 2
           : strcmp(s_of(s, "health"), "Warning") == 0 ? 1
                                                       : 0;
  *reading = r;
  /* An enabled fan that does not turn has failed, whether or not the BMC
   * publishes a lower threshold or flags its health. */
  if (strcmp(s_of(s, "kind"), "fan") == 0 && r <= 0) {
    *limit = NAN;
    return 2;
  }
  if ((num(s, "upper_critical", &t) && r >= t) ||
      (num(s, "lower_critical", &t) && r <= t)) {
    *limit = t;
    return 2;
  }
  if ((num(s, "upper_warning", &t) && r >= t) ||
      (num(s, "lower_warning", &t) && r <= t)) {
    *limit = t;
    return 1;
  }
  *limit = NAN;
  if (strcmp(s_of(s, "health"), "Critical") == 0)
    return 2;
  return strcmp(s_of(s, "health"), "Warning") == 0;
}

static void sensor_rule(ed__rule_ctx_t *c, json_t *snap, int want) {
  json_t *s;
  size_t i;
  json_array_foreach(json_object_get(snap, "sensors"), i, s) {
    double reading = NAN, limit = NAN;
    if (sensor_level(s, &reading, &limit) != want)
      continue;
    if (isnan(limit) && !strcmp(s_of(s, "kind"), "fan") && reading <= 0)
      emit(c, snap, "%s reads %g %s: the fan has stopped", s_of(s, "name"),
           reading, s_of(s, "unit"));
    else if (isnan(limit))
      emit(c, snap, "%s: health %s", s_of(s, "name"), s_of(s, "health"));
    else
      emit(c, snap, "%s reads %g %s, threshold %g", s_of(s, "name"), reading,
           s_of(s, "unit"), limit);
  }
}
static void r_sensor_critical(ed__rule_ctx_t *c, json_t *snap) {
  sensor_rule(c, snap, 2);
}
static void r_sensor_warning(ed__rule_ctx_t *c, json_t *snap) {
  sensor_rule(c, snap, 1);
}

/* Under the upper warning threshold, but by less than margin_pct of it:
 * under the event's load it may cross. */
static void r_sensor_margin(ed__rule_ctx_t *c, json_t *snap) {
  double margin = param(c, "margin_pct");
  json_t *s;
  size_t i;
  json_array_foreach(json_object_get(snap, "sensors"), i, s) {
    double r, t, dummy;
    if (sensor_level(s, &r, &dummy) != 0 || !num(s, "reading", &r) ||
        !num(s, "upper_warning", &t) || t <= 0)
      continue;
    double left = (t - r) / t * 100.0;
    if (left < margin)
      emit(c, snap, "%s reads %g %s: %.1f %% below its warning threshold %g",
           s_of(s, "name"), r, s_of(s, "unit"), left, t);
  }
}

static void log_rule(ed__rule_ctx_t *c, json_t *snap, const char *severity) {
  double window = param(c, "window");
  size_t n = 0;
  const char *last = NULL;
  json_t *e;
  size_t i;
  json_array_foreach(json_object_get(snap, "log"), i, e) {
    double age;
    if (strcmp(s_of(e, "severity"), severity) != 0)
      continue;
    if (num(e, "age_s", &age) && age > window)
      continue;
    if (!last)
      last = s_of(e, "message");
    n++;
  }
  if (n)
    emit(c, snap, "%zu %s entr%s in the last %gh; newest: %s", n, severity,
         n == 1 ? "y" : "ies", window / 3600.0, last);
}
static void r_log_critical(ed__rule_ctx_t *c, json_t *snap) {
  log_rule(c, snap, "Critical");
}
static void r_log_warning(ed__rule_ctx_t *c, json_t *snap) {
  log_rule(c, snap, "Warning");
}

/* An offset is only known to its uncertainty (a clock of whole seconds,
 * the round trip): drift is what lies beyond it. */
static void r_clock_drift(ed__rule_ctx_t *c, json_t *snap) {
  double off, unc = 0;
  if (!num(snap, "clock_offset_s", &off))
    return;
  num(snap, "clock_uncertainty_s", &unc);
  if (fabs(off) - unc <= param(c, "max_s"))
    return;
  if (unc > 0)
    emit(c, snap, "clock is %+.1f s (± %.1f s) off the runner's", off, unc);
  else
    emit(c, snap, "clock is %+.1f s off the runner's", off);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Slow in absolute terms, or against the fleet's median. */
static void r_slow(ed__rule_ctx_t *c, const json_t *snaps) {
  size_t n = json_array_size(snaps), k = 0;
  double *p50s = calloc(n + 1, sizeof(double));
  if (!p50s)
    return;
  json_t *s;
  size_t i;
  json_array_foreach((json_t *)snaps, i, s) {
    if (num(json_object_get(s, "latency_ms"), "p50", &p50s[k]))
      k++;
  }
  qsort(p50s, k, sizeof(double), cmp_double);
  double median = k ? p50s[k / 2] : 0;
  free(p50s);
  json_array_foreach((json_t *)snaps, i, s) {
    json_t *lat = json_object_get(s, "latency_ms");
    double p50, p99;
    if (!num(lat, "p50", &p50) || !num(lat, "p99", &p99))
      continue;
    if (p99 > param(c, "p99_ms") || p50 > param(c, "p50_ms"))
      emit(c, s, "response time p50 %.1f ms, p99 %.1f ms", p50, p99);
    else if (k >= 3 && p50 > param(c, "fleet_factor") * median &&
             p50 > param(c, "min_ms"))
      emit(c, s, "response time p50 %.1f ms, %.1f× the fleet's median %.1f ms",
           p50, p50 / median, median);
  }
}

/* A version that differs from the one most devices of the same driver run
 * (when most run one). */
static void firmware_key(ed__rule_ctx_t *c, const json_t *snaps,
                         const char *driver, const char *key) {
  json_t *counts = json_object();
  size_t total = 0;
  json_t *s;
  size_t i;
  json_array_foreach((json_t *)snaps, i, s) {
    const char *v =
        json_string_value(json_object_get(json_object_get(s, "firmware"), key));
    if (!v || strcmp(s_of(s, "driver"), driver) != 0)
      continue;
    json_int_t n = json_integer_value(json_object_get(counts, v));
    json_object_set_new(counts, v, json_integer(n + 1));
    total++;
  }
  const char *major = NULL;
  json_int_t best = 0;
  const char *v;
  json_t *n;
  json_object_foreach(counts, v, n) {
    if (json_integer_value(n) > best) {
      best = json_integer_value(n);
      major = v;
    }
  }
  if (major && json_object_size(counts) > 1 && best * 2 > (json_int_t)total) {
    json_array_foreach((json_t *)snaps, i, s) {
      const char *mine = json_string_value(
          json_object_get(json_object_get(s, "firmware"), key));
      if (mine && strcmp(s_of(s, "driver"), driver) == 0 &&
          strcmp(mine, major) != 0)
        emit(c, s, "%s firmware %s; %lld of %zu %s devices run %s", key, mine,
             (long long)best, total, driver, major);
    }
  }
  json_decref(counts);
}

static void r_firmware(ed__rule_ctx_t *c, const json_t *snaps) {
  static const char *const drivers[] = {"redfish", "ipmi"};
  static const char *const keys[] = {"bmc", "bios"};
  for (int d = 0; d < 2; d++)
    for (int k = 0; k < 2; k++)
      firmware_key(c, snaps, drivers[d], keys[k]);
}

static void r_disk_full(ed__rule_ctx_t *c, json_t *snap) {
  json_t *d;
  size_t i;
  json_array_foreach(json_object_get(snap, "disks"), i, d) {
    double pct;
    if (num(d, "used_pct", &pct) && pct >= param(c, "used_pct"))
      emit(c, snap, "%s is %.0f %% full", s_of(d, "mount"), pct);
  }
}

static void r_time_sync(ed__rule_ctx_t *c, json_t *snap) {
  if (json_is_false(json_object_get(snap, "time_sync")))
    emit(c, snap, "the clock is not synchronised (NTP)");
}

static void r_failed_units(ed__rule_ctx_t *c, json_t *snap) {
  json_t *u = json_object_get(snap, "failed_units");
  if (json_array_size(u) == 0)
    return;
  char list[400] = "";
  size_t off = 0;
  json_t *x;
  size_t i;
  json_array_foreach(u, i, x) {
    if (off < sizeof(list))
      off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
                              i ? ", " : "", json_string_value(x));
  }
  emit(c, snap, "%zu failed unit%s: %s", json_array_size(u),
       json_array_size(u) == 1 ? "" : "s", list);
}

static void r_unread(ed__rule_ctx_t *c, json_t *snap) {
  json_t *g;
  size_t i;
  if (unread(snap))
    emit(c, snap, "nothing read: %s", unread(snap));
  json_array_foreach(json_object_get(snap, "gaps"), i, g) {
    emit(c, snap, "%s", json_string_value(g));
  }
}

const ed__rule_def_t ed__rules_builtin[] = {
    {"unreachable", ED_SEV_CRITICAL, "Device unreachable",
     "Restore management access (network path, credentials, BMC service) "
     "before the event: a device that cannot be reached cannot be recovered "
     "remotely.",
     "{}", r_unreachable, NULL},
    {"unread", ED_SEV_CRITICAL, "Part of the device could not be read",
     "Check the account's privileges and the device's interface: a part "
     "that was refused, failed or returned nothing is an unknown, and a "
     "device is only ready when its health, power and sensors were read.",
     "{}", r_unread, NULL},
    {"health-critical", ED_SEV_CRITICAL, "Component in critical health",
     "Find the failed part (the component's log and sub-resources) and "
     "repair or replace it before the event.",
     "{}", r_health_critical, NULL},
    {"psu-failed", ED_SEV_CRITICAL, "Power supply failed",
     "Replace the power supply and check its feed: the server runs without "
     "power redundancy.",
     "{}", r_psu_failed, NULL},
    {"sensor-critical", ED_SEV_CRITICAL, "Sensor beyond its critical threshold",
     "Act now: check cooling, airflow and load of this server; plan its "
     "workload's failover.",
     "{}", r_sensor_critical, NULL},
    {"psu-redundancy", ED_SEV_HIGH, "Power redundancy lost",
     "Restore N+1 power (replace or re-seat the supply, check both feeds).",
     "{}", r_psu_redundancy, NULL},
    {"sensor-warning", ED_SEV_HIGH, "Sensor beyond its warning threshold",
     "Check cooling and airflow; lower the load or move work before the "
     "event.",
     "{}", r_sensor_warning, NULL},
    {"log-critical", ED_SEV_HIGH, "Critical event logged recently",
     "Read the entries, find their cause and fix it; clear the log only "
     "once understood.",
     "{\"window\": \"24h\"}", r_log_critical, NULL},
    {"failed-units", ED_SEV_HIGH, "Failed services on the host",
     "Restart or repair the failed units (systemctl status UNIT).", "{}",
     r_failed_units, NULL},
    {"disk-full", ED_SEV_HIGH, "Disk nearly full",
     "Free space or grow the file system before the event's logs and data "
     "fill it.",
     "{\"used_pct\": 90}", r_disk_full, NULL},
    {"health-warning", ED_SEV_WARNING, "Component in warning health",
     "Look at the component's log and sub-resources; fix what degrades it.",
     "{}", r_health_warning, NULL},
    {"sensor-margin", ED_SEV_WARNING, "Sensor close to its warning threshold",
     "Little margin is left for the event's load: improve cooling or spread "
     "the load.",
     "{\"margin_pct\": 10}", r_sensor_margin, NULL},
    {"firmware-outlier", ED_SEV_WARNING, "Firmware differs from the fleet",
     "Align the firmware with the rest of the fleet (or record why it "
     "differs) before the freeze.",
     "{}", NULL, r_firmware},
    {"clock-drift", ED_SEV_WARNING, "Clock drift",
     "Synchronise the device's clock (NTP): logs and evidence must line "
     "up.",
     "{\"max_s\": 5}", r_clock_drift, NULL},
    {"slow-device", ED_SEV_WARNING, "Slow management interface",
     "Find why it answers slowly (BMC load, network, firmware) and whether "
     "it will answer during the event.",
     "{\"p50_ms\": 500, \"p99_ms\": 2000, \"fleet_factor\": 3, "
     "\"min_ms\": 20}",
     NULL, r_slow},
    {"power-off", ED_SEV_WARNING, "Powered off",
     "Confirm the server is meant to be off for the event.", "{}", r_power_off,
     NULL},
    {"time-sync", ED_SEV_WARNING, "Time not synchronised",
     "Enable and check NTP (timedatectl, chronyc).", "{}", r_time_sync, NULL},
    {"log-warning", ED_SEV_NOTICE, "Warning events logged recently",
     "Review the entries.", "{\"window\": \"24h\"}", r_log_warning, NULL},
};
const size_t ed__rules_nbuiltin =
    sizeof(ed__rules_builtin) / sizeof(ed__rules_builtin[0]);

/* ---- added rules: a value of the snapshot against a constant ---------- */

const char *const ed__rules_cmp_names[] = {"equals", "not_equals", "above",
                                           "below",  "match",      NULL};

/* 1 when the rule holds on v, 0 when not, -1 when a match could not tell
 * (why says so). */
static int custom_hit(const ed__rule_t *r, json_t *v, char *why, size_t len) {
  if (!v)
    return 0;
  if (strcmp(r->cmp, "equals") == 0)
    return json_equal(v, r->value);
  if (strcmp(r->cmp, "not_equals") == 0)
    return !json_equal(v, r->value);
  if (strcmp(r->cmp, "match") == 0) {
    if (!json_is_string(v) || !r->pattern)
      return 0;
    int m = ed_pattern_match(r->pattern, json_string_value(v),
                             json_string_length(v), why, len);
    if (m < 0 && m != ED_ERANGE)
      snprintf(why, len, "%s", ed_strerror(m));
    return m < 0 ? -1 : m;
  }
  if (!json_is_number(v))
    return 0;
  double x = json_number_value(v), lim = json_number_value(r->value);
  return strcmp(r->cmp, "above") == 0 ? x > lim : x < lim;
}

/* RFC 6901 pointer into a snapshot. */
static json_t *at_pointer(json_t *doc, const char *ptr) {
  json_t *cur = doc;
  char tok[256];
  while (cur && *ptr == '/') {
    ptr++;
    size_t n = 0;
    for (; *ptr && *ptr != '/' && n + 1 < sizeof(tok); ptr++) {
      char ch = *ptr;
      if (ch == '~' && (ptr[1] == '0' || ptr[1] == '1'))
        ch = *++ptr == '0' ? '~' : '/';
      tok[n++] = ch;
    }
    tok[n] = '\0';
    if (json_is_object(cur)) {
      cur = json_object_get(cur, tok);
    } else if (json_is_array(cur)) {
      char *end;
      unsigned long i = strtoul(tok, &end, 10);
      cur = *tok && !*end ? json_array_get(cur, i) : NULL;
    } else {
      cur = NULL;
    }
  }
  return *ptr ? NULL : cur;
}

void ed__rule_custom(ed__rule_ctx_t *c, json_t *snap) {
  json_t *v = at_pointer(snap, c->rule->pointer);
  if (!reachable(snap))
    return;
  char why[192];
  int hit = custom_hit(c->rule, v, why, sizeof(why));
  if (hit < 0) {
    /* Not judged is not healthy: the finding says why. */
    emit(c, snap, "%s could not be judged: %s", c->rule->pointer, why);
    return;
  }
  if (!hit)
    return;
  char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  emit(c, snap, "%s is %s", c->rule->pointer, text ? text : "?");
  free(text);
}
