/*
 * plan: the executor of one emergency plan. Steps run in order; each try
 * sends the step's action (if any) and then runs its verifications, which
 * must all be green; a failed try is retried after a back-off that doubles,
 * within the step's timeout; a step that still fails stops the plan,
 * continues with the next step, or jumps to a named step, as the scenario
 * says. A step's value can be saved as ${name} for later steps.
 *
 * In verify mode (read-only probes) an action that changes device state is
 * not sent — the step notes it — and a verification counts as executable
 * when its check got an answer, whatever the answer: during the event the
 * plan is proved runnable, not run.
 */
#ifndef ED_PLAN_H
#define ED_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "checks.h"
#include "probe.h"
#include "scenario.h"

typedef enum {
  ED_STEP_PENDING = 0,
  ED_STEP_RUNNING,
  ED_STEP_PASSED,
  ED_STEP_FAILED,
  ED_STEP_NOT_RUN
} ed_step_outcome_t;

typedef struct ed_step_run_s {
  ed_step_outcome_t outcome;
  int tries;
  uint64_t start_ns, end_ns;
  char reason[256];   /* why it failed or was not run */
  int action_skipped; /* verify mode: the action was not sent */
  /* verify mode: what the driver's proof said of the action not sent:
   * "would run…", "not provable: …" or "cannot run: …" ("" before it) */
  char proof[200];
} ed_step_run_t;

typedef struct ed_plan_run_s ed_plan_run_t;

typedef struct ed_plan_events_s {
  void *arg;
  /* A journal event of the plan: "step_start", "step_try", "step_end",
   * "plan_end". obj is borrowed. */
  void (*event)(void *arg, const char *ev, json_t *obj);
  /* The plan is over (passed, failed or aborted). */
  void (*finished)(void *arg, ed_plan_run_t *run);
} ed_plan_events_t;

/* only: NULL-terminated step names to run (others are "not run"), or NULL.
 * All pointers are borrowed and must outlive the run. */
int ed_plan_run_create(const ed_plan_t *plan, ed_probe_host_t *probes,
                       ed_checks_t *checks, const ed_plan_events_t *ev,
                       const char *const *only, ed_plan_run_t **out);
/* The fault this run restores (borrowed; NULL for a plan a check starts):
 * its plan_start event names it. */
void ed_plan_run_set_fault(ed_plan_run_t *run, const char *fault);
/* Start after `delay_ms` (the detection delay). */
void ed_plan_run_start(ed_plan_run_t *run, int64_t delay_ms);
/* Stop at once: no further try or step; finished is called. */
void ed_plan_run_abort(ed_plan_run_t *run, const char *why);
/* Free; only once finished and nothing is running (ed_plan_run_idle). */
void ed_plan_run_destroy(ed_plan_run_t *run);
int ed_plan_run_idle(const ed_plan_run_t *run);

const ed_plan_t *ed_plan_run_plan(const ed_plan_run_t *run);
int ed_plan_run_started(const ed_plan_run_t *run);
int ed_plan_run_finished(const ed_plan_run_t *run);
/* 1 when every step passed (or was allowed to fail with "continue"). */
int ed_plan_run_passed(const ed_plan_run_t *run);
const char *ed_plan_run_reason(const ed_plan_run_t *run);
const ed_step_run_t *ed_plan_run_step(const ed_plan_run_t *run, size_t i);
uint64_t ed_plan_run_first_step_ns(const ed_plan_run_t *run);
uint64_t ed_plan_run_last_action_ns(const ed_plan_run_t *run);
uint64_t ed_plan_run_end_ns(const ed_plan_run_t *run);
/* The steps as summary JSON (new reference). */
json_t *ed_plan_run_json(const ed_plan_run_t *run, uint64_t t0);

#endif
