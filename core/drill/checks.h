/*
 * checks: steady-state checks at run time. A check runs its (read-only)
 * operation through a probe and judges the outcome against its expectation;
 * a check that cannot run (refused connection, timeout) is a *failed* check,
 * with the reason, never an error of the tool.
 *
 * Checks run once before the drill, once after it, every `every` during it
 * (continuous), or every `every` while at least one fault is active; plan
 * steps and faults also run them on demand. Every result goes to the
 * on_result callback (the journal, RTO, plan triggers, guardrails).
 */
#ifndef ED_CHECKS_H
#define ED_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "scenario.h"

typedef enum {
  ED_CHECK_STATE_UNKNOWN = 0,
  ED_CHECK_STATE_GREEN,
  ED_CHECK_STATE_RED
} ed_check_state_t;

typedef struct ed_check_result_s {
  const ed_check_t *check;
  size_t index;
  int ok;
  const char *reason; /* why not ok (or "ok") */
  const char *by;     /* "before", "continuous", "step power-on", ... */
  const ed_probe_outcome_t *out;
  uint64_t at_ns; /* uv_hrtime() when the result came */
} ed_check_result_t;

typedef void (*ed_check_result_cb)(void *arg, const ed_check_result_t *r);

typedef struct ed_checks_s ed_checks_t;

/* Judge an outcome: 1 when it meets e; else 0 with the reason in buf. */
int ed_expect_eval(const ed_expect_t *e, const ed_probe_outcome_t *o, char *buf,
                   size_t len);

int ed_checks_create(const ed_scenario_t *s, ed_probe_host_t *probes,
                     ed_check_result_cb on_result, void *arg,
                     ed_checks_t **out);
/* Stop every timer; memory is freed once the loop has closed them and no
 * check is running. */
void ed_checks_destroy(ed_checks_t *c);

/* Run check `name` now; cb (may be NULL) gets its result after on_result.
 * Returns ED_ENOTFOUND for an unknown check. */
int ed_checks_run(ed_checks_t *c, const char *name, const char *by,
                  ed_check_result_cb cb, void *arg);
/* Run every check of `mode` once (before / after); done runs when all have
 * answered (at once when there is none). */
void ed_checks_run_mode(ed_checks_t *c, ed_check_mode_t mode,
                        void (*done)(void *arg), void *arg);
/* Start and stop the periodic checks. */
void ed_checks_start(ed_checks_t *c);
void ed_checks_stop(ed_checks_t *c);
/* An abort: after checks waiting to be asked again are asked one last time
 * now, instead of at the end of their settle window. */
void ed_checks_cut_settle(ed_checks_t *c);
/* Faults active now: during_fault checks run while it is > 0. */
void ed_checks_set_faults_active(ed_checks_t *c, int active);

ed_check_state_t ed_checks_state(const ed_checks_t *c, const char *name,
                                 uint64_t *since_ns);
/* 1 when every steady-state check that has run is green. */
int ed_checks_steady_green(const ed_checks_t *c);
/* Checks still running. */
int ed_checks_busy(const ed_checks_t *c);

#endif
