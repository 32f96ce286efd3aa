/*
 * report: the drill evidence of a results folder, rebuilt from its
 * journal.jsonl alone: summary.rebuilt.json, the plots (core/report/plots.h),
 * report.md and report.html (one self-contained file: inline SVG and CSS, no
 * script and no external asset), and on request JUnit XML
 * (core/report/junit.h). The report of an interrupted or cut journal is marked
 * incomplete. No file holds a credential: targets show their credentials
 * reference only.
 *
 * A report is built as a document (a JSON array of blocks: {"h"} with an
 * optional "id" to link to, {"p"}, {"list"}, {"table": {"head", "rows"}},
 * {"plot"}, {"warning", "text"}) rendered twice, by
 * report_md.c and report_html.c, so both say the same. A table cell is a
 * string, a number or {"text", "class", "href"}: an HTML class (letters,
 * digits, '-', '_', '.': "name" never breaks, "sev-critical"… colours a
 * severity) and a link to a heading's "#id", in both renderings.
 */
#ifndef ED_REPORT_H
#define ED_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ed_report_options_s {
  int no_plots;           /* do not run gnuplot */
  const char *junit_path; /* also write JUnit XML there; NULL: no */
} ed_report_options_t;

/* Rebuild and write the evidence of the run in dir. On success the path of
 * report.html is written to html_path (may be NULL) and, when the rebuilt
 * figures differ from dir/summary.json, each difference is printed on err
 * (may be NULL). Returns 0; ED_ENOTFOUND / ED_EPARSE when dir holds no
 * usable journal; ED_EIO; ED_ESTATE when the figures differ from
 * summary.json (the files are still written). gnuplot missing is not an
 * error: the report says so. */
int ed_report_write(const char *dir, const ed_report_options_t *opts,
                    char *html_path, size_t len, FILE *err);

/* The summary the report of the run in dir renders: every figure rebuilt
 * from its journal, with the drill and the verdict of its summary.json
 * when there is one (they hold what the journal cannot). *incomplete (may
 * be NULL) is set when the run did not finish. Returns 0 (*out new),
 * ED_ENOTFOUND / ED_EPARSE (no usable journal), ED_ENOMEM or ED_EIO. */
int ed_report_summary(const char *dir, json_t **out, int *incomplete);

/* Building a report document: a heading, a paragraph (text taken), and a
 * table whose rows the caller appends to the array returned (borrowed). */
void ed_doc_h(json_t *doc, const char *text);
/* A JSON string made like printf (up to 1 KiB). */
json_t *ed_doc_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
void ed_doc_p(json_t *doc, json_t *text);
json_t *ed_doc_table(json_t *doc, const char *const *head);

/* What the report says when drawing the plots returned rc (0: nothing;
 * gnuplot missing, or a plot that failed: a note appended to notes). */
void ed_report_plots_note(json_t *notes, int rc);

/* Write doc as dir/<stem>.md and dir/<stem>.html (replacing them). 0 or
 * ED_EIO. */
int ed_report_render(const json_t *doc, const char *dir, const char *stem);

/* Renderers of a report document (internal to the report module). */
int ed__report_md(const json_t *doc, FILE *out);
int ed__report_html(const json_t *doc, const char *dir, FILE *out);

/* The report document of a summary (the summary as written, or rebuilt),
 * with notes (strings: incompleteness, differences) and plots. New
 * reference. */
json_t *ed__report_doc(const json_t *summary, const json_t *notes,
                       const json_t *plots);

#endif
