/*
 * histogram tests: percentiles against exact ones computed by sorting, on
 * known distributions drawn from a seeded generator, for sigfigs 1..4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "error.h"
#include "histogram.h"
#include "rng.h"

#define HOUR_US 3600000000LL
#define NSAMPLES 100000

typedef enum {
  DIST_UNIFORM,
  DIST_EXPONENTIAL,
  DIST_BIMODAL,
  DIST_LOGNORMAL,
  DIST_WIDE_LOGNORMAL,
  DIST_CONSTANT,
  DIST_COUNT
} dist_t;

static const char *const dist_names[DIST_COUNT] = {
    "uniform",   "exponential",    "bimodal",
    "lognormal", "wide-lognormal", "constant"};

static int64_t clamp_value(double v) {
  if (v < 0)
    return 0;
  if (v > (double)HOUR_US)
    return HOUR_US;
  return (int64_t)llround(v);
}

static int64_t draw(dist_t d, ed_rng_t *r) {
  switch (d) {
  case DIST_UNIFORM:
    return (int64_t)(ed_rng_next(r) % 1000001);
  case DIST_EXPONENTIAL:
    return clamp_value(ed_rng_exp(r) * 20000.0);
  case DIST_BIMODAL:
    return ed_rng_uniform(r) < 0.7
               ? clamp_value(500.0 + 50.0 * ed_rng_normal(r))
               : clamp_value(50000.0 + 5000.0 * ed_rng_normal(r));
  case DIST_LOGNORMAL:
    return clamp_value(exp(log(1000.0) + 1.5 * ed_rng_normal(r)));
  case DIST_WIDE_LOGNORMAL:
    return clamp_value(exp(log(10000.0) + 2.5 * ed_rng_normal(r)));
  default:
    return 4242;
  }
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Percentiles in thousandths of a percent, so the exact rank is integer. */
static const int64_t pcts_milli[] = {0,     100,   1000,  10000, 25000,
                                     50000, 75000, 90000, 95000, 99000,
                                     99500, 99900, 99990, 99999, 100000};

static int64_t exact_percentile(const int64_t *sorted, int64_t n,
                                int64_t p_milli) {
  int64_t rank = (p_milli * n + 99999) / 100000; /* ceil */
  if (rank < 1)
    rank = 1;
  return sorted[rank - 1];
}

static ed_hist_t *new_hist(int64_t highest, int sigfigs) {
  ed_hist_t *h = NULL;
  assert_int_equal(ed_hist_create(highest, sigfigs, &h), 0);
  assert_non_null(h);
  return h;
}

static void fill(ed_hist_t *h, int64_t *vals, int64_t n, dist_t d,
                 uint64_t seed) {
  ed_rng_t r;
  ed_rng_seed(&r, seed);
  for (int64_t i = 0; i < n; i++) {
    vals[i] = draw(d, &r);
    ed_hist_record(h, vals[i]);
  }
}

static void check_distribution(dist_t d, int sigfigs) {
  int64_t *vals = malloc(NSAMPLES * sizeof(*vals));
  assert_non_null(vals);
  ed_hist_t *h = new_hist(HOUR_US, sigfigs);
  fill(h, vals, NSAMPLES, d, 1000 + (uint64_t)d);
  qsort(vals, NSAMPLES, sizeof(*vals), cmp_i64);

  double sum = 0;
  for (int64_t i = 0; i < NSAMPLES; i++)
    sum += (double)vals[i];
  assert_int_equal(ed_hist_count(h), NSAMPLES);
  assert_int_equal(ed_hist_min(h), vals[0]);
  assert_int_equal(ed_hist_max(h), vals[NSAMPLES - 1]);
  assert_true(fabs(ed_hist_mean(h) - sum / NSAMPLES) <=
              1e-9 * (sum / NSAMPLES));
  assert_int_equal(ed_hist_clamped(h), 0);

  double rel = ed_hist_relative_error(h);
  assert_true(fabs(rel - pow(10, -sigfigs)) < 1e-15);
  for (size_t i = 0; i < sizeof(pcts_milli) / sizeof(pcts_milli[0]); i++) {
    int64_t want = exact_percentile(vals, NSAMPLES, pcts_milli[i]);
    int64_t got = ed_hist_percentile(h, (double)pcts_milli[i] / 1000.0);
    if (got < want || (double)(got - want) > (double)want * rel)
      fail_msg("%s sigfigs %d p%.3f: got %lld, exact %lld", dist_names[d],
               sigfigs, (double)pcts_milli[i] / 1000.0, (long long)got,
               (long long)want);
  }
  ed_hist_destroy(h);
  free(vals);
}

static void test_percentiles_vs_exact(void **state) {
  (void)state;
  for (int s = 1; s <= 4; s++)
    for (int d = 0; d < DIST_COUNT; d++)
      check_distribution((dist_t)d, s);
}

/* Every value lands in a bucket that contains it and is narrower than the
 * stated relative error. Exercises reset after each value too. */
static void test_bucket_bounds(void **state) {
  (void)state;
  for (int s = 1; s <= 5; s++) {
    ed_hist_t *h = new_hist(HOUR_US, s);
    double rel = ed_hist_relative_error(h);
    int64_t v = 0;
    while (v <= HOUR_US) {
      ed_hist_record(h, v);
      size_t cur = 0;
      int64_t lo, hi;
      uint64_t c;
      assert_int_equal(ed_hist_next_bucket(h, &cur, &lo, &hi, &c), 1);
      assert_true(lo <= v && v <= hi);
      assert_int_equal(c, 1);
      assert_true((double)(hi - lo) <= (double)lo * rel || hi == lo);
      assert_int_equal(ed_hist_next_bucket(h, &cur, &lo, &hi, &c), 0);
      ed_hist_reset(h);
      v = v < 5000 ? v + 1 : v + v / 997 + 1;
    }
    ed_hist_destroy(h);
  }
}

static void test_empty(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(1000, 3);
  assert_int_equal(ed_hist_count(h), 0);
  assert_int_equal(ed_hist_min(h), 0);
  assert_int_equal(ed_hist_max(h), 0);
  assert_true(ed_hist_mean(h) == 0.0);
  assert_int_equal(ed_hist_percentile(h, 99), 0);
  size_t cur = 0;
  int64_t lo, hi;
  uint64_t c;
  assert_int_equal(ed_hist_next_bucket(h, &cur, &lo, &hi, &c), 0);
  assert_int_equal(ed_hist_sigfigs(h), 3);
  assert_int_equal(ed_hist_highest(h), 1000);
  ed_hist_destroy(h);
}

static void test_create_invalid(void **state) {
  (void)state;
  ed_hist_t *h = NULL;
  assert_int_equal(ed_hist_create(0, 3, &h), ED_EINVAL);
  assert_int_equal(ed_hist_create(1000, 0, &h), ED_EINVAL);
  assert_int_equal(ed_hist_create(1000, 6, &h), ED_EINVAL);
  assert_int_equal(ed_hist_create(1000, 3, NULL), ED_EINVAL);
  assert_null(h);
  /* The extremes of the range are accepted. */
  assert_int_equal(ed_hist_create(INT64_MAX, 1, &h), 0);
  ed_hist_record(h, INT64_MAX);
  assert_int_equal(ed_hist_percentile(h, 100), INT64_MAX);
  ed_hist_destroy(h);
  assert_int_equal(ed_hist_create(1, 5, &h), 0);
  ed_hist_destroy(h);
}

static void test_value_zero(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(HOUR_US, 3);
  ed_hist_record_n(h, 0, 10);
  assert_int_equal(ed_hist_count(h), 10);
  assert_int_equal(ed_hist_min(h), 0);
  assert_int_equal(ed_hist_max(h), 0);
  assert_int_equal(ed_hist_percentile(h, 0), 0);
  assert_int_equal(ed_hist_percentile(h, 50), 0);
  assert_int_equal(ed_hist_percentile(h, 100), 0);
  assert_true(ed_hist_mean(h) == 0.0);
  ed_hist_destroy(h);
}

static void test_record_n(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(HOUR_US, 3);
  ed_hist_record_n(h, 123456, 0);
  assert_int_equal(ed_hist_count(h), 0);
  assert_int_equal(ed_hist_max(h), 0);
  ed_hist_record_n(h, 100, 3);
  ed_hist_record_n(h, 200, 1);
  assert_int_equal(ed_hist_count(h), 4);
  assert_true(fabs(ed_hist_mean(h) - 125.0) < 1e-12);
  assert_int_equal(ed_hist_percentile(h, 75), 100);
  assert_int_equal(ed_hist_percentile(h, 76), 200);
  ed_hist_destroy(h);
}

static void test_clamping(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(1000, 3);
  ed_hist_record(h, 5000);
  ed_hist_record(h, -3);
  ed_hist_record(h, 1000);
  ed_hist_record(h, 500);
  assert_int_equal(ed_hist_count(h), 4);
  assert_int_equal(ed_hist_clamped(h), 2);
  assert_int_equal(ed_hist_min(h), 0);
  assert_int_equal(ed_hist_max(h), 1000);
  assert_int_equal(ed_hist_percentile(h, 100), 1000);
  assert_int_equal(ed_hist_percentile(h, 25), 0);
  ed_hist_record_n(h, INT64_MAX, 2);
  assert_int_equal(ed_hist_clamped(h), 4);
  assert_int_equal(ed_hist_max(h), 1000);
  ed_hist_destroy(h);
}

static void test_reset(void **state) {
  (void)state;
  int64_t *vals = malloc(NSAMPLES * sizeof(*vals));
  assert_non_null(vals);
  ed_hist_t *h = new_hist(HOUR_US, 3);
  fill(h, vals, NSAMPLES, DIST_WIDE_LOGNORMAL, 7);
  ed_hist_record(h, HOUR_US * 2);
  ed_hist_reset(h);
  assert_int_equal(ed_hist_count(h), 0);
  assert_int_equal(ed_hist_clamped(h), 0);
  assert_int_equal(ed_hist_min(h), 0);
  assert_int_equal(ed_hist_max(h), 0);
  assert_true(ed_hist_mean(h) == 0.0);
  assert_int_equal(ed_hist_percentile(h, 50), 0);
  /* Nothing is left behind: a fresh value is the only bucket. */
  ed_hist_record(h, 7);
  ed_hist_record(h, HOUR_US);
  size_t cur = 0, n = 0;
  int64_t lo, hi;
  uint64_t c, total = 0;
  while (ed_hist_next_bucket(h, &cur, &lo, &hi, &c)) {
    n++;
    total += c;
  }
  assert_int_equal(n, 2);
  assert_int_equal(total, 2);
  assert_int_equal(ed_hist_percentile(h, 50), 7);
  ed_hist_destroy(h);
  free(vals);
}

static void assert_same(const ed_hist_t *a, const ed_hist_t *b) {
  assert_int_equal(ed_hist_count(a), ed_hist_count(b));
  assert_int_equal(ed_hist_clamped(a), ed_hist_clamped(b));
  assert_int_equal(ed_hist_min(a), ed_hist_min(b));
  assert_int_equal(ed_hist_max(a), ed_hist_max(b));
  assert_int_equal(ed_hist_sigfigs(a), ed_hist_sigfigs(b));
  assert_int_equal(ed_hist_highest(a), ed_hist_highest(b));
  assert_true(ed_hist_mean(a) == ed_hist_mean(b));
  size_t ca = 0, cb = 0;
  int64_t la, ha, lb, hb;
  uint64_t na, nb;
  int ra, rb;
  do {
    ra = ed_hist_next_bucket(a, &ca, &la, &ha, &na);
    rb = ed_hist_next_bucket(b, &cb, &lb, &hb, &nb);
    assert_int_equal(ra, rb);
    if (ra) {
      assert_int_equal(la, lb);
      assert_int_equal(ha, hb);
      assert_int_equal(na, nb);
    }
  } while (ra);
  for (int i = 0; i <= 10000; i++) {
    double p = i / 100.0;
    assert_int_equal(ed_hist_percentile(a, p), ed_hist_percentile(b, p));
  }
}

static void test_merge(void **state) {
  (void)state;
  int64_t *vals = malloc(NSAMPLES * sizeof(*vals));
  assert_non_null(vals);
  ed_hist_t *a = new_hist(HOUR_US, 3), *b = new_hist(HOUR_US, 3);
  ed_hist_t *both = new_hist(HOUR_US, 3);
  fill(a, vals, NSAMPLES, DIST_UNIFORM, 11);
  fill(both, vals, NSAMPLES, DIST_UNIFORM, 11);
  fill(b, vals, NSAMPLES, DIST_WIDE_LOGNORMAL, 12);
  fill(both, vals, NSAMPLES, DIST_WIDE_LOGNORMAL, 12);
  ed_hist_record(b, -1);
  ed_hist_record(both, -1);
  assert_int_equal(ed_hist_merge(a, b), 0);
  assert_same(a, both);

  /* Merging an empty histogram changes nothing; into one, it copies. */
  ed_hist_t *empty = new_hist(HOUR_US, 3);
  assert_int_equal(ed_hist_merge(a, empty), 0);
  assert_same(a, both);
  assert_int_equal(ed_hist_merge(empty, both), 0);
  assert_same(empty, both);

  ed_hist_t *other = new_hist(HOUR_US, 2), *other2 = new_hist(1000, 3);
  assert_int_equal(ed_hist_merge(a, other), ED_EINVAL);
  assert_int_equal(ed_hist_merge(a, other2), ED_EINVAL);
  ed_hist_destroy(other);
  ed_hist_destroy(other2);
  ed_hist_destroy(empty);
  ed_hist_destroy(a);
  ed_hist_destroy(b);
  ed_hist_destroy(both);
  free(vals);
}

static ed_hist_t *round_trip(const ed_hist_t *h) {
  json_t *j = ed_hist_to_json(h);
  assert_non_null(j);
  char *text = json_dumps(j, JSON_COMPACT);
  assert_non_null(text);
  json_decref(j);
  json_error_t err;
  json_t *back = json_loads(text, 0, &err);
  assert_non_null(back);
  free(text);
  ed_hist_t *out = NULL;
  assert_int_equal(ed_hist_from_json(back, &out), 0);
  json_decref(back);
  return out;
}

static void test_json_round_trip(void **state) {
  (void)state;
  int64_t *vals = malloc(NSAMPLES * sizeof(*vals));
  assert_non_null(vals);
  for (int s = 1; s <= 4; s++) {
    ed_hist_t *h = new_hist(HOUR_US, s);
    fill(h, vals, NSAMPLES, DIST_BIMODAL, 21);
    fill(h, vals, NSAMPLES, DIST_WIDE_LOGNORMAL, 22);
    ed_hist_record(h, HOUR_US + 5);
    ed_hist_t *back = round_trip(h);
    assert_same(h, back);
    ed_hist_destroy(back);
    ed_hist_reset(h);
    back = round_trip(h);
    assert_same(h, back);
    ed_hist_destroy(back);
    ed_hist_destroy(h);
  }
  free(vals);
}

static void expect_parse_error(const char *text) {
  json_error_t err;
  json_t *j = json_loads(text, 0, &err);
  assert_non_null(j);
  ed_hist_t *h = NULL;
  assert_int_equal(ed_hist_from_json(j, &h), ED_EPARSE);
  assert_null(h);
  json_decref(j);
}

static void test_json_invalid(void **state) {
  (void)state;
  expect_parse_error("[]");
  expect_parse_error("{\"highest\":1000,\"sigfigs\":3}");
  /* sigfigs out of range */
  expect_parse_error("{\"highest\":1000,\"sigfigs\":9,\"min\":0,\"max\":0,"
                     "\"count\":0,\"counts\":[]}");
  /* counts do not add up */
  expect_parse_error("{\"highest\":1000,\"sigfigs\":3,\"min\":5,\"max\":5,"
                     "\"count\":2,\"counts\":[[5,1]]}");
  /* index outside [min, max] */
  expect_parse_error("{\"highest\":1000,\"sigfigs\":3,\"min\":5,\"max\":5,"
                     "\"count\":1,\"counts\":[[900,1]]}");
  /* max above highest */
  expect_parse_error("{\"highest\":1000,\"sigfigs\":3,\"min\":5,\"max\":5000,"
                     "\"count\":1,\"counts\":[[5,1]]}");
  /* bad pair */
  expect_parse_error("{\"highest\":1000,\"sigfigs\":3,\"min\":5,\"max\":5,"
                     "\"count\":1,\"counts\":[[5]]}");
}

/* Pages and blocks are allocated as values arrive: one range of values
 * holds a few KiB whatever the histogram's span, scattered values cost a
 * small block each, and a reset gives everything back. */
static void test_lazy_memory(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(HOUR_US, 3);
  size_t empty = ed_hist_memory(h);
  /* The whole span at 3 digits is about 23,000 slots (180 KiB of counts). */
  assert_true(empty < 1024);
  ed_rng_t r;
  ed_rng_seed(&r, 5);
  for (int i = 0; i < NSAMPLES; i++)
    assert_int_equal(
        ed_hist_record(h, 1000 + (int64_t)(ed_rng_next(&r) % 1000)), 0);
  /* 1,000 exact slots over two pages, about 100 in each: a byte a slot,
   * since no count needs more. */
  assert_true(ed_hist_memory(h) < empty + 3 * 1024);
  assert_true(ed_hist_memory(h) > empty + 1000);
  assert_int_equal(ed_hist_count(h), NSAMPLES);
  /* One value far away adds a page and a block, not the range between. */
  size_t before = ed_hist_memory(h);
  ed_hist_record(h, 30 * 60 * 1000000LL);
  assert_true(ed_hist_memory(h) > before);
  assert_true(ed_hist_memory(h) <= before + 1024);
  assert_int_equal(ed_hist_percentile(h, 100), 30 * 60 * 1000000LL);
  ed_hist_reset(h);
  assert_int_equal(ed_hist_memory(h), empty);
  /* A minute of one latency a second, spread from 0.2 ms to 20 ms: a few
   * KiB, where a flat array would take 180. */
  for (int i = 0; i < 60; i++)
    ed_hist_record(h, 200 + (int64_t)(ed_rng_next(&r) % 20000));
  assert_true(ed_hist_memory(h) < empty + 60 * 128 + 6 * 512 + 1024);
  ed_hist_destroy(h);
}

/* The count of slot `value` alone, through the bucket iteration. */
static uint64_t count_at(const ed_hist_t *h, int64_t value) {
  size_t cur = 0;
  int64_t lo, hi;
  uint64_t c;
  while (ed_hist_next_bucket(h, &cur, &lo, &hi, &c))
    if (lo <= value && value <= hi)
      return c;
  return 0;
}

/* A block's counters are as wide as its largest count needs: they widen
 * from 1 to 2, 4 and 8 bytes as counts pass 255, 65,535 and 2^32 - 1, the
 * counts of the block's other slots kept, and merges and sparse additions
 * that pass a width widen the block first. */
static void test_counter_widths(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(HOUR_US, 3);
  size_t empty = ed_hist_memory(h);
  /* 1000 and 1001 share a block of 16 slots. */
  assert_int_equal(ed_hist_record_n(h, 1001, 7), 0);
  assert_int_equal(ed_hist_record_n(h, 1000, 255), 0);
  size_t narrow = ed_hist_memory(h);
  assert_true(narrow > empty);
  assert_true(narrow <= empty + sizeof(void *) * 64 + 64 + 16);
  assert_int_equal(ed_hist_record(h, 1000), 0);
  assert_int_equal(ed_hist_memory(h), narrow + 16);
  assert_int_equal(count_at(h, 1000), 256);
  assert_int_equal(count_at(h, 1001), 7);
  assert_int_equal(ed_hist_record_n(h, 1000, 65279), 0);
  assert_int_equal(ed_hist_memory(h), narrow + 16);
  assert_int_equal(count_at(h, 1000), 65535);
  assert_int_equal(ed_hist_record(h, 1000), 0);
  assert_int_equal(count_at(h, 1000), 65536);
  assert_int_equal(ed_hist_memory(h), narrow + 48);
  assert_int_equal(ed_hist_record_n(h, 1001, 5000000000ULL), 0);
  assert_int_equal(ed_hist_memory(h), narrow + 112);
  assert_int_equal(count_at(h, 1000), 65536);
  assert_int_equal(count_at(h, 1001), 5000000007ULL);
  assert_int_equal(ed_hist_count(h), 5000065543ULL);
  assert_int_equal(ed_hist_percentile(h, 0.001), 1000);
  assert_int_equal(ed_hist_percentile(h, 50), 1001);

  /* A 64-bit count survives the JSON form and a merge into a new one. */
  ed_hist_t *back = round_trip(h);
  assert_same(back, h);
  ed_hist_t *into = new_hist(HOUR_US, 3);
  assert_int_equal(ed_hist_merge(into, h), 0);
  assert_same(into, h);
  assert_int_equal(ed_hist_memory(into), ed_hist_memory(h));

  /* Two narrow blocks whose sums do not fit one byte. */
  ed_hist_t *a = new_hist(HOUR_US, 3), *b = new_hist(HOUR_US, 3);
  ed_hist_t *all = new_hist(HOUR_US, 3);
  ed_hist_record_n(a, 5000, 200);
  ed_hist_record_n(b, 5000, 100);
  ed_hist_record_n(b, 5005, 3);
  ed_hist_record_n(all, 5000, 300);
  ed_hist_record_n(all, 5005, 3);
  assert_int_equal(ed_hist_merge(a, b), 0);
  assert_same(a, all);
  assert_int_equal(count_at(a, 5000), 300);

  /* Sparse additions: one that passes 255, and the same index twice (out
   * of order), which adds up. */
  ed_hist_t *sp = new_hist(HOUR_US, 3);
  ed_hist_record_n(sp, 5000, 250);
  json_t *j = ed_hist_to_json(a);
  uint64_t i5000 = (uint64_t)json_integer_value(
      json_array_get(json_array_get(json_object_get(j, "counts"), 0), 0));
  json_decref(j);
  uint64_t pairs[2][2] = {{i5000, 200}, {i5000, 100}};
  ed_hist_sparse_t s = {.highest = HOUR_US,
                        .sigfigs = 3,
                        .min = 5000,
                        .max = 5000,
                        .count = 300,
                        .sum = 300 * 5000.0,
                        .pairs = (const uint64_t(*)[2])pairs,
                        .npairs = 2};
  assert_int_equal(ed_hist_add_sparse(sp, &s), 0);
  assert_int_equal(count_at(sp, 5000), 550);
  assert_int_equal(ed_hist_count(sp), 550);
  s.npairs = 1;
  s.count = 200;
  s.sum = 200 * 5000.0;
  assert_int_equal(ed_hist_add_sparse(sp, &s), 0);
  assert_int_equal(count_at(sp, 5000), 750);

  ed_hist_destroy(sp);
  ed_hist_destroy(a);
  ed_hist_destroy(b);
  ed_hist_destroy(all);
  ed_hist_destroy(into);
  ed_hist_destroy(back);
  ed_hist_destroy(h);
}

/* A run's tail: values scattered one to a block cost a block of 16 one-byte
 * counters each (and their pages), where 8-byte counters took 128 bytes. */
static void test_scattered_values(void **state) {
  (void)state;
  ed_hist_t *h = new_hist(HOUR_US, 3);
  size_t empty = ed_hist_memory(h);
  /* From 200 ms to 2 s a block spans 4 to 16 ms: 100 values 18 ms apart
   * fall in 100 blocks of 2 to 4 pages. */
  for (int i = 0; i < 100; i++)
    assert_int_equal(ed_hist_record(h, 200000 + 18000 * (int64_t)i), 0);
  size_t pages = 4 * (sizeof(void *) * 64 + 64);
  assert_true(ed_hist_memory(h) <= empty + pages + 100 * 16);
  assert_true(ed_hist_memory(h) >= empty + 100 * 16);
  ed_hist_destroy(h);
}

/* Two sparse histograms of distant ranges merge into a third sparse one
 * with the same figures as one histogram that saw every value, and the
 * percentiles stay within the relative error of the exact ones. */
static void test_merge_sparse(void **state) {
  (void)state;
  enum { N = 20000 };
  int64_t *vals = malloc(2 * N * sizeof(*vals));
  assert_non_null(vals);
  ed_hist_t *a = new_hist(HOUR_US, 3), *b = new_hist(HOUR_US, 3);
  ed_hist_t *into = new_hist(HOUR_US, 3), *all = new_hist(HOUR_US, 3);
  ed_rng_t r;
  ed_rng_seed(&r, 31);
  for (int i = 0; i < 2 * N; i++) {
    /* a: around 300 us; b: around 2.5 s. */
    vals[i] = i < N ? clamp_value(300.0 + 40.0 * ed_rng_normal(&r))
                    : clamp_value(2500000.0 + 200000.0 * ed_rng_normal(&r));
    ed_hist_record(i < N ? a : b, vals[i]);
    ed_hist_record(all, vals[i]);
  }
  assert_int_equal(ed_hist_merge(into, a), 0);
  assert_int_equal(ed_hist_merge(into, b), 0);
  assert_same(into, all);
  /* Only the blocks of the two ranges exist. */
  assert_true(ed_hist_memory(into) <= ed_hist_memory(a) + ed_hist_memory(b));
  assert_true(ed_hist_memory(into) < 48 * 1024);
  qsort(vals, 2 * N, sizeof(*vals), cmp_i64);
  double err = ed_hist_relative_error(into);
  for (size_t k = 0; k < sizeof(pcts_milli) / sizeof(pcts_milli[0]); k++) {
    int64_t exact = exact_percentile(vals, 2 * N, pcts_milli[k]);
    int64_t got = ed_hist_percentile(into, pcts_milli[k] / 1000.0);
    assert_true(got >= exact);
    assert_true((double)got <= (double)exact * (1.0 + err) + 1.0);
  }
  ed_hist_destroy(a);
  ed_hist_destroy(b);
  ed_hist_destroy(into);
  ed_hist_destroy(all);
  free(vals);
}

/* A histogram's sparse form added to another equals the JSON form read
 * and merged; a bad one is refused and leaves the target unchanged. */
static void test_add_sparse(void **state) {
  (void)state;
  ed_hist_t *src, *a, *b;
  assert_int_equal(ed_hist_create(3600000000LL, 3, &src), 0);
  assert_int_equal(ed_hist_create(3600000000LL, 3, &a), 0);
  assert_int_equal(ed_hist_create(3600000000LL, 3, &b), 0);
  int64_t values[] = {7, 1500, 1501, 99999, 2500000, 1500};
  for (size_t i = 0; i < 6; i++)
    ed_hist_record(src, values[i]);
  ed_hist_record(a, 42);
  ed_hist_record(b, 42);
  json_t *j = ed_hist_to_json(src);
  ed_hist_t *back;
  assert_int_equal(ed_hist_from_json(j, &back), 0);
  assert_int_equal(ed_hist_merge(a, back), 0);
  uint64_t pairs[16][2];
  size_t n = 0, k;
  json_t *p;
  json_array_foreach(json_object_get(j, "counts"), k, p) {
    pairs[n][0] = (uint64_t)json_integer_value(json_array_get(p, 0));
    pairs[n][1] = (uint64_t)json_integer_value(json_array_get(p, 1));
    n++;
  }
  ed_hist_sparse_t sp = {.highest = 3600000000LL,
                         .sigfigs = 3,
                         .min = ed_hist_min(src),
                         .max = ed_hist_max(src),
                         .count = ed_hist_count(src),
                         .sum = json_number_value(json_object_get(j, "sum")),
                         .pairs = (const uint64_t(*)[2])pairs,
                         .npairs = n};
  assert_int_equal(ed_hist_add_sparse(b, &sp), 0);
  json_t *ja = ed_hist_to_json(a), *jb = ed_hist_to_json(b);
  assert_true(json_equal(ja, jb));
  /* counts that do not add up, an index outside [min, max]: refused */
  sp.count++;
  assert_int_equal(ed_hist_add_sparse(b, &sp), ED_EPARSE);
  sp.count--;
  pairs[0][0] = 1;
  assert_int_equal(ed_hist_add_sparse(b, &sp), ED_EPARSE);
  sp.sigfigs = 2;
  assert_int_equal(ed_hist_add_sparse(b, &sp), ED_EINVAL);
  json_t *jb2 = ed_hist_to_json(b);
  assert_true(json_equal(jb, jb2));
  json_decref(j);
  json_decref(ja);
  json_decref(jb);
  json_decref(jb2);
  ed_hist_destroy(back);
  ed_hist_destroy(src);
  ed_hist_destroy(a);
  ed_hist_destroy(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentiles_vs_exact),
      cmocka_unit_test(test_bucket_bounds),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_create_invalid),
      cmocka_unit_test(test_value_zero),
      cmocka_unit_test(test_record_n),
      cmocka_unit_test(test_clamping),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_json_round_trip),
      cmocka_unit_test(test_json_invalid),
      cmocka_unit_test(test_lazy_memory),
      cmocka_unit_test(test_merge_sparse),
      cmocka_unit_test(test_counter_widths),
      cmocka_unit_test(test_scattered_values),
      cmocka_unit_test(test_add_sparse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
