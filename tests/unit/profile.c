/*
 * profile tests: intended send times of rate profiles. The strongest check
 * integrates the rate in the test itself (midpoint rule on a 1 ms grid, exact
 * for these piecewise-linear rates whose breaks fall on whole ms) and
 * asserts that the n-th uniform request sits where that count reaches n - 0.5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "profile.h"

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL

static ed_segment_t constant(double r, int64_t ms) {
  ed_segment_t s = {.kind = ED_SEG_CONSTANT, .from = r, .duration_ms = ms};
  return s;
}

static ed_segment_t ramp(double from, double to, int64_t ms) {
  ed_segment_t s = {
      .kind = ED_SEG_RAMP, .from = from, .to = to, .duration_ms = ms};
  return s;
}

static ed_segment_t step(double from, double to, int steps, int64_t ms) {
  ed_segment_t s = {.kind = ED_SEG_STEP,
                    .from = from,
                    .to = to,
                    .steps = steps,
                    .duration_ms = ms};
  return s;
}

static ed_segment_t spike(double base, double peak, int64_t at, int64_t width,
                          int64_t ms) {
  ed_segment_t s = {.kind = ED_SEG_SPIKE,
                    .from = base,
                    .to = peak,
                    .at_ms = at,
                    .width_ms = width,
                    .duration_ms = ms};
  return s;
}

/* Every intended time of a profile; *n gets their count. Caller frees. */
typedef struct times_s {
  int64_t *t;
  size_t *seg;
  size_t n;
} times_t;

static times_t collect(const ed_segment_t *segs, size_t nsegs,
                       ed_arrival_t arrival, uint64_t seed) {
  times_t r = {NULL, NULL, 0};
  size_t cap = 0;
  ed_profile_t p;
  ed_profile_init(&p, segs, nsegs, arrival, seed);
  int64_t t;
  size_t seg;
  while (ed_profile_next(&p, &t, &seg) == 0) {
    if (r.n == cap) {
      cap = cap ? cap * 2 : 1024;
      r.t = realloc(r.t, cap * sizeof(*r.t));
      r.seg = realloc(r.seg, cap * sizeof(*r.seg));
      assert_non_null(r.t);
      assert_non_null(r.seg);
    }
    r.t[r.n] = t;
    r.seg[r.n] = seg;
    r.n++;
  }
  assert_int_equal(p.emitted, r.n);
  /* Over is over. */
  assert_int_equal(ed_profile_next(&p, &t, &seg), 1);
  return r;
}

static void times_free(times_t *r) {
  free(r->t);
  free(r->seg);
}

static double total_expected(const ed_segment_t *segs, size_t nsegs) {
  double sum = 0;
  for (size_t i = 0; i < nsegs; i++)
    sum += ed_segment_expected(&segs[i]);
  return sum;
}

/* Lambda(t) computed independently of the profile's inversion. */
static double lambda_at(const ed_segment_t *segs, size_t nsegs, int64_t t_ns) {
  double sum = 0;
  int64_t start = 0;
  for (size_t i = 0; i < nsegs; i++) {
    int64_t end = start + segs[i].duration_ms * NS_PER_MS;
    if (t_ns >= end) {
      sum += ed_segment_expected(&segs[i]);
      start = end;
      continue;
    }
    double rel_ms = (double)(t_ns - start) / NS_PER_MS;
    for (double a = 0; a < rel_ms; a += 1.0) {
      double b = fmin(a + 1.0, rel_ms);
      sum += ed_segment_rate_at(&segs[i], (a + b) / 2) * (b - a) / 1000.0;
    }
    break;
  }
  return sum;
}

/* The shared checks of a uniform profile: the count is the rounded integral,
 * times are increasing and inside their segment, and the n-th time is where
 * Lambda reaches n - 0.5. */
static times_t check_uniform(const ed_segment_t *segs, size_t nsegs) {
  times_t r = collect(segs, nsegs, ED_ARRIVAL_UNIFORM, 0);
  assert_int_equal(r.n, (size_t)floor(total_expected(segs, nsegs) + 0.5));
  int64_t start = 0;
  size_t seg = 0;
  for (size_t i = 0; i < r.n; i++) {
    while (seg < r.seg[i])
      start += segs[seg++].duration_ms * NS_PER_MS;
    assert_int_equal(r.seg[i], seg);
    assert_true(r.t[i] >= start);
    assert_true(r.t[i] < start + segs[seg].duration_ms * NS_PER_MS);
    if (i > 0)
      assert_true(r.t[i] > r.t[i - 1]);
    double l = lambda_at(segs, nsegs, r.t[i]);
    double rate =
        ed_segment_rate_at(&segs[seg], (double)(r.t[i] - start) / NS_PER_MS);
    /* 1 ns of rounding moves Lambda by rate * 1e-9. */
    if (fabs(l - ((double)i + 0.5)) > 1e-6 + rate * 1e-9)
      fail_msg("request %zu at %lld ns: Lambda %.9f, want %.1f", i,
               (long long)r.t[i], l, (double)i + 0.5);
  }
  return r;
}

static size_t count_in(const times_t *r, int64_t a_ns, int64_t b_ns) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += r->t[i] >= a_ns && r->t[i] < b_ns;
  return n;
}

static void test_constant(void **state) {
  (void)state;
  ed_segment_t s = constant(100, 10000);
  assert_true(ed_segment_expected(&s) == 1000.0);
  assert_true(ed_segment_peak(&s) == 100.0);
  assert_true(ed_segment_rate_at(&s, 1234) == 100.0);
  times_t r = check_uniform(&s, 1);
  assert_int_equal(r.n, 1000);
  assert_int_equal(r.t[0], 5 * NS_PER_MS);
  for (size_t i = 1; i < r.n; i++)
    assert_int_equal(r.t[i] - r.t[i - 1], 10 * NS_PER_MS);
  assert_int_equal(r.t[999], 9995 * NS_PER_MS);
  times_free(&r);
}

/* Times are computed from the start, not accumulated: after an hour at a
 * rate whose period is not a whole number of ns, each time is still the
 * exact rounding of (n - 0.5) / rate. */
static void test_no_drift(void **state) {
  (void)state;
  ed_segment_t s = constant(3, 3600000);
  times_t r = collect(&s, 1, ED_ARRIVAL_UNIFORM, 0);
  assert_int_equal(r.n, 10800);
  for (size_t i = 0; i < r.n; i++) {
    double want = ((double)i + 0.5) / 3.0 * 1e9;
    assert_true(llabs(r.t[i] - (int64_t)llround(want)) <= 1);
  }
  times_free(&r);
}

static void check_ramp_spacing(const ed_segment_t *s) {
  times_t r = check_uniform(s, 1);
  for (size_t i = 1; i < r.n; i++) {
    /* Over one arrival the count grows by 1, and a linear rate's mean over
     * an interval is its value at the midpoint. */
    double dt = (double)(r.t[i] - r.t[i - 1]) / NS_PER_S;
    double mid_ms = (double)(r.t[i] + r.t[i - 1]) / 2 / NS_PER_MS;
    double rate = ed_segment_rate_at(s, mid_ms);
    /* Each time is rounded to the ns: dt is off by up to 1 ns. */
    assert_true(fabs(dt * rate - 1.0) < rate * 1.5e-9 + 1e-9);
  }
  times_free(&r);
}

static void test_ramp(void **state) {
  (void)state;
  ed_segment_t up = ramp(3, 17.3, 5000); /* integral 50.75 */
  assert_true(fabs(ed_segment_expected(&up) - 50.75) < 1e-12);
  assert_true(ed_segment_peak(&up) == 17.3);
  assert_true(fabs(ed_segment_rate_at(&up, 2500) - 10.15) < 1e-12);
  times_t r = check_uniform(&up, 1);
  assert_int_equal(r.n, 51);
  times_free(&r);
  check_ramp_spacing(&up);

  ed_segment_t from_zero = ramp(0, 100, 10000);
  r = check_uniform(&from_zero, 1);
  assert_int_equal(r.n, 500);
  /* Lambda = 5 t^2, so t_n = sqrt((n - 0.5) / 5). */
  for (size_t i = 0; i < r.n; i++)
    assert_true(llabs(r.t[i] - llround(sqrt((i + 0.5) / 5.0) * 1e9)) <= 1);
  times_free(&r);
  check_ramp_spacing(&from_zero);

  ed_segment_t down = ramp(100, 0, 10000);
  assert_true(ed_segment_peak(&down) == 100.0);
  check_ramp_spacing(&down);
  /* A nearly flat ramp: the stable root does not cancel. */
  ed_segment_t flat = ramp(1000, 1000.000001, 2000);
  check_ramp_spacing(&flat);
}

static void test_step(void **state) {
  (void)state;
  ed_segment_t s = step(100, 400, 3, 4000); /* 100, 200, 300, 400 */
  assert_true(ed_segment_expected(&s) == 1000.0);
  assert_true(ed_segment_peak(&s) == 400.0);
  assert_true(ed_segment_rate_at(&s, 500) == 100.0);
  assert_true(ed_segment_rate_at(&s, 1000) == 200.0);
  assert_true(ed_segment_rate_at(&s, 2999) == 300.0);
  assert_true(ed_segment_rate_at(&s, 3999) == 400.0);
  times_t r = check_uniform(&s, 1);
  assert_int_equal(count_in(&r, 0, NS_PER_S), 100);
  assert_int_equal(count_in(&r, NS_PER_S, 2 * NS_PER_S), 200);
  assert_int_equal(count_in(&r, 2 * NS_PER_S, 3 * NS_PER_S), 300);
  assert_int_equal(count_in(&r, 3 * NS_PER_S, 4 * NS_PER_S), 400);
  times_free(&r);

  ed_segment_t one = step(10, 20, 1, 2000); /* 10 then 20 */
  assert_true(ed_segment_expected(&one) == 30.0);
  r = check_uniform(&one, 1);
  assert_int_equal(count_in(&r, 0, NS_PER_S), 10);
  assert_int_equal(count_in(&r, NS_PER_S, 2 * NS_PER_S), 20);
  times_free(&r);

  ed_segment_t down = step(300, 0, 3, 3000); /* 300, 200, 100, 0 */
  r = check_uniform(&down, 1);
  assert_int_equal(r.n, 450);
  assert_int_equal(count_in(&r, 2250 * NS_PER_MS, 3 * NS_PER_S), 0);
  times_free(&r);
}

/* Many levels: level k (0..999) at k req/s for 10 ms. Lambda is checked in
 * closed form, 0.01 * k (k - 1) / 2 + k * (t - 10 k ms). */
static void test_step_many_levels(void **state) {
  (void)state;
  ed_segment_t s = step(0, 999, 999, 10000);
  assert_true(fabs(ed_segment_expected(&s) - 4995.0) < 1e-6);
  times_t r = collect(&s, 1, ED_ARRIVAL_UNIFORM, 0);
  assert_int_equal(r.n, 4995);
  for (size_t i = 0; i < r.n; i++) {
    int64_t k = r.t[i] / (10 * NS_PER_MS);
    double in = (double)(r.t[i] - k * 10 * NS_PER_MS) / NS_PER_S;
    double l = 0.01 * (double)(k * (k - 1)) / 2 + (double)k * in;
    assert_true(fabs(l - ((double)i + 0.5)) < 1e-6);
    if (i > 0)
      assert_true(r.t[i] > r.t[i - 1]);
  }
  times_free(&r);
}

static void test_spike(void **state) {
  (void)state;
  ed_segment_t s = spike(10, 1000, 2000, 1000, 5000);
  assert_true(ed_segment_expected(&s) == 1040.0);
  assert_true(ed_segment_peak(&s) == 1000.0);
  assert_true(ed_segment_rate_at(&s, 1999) == 10.0);
  assert_true(ed_segment_rate_at(&s, 2000) == 1000.0);
  assert_true(ed_segment_rate_at(&s, 3000) == 10.0);
  times_t r = check_uniform(&s, 1);
  assert_int_equal(r.n, 1040);
  assert_int_equal(count_in(&r, 2 * NS_PER_S, 3 * NS_PER_S), 1000);
  assert_int_equal(count_in(&r, 0, 2 * NS_PER_S), 20);
  assert_int_equal(count_in(&r, 3 * NS_PER_S, 5 * NS_PER_S), 20);
  times_free(&r);

  /* A window running past the end is clipped to the segment. */
  ed_segment_t late = spike(0, 100, 900, 500, 1000);
  assert_true(ed_segment_expected(&late) == 10.0);
  r = check_uniform(&late, 1);
  assert_int_equal(count_in(&r, 900 * NS_PER_MS, NS_PER_S), 10);
  times_free(&r);
  ed_segment_t outside = spike(5, 100, 2000, 500, 1000);
  assert_true(ed_segment_peak(&outside) == 5.0);
  assert_true(ed_segment_expected(&outside) == 5.0);
}

static void test_multi_segment(void **state) {
  (void)state;
  const ed_segment_t segs[] = {
      constant(100, 1000),    ramp(100, 300, 2000),           constant(0, 1000),
      step(50, 150, 2, 3000), spike(20, 500, 500, 200, 2000), ramp(40, 0, 1500),
  };
  size_t n = sizeof(segs) / sizeof(segs[0]);
  times_t r = check_uniform(segs, n);
  /* Per segment: counts add up and every segment got its share. */
  size_t per[6] = {0};
  for (size_t i = 0; i < r.n; i++)
    per[r.seg[i]]++;
  assert_int_equal(per[0], 100);
  assert_int_equal(per[1], 400);
  assert_int_equal(per[2], 0);
  assert_int_equal(per[3], 300);
  assert_int_equal(per[4], 136); /* 20 * 1.8 s + 500 * 0.2 s */
  assert_int_equal(per[5], 30);
  /* Across the first boundary the spacing stays 1/rate: the last request
   * of the constant phase at 995 ms, the first of the ramp where its count
   * 100 t + 50 t^2 reaches 0.5: t = 1 / (100 + sqrt(10100)) s. */
  assert_int_equal(r.t[99], 995 * NS_PER_MS);
  assert_int_equal(r.t[100], NS_PER_S + llround(1e9 / (100 + sqrt(10100.0))));
  times_free(&r);
}

static void test_zero_rate(void **state) {
  (void)state;
  ed_segment_t idle = constant(0, 5000);
  assert_true(ed_segment_expected(&idle) == 0.0);
  times_t r = collect(&idle, 1, ED_ARRIVAL_UNIFORM, 0);
  assert_int_equal(r.n, 0);
  times_free(&r);
  r = collect(NULL, 0, ED_ARRIVAL_POISSON, 1);
  assert_int_equal(r.n, 0);
  times_free(&r);

  const ed_segment_t segs[] = {constant(10, 1000), constant(0, 2000),
                               ramp(0, 0, 500),    spike(0, 0, 0, 100, 500),
                               step(0, 0, 4, 500), constant(10, 1000)};
  r = check_uniform(segs, 6);
  assert_int_equal(r.n, 20);
  for (size_t i = 0; i < 10; i++) {
    assert_int_equal(r.seg[i], 0);
    assert_int_equal(r.seg[i + 10], 5);
    /* The idle 3.5 s pass: the second phase starts at 4.5 s. */
    assert_int_equal(r.t[i + 10] - r.t[i], 4500 * NS_PER_MS);
  }
  times_free(&r);
}

static void test_poisson_mean(void **state) {
  (void)state;
  ed_segment_t s = constant(100, 10000);
  const int runs = 200;
  double sum = 0;
  for (int k = 0; k < runs; k++) {
    times_t r = collect(&s, 1, ED_ARRIVAL_POISSON, 1000 + (uint64_t)k);
    /* One run's count is Poisson(1000): sd 31.6; 6 sd is far outside. */
    assert_true(fabs((double)r.n - 1000.0) < 6 * sqrt(1000.0));
    for (size_t i = 0; i < r.n; i++) {
      assert_true(r.t[i] >= 0 && r.t[i] < 10 * NS_PER_S);
      if (i > 0)
        assert_true(r.t[i] >= r.t[i - 1]);
    }
    sum += (double)r.n;
    times_free(&r);
  }
  /* The mean of 200 runs has sd sqrt(1000 / 200) = 2.24; allow 5 sd. */
  assert_true(fabs(sum / runs - 1000.0) < 5 * sqrt(1000.0 / runs));
}

static void test_poisson_spike_window(void **state) {
  (void)state;
  ed_segment_t s = spike(10, 1000, 2000, 1000, 5000);
  double in_window = 0;
  const int runs = 100;
  for (int k = 0; k < runs; k++) {
    times_t r = collect(&s, 1, ED_ARRIVAL_POISSON, 77 + (uint64_t)k);
    in_window += (double)count_in(&r, 2 * NS_PER_S, 3 * NS_PER_S);
    times_free(&r);
  }
  assert_true(fabs(in_window / runs - 1000.0) < 5 * sqrt(1000.0 / runs));
}

static void test_poisson_determinism(void **state) {
  (void)state;
  const ed_segment_t segs[] = {constant(50, 2000), ramp(50, 500, 3000)};
  times_t a = collect(segs, 2, ED_ARRIVAL_POISSON, 42);
  times_t b = collect(segs, 2, ED_ARRIVAL_POISSON, 42);
  times_t c = collect(segs, 2, ED_ARRIVAL_POISSON, 43);
  assert_int_equal(a.n, b.n);
  assert_memory_equal(a.t, b.t, a.n * sizeof(*a.t));
  assert_memory_equal(a.seg, b.seg, a.n * sizeof(*a.seg));
  size_t m = a.n < c.n ? a.n : c.n, same = 0;
  for (size_t i = 0; i < m; i++)
    same += a.t[i] == c.t[i];
  assert_true(a.n != c.n || same < m);
  assert_true(same < m / 10);
  times_free(&a);
  times_free(&b);
  times_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_constant),
      cmocka_unit_test(test_no_drift),
      cmocka_unit_test(test_ramp),
      cmocka_unit_test(test_step),
      cmocka_unit_test(test_step_many_levels),
      cmocka_unit_test(test_spike),
      cmocka_unit_test(test_multi_segment),
      cmocka_unit_test(test_zero_rate),
      cmocka_unit_test(test_poisson_mean),
      cmocka_unit_test(test_poisson_spike_window),
      cmocka_unit_test(test_poisson_determinism),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
