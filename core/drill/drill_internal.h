/*
 * The drill's state, shared by drill.c (running it) and drill_report.c
 * (summary, verdict). Not a public interface.
 */
#ifndef ED_DRILL_INTERNAL_H
#define ED_DRILL_INTERNAL_H

#include "drill.h"
#include "plan.h"

/* A fault whose plan waits for its trigger check to go red gives up after
 * this long without detection (or the plan's RTO target, if longer). */
#define ED__DETECTION_WAIT_MS 60000

typedef enum {
  FAULT_PENDING = 0,
  FAULT_SKIPPED,  /* never injected (aborted first, or blast radius) */
  FAULT_FAILED,   /* the action failed */
  FAULT_ACTIVE,   /* injected, not yet recovered */
  FAULT_RECOVERED /* undone, or its plan / verification passed */
} fault_state_t;

typedef struct frt_s {
  const ed_fault_t *spec;
  ed_drill_t *d;
  fault_state_t state;
  char reason[256];
  uv_timer_t at_timer, for_timer, detect_timer;
  uint64_t injected_ns, detected_ns, rto_end_ns;
  int awaiting_detection;
  int injecting;    /* its action sent, its answer not back yet */
  int awaiting_rto; /* plan passed; waiting for the steady state */
  int undo_state;   /* 0 none yet, 1 running, 2 done ok, 3 failed, 4 skipped */
  char undo_reason[256];
  int verify_left, verify_bad;
  ed_plan_run_t *plan;
} frt_t;

/* What became of each check, for the summary. */
typedef struct ed__check_stats_s {
  int runs, green, red;
  char last_reason[256];
  int before_failed, after_failed;
  int before_runs, after_runs;
  /* 1 green, -1 red: its latest result by any run (a plan's verification
   * included) since its first continuous run; 0 before that */
  int last_seen;
  uint64_t last_seen_start; /* when that run was sent (uv_hrtime) */
} ed__check_stats_t;

struct ed_drill_s {
  const ed_scenario_t *sc;
  ed_probe_host_t *probes;
  const ed_metrics_t *metrics;
  ed_mode_t mode;
  const char *const *only;
  ed_drill_events_t ev;
  ed_checks_t *checks;
  frt_t *faults;
  size_t nfaults;
  ed_plan_run_t **trigger_plans; /* plans started by a check, per plan */
  uv_timer_t limit_timer, end_timer;
  uint64_t t0;
  int started, workloads_done, ended, after_started, after_done, finished;
  int aborted;
  int undos_running;
  char abort_reason[256];
  int64_t *guard_held; /* consecutive seconds each guardrail has held */
  int before_failed, after_failed;
  ed__check_stats_t *stats; /* per check of the scenario */
  int closing;
  int destroyed;
  int proofs_left; /* rehearse: plan steps being proven at the start */
  /* rehearse: what those proofs found could not run, as the summary's
   * drill.warnings ({"plan", "step"} or {"fault"}, and "reason") */
  json_t *warnings;
  void (*proved)(void *arg); /* ed_drill_prove's callback, until called */
  void *proved_arg;
  int proofs_in_turn;          /* ed_drill_prove: one proof at a time */
  struct proof_s *proof_queue; /* the proofs not sent yet (owned) */
};

/* Where a fault's RTO is measured from (its plan's rto_from). */
uint64_t ed__drill_rto_from(const frt_t *f);

#endif
