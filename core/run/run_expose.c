/*
 * A running drill's figures for a scraper (--metrics ADDR:PORT): the same
 * store the summary is built from (core/load/metrics, the drill's own
 * summary), read at the moment of the scrape. Names in docs/metrics.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "prom_http.h"
#include "run_internal.h"

/* Fixed latency buckets (seconds), from 1 ms to 10 s. */
static const double latency_bounds[] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static void expose_run(ed__runner_t *r, ed_prom_t *p) {
  const char *mode = r->opt.mode == ED_MODE_VERIFY ? "verify" : "rehearse";
  const char *info[] = {"scenario", r->sc->name, "mode", mode, NULL};
  ed_prom_family(p, "eventdrill_run_info", ED_PROM_GAUGE, NULL,
                 "The running drill: its scenario and mode (always 1).");
  ed_prom_sample(p, info, 1);
  ed_prom_family(p, "eventdrill_run_elapsed_seconds", ED_PROM_GAUGE, "seconds",
                 "Time since the drill's start.");
  ed_prom_sample(p, NULL, ed__run_now_s(r));
  ed_prom_family(p, "eventdrill_requests_in_flight", ED_PROM_GAUGE, NULL,
                 "Requests sent and not yet answered, all workloads.");
  ed_prom_sample(p, NULL, r->sched ? (double)ed_sched_in_flight(r->sched) : 0);
}

typedef enum { SENT, COMPLETED, DROPPED } count_kind_t;

static double count_of(const ed_counts_t *c, count_kind_t k) {
  return (double)(k == SENT        ? c->sent
                  : k == COMPLETED ? c->completed
                                   : c->dropped);
}

/* Each (workload, target) cell, all phases merged, passed to fn. */
static void each_cell(ed__runner_t *r, ed_prom_t *p,
                      void (*fn)(ed_prom_t *p, const char *const *labels,
                                 const ed_cell_t *cell, void *arg),
                      void *arg) {
  if (!r->metrics)
    return;
  for (size_t w = 0; w < r->sc->nworkloads; w++) {
    const ed_workload_t *wl = &r->sc->workloads[w];
    for (size_t t = 0; t < wl->ntargets; t++) {
      ed_cell_t cell;
      if (ed_metrics_cell_init(r->metrics, &cell) != 0)
        return;
      if (ed_metrics_merge(r->metrics, w, t, SIZE_MAX, &cell) == 0) {
        const char *labels[] = {"workload", wl->name, "target", wl->targets[t],
                                NULL};
        fn(p, labels, &cell, arg);
      }
      ed_metrics_cell_close(&cell);
    }
  }
}

static void sample_count(ed_prom_t *p, const char *const *labels,
                         const ed_cell_t *cell, void *arg) {
  ed_prom_sample(p, labels, count_of(&cell->counts, *(count_kind_t *)arg));
}

static void sample_errors(ed_prom_t *p, const char *const *labels,
                          const ed_cell_t *cell, void *arg) {
  (void)arg;
  for (int e = ED_ERRCLASS_NONE + 1; e < ED_ERRCLASS_COUNT; e++) {
    const char *l[] = {labels[0], labels[1], labels[2],
                       labels[3], "class",   ed_errclass_name((ed_errclass_t)e),
                       NULL};
    ed_prom_sample(p, l, (double)cell->counts.errors[e]);
  }
}

static void sample_latency(ed_prom_t *p, const char *const *labels,
                           const ed_cell_t *cell, void *arg) {
  (void)arg;
  ed_prom_histogram_us(p, labels, cell->latency, latency_bounds,
                       sizeof(latency_bounds) / sizeof(latency_bounds[0]));
}

static void expose_requests(ed__runner_t *r, ed_prom_t *p) {
  static const struct {
    count_kind_t kind;
    const char *name, *help;
  } counts[] = {
      {SENT, "eventdrill_requests_sent", "Requests handed to the driver."},
      {COMPLETED, "eventdrill_requests_completed",
       "Requests answered, with or without an error."},
      {DROPPED, "eventdrill_requests_dropped",
       "Requests never sent: they waited too long for a free slot."},
  };
  for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
    ed_prom_family(p, counts[i].name, ED_PROM_COUNTER, NULL, counts[i].help);
    count_kind_t k = counts[i].kind;
    each_cell(r, p, sample_count, &k);
  }
  ed_prom_family(p, "eventdrill_request_errors", ED_PROM_COUNTER, NULL,
                 "Requests answered with an error, by class.");
  each_cell(r, p, sample_errors, NULL);
  ed_prom_family(p, "eventdrill_request_latency_seconds", ED_PROM_HISTOGRAM,
                 "seconds",
                 "Latency from the intended send time (no coordinated "
                 "omission).");
  each_cell(r, p, sample_latency, NULL);
}

/* The phase a workload is in now, by its schedule; NULL before its first
 * phase and after its last. */
static const char *phase_now(const ed_workload_t *wl, double now_ms) {
  double at = (double)wl->start_ms;
  for (size_t ph = 0; ph < wl->nsegs; ph++) {
    if (now_ms >= at && now_ms < at + (double)wl->segs[ph].duration_ms)
      return wl->segs[ph].name;
    at += (double)wl->segs[ph].duration_ms;
  }
  return NULL;
}

static void expose_phases(ed__runner_t *r, ed_prom_t *p) {
  ed_prom_family(p, "eventdrill_workload_phase", ED_PROM_GAUGE, NULL,
                 "The phase a workload is in (1), by name.");
  double now_ms = ed__run_now_s(r) * 1000.0;
  for (size_t w = 0; r->t0 && w < r->sc->nworkloads; w++) {
    const ed_workload_t *wl = &r->sc->workloads[w];
    const char *name = phase_now(wl, now_ms);
    if (!name)
      continue;
    const char *l[] = {"workload", wl->name, "phase", name, NULL};
    ed_prom_sample(p, l, 1);
  }
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void expose_checks(ed_prom_t *p, const json_t *checks) {
  size_t i;
  const json_t *c;
  ed_prom_family(p, "eventdrill_check_green", ED_PROM_GAUGE, NULL,
                 "A check's latest answer: 1 green, 0 red (absent before "
                 "its first answer).");
  json_array_foreach(checks, i, c) {
    const char *at = str(c, "at_end");
    if (!*at)
      continue;
    const char *l[] = {"check", str(c, "name"), "target", str(c, "target"),
                       NULL};
    ed_prom_sample(p, l, at[0] == 'g');
  }
  ed_prom_family(p, "eventdrill_check_runs", ED_PROM_COUNTER, NULL,
                 "A check's answers, by result.");
  json_array_foreach(checks, i, c) {
    static const char *const results[] = {"green", "red"};
    for (int k = 0; k < 2; k++) {
      const char *l[] = {"check",  str(c, "name"), "target", str(c, "target"),
                         "result", results[k],     NULL};
      ed_prom_sample(p, l, json_number_value(json_object_get(c, results[k])));
    }
  }
}

static void expose_faults(ed_prom_t *p, const json_t *faults) {
  size_t i;
  const json_t *f;
  ed_prom_family(p, "eventdrill_fault_active", ED_PROM_GAUGE, NULL,
                 "1 while a fault is injected and not yet recovered.");
  json_array_foreach(faults, i, f) {
    const char *l[] = {"fault", str(f, "name"), "target", str(f, "target"),
                       NULL};
    ed_prom_sample(p, l, strcmp(str(f, "state"), "not recovered") == 0);
  }
  ed_prom_family(p, "eventdrill_fault_rto_seconds", ED_PROM_GAUGE, "seconds",
                 "A fault's measured recovery time (once recovered).");
  json_array_foreach(faults, i, f) {
    const json_t *rto = json_object_get(f, "rto_s");
    if (!json_is_number(rto))
      continue;
    const char *l[] = {"fault", str(f, "name"), "target", str(f, "target"),
                       NULL};
    ed_prom_sample(p, l, json_number_value(rto));
  }
  ed_prom_family(p, "eventdrill_fault_rto_target_seconds", ED_PROM_GAUGE,
                 "seconds", "A fault's recovery time objective.");
  json_array_foreach(faults, i, f) {
    const json_t *t = json_object_get(f, "rto_target_s");
    if (!json_is_number(t))
      continue;
    const char *l[] = {"fault", str(f, "name"), "target", str(f, "target"),
                       NULL};
    ed_prom_sample(p, l, json_number_value(t));
  }
}

void ed__run_expose(void *arg, ed_prom_t *p) {
  ed__runner_t *r = arg;
  expose_run(r, p);
  expose_requests(r, p);
  expose_phases(r, p);
  json_t *drill = r->drill ? ed_drill_summary(r->drill) : NULL;
  if (!drill)
    drill = json_incref(r->drill_json);
  expose_checks(p, json_object_get(drill, "checks"));
  expose_faults(p, json_object_get(drill, "faults"));
  json_decref(drill);
}
