/*
 * inspect: `eventdrill inspect INVENTORY` — the device health check before
 * an event. Every device of the inventory is read with read-only requests
 * (collect.h, through a read-only probe host: nothing that changes state
 * can be sent), a few devices at a time; the rules (rules.h) turn what was
 * read into findings ranked by risk, each with the measure to take; the
 * results folder gets inspection.json and the "Device Health Check Report"
 * (inspection.md, inspection.html). A device that cannot be reached is a
 * finding, not a failure of the command.
 */
#ifndef ED_INSPECT_H
#define ED_INSPECT_H

#include <jansson.h>

typedef struct ed_inspect_options_s {
  const char *inventory;
  const char *rules_file;   /* or NULL */
  const char *results_root; /* default "results" */
  const char *out_dir;      /* exact folder, or NULL */
  int concurrency;          /* devices read at once, default 8 */
  int samples;              /* timed reads per device, default 10 */
  json_t *labels;           /* only devices with these labels, or NULL */
  int json;                 /* print inspection.json on stdout */
  int quiet;
  const char *command; /* the command line, for the evidence */
} ed_inspect_options_t;

/* Exit status: 0 no finding above notice, 1 findings of warning or worse,
 * 2 bad usage or invalid files, 3 interrupted, 4 failed (I/O, drivers). */
int ed_inspect(const ed_inspect_options_t *o);

/* The command line: `inspect INVENTORY [options]` (argv[0] = "inspect"). */
int ed_inspect_command(int argc, char **argv);

/* The report document of an inspection (inspection.json's content), for
 * the Markdown and HTML renderers of report.h. New reference. */
json_t *ed_inspect_report_doc(const json_t *inspection);

/* The verdict of an inspection (inspection.json's content), as its report
 * states it: 1 "ready for the event" (no finding above notice), else 0
 * "not ready: ..."; the sentence goes to text (always NUL-terminated). */
int ed_inspect_verdict(const json_t *inspection, char *text, size_t len);

#endif
