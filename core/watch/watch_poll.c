/* The watch's polls: one device at a time, at its interval with ±10 %
 * jitter, at most one poll in flight per device, and never more requests
 * per second than the budget (a poll that needs more stretches the
 * device's interval). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "watch_internal.h"

#define JITTER 0.10
#define LATENCY_WINDOW_S 60.0

static void on_timer(uv_timer_t *t);

/* ---- budget and schedule ----------------------------------------------- */

/* The smallest gap between two poll starts the budget allows: the most
 * requests of the recent polls, spread at `budget` per second. */
static int64_t budget_gap_ms(const ed__wdev_t *d) {
  int most = 0;
  for (size_t i = 0; i < 4; i++)
    most = d->recent_requests[i] > most ? d->recent_requests[i] : most;
  return (int64_t)ceil(most / d->w->o.budget * 1000.0);
}

/* After a poll that sent `requests`: stretch (or give back) the interval,
 * and say so in the journal when that changes. */
static void apply_budget(ed__wdev_t *d, int requests) {
  ed__watch_t *w = d->w;
  memmove(&d->recent_requests[1], &d->recent_requests[0],
          3 * sizeof(d->recent_requests[0]));
  d->recent_requests[0] = requests;
  int64_t gap = budget_gap_ms(d);
  int stretched = gap > w->o.interval_ms;
  int64_t eff = stretched ? gap : w->o.interval_ms;
  int changed =
      stretched != d->stretched ||
      (stretched && llabs(eff - d->interval_ms) * 10 > d->interval_ms);
  d->interval_ms = eff;
  d->stretched = stretched;
  if (changed)
    ed__watch_journal(w, "budget",
                      json_pack("{s:s,s:i,s:f,s:I,s:b}", "device",
                                d->ft->spec->name, "requests", requests,
                                "budget", w->o.budget, "interval_ms",
                                (json_int_t)eff, "stretched", stretched));
}

/* Start the next poll one (jittered) interval after the last one started,
 * never sooner than the budget allows. */
static void schedule_next(ed__wdev_t *d) {
  ed__watch_t *w = d->w;
  double j = 1.0 + JITTER * (2.0 * ed_rng_uniform(&w->rng) - 1.0);
  int64_t delay = (int64_t)((double)d->interval_ms * j);
  int64_t gap = budget_gap_ms(d);
  if (delay < gap)
    delay = gap;
  int64_t elapsed = (int64_t)((uv_hrtime() - d->poll_start_ns) / 1000000);
  uv_timer_start(&d->timer, on_timer,
                 (uint64_t)(delay > elapsed ? delay - elapsed : 0), 0);
}

/* ---- latency of the last minute --------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

void ed__watch_latency(const ed__wdev_t *d, double now, double *p50,
                       double *p99) {
  double v[ED__WATCH_LAT_RING];
  size_t n = 0;
  *p50 = *p99 = -1;
  for (size_t i = 0; i < d->nlat; i++) {
    const ed__wlat_t *s = &d->lat[i];
    if (now - s->t > LATENCY_WINDOW_S)
      continue;
    v[n++] = s->p50;
    if (s->p99 > *p99)
      *p99 = s->p99;
  }
  if (!n)
    return;
  qsort(v, n, sizeof(v[0]), cmp_double);
  *p50 = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void keep_latency(ed__wdev_t *d, double t, const json_t *snap) {
  const json_t *l = json_object_get(snap, "latency_ms");
  const json_t *p50 = json_object_get(l, "p50"),
               *p99 = json_object_get(l, "p99");
  if (!json_is_number(p50))
    return;
  d->lat[d->lat_next] = (ed__wlat_t){
      t, json_number_value(p50),
      json_is_number(p99) ? json_number_value(p99) : json_number_value(p50)};
  d->lat_next = (d->lat_next + 1) % ED__WATCH_LAT_RING;
  if (d->nlat < ED__WATCH_LAT_RING)
    d->nlat++;
}

/* ---- one poll ---------------------------------------------------------- */

const char *ed__watch_health(const json_t *snap) {
  static const char *const words[] = {"OK", "Warning", "Critical"};
  const json_t *arr = json_object_get(snap, "health");
  if (!json_is_array(arr) || !json_array_size(arr))
    return NULL;
  int worst = 0;
  size_t i;
  const json_t *c;
  json_array_foreach(arr, i, c) {
    int a = ed_health_rank(json_string_value(json_object_get(c, "health")));
    int b = ed_health_rank(json_string_value(json_object_get(c, "rollup")));
    worst = a > worst ? a : worst;
    worst = b > worst ? b : worst;
  }
  return words[worst];
}

/* The poll's figures for the journal: enough to rebuild availability and
 * latency, and the readings of the sensors that have thresholds. */
static json_t *poll_json(const ed__wdev_t *d, const json_t *snap) {
  json_t *o = json_pack(
      "{s:s,s:O,s:I,s:I,s:b}", "device", d->ft->spec->name, "reachable",
      json_object_get(snap, "reachable") ? json_object_get(snap, "reachable")
                                         : json_false(),
      "requests", json_integer_value(json_object_get(snap, "requests")),
      "interval_ms", (json_int_t)d->interval_ms, "stretched", d->stretched);
  static const char *const copy[] = {"duration_ms", "power", "error"};
  for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
    if (json_object_get(snap, copy[i]))
      json_object_set(o, copy[i], json_object_get(snap, copy[i]));
  const json_t *l = json_object_get(snap, "latency_ms");
  if (json_is_number(json_object_get(l, "p50")))
    json_object_set_new(
        o, "latency_ms",
        json_pack("{s:O,s:O}", "p50", json_object_get(l, "p50"), "p99",
                  json_object_get(l, "p99") ? json_object_get(l, "p99")
                                            : json_object_get(l, "p50")));
  const char *h = ed__watch_health(snap);
  if (h)
    json_object_set_new(o, "health", json_string(h));
  json_t *sensors = json_object();
  size_t i;
  const json_t *s;
  json_array_foreach(json_object_get(snap, "sensors"), i, s) {
    if (json_object_size(sensors) >= 8)
      break;
    const char *name = json_string_value(json_object_get(s, "name"));
    const json_t *rd = json_object_get(s, "reading");
    if (name && json_is_number(rd) &&
        (json_is_number(json_object_get(s, "upper_warning")) ||
         json_is_number(json_object_get(s, "upper_critical")) ||
         json_is_number(json_object_get(s, "lower_critical"))))
      json_object_set(sensors, name, (json_t *)rd);
  }
  json_object_set_new(o, "sensors", sensors);
  return o;
}

static void on_snapshot(void *arg, json_t *snap) {
  ed__wdev_t *d = arg;
  ed__watch_t *w = d->w;
  double t = ed__watch_now(w);
  d->polling = 0;
  d->last_t = t;
  d->polls++;
  w->polls++;
  if (json_is_true(json_object_get(snap, "reachable")))
    d->polls_ok++;
  keep_latency(d, t, snap);
  apply_budget(d, (int)json_integer_value(json_object_get(snap, "requests")));
  json_decref(d->last);
  d->last = snap;
  ed__watch_journal(w, "poll", poll_json(d, snap));
  if (ed_alarm_feed(w->alarms, snap, t) != 0)
    ed_warn(d->ft->spec->name, "watch: could not judge a snapshot");
  if (w->view)
    ed_view_dirty(w->view);
  if (!w->stopping && !w->paused)
    schedule_next(d);
}

/* Each device's driver keeps a memo: after the first walk of its resources, a
 * poll reads only the ones that matter and the log entries not seen before. */
static void collect(ed__wdev_t *d) {
  ed__watch_t *w = d->w;
  ed_collect_opts_t o = w->copts;
  o.memo = 1;
  if (ed_collect_device(&w->probes, d->ft, &o, on_snapshot, d) != 0) {
    d->polling = 0;
    ed_warn(d->ft->spec->name, "watch: out of memory for a poll");
    if (!w->stopping && !w->paused)
      schedule_next(d);
  }
}

/* A device that could not be started (down when the watch began) is
 * started again instead of polled: until then it is unreachable. */
static void on_restarted(ed_fleet_target_t *ft, void *arg) {
  ed__wdev_t *d = arg;
  (void)ft;
  if (d->ft->started) {
    collect(d);
    return;
  }
  on_snapshot(d, json_pack("{s:s,s:f,s:b,s:i,s:{s:s,s:s}}", "device",
                           d->ft->spec->name, "at", ed_collect_now(),
                           "reachable", 0, "requests", 1, "error", "class",
                           "start", "detail", d->ft->error));
}

static void on_timer(uv_timer_t *t) {
  ed__wdev_t *d = t->data;
  ed__watch_t *w = d->w;
  if (w->stopping || w->paused || d->polling)
    return;
  d->polling = 1;
  d->poll_start_ns = uv_hrtime();
  ed_fleet_target_t *ft = d->ft;
  if (ft->opened && !ft->started) {
    ed_fleet_restart(ft, on_restarted, d);
    return;
  }
  collect(d);
}

/* ---- the whole fleet --------------------------------------------------- */

void ed__watch_poll_start(ed__watch_t *w) {
  /* First polls spread over the first second (or interval), so that a
   * large fleet does not start in one burst. */
  int64_t spread = w->o.interval_ms < 1000 ? w->o.interval_ms : 1000;
  for (size_t i = 0; i < w->ndevs; i++) {
    ed__wdev_t *d = &w->devs[i];
    uv_timer_init(&w->loop, &d->timer);
    d->timer.data = d;
    d->timer_on = 1;
    w->handles_open++;
    /* Starting the device (logging in, checking the account) took a
     * request: the budget counts it too. */
    d->recent_requests[0] = d->ft->started ? 1 : 0;
    int64_t delay = (int64_t)(ed_rng_uniform(&w->rng) * (double)spread);
    if (delay < budget_gap_ms(d))
      delay = budget_gap_ms(d);
    uv_timer_start(&d->timer, on_timer, (uint64_t)delay, 0);
  }
}

void ed__watch_poll_stop(ed__watch_t *w) {
  for (size_t i = 0; i < w->ndevs; i++)
    if (w->devs[i].timer_on)
      uv_timer_stop(&w->devs[i].timer);
}

static void timer_closed(uv_handle_t *h) {
  ed__wdev_t *d = h->data;
  d->w->handles_open--;
}

void ed__watch_poll_close(ed__watch_t *w) {
  for (size_t i = 0; i < w->ndevs; i++) {
    ed__wdev_t *d = &w->devs[i];
    if (d->timer_on && !uv_is_closing((uv_handle_t *)&d->timer))
      uv_close((uv_handle_t *)&d->timer, timer_closed);
  }
}

void ed__watch_pause(ed__watch_t *w, int paused) {
  if (w->paused == paused || w->stopping)
    return;
  w->paused = paused;
  ed__watch_journal(w, paused ? "pause" : "resume", NULL);
  for (size_t i = 0; i < w->ndevs; i++) {
    ed__wdev_t *d = &w->devs[i];
    if (paused)
      uv_timer_stop(&d->timer);
    else if (!d->polling)
      schedule_next(d); /* from its last start: the budget still holds */
  }
}

int ed__watch_poll_busy(const ed__watch_t *w) {
  int n = 0;
  for (size_t i = 0; i < w->ndevs; i++)
    n += w->devs[i].polling;
  return n;
}
