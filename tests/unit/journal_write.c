/* Unit tests of the journal's "sec" lines written as text: a real, a
 * histogram and a whole line come out byte for byte as Jansson's compact
 * dump writes them, for values drawn at random and at the edges, so that a
 * reader of that exact form (report/rebuild_fast.c) and Jansson read the
 * same. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "histogram.h"
#include "journal.h"
#include "textbuf.h"
#include "metrics.h"

#define DUMP_FLAGS                                                             \
  (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

static void expect_same_real(double v) {
  json_t *j = json_real(v);
  assert_non_null(j);
  char *want = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);
  ed_textbuf_t t = {0};
  ed_textbuf_json_real(&t, v);
  assert_true(ed_textbuf_ok(&t));
  assert_string_equal(t.text, want);
  free(want);
  json_decref(j);
  ed_textbuf_free(&t);
}

static uint64_t rnd(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void test_reals(void **state) {
  (void)state;
  const double edges[] = {0.0,     1.0,
                          -1.0,    0.5,
                          1e-5,    1e-300,
                          1e17,    1e21,
                          1.5e22,  123456789012345678.0,
                          3.25,    -2.5e-7,
                          1e100,   DBL_MAX,
                          DBL_MIN, 9007199254740993.0};
  for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
    expect_same_real(edges[i]);
  uint64_t s = 88172645463325252ull;
  for (int i = 0; i < 20000; i++) {
    uint64_t bits = rnd(&s);
    double v;
    memcpy(&v, &bits, sizeof(v));
    if (!isfinite(v))
      continue;
    expect_same_real(v);
    expect_same_real((double)(int64_t)(rnd(&s) >> (rnd(&s) % 64)));
  }
}

/* A histogram of n values drawn from a spread of magnitudes. */
static ed_hist_t *random_hist(uint64_t *s, int n) {
  ed_hist_t *h = NULL;
  assert_int_equal(ed_hist_create(ED_METRICS_HIGHEST_US, 3, &h), 0);
  for (int i = 0; i < n; i++)
    ed_hist_record(h, (int64_t)(rnd(s) % (1ull << (rnd(s) % 36))));
  return h;
}

static void test_histograms(void **state) {
  (void)state;
  uint64_t s = 1234567;
  for (int round = 0; round < 300; round++) {
    ed_hist_t *h = random_hist(&s, round % 7 == 0 ? 0 : (int)(rnd(&s) % 400));
    json_t *j = ed_hist_to_json(h);
    char *want = json_dumps(j, DUMP_FLAGS);
    ed_textbuf_t t = {0};
    ed_hist_to_jsontext(h, &t);
    assert_true(ed_textbuf_ok(&t));
    assert_string_equal(t.text, want);
    free(want);
    json_decref(j);
    ed_textbuf_free(&t);
    ed_hist_destroy(h);
  }
}

/* The line as the runner wrote it before: a Jansson tree dumped. */
static json_t *sec_as_json(const ed_journal_sec_t *r) {
  const ed_counts_t *c = r->counts;
  json_t *errors = json_object();
  for (int i = 1; i < ED_ERRCLASS_COUNT; i++)
    if (c->errors[i])
      json_object_set_new(errors, ed_errclass_name((ed_errclass_t)i),
                          json_integer((json_int_t)c->errors[i]));
  json_t *o = json_pack("{s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:o,s:I,s:I}", "w",
                        (int)r->w, "tg", (int)r->tg, "ph", (int)r->ph, "sec",
                        (json_int_t)r->sec, "sent", (json_int_t)c->sent,
                        "completed", (json_int_t)c->completed, "ok",
                        (json_int_t)c->ok, "errors", errors, "late",
                        (json_int_t)c->late, "dropped", (json_int_t)c->dropped);
  if (r->lat) {
    json_object_set_new(o, "lat", ed_hist_to_json(r->lat));
    json_object_set_new(o, "svc", ed_hist_to_json(r->svc));
  }
  return o;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  static char buf[1 << 22];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  return strdup(buf);
}

static void test_sec_lines(void **state) {
  (void)state;
  char dir[] = "/tmp/ed-journal-write.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char a[256], b[256];
  snprintf(a, sizeof(a), "%s/text.jsonl", dir);
  snprintf(b, sizeof(b), "%s/jansson.jsonl", dir);
  ed_journal_t *ja = NULL, *jb = NULL;
  assert_int_equal(ed_journal_open(a, &ja), 0);
  assert_int_equal(ed_journal_open(b, &jb), 0);
  ed_textbuf_t buf = {0};
  uint64_t s = 99991;
  for (int i = 0; i < 500; i++) {
    ed_counts_t c = {0};
    c.sent = rnd(&s) % 100000;
    c.completed = rnd(&s) % 100000;
    c.ok = rnd(&s) % 1000;
    for (int e = 1; e < ED_ERRCLASS_COUNT; e++)
      if (rnd(&s) % 3 == 0)
        c.errors[e] = rnd(&s) % 50 + 1;
    c.late = rnd(&s) % 10;
    c.dropped = rnd(&s) % 10;
    ed_hist_t *lat = random_hist(&s, (int)(rnd(&s) % 50));
    ed_hist_t *svc = random_hist(&s, (int)(rnd(&s) % 50));
    ed_journal_sec_t rec = {.w = rnd(&s) % 5,
                            .tg = rnd(&s) % 20000,
                            .ph = rnd(&s) % 4,
                            .sec = (int64_t)(rnd(&s) % 100000),
                            .counts = &c};
    if (i % 2) {
      rec.lat = lat;
      rec.svc = svc;
    }
    assert_int_equal(ed_journal_write_sec(ja, &buf, &rec), 0);
    json_t *o = sec_as_json(&rec);
    assert_int_equal(ed_journal_write(jb, "sec", (double)(rec.sec + 1), o), 0);
    json_decref(o);
    ed_hist_destroy(lat);
    ed_hist_destroy(svc);
  }
  ed_textbuf_free(&buf);
  ed_journal_close(ja);
  ed_journal_close(jb);
  char *ta = slurp(a), *tb = slurp(b);
  assert_true(strlen(ta) > 500 * 100);
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  unlink(a);
  unlink(b);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reals),
      cmocka_unit_test(test_histograms),
      cmocka_unit_test(test_sec_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
