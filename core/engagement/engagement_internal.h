/*
 * What the parts of `summary` share: the engagement file (engagement_file.c),
 * the sources read from its folders (engagement_sources.c), and the
 * sections of the report (engagement_before.c, engagement_plans.c,
 * engagement_duty.c, engagement_doc.c). Not a public interface.
 */
#ifndef ED_ENGAGEMENT_INTERNAL_H
#define ED_ENGAGEMENT_INTERNAL_H

#include <jansson.h>

#include "diag.h"

/* The roles a folder plays in an engagement. */
typedef enum {
  ED__ROLE_INSPECTION,
  ED__ROLE_REHEARSAL,
  ED__ROLE_VERIFICATION,
  ED__ROLE_DUTY,
  ED__ROLE_COUNT
} ed__role_t;

/* "inspection", "rehearsal", "verification", "duty". */
const char *ed__role_name(ed__role_t r);

/* The engagement: the file as validated, and what its folders hold. */
typedef struct ed__eng_s {
  char *file;        /* the engagement file (owned) */
  char *base;        /* its folder: paths in it are relative to it (owned) */
  char sha256[65];   /* of the engagement file's bytes */
  json_t *root;      /* the parsed file (owned; strings below borrow it) */
  const char *name;  /* the event's name */
  const char *title; /* the customer-facing title */
  const char *fleet; /* the inventory's name, or NULL: not judged */
  /* Window and event, as "YYYY-MM-DDTHH:MM:SSZ" (a date alone: from its
   * first second, to its last). */
  char window_from[24], window_to[24], event_from[24], event_to[24];
  /* The sources, in the order of the file (then of the scan): each
   * {"label", "path", "dir", "role", "state", "why", "evidence", "sha256",
   *  "started", "ran", "outside_window", and its data: "inspection",
   *  "summary" or "watch"}. state is "ok", "absent", "unreadable",
   * "incomplete", "other fleet" or "other role". Owned. */
  json_t *sources;
} ed__eng_t;

/* engagement_file.c */
/* Read and validate file; every error goes to diag (file:line:col, path).
 * Returns 0, ED_EPARSE (diag says why), ED_EIO or ED_ENOMEM. */
int ed__eng_load(const char *file, ed_diag_t *diag, ed__eng_t *e);
void ed__eng_close(ed__eng_t *e);
/* A time of the evidence ("2026-11-11T20:41:07.123Z", ...) as the
 * comparable "YYYY-MM-DDTHH:MM:SSZ"; "" when it is not one. */
void ed__eng_time(const char *iso, char out[24]);

/* engagement_sources.c */
/* Read every folder (and the scan folder) into e->sources. Returns the
 * number of gaps (sources whose state is not "ok"), or -1 out of memory. */
int ed__eng_read_sources(ed__eng_t *e);
/* The sources of a role whose state is "ok", oldest first (new array of
 * borrowed sources). */
json_t *ed__eng_of_role(const ed__eng_t *e, ed__role_t role);
/* SHA-256 of a file's bytes as hex into out. 0 or ED_EIO. */
int ed__eng_sha256_file(const char *path, char out[65]);

/* The sections (each appends blocks to doc, the report document of
 * report.h). Headline facts go to head: {"ready", "proven", "held"} each
 * {"answer": "yes"|"no"|"not known", "evidence": [sentences]}; suggestions
 * (strings, each starting "derived:") to sugg. */
void ed__eng_before(json_t *doc, const ed__eng_t *e, json_t *head,
                    json_t *sugg);
void ed__eng_plans(json_t *doc, const ed__eng_t *e, json_t *head, json_t *sugg);
void ed__eng_duty(json_t *doc, const ed__eng_t *e, json_t *head, json_t *sugg);

/* engagement_doc.c */
/* The whole report document. New reference. */
json_t *ed__eng_document(const ed__eng_t *e);

/* Helpers for the sections. */
const char *ed__eng_str(const json_t *o, const char *key);
double ed__eng_num(const json_t *o, const char *key);
/* 1 when src started within the event's dates. */
int ed__eng_in_event(const ed__eng_t *e, const json_t *src);
/* "I1 (2026-11-02 09:12)": a source's label and date, to cite it. */
json_t *ed__eng_cite(const json_t *src);

#endif
