/*
 * scenario_internal: what the parts of the scenario loader share.
 *
 *   scenario.c            load, top level, slo, journal, lifecycle, lengths
 *   scenario_check.c      typed reads of JSON members that report to diag
 *   scenario_targets.c    the "targets" object
 *   scenario_workloads.c  the "workloads" array and their rate profiles
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

typedef struct ed__loader_s {
  ed_diag_t *diag;
  const ed_scenario_drivers_t *drivers; /* may be NULL */
  ed_scenario_t *s;
  int nomem; /* an allocation failed: the load fails with ED_ENOMEM */
} ed__loader_t;

/* "a string", "an integer", ... for "expected X, got Y" messages. */
const char *ed__kind(const json_t *v);
/* Paths, cut at ED__PATH_MAX. */
void ed__path_key(char *buf, const char *parent, const char *key);
void ed__path_index(char *buf, const char *parent, size_t index);
/* strdup that records a failure in l. */
char *ed__strdup(ed__loader_t *l, const char *s);

/* Report every key of obj that is not in allowed (NULL-terminated), with a
 * did-you-mean or the list of known keys. */
void ed__check_keys(ed__loader_t *l, json_t *obj, const char *path,
                    const char *const *allowed);
/* Report that obj (at path) lacks key. */
void ed__missing(ed__loader_t *l, const char *path, const char *key);
/* Check the type of v; report "expected <what>, got <kind>" otherwise.
 * Returns 0 when v has type t. */
int ed__want(ed__loader_t *l, const json_t *v, json_type t, const char *path,
             const char *what);

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

/* The parts. Each fills l->s. */
void ed__load_targets(ed__loader_t *l, json_t *targets);
void ed__load_workloads(ed__loader_t *l, json_t *workloads);
void ed__free_target(ed_target_t *t);
void ed__free_workload(ed_workload_t *w);

#endif
