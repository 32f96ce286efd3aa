/*
 * drill: the emergency-plan side of a run. It injects the scenario's faults
 * on time, keeps their undos, starts the plans they (or a check going red)
 * trigger, measures each recovery time (RTO) against its target, watches the
 * guardrails, and describes all of it for the verdict model.
 *
 * Modes: rehearse (faults and state-changing steps, only on targets marked
 * "rehearsal") and verify (no fault, nothing that changes state: every check
 * once, then each plan with its actions that change state left out, to prove
 * it can run on the live fleet).
 *
 * Everything runs on the loop thread; the runner feeds it the workloads'
 * end and each closed second, and it tells the runner when to abort and when
 * it is finished.
 */
#ifndef ED_DRILL_H
#define ED_DRILL_H

#include <jansson.h>
#include <stdint.h>

#include "checks.h"
#include "metrics.h"
#include "probe.h"
#include "scenario.h"

typedef enum { ED_MODE_REHEARSE = 0, ED_MODE_VERIFY } ed_mode_t;

typedef struct ed_drill_events_s {
  void *arg;
  /* A journal event (obj borrowed). */
  void (*event)(void *arg, const char *ev, json_t *obj);
  /* Force the journal to disk (before and after a fault): 0, or not 0 when
   * what was journaled may not be on disk (then no fault is injected). */
  int (*sync)(void *arg);
  /* A line for the person at the terminal. */
  void (*message)(void *arg, const char *text);
  /* A guardrail tripped: stop the workloads (the drill stops itself). */
  void (*abort)(void *arg, const char *reason);
  /* Everything is over: after-checks run and undos done. */
  void (*finished)(void *arg);
} ed_drill_events_t;

typedef struct ed_drill_s ed_drill_t;

/* only: NULL-terminated plan step names (--only), or NULL. Borrowed. */
int ed_drill_create(const ed_scenario_t *s, ed_probe_host_t *probes,
                    const ed_metrics_t *metrics, ed_mode_t mode,
                    const char *const *only, const ed_drill_events_t *ev,
                    ed_drill_t **out);
/* Rules that depend on the mode: in rehearse mode faults and state-changing
 * plan actions only on rehearsal targets. 0, or <0 with errbuf. */
int ed_drill_check_rules(const ed_drill_t *d, char *errbuf, size_t errlen);
/* The preflight of `rehearse --dry-run`: prove every state-changing plan
 * step, fault and undo (read-only, as the drill's start does) and call cb
 * once every proof has answered; what may not run is then said (message
 * and "proof" event) and in ed_drill_summary's "warnings". Nothing in
 * verify mode (its plan proves its own steps). */
void ed_drill_prove(ed_drill_t *d, void (*cb)(void *arg), void *arg);
/* How many proofs found something that may not run, so far. */
size_t ed_drill_warning_count(const ed_drill_t *d);
/* Run the "before" checks; cb when they have answered. */
void ed_drill_before(ed_drill_t *d, void (*cb)(void *arg), void *arg);
/* The drill's time 0 (uv_hrtime clock): faults, periodic checks, limits. */
void ed_drill_start(ed_drill_t *d, uint64_t t0);
/* Second sec of the run closed: guardrails on the workloads' figures. */
void ed_drill_second(ed_drill_t *d, int64_t sec);
/* The workloads are over (or there were none). */
void ed_drill_workloads_done(ed_drill_t *d);
/* Stop now (signal or guardrail): no more fault or step, run the undos. */
void ed_drill_abort(ed_drill_t *d, const char *reason);
int ed_drill_aborted(const ed_drill_t *d);
const char *ed_drill_abort_reason(const ed_drill_t *d);

/* The drill's part of summary.json (new reference): faults with their RTO,
 * plans with their steps, checks. */
json_t *ed_drill_summary(const ed_drill_t *d);
/* 1 when a "before" check was red: the drill must not start. (The verdict
 * itself is core/evidence/verdict.h's, built from ed_drill_summary.) */
int ed_drill_before_failed(const ed_drill_t *d);
/* Print the drill's part of the summary for a person. */
void ed_drill_print(const json_t *drill, FILE *out);

/* Close timers; memory is freed as the loop closes them. */
void ed_drill_destroy(ed_drill_t *d);
/* Checks and plans still running (the runner waits for 0 before closing
 * targets). */
int ed_drill_busy(const ed_drill_t *d);

#endif
