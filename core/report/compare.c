#include "compare.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "outfile.h"
#include "plots.h"
#include "rebuild.h"
#include "report.h"

/* One run of the series. */
typedef struct run_s {
  const char *dir;
  char label[8]; /* A, B, C, ... */
  ed_rebuild_t *rb;
  json_t *rebuilt; /* its figures, rebuilt from its journal */
  json_t *judged;  /* its summary.json (its verdict), else rebuilt */
} run_t;

static const json_t *find_named(const json_t *arr, const char *name) {
  size_t i;
  json_t *x;
  json_array_foreach(arr, i, x) {
    const char *n = json_string_value(json_object_get(x, "name"));
    if (n && strcmp(n, name) == 0)
      return x;
  }
  return NULL;
}

static double num(const json_t *o, const char *k) {
  return json_number_value(json_object_get(o, k));
}

static double lat(const json_t *o, const char *k) {
  return json_number_value(
      json_object_get(json_object_get(o, "latency_ms"), k));
}

/* "+12.3 %" or "new" when the first run had nothing. */
static json_t *delta(double a, double b) {
  if (a == 0)
    return json_string(b == 0 ? "=" : "new");
  return ed_doc_fmt("%+.1f %%", (b - a) / a * 100.0);
}

/* A phase of a workload in one run ("total" for the workload's total), or
 * NULL when that run does not have it. */
static const json_t *phase_of(const run_t *r, const char *wl, const char *ph) {
  const json_t *w = find_named(json_object_get(r->rebuilt, "workloads"), wl);
  if (!w)
    return NULL;
  if (strcmp(ph, "total") == 0)
    return json_object_get(w, "total");
  return find_named(json_object_get(w, "phases"), ph);
}

/* Append the names of `key` items (workloads, or a workload's phases) of
 * every run to `names`, each once, in the order they first appear. */
static void union_names(const run_t *runs, size_t n, const char *wl,
                        json_t *names) {
  for (size_t k = 0; k < n; k++) {
    const json_t *arr = json_object_get(runs[k].rebuilt, "workloads");
    if (wl)
      arr = json_object_get(find_named(arr, wl), "phases");
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
      const json_t *name = json_object_get(x, "name");
      size_t j;
      json_t *y;
      int seen = 0;
      json_array_foreach(names, j, y) seen |= json_equal(y, (json_t *)name);
      if (!seen)
        json_array_append(names, (json_t *)name);
    }
  }
}

static void latency_row(json_t *rows, const run_t *runs, size_t n,
                        const char *wl, const char *ph) {
  const json_t *at[26];
  char only[80] = "";
  size_t have = 0;
  for (size_t k = 0; k < n; k++) {
    at[k] = phase_of(&runs[k], wl, ph);
    have += at[k] != NULL;
  }
  if (have < n) {
    size_t len = 0;
    for (size_t k = 0; k < n && len < sizeof(only); k++)
      if (at[k])
        len += (size_t)snprintf(only + len, sizeof(only) - len, "%s%s",
                                len ? ", " : " (only in ", runs[k].label);
    if (len < sizeof(only))
      snprintf(only + len, sizeof(only) - len, ")");
  }
  json_t *row = json_pack("[s,o]", wl, ed_doc_fmt("%s%s", ph, only));
  static const struct {
    const char *fmt;
    int latency, with_delta;
    const char *key;
  } cols[] = {{"%.1f", 0, 1, "sent_rate"},
              {"%.3f", 0, 0, "error_rate"},
              {"%.2f", 1, 1, "p50"},
              {"%.2f", 1, 1, "p99"}};
  const json_t *first = at[0], *last = at[n - 1];
  for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
    for (size_t k = 0; k < n; k++) {
      double v =
          cols[c].latency ? lat(at[k], cols[c].key) : num(at[k], cols[c].key);
      json_array_append_new(row, at[k] ? ed_doc_fmt(cols[c].fmt, v)
                                       : json_string("—"));
    }
    if (!cols[c].with_delta)
      continue;
    if (first && last)
      json_array_append_new(
          row, cols[c].latency
                   ? delta(lat(first, cols[c].key), lat(last, cols[c].key))
                   : delta(num(first, cols[c].key), num(last, cols[c].key)));
    else
      json_array_append_new(row, json_string("—"));
  }
  json_array_append_new(rows, row);
}

static void latency_table(json_t *doc, const run_t *runs, size_t n) {
  json_t *head = json_pack("[s,s]", "workload", "phase");
  static const char *const what[] = {"req/s", "errors", "p50 ms", "p99 ms"};
  for (size_t c = 0; c < 4; c++) {
    for (size_t k = 0; k < n; k++)
      json_array_append_new(head, ed_doc_fmt("%s %s", runs[k].label, what[c]));
    if (c != 1)
      json_array_append_new(head, json_string("Δ"));
  }
  json_t *rows = json_array();
  json_array_append_new(
      doc, json_pack("{s:{s:o,s:o}}", "table", "head", head, "rows", rows));
  json_t *wls = json_array();
  union_names(runs, n, NULL, wls);
  size_t i, j;
  json_t *w, *ph;
  json_array_foreach(wls, i, w) {
    json_t *phases = json_array();
    union_names(runs, n, json_string_value(w), phases);
    json_array_foreach(phases, j, ph)
        latency_row(rows, runs, n, json_string_value(w), json_string_value(ph));
    latency_row(rows, runs, n, json_string_value(w), "total");
    json_decref(phases);
  }
  json_decref(wls);
}

/* The verdict item of `kind` named `name` in summary s, or NULL. */
static const json_t *verdict_item(const json_t *s, const char *kind,
                                  const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(json_object_get(s, "verdict"), "items"), i,
                     it) {
    const char *k = json_string_value(json_object_get(it, "kind"));
    const char *n = json_string_value(json_object_get(it, "name"));
    if (k && n && strcmp(k, kind) == 0 && strcmp(n, name) == 0)
      return it;
  }
  return NULL;
}

/* A fault's recovery as the verdict judged it: the RTO only when the fault
 * recovered; never a number for a fault that did not. */
static void recovery_cell(char *buf, size_t len, const json_t *it) {
  const char *st = it ? json_string_value(json_object_get(it, "status")) : NULL;
  const json_t *rto = json_object_get(it, "rto_s");
  if (!it)
    snprintf(buf, len, "—");
  else if (st && strcmp(st, "not run") == 0)
    snprintf(buf, len, "not injected");
  else if (!rto)
    snprintf(buf, len, "%s",
             st && strcmp(st, "passed") == 0 ? "recovered" : "not recovered");
  else
    snprintf(buf, len, "%.1f%s", json_number_value(rto),
             st && strcmp(st, "failed") == 0 ? " (over target)" : "");
}

static void rto_table(json_t *doc, const run_t *runs, size_t n) {
  json_t *faults = json_array();
  for (size_t k = 0; k < n; k++) {
    size_t i;
    json_t *f;
    json_array_foreach(
        json_object_get(json_object_get(runs[k].judged, "drill"), "faults"), i,
        f) if (!find_named(faults,
                           json_string_value(json_object_get(f, "name"))))
        json_array_append(faults, f);
  }
  if (!json_array_size(faults)) {
    json_decref(faults);
    return;
  }
  json_t *head = json_pack("[s]", "fault");
  for (size_t k = 0; k < n; k++)
    json_array_append_new(head, ed_doc_fmt("%s RTO s", runs[k].label));
  json_array_append_new(head, json_string("target s"));
  json_t *rows = json_array();
  json_array_append_new(
      doc, json_pack("{s:{s:o,s:o}}", "table", "head", head, "rows", rows));
  size_t i;
  json_t *f;
  json_array_foreach(faults, i, f) {
    const char *name = json_string_value(json_object_get(f, "name"));
    json_t *row = json_pack("[s]", name);
    for (size_t k = 0; k < n; k++) {
      char cell[64];
      recovery_cell(cell, sizeof(cell),
                    verdict_item(runs[k].judged, "recovery", name));
      json_array_append_new(row, json_string(cell));
    }
    json_array_append_new(row, json_object_get(f, "rto_target_s")
                                   ? ed_doc_fmt("%.1f", num(f, "rto_target_s"))
                                   : json_string("—"));
    json_array_append_new(rows, row);
  }
  json_decref(faults);
}

static void verdicts(json_t *doc, const run_t *runs, size_t n) {
  ed_doc_h(doc, "Verdicts");
  for (size_t k = 0; k < n; k++) {
    const json_t *v = json_object_get(runs[k].judged, "verdict");
    ed_doc_p(
        doc,
        ed_doc_fmt("verdict %s: %s", runs[k].label,
                   json_is_true(json_object_get(v, "pass")) ? "PASS" : "FAIL"));
    if (json_array_size(json_object_get(v, "reasons")))
      json_array_append_new(
          doc, json_pack("{s:O}", "list", json_object_get(v, "reasons")));
  }
}

/* A run's summary as written (its verdict holds what the journal cannot),
 * or the one rebuilt from its journal. */
static json_t *summary_of(const char *dir, const json_t *rebuilt) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  json_t *s = json_load_file(path, 0, NULL);
  return s ? s : json_incref((json_t *)rebuilt);
}

/* Runs of different scenarios are not rehearsals of one plan: said first. */
static void scenario_warning(json_t *doc, const run_t *runs, size_t n) {
  const char *h0 =
      json_string_value(json_object_get(runs[0].rebuilt, "scenario_sha256"));
  int differ = 0;
  for (size_t k = 1; k < n; k++) {
    const char *h =
        json_string_value(json_object_get(runs[k].rebuilt, "scenario_sha256"));
    differ |= !h0 || !h || strcmp(h0, h) != 0;
  }
  if (!differ)
    return;
  char text[2048] = "(";
  size_t len = 1;
  for (size_t k = 0; k < n && len < sizeof(text); k++) {
    const char *h =
        json_string_value(json_object_get(runs[k].rebuilt, "scenario_sha256"));
    len += (size_t)snprintf(
        text + len, sizeof(text) - len, "%s%s: %s, SHA-256 %.12s…",
        k ? "; " : "", runs[k].label,
        json_string_value(json_object_get(runs[k].rebuilt, "scenario")),
        h ? h : "?");
  }
  if (len < sizeof(text))
    snprintf(text + len, sizeof(text) - len,
             "): their figures do not compare one plan across rehearsals.");
  json_array_append_new(
      doc, json_pack("{s:o,s:s}", "warning",
                     n == 2 ? json_string("WARNING: A and B are runs of "
                                          "different scenarios")
                            : json_string("WARNING: these runs are of "
                                          "different scenarios"),
                     "text", text));
}

static void close_runs(run_t *runs, size_t n) {
  for (size_t k = 0; k < n; k++) {
    json_decref(runs[k].judged);
    json_decref(runs[k].rebuilt);
    ed_rebuild_destroy(runs[k].rb);
  }
}

int ed_compare_write(const char *const *dirs, size_t n, const char *out_dir,
                     FILE *out) {
  if (n < 2 || n > 26)
    return ED_EINVAL;
  run_t runs[26];
  memset(runs, 0, sizeof(runs));
  int rc = 0;
  for (size_t k = 0; k < n && rc == 0; k++) {
    runs[k].dir = dirs[k];
    snprintf(runs[k].label, sizeof(runs[k].label), "%c", (char)('A' + k));
    rc = ed_rebuild_create(dirs[k], &runs[k].rb);
    if (rc == 0) {
      runs[k].rebuilt = ed_rebuild_summary(runs[k].rb);
      runs[k].judged = summary_of(dirs[k], runs[k].rebuilt);
    }
  }
  if (rc == 0 && mkdir(out_dir, 0755) != 0 && errno != EEXIST)
    rc = ED_EIO;
  if (rc != 0) {
    close_runs(runs, n);
    return rc;
  }
  json_t *doc = json_array();
  char text[1024];
  size_t len = 0;
  for (size_t k = 0; k < n && len < sizeof(text); k++)
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s = %s",
                            k ? ", " : "", runs[k].label, dirs[k]);
  json_array_append_new(
      doc, json_pack("{s:o}", "title", ed_doc_fmt("Compare: %s", text)));
  scenario_warning(doc, runs, n);
  ed_doc_p(doc, ed_doc_fmt("Figures rebuilt from each run's journal; Δ = %s "
                           "against A.",
                           runs[n - 1].label));
  latency_table(doc, runs, n);
  rto_table(doc, runs, n);
  verdicts(doc, runs, n);
  json_t *plots = json_array();
  if (ed_plots_compare(out_dir, runs[0].rb, "A", runs[n - 1].rb,
                       runs[n - 1].label, plots) == 0 &&
      json_array_size(plots)) {
    if (n > 2)
      ed_doc_p(doc, ed_doc_fmt("The plot overlays the first run (A) and the "
                               "last (%s).",
                               runs[n - 1].label));
    size_t i;
    json_t *x;
    json_array_foreach(plots, i, x) {
      json_t *plot = json_deep_copy(x);
      json_object_set_new(
          plot, "title",
          ed_doc_fmt("p99 latency per second, A vs %s", runs[n - 1].label));
      json_array_append_new(doc, json_pack("{s:o}", "plot", plot));
    }
  }
  rc = ed_report_render(doc, out_dir, "compare");
  if (out)
    ed__report_md(doc, out);
  json_decref(plots);
  json_decref(doc);
  close_runs(runs, n);
  return rc;
}
