/* The "during the event" report of a watch, rebuilt from its journal
 * alone: the timeline of alarms, the KPIs of each device over the duty
 * window, the plan verifications, and plots. Rendered as report.md and
 * report.html by the drill report's renderers, so both look alike. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "journal_read.h"
#include "report.h"
#include "view.h"
#include "watch.h"
#include "watch_internal.h"

/* ---- reading the journal ----------------------------------------------- */

/* The model: {"start", "end", "last_t", "devices": {name: {polls, ok,
 * p50: [], p99: [], requests, interval_ms, stretched, labels, alarms}},
 * "alarms": {id: {...}}, "order": [ids], "verify": [...], "pauses": n,
 * "series": {name: [[t, p50, reachable]]}}. */
typedef struct model_s {
  json_t *m;
  int first_seen;
} model_t;

static json_t *dev_of(json_t *m, const char *name) {
  json_t *devs = json_object_get(m, "devices");
  json_t *d = json_object_get(devs, name);
  if (!d) {
    d = json_pack("{s:i,s:i,s:[],s:[],s:I,s:I,s:b,s:i,s:{}}", "polls", 0, "ok",
                  0, "p50", "p99", "requests", (json_int_t)0, "interval_ms",
                  (json_int_t)0, "stretched", 0, "alarms", 0, "sensor_peak");
    json_object_set_new(devs, name, d);
    json_object_set_new(json_object_get(m, "series"), name, json_array());
  }
  return d;
}

static void add_int(json_t *o, const char *key, json_int_t by) {
  json_object_set_new(
      o, key, json_integer(json_integer_value(json_object_get(o, key)) + by));
}

/* The highest reading of each sensor over the watch (its margin at peak
 * is measured against the thresholds the inspection read). */
static void peaks(json_t *d, const json_t *sensors) {
  json_t *pk = json_object_get(d, "sensor_peak");
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)sensors, name, v) {
    const json_t *was = json_object_get(pk, name);
    if (json_is_number(v) &&
        (!was || json_number_value(v) > json_number_value(was)))
      json_object_set(pk, name, v);
  }
}

static void on_poll(json_t *m, const json_t *ev, double t) {
  const char *name = json_string_value(json_object_get(ev, "device"));
  if (!name)
    return;
  json_t *d = dev_of(m, name);
  int ok = json_is_true(json_object_get(ev, "reachable"));
  add_int(d, "polls", 1);
  add_int(d, "ok", ok);
  add_int(d, "requests", json_integer_value(json_object_get(ev, "requests")));
  json_int_t iv = json_integer_value(json_object_get(ev, "interval_ms"));
  if (iv > json_integer_value(json_object_get(d, "interval_ms")))
    json_object_set_new(d, "interval_ms", json_integer(iv));
  if (json_is_true(json_object_get(ev, "stretched")))
    json_object_set_new(d, "stretched", json_true());
  const json_t *l = json_object_get(ev, "latency_ms");
  const json_t *p50 = json_object_get(l, "p50"),
               *p99 = json_object_get(l, "p99");
  if (json_is_number(p50)) {
    json_array_append(json_object_get(d, "p50"), (json_t *)p50);
    json_array_append(json_object_get(d, "p99"),
                      json_is_number(p99) ? (json_t *)p99 : (json_t *)p50);
  }
  peaks(d, json_object_get(ev, "sensors"));
  json_array_append_new(
      json_object_get(json_object_get(m, "series"), name),
      json_pack("[f,f,b]", t,
                json_is_number(p50) ? json_number_value(p50) : -1.0, ok));
}

static void on_alarm(json_t *m, const char *kind, const json_t *ev, double t) {
  char id[24];
  snprintf(id, sizeof(id), "%lld",
           (long long)json_integer_value(json_object_get(ev, "id")));
  json_t *alarms = json_object_get(m, "alarms");
  json_t *a = json_object_get(alarms, id);
  if (!a) {
    a = json_deep_copy(ev);
    json_object_set_new(a, "raised_at_t", json_real(t));
    json_object_set_new(alarms, id, a);
    json_array_append_new(json_object_get(m, "order"), json_string(id));
    const char *dev = json_string_value(json_object_get(ev, "device"));
    if (dev)
      add_int(dev_of(m, dev), "alarms", 1);
  }
  if (!strcmp(kind, "alarm_update") &&
      strcmp(json_string_value(json_object_get(ev, "severity")), "critical") ==
          0)
    json_object_set_new(a, "severity", json_string("critical"));
  if (!strcmp(kind, "alarm_ack")) {
    json_object_set_new(a, "acked_t", json_real(t));
    const json_t *who = json_object_get(ev, "operator"),
                 *note = json_object_get(ev, "note");
    if (json_is_string(who))
      json_object_set(a, "acked_by", (json_t *)who);
    if (json_is_string(note))
      json_object_set(a, "ack_note", (json_t *)note);
  }
  if (!strcmp(kind, "alarm_clear"))
    json_object_set_new(a, "cleared_t", json_real(t));
}

static int on_event(void *arg, const json_t *ev, const char *kind,
                    size_t line) {
  model_t *md = arg;
  json_t *m = md->m;
  (void)line;
  double t = json_number_value(json_object_get(ev, "t"));
  if (!md->first_seen) {
    md->first_seen = 1;
    if (strcmp(kind, "watch_start") != 0)
      return 1; /* not a watch */
    json_object_set(m, "start", (json_t *)ev);
    return 0;
  }
  json_object_set_new(m, "last_t", json_real(t));
  if (!strcmp(kind, "poll"))
    on_poll(m, ev, t);
  else if (!strncmp(kind, "alarm_", 6))
    on_alarm(m, kind, ev, t);
  else if (!strcmp(kind, "plan_verify"))
    json_array_append(json_object_get(m, "verify"), (json_t *)ev);
  else if (!strcmp(kind, "pause"))
    add_int(m, "pauses", 1);
  else if (!strcmp(kind, "watch_end"))
    json_object_set(m, "end", (json_t *)ev);
  return 0;
}

int ed_watch_model(const char *dir, json_t **out, ed_jread_stats_t *st) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
  model_t md = {.m = json_pack("{s:{},s:{},s:{},s:[],s:[],s:i,s:f}", "devices",
                               "alarms", "series", "order", "verify", "pauses",
                               0, "last_t", 0.0)};
  int rc = ed_journal_read(path, on_event, &md, st);
  if (rc == ED_EIO) {
    json_decref(md.m);
    return ED_ENOTFOUND;
  }
  if (rc != 0 || !json_object_get(md.m, "start")) {
    json_decref(md.m);
    return ED_EPARSE;
  }
  *out = md.m;
  return 0;
}

int ed_watch_is_results(const char *dir) {
  json_t *m;
  if (ed_watch_model(dir, &m, NULL) != 0)
    return 0;
  json_decref(m);
  return 1;
}

/* ---- figures ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the numbers of arr; -1 when empty. */
static double pct(const json_t *arr, double p) {
  size_t n = json_array_size(arr);
  if (!n)
    return -1;
  double *v = malloc(n * sizeof(*v));
  if (!v)
    return -1;
  for (size_t i = 0; i < n; i++)
    v[i] = json_number_value(json_array_get(arr, i));
  qsort(v, n, sizeof(*v), cmp_double);
  size_t k = (size_t)ceil(p / 100.0 * (double)n);
  double r = v[k ? k - 1 : 0];
  free(v);
  return r;
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static double num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

/* Wall-clock time of watch time t: "20:41:07Z". */
static void clock_of(const json_t *start, double t, char *buf, size_t len) {
  time_t s = (time_t)(num(start, "epoch") + t);
  struct tm tm;
  gmtime_r(&s, &tm);
  strftime(buf, len, "%H:%M:%SZ", &tm);
}

json_t *ed_watch_acked_by(const json_t *alarm) {
  const char *who = str(alarm, "acked_by"), *note = str(alarm, "ack_note");
  if (!json_object_get(alarm, "acked_t"))
    return json_string("-");
  if (!who[0])
    who = "(not recorded)";
  return note[0] ? ed_doc_fmt("%s: %s", who, note) : json_string(who);
}

static json_t *secs(double s) {
  return s < 0 ? json_string("-") : ed_doc_fmt("%.1f s", s);
}

/* ---- the document ------------------------------------------------------ */

static void the_watch(json_t *doc, const json_t *m) {
  const json_t *s = json_object_get(m, "start"), *e = json_object_get(m, "end");
  ed_doc_h(doc, "The watch");
  json_t *rows = ed_doc_table(doc, (const char *const[]){"", "", NULL});
  const json_t *plan = json_object_get(s, "plan");
  json_array_append_new(
      rows,
      json_pack("[s,o]", "inventory",
                ed_doc_fmt("%s (%s)", str(s, "inventory"), str(s, "file"))));
  json_array_append_new(
      rows,
      json_pack("[s,o]", "duty window",
                ed_doc_fmt("%s, %.1f s%s", str(s, "started"), num(m, "last_t"),
                           e ? "" : " (the watch did not end cleanly)")));
  json_array_append_new(
      rows,
      json_pack("[s,o]", "poll interval and budget",
                ed_doc_fmt("%.1f s ±10 %%, at most %g requests/s per device",
                           num(s, "interval_ms") / 1000.0, num(s, "budget"))));
  json_array_append_new(
      rows,
      json_pack("[s,o]", "emergency plan",
                json_is_object(plan)
                    ? ed_doc_fmt("%s (%s, sha256 %.12s…)", str(plan, "name"),
                                 str(plan, "file"), str(plan, "sha256"))
                    : json_string("none given")));
  json_array_append_new(
      rows, json_pack("[s,o]", "ended",
                      e ? ed_doc_fmt("%s: %lld polls, %lld alarms raised",
                                     str(e, "reason"),
                                     (long long)json_integer_value(
                                         json_object_get(e, "polls")),
                                     (long long)json_integer_value(
                                         json_object_get(e, "alarms_raised")))
                        : json_string("no watch_end: killed or still "
                                      "running")));
  json_array_append_new(
      rows, json_pack("[s,s]", "eventdrill version", str(s, "version")));
  json_array_append_new(rows, json_pack("[s,s]", "command", str(s, "command")));
}

static void timeline(json_t *doc, const json_t *m) {
  const json_t *s = json_object_get(m, "start");
  const json_t *alarms = json_object_get(m, "alarms");
  double last = num(m, "last_t");
  size_t n = json_array_size(json_object_get(m, "order")), crit = 0, acked = 0,
         open = 0;
  ed_doc_h(doc, "Timeline of alarms");
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"id", "raised", "device", "kind", "severity",
                                 "what", "acked after", "acked by",
                                 "cleared after", "plan", NULL});
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(m, "order"), i, id) {
    const json_t *a = json_object_get(alarms, json_string_value(id));
    double r = num(a, "raised_at_t");
    const json_t *ack = json_object_get(a, "acked_t");
    const json_t *clr = json_object_get(a, "cleared_t");
    crit += !strcmp(str(a, "severity"), "critical");
    acked += ack != NULL;
    open += clr == NULL;
    const char *plan = str(json_object_get(a, "plan"), "plan");
    char clock[32];
    clock_of(s, r, clock, sizeof(clock));
    json_array_append_new(
        rows,
        json_pack("[s,o,s,s,s,s,o,o,o,s]", json_string_value(id),
                  ed_doc_fmt("%s (+%.1f s)", clock, r), str(a, "device"),
                  str(a, "kind"), str(a, "severity"), str(a, "text"),
                  ack ? secs(json_number_value(ack) - r) : json_string("-"),
                  ed_watch_acked_by(a),
                  clr ? secs(json_number_value(clr) - r)
                      : ed_doc_fmt("still raised (%.1f s)", last - r),
                  plan[0] ? plan : "-"));
  }
  ed_doc_p(doc,
           ed_doc_fmt("%zu alarm%s raised (%zu critical, %zu warning), %zu "
                      "acknowledged, %zu still raised at the end.",
                      n, n == 1 ? "" : "s", crit, n - crit, acked, open));
  /* The summary reads better before the table. */
  json_t *para = json_array_get(doc, json_array_size(doc) - 1);
  json_incref(para);
  json_array_remove(doc, json_array_size(doc) - 1);
  json_array_insert_new(doc, json_array_size(doc) - 1, para);
}

json_t *ed_watch_kpi(const json_t *m, const char *device) {
  const json_t *k = json_object_get(json_object_get(m, "devices"), device);
  json_int_t polls = json_integer_value(json_object_get(k, "polls"));
  json_int_t ok = json_integer_value(json_object_get(k, "ok"));
  double p50 = pct(json_object_get(k, "p50"), 50);
  double p99 = pct(json_object_get(k, "p99"), 99);
  double span = num(m, "last_t");
  const json_t *pk = json_object_get(k, "sensor_peak");
  json_t *o =
      json_pack("{s:I,s:I,s:I,s:o}", "polls", polls, "ok", ok, "alarms",
                json_integer_value(json_object_get(k, "alarms")), "sensor_peak",
                pk ? json_copy((json_t *)pk) : json_object());
  if (polls)
    json_object_set_new(o, "availability_pct",
                        json_real(100.0 * (double)ok / (double)polls));
  if (p50 >= 0)
    json_object_set_new(o, "p50_ms", json_real(p50));
  if (p99 >= 0)
    json_object_set_new(o, "p99_ms", json_real(p99));
  if (span > 0)
    json_object_set_new(
        o, "requests_per_s",
        json_real((double)json_integer_value(json_object_get(k, "requests")) /
                  span));
  return o;
}

/* A figure of a KPI object as the report prints it, "-" when absent. */
static json_t *kpi_cell(const json_t *kpi, const char *key, const char *f) {
  const json_t *v = json_object_get(kpi, key);
  return v ? ed_doc_fmt(f, json_number_value(v)) : json_string("-");
}

static void kpis(json_t *doc, const json_t *m) {
  const json_t *s = json_object_get(m, "start");
  ed_doc_h(doc, "KPIs per device over the duty window");
  ed_doc_p(doc,
           json_string("Availability: the share of polls the device answered. "
                       "Latency: p50 is the median of the polls' p50, p99 the "
                       "99th percentile of the polls' p99 (each poll's figures "
                       "come from its own requests)."));
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"device", "labels", "polls", "availability",
                                 "p50 ms", "p99 ms", "requests/s", "interval",
                                 "alarms", NULL});
  size_t i;
  json_t *d;
  json_array_foreach(json_object_get(s, "devices"), i, d) {
    const char *name = str(d, "name");
    const json_t *k = json_object_get(json_object_get(m, "devices"), name);
    char labels[128];
    ed_view_labels_text(json_object_get(d, "labels"), labels, sizeof(labels));
    json_t *kpi = ed_watch_kpi(m, name);
    json_array_append_new(
        rows,
        json_pack("[s,s,I,o,o,o,o,o,I]", name, labels,
                  json_integer_value(json_object_get(kpi, "polls")),
                  kpi_cell(kpi, "availability_pct", "%.1f %%"),
                  kpi_cell(kpi, "p50_ms", "%.2f"),
                  kpi_cell(kpi, "p99_ms", "%.2f"),
                  kpi_cell(kpi, "requests_per_s", "%.2f"),
                  json_is_true(json_object_get(k, "stretched"))
                      ? ed_doc_fmt("stretched to %.1f s by the budget",
                                   num(k, "interval_ms") / 1000.0)
                      : ed_doc_fmt("%.1f s", num(s, "interval_ms") / 1000.0),
                  json_integer_value(json_object_get(kpi, "alarms"))));
    json_decref(kpi);
  }
}

static void verifications(json_t *doc, const json_t *m) {
  const json_t *v = json_object_get(m, "verify");
  if (!json_array_size(v))
    return;
  ed_doc_h(doc, "Emergency-plan verifications (read-only)");
  json_t *rows =
      ed_doc_table(doc, (const char *const[]){"alarm", "plan", "step", "check",
                                              "result", NULL});
  size_t i;
  json_t *r;
  json_array_foreach(v, i, r) {
    int ok = json_is_true(json_object_get(r, "ok"));
    json_array_append_new(
        rows, json_pack("[o,s,s,s,o]",
                        ed_doc_fmt("%lld", (long long)json_integer_value(
                                               json_object_get(r, "alarm"))),
                        str(r, "plan"), str(r, "step"), str(r, "check"),
                        ok ? ed_doc_fmt("ok (%.1f ms)", num(r, "latency_ms"))
                           : ed_doc_fmt("FAILED: %s", str(r, "reason"))));
  }
}

static json_t *document(const json_t *m, const json_t *notes,
                        const json_t *plots) {
  const json_t *s = json_object_get(m, "start");
  json_t *doc = json_array();
  json_array_append_new(
      doc, json_pack("{s:o}", "title",
                     ed_doc_fmt("Watch report: %s", str(s, "inventory"))));
  if (json_array_size(notes))
    json_array_append_new(doc, json_pack("{s:O}", "list", notes));
  the_watch(doc, m);
  ed_doc_h(doc, "During the event");
  ed_doc_p(doc, json_string("What the console saw while on duty, rebuilt from "
                            "journal.jsonl alone."));
  timeline(doc, m);
  kpis(doc, m);
  verifications(doc, m);
  if (json_array_size(plots)) {
    ed_doc_h(doc, "Plots");
    size_t i;
    json_t *pl;
    json_array_foreach(plots, i, pl)
        json_array_append_new(doc, json_pack("{s:O}", "plot", pl));
  }
  return doc;
}

int ed_watch_report_write(const char *dir, int no_plots, char *html_path,
                          size_t len) {
  json_t *m;
  ed_jread_stats_t st;
  int rc = ed_watch_model(dir, &m, &st);
  if (rc != 0)
    return rc;
  json_t *notes = json_array();
  if (st.partial_last)
    json_array_append_new(notes, json_string("The journal's last line was "
                                             "cut (the watch was killed "
                                             "while writing it): skipped."));
  if (st.bad_lines)
    json_array_append_new(notes, json_string("Lines of the journal that "
                                             "are not JSON were skipped."));
  if (!json_object_get(m, "end"))
    json_array_append_new(notes,
                          json_string("INCOMPLETE WATCH: the journal has no "
                                      "watch_end; the figures cover what "
                                      "happened before it stopped."));
  json_t *plots = json_array();
  if (!no_plots) {
    ed_report_plots_note(notes, ed__watch_plots(dir, m, plots));
  }
  json_t *doc = document(m, notes, plots);
  if (rc == 0)
    rc = ed_report_render(doc, dir, "report");
  if (rc == 0 && html_path)
    snprintf(html_path, len, "%s/report.html", dir);
  json_decref(doc);
  json_decref(plots);
  json_decref(notes);
  json_decref(m);
  return rc;
}
