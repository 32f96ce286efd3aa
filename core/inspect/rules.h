/*
 * rules: the inspection rules. Each reads device snapshots (collect.h) and
 * emits findings, each with a severity, what was found and the measure to
 * take before the event. The built-in rules are a table in rules.c; a
 * rules file can tune them (severity, thresholds, on/off) and add simple
 * ones on any value of a snapshot (docs/inspect.md).
 *
 * A finding:
 *   {"rule": "psu-failed", "severity": "critical", "device": "bmc-03",
 *    "labels": {...}, "title": "Power supply failed",
 *    "detail": "PSU2: health Critical", "measure": "Replace …"}
 */
#ifndef ED_RULES_H
#define ED_RULES_H

#include <jansson.h>

#include "diag.h"

typedef enum {
  ED_SEV_NOTICE = 0,
  ED_SEV_WARNING,
  ED_SEV_HIGH,
  ED_SEV_CRITICAL,
  ED_SEV_COUNT
} ed_severity_t;

/* "notice", "warning", "high", "critical". */
const char *ed_severity_name(ed_severity_t s);
/* The severity of a name, or -1. */
int ed_severity_parse(const char *name);

typedef struct ed_rules_s ed_rules_t;

/* The built-in rules, tuned by `file` when not NULL. Errors go to diag
 * (file, line:column, JSON path), all of them; returns 0, ED_EPARSE,
 * ED_EIO or ED_ENOMEM. */
int ed_rules_create(const char *file, ed_diag_t *diag, ed_rules_t **out);
void ed_rules_destroy(ed_rules_t *r);

/* Every enabled rule over the snapshots (an array): the findings, ranked
 * by risk (severity, then device, then rule). New reference. */
json_t *ed_rules_evaluate(const ed_rules_t *r, const json_t *snapshots);

/* The rules as applied: [{"id", "severity", "enabled", "title", "measure",
 * "params"}]. New reference. */
json_t *ed_rules_describe(const ed_rules_t *r);

#endif
