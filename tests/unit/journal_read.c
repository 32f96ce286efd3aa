/* journal_read and rebuild: a cut last line, bad lines, and a summary
 * rebuilt from a small synthetic per-request journal. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal_read.h"
#include "rebuild.h"

static int count_cb(void *arg, const json_t *ev, const char *kind,
                    size_t line) {
  (void)ev;
  (void)kind;
  (void)line;
  (*(int *)arg)++;
  return 0;
}

static void partial_last_line(void **state) {
  (void)state;
  const char *j = "{\"ev\":\"run_start\",\"t\":0}\n"
                  "{\"ev\":\"sec\",\"t\":1}\n"
                  "{\"ev\":\"sec\",\"t\":2,\"sen";
  int n = 0;
  ed_jread_stats_t st;
  assert_int_equal(ed_journal_read_mem(j, strlen(j), count_cb, &n, &st), 0);
  assert_int_equal(n, 2);
  assert_int_equal(st.partial_last, 1);
  assert_int_equal(st.bad_lines, 0);
  assert_int_equal(st.has_run_start, 1);
  assert_int_equal(st.has_run_end, 0);
  char text[512];
  assert_int_equal(ed_jread_describe(&st, text, sizeof(text)), 1);
  assert_non_null(strstr(text, "cut mid-write"));
}

static void bad_lines(void **state) {
  (void)state;
  const char *j = "{\"ev\":\"run_start\",\"t\":0}\n"
                  "not json\n"
                  "[1,2]\n"
                  "\n"
                  "{\"t\":3}\n"
                  "{\"ev\":\"run_end\",\"t\":4,\"interrupted\":true}\n";
  int n = 0;
  ed_jread_stats_t st;
  assert_int_equal(ed_journal_read_mem(j, strlen(j), count_cb, &n, &st), 0);
  assert_int_equal(n, 2);
  assert_int_equal(st.bad_lines, 3);
  assert_int_equal(st.first_bad, 2);
  assert_int_equal(st.partial_last, 0);
  assert_int_equal(st.has_run_end, 1);
  assert_int_equal(st.interrupted, 1);
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* One workload, two targets, two phases; four requests. */
static void rebuild_synthetic(void **state) {
  (void)state;
  char dir[] = "/tmp/ed-rebuild-XXXXXX";
  assert_non_null(mkdtemp(dir));
  write_file(
      dir, "journal.jsonl",
      "{\"ev\":\"run_start\",\"t\":0,\"scenario\":\"syn\",\"scenario_sha256\":"
      "\"x\",\"version\":\"0\",\"mode\":\"run\",\"command\":\"c\",\"seed\":1,"
      "\"started\":\"2026-01-01T00:00:00Z\",\"journal\":\"requests\","
      "\"targets\":[],\"workloads\":[{\"name\":\"w\",\"op\":\"get\","
      "\"targets\":[\"a\",\"b\"],\"phases\":[{\"name\":\"p0\",\"start_s\":0,"
      "\"duration_s\":1,\"from\":2,\"to\":2,\"expected_per_target\":2},"
      "{\"name\":\"p1\",\"start_s\":1,\"duration_s\":1,\"from\":2,\"to\":4,"
      "\"expected_per_target\":3}]}],\"sigfigs\":3}\n"
      "{\"ev\":\"req\",\"t\":0.1,\"w\":0,\"tg\":0,\"ph\":0,\"sent\":0.1,"
      "\"lat_us\":1000,\"svc_us\":900,\"err\":\"ok\",\"code\":200}\n"
      "{\"ev\":\"req\",\"t\":0.2,\"w\":0,\"tg\":1,\"ph\":0,\"sent\":0.2,"
      "\"lat_us\":3000,\"svc_us\":2900,\"err\":\"timeout\",\"code\":0}\n"
      "{\"ev\":\"sec\",\"t\":1,\"w\":0,\"tg\":0,\"ph\":0,\"sec\":0,\"sent\":1,"
      "\"completed\":1,\"ok\":1,\"errors\":{},\"late\":0,\"dropped\":0}\n"
      "{\"ev\":\"sec\",\"t\":1,\"w\":0,\"tg\":1,\"ph\":0,\"sec\":0,\"sent\":2,"
      "\"completed\":1,\"ok\":0,\"errors\":{\"timeout\":1},\"late\":0,"
      "\"dropped\":1}\n"
      "{\"ev\":\"req\",\"t\":1.1,\"w\":0,\"tg\":0,\"ph\":1,\"sent\":1.1,"
      "\"lat_us\":20000,\"svc_us\":100,\"err\":\"ok\",\"code\":200,"
      "\"late\":true}\n"
      "{\"ev\":\"sec\",\"t\":2,\"w\":0,\"tg\":0,\"ph\":1,\"sec\":1,\"sent\":1,"
      "\"completed\":1,\"ok\":1,\"errors\":{},\"late\":1,\"dropped\":0}\n"
      "{\"ev\":\"run_end\",\"t\":2,\"interrupted\":false,\"elapsed_s\":2}\n");
  ed_rebuild_t *rb;
  assert_int_equal(ed_rebuild_create(dir, &rb), 0);
  assert_int_equal(ed_rebuild_incomplete(rb), 0);
  json_t *s = ed_rebuild_summary(rb);
  json_t *w = json_array_get(json_object_get(s, "workloads"), 0);
  json_t *p0 = json_array_get(json_object_get(w, "phases"), 0);
  json_t *p1 = json_array_get(json_object_get(w, "phases"), 1);
  json_t *tot = json_object_get(w, "total");
  assert_int_equal(json_integer_value(json_object_get(p0, "requests")), 3);
  assert_int_equal(json_integer_value(json_object_get(p0, "completed")), 2);
  assert_int_equal(json_integer_value(json_object_get(p0, "ok")), 1);
  assert_int_equal(json_integer_value(json_object_get(p0, "dropped")), 1);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(p0, "errors"), "timeout")),
                   1);
  assert_int_equal(json_integer_value(json_object_get(p0, "expected")), 4);
  assert_int_equal(json_integer_value(json_object_get(p1, "late")), 1);
  assert_int_equal(json_integer_value(json_object_get(tot, "requests")), 4);
  assert_int_equal(json_integer_value(json_object_get(tot, "expected")), 10);
  json_t *lat = json_object_get(p0, "latency_ms");
  assert_true(json_real_value(json_object_get(lat, "max")) == 3.0);
  assert_true(json_real_value(json_object_get(lat, "p50")) == 1.0);
  assert_true(json_real_value(json_object_get(json_object_get(p1, "latency_ms"),
                                              "p99")) == 20.0);
  assert_true(json_real_value(json_object_get(p0, "error_rate")) == 0.5);
  /* per-second series: completions in second 0 and 1 */
  size_t n;
  const ed_rebuild_second_t *secs = ed_rebuild_seconds(rb, 0, &n);
  assert_int_equal(n, 2);
  assert_int_equal(secs[0].counts.sent, 3);
  assert_int_equal(secs[1].max_us, 20000);
  /* the diff of a summary with itself is empty; a changed figure shows */
  json_t *diffs = json_array();
  assert_int_equal(ed_rebuild_diff(s, s, diffs), 0);
  json_t *live = json_deep_copy(s);
  json_object_set_new(
      json_array_get(
          json_object_get(json_array_get(json_object_get(live, "workloads"), 0),
                          "phases"),
          1),
      "requests", json_integer(99));
  assert_int_equal(ed_rebuild_diff(live, s, diffs), 1);
  json_decref(live);
  json_decref(diffs);
  json_decref(s);
  ed_rebuild_destroy(rb);
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(partial_last_line),
      cmocka_unit_test(bad_lines),
      cmocka_unit_test(rebuild_synthetic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
