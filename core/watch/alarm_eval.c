/* The conditions one snapshot shows, kind by kind (see alarm.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm_internal.h"

int ed__alarm_rank(const char *health) {
  if (!health)
    return ED_ALARM_OK;
  if (strcmp(health, "Critical") == 0)
    return ED_ALARM_CRITICAL;
  if (strcmp(health, "Warning") == 0)
    return ED_ALARM_WARNING;
  return ED_ALARM_OK;
}

static const char *str(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void add(ed__alarm_conds_t *c, int kind, int level, const char *subject,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(ed__alarm_conds_t *c, int kind, int level, const char *subject,
                const char *fmt, ...) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    ed__alarm_cond_t *v = realloc(c->v, cap * sizeof(*v));
    if (!v) {
      c->nomem = 1;
      return;
    }
    c->v = v;
    c->cap = cap;
  }
  ed__alarm_cond_t *x = &c->v[c->n++];
  x->kind = kind;
  x->level = level;
  snprintf(x->subject, sizeof(x->subject), "%s", subject ? subject : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->text, sizeof(x->text), fmt, ap);
  va_end(ap);
}

static int on(const ed_alarm_rules_t *r, int kind) {
  return r->r[kind].enabled;
}

static void eval_unreachable(const ed_alarm_rules_t *r, const json_t *snap,
                             ed__alarm_conds_t *out) {
  if (json_is_true(json_object_get(snap, "reachable")))
    return;
  /* A device whose driver has no health collection is never watched:
   * said as plainly as a device that is down, never green. */
  const char *unread = str(snap, "unread");
  if (unread) {
    add(out, ED_ALARM_UNREACHABLE, r->r[ED_ALARM_UNREACHABLE].severity, "",
        "not monitored: %s", unread);
    return;
  }
  const json_t *err = json_object_get(snap, "error");
  const char *cls = str(err, "class"), *detail = str(err, "detail");
  add(out, ED_ALARM_UNREACHABLE, r->r[ED_ALARM_UNREACHABLE].severity, "",
      "unreachable%s%s%s%s", cls ? ": " : "", cls ? cls : "",
      detail ? ": " : "", detail ? detail : "");
}

static void eval_slow(const ed_alarm_rules_t *r, const json_t *snap,
                      ed__alarm_conds_t *out) {
  const json_t *p50 =
      json_object_get(json_object_get(snap, "latency_ms"), "p50");
  if (!json_is_number(p50))
    return;
  out->observed |= 1u << ED_ALARM_SLOW;
  double v = json_number_value(p50);
  const ed_alarm_rule_t *rule = &r->r[ED_ALARM_SLOW];
  if (v > rule->p50_ms)
    add(out, ED_ALARM_SLOW, rule->severity, "",
        "response time p50 %.0f ms over %.0f ms", v, rule->p50_ms);
}

/* Power on -> anything else. A device never seen on is not an alarm: it was off
 * (or powering on) when the watch started, which is known, not news. */
static void eval_power(const ed_alarm_rules_t *r, ed__alarm_dev_t *dev,
                       const json_t *snap, ed__alarm_conds_t *out) {
  const char *p = str(snap, "power");
  if (!p)
    return;
  out->observed |= 1u << ED_ALARM_POWER;
  if (strcmp(p, "on") == 0) {
    dev->was_on = 1;
    return;
  }
  /* Until it is on again: powering on is the plan working, not done. */
  if (dev->was_on)
    add(out, ED_ALARM_POWER, r->r[ED_ALARM_POWER].severity, "",
        "power %s (was on)", p);
}

static const char *rank_word(int rank) {
  return rank == ED_ALARM_OK        ? "OK"
         : rank == ED_ALARM_WARNING ? "Warning"
                                    : "Critical";
}

/* A health that is not OK is an alarm, present at the first poll or not:
 * a device Critical from the start is as much the duty's business as one
 * that turns Critical later. `base` remembers the best rank of each name,
 * so the text says what it was ("was OK") or that it has been so since
 * the device's first poll. */
static void worsened(const ed_alarm_rules_t *r, int kind, json_t *base,
                     const char *name, int rank, const char *word,
                     ed__alarm_conds_t *out) {
  const json_t *b = json_object_get(base, name);
  int best = b ? (int)json_integer_value(b) : rank;
  if (!b || best > rank) {
    best = rank;
    json_object_set_new(base, name, json_integer(rank));
  }
  if (rank <= ED_ALARM_OK || rank < r->r[kind].min_level)
    return;
  if (best < rank)
    add(out, kind, rank, name, "%s health %s (was %s)", name, word,
        rank_word(best));
  else
    add(out, kind, rank, name, "%s health %s (since the first poll)", name,
        word);
}

static void eval_health(const ed_alarm_rules_t *r, ed__alarm_dev_t *dev,
                        const json_t *snap, ed__alarm_conds_t *out) {
  const json_t *arr = json_object_get(snap, "health");
  if (!json_is_array(arr))
    return;
  out->observed |= 1u << ED_ALARM_HEALTH;
  size_t i;
  const json_t *c;
  json_array_foreach(arr, i, c) {
    const char *name = str(c, "component");
    if (!name)
      continue;
    /* A rollup repeats what the parts below say (a sensor, a PSU), which
     * raise their own alarms: counted only when asked. */
    int own = ed__alarm_rank(str(c, "health"));
    int roll = r->r[ED_ALARM_HEALTH].rollup ? ed__alarm_rank(str(c, "rollup"))
                                            : ED_ALARM_OK;
    int rank = own > roll ? own : roll;
    const char *word = rank == own ? str(c, "health") : str(c, "rollup");
    worsened(r, ED_ALARM_HEALTH, dev->health_base, name, rank,
             word ? word : "OK", out);
  }
}

static void eval_psus(const ed_alarm_rules_t *r, ed__alarm_dev_t *dev,
                      const json_t *snap, ed__alarm_conds_t *out) {
  const json_t *arr = json_object_get(snap, "psus");
  if (!json_is_array(arr))
    return;
  out->observed |= 1u << ED_ALARM_PSU;
  size_t i;
  const json_t *p;
  json_array_foreach(arr, i, p) {
    const char *name = str(p, "name"), *h = str(p, "health");
    if (name)
      worsened(r, ED_ALARM_PSU, dev->psu_base, name, ed__alarm_rank(h),
               h ? h : "OK", out);
  }
}

/* Level of a reading against its thresholds: at or over an upper one, at
 * or under a lower one. *bound gets the threshold crossed. */
static int sensor_level(const json_t *s, double v, double *bound,
                        const char **side) {
  static const struct {
    const char *key;
    int level, upper;
  } th[] = {{"upper_critical", ED_ALARM_CRITICAL, 1},
            {"lower_critical", ED_ALARM_CRITICAL, 0},
            {"upper_warning", ED_ALARM_WARNING, 1},
            {"lower_warning", ED_ALARM_WARNING, 0}};
  for (size_t i = 0; i < sizeof(th) / sizeof(th[0]); i++) {
    const json_t *b = json_object_get(s, th[i].key);
    if (!json_is_number(b))
      continue;
    double x = json_number_value(b);
    if (th[i].upper ? v >= x : v <= x) {
      *bound = x;
      *side = th[i].upper ? "at or over" : "at or under";
      return th[i].level;
    }
  }
  return ED_ALARM_OK;
}

static void eval_sensors(const ed_alarm_rules_t *r, const json_t *snap,
                         ed__alarm_conds_t *out) {
  const json_t *arr = json_object_get(snap, "sensors");
  if (!json_is_array(arr))
    return;
  out->observed |= 1u << ED_ALARM_SENSOR;
  size_t i;
  const json_t *s;
  json_array_foreach(arr, i, s) {
    const char *name = str(s, "name"), *unit = str(s, "unit");
    const json_t *rd = json_object_get(s, "reading");
    if (!name || !json_is_number(rd))
      continue;
    double v = json_number_value(rd), bound = NAN;
    const char *side = NULL, *kind = str(s, "kind");
    /* An enabled fan that does not turn has failed, threshold or not. */
    if (kind && strcmp(kind, "fan") == 0 && v <= 0) {
      if (ED_ALARM_CRITICAL >= r->r[ED_ALARM_SENSOR].min_level)
        add(out, ED_ALARM_SENSOR, ED_ALARM_CRITICAL, name,
            "%s %g%s%s: the fan has stopped", name, v, unit ? " " : "",
            unit ? unit : "");
      continue;
    }
    int level = sensor_level(s, v, &bound, &side);
    int said = ed__alarm_rank(str(s, "health"));
    if (level >= r->r[ED_ALARM_SENSOR].min_level && level > ED_ALARM_OK)
      add(out, ED_ALARM_SENSOR, level, name, "%s %g%s%s %s %s threshold %g",
          name, v, unit ? " " : "", unit ? unit : "", side,
          level == ED_ALARM_CRITICAL ? "critical" : "warning", bound);
    else if (said > level && said >= r->r[ED_ALARM_SENSOR].min_level)
      /* No threshold crossed, but the device itself says so. */
      add(out, ED_ALARM_SENSOR, said, name, "%s %g%s%s: device says %s", name,
          v, unit ? " " : "", unit ? unit : "", str(s, "health"));
  }
}

/* Log entries: new when not seen in the last snapshot and created after
 * the start (when their age is known; otherwise, after the first judged
 * snapshot, any entry not seen before). */
static void eval_log(const ed_alarm_rules_t *r, double start_epoch,
                     ed__alarm_dev_t *dev, const json_t *snap,
                     ed__alarm_conds_t *out) {
  const json_t *arr = json_object_get(snap, "log");
  if (!json_is_array(arr))
    return;
  out->observed |= 1u << ED_ALARM_LOG;
  json_t *seen = json_object();
  if (!seen) {
    out->nomem = 1;
    return;
  }
  double at = json_number_value(json_object_get(snap, "at"));
  size_t i;
  const json_t *e;
  json_array_foreach(arr, i, e) {
    const char *created = str(e, "created"), *msg = str(e, "message");
    char key[160];
    snprintf(key, sizeof(key), "%s %.120s", created ? created : "?",
             msg ? msg : "");
    json_object_set_new(seen, key, json_true());
    if (json_object_get(dev->log_seen, key))
      continue;
    const json_t *age = json_object_get(e, "age_s");
    int fresh = json_is_number(age)
                    ? at - json_number_value(age) >= start_epoch - 1.0
                    : dev->judged;
    int level = ed__alarm_rank(str(e, "severity"));
    if (fresh && level >= r->r[ED_ALARM_LOG].min_level)
      add(out, ED_ALARM_LOG, level, key, "new %s log entry: %s",
          str(e, "severity"), msg ? msg : "(no message)");
  }
  json_decref(dev->log_seen);
  dev->log_seen = seen;
}

void ed__alarm_eval(const ed_alarm_rules_t *r, double start_epoch,
                    ed__alarm_dev_t *dev, const json_t *snap,
                    ed__alarm_conds_t *out) {
  out->observed |= 1u << ED_ALARM_UNREACHABLE;
  if (!json_is_true(json_object_get(snap, "reachable"))) {
    if (on(r, ED_ALARM_UNREACHABLE))
      eval_unreachable(r, snap, out);
    return; /* nothing else was read */
  }
  eval_slow(r, snap, out);
  eval_power(r, dev, snap, out);
  eval_health(r, dev, snap, out);
  eval_psus(r, dev, snap, out);
  eval_sensors(r, snap, out);
  eval_log(r, start_epoch, dev, snap, out);
  dev->judged = 1;
  /* Disabled kinds: their baselines above still follow the device. */
  size_t k = 0;
  for (size_t i = 0; i < out->n; i++)
    if (on(r, out->v[i].kind))
      out->v[k++] = out->v[i];
  out->n = k;
}
