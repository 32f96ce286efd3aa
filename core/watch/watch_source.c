/* What the view reads of the watch, and what its keys do. */
#include <string.h>

#include "error.h"
#include "watch_internal.h"

static size_t ndevices(void *arg) {
  return ((ed__watch_t *)arg)->ndevs;
}

static void device(void *arg, size_t i, ed_view_device_t *out) {
  ed__watch_t *w = arg;
  const ed__wdev_t *d = &w->devs[i];
  const json_t *s = d->last;
  double now = ed__watch_now(w);
  memset(out, 0, sizeof(*out));
  out->name = d->ft->spec->name;
  out->labels = d->ft->spec->labels;
  out->polled = s != NULL;
  out->reachable = json_is_true(json_object_get(s, "reachable"));
  out->power = json_string_value(json_object_get(s, "power"));
  out->health = ed__watch_health(s);
  const json_t *err = json_object_get(s, "error");
  out->error = json_string_value(json_object_get(err, "detail"));
  if (!out->error && !s && d->ft->error[0])
    out->error = d->ft->error;
  ed__watch_latency(d, now, &out->p50_ms, &out->p99_ms);
  out->age_s = d->last_t < 0 ? -1 : now - d->last_t;
  out->outstanding_s = d->polling && d->poll_start_ns
                           ? (double)(uv_hrtime() - d->poll_start_ns) / 1e9
                           : -1;
  out->interval_ms = d->interval_ms;
  out->stretched = d->stretched;
}

static const ed_alarm_engine_t *alarms(void *arg) {
  return ((ed__watch_t *)arg)->alarms;
}

static void summary(void *arg, ed_view_summary_t *out) {
  ed__watch_t *w = arg;
  out->title = w->inv->name;
  out->interval_ms = w->o.interval_ms;
  out->budget = w->o.budget;
  out->paused = w->paused;
  out->now_t = ed__watch_now(w);
}

static const json_t *plan(void *arg, unsigned id) {
  return ed__watch_plan_view(arg, id);
}

static void ack(void *arg, unsigned id, const char *note) {
  ed__watch_t *w = arg;
  w->ack_note = note; /* journaled with the ack event, during the call */
  int rc = ed_alarm_ack(w->alarms, id, ed__watch_now(w));
  w->ack_note = NULL;
  if (rc != 0 && w->view)
    ed_view_message(w->view, "alarm %u: %s", id,
                    rc == ED_ESTATE ? "already acknowledged"
                                    : "no longer raised");
}

static void pause_toggle(void *arg) {
  ed__watch_t *w = arg;
  ed__watch_pause(w, !w->paused);
  if (w->view)
    ed_view_message(w->view, "%s",
                    w->paused ? "polling paused (p to resume)"
                              : "polling resumed");
}

static void verify(void *arg, unsigned id) {
  ed__watch_plan_verify(arg, id);
}

static void quit(void *arg) {
  ed__watch_stop(arg, "quit");
}

void ed__watch_view_source(ed__watch_t *w, ed_view_source_t *src) {
  *src = (ed_view_source_t){.arg = w,
                            .ndevices = ndevices,
                            .device = device,
                            .alarms = alarms,
                            .summary = summary,
                            .plan = plan,
                            .ack = ack,
                            .pause = pause_toggle,
                            .verify = verify,
                            .quit = quit};
}
