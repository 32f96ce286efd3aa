/*
 * prom tests: the Prometheus text and OpenMetrics pages, line by line:
 * counter naming in each format, label escaping of hostile text, histogram
 * buckets against counts made by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"
#include "prom.h"

static const char *page(ed_prom_t *p) {
  size_t len = 0;
  const char *s = ed_prom_page(p, &len);
  assert_non_null(s);
  assert_int_equal(strlen(s), len);
  return s;
}

static void counter_names(void **state) {
  (void)state;
  const char *l[] = {"target", "bmc1", NULL};
  ed_prom_t *t = ed_prom_new(ED_PROM_TEXT);
  ed_prom_family(t, "x_requests", ED_PROM_COUNTER, NULL, "Requests.");
  ed_prom_sample(t, l, 42);
  assert_string_equal(page(t), "# HELP x_requests_total Requests.\n"
                               "# TYPE x_requests_total counter\n"
                               "x_requests_total{target=\"bmc1\"} 42\n");
  ed_prom_free(t);
  ed_prom_t *om = ed_prom_new(ED_PROM_OPENMETRICS);
  ed_prom_family(om, "x_requests", ED_PROM_COUNTER, NULL, "Requests.");
  ed_prom_sample(om, l, 42);
  ed_prom_family(om, "x_wait_seconds", ED_PROM_GAUGE, "seconds", "Wait.");
  ed_prom_sample(om, NULL, 0.25);
  assert_string_equal(page(om), "# HELP x_requests Requests.\n"
                                "# TYPE x_requests counter\n"
                                "x_requests_total{target=\"bmc1\"} 42\n"
                                "# HELP x_wait_seconds Wait.\n"
                                "# TYPE x_wait_seconds gauge\n"
                                "# UNIT x_wait_seconds seconds\n"
                                "x_wait_seconds 0.25\n"
                                "# EOF\n");
  ed_prom_free(om);
}

static void hostile_label_values(void **state) {
  (void)state;
  /* a quote, a backslash, a newline, an escape and a byte that is not
   * UTF-8: none may end the value or the line */
  const char *l[] = {"sensor", "CPU \"1\"\\\n\x1b[2J\xff", NULL};
  ed_prom_t *p = ed_prom_new(ED_PROM_TEXT);
  ed_prom_family(p, "x_reading", ED_PROM_GAUGE, NULL, "Reading.");
  ed_prom_sample(p, l, 1);
  const char *s = page(p);
  assert_non_null(strstr(s, "x_reading{sensor=\"CPU \\\"1\\\"\\\\\\n\x1b[2J"
                            "\xEF\xBF\xBD\"} 1\n"));
  /* exactly three lines: nothing broke out */
  int lines = 0;
  for (const char *c = s; *c; c++)
    lines += *c == '\n';
  assert_int_equal(lines, 3);
  ed_prom_free(p);
}

static void special_values(void **state) {
  (void)state;
  ed_prom_t *p = ed_prom_new(ED_PROM_TEXT);
  ed_prom_family(p, "x", ED_PROM_GAUGE, NULL, "X.");
  ed_prom_sample(p, NULL, 0.0 / 0.0);
  ed_prom_sample(p, NULL, 1.0 / 0.0);
  ed_prom_sample(p, NULL, 1e20);
  const char *s = page(p);
  assert_non_null(strstr(s, "x NaN\nx +Inf\nx 1e+20\n"));
  ed_prom_free(p);
}

/* Buckets are cumulative and agree with counts made by hand. */
static void histogram_buckets(void **state) {
  (void)state;
  ed_hist_t *h = NULL;
  assert_int_equal(ed_hist_create(3600000000LL, 3, &h), 0);
  /* 3 values at 0.5 ms, 2 at 3 ms, 1 at 2 s (µs) */
  ed_hist_record_n(h, 500, 3);
  ed_hist_record_n(h, 3000, 2);
  ed_hist_record(h, 2000000);
  static const double b[] = {0.001, 0.005, 1};
  ed_prom_t *p = ed_prom_new(ED_PROM_TEXT);
  ed_prom_family(p, "x_latency_seconds", ED_PROM_HISTOGRAM, "seconds", "L.");
  const char *l[] = {"w", "a", NULL};
  ed_prom_histogram_us(p, l, h, b, 3);
  const char *s = page(p);
  assert_non_null(strstr(s, "x_latency_seconds_bucket{w=\"a\",le=\"0.001\"} 3\n"
                            "x_latency_seconds_bucket{w=\"a\",le=\"0.005\"} 5\n"
                            "x_latency_seconds_bucket{w=\"a\",le=\"1\"} 5\n"
                            "x_latency_seconds_bucket{w=\"a\",le=\"+Inf\"} 6\n"
                            "x_latency_seconds_sum{w=\"a\"} "));
  assert_non_null(strstr(s, "x_latency_seconds_count{w=\"a\"} 6\n"));
  /* the sum is 3*0.0005 + 2*0.003 + 2 = 2.0075 s, to the histogram's
   * precision */
  const char *sum = strstr(s, "_sum{w=\"a\"} ") + strlen("_sum{w=\"a\"} ");
  double v = strtod(sum, NULL);
  assert_true(v > 2.0075 * 0.999 && v < 2.0075 * 1.001);
  ed_prom_free(p);
  /* an empty histogram: zero everywhere, +Inf included */
  ed_hist_reset(h);
  p = ed_prom_new(ED_PROM_TEXT);
  ed_prom_family(p, "x_latency_seconds", ED_PROM_HISTOGRAM, "seconds", "L.");
  ed_prom_histogram_us(p, NULL, h, b, 3);
  s = page(p);
  assert_non_null(strstr(s, "x_latency_seconds_bucket{le=\"+Inf\"} 0\n"));
  assert_non_null(strstr(s, "x_latency_seconds_count 0\n"));
  ed_prom_free(p);
  ed_hist_destroy(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counter_names),
      cmocka_unit_test(hostile_label_values),
      cmocka_unit_test(special_values),
      cmocka_unit_test(histogram_buckets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
