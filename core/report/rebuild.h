/*
 * rebuild: the figures of a run rebuilt from its results folder's
 * journal.jsonl alone, so that every figure of a report can be traced to the
 * journal. Counts come from the "sec" events, latencies from the "req" events
 * (per-request journals) or from the lossless histograms of the "sec" events
 * (per-second journals); the per-workload, per-phase and per-target figures
 * equal those of the live summary.json exactly. The journal of an interrupted
 * or killed run is read too (a partial last line is skipped and reported)
 * and the result says it is incomplete.
 *
 * What the journal does not hold: the send lag of each request in
 * per-second journals ("send_lag_ms" is then absent and listed in
 * rebuilt.not_rebuilt); the phase kinds and the SLO targets, which are read
 * from the copy of the scenario in the folder (its SHA-256 is checked
 * against the journal's).
 */
#ifndef ED_REBUILD_H
#define ED_REBUILD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "journal_read.h"
#include "metrics.h"

typedef struct ed_rebuild_s ed_rebuild_t;

/* One second of one workload, all targets and phases merged. */
typedef struct ed_rebuild_second_s {
  ed_counts_t counts;
  int64_t p50_us, p99_us, max_us; /* latency of the second's completions */
  int phase;                      /* highest phase index seen, -1 = none */
} ed_rebuild_second_t;

/* Read dir/journal.jsonl (and the scenario copy). Returns 0, ED_ENOTFOUND
 * (no journal), ED_EPARSE (no run_start), ED_ENOMEM or ED_EIO. Free with
 * ed_rebuild_destroy. */
int ed_rebuild_create(const char *dir, ed_rebuild_t **out);
void ed_rebuild_destroy(ed_rebuild_t *rb);

/* What the reader found (partial last line, bad lines, run_end). */
const ed_jread_stats_t *ed_rebuild_stats(const ed_rebuild_t *rb);
/* 1 when the run did not finish (no run_end, interrupted, cut journal). */
int ed_rebuild_incomplete(const ed_rebuild_t *rb);

/* summary.json's object rebuilt, plus "rebuilt": {"from", "complete",
 * "journal", "notes": [...], "not_rebuilt": [...], "approximate": [...]}
 * (per-request journals keep send times to the microsecond, so send_lag_ms
 * may be 1 us off the live figure). New reference. */
json_t *ed_rebuild_summary(const ed_rebuild_t *rb);

/* Every event but "req" and "sec", in order (run_start, phase, drill
 * events, ...). Borrowed. */
const json_t *ed_rebuild_events(const ed_rebuild_t *rb);

/* Workloads, and the per-second series of workload w ([0, *n), index =
 * second of the run). Borrowed. */
size_t ed_rebuild_nworkloads(const ed_rebuild_t *rb);
const char *ed_rebuild_workload_name(const ed_rebuild_t *rb, size_t w);
const ed_rebuild_second_t *ed_rebuild_seconds(const ed_rebuild_t *rb, size_t w,
                                              size_t *n);
/* Phases of workload w, and the latency histogram of phase ph (all targets
 * merged; NULL when nothing completed). Borrowed. */
size_t ed_rebuild_nphases(const ed_rebuild_t *rb, size_t w);
const char *ed_rebuild_phase_name(const ed_rebuild_t *rb, size_t w, size_t ph);
const ed_hist_t *ed_rebuild_phase_latency(const ed_rebuild_t *rb, size_t w,
                                          size_t ph);

/* Compare the figures of a live summary with a rebuilt one: header fields,
 * every STATS of every workload, phase and target (but the STATS named in
 * rebuilt.not_rebuilt or rebuilt.approximate), and the SLO checks. Appends one
 * line per difference to diffs (a JSON array). Returns the number of
 * differences. */
size_t ed_rebuild_diff(const json_t *live, const json_t *rebuilt,
                       json_t *diffs);

#endif
