/*
 * verdict: the one verdict model of a run. From a summary object (the live
 * summary.json, or the summary rebuilt from journal.jsonl: both have the
 * same shape) it lists every judged item, each with
 *
 *   kind    preflight, run, shard (a merged drill's shards), check, load,
 *           slo, guardrail, runner, fault, recovery, plan, step, undo
 *   name    what was judged ("poll-system p99_ms", "bmc2-power-loss", ...)
 *   status  "passed", "failed" or "not run"
 *   reason  why it failed or did not run (and, for some passes, what)
 *   and the figures that judged it (achieved/target, rto_s/rto_target_s,
 *   target/action/tries/duration_s of a step, ...).
 *
 * The run passes when no item failed. Green must be earned: a workload that
 * completed no request is "no data" and fails; a drill stopped by its
 * before-checks, a preflight failure, a signal, a guardrail, a failed undo,
 * a fault that did not come back (with or without a plan) each fail it.
 *
 * In one shard's summary (a "shard" object: --shard I/N), a workload none
 * of whose targets the shard owns is "not run": another shard judges it.
 *
 * Every output renders this model and computes nothing of its own: the exit
 * status (ed_verdict_exit), the terminal (ed_verdict_print), summary.json's
 * "verdict", the reports, JUnit and compare.
 */
#ifndef ED_VERDICT_H
#define ED_VERDICT_H

#include <jansson.h>
#include <stdio.h>

/* The verdict of summary (borrowed; its own "verdict" key is ignored):
 * {"pass", "reasons": [sentences of the failed items, one per cause],
 *  "counts": {"passed", "failed", "not run"}, "items": [...]}.
 * New reference, or NULL when out of memory. */
json_t *ed_verdict_build(const json_t *summary);

/* 1 when verdict (ed_verdict_build's object) passed. */
int ed_verdict_pass(const json_t *verdict);

/* Exit status of `eventdrill run` for verdict: 0 passed; 4 when the
 * preflight failed; 3 when a signal or the run's end cut it short, or a
 * guardrail aborted it; 1 otherwise. */
int ed_verdict_exit(const json_t *verdict);

/* The terminal's verdict: "VERDICT: PASS|FAIL (n judged: ...)" and one line
 * per reason. */
void ed_verdict_print(const json_t *verdict, FILE *out);
/* An SLO's value with its unit, as every output shows it: "250 ms" for a
 * latency (the name ends in _ms), "1%" for an error rate (a fraction). */
void ed_verdict_slo_value(const char *slo, double v, char *buf, size_t len);

/* The verdict on one line (--quiet): its head, the first reason and how
 * many more. */
void ed_verdict_print_line(const json_t *verdict, FILE *out);

/* One sentence for a passing verdict that names only what was judged
 * (no fault: nothing about faults). buf always ends in NUL. */
void ed_verdict_pass_sentence(const json_t *verdict, char *buf, size_t len);

/* Compare two verdicts item by item, field by field (numbers to 1 us);
 * one line per difference appended to diffs. Returns the number of
 * differences. */
size_t ed_verdict_diff(const json_t *live, const json_t *rebuilt,
                       json_t *diffs);

#endif
