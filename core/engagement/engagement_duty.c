/* During the event: each duty shift's window, the KPIs of each device and
 * site, the sensors' margins at peak, and every alarm with its times, who
 * acknowledged it and the plan entry it matched. The figures are the watch
 * report's own (watch.h: its model and KPIs). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engagement_internal.h"
#include "report.h"
#include "watch.h"

#define NEAR_PCT 10.0 /* a peak within this share of its threshold */

static const json_t *model(const json_t *src) {
  return json_object_get(src, "watch");
}

/* Wall-clock time of watch time t of a shift: "2026-11-11 20:41:07Z". */
static json_t *clock_of(const json_t *src, double t) {
  const json_t *start = json_object_get(model(src), "start");
  time_t s = (time_t)(ed__eng_num(start, "epoch") + t);
  struct tm tm;
  char buf[32];
  gmtime_r(&s, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return json_string(buf);
}

static void shifts(json_t *doc, const ed__eng_t *e, const json_t *duty) {
  ed_doc_h(doc, "Duty shifts");
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"shift", "from", "to", "duration",
                                 "during the event", "operator", "ended",
                                 "devices", "alarms raised", NULL});
  size_t i;
  json_t *src;
  json_array_foreach((json_t *)duty, i, src) {
    const json_t *m = model(src), *s = json_object_get(m, "start"),
                 *end = json_object_get(m, "end");
    const char *op = ed__eng_str(s, "operator");
    json_array_append_new(
        rows,
        json_pack("[s,o,o,o,s,s,s,I,I]", ed__eng_str(src, "label"),
                  clock_of(src, 0), clock_of(src, ed__eng_num(m, "last_t")),
                  ed_doc_fmt("%.1f s", ed__eng_num(m, "last_t")),
                  ed__eng_in_event(e, src) ? "yes"
                                           : "NO: started outside the "
                                             "event's dates",
                  op[0] ? op : "(not recorded)", ed__eng_str(end, "reason"),
                  (json_int_t)json_array_size(json_object_get(s, "devices")),
                  (json_int_t)json_array_size(json_object_get(m, "order"))));
  }
}

static const char *site_of(const json_t *dev) {
  const char *s = ed__eng_str(json_object_get(dev, "labels"), "site");
  return s[0] ? s : "(no site)";
}

static json_t *pct_cell(const json_t *kpi, const char *key, const char *f) {
  const json_t *v = json_object_get(kpi, key);
  return v ? ed_doc_fmt(f, json_number_value(v)) : json_string("-");
}

/* Per device, and per site: the polls the site's devices answered over the
 * polls sent, the worst device p99, the alarms. */
static void kpis(json_t *doc, const json_t *duty, json_t *held) {
  ed_doc_h(doc, "KPIs per device");
  json_t *rows =
      ed_doc_table(doc, (const char *const[]){"shift", "device", "site",
                                              "polls", "availability", "p50 ms",
                                              "p99 ms", "alarms", NULL});
  json_t *sites = json_object();
  size_t i, j;
  json_t *src, *d;
  json_array_foreach((json_t *)duty, i, src) {
    json_array_foreach(
        json_object_get(json_object_get(model(src), "start"), "devices"), j,
        d) {
      json_t *k = ed_watch_kpi(model(src), ed__eng_str(d, "name"));
      json_array_append_new(
          rows, json_pack("[s,s,s,O,o,o,o,O]", ed__eng_str(src, "label"),
                          ed__eng_str(d, "name"), site_of(d),
                          json_object_get(k, "polls"),
                          pct_cell(k, "availability_pct", "%.1f %%"),
                          pct_cell(k, "p50_ms", "%.2f"),
                          pct_cell(k, "p99_ms", "%.2f"),
                          json_object_get(k, "alarms")));
      json_t *st = json_object_get(sites, site_of(d));
      if (!st)
        json_object_set_new(sites, site_of(d),
                            st = json_pack("{s:f,s:f,s:f,s:f}", "polls", 0.0,
                                           "ok", 0.0, "p99", -1.0, "alarms",
                                           0.0));
      json_object_set_new(
          st, "polls",
          json_real(ed__eng_num(st, "polls") + ed__eng_num(k, "polls")));
      json_object_set_new(
          st, "ok", json_real(ed__eng_num(st, "ok") + ed__eng_num(k, "ok")));
      json_object_set_new(
          st, "alarms",
          json_real(ed__eng_num(st, "alarms") + ed__eng_num(k, "alarms")));
      if (json_object_get(k, "p99_ms") &&
          ed__eng_num(k, "p99_ms") > ed__eng_num(st, "p99"))
        json_object_set_new(st, "p99", json_real(ed__eng_num(k, "p99_ms")));
      if (json_object_get(k, "availability_pct") &&
          (!json_object_get(held, "worst_pct") ||
           ed__eng_num(k, "availability_pct") <
               ed__eng_num(held, "worst_pct"))) {
        json_object_set_new(held, "worst_pct",
                            json_real(ed__eng_num(k, "availability_pct")));
        json_object_set_new(held, "worst_device",
                            ed_doc_fmt("%s in %s", ed__eng_str(d, "name"),
                                       ed__eng_str(src, "label")));
      }
      json_decref(k);
    }
  }
  ed_doc_h(doc, "KPIs per site");
  rows = ed_doc_table(
      doc, (const char *const[]){"site", "polls answered", "availability",
                                 "worst device p99 ms", "alarms", NULL});
  const char *name;
  json_t *st;
  json_object_foreach(sites, name, st) {
    double polls = ed__eng_num(st, "polls");
    json_array_append_new(
        rows,
        json_pack("[s,o,o,o,o]", name,
                  ed_doc_fmt("%.0f of %.0f", ed__eng_num(st, "ok"), polls),
                  polls > 0 ? ed_doc_fmt("%.1f %%",
                                         100.0 * ed__eng_num(st, "ok") / polls)
                            : json_string("-"),
                  ed__eng_num(st, "p99") >= 0
                      ? ed_doc_fmt("%.2f", ed__eng_num(st, "p99"))
                      : json_string("-"),
                  ed_doc_fmt("%.0f", ed__eng_num(st, "alarms"))));
  }
  json_decref(sites);
}

/* The snapshot of device in the last inspection, or NULL. */
static const json_t *inspected(const json_t *last, const char *device) {
  size_t i;
  json_t *s;
  json_array_foreach(
      json_object_get(json_object_get(last, "inspection"), "snapshots"), i,
      s) if (!strcmp(ed__eng_str(s, "device"), device)) return s;
  return NULL;
}

/* The threshold a sensor's peak is measured against: its upper warning,
 * else its upper critical (from the last inspection's snapshot). */
static double threshold(const json_t *snap, const char *sensor,
                        const char **which) {
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(snap, "sensors"), i, x) {
    if (strcmp(ed__eng_str(x, "name"), sensor) != 0)
      continue;
    static const char *const keys[] = {"upper_warning", "upper_critical"};
    for (int k = 0; k < 2; k++)
      if (json_is_number(json_object_get(x, keys[k]))) {
        *which = keys[k];
        return ed__eng_num(x, keys[k]);
      }
  }
  return 0;
}

static void margins(json_t *doc, const ed__eng_t *e, const json_t *duty,
                    json_t *sugg) {
  json_t *ins = ed__eng_of_role(e, ED__ROLE_INSPECTION);
  const json_t *last = json_array_get(ins, json_array_size(ins) - 1);
  ed_doc_h(doc, "Sensor margins at peak");
  if (!last) {
    ed_doc_p(doc, json_string("No inspection among the sources: the "
                              "sensors' thresholds are not known."));
    json_decref(ins);
    return;
  }
  ed_doc_p(doc, ed_doc_fmt("The highest reading of each sensor during each "
                           "shift, against the threshold the last "
                           "inspection (%s) read.",
                           ed__eng_str(last, "label")));
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"shift", "device", "sensor", "peak",
                                 "threshold", "margin", NULL});
  size_t i, j;
  json_t *src, *d;
  json_array_foreach((json_t *)duty, i, src) {
    json_array_foreach(
        json_object_get(json_object_get(model(src), "start"), "devices"), j,
        d) {
      const char *dev = ed__eng_str(d, "name");
      json_t *k = ed_watch_kpi(model(src), dev);
      const char *sensor, *which = "";
      json_t *peak;
      json_object_foreach(json_object_get(k, "sensor_peak"), sensor, peak) {
        double th = threshold(inspected(last, dev), sensor, &which);
        if (th <= 0)
          continue;
        double p = json_number_value(peak), margin = (th - p) / th * 100.0;
        json_array_append_new(rows, json_pack("[s,s,s,o,o,o]",
                                              ed__eng_str(src, "label"), dev,
                                              sensor, ed_doc_fmt("%g", p),
                                              ed_doc_fmt("%g (%s)", th, which),
                                              ed_doc_fmt("%.1f %%", margin)));
        if (margin < NEAR_PCT)
          json_array_append_new(
              sugg, ed_doc_fmt(
                        "derived: %s of %s peaked at %g during %s, %.1f %% "
                        "under its threshold %g: check its cooling or load "
                        "before the next event",
                        sensor, dev, p, ed__eng_str(src, "label"), margin, th));
      }
      json_decref(k);
    }
  }
  if (!json_array_size(rows))
    ed_doc_p(doc, json_string("No sensor with a threshold was read during "
                              "the shifts."));
  json_decref(ins);
}

static json_t *after(const json_t *a, const char *key) {
  const json_t *v = json_object_get(a, key);
  return v ? ed_doc_fmt("%.1f s",
                        json_number_value(v) - ed__eng_num(a, "raised_at_t"))
           : NULL;
}

/* Every alarm of every shift. Returns the alarms still raised at the end
 * of their shift; counts alarms per device into per_dev. */
static size_t alarms(json_t *doc, const json_t *duty, json_t *per_dev,
                     json_t *sugg) {
  ed_doc_h(doc, "Alarms");
  json_t *rows = ed_doc_table(
      doc,
      (const char *const[]){"shift", "id", "raised", "device", "kind",
                            "severity", "acknowledged after", "acknowledged by",
                            "cleared after", "plan entry", NULL});
  size_t i, j, open = 0;
  json_t *src, *id;
  json_array_foreach((json_t *)duty, i, src) {
    const json_t *m = model(src);
    json_array_foreach(json_object_get(m, "order"), j, id) {
      const json_t *a =
          json_object_get(json_object_get(m, "alarms"), json_string_value(id));
      const json_t *plan = json_object_get(a, "plan");
      json_t *ack = after(a, "acked_t"), *clr = after(a, "cleared_t");
      open += clr == NULL;
      const char *dev = ed__eng_str(a, "device");
      json_object_set_new(
          per_dev, dev,
          json_integer(json_integer_value(json_object_get(per_dev, dev)) + 1));
      json_array_append_new(
          rows, json_pack("[s,O,o,s,s,s,o,o,o,o]", ed__eng_str(src, "label"),
                          id, clock_of(src, ed__eng_num(a, "raised_at_t")), dev,
                          ed__eng_str(a, "kind"), ed__eng_str(a, "severity"),
                          ack ? ack : json_string("not acknowledged"),
                          ed_watch_acked_by(a),
                          clr ? clr : json_string("still raised at the end"),
                          plan ? ed_doc_fmt("%s (fault %s)",
                                            ed__eng_str(plan, "plan"),
                                            ed__eng_str(plan, "fault"))
                               : json_string("none matched")));
      if (!json_object_get(a, "acked_t"))
        json_array_append_new(
            sugg, ed_doc_fmt("derived: alarm %s of %s (%s on %s) was never "
                             "acknowledged",
                             json_string_value(id), ed__eng_str(src, "label"),
                             ed__eng_str(a, "kind"), dev));
    }
  }
  if (!json_array_size(rows))
    ed_doc_p(doc, json_string("No alarm was raised."));
  return open;
}

void ed__eng_duty(json_t *doc, const ed__eng_t *e, json_t *head, json_t *sugg) {
  json_t *duty = ed__eng_of_role(e, ED__ROLE_DUTY);
  json_t *held = json_object(), *per_dev = json_object();
  ed_doc_h(doc, "During the event");
  ed_doc_p(doc, json_string("From the journals of the duty shifts (watch), "
                            "through the model and the KPIs of the watch "
                            "report."));
  if (!json_array_size(duty)) {
    ed_doc_p(doc, json_string("No duty shift among the sources: what "
                              "happened during the event is not known."));
    json_object_set_new(head, "held",
                        json_pack("{s:s,s:[s]}", "answer", "not known",
                                  "evidence",
                                  "no duty shift among the "
                                  "sources"));
  } else {
    shifts(doc, e, duty);
    kpis(doc, duty, held);
    margins(doc, e, duty, sugg);
    size_t open = alarms(doc, duty, per_dev, sugg);
    const char *dev;
    json_t *n;
    size_t raised = 0;
    json_object_foreach(per_dev, dev, n) {
      raised += (size_t)json_integer_value(n);
      if (json_integer_value(n) >= 2)
        json_array_append_new(
            sugg, ed_doc_fmt("derived: %s alarmed %lld times during the "
                             "event: inspect it before the next one",
                             dev, (long long)json_integer_value(n)));
    }
    json_t *ev = json_array();
    json_array_append_new(
        ev,
        ed_doc_fmt("%zu duty shift%s, %zu alarm%s raised, %zu still "
                   "raised at the end of its shift",
                   json_array_size(duty), json_array_size(duty) == 1 ? "" : "s",
                   raised, raised == 1 ? "" : "s", open));
    if (json_object_get(held, "worst_pct"))
      json_array_append_new(ev, ed_doc_fmt("lowest availability: %.1f %% (%s)",
                                           ed__eng_num(held, "worst_pct"),
                                           ed__eng_str(held, "worst_device")));
    json_object_set_new(
        head, "held",
        json_pack("{s:s,s:o}", "answer", open ? "no" : "yes", "evidence", ev));
  }
  json_decref(per_dev);
  json_decref(held);
  json_decref(duty);
}
