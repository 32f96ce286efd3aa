/* Unit tests of the metrics store's per-second series: every closed second
 * reads back as it was, the last ones from memory and the earlier ones from
 * the temporary file (or from memory where there can be none); the file
 * leaves no name behind; closing seconds does not make the heap grow; and
 * the targets' records of a closed second are flushed a slice at a time,
 * each once, every one of a second before any of the next. */
#include <dirent.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "metrics.h"

/* Two workloads of one target and one phase each. */
static ed_metrics_t *new_metrics(void) {
  size_t nt[2] = {1, 1}, np[2] = {1, 1};
  ed_metrics_t *m = NULL;
  assert_int_equal(ed_metrics_create(2, nt, np, 3, &m), 0);
  return m;
}

/* Second sec of workload w: sec + 1 + w requests sent, each completed with
 * a latency of (sec + 1) ms, and an in-flight peak of sec. */
static void fill_second(ed_metrics_t *m, size_t w, int64_t sec) {
  for (int64_t i = 0; i < sec + 1 + (int64_t)w; i++) {
    assert_int_equal(ed_metrics_sent(m, w, 0, 0, sec, 5, 0), 0);
    assert_int_equal(ed_metrics_completed(m, w, 0, 0, sec, ED_ERRCLASS_NONE,
                                          (sec + 1) * 1000, 900),
                     0);
  }
  ed_metrics_in_flight(m, w, sec, sec, 0);
}

static void expect_second(const ed_metrics_t *m, size_t w, int64_t sec) {
  ed_second_t x;
  assert_int_equal(ed_metrics_second(m, w, (size_t)sec, &x), 0);
  assert_int_equal(x.counts.sent, sec + 1 + (int64_t)w);
  assert_int_equal(x.counts.completed, sec + 1 + (int64_t)w);
  assert_int_equal(x.counts.ok, sec + 1 + (int64_t)w);
  assert_int_equal(x.in_flight_max, sec);
  assert_int_equal(x.phase, 0);
  /* (sec + 1) ms, within the 3 digits' error and never below. */
  assert_true(x.p50_us >= (sec + 1) * 1000);
  assert_true(x.p50_us <= (sec + 1) * 1000 + (sec + 1));
  assert_int_equal(x.max_us, (sec + 1) * 1000);
}

static int dir_entries(const char *path) {
  DIR *d = opendir(path);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void test_series_read_back(void **state) {
  (void)state;
  char dir[] = "/tmp/ed-metrics-test.XXXXXX";
  assert_non_null(mkdtemp(dir));
  setenv("TMPDIR", dir, 1);
  ed_metrics_t *m = new_metrics();
  enum { N = 200 };
  for (int64_t sec = 0; sec < N; sec++) {
    fill_second(m, 0, sec);
    fill_second(m, 1, sec);
  }
  ed_metrics_tick(m, N);
  /* The file is there (the run holds it) but has no name in the folder. */
  assert_int_equal(dir_entries(dir), 0);
  for (size_t w = 0; w < 2; w++) {
    assert_int_equal(ed_metrics_nseconds(m, w), N);
    /* Backwards too: a second is found where it is, not by a cursor. */
    for (int64_t sec = N - 1; sec >= 0; sec--)
      expect_second(m, w, sec);
  }
  ed_second_t x;
  assert_int_equal(ed_metrics_second(m, 0, N, &x), ED_EINVAL);
  assert_int_equal(ed_metrics_series_kept(m), 1);
  /* The totals are the cells', whatever the series. */
  assert_int_equal(ed_metrics_cell(m, 1, 0, 0)->counts.sent,
                   N * (N + 1) / 2 + N);
  ed_metrics_destroy(m);
  assert_int_equal(rmdir(dir), 0);
  unsetenv("TMPDIR");
}

/* Without a place for the file the seconds are kept in memory, and read
 * back the same. */
static void test_series_without_file(void **state) {
  (void)state;
  setenv("TMPDIR", "/nonexistent/ed-metrics-test", 1);
  ed_metrics_t *m = new_metrics();
  enum { N = 3 * ED_METRICS_RECENT };
  for (int64_t sec = 0; sec < N; sec++)
    fill_second(m, 0, sec);
  ed_metrics_tick(m, N);
  assert_int_equal(ed_metrics_nseconds(m, 0), N);
  for (int64_t sec = 0; sec < N; sec++)
    expect_second(m, 0, sec);
  assert_int_equal(ed_metrics_series_kept(m), 1);
  assert_int_equal(ed_metrics_cell(m, 0, 0, 0)->counts.sent, N * (N + 1) / 2);
  ed_metrics_destroy(m);
  unsetenv("TMPDIR");
}

/* Bytes the heap hands out, small and large (mmap'd) blocks alike. */
static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

/* A long run's seconds do not stay in memory: 20,000 of them (3 MB as an
 * array) leave the heap in use where it was after the first. */
static void test_series_memory_flat(void **state) {
  (void)state;
  ed_metrics_t *m = new_metrics();
  fill_second(m, 0, 0);
  ed_metrics_tick(m, 1);
  size_t before = heap_in_use();
  enum { N = 20000 };
  for (int64_t sec = 1; sec < N; sec++) {
    assert_int_equal(ed_metrics_sent(m, 0, 0, 0, sec, 5, 0), 0);
    assert_int_equal(ed_metrics_completed(m, 0, 0, 0, sec, ED_ERRCLASS_NONE,
                                          1000 + sec % 5000, 900),
                     0);
  }
  ed_metrics_tick(m, N);
  size_t after = heap_in_use();
  assert_true(after < before + 64 * 1024);
  assert_int_equal(ed_metrics_nseconds(m, 0), N);
  ed_second_t x;
  assert_int_equal(ed_metrics_second(m, 0, 1, &x), 0);
  assert_int_equal(x.counts.sent, 1);
  assert_int_equal(x.max_us, 1001);
  ed_metrics_destroy(m);
}

/* What the flush callback was given, in order. */
typedef struct {
  size_t n;
  size_t target[512];
  int64_t sec[512];
  int64_t sent[512];
} flushes_t;

static void on_flush(void *arg, size_t w, size_t t, size_t ph, int64_t sec,
                     const ed_counts_t *counts, const ed_hist_t *lat,
                     const ed_hist_t *svc) {
  (void)w;
  (void)ph;
  (void)lat;
  (void)svc;
  flushes_t *f = arg;
  assert_true(f->n < 512);
  f->target[f->n] = t;
  f->sec[f->n] = sec;
  f->sent[f->n] = counts->sent;
  f->n++;
}

/* Every target of a 100-target workload sends (t % 3) + 1 requests in
 * second sec. */
static void fill_targets(ed_metrics_t *m, int64_t sec) {
  for (size_t t = 0; t < 100; t++)
    for (size_t i = 0; i < t % 3 + 1; i++)
      assert_int_equal(ed_metrics_sent(m, 0, t, 0, sec, 5, 0), 0);
}

static void test_sweep_in_slices(void **state) {
  (void)state;
  size_t nt[1] = {100}, np[1] = {1};
  ed_metrics_t *m = NULL;
  assert_int_equal(ed_metrics_create(1, nt, np, 3, &m), 0);
  flushes_t f = {0};
  ed_metrics_set_flush(m, on_flush, &f);
  fill_targets(m, 0);
  ed_metrics_tick(m, 1);
  /* The tick closes the workload's second but flushes no target. */
  assert_int_equal(f.n, 0);
  assert_int_equal(ed_metrics_nseconds(m, 0), 1);
  assert_int_equal(ed_metrics_sweep(m, 10), 1);
  assert_int_equal(f.n, 10);
  assert_int_equal(ed_metrics_sweep(m, 30), 1);
  assert_int_equal(f.n, 40);
  /* A target with an event in the new second flushes its old one itself,
   * and the sweep does not flush it again. */
  assert_int_equal(ed_metrics_sent(m, 0, 70, 0, 1, 5, 0), 0);
  assert_int_equal(f.n, 41);
  assert_int_equal(f.target[40], 70);
  /* The next tick flushes what the sweep had not reached first. */
  fill_targets(m, 1);
  ed_metrics_tick(m, 2);
  assert_int_equal(f.n, 100);
  assert_int_equal(ed_metrics_sweep(m, 7), 1);
  assert_int_equal(f.n, 107);
  /* The run ends before the sweep is through: the end flushes the rest of
   * second 1 before target 50's second 2 (its second 1 it flushed itself,
   * at its first event in second 2). */
  assert_int_equal(ed_metrics_sent(m, 0, 50, 0, 2, 5, 0), 0);
  assert_int_equal(f.n, 108);
  assert_int_equal(f.target[107], 50);
  ed_metrics_finish(m);
  assert_int_equal(f.n, 201);
  /* Each target once per second, with its counts, and all of second 0
   * before any of second 1. */
  int seen[2][100] = {{0}};
  for (size_t i = 0; i < f.n; i++) {
    assert_int_equal(f.sec[i], i < 100 ? 0 : i < 200 ? 1 : 2);
    if (f.sec[i] == 2) {
      assert_int_equal(f.target[i], 50);
      assert_int_equal(f.sent[i], 1);
      continue;
    }
    seen[f.sec[i]][f.target[i]]++;
    int64_t want = (int64_t)(f.target[i] % 3) + 1;
    if (f.sec[i] == 1 && f.target[i] == 70)
      want++;
    assert_int_equal(f.sent[i], want);
  }
  for (size_t t = 0; t < 100; t++) {
    assert_int_equal(seen[0][t], 1);
    assert_int_equal(seen[1][t], 1);
  }
  ed_metrics_destroy(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_series_read_back),
      cmocka_unit_test(test_series_without_file),
      cmocka_unit_test(test_series_memory_flat),
      cmocka_unit_test(test_sweep_in_slices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
