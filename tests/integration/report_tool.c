/* A small driver of the report modules for the integration tests, until
 * (and beside) the eventdrill commands that call them:
 *   report_tool rebuild DIR     print the rebuilt summary's differences with
 *                               DIR/summary.json (exit 1 when any)
 *   report_tool summary DIR     print the rebuilt summary
 *   report_tool report DIR [JUNIT]  write the report (and JUnit XML)
 */
#include <stdio.h>
#include <string.h>

#include "rebuild.h"
#include "report.h"

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
  fprintf(stderr, "usage: report_tool rebuild|summary DIR\n");
  return 2;
}
