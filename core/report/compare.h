/*
 * compare: two runs side by side (`eventdrill compare A B`), e.g. the first
 * rehearsal against the second, or the rehearsal against the verification
 * during the event. Runs of different scenarios (their SHA-256 differ) are
 * compared under a warning that comes first. Per workload and phase: rate,
 * error rate, p50 and p99 of each run and the change (a phase only one run
 * has is listed as such); each fault's recovery as its run's verdict
 * judged it (an RTO only when it recovered, else "not recovered" or "not
 * injected"); both verdicts with their reasons; and the p99 latency of
 * both runs overlaid in one plot. Every figure is rebuilt from each run's
 * journal; the verdicts are each run's summary.json's (else rebuilt).
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
