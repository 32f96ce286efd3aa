#include "report.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "junit.h"
#include "outfile.h"
#include "plots.h"
#include "rebuild.h"

static int write_json(const json_t *o, const char *dir, const char *name) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
  int rc = f ? json_dumpf(o, f,
                          JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                              JSON_REAL_PRECISION(10))
             : -1;
  return !f || fclose(f) != 0 || rc != 0 ? ED_EIO : 0;
}

/* The summary to report: the live one's drill and verdict when it exists
 * (they hold what the journal cannot: scheduled times, check modes), with
 * every figure rebuilt from the journal. */
static json_t *choose(const json_t *live, json_t *rebuilt) {
  if (!live)
    return json_incref(rebuilt);
  json_t *s = json_deep_copy(rebuilt);
  static const char *const keep[] = {"drill", "verdict", "ended", "runner"};
  for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
    if (json_object_get(live, keep[i]))
      json_object_set(s, keep[i], json_object_get(live, keep[i]));
  return s;
}

int ed_report_summary(const char *dir, json_t **out, int *incomplete) {
  ed_rebuild_t *rb;
  int rc = ed_rebuild_create(dir, &rb);
  if (rc != 0)
    return rc;
  json_t *rebuilt = ed_rebuild_summary(rb);
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  json_t *live = json_load_file(path, 0, NULL);
  *out = rebuilt ? choose(live, rebuilt) : NULL;
  if (incomplete)
    *incomplete = ed_rebuild_incomplete(rb);
  json_decref(live);
  json_decref(rebuilt);
  ed_rebuild_destroy(rb);
  return *out ? 0 : ED_ENOMEM;
}

void ed_report_plots_note(json_t *notes, int rc) {
  if (rc == ED_ENOTFOUND)
    json_array_append_new(notes, json_string("gnuplot is not installed: no "
                                             "plot was drawn (data files and "
                                             "scripts are in plots/)"));
  else if (rc != 0)
    json_array_append_new(notes, json_string("gnuplot failed on some plot "
                                             "(scripts in plots/)"));
}

int ed_report_render(const json_t *doc, const char *dir, const char *stem) {
  static const char *const ext[2] = {"md", "html"};
  char path[PATH_MAX + 64];
  int rc = 0;
  for (int i = 0; i < 2 && rc == 0; i++) {
    snprintf(path, sizeof(path), "%s/%s.%s", dir, stem, ext[i]);
    FILE *f = ed_outfile_open(path, ED_OUTFILE_MODE);
    if (!f)
      return ED_EIO;
    rc = i == 0 ? ed__report_md(doc, f) : ed__report_html(doc, dir, f);
    if (fclose(f) != 0 || rc != 0)
      rc = ED_EIO;
  }
  return rc;
}

int ed_report_write(const char *dir, const ed_report_options_t *opts,
                    char *html_path, size_t len, FILE *err) {
  ed_report_options_t none = {0};
  if (!opts)
    opts = &none;
  ed_rebuild_t *rb;
  int rc = ed_rebuild_create(dir, &rb);
  if (rc != 0)
    return rc;
  json_t *rebuilt = ed_rebuild_summary(rb);
  json_t *notes = json_array();
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  json_t *live = json_load_file(path, 0, NULL);
  int differ = 0;
  if (live) {
    json_t *diffs = json_array();
    size_t n = ed_rebuild_diff(live, rebuilt, diffs);
    if (n) {
      differ = 1;
      json_array_append_new(
          notes, json_string("WARNING: figures rebuilt from the journal "
                             "differ from summary.json:"));
      json_array_extend(notes, diffs);
      size_t i;
      json_t *d;
      if (err)
        json_array_foreach(diffs, i, d)
            fprintf(err, "differs: %s\n", json_string_value(d));
    } else {
      json_array_append_new(notes,
                            json_string("Every figure rebuilt from "
                                        "journal.jsonl equals summary.json."));
    }
    json_decref(diffs);
  } else {
    json_array_append_new(notes, json_string("summary.json is missing: the "
                                             "run did not finish writing its "
                                             "results; everything here comes "
                                             "from journal.jsonl"));
  }
  if (ed_rebuild_incomplete(rb))
    json_array_append_new(notes, json_string("INCOMPLETE RUN: the figures "
                                             "cover only what happened "
                                             "before the run stopped."));
  json_array_extend(
      notes, json_object_get(json_object_get(rebuilt, "rebuilt"), "notes"));
  json_t *summary = choose(live, rebuilt);
  rc = write_json(rebuilt, dir, "summary.rebuilt.json");
  json_t *plots = json_array();
  if (!opts->no_plots) {
    ed_report_plots_note(notes, ed_plots_write(dir, rb, summary, plots));
  }
  json_t *doc = ed__report_doc(summary, notes, plots);
  if (rc == 0)
    rc = ed_report_render(doc, dir, "report");
  if (rc == 0 && opts->junit_path)
    rc = ed_junit_write(summary, opts->junit_path);
  if (rc == 0 && html_path)
    snprintf(html_path, len, "%s/report.html", dir);
  json_decref(doc);
  json_decref(plots);
  json_decref(summary);
  json_decref(live);
  json_decref(notes);
  json_decref(rebuilt);
  ed_rebuild_destroy(rb);
  return rc == 0 && differ ? ED_ESTATE : rc;
}
