/* The summary object rebuilt from what rebuild.c read, its accessors, and
 * the comparison with a live summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "rebuild_internal.h"
#include "verdict.h"
#include "summary.h"

static double round3(double v) {
  return round(v * 1000.0) / 1000.0;
}

static const json_t *phase_spec(const ed_rebuild_t *rb, size_t w, size_t ph) {
  return json_array_get(
      json_object_get(
          json_array_get(json_object_get(rb->start, "workloads"), w), "phases"),
      ph);
}

static double num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

/* The kind of a phase: from the scenario copy's rate segment, else from its
 * rates (equal: constant; else a ramp). */
static const char *phase_kind(const ed_rebuild_t *rb, size_t w, size_t ph) {
  const char *name = rb->wls[w].name;
  size_t i;
  json_t *wj;
  json_array_foreach(json_object_get(rb->scenario, "workloads"), i, wj) {
    const char *n = json_string_value(json_object_get(wj, "name"));
    if (!n || !name || strcmp(n, name) != 0)
      continue;
    const json_t *seg = json_array_get(json_object_get(wj, "rate"), ph);
    static const char *const keys[][2] = {{"constant", "constant"},
                                          {"ramp", "ramp"},
                                          {"step", "step"},
                                          {"steps", "step"},
                                          {"spike", "spike"}};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
      if (json_object_get(seg, keys[k][0]))
        return keys[k][1];
  }
  const json_t *p = phase_spec(rb, w, ph);
  return num(p, "from") == num(p, "to") ? "constant" : "ramp";
}

/* Seconds of a phase that ran (as core/run/summary.c counts them). */
static double phase_ran(const json_t *p, double elapsed_s) {
  double ran = elapsed_s - num(p, "start_s");
  double dur = num(p, "duration_s");
  if (ran > dur)
    ran = dur;
  return ran > 0 ? ran : 0;
}

/* Cells merged by the store's own code, as a live summary merges them. */
static int merge_cells(const ed_rebuild_t *rb, size_t w, size_t t, size_t ph,
                       ed_cell_t *into) {
  if (ed_metrics_cell_init(rb->metrics, into))
    return ED_ENOMEM;
  return ed_metrics_merge(rb->metrics, w, t, ph, into);
}

static json_t *stats(const ed_rebuild_t *rb, const wl_t *wl, size_t t,
                     size_t ph, double seconds, double expected,
                     int64_t *lag_p99) {
  ed_cell_t c;
  json_t *o = NULL;
  if (merge_cells(rb, (size_t)(wl - rb->wls), t, ph, &c) == 0) {
    o = ed_summary_cell(&c, seconds, expected);
    if (!rb->per_request)
      json_object_del(o, "send_lag_ms");
    if (lag_p99 && ed_hist_percentile(c.lag, 99) > *lag_p99)
      *lag_p99 = ed_hist_percentile(c.lag, 99);
  }
  ed_metrics_cell_close(&c);
  return o;
}

static json_t *workload_json(const ed_rebuild_t *rb, size_t w, int interrupted,
                             int64_t *lag_p99) {
  const wl_t *wl = &rb->wls[w];
  const json_t *spec =
      json_array_get(json_object_get(rb->start, "workloads"), w);
  double elapsed = rb->elapsed_s;
  double first = num(phase_spec(rb, w, 0), "start_s");
  double len = first;
  double expected = 0;
  json_t *phases = json_array();
  for (size_t ph = 0; ph < wl->nphases; ph++) {
    const json_t *p = phase_spec(rb, w, ph);
    double full = num(p, "duration_s");
    double ran = phase_ran(p, elapsed);
    len = num(p, "start_s") + full;
    double e = num(p, "expected_per_target") * (double)wl->ntargets;
    expected += interrupted && full > 0 ? e * ran / full : e;
    if (interrupted && ran < full)
      e = full > 0 ? e * ran / full : 0;
    json_t *o = stats(rb, wl, SIZE_MAX, ph, interrupted ? ran : full, e, NULL);
    json_object_set(o, "name", json_object_get(p, "name"));
    json_object_set_new(o, "kind", json_string(phase_kind(rb, w, ph)));
    json_object_set_new(o, "start_s", json_real(num(p, "start_s")));
    json_object_set_new(o, "duration_s", json_real(full));
    json_array_append_new(phases, o);
  }
  double seconds = len - first;
  if (interrupted) {
    double ran = elapsed - first;
    seconds = ran < seconds ? (ran > 0 ? ran : 0) : seconds;
  }
  json_t *wj = json_object();
  json_object_set(wj, "name", json_object_get(spec, "name"));
  json_object_set(wj, "op", json_object_get(spec, "op"));
  json_object_set_new(
      wj, "total",
      stats(rb, wl, SIZE_MAX, SIZE_MAX, seconds, expected, lag_p99));
  json_object_set_new(wj, "phases", phases);
  json_t *targets = json_array();
  for (size_t t = 0; t < wl->ntargets; t++) {
    json_t *o = stats(rb, wl, t, SIZE_MAX, seconds, -1, NULL);
    json_object_set(o, "target",
                    json_array_get(json_object_get(spec, "targets"), t));
    json_array_append_new(targets, o);
  }
  json_object_set_new(wj, "per_target", targets);
  return wj;
}

/* SLO targets: from run_start when it carries them, else the scenario. */
static int slo_of(const ed_rebuild_t *rb, ed_slo_t *slo) {
  const json_t *o = json_object_get(rb->start, "slo");
  if (!o)
    o = json_object_get(rb->scenario, "slo");
  memset(slo, 0, sizeof(*slo));
  slo->error_rate = -1;
  if (!o)
    return rb->scenario ? 1 : 0;
  slo->p50_ms = num(o, "p50_ms");
  slo->p90_ms = num(o, "p90_ms");
  slo->p99_ms = num(o, "p99_ms");
  slo->p999_ms = num(o, "p999_ms");
  if (json_is_number(json_object_get(o, "error_rate")))
    slo->error_rate = num(o, "error_rate");
  return 1;
}

/* "ended": the start plus the elapsed time (the live run stamps it a moment
 * later, when it writes its results). */
static void ended_of(const char *started, double elapsed, char *buf,
                     size_t len) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  buf[0] = '\0';
  if (!started || !strptime(started, "%Y-%m-%dT%H:%M:%SZ", &tm))
    return;
  time_t t = timegm(&tm) + (time_t)llround(elapsed);
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *drill_mode(const ed_rebuild_t *rb) {
  size_t i;
  json_t *e;
  json_array_foreach(rb->events, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "ev")), "drill_start") == 0)
      return json_string_value(json_object_get(e, "mode"));
  }
  return json_string_value(json_object_get(rb->start, "mode"));
}

/* The targets that could not start ("error" events naming a target). */
static json_t *preflight_of(const json_t *events) {
  json_t *errors = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "ev")), "error") == 0 &&
        json_object_get(e, "target"))
      json_array_append_new(
          errors, json_pack("{s:O,s:O}", "target", json_object_get(e, "target"),
                            "message", json_object_get(e, "message")));
  }
  return json_pack("{s:o}", "errors", errors);
}

/* A merged journal's per-shard breakdown (its "shards" event, written by
 * `eventdrill merge`), or NULL. New reference. */
static json_t *shards_of(const ed_rebuild_t *rb) {
  size_t i;
  json_t *e;
  json_array_foreach(rb->events, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "ev")), "shards") == 0) {
      json_t *o = json_deep_copy(e);
      json_object_del(o, "ev");
      json_object_del(o, "t");
      json_object_set(
          o, "rule",
          json_object_get(json_object_get(rb->start, "shards"), "rule"));
      return o;
    }
  }
  return NULL;
}

json_t *ed_rebuild_summary(const ed_rebuild_t *rb) {
  const json_t *s = rb->start;
  int interrupted = rb->st.interrupted || !rb->st.has_run_end;
  json_t *root = json_object();
  static const char *const head[] = {"scenario", "scenario_sha256", "version"};
  for (size_t i = 0; i < 3; i++)
    json_object_set(root, head[i], json_object_get(s, head[i]));
  const char *mode = drill_mode(rb);
  json_object_set_new(root, "mode", json_string(mode ? mode : "rehearse"));
  json_object_set(root, "command", json_object_get(s, "command"));
  json_object_set(root, "started", json_object_get(s, "started"));
  char ended[32];
  ended_of(json_string_value(json_object_get(s, "started")), rb->elapsed_s,
           ended, sizeof(ended));
  json_object_set_new(root, "ended", json_string(ended));
  json_object_set_new(root, "elapsed_s", json_real(round3(rb->elapsed_s)));
  json_object_set_new(root, "interrupted", json_boolean(interrupted));
  json_object_set(root, "seed", json_object_get(s, "seed"));
  json_object_set_new(root, "latency_from",
                      json_string("intended send time (open loop)"));
  json_object_set(root, "targets", json_object_get(s, "targets"));
  json_t *wls = json_array();
  int64_t lag_p99 = 0;
  for (size_t w = 0; w < rb->nwls; w++)
    json_array_append_new(wls, workload_json(rb, w, interrupted, &lag_p99));
  json_object_set_new(root, "workloads", wls);
  ed_slo_t slo;
  int have_slo = slo_of(rb, &slo);
  int met = 1;
  json_t *checks =
      have_slo ? ed_summary_slo_checks(&slo, wls, &met) : json_array();
  json_object_set_new(root, "slo",
                      json_pack("{s:o,s:b}", "checks", checks, "met", met));
  json_t *runner =
      json_pack("{s:b,s:O}", "limited", json_array_size(rb->warnings) > 0,
                "warnings", rb->warnings);
  if (rb->per_request)
    json_object_set_new(runner, "send_lag_p99_ms",
                        json_real((double)lag_p99 / 1000.0));
  json_object_set_new(root, "runner", runner);
  if (rb->st.interrupt_reason[0])
    json_object_set_new(root, "interruption",
                        json_string(rb->st.interrupt_reason));
  else if (rb->st.interrupted)
    json_object_set_new(root, "interruption",
                        json_string("interrupted by a signal"));
  else if (!rb->st.has_run_end)
    json_object_set_new(root, "interruption",
                        json_string("the run did not finish (its journal "
                                    "has no run_end)"));
  json_object_set_new(root, "preflight", preflight_of(rb->events));
  json_object_set_new(root, "drill", ed__rebuild_drill(rb->events));
  if (json_object_get(s, "shard")) /* one shard's: as its live summary */
    json_object_set(root, "shard", json_object_get(s, "shard"));
  json_t *shards = shards_of(rb);
  if (shards)
    json_object_set_new(root, "shards", shards);
  json_object_set_new(root, "verdict", ed_verdict_build(root));
  json_t *notes = json_array();
  json_t *missing = json_array();
  json_t *approx = json_array();
  char text[1024];
  if (ed_jread_describe(&rb->st, text, sizeof(text)) || text[0])
    json_array_append_new(notes, json_string(text));
  if (!rb->per_request) {
    json_array_append_new(missing, json_string("send_lag_ms"));
    json_array_append_new(missing, json_string("runner.send_lag_p99_ms"));
  } else {
    json_array_append_new(approx, json_string("send_lag_ms"));
    json_array_append_new(approx, json_string("send_lag_p99_ms"));
    json_array_append_new(notes,
                          json_string("send_lag_ms is rebuilt from send times "
                                      "kept to the microsecond: it may differ "
                                      "from the live figure by 1 us"));
  }
  json_array_append_new(missing, json_string("ended"));
  if (!have_slo)
    json_array_append_new(notes,
                          json_string("the scenario copy is missing or does "
                                      "not match the journal's SHA-256: SLO "
                                      "targets not checked"));
  if (rb->bad_index)
    json_array_append_new(notes, json_string("some events named a workload, "
                                             "target or phase out of range "
                                             "and were skipped"));
  json_object_set_new(
      root, "rebuilt",
      json_pack("{s:s,s:b,s:s,s:o,s:o,s:o}", "from", "journal.jsonl",
                "complete", !ed_rebuild_incomplete(rb), "journal",
                rb->per_request ? "requests" : "seconds", "notes", notes,
                "not_rebuilt", missing, "approximate", approx));
  return root;
}

int ed_rebuild_incomplete(const ed_rebuild_t *rb) {
  return !rb->st.has_run_end || rb->st.partial_last || rb->st.interrupted;
}
const ed_jread_stats_t *ed_rebuild_stats(const ed_rebuild_t *rb) {
  return &rb->st;
}
const json_t *ed_rebuild_events(const ed_rebuild_t *rb) {
  return rb->events;
}
size_t ed_rebuild_nworkloads(const ed_rebuild_t *rb) {
  return rb->nwls;
}
const char *ed_rebuild_workload_name(const ed_rebuild_t *rb, size_t w) {
  return w < rb->nwls ? rb->wls[w].name : NULL;
}
const ed_rebuild_second_t *ed_rebuild_seconds(const ed_rebuild_t *rb, size_t w,
                                              size_t *n) {
  *n = w < rb->nwls ? rb->wls[w].nsecs : 0;
  return w < rb->nwls ? rb->wls[w].secs : NULL;
}
size_t ed_rebuild_nphases(const ed_rebuild_t *rb, size_t w) {
  return w < rb->nwls ? rb->wls[w].nphases : 0;
}
const char *ed_rebuild_phase_name(const ed_rebuild_t *rb, size_t w, size_t ph) {
  return json_string_value(json_object_get(phase_spec(rb, w, ph), "name"));
}
const ed_hist_t *ed_rebuild_phase_latency(const ed_rebuild_t *rb, size_t w,
                                          size_t ph) {
  return w < rb->nwls && ph < rb->wls[w].nphases ? rb->wls[w].phase_lat[ph]
                                                 : NULL;
}

/* ---- comparison ---------------------------------------------------------- */

static int skipped(const json_t *rebuilt, const char *key) {
  static const char *const lists[] = {"not_rebuilt", "approximate"};
  for (size_t l = 0; l < 2; l++) {
    size_t i;
    json_t *x;
    json_array_foreach(
        json_object_get(json_object_get(rebuilt, "rebuilt"), lists[l]), i,
        x) if (strcmp(json_string_value(x), key) == 0) return 1;
  }
  return 0;
}

static size_t diff_value(const char *where, const json_t *a, const json_t *b,
                         json_t *diffs) {
  if (json_equal((json_t *)a, (json_t *)b))
    return 0;
  if (json_is_number(a) && json_is_number(b) &&
      json_number_value(a) == json_number_value(b))
    return 0;
  char *sa = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  char *sb = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  char line[1024];
  snprintf(line, sizeof(line), "%s: summary.json %.400s, journal %.400s", where,
           sa ? sa : "(absent)", sb ? sb : "(absent)");
  free(sa);
  free(sb);
  json_array_append_new(diffs, json_string(line));
  return 1;
}

static size_t diff_object(const char *where, const json_t *a, const json_t *b,
                          const json_t *rebuilt, json_t *diffs) {
  size_t n = 0;
  const char *k;
  json_t *v;
  char sub[512];
  json_object_foreach((json_t *)a, k, v) {
    if (skipped(rebuilt, k))
      continue;
    snprintf(sub, sizeof(sub), "%s.%s", where, k);
    n += diff_value(sub, v, json_object_get(b, k), diffs);
  }
  json_object_foreach((json_t *)b, k, v) {
    if (!json_object_get(a, k) && !skipped(rebuilt, k) &&
        strcmp(k, "rebuilt") != 0) {
      snprintf(sub, sizeof(sub), "%s.%s", where, k);
      n += diff_value(sub, NULL, v, diffs);
    }
  }
  return n;
}

size_t ed_rebuild_diff(const json_t *live, const json_t *rebuilt,
                       json_t *diffs) {
  size_t n = 0;
  static const char *const head[] = {"scenario",  "scenario_sha256", "version",
                                     "mode",      "command",         "started",
                                     "elapsed_s", "interrupted",     "seed"};
  for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
    n += diff_value(head[i], json_object_get(live, head[i]),
                    json_object_get(rebuilt, head[i]), diffs);
  const json_t *la = json_object_get(live, "workloads");
  const json_t *ra = json_object_get(rebuilt, "workloads");
  if (json_array_size(la) != json_array_size(ra)) {
    json_array_append_new(diffs, json_string("workloads: not the same number"));
    n++;
  }
  size_t w;
  json_t *lw;
  char where[300];
  json_array_foreach(la, w, lw) {
    const json_t *rw = json_array_get(ra, w);
    const char *name = json_string_value(json_object_get(lw, "name"));
    snprintf(where, sizeof(where), "%s.total", name);
    n += diff_object(where, json_object_get(lw, "total"),
                     json_object_get(rw, "total"), rebuilt, diffs);
    static const char *const lists[] = {"phases", "per_target"};
    for (size_t l = 0; l < 2; l++) {
      size_t i;
      json_t *x;
      json_array_foreach(json_object_get(lw, lists[l]), i, x) {
        const json_t *y = json_array_get(json_object_get(rw, lists[l]), i);
        const json_t *label = json_object_get(x, l == 0 ? "name" : "target");
        snprintf(where, sizeof(where), "%s.%s[%s]", name, lists[l],
                 json_string_value(label));
        n += diff_object(where, x, y, rebuilt, diffs);
      }
    }
  }
  n += diff_value("slo", json_object_get(live, "slo"),
                  json_object_get(rebuilt, "slo"), diffs);
  n += ed_verdict_diff(json_object_get(live, "verdict"),
                       json_object_get(rebuilt, "verdict"), diffs);
  return n;
}
