/*
 * merge: one results folder from the folders of the shards of one drill
 * (`eventdrill merge DIR... --out DIR`, docs/distributed.md). The merged
 * folder is an ordinary results folder: its journal.jsonl holds every
 * shard's events on one clock, so the report, compare and the verdict model
 * read it as any other, and every figure is rebuilt from it.
 *
 * The clock: each shard's journal has a "clock" event, the wall clock
 * (CLOCK_REALTIME, to the microsecond) at its t = 0. The merged t = 0 is the
 * earliest of them; a shard's times are shifted by its start's offset from
 * it. Per-second cells ("sec") move by the offset rounded to a whole second,
 * their "t" with them (the end of their second): totals and histograms are
 * exact, a second's boundary is within half a second of the shard's own.
 *
 * Exactness: a target belongs to one shard, so the cells (workload,
 * target, phase) of different shards never overlap: the merged journal
 * keeps every shard's "sec" and "req" events unchanged but for their
 * times, and the histograms the rebuild merges bucket by bucket are those
 * the shards wrote.
 */
#ifndef ED_MERGE_H
#define ED_MERGE_H

#include <stddef.h>

typedef struct ed_merge_options_s {
  const char *const *dirs; /* the shards' results folders (borrowed) */
  size_t ndirs;
  const char *out;     /* the merged folder: created, must not hold a journal */
  int allow_missing;   /* a shard may be absent (said in the summary) */
  const char *command; /* the command line, for the merged run_start */
} ed_merge_options_t;

/* Merge. Returns 0; ED_EINVAL when the folders do not make one drill (err
 * says which folder and what differs); ED_ENOTFOUND / ED_EPARSE when a
 * folder holds no usable journal (err says which); ED_EEXISTS when out
 * already holds a journal; ED_EIO; ED_ENOMEM. Writes out/journal.jsonl,
 * the scenario's copy and out/summary.json (the report is the caller's:
 * core/report/report.h). */
int ed_merge(const ed_merge_options_t *o, char *err, size_t errlen);

#endif
