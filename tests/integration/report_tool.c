/* A small driver of the report modules for the integration tests, until
 * (and beside) the eventdrill commands that call them:
 *   report_tool rebuild DIR     print the rebuilt summary's differences with
 *                               DIR/summary.json (exit 1 when any)
 *   report_tool summary DIR     print the rebuilt summary
 *   report_tool report DIR [JUNIT]  write the report (and JUnit XML)
 *   report_tool hist DIR        print the rebuilt latency histogram of each
 *                               workload and phase, one line each
 *   report_tool hist-records JOURNAL...  the same histograms built from the
 *                               "req" records of the journals alone, as
 *                               one run's (another path than the rebuild)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "histogram.h"
#include "journal_read.h"
#include "metrics.h"
#include "rebuild.h"
#include "report.h"

static void print_hist(size_t w, size_t ph, const ed_hist_t *h) {
  json_t *j = h ? ed_hist_to_json(h) : NULL;
  char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  printf("%zu %zu %s\n", w, ph, text ? text : "none");
  free(text);
  json_decref(j);
}

static int hist(const char *dir) {
  ed_rebuild_t *rb;
  if (ed_rebuild_create(dir, &rb) != 0)
    return 2;
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++)
    for (size_t ph = 0; ph < ed_rebuild_nphases(rb, w); ph++)
      print_hist(w, ph, ed_rebuild_phase_latency(rb, w, ph));
  ed_rebuild_destroy(rb);
  return 0;
}

#define MAXW 8
#define MAXPH 8

typedef struct records_s {
  ed_hist_t *h[MAXW][MAXPH];
  size_t nw, nph[MAXW];
  int sigfigs;
} records_t;

static int on_record(void *arg, const json_t *ev, const char *kind,
                     size_t line) {
  (void)line;
  records_t *r = arg;
  if (strcmp(kind, "run_start") == 0 && r->nw == 0) {
    const json_t *wls = json_object_get(ev, "workloads");
    r->sigfigs = (int)json_integer_value(json_object_get(ev, "sigfigs"));
    r->nw = json_array_size(wls) < MAXW ? json_array_size(wls) : MAXW;
    for (size_t w = 0; w < r->nw; w++) {
      size_t n =
          json_array_size(json_object_get(json_array_get(wls, w), "phases"));
      r->nph[w] = n < MAXPH ? n : MAXPH;
    }
    return 0;
  }
  if (strcmp(kind, "req") != 0)
    return 0;
  size_t w = (size_t)json_integer_value(json_object_get(ev, "w"));
  size_t ph = (size_t)json_integer_value(json_object_get(ev, "ph"));
  if (w >= r->nw || ph >= r->nph[w])
    return 1;
  if (!r->h[w][ph] &&
      ed_hist_create(ED_METRICS_HIGHEST_US, r->sigfigs, &r->h[w][ph]) != 0)
    return 1;
  int64_t lat = (int64_t)json_integer_value(json_object_get(ev, "lat_us"));
  ed_hist_record(r->h[w][ph], lat < 0 ? 0 : lat);
  return 0;
}

static int hist_records(int n, char **journals) {
  records_t r = {0};
  int rc = 0;
  for (int i = 0; i < n && rc == 0; i++)
    rc = ed_journal_read(journals[i], on_record, &r, NULL);
  for (size_t w = 0; w < r.nw; w++)
    for (size_t ph = 0; ph < r.nph[w]; ph++) {
      if (rc == 0)
        print_hist(w, ph, r.h[w][ph]);
      ed_hist_destroy(r.h[w][ph]);
    }
  return rc == 0 ? 0 : 2;
}

static int rebuild(const char *dir, int print) {
  ed_rebuild_t *rb;
  int rc = ed_rebuild_create(dir, &rb);
  if (rc != 0) {
    fprintf(stderr, "report_tool: cannot rebuild %s (%d)\n", dir, rc);
    return 2;
  }
  json_t *re = ed_rebuild_summary(rb);
  int code = 0;
  if (print) {
    json_dumpf(re, stdout,
               JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
  } else {
    char path[4096];
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    json_t *live = json_load_file(path, 0, NULL);
    if (!live) {
      fprintf(stderr, "report_tool: no %s\n", path);
      code = 2;
    } else {
      json_t *diffs = json_array();
      size_t n = ed_rebuild_diff(live, re, diffs);
      size_t i;
      json_t *d;
      json_array_foreach(diffs, i, d) printf("DIFF %s\n", json_string_value(d));
      printf("rebuild: %zu difference%s\n", n, n == 1 ? "" : "s");
      code = n ? 1 : 0;
      json_decref(diffs);
      json_decref(live);
    }
  }
  json_decref(re);
  ed_rebuild_destroy(rb);
  return code;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "rebuild") == 0)
    return rebuild(argv[2], 0);
  if (argc == 3 && strcmp(argv[1], "summary") == 0)
    return rebuild(argv[2], 1);
  if (argc >= 3 && strcmp(argv[1], "report") == 0) {
    ed_report_options_t o = {.junit_path = argc > 3 ? argv[3] : NULL};
    char html[4096];
    int rc = ed_report_write(argv[2], &o, html, sizeof(html), stderr);
    if (rc == 0)
      printf("report: %s\n", html);
    return rc == 0 ? 0 : 1;
  }
  if (argc == 3 && strcmp(argv[1], "hist") == 0)
    return hist(argv[2]);
  if (argc >= 3 && strcmp(argv[1], "hist-records") == 0)
    return hist_records(argc - 2, argv + 2);
  fprintf(stderr, "usage: report_tool rebuild|summary|hist DIR\n");
  return 2;
}
