#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "outfile.h"
#include "profile.h"
#include "term.h"
#include "verdict.h"

/* Sends later than this behind schedule while a slot was free mean the
 * runner itself could not keep up. */
#define RUNNER_LAG_LIMIT_US 5000
/* Share of requests that waited for the in-flight cap above which the cap,
 * not the device, limited the rate. */
#define CAP_LIMIT_SHARE 0.001

static double ms(int64_t us) {
  return (double)us / 1000.0;
}

static double round3(double v) {
  return round(v * 1000.0) / 1000.0;
}

json_t *ed_summary_latency(const ed_hist_t *h) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  if (ed_hist_count(h) == 0)
    return o;
  json_object_set_new(o, "p50", json_real(ms(ed_hist_percentile(h, 50))));
  json_object_set_new(o, "p90", json_real(ms(ed_hist_percentile(h, 90))));
  json_object_set_new(o, "p99", json_real(ms(ed_hist_percentile(h, 99))));
  json_object_set_new(o, "p99.9", json_real(ms(ed_hist_percentile(h, 99.9))));
  json_object_set_new(o, "max", json_real(ms(ed_hist_max(h))));
  json_object_set_new(o, "mean", json_real(round3(ed_hist_mean(h) / 1000.0)));
  json_object_set_new(o, "min", json_real(ms(ed_hist_min(h))));
  return o;
}

static json_t *errors_json(const ed_counts_t *c) {
  json_t *o = json_object();
  for (int i = 1; i < ED_ERRCLASS_COUNT; i++)
    if (c->errors[i])
      json_object_set_new(o, ed_errclass_name((ed_errclass_t)i),
                          json_integer((json_int_t)c->errors[i]));
  return o;
}

/* The figures of one merged cell over `seconds` of time. */
static json_t *cell_json(const ed_cell_t *c, double seconds, double expected) {
  const ed_counts_t *k = &c->counts;
  json_t *o = json_object();
  json_object_set_new(o, "requests", json_integer((json_int_t)k->sent));
  json_object_set_new(o, "completed", json_integer((json_int_t)k->completed));
  json_object_set_new(o, "ok", json_integer((json_int_t)k->ok));
  json_object_set_new(o, "errors", errors_json(k));
  uint64_t nerr = ed_counts_errors(k);
  json_object_set_new(
      o, "error_rate",
      json_real(k->completed
                    ? round(1e6 * (double)nerr / (double)k->completed) / 1e6
                    : 0.0));
  json_object_set_new(o, "late", json_integer((json_int_t)k->late));
  json_object_set_new(o, "dropped", json_integer((json_int_t)k->dropped));
  if (expected >= 0)
    json_object_set_new(o, "expected",
                        json_integer((json_int_t)llround(expected)));
  if (seconds > 0) {
    json_object_set_new(
        o, "target_rate",
        json_real(round3(expected >= 0 ? expected / seconds : 0)));
    json_object_set_new(o, "sent_rate",
                        json_real(round3((double)k->sent / seconds)));
    json_object_set_new(o, "completed_rate",
                        json_real(round3((double)k->completed / seconds)));
  }
  json_object_set_new(o, "latency_ms", ed_summary_latency(c->latency));
  json_object_set_new(o, "service_ms", ed_summary_latency(c->service));
  json_object_set_new(o, "send_lag_ms", ed_summary_latency(c->lag));
  return o;
}

/* Seconds of a phase that actually ran, given the run's elapsed time. */
static double phase_ran_s(const ed_workload_t *w, size_t ph, double elapsed_s,
                          double *start_s) {
  double start = (double)w->start_ms / 1000.0;
  for (size_t i = 0; i < ph; i++)
    start += (double)w->segs[i].duration_ms / 1000.0;
  double dur = (double)w->segs[ph].duration_ms / 1000.0;
  *start_s = start;
  double ran = elapsed_s - start;
  if (ran > dur)
    ran = dur;
  return ran > 0 ? ran : 0;
}

typedef struct merged_s {
  ed_cell_t cell;
  int ok;
} merged_t;

static int merge(const ed_metrics_t *m, size_t w, size_t t, size_t ph,
                 merged_t *out) {
  if (ed_metrics_cell_init(m, &out->cell))
    return ED_ENOMEM;
  return ed_metrics_merge(m, w, t, ph, &out->cell);
}

static json_t *phases_json(const ed_workload_t *wl, const ed_metrics_t *m,
                           size_t w, double elapsed_s, int interrupted) {
  json_t *arr = json_array();
  for (size_t ph = 0; ph < wl->nsegs; ph++) {
    merged_t mc;
    if (merge(m, w, SIZE_MAX, ph, &mc)) {
      ed_metrics_cell_close(&mc.cell);
      continue;
    }
    double start_s;
    double ran = phase_ran_s(wl, ph, elapsed_s, &start_s);
    double full = (double)wl->segs[ph].duration_ms / 1000.0;
    double expected = ed_segment_expected(&wl->segs[ph]) * (double)wl->ntargets;
    if (interrupted && ran < full)
      expected = full > 0 ? expected * ran / full : 0;
    json_t *o = cell_json(&mc.cell, interrupted ? ran : full, expected);
    json_object_set_new(o, "name", json_string(wl->segs[ph].name));
    json_object_set_new(o, "kind",
                        json_string(ed_segment_kind_name(wl->segs[ph].kind)));
    json_object_set_new(o, "start_s", json_real(start_s));
    json_object_set_new(o, "duration_s", json_real(full));
    json_array_append_new(arr, o);
    ed_metrics_cell_close(&mc.cell);
  }
  return arr;
}

static json_t *targets_json(const ed_workload_t *wl, const ed_metrics_t *m,
                            size_t w, double seconds) {
  json_t *arr = json_array();
  for (size_t t = 0; t < wl->ntargets; t++) {
    merged_t mc;
    if (merge(m, w, t, SIZE_MAX, &mc) == 0) {
      json_t *o = cell_json(&mc.cell, seconds, -1);
      json_object_set_new(o, "target", json_string(wl->targets[t]));
      json_array_append_new(arr, o);
    }
    ed_metrics_cell_close(&mc.cell);
  }
  return arr;
}

/* A runner limit found on the targets of one workload. The first few are
 * named one by one; beyond WARN_EACH_MAX, one warning says how many and
 * which was held back most (each target's figures stay in per_target):
 * 10,000 targets on a saturated runner make one line, not 10,000. */
#define WARN_EACH_MAX 3

typedef struct limit_s {
  size_t n;                      /* targets it held back */
  char each[WARN_EACH_MAX][512]; /* the first ones' warnings */
  char worst[512];               /* the one held back most, in words */
  double worst_value;
} limit_t;

static void limit_add(limit_t *l, double value, const char *each,
                      const char *worst) {
  if (l->n < WARN_EACH_MAX)
    snprintf(l->each[l->n], sizeof(l->each[0]), "%s", each);
  if (l->n == 0 || value > l->worst_value) {
    l->worst_value = value;
    snprintf(l->worst, sizeof(l->worst), "%s", worst);
  }
  l->n++;
}

/* The warnings of one limit: one per target, or one for them all. */
static void limit_warn(const limit_t *l, json_t *warnings, const char *all) {
  if (l->n > WARN_EACH_MAX) {
    json_array_append_new(warnings, json_string(all));
    return;
  }
  for (size_t i = 0; i < l->n; i++)
    json_array_append_new(warnings, json_string(l->each[i]));
}

/* The runner's own limits, so that a device is never blamed for them. */
static void runner_check(const ed_scenario_t *s, const ed_workload_t *wl,
                         const ed_metrics_t *m, size_t w, json_t *warnings,
                         int64_t *worst_lag_p99) {
  limit_t cap = {0}, lag = {0};
  char msg[512], worst[512];
  for (size_t t = 0; t < wl->ntargets; t++) {
    merged_t mc;
    if (merge(m, w, t, SIZE_MAX, &mc) != 0) {
      ed_metrics_cell_close(&mc.cell);
      continue;
    }
    const ed_counts_t *k = &mc.cell.counts;
    uint64_t asked = k->sent + k->dropped;
    int64_t p99 = ed_hist_percentile(mc.cell.lag, 99);
    if (p99 > *worst_lag_p99)
      *worst_lag_p99 = p99;
    double held = asked ? (double)(k->late + k->dropped) / (double)asked : 0;
    if (held > CAP_LIMIT_SHARE) {
      snprintf(msg, sizeof(msg),
               "in-flight cap: on target %s, workload %s sent %llu of %llu "
               "requests late after waiting for a free slot and dropped %llu "
               "(max_in_flight %d): the cap, not the device, limited the rate "
               "sent; latency includes the wait. Raise max_in_flight to send "
               "at the rate asked.",
               wl->targets[t], wl->name, (unsigned long long)k->late,
               (unsigned long long)asked, (unsigned long long)k->dropped,
               ed_workload_cap(wl, ed_scenario_target(s, wl->targets[t])));
      snprintf(worst, sizeof(worst),
               "%s, %llu late and %llu dropped of %llu, max_in_flight %d",
               wl->targets[t], (unsigned long long)k->late,
               (unsigned long long)k->dropped, (unsigned long long)asked,
               ed_workload_cap(wl, ed_scenario_target(s, wl->targets[t])));
      limit_add(&cap, held, msg, worst);
    }
    if (p99 > RUNNER_LAG_LIMIT_US) {
      snprintf(msg, sizeof(msg),
               "runner limit: on target %s, workload %s, sends left %.1f ms "
               "(p99) behind schedule while slots were free: eventdrill's own "
               "CPU could not keep the rate; the device was not offered the "
               "load asked. Lower the rate or give the runner a core of its "
               "own.",
               wl->targets[t], wl->name, ms(p99));
      snprintf(worst, sizeof(worst), "%s, %.1f ms", wl->targets[t], ms(p99));
      limit_add(&lag, (double)p99, msg, worst);
    }
    ed_metrics_cell_close(&mc.cell);
  }
  char all[1024];
  snprintf(all, sizeof(all),
           "in-flight cap: on %zu of %zu targets, workload %s sent more than "
           "%g %% of the requests late after waiting for a free slot, or "
           "dropped them (the most: %s): the cap, not the devices, limited "
           "the rate sent; latency includes the wait. Raise max_in_flight to "
           "send at the rate asked. Each target's counts are in the "
           "summary's per_target.",
           cap.n, wl->ntargets, wl->name, CAP_LIMIT_SHARE * 100, cap.worst);
  limit_warn(&cap, warnings, all);
  snprintf(all, sizeof(all),
           "runner limit: on %zu of %zu targets, workload %s, sends left more "
           "than %g ms (p99) behind schedule while slots were free (the "
           "worst: %s): eventdrill's own CPU could not keep the rate; the "
           "devices were not offered the load asked. Lower the rate or give "
           "the runner a core of its own. Each target's send lag is in the "
           "summary's per_target.",
           lag.n, wl->ntargets, wl->name, RUNNER_LAG_LIMIT_US / 1000.0,
           lag.worst);
  limit_warn(&lag, warnings, all);
}

static json_t *slo_json(const ed_scenario_t *s, const json_t *wls, int *met) {
  const ed_slo_t *slo = &s->slo;
  json_t *checks = json_array();
  *met = 1;
  size_t i;
  json_t *wj;
  json_array_foreach(wls, i, wj) {
    json_t *total = json_object_get(wj, "total");
    json_t *lat = json_object_get(total, "latency_ms");
    struct {
      const char *key;
      double target;
    } pct[] = {{"p50", slo->p50_ms},
               {"p90", slo->p90_ms},
               {"p99", slo->p99_ms},
               {"p99.9", slo->p999_ms}};
    for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
      if (pct[k].target <= 0)
        continue;
      double got = json_real_value(json_object_get(lat, pct[k].key));
      int ok = got <= pct[k].target;
      *met &= ok;
      char name[64];
      snprintf(name, sizeof(name), "%s_ms", pct[k].key);
      json_array_append_new(
          checks, json_pack("{s:O,s:s,s:f,s:f,s:b}", "workload",
                            json_object_get(wj, "name"), "slo", name, "target",
                            pct[k].target, "achieved", got, "met", ok));
    }
    if (slo->error_rate >= 0) {
      double got = json_real_value(json_object_get(total, "error_rate"));
      int ok = got <= slo->error_rate;
      *met &= ok;
      json_array_append_new(checks,
                            json_pack("{s:O,s:s,s:f,s:f,s:b}", "workload",
                                      json_object_get(wj, "name"), "slo",
                                      "error_rate", "target", slo->error_rate,
                                      "achieved", got, "met", ok));
    }
  }
  return checks;
}

json_t *ed_summary_build(const ed_scenario_t *s, const ed_metrics_t *m,
                         const ed_run_info_t *info) {
  json_t *root = json_object();
  json_object_set_new(root, "scenario", json_string(s->name));
  json_object_set_new(root, "scenario_sha256", json_string(s->sha256));
  json_object_set_new(root, "version", json_string(info->version));
  json_object_set_new(root, "mode", json_string(info->mode));
  json_object_set_new(root, "command", json_string(info->command));
  json_object_set_new(root, "started", json_string(info->started));
  json_object_set_new(root, "ended", json_string(info->ended));
  json_object_set_new(root, "elapsed_s", json_real(round3(info->elapsed_s)));
  json_object_set_new(root, "interrupted", json_boolean(info->interrupted));
  json_object_set_new(root, "seed", json_integer((json_int_t)info->seed));
  json_object_set_new(root, "latency_from",
                      json_string("intended send time (open loop)"));
  if (info->targets)
    json_object_set(root, "targets", info->targets);
  json_t *wls = json_array();
  json_t *warnings = json_array();
  int64_t worst_lag = 0;
  for (size_t w = 0; w < s->nworkloads; w++) {
    const ed_workload_t *wl = &s->workloads[w];
    double len_s = (double)ed_workload_length_ms(wl) / 1000.0;
    double seconds = len_s - (double)wl->start_ms / 1000.0;
    if (info->interrupted) {
      double ran = info->elapsed_s - (double)wl->start_ms / 1000.0;
      seconds = ran < seconds ? (ran > 0 ? ran : 0) : seconds;
    }
    merged_t mc;
    json_t *wj = json_object();
    json_object_set_new(wj, "name", json_string(wl->name));
    json_object_set_new(wj, "op", json_string(wl->op.name));
    if (merge(m, w, SIZE_MAX, SIZE_MAX, &mc) == 0) {
      double expected = 0;
      for (size_t ph = 0; ph < wl->nsegs; ph++) {
        double st;
        double ran = phase_ran_s(wl, ph, info->elapsed_s, &st);
        double full = (double)wl->segs[ph].duration_ms / 1000.0;
        double e = ed_segment_expected(&wl->segs[ph]) * (double)wl->ntargets;
        expected += info->interrupted && full > 0 ? e * ran / full : e;
      }
      json_object_set_new(wj, "total", cell_json(&mc.cell, seconds, expected));
    }
    ed_metrics_cell_close(&mc.cell);
    json_object_set_new(
        wj, "phases",
        phases_json(wl, m, w, info->elapsed_s, info->interrupted));
    json_object_set_new(wj, "per_target", targets_json(wl, m, w, seconds));
    json_array_append_new(wls, wj);
    runner_check(s, wl, m, w, warnings, &worst_lag);
  }
  json_object_set_new(root, "workloads", wls);
  int met;
  json_t *checks = slo_json(s, wls, &met);
  json_object_set_new(root, "slo",
                      json_pack("{s:o,s:b}", "checks", checks, "met", met));
  json_object_set_new(
      root, "runner",
      json_pack("{s:f,s:b,s:o}", "send_lag_p99_ms", ms(worst_lag), "limited",
                json_array_size(warnings) > 0, "warnings", warnings));
  return root;
}

int ed_summary_write_timeseries(const ed_scenario_t *s, const ed_metrics_t *m,
                                const char *path) {
  /* A series that lost seconds (out of memory during the run) gives no
   * file rather than one with seconds missing. */
  if (!ed_metrics_series_kept(m))
    return ED_EIO;
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  if (!f)
    return ED_EIO;
  int rc = 0;
  fprintf(f, "second,workload,phase,sent,completed,ok,errors");
  for (int i = 1; i < ED_ERRCLASS_COUNT; i++)
    fprintf(f, ",err_%s", ed_errclass_name((ed_errclass_t)i));
  fprintf(f, ",late,dropped,in_flight_max,p50_ms,p99_ms,max_ms\n");
  for (size_t w = 0; w < s->nworkloads; w++) {
    size_t n = ed_metrics_nseconds(m, w);
    const ed_workload_t *wl = &s->workloads[w];
    for (size_t i = 0; i < n && rc == 0; i++) {
      ed_second_t second;
      if ((rc = ed_metrics_second(m, w, i, &second)) != 0)
        break;
      const ed_second_t *x = &second;
      const char *phase = x->phase >= 0 && (size_t)x->phase < wl->nsegs
                              ? wl->segs[x->phase].name
                              : "";
      fprintf(f, "%zu,%s,%s,%llu,%llu,%llu,%llu", i, wl->name, phase,
              (unsigned long long)x->counts.sent,
              (unsigned long long)x->counts.completed,
              (unsigned long long)x->counts.ok,
              (unsigned long long)ed_counts_errors(&x->counts));
      for (int e = 1; e < ED_ERRCLASS_COUNT; e++)
        fprintf(f, ",%llu", (unsigned long long)x->counts.errors[e]);
      fprintf(f, ",%llu,%llu,%lld,%.3f,%.3f,%.3f\n",
              (unsigned long long)x->counts.late,
              (unsigned long long)x->counts.dropped,
              (long long)x->in_flight_max, ms(x->p50_us), ms(x->p99_us),
              ms(x->max_us));
    }
  }
  if (rc == 0 && ferror(f))
    rc = ED_EIO;
  if (fclose(f) != 0)
    rc = ED_EIO;
  return rc;
}

/* The table's columns; on a narrow terminal the last ones named in
 * `drop_order` go first, so that no row wraps. */
enum { COL_REQ, COL_RATE, COL_ERR, COL_LATE, COL_P50, COL_P99, COL_MAX, NCOL };
static const char *const col_head[NCOL] = {
    "requests", "req/s", "errors", "late+dr", "p50 ms", "p99 ms", "max ms"};
static const int col_width[NCOL] = {9, 9, 8, 7, 9, 9, 9};
static const int drop_order[NCOL] = {COL_MAX, COL_LATE, COL_P50, COL_RATE,
                                     COL_REQ, COL_ERR,  COL_P99};

/* Which columns fit in width (0: all). */
static void fit_columns(int width, int shown[NCOL]) {
  int total = 2 + 22;
  for (int c = 0; c < NCOL; c++) {
    shown[c] = 1;
    total += 1 + col_width[c];
  }
  for (int d = 0; width > 0 && total >= width && d < NCOL - 1; d++) {
    shown[drop_order[d]] = 0;
    total -= 1 + col_width[drop_order[d]];
  }
}

static void print_row(FILE *out, const char *label, const json_t *c,
                      const int shown[NCOL]) {
  const json_t *lat = json_object_get(c, "latency_ms");
  double v[NCOL] = {
      (double)json_integer_value(json_object_get(c, "requests")),
      json_real_value(json_object_get(c, "sent_rate")),
      (double)(json_integer_value(json_object_get(c, "completed")) -
               json_integer_value(json_object_get(c, "ok"))),
      (double)(json_integer_value(json_object_get(c, "late")) +
               json_integer_value(json_object_get(c, "dropped"))),
      json_real_value(json_object_get(lat, "p50")),
      json_real_value(json_object_get(lat, "p99")),
      json_real_value(json_object_get(lat, "max"))};
  static const int decimals[NCOL] = {0, 1, 0, 0, 2, 2, 2};
  int bad = v[COL_ERR] > 0;
  fprintf(out, "  %s%-22s", bad ? ed_term_sgr(out, ED_SGR_RED) : "", label);
  for (int k = 0; k < NCOL; k++)
    if (shown[k])
      fprintf(out, " %*.*f", col_width[k], decimals[k], v[k]);
  fprintf(out, "%s\n", bad ? ed_term_sgr(out, ED_SGR_RESET) : "");
}

void ed_summary_print(const json_t *summary, FILE *out) {
  size_t i, j;
  json_t *wj, *ph;
  int shown[NCOL];
  fit_columns(ed_term_width(out), shown);
  json_array_foreach(json_object_get(summary, "workloads"), i, wj) {
    fprintf(out, "\nworkload %s (%s)\n",
            json_string_value(json_object_get(wj, "name")),
            json_string_value(json_object_get(wj, "op")));
    fprintf(out, "  %-22s", "phase");
    for (int k = 0; k < NCOL; k++)
      if (shown[k])
        fprintf(out, " %*s", col_width[k], col_head[k]);
    fputc('\n', out);
    json_array_foreach(json_object_get(wj, "phases"), j, ph) print_row(
        out, json_string_value(json_object_get(ph, "name")), ph, shown);
    print_row(out, "total", json_object_get(wj, "total"), shown);
  }
  /* The SLOs as the verdict judged them (no data is not "met"). */
  const json_t *items =
      json_object_get(json_object_get(summary, "verdict"), "items");
  int any = 0;
  json_array_foreach(items, i, wj) {
    const char *kind = json_string_value(json_object_get(wj, "kind"));
    if (!kind || strcmp(kind, "slo") != 0)
      continue;
    if (!any++)
      fprintf(out, "\nSLO\n");
    const char *st = json_string_value(json_object_get(wj, "status"));
    const char *why = json_string_value(json_object_get(wj, "reason"));
    const char *name = json_string_value(json_object_get(wj, "name"));
    const char *slo = strrchr(name, ' ') ? strrchr(name, ' ') + 1 : name;
    char val[64];
    ed_verdict_slo_value(slo, json_number_value(json_object_get(wj, "target")),
                         val, sizeof(val));
    int failed = strcmp(st, "failed") == 0;
    fprintf(out, "  %s%-7s%s %s: target %s",
            failed ? ed_term_sgr(out, ED_SGR_RED) : "",
            strcmp(st, "passed") == 0 ? "ok"
            : failed                  ? "FAIL"
                                      : "not run",
            failed ? ed_term_sgr(out, ED_SGR_RESET) : "", name, val);
    if (json_object_get(wj, "achieved") &&
        (!why || !failed || strncmp(why, "SLO ", 4) == 0)) {
      ed_verdict_slo_value(slo,
                           json_number_value(json_object_get(wj, "achieved")),
                           val, sizeof(val));
      fprintf(out, ", achieved %s", val);
    }
    if (why && strncmp(why, "SLO ", 4) != 0)
      fprintf(out, " (%s)", why);
    fputc('\n', out);
  }
  json_t *warnings =
      json_object_get(json_object_get(summary, "runner"), "warnings");
  json_array_foreach(warnings, i, wj)
      fprintf(out, "\nWARNING: %s\n", json_string_value(wj));
}

/* ---- for rebuilding the summary from a journal (core/report/rebuild.c)
 * -------- */

json_t *ed_summary_cell(const ed_cell_t *c, double seconds, double expected) {
  return cell_json(c, seconds, expected);
}

json_t *ed_summary_slo_checks(const ed_slo_t *slo, const json_t *workloads,
                              int *met) {
  ed_scenario_t s;
  memset(&s, 0, sizeof(s));
  s.slo = *slo;
  return slo_json(&s, workloads, met);
}
