/*
 * compare: two runs side by side (`eventdrill compare A B`), e.g. the first
 * rehearsal against the second, or the rehearsal against the verification
 * during the event. Per workload and phase: rate, error rate, p50 and p99
 * of each run and the change; RTO per fault and the verdicts; and the p99
 * latency of both runs overlaid in one plot. Every figure is rebuilt from
 * each run's journal.
 */
#ifndef ED_COMPARE_H
#define ED_COMPARE_H

#include <stdio.h>

/* Write out_dir/compare.md and out_dir/plots/compare-latency.*, and the
 * same tables on out (may be NULL). Returns 0, ED_ENOTFOUND / ED_EPARSE when
 * a folder holds no usable journal, ED_EIO. */
int ed_compare_write(const char *dir_a, const char *dir_b, const char *out_dir,
                     FILE *out);

#endif
