/*
 * scenario_internal: what the parts of the scenario loader share.
 *
 *   scenario.c            load, top level, slo, journal, lifecycle, lengths
 *   scenario_check.c      typed reads of JSON members that report to diag
 *   scenario_targets.c    the "targets" object
 *   scenario_workloads.c  the "workloads" array and their rate profiles
 *   scenario_checks.c     the "checks" object (steady-state probes)
 *   scenario_plan.c       actions, the "faults" array and the "plans" object
 *   scenario_guard.c      the "guardrails" array and "limits"
 *
 * Every reader reports what is wrong to the diag and carries on, so that all
 * the errors of a file are found in one pass. Readers return 1 when they
 * stored a value, 0 when the key is absent, -1 when it is wrong (reported).
 */
#ifndef ED_SCENARIO_INTERNAL_H
#define ED_SCENARIO_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "jsonpos.h"
#include "names.h"
#include "scenario.h"

/* Long enough for any path of a sane scenario; a longer one is cut, which
 * only loses its position (diag falls back to an enclosing value). */
#define ED__PATH_MAX 512

/* Limits of the format (docs/scenario-format.md). */
#define ED__RATE_MAX 1000000.0 /* req/s per target */
#define ED__LENGTH_MAX_MS ((int64_t)24 * 3600 * 1000)
#define ED__IN_FLIGHT_MAX 100000
#define ED__STEPS_MAX 1000
#define ED__TIMEOUT_MAX_MS ((int64_t)3600 * 1000)
#define ED__NAME_MAX 100
/* Sizes of a document and of its sections; each over its limit is an
 * error of its own (docs/scenario-format.md, "Limits"). */
#define ED__DEPTH_MAX 32
#define ED__VALUES_MAX 1000000
#define ED__TARGETS_MAX 100000
#define ED__WORKLOADS_MAX 10000
#define ED__CHECKS_MAX 10000
#define ED__FAULTS_MAX 10000
#define ED__PLANS_MAX 1000
#define ED__PLAN_STEPS_MAX 1000
#define ED__SEGMENTS_MAX 1000
#define ED__GUARDRAILS_MAX 1000

/* ED_OP_DESTRUCTIVE of plugins/eventdrill/driver.h (the loader does not
 * include the plugin ABI): what drivers->op_flags reports for an operation
 * that changes device state. */
#define ED__OP_DESTRUCTIVE 0x1

/* An index of an array references point into (ed__find_ref), kept while
 * the array is the same: its address, length, stride, first and last
 * names. */
typedef struct ed__ref_index_s {
  const void *base;
  size_t n, stride;
  const char *first, *last;
  ed_names_t *names;
} ed__ref_index_t;

#define ED__REF_INDEXES 6
#define ED__SIM_CHECKED 8

typedef struct ed__loader_s {
  ed_diag_t *diag;
  const ed_scenario_drivers_t *drivers; /* may be NULL */
  ed_scenario_t *s;
  int nomem; /* an allocation failed: the load fails with ED_ENOMEM */
  ed__ref_index_t refs[ED__REF_INDEXES];
  size_t refs_next; /* the one to replace next */
  /* Simulator settings that passed the driver's check (borrowed from the
   * document), so that equal ones are not checked again. */
  const json_t *sim_ok[ED__SIM_CHECKED];
  size_t sim_ok_next;
} ed__loader_t;

/* Free what the loader built for itself (the reference indexes). */
void ed__loader_close(ed__loader_t *l);

/* Paths, cut at ED__PATH_MAX. */
void ed__path_key(char *buf, const char *parent, const char *key);
void ed__path_index(char *buf, const char *parent, size_t index);
/* strdup that records a failure in l. */
char *ed__strdup(ed__loader_t *l, const char *s);

/* Report every key of obj that is not in allowed (NULL-terminated), with a
 * did-you-mean or the list of known keys. */
void ed__check_keys(ed__loader_t *l, json_t *obj, const char *path,
                    const char *const *allowed);
/* 1 when n is at most max; else 0, reported at path as "<n> <what>, more
 * than the limit of <max>". The section is still read, so that what
 * refers to it is not reported as well. */
int ed__within(ed__loader_t *l, const char *path, size_t n, size_t max,
               const char *what);
/* Report that obj (at path) lacks key. */
void ed__missing(ed__loader_t *l, const char *path, const char *key);
/* Check the type of v; report "expected <what>, got <kind>" otherwise.
 * Returns 0 when v has type t. */
int ed__want(ed__loader_t *l, const json_t *v, json_type t, const char *path,
             const char *what);

/* Read and parse `file` into a new document (s->file, text, sha256, root
 * set); JSON errors go to diag with their position. */
int ed__load_document(const char *file, ed_diag_t *diag, ed_scenario_t **out);
/* Validate s->root with `load`, with positions from s->text: errors name
 * `file`, line:column and their path. 0, or ED_EPARSE / ED_ENOMEM. */
int ed__validate_document(ed_scenario_t *s,
                          const ed_scenario_drivers_t *drivers, ed_diag_t *diag,
                          void (*load)(ed__loader_t *l, json_t *root));

/* The top of a document: it must be an object with only `keys`; its
 * "name" (required) and "description" go to l->s. <0 when not an object
 * (reported as "<what> is a JSON object, got …"). */
int ed__load_head(ed__loader_t *l, json_t *root, const char *what,
                  const char *const *keys);

/* Typed members of obj (at path). *out is written only on 1; strings are
 * borrowed from the JSON document. */
int ed__get_string(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, int required, const char **out);
/* A name: [A-Za-z0-9._-]+, at most ED__NAME_MAX characters. */
int ed__get_name(ed__loader_t *l, json_t *obj, const char *path,
                 const char *key, int required, const char **out);
int ed__check_name(ed__loader_t *l, const char *name, const char *path,
                   const char *what);
int ed__get_bool(ed__loader_t *l, json_t *obj, const char *path,
                 const char *key, int *out);
int ed__get_int(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int64_t min, int64_t max, int64_t *out);
int ed__get_number(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, double min, double max, double *out);
/* A duration member in [min_ms, max_ms]. */
int ed__get_duration(ed__loader_t *l, json_t *obj, const char *path,
                     const char *key, int required, int64_t min_ms,
                     int64_t max_ms, int64_t *out);
/* A string that must be one of choices (NULL-terminated); *out = index. */
int ed__get_choice(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, const char *const *choices, int *out);

/* A reference by name to an element of the array base[n] of structs whose
 * first member is `char *name` (targets, workloads, checks, plans, steps):
 * its index, or -1 after reporting "undefined <what> ..." at path with a
 * did-you-mean or the list of defined names. */
long ed__find_ref(ed__loader_t *l, const char *path, const char *what,
                  const char *name, const void *base, size_t n, size_t stride);
/* A string member `key` of obj naming an element as above: 1 and *index,
 * 0 when absent (reported when required), -1 when wrong (reported). */
int ed__get_ref(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int required, const char *what, const void *base, size_t n,
                size_t stride, long *index);

/* The operation member `key` of obj, { "<op>": <argument> }, into *op:
 * 1 when stored, 0 when absent (reported when required), -1 when wrong
 * (reported). Free with ed__free_op. */
int ed__load_op(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int required, ed_opspec_t *op);
/* Driver `driver` checks op (nothing when the driver is unknown or there is
 * no driver table). */
void ed__check_op(ed__loader_t *l, const char *driver, const ed_opspec_t *op);
void ed__free_op(ed_opspec_t *op);

/* The parts, in the order they are loaded (later parts refer to earlier
 * ones). Each fills l->s. */
/* The object `set` of targets by name at `section` ("targets", "devices"),
 * appended to l->s->targets; when absent, reported only if required. */
void ed__load_target_set(ed__loader_t *l, json_t *set, const char *section,
                         int required);
/* The scenario's "inventory": its devices appended to the targets. */
void ed__load_inventory(ed__loader_t *l, json_t *root);
void ed__load_workloads(ed__loader_t *l, json_t *workloads);
void ed__load_checks(ed__loader_t *l, json_t *checks);
void ed__load_plans(ed__loader_t *l, json_t *plans);
void ed__load_faults(ed__loader_t *l, json_t *faults);
/* After faults: every plan is started by a fault or a trigger. */
void ed__check_plans_started(ed__loader_t *l);
void ed__load_guardrails(ed__loader_t *l, json_t *guardrails);
void ed__load_limits(ed__loader_t *l, json_t *limits);
void ed__free_target(ed_target_t *t);
void ed__free_workload(ed_workload_t *w);
void ed__free_check(ed_check_t *c);
void ed__free_fault(ed_fault_t *f);
void ed__free_plan(ed_plan_t *p);
void ed__free_guardrail(ed_guardrail_t *g);

#endif
