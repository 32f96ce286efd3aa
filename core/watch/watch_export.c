/*
 * The watch seen from outside: --metrics serves every device's figures to
 * Prometheus (up, power, health, poll latency, sensor readings with their
 * thresholds, active alarms), and --alertmanager posts each alarm as an
 * Alertmanager alert (labels from the device's inventory labels, resolved
 * with its end time when it clears). Both run on the watch's loop and never
 * hold a poll up. Names in docs/metrics.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "alertmanager.h"
#include "prom_http.h"
#include "watch_internal.h"

/* ---- Prometheus ---------------------------------------------------------- */

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* 0 OK, 1 Warning, 2 Critical; -1 unknown. */
static int health_level(const char *h) {
  return !h                           ? -1
         : strcmp(h, "OK") == 0       ? 0
         : strcmp(h, "Warning") == 0  ? 1
         : strcmp(h, "Critical") == 0 ? 2
                                      : -1;
}

static void expose_devices(ed__watch_t *w, ed_prom_t *p) {
  ed_prom_family(p, "eventdrill_device_up", ED_PROM_GAUGE, NULL,
                 "1 when the device's last poll reached it, 0 when not "
                 "(absent before its first poll).");
  for (size_t i = 0; i < w->ndevs; i++) {
    const json_t *s = w->devs[i].last;
    if (!s)
      continue;
    const char *l[] = {"device", w->devs[i].ft->spec->name, NULL};
    ed_prom_sample(p, l, json_is_true(json_object_get(s, "reachable")));
  }
  ed_prom_family(p, "eventdrill_device_power_on", ED_PROM_GAUGE, NULL,
                 "1 when the device's power is on, 0 when not (absent when "
                 "not read).");
  for (size_t i = 0; i < w->ndevs; i++) {
    const char *pw = str(w->devs[i].last, "power");
    if (!*pw)
      continue;
    const char *l[] = {"device", w->devs[i].ft->spec->name, NULL};
    ed_prom_sample(p, l, strcmp(pw, "on") == 0);
  }
  ed_prom_family(p, "eventdrill_device_health", ED_PROM_GAUGE, NULL,
                 "The worst health of the device's components: 0 OK, 1 "
                 "Warning, 2 Critical (absent when not read).");
  for (size_t i = 0; i < w->ndevs; i++) {
    int level =
        w->devs[i].last ? health_level(ed__watch_health(w->devs[i].last)) : -1;
    if (level < 0)
      continue;
    const char *l[] = {"device", w->devs[i].ft->spec->name, NULL};
    ed_prom_sample(p, l, level);
  }
  ed_prom_family(p, "eventdrill_device_poll_latency_seconds", ED_PROM_GAUGE,
                 "seconds",
                 "Median response time of the device's requests over the "
                 "last minute.");
  double now = ed__watch_now(w);
  for (size_t i = 0; i < w->ndevs; i++) {
    double p50, p99;
    ed__watch_latency(&w->devs[i], now, &p50, &p99);
    if (p50 < 0)
      continue;
    const char *l[] = {"device", w->devs[i].ft->spec->name, NULL};
    ed_prom_sample(p, l, p50 / 1000.0);
  }
}

/* One gauge per sensor of every device: its reading, or one of its
 * thresholds. */
static void expose_sensor_values(ed__watch_t *w, ed_prom_t *p,
                                 const char *key) {
  for (size_t i = 0; i < w->ndevs; i++) {
    size_t j;
    const json_t *s;
    json_array_foreach(json_object_get(w->devs[i].last, "sensors"), j, s) {
      const json_t *v = json_object_get(s, key);
      if (!json_is_number(v))
        continue;
      const char *l[] = {"device", w->devs[i].ft->spec->name,
                         "sensor", str(s, "name"),
                         "kind",   str(s, "kind"),
                         "unit",   str(s, "unit"),
                         NULL};
      ed_prom_sample(p, l, json_number_value(v));
    }
  }
}

static void expose_sensors(ed__watch_t *w, ed_prom_t *p) {
  static const struct {
    const char *key, *name, *help;
  } values[] = {
      {"reading", "eventdrill_sensor_reading",
       "A sensor's last reading, in its unit (the unit label)."},
      {"upper_warning", "eventdrill_sensor_upper_warning",
       "A sensor's upper warning threshold, as the device publishes it."},
      {"upper_critical", "eventdrill_sensor_upper_critical",
       "A sensor's upper critical threshold, as the device publishes it."},
      {"lower_warning", "eventdrill_sensor_lower_warning",
       "A sensor's lower warning threshold, as the device publishes it."},
      {"lower_critical", "eventdrill_sensor_lower_critical",
       "A sensor's lower critical threshold, as the device publishes it."},
  };
  for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
    ed_prom_family(p, values[k].name, ED_PROM_GAUGE, NULL, values[k].help);
    expose_sensor_values(w, p, values[k].key);
  }
}

static void expose_alarms(ed__watch_t *w, ed_prom_t *p) {
  int counts[3] = {0, 0, 0};
  ed_alarm_counts(w->alarms, counts);
  ed_prom_family(p, "eventdrill_alarms_active", ED_PROM_GAUGE, NULL,
                 "Alarms raised and not cleared, by severity.");
  for (int sev = ED_ALARM_WARNING; sev <= ED_ALARM_CRITICAL; sev++) {
    const char *l[] = {"severity", ed_alarm_sev_name(sev), NULL};
    ed_prom_sample(p, l, counts[sev]);
  }
  ed_prom_family(p, "eventdrill_alarms_raised", ED_PROM_COUNTER, NULL,
                 "Alarms raised since the watch started.");
  ed_prom_sample(p, NULL, ed_alarm_total(w->alarms));
}

static void expose(void *arg, ed_prom_t *p) {
  ed__watch_t *w = arg;
  expose_devices(w, p);
  expose_sensors(w, p);
  expose_alarms(w, p);
}

/* ---- Alertmanager -------------------------------------------------------- */

/* A label name Alertmanager takes: [a-zA-Z_][a-zA-Z0-9_]*. */
static void label_name(const char *key, char *buf, size_t len) {
  size_t n = 0;
  for (; key[n] && n + 1 < len; n++)
    buf[n] =
        isalnum((unsigned char)key[n]) && (n || !isdigit((unsigned char)key[n]))
            ? key[n]
            : '_';
  buf[n] = '\0';
}

static const ed_target_t *device_spec(const ed__watch_t *w, const char *name) {
  for (size_t i = 0; i < w->ndevs; i++)
    if (strcmp(w->devs[i].ft->spec->name, name) == 0)
      return w->devs[i].ft->spec;
  return NULL;
}

/* The device's inventory labels, then ours (which win on a clash). */
static json_t *alert_labels(const ed__watch_t *w, const ed_alarm_t *a) {
  json_t *l = json_object();
  const ed_target_t *t = device_spec(w, a->device);
  const char *k;
  json_t *v;
  json_object_foreach(t ? t->labels : NULL, k, v) {
    char name[64];
    label_name(k, name, sizeof(name));
    if (json_is_string(v))
      json_object_set(l, name, v);
  }
  char alertname[64];
  snprintf(alertname, sizeof(alertname), "eventdrill_%s",
           ed_alarm_kind_name(a->kind));
  json_object_set_new(l, "alertname", json_string(alertname));
  json_object_set_new(l, "device", json_string(a->device));
  json_object_set_new(l, "kind", json_string(ed_alarm_kind_name(a->kind)));
  json_object_set_new(l, "severity",
                      json_string(ed_alarm_sev_name(a->severity)));
  json_object_set_new(l, "inventory", json_string(w->inv->name));
  if (a->subject && *a->subject)
    json_object_set_new(l, "subject", json_string(a->subject));
  return l;
}

static json_t *alert_annotations(ed__watch_t *w, const ed_alarm_t *a) {
  json_t *an = json_pack("{s:s}", "summary", a->text ? a->text : "");
  const ed_fault_t *f = ed__watch_plan_fault(w, a);
  if (f)
    json_object_set_new(an, "plan", json_string(f->plan));
  if (a->acked)
    json_object_set_new(an, "acknowledged", json_string("yes"));
  return an;
}

void ed__watch_export_alarm(ed__watch_t *w, ed_alarm_ev_t ev,
                            const ed_alarm_t *a) {
  if (!w->am)
    return;
  char key[32];
  snprintf(key, sizeof(key), "alarm-%u", a->id);
  json_t *labels = alert_labels(w, a), *an = alert_annotations(w, a);
  double ends = ev == ED_ALARM_EV_CLEAR ? w->start_epoch + a->cleared_t : 0;
  ed_am_set(w->am, key, labels, an, w->start_epoch + a->raised_t, ends);
  json_decref(labels);
  json_decref(an);
}

/* ---- start and stop --------------------------------------------------------
 */

/* 0, or the exit status: 2 a wrong address, 4 one that cannot be used. */
int ed__watch_export_start(ed__watch_t *w) {
  char err[256];
  if (w->o.metrics) {
    int rc = ed_prom_http_start(&w->loop, w->o.metrics, expose, w, &w->expose,
                                err, sizeof(err));
    if (rc != 0) {
      fprintf(stderr, "eventdrill: watch: %s\n", err);
      return rc == -1 ? 2 : 4; /* usage; preflight */
    }
    ed__watch_journal(
        w, "metrics",
        json_pack("{s:s}", "address", ed_prom_http_address(w->expose)));
  }
  if (w->o.alertmanager && ed_am_create(&w->loop, w->o.alertmanager, &w->am,
                                        err, sizeof(err)) != 0) {
    fprintf(stderr, "eventdrill: watch: %s\n", err);
    return 2;
  }
  return 0;
}

void ed__watch_export_stop(ed__watch_t *w) {
  ed_prom_http_stop(w->expose);
  w->expose = NULL;
  if (!w->am)
    return;
  ed_am_stats_t st;
  ed_am_stats(w->am, &st);
  json_t *o =
      json_pack("{s:I,s:I,s:I,s:I}", "posts", (json_int_t)st.posts, "failures",
                (json_int_t)st.failures, "dropped", (json_int_t)st.dropped,
                "pending", (json_int_t)st.pending);
  if (o && st.last_error[0])
    json_object_set_new(o, "last_error", json_string(st.last_error));
  ed__watch_journal(w, "alertmanager", o);
  /* A last resolve gets two seconds to reach Alertmanager. */
  ed_am_stop(w->am, 2000);
  w->am = NULL;
}
