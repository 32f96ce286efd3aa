/*
 * summary: the figures of a run, built from its metrics: summary.json (per
 * workload, per phase and per target: requests, rates, errors by class,
 * latency percentiles, late/dropped; SLO verdict; the runner's own limits)
 * and timeseries.csv (one row per workload and second).
 */
#ifndef ED_SUMMARY_H
#define ED_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "metrics.h"
#include "scenario.h"

typedef struct ed_run_info_s {
  const char *version;
  const char *mode;    /* "run" */
  const char *command; /* the command line, without secrets */
  const char *started; /* ISO 8601 UTC */
  const char *ended;
  double elapsed_s; /* time from the run start to the last completion */
  int interrupted;
  uint64_t seed;
  json_t *targets; /* array describing targets, no secrets (borrowed) */
} ed_run_info_t;

/* Build summary.json's object. Returns a new reference or NULL. */
json_t *ed_summary_build(const ed_scenario_t *s, const ed_metrics_t *m,
                         const ed_run_info_t *info);
/* Write timeseries.csv. 0 or ED_EIO. */
int ed_summary_write_timeseries(const ed_scenario_t *s, const ed_metrics_t *m,
                                const char *path);
/* Print the human summary table of a summary object (its SLOs as its
 * "verdict" judged them). */
void ed_summary_print(const json_t *summary, FILE *out);

/* Latency statistics of a histogram of microseconds as an object of
 * milliseconds {p50, p90, p99, p99.9, max, mean, min}. New reference. */
json_t *ed_summary_latency(const ed_hist_t *h);

/* The STATS object of one merged cell over `seconds` of time, with
 * "expected" and "target_rate" when expected >= 0: the exact form used in
 * summary.json, so that a summary rebuilt from the journal
 * (core/report/rebuild.c) prints the same figures. New reference. */
json_t *ed_summary_cell(const ed_cell_t *c, double seconds, double expected);
/* The "slo" checks of summary.json for `workloads` (summary.json's array,
 * each with its "total"); *met is set. New reference. */
json_t *ed_summary_slo_checks(const ed_slo_t *slo, const json_t *workloads,
                              int *met);

#endif
