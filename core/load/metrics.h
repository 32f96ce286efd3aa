/*
 * metrics: what a run measured, kept per cell = (workload, target, phase):
 * latency from the intended send time, service time from the actual send,
 * the lag of each send behind its schedule, counts by outcome; and a
 * per-second series per workload (sent, completed, errors by class, late,
 * dropped, latency percentiles of that second).
 *
 * All times are microseconds in histograms. One ed_metrics_t belongs to one
 * run and is used only on the loop thread.
 */
#ifndef ED_METRICS_H
#define ED_METRICS_H

#include <eventdrill/driver.h>
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"

/* Counters of one cell or one second. */
typedef struct ed_counts_s {
  uint64_t sent;      /* handed to the driver */
  uint64_t completed; /* came back, with or without error */
  uint64_t ok;
  uint64_t errors[ED_ERRCLASS_COUNT]; /* [ED_ERRCLASS_NONE] unused */
  uint64_t late;    /* sent after waiting for a free in-flight slot */
  uint64_t dropped; /* never sent: waited longer than the drop bound */
} ed_counts_t;

typedef struct ed_cell_s {
  ed_counts_t counts;
  ed_hist_t *latency; /* from intended send time */
  ed_hist_t *service; /* from actual send time */
  ed_hist_t *lag;     /* actual - intended send time */
} ed_cell_t;

/* One second of one workload, all targets and phases merged: the figures a
 * person reads in timeseries.csv and on the progress line. */
typedef struct ed_second_s {
  ed_counts_t counts;
  int64_t p50_us, p99_us, max_us; /* latency of completions in the second */
  int64_t in_flight_max;
  int64_t phase; /* phase index active when the second closed, -1 = none */
} ed_second_t;

typedef struct ed_metrics_s ed_metrics_t;

/* Called when the events of one (workload, target, phase) in one second are
 * complete: the journal's per-second aggregate. lat and svc may be empty. */
typedef void (*ed_metrics_flush_cb)(void *arg, size_t w, size_t t, size_t ph,
                                    int64_t sec, const ed_counts_t *counts,
                                    const ed_hist_t *lat, const ed_hist_t *svc);

/* Shape of a run: nworkloads, and for each the number of targets and phases.
 * Histograms keep `sigfigs` digits. Returns 0 or ED_ENOMEM. Free with
 * ed_metrics_destroy. */
int ed_metrics_create(size_t nworkloads, const size_t *ntargets,
                      const size_t *nphases, int sigfigs, ed_metrics_t **out);
void ed_metrics_destroy(ed_metrics_t *m);
void ed_metrics_set_flush(ed_metrics_t *m, ed_metrics_flush_cb cb, void *arg);

/* The cell, or NULL if nothing was ever recorded in it. */
const ed_cell_t *ed_metrics_cell(const ed_metrics_t *m, size_t w, size_t t,
                                 size_t ph);
/* The cell to fill from a journal (core/report/rebuild.c): the same store
 * a live run fills, so that both are merged and summed by the same code.
 * Its histograms exist; NULL when out of memory. Borrowed. */
ed_cell_t *ed_metrics_cell_fill(ed_metrics_t *m, size_t w, size_t t, size_t ph);
size_t ed_metrics_nworkloads(const ed_metrics_t *m);
size_t ed_metrics_ntargets(const ed_metrics_t *m, size_t w);
size_t ed_metrics_nphases(const ed_metrics_t *m, size_t w);

/* Recording, on the loop thread. sec is the second of the run in which the
 * event happened; it never decreases for a given workload. Return 0 or
 * ED_ENOMEM. */
int ed_metrics_sent(ed_metrics_t *m, size_t w, size_t t, size_t ph, int64_t sec,
                    int64_t lag_us, int late);
int ed_metrics_dropped(ed_metrics_t *m, size_t w, size_t t, size_t ph,
                       int64_t sec);
int ed_metrics_completed(ed_metrics_t *m, size_t w, size_t t, size_t ph,
                         int64_t sec, ed_errclass_t err, int64_t latency_us,
                         int64_t service_us);
void ed_metrics_in_flight(ed_metrics_t *m, size_t w, int64_t sec,
                          int64_t in_flight, int64_t phase);
/* Close every second before sec: the workloads' per-second figures at
 * once; the targets' (the flush callbacks) from then on, a slice per call
 * of ed_metrics_sweep, or all at the next tick. One callback per target
 * and second would, at 10,000 targets, hold the caller for ~100 ms. */
void ed_metrics_tick(ed_metrics_t *m, int64_t sec);
/* Flush up to `budget` targets' closed seconds; 1 while some are left. */
int ed_metrics_sweep(ed_metrics_t *m, size_t budget);
/* Close everything still open (end of run). */
void ed_metrics_finish(ed_metrics_t *m);

/* How many seconds of workload w are closed: seconds 0 .. that - 1. */
size_t ed_metrics_nseconds(const ed_metrics_t *m, size_t w);
/* Closed second sec of workload w, copied to *out. The last
 * ED_METRICS_RECENT seconds are in memory (the progress line and the
 * guardrails read the second just closed); the earlier ones are read back
 * from an unlinked temporary file (in $TMPDIR, else /tmp), so that a run's
 * memory does not grow with its length (where no such file can be made or
 * written, they are kept in memory, and a warning says so). 0; ED_EINVAL
 * when sec is not closed; ED_EIO when it could not be kept (out of
 * memory) or read back. */
int ed_metrics_second(const ed_metrics_t *m, size_t w, size_t sec,
                      ed_second_t *out);
/* 1 when every closed second of every workload can be read back. */
int ed_metrics_series_kept(const ed_metrics_t *m);
#define ED_METRICS_RECENT 16

/* Merge cells into `into` (counts added, histograms merged): every target
 * and phase of workload w when ph == SIZE_MAX, else only phase ph; every
 * target when t == SIZE_MAX. `into` must be created with
 * ed_metrics_cell_init and closed with ed_metrics_cell_close. */
int ed_metrics_cell_init(const ed_metrics_t *m, ed_cell_t *c);
void ed_metrics_cell_close(ed_cell_t *c);
int ed_metrics_merge(const ed_metrics_t *m, size_t w, size_t t, size_t ph,
                     ed_cell_t *into);
void ed_counts_add(ed_counts_t *into, const ed_counts_t *c);
uint64_t ed_counts_errors(const ed_counts_t *c);

/* Name of an error class ("timeout"); static string. */
const char *ed_errclass_name(ed_errclass_t e);
/* Class from its name, or -1. */
int ed_errclass_from_name(const char *name);

/* Histogram range: 1 us .. 1 hour. */
#define ED_METRICS_HIGHEST_US 3600000000LL

#endif
