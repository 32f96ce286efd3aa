/*
 * scenario: the in-memory model of one scenario file, its loader and its
 * validation. The format is documented in docs/scenario-format.md.
 *
 * Loading never touches a device. Driver-specific keys of targets and
 * operations are checked against the drivers' option tables through an
 * ed_scenario_drivers_t the caller supplies (the plugin host), so that
 * `eventdrill validate` reports them with the rest.
 */
#ifndef ED_SCENARIO_H
#define ED_SCENARIO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "duration.h" /* ed_duration_parse, ed_duration_format */
#include "pattern.h"

/* One segment of a rate profile; a workload's segments are its phases. */
typedef enum {
  ED_SEG_CONSTANT = 1, /* rate `from` for `duration_ms`             */
  ED_SEG_RAMP,         /* linear from `from` to `to`                */
  ED_SEG_STEP,         /* `from` then `steps` equal steps up to `to` */
  ED_SEG_SPIKE         /* `from` (base), `to` (peak) during [at, at+width) */
} ed_seg_kind_t;

typedef struct ed_segment_s {
  char *name; /* phase name; defaults to "<kind>-<index+1>" */
  ed_seg_kind_t kind;
  double from;         /* req/s per target */
  double to;           /* req/s per target (ramp/step/spike) */
  int steps;           /* step: number of steps >= 1 */
  int64_t at_ms;       /* spike: start of the peak inside the segment */
  int64_t width_ms;    /* spike: width of the peak */
  int64_t duration_ms; /* > 0 */
} ed_segment_t;

typedef enum { ED_ARRIVAL_UNIFORM = 0, ED_ARRIVAL_POISSON } ed_arrival_t;

/* A driver operation as written in a scenario: { "<op>": <argument> }. */
typedef struct ed_opspec_s {
  char *name;  /* operation name, e.g. "get" */
  json_t *arg; /* the argument as written (owned reference) */
  char *path;  /* JSON path of the op object, for messages */
} ed_opspec_t;

typedef struct ed_sim_spec_s {
  json_t *config; /* the target's "sim" object (owned reference); knobs */
} ed_sim_spec_t;

typedef struct ed_target_s {
  char *name;
  char *driver;       /* driver name */
  char *credentials;  /* reference "env:NAME" or "file:/path"; NULL if none */
  int rehearsal;      /* may receive faults and destructive actions */
  int max_in_flight;  /* cap for workloads on it that set none; 0 = unset */
  ed_sim_spec_t *sim; /* non-NULL: served by the built-in simulator */
  json_t *opts;       /* driver options: the object minus core keys (owned).
                       * A simulated target has no "url" here: the core sets
                       * it when the simulator has bound its address. */
  char *path;         /* "targets.bmc1" */
  char *description;  /* or NULL */
  json_t *labels;     /* object of strings (owned); NULL when absent */
  char *file;         /* the inventory that defined it, or NULL (this file) */
} ed_target_t;

typedef struct ed_workload_s {
  char *name;
  char **targets; /* names, all defined in the scenario */
  size_t ntargets;
  ed_opspec_t op;
  ed_segment_t *segs;
  size_t nsegs;
  ed_arrival_t arrival;
  int max_in_flight;     /* per target; default 64 (see ed_workload_cap) */
  int max_in_flight_set; /* 1 when the workload wrote max_in_flight */
  int64_t timeout_ms;    /* per request; default 10000 */
  int64_t start_ms;      /* offset of its first phase from the run start */
  char *path;            /* "workloads[0]" */
} ed_workload_t;

typedef struct ed_slo_s {
  double p50_ms, p90_ms, p99_ms, p999_ms; /* 0 = no target */
  double error_rate;                      /* < 0 = no target */
} ed_slo_t;

typedef enum {
  ED_JOURNAL_AUTO = 0, /* per request below max_request_rate, else per second */
  ED_JOURNAL_ALL,      /* every request */
  ED_JOURNAL_AGGREGATE /* per second always */
} ed_journal_mode_t;

typedef struct ed_journal_spec_s {
  ed_journal_mode_t requests;
  double max_request_rate; /* total req/s above which AUTO aggregates */
} ed_journal_spec_t;

/* ---- emergency-plan drills: checks, faults, plans, guardrails ----------
 * (docs/scenario-format.md, sections "checks" to "guardrails"). */

/* What a check expects of its operation's result. */
typedef struct ed_expect_s {
  int status; /* protocol code (HTTP status, exit status); 0 = any
                 success as the driver reports it */
  int has_status;
  json_t *equals;  /* the result's value equals this JSON (owned) or NULL */
  json_t *one_of;  /* array: the value is one of these (owned) or NULL */
  double min, max; /* numeric range of the value */
  int has_min, has_max;
  char *match;           /* pattern on the value's text (pattern.h) or NULL */
  ed_pattern_t *pattern; /* match compiled with its limits (owned) */
  double latency_ms;     /* the answer came within this, 0 = no bound */
} ed_expect_t;

typedef enum {
  ED_CHECK_BEFORE = 1,  /* once before the drill starts              */
  ED_CHECK_AFTER,       /* once after the drill ends                 */
  ED_CHECK_CONTINUOUS,  /* every `every_ms` during the drill         */
  ED_CHECK_DURING_FAULT /* every `every_ms` while a fault is active  */
} ed_check_mode_t;

/* A named probe with a tolerance: "checks": { "<name>": {...} }. Always
 * read-only: its operation must not be flagged destructive. */
typedef struct ed_check_s {
  char *name;
  char *target; /* target name */
  ed_opspec_t op;
  ed_expect_t expect;
  ed_check_mode_t mode; /* default continuous */
  int64_t every_ms;     /* default 2000 */
  int64_t timeout_ms;   /* per try, default 5000 */
  int64_t settle_ms;    /* after checks: asked again until green within
                           this window (default 30000; 0: once) */
  int steady;           /* part of the steady state (default true) */
  char *path;           /* "checks.bmc2-up" */
} ed_check_t;

/* An action on a target: a driver operation, or a change of the built-in
 * simulator's knobs (targets with "sim" only). Exactly one is set. */
typedef struct ed_action_s {
  char *target;
  ed_opspec_t op; /* op.name NULL when sim is set */
  json_t *sim;    /* {"latency": ..., "error_rate": ..., "down": "10s",
                     "hang": true, "clear": true, ...} (owned) or NULL */
  char *path;
} ed_action_t;

typedef enum {
  ED_UNDO_ALWAYS = 0, /* after `for`, at the end, or on abort */
  ED_UNDO_ON_ABORT,   /* only if the drill is aborted */
  ED_UNDO_NEVER
} ed_undo_when_t;

/* A timed fault: "faults": [ {...} ]. */
typedef struct ed_fault_s {
  char *name;     /* default "fault-<index+1>" */
  int64_t at_ms;  /* from the run start */
  int64_t for_ms; /* > 0: the undo runs this long after the fault */
  ed_action_t action;
  int has_undo;
  ed_action_t undo; /* a sim fault's undo defaults to {"clear": true} */
  ed_undo_when_t undo_when;
  char **verify; /* checks run after a fault without undo (required
                    then), each must turn green */
  size_t nverify;
  char *plan;  /* plan this fault triggers, or NULL */
  char *alarm; /* the watch's alarm kind it stands for ("unreachable",
                  "slow", "power", "health", "sensor", "log", "psu"), or
                  NULL: any alarm of its target */
  char *path;
} ed_fault_t;

typedef enum {
  ED_ONFAIL_STOP = 0, /* the plan fails here */
  ED_ONFAIL_CONTINUE, /* note the failure, go on with the next step */
  ED_ONFAIL_GOTO      /* jump to step `goto_step` */
} ed_onfail_t;

/* One step of an emergency plan. */
typedef struct ed_step_s {
  char *name;
  int has_action;
  ed_action_t action; /* optional: a step may only verify (e.g. detect) */
  char **verify;      /* check names that must all be green */
  size_t nverify;
  int64_t timeout_ms; /* for the whole step, tries included; default 60000 */
  int retries;        /* extra tries after the first; default 0 */
  int64_t backoff_ms; /* wait before a retry, doubled each time; 1000 */
  ed_onfail_t on_failure;
  char *goto_step; /* for ED_ONFAIL_GOTO */
  char *save_as;   /* keep the action's value as ${save_as} for later
                      steps' arguments, or NULL */
  char *path;
} ed_step_t;

typedef enum {
  ED_RTO_FROM_FAULT = 0, /* fault injection */
  ED_RTO_FROM_DETECTION, /* when the plan's trigger was detected */
  ED_RTO_FROM_PLAN       /* the plan's first step */
} ed_rto_from_t;

typedef struct ed_plan_s {
  char *name;
  int64_t rto_ms;             /* target recovery time; 0 = none */
  ed_rto_from_t rto_from;     /* default fault */
  char *trigger_check;        /* check whose going red starts the plan, or
                                 NULL: started by the faults naming it */
  int64_t detection_delay_ms; /* wait after the trigger before step 1 */
  ed_step_t *steps;
  size_t nsteps;
  char *path;
} ed_plan_t;

typedef enum {
  ED_GUARD_P99 = 1,    /* p99 latency (ms) of the last second above       */
  ED_GUARD_ERROR_RATE, /* error rate of the last second above (0..1)      */
  ED_GUARD_CHECK_RED   /* check `check` red                               */
} ed_guard_kind_t;

/* A stop condition, "stop_if": "p99 > 800ms for 10s" or
 * {"check_red": "bmc2-up", "for": "30s"}. */
typedef struct ed_guardrail_s {
  ed_guard_kind_t kind;
  char *workload;   /* p99 / error_rate of this workload; NULL = any */
  char *check;      /* ED_GUARD_CHECK_RED */
  double threshold; /* ms for p99, fraction for error_rate */
  int64_t for_ms;   /* how long it must hold; 0 = at once */
  char *text;       /* as written, for messages */
  char *path;
} ed_guardrail_t;

typedef struct ed_scenario_s {
  char *file; /* path as given */
  char *name;
  char *inventory;   /* path of the inventory it includes (resolved), or NULL */
  char *description; /* or NULL */
  uint64_t seed;
  int has_seed;
  ed_target_t *targets;
  size_t ntargets;
  ed_workload_t *workloads;
  size_t nworkloads;
  ed_slo_t slo;
  ed_journal_spec_t journal;
  ed_check_t *checks;
  size_t nchecks;
  ed_fault_t *faults;
  size_t nfaults;
  ed_plan_t *plans;
  size_t nplans;
  ed_guardrail_t *guardrails;
  size_t nguardrails;
  int max_faulted_targets; /* blast radius: 0 = no limit */
  int64_t time_limit_ms;   /* wall-clock limit of the drill; 0 = none */
  char sha256[65];         /* hex digest of the file's bytes */
  json_t *root;            /* the parsed document (owned) */
  char *text;              /* the file's bytes (owned), for the results' copy */
  size_t text_len;
} ed_scenario_t;

/* A simulated target (one with "sim") gets its URL when the simulator has
 * bound its address; check_target sees this placeholder "url" instead. */
#define ED_SCENARIO_SIM_URL "http://127.0.0.1:0"

/* What the loader asks of the drivers. lookup returns 0 if a driver of that
 * name exists, else <0. check_target / check_op validate driver-specific keys
 * and add errors to diag (with the JSON path given). Any of them may be NULL,
 * in which case driver-specific keys are not checked. */
typedef struct ed_scenario_drivers_s {
  void *ctx;
  int (*lookup)(void *ctx, const char *driver);
  void (*check_target)(void *ctx, const char *driver, json_t *opts,
                       const char *path, ed_diag_t *diag);
  void (*check_op)(void *ctx, const char *driver, const ed_opspec_t *op,
                   ed_diag_t *diag);
  /* Names of all drivers, for did-you-mean; NULL-terminated, borrowed. */
  const char *const *(*names)(void *ctx);
  /* ED_OP_* flags of operation `op` of `driver`, or <0 when unknown. */
  int (*op_flags)(void *ctx, const char *driver, const char *op);
  /* Check a target's "sim" object (the built-in simulator's settings) at
   * path, adding errors to diag; NULL: only its type is checked. */
  void (*check_sim)(void *ctx, const json_t *sim, const char *path,
                    ed_diag_t *diag);
} ed_scenario_drivers_t;

/* Load and validate `file`. On success *out is a new scenario (free it with
 * ed_scenario_destroy) and 0 is returned. On failure returns ED_EPARSE (or
 * ED_EIO when the file cannot be read, ED_ENOMEM), *out is NULL and diag holds
 * every error found (appended; diag->file and diag->pos are restored). */
int ed_scenario_load(const char *file, const ed_scenario_drivers_t *drivers,
                     ed_diag_t *diag, ed_scenario_t **out);
void ed_scenario_destroy(ed_scenario_t *s);

/* Keep only the checks, faults, plans and guardrails whose flag is set
 * (one int per item, in the scenario's order); the others are freed and
 * the arrays compacted, order kept. Targets, workloads, the document and
 * its SHA-256 stay as loaded. For one shard of a drill (core/run). */
void ed_scenario_retain(ed_scenario_t *s, const int *checks, const int *faults,
                        const int *plans, const int *guardrails);

/* Lookup helpers; NULL when absent. */
const ed_target_t *ed_scenario_target(const ed_scenario_t *s, const char *name);
const ed_check_t *ed_scenario_check(const ed_scenario_t *s, const char *name);
const ed_plan_t *ed_scenario_plan(const ed_scenario_t *s, const char *name);
/* Whether every name of the NULL-terminated list (--only) is a step of one
 * of the scenario's plans: 0, or ED_ENOTFOUND with err saying which name is
 * unknown, with a suggestion when one is close. A selection that names
 * nothing real would run no step and still look like a drill. */
int ed_scenario_check_steps(const ed_scenario_t *s, const char *const *names,
                            char *err, size_t errlen);

/* Total length of a workload's profile in ms (start_ms + sum of segments),
 * and of the whole scenario (the longest workload). */
int64_t ed_workload_length_ms(const ed_workload_t *w);
int64_t ed_scenario_length_ms(const ed_scenario_t *s);

/* Cap on requests in flight of workload w on target t: the workload's own
 * max_in_flight when written, else the target's when written, else 64. */
int ed_workload_cap(const ed_workload_t *w, const ed_target_t *t);

/* Peak rate (req/s per target) of a workload's profile. */
double ed_workload_peak_rate(const ed_workload_t *w);

#endif
