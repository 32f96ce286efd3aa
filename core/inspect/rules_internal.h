/*
 * What the parts of the inspection rules share (not a public interface):
 *
 *   rules.c          severities, evaluation, the rule set's life
 *   rules_builtin.c  the built-in rules (a table) and the added kind
 *   rules_file.c     the rules file: tuning and adding rules
 */
#ifndef ED_RULES_INTERNAL_H
#define ED_RULES_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "diag.h"
#include "pattern.h"
#include "rules.h"

typedef struct ed__rule_s ed__rule_t;
typedef struct ed__rule_ctx_s {
  json_t *findings;
  const ed__rule_t *rule;
} ed__rule_ctx_t;

/* Per device (dev) or over the whole fleet (fleet). */
typedef void (*ed__rule_dev_fn)(ed__rule_ctx_t *c, json_t *snap);
typedef void (*ed__rule_fleet_fn)(ed__rule_ctx_t *c, const json_t *snaps);

typedef struct ed__rule_def_s {
  const char *id;
  ed_severity_t severity;
  const char *title;
  const char *measure;
  const char *params; /* defaults, JSON text; numbers or durations */
  ed__rule_dev_fn dev;
  ed__rule_fleet_fn fleet;
} ed__rule_def_t;

struct ed__rule_s {
  const ed__rule_def_t *def; /* NULL for an added rule */
  char *id, *title, *measure;
  ed_severity_t severity;
  int enabled;
  json_t *params; /* owned */
  /* added rules: a value of the snapshot against a constant */
  char *pointer;
  char *cmp; /* "equals", "not_equals", "above", "below", "match" */
  json_t *value;
  ed_pattern_t *pattern; /* "match", compiled with its limits */
};

struct ed_rules_s {
  ed__rule_t *v;
  size_t n;
};

/* The built-in rules, in the order they are applied. */
extern const ed__rule_def_t ed__rules_builtin[];
extern const size_t ed__rules_nbuiltin;
/* Comparisons of an added rule, NULL-ended. */
extern const char *const ed__rules_cmp_names[];

/* An added rule on one snapshot. */
void ed__rule_custom(ed__rule_ctx_t *c, json_t *snap);
/* Tune r with the rules file `file`; errors go to diag. 0, ED_EPARSE,
 * ED_EIO or ED_ENOMEM. */
int ed__rules_load_file(ed_rules_t *r, const char *file, ed_diag_t *diag);
ed__rule_t *ed__rules_find(ed_rules_t *r, const char *id);

#endif
