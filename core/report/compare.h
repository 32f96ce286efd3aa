/*
 * compare: runs side by side (`eventdrill compare A B [C ...]`), e.g. the
 * rehearsals of one plan in turn, or the rehearsal against the
 * verification during the event. Runs of different scenarios (their SHA-256
 * differ) are compared under a warning that comes first. Per workload and
 * phase: rate, error rate, p50 and p99 of each run and the change (a phase only
 * one run has is listed as such); each fault's recovery as its run's verdict
 * judged it (an RTO only when it recovered, else "not recovered" or "not
 * injected"); both verdicts with their reasons; and the p99 latency of
 * both runs overlaid in one plot. Every figure is rebuilt from each run's
 * journal; the verdicts are each run's summary.json's (else rebuilt).
 */
#ifndef ED_COMPARE_H
#define ED_COMPARE_H

#include <stdio.h>

/* Compare the n runs of dirs (2 to 26, a trend across rehearsals: A, B,
 * C, ...; Δ is the last against the first). Write out_dir/compare.md,
 * out_dir/compare.html (one self-contained page, the plot inline) and
 * out_dir/plots/compare-latency.* (the first and the last run overlaid),
 * and the Markdown on out (may be NULL). Returns 0, ED_ENOTFOUND /
 * ED_EPARSE when a folder holds no usable journal, ED_EINVAL for a count
 * out of range, ED_EIO. */
int ed_compare_write(const char *const *dirs, size_t n, const char *out_dir,
                     FILE *out);

#endif
