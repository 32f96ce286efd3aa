/* Internal to the rebuild module (rebuild.c, rebuild_summary.c,
 * rebuild_drill.c). */
#ifndef ED_REBUILD_INTERNAL_H
#define ED_REBUILD_INTERNAL_H

#include <limits.h>

#include "rebuild.h"

typedef struct wl_s {
  const char *name; /* borrowed from run_start */
  size_t ntargets, nphases;
  ed_hist_t **phase_lat; /* merged per phase, built at the end */
  ed_rebuild_second_t *secs;
  size_t nsecs, capsecs;
  ed_hist_t *cur; /* latencies of second cur_sec, not yet closed */
  int64_t cur_sec;
} wl_t;

struct ed_rebuild_s {
  char dir[PATH_MAX];
  ed_jread_stats_t st;
  json_t *start; /* run_start */
  json_t *events;
  json_t *scenario; /* the scenario copy, when its hash matches */
  int per_request, sigfigs;
  double elapsed_s, last_t;
  int has_elapsed;
  wl_t *wls;
  size_t nwls;
  ed_metrics_t *metrics; /* the cells: the store a live run fills */
  json_t *warnings;
  int bad_index;        /* events naming a workload/target/phase out of range */
  uint64_t (*pairs)[2]; /* rebuild_fast.c: the pairs of a line's histograms */
  size_t cap_pairs;
};

/* One "sec" event as rebuild_fast.c reads it (pairs borrowed from rb). */
typedef struct ed__rsec_s {
  double t;
  json_int_t w, tg, ph, sec;
  ed_counts_t counts;
  int has_lat, has_svc;
  ed_hist_sparse_t lat, svc;
} ed__rsec_t;

/* rebuild.c: a "sec" event read by the fast parser, as the JSON one. */
int ed__rebuild_sec(ed_rebuild_t *rb, const ed__rsec_t *e);
/* rebuild_fast.c: the journal reader's raw hook (ed_jread_raw_cb): "sec"
 * lines exactly as the runner writes them are read without Jansson; any
 * other line, or one that differs in the least, is left to the JSON path. */
int ed__rebuild_raw(void *arg, const char *line, size_t len);

/* The "drill" object of the summary rebuilt from the drill events. New
 * reference. */
json_t *ed__rebuild_drill(const json_t *events);

#endif
