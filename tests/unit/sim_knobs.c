/* Unit tests of sim/knobs.c (decisions, distributions, worker gate) and of
 * the knob and address parts of sim/config.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "config.h"
#include "error.h"
#include "knobs.h"

#define DRAWS 5000
/* A binomial count lies within 4.5 sigma of its mean with probability
 * 1 - 7e-6; the seeds are fixed anyway, so the test is deterministic. */
#define SIGMAS 4.5

static void assert_binomial(long observed, long n, double p) {
  double mean = n * p, sigma = sqrt(n * p * (1 - p));
  assert_true(fabs((double)observed - mean) <= SIGMAS * sigma);
}

static void count_actions(const ed__knobs_t *k, uint64_t seed, long n,
                          long counts[4]) {
  uint64_t rng = seed;
  memset(counts, 0, 4 * sizeof(long));
  for (long i = 0; i < n; i++) {
    ed__decision_t d;
    ed__knobs_decide(k, &rng, &d);
    counts[d.action]++;
    if (d.action == ED__ACT_ERROR)
      assert_int_equal(d.status, k->error_status);
  }
}

static void error_rate_within_binomial_bound(void **state) {
  (void)state;
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.error_rate = 0.2f;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    long c[4];
    count_actions(&k, seed, DRAWS, c);
    assert_binomial(c[ED__ACT_ERROR], DRAWS, 0.2);
    assert_int_equal(c[ED__ACT_RESET] + c[ED__ACT_HANG], 0);
  }
}

static void resets_and_hangs_within_bound(void **state) {
  (void)state;
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.hang_rate = 0.1f;
  k.reset_rate = 0.05f;
  long c[4];
  count_actions(&k, 42, DRAWS, c);
  assert_binomial(c[ED__ACT_HANG], DRAWS, 0.1);
  /* Resets are drawn among the requests that did not hang. */
  assert_binomial(c[ED__ACT_RESET], DRAWS - c[ED__ACT_HANG], 0.05);
  k.hang_rate = 1.0f;
  count_actions(&k, 42, 100, c);
  assert_int_equal(c[ED__ACT_HANG], 100);
}

static void same_seed_same_draws(void **state) {
  (void)state;
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.error_rate = 0.5f;
  k.lat_kind = ED__LAT_UNIFORM;
  k.lat_a_ms = 1;
  k.lat_b_ms = 1000;
  uint64_t a = 7, b = 7, c = 8;
  int differs = 0;
  for (int i = 0; i < 1000; i++) {
    ed__decision_t da, db, dc;
    ed__knobs_decide(&k, &a, &da);
    ed__knobs_decide(&k, &b, &db);
    ed__knobs_decide(&k, &c, &dc);
    assert_memory_equal(&da, &db, sizeof(da));
    differs |= da.delay_ms != dc.delay_ms;
  }
  assert_true(differs);
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

static void lognormal_median_and_p99(void **state) {
  (void)state;
  enum { N = 20000 };
  static uint32_t v[N];
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.lat_kind = ED__LAT_LOGNORMAL;
  k.lat_a_ms = 20;
  k.lat_b_ms = 200;
  uint64_t rng = 3;
  for (int i = 0; i < N; i++)
    v[i] = ed__knobs_latency(&k, &rng);
  qsort(v, N, sizeof(v[0]), cmp_u32);
  /* Tolerances: the sample median of 20,000 is within ~1.5% (2 sigma),
   * the p99 within ~6%; ms rounding adds up to 0.5 ms. */
  assert_in_range(v[N / 2], 19, 21);
  assert_in_range(v[N * 99 / 100], 185, 215);
}

static void uniform_and_fixed(void **state) {
  (void)state;
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.lat_kind = ED__LAT_UNIFORM;
  k.lat_a_ms = 10;
  k.lat_b_ms = 30;
  uint64_t rng = 11;
  double sum = 0;
  for (int i = 0; i < DRAWS; i++) {
    uint32_t x = ed__knobs_latency(&k, &rng);
    assert_in_range(x, 10, 30);
    sum += x;
  }
  /* Mean 20, sd of one draw ~6.06: the mean of 5,000 within 4.5 sigma. */
  assert_true(fabs(sum / DRAWS - 20.0) < 4.5 * 6.06 / sqrt(DRAWS));
  k.lat_kind = ED__LAT_FIXED;
  k.lat_a_ms = 250;
  assert_int_equal(ed__knobs_latency(&k, &rng), 250);
}

/* Drive the gate like the fleet does, in virtual time: n requests arrive at
 * arrive[i], each holds a worker for service ms; returns finish times. */
static void run_gate(uint32_t cap, int n, const int *arrive, int service,
                     int *finish) {
  ed__gate_t g;
  memset(&g, 0, sizeof(g));
  ed__waiter_t w[16];
  int start[16];
  for (int i = 0; i < n; i++)
    start[i] = finish[i] = -1;
  /* Events: arrivals in order, and completions; advance time stepwise. */
  for (int t = 0, done = 0; done < n; t++) {
    for (int i = 0; i < n; i++)
      if (start[i] >= 0 && finish[i] < 0 && start[i] + service == t) {
        finish[i] = t;
        done++;
        ed__waiter_t *nx = ed__gate_leave(&g, cap);
        if (nx)
          start[nx - w] = t;
      }
    for (int i = 0; i < n; i++)
      if (arrive[i] == t && ed__gate_enter(&g, cap, &w[i]))
        start[i] = t;
  }
  assert_int_equal(g.busy, 0);
  assert_int_equal(g.queued, 0);
}

static void gate_queues_fifo_beyond_capacity(void **state) {
  (void)state;
  int arrive[6] = {0, 0, 0, 0, 0, 0}, finish[6];
  run_gate(2, 6, arrive, 100, finish);
  int want[6] = {100, 100, 200, 200, 300, 300};
  assert_memory_equal(finish, want, sizeof(want));
  /* Unlimited capacity: every request only pays its service time. */
  run_gate(0, 6, arrive, 100, finish);
  for (int i = 0; i < 6; i++)
    assert_int_equal(finish[i], 100);
  /* One worker, arrivals every 40 ms, 100 ms each: the queue grows and the
   * k-th request waits k*60 ms (response time 100 + 60k). */
  int a2[5] = {0, 40, 80, 120, 160}, f2[5];
  run_gate(1, 5, a2, 100, f2);
  for (int i = 0; i < 5; i++)
    assert_int_equal(f2[i] - a2[i], 100 + 60 * i);
}

static void gate_cancel_and_admit(void **state) {
  (void)state;
  ed__gate_t g;
  memset(&g, 0, sizeof(g));
  ed__waiter_t w[4];
  assert_int_equal(ed__gate_enter(&g, 1, &w[0]), 1);
  assert_int_equal(ed__gate_enter(&g, 1, &w[1]), 0);
  assert_int_equal(ed__gate_enter(&g, 1, &w[2]), 0);
  assert_int_equal(ed__gate_enter(&g, 1, &w[3]), 0);
  ed__gate_cancel(&g, &w[2]);
  assert_int_equal(g.queued, 2);
  assert_null(ed__gate_admit(&g, 1));             /* still full */
  assert_ptr_equal(ed__gate_admit(&g, 3), &w[1]); /* capacity raised */
  assert_ptr_equal(ed__gate_admit(&g, 3), &w[3]);
  assert_null(ed__gate_admit(&g, 3));
  assert_int_equal(g.busy, 3);
}

static void durations(void **state) {
  (void)state;
  int64_t ms;
  struct {
    const char *s;
    int64_t ms;
  } ok[] = {{"250ms", 250}, {"2s", 2000},    {"1.5s", 1500},
            {"1m", 60000},  {"1h", 3600000}, {"1m30s", 90000}};
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    assert_int_equal(ed__duration_parse_str(ok[i].s, &ms), 0);
    assert_int_equal(ms, ok[i].ms);
  }
  /* The grammar of scenario files: a string needs its unit. */
  const char *bad[] = {"", "2x", "-1s", "s", "1 s", "40"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(ed__duration_parse_str(bad[i], &ms), ED_EINVAL);
  json_t *j = json_integer(125);
  assert_int_equal(ed__duration_parse(j, &ms), 0);
  assert_int_equal(ms, 125);
  json_decref(j);
}

static void knobs_parse_and_patch(void **state) {
  (void)state;
  char err[256];
  ed__knobs_patch_t p;
  json_t *j =
      json_pack("{s:{s:s,s:s},s:f,s:i,s:i}", "latency", "median", "20ms", "p99",
                "1s", "error_rate", 0.25, "error_status", 500, "capacity", 4);
  assert_int_equal(ed__knobs_parse(j, "knobs", &p, err, sizeof(err)), 0);
  json_decref(j);
  ed__knobs_t k;
  ed__knobs_default(&k);
  k.hang_rate = 0.5f;
  ed__knobs_apply(&k, &p);
  assert_int_equal(k.lat_kind, ED__LAT_LOGNORMAL);
  assert_int_equal(k.lat_b_ms, 1000);
  assert_int_equal(k.error_status, 500);
  assert_int_equal(k.capacity, 4);
  assert_true(k.hang_rate == 0.5f); /* untouched by the patch */

  j = json_pack("{s:f}", "error_rate", 1.5);
  assert_int_equal(ed__knobs_parse(j, "per_bmc[2]", &p, err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "per_bmc[2].error_rate"));
  json_decref(j);
  j = json_pack("{s:{s:s}}", "latency", "min", "5ms");
  assert_int_equal(ed__knobs_parse(j, "knobs", &p, err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "knobs.latency"));
  json_decref(j);
}

static int parse_cfg(const char *text, ed__sim_config_t *c, char *err,
                     size_t len) {
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  assert_non_null(j);
  int rc = ed__config_parse(c, j, "fleet.json", err, len);
  json_decref(j);
  return rc;
}

static void config_errors_name_file_and_key(void **state) {
  (void)state;
  ed__sim_config_t c;
  char err[512];
  assert_int_equal(
      parse_cfg("{\"bmcs\": 2, \"colour\": 1}", &c, err, sizeof(err)),
      ED_EINVAL);
  assert_string_equal(err, "fleet.json: unknown key 'colour'");
  assert_int_equal(
      parse_cfg("{\"listen\": {\"mode\": \"x\"}}", &c, err, sizeof(err)),
      ED_EINVAL);
  assert_non_null(strstr(err, "fleet.json: listen.mode:"));
  assert_int_equal(parse_cfg("{\"per_bmc\": {\"1\": {\"jitter\": 1}}}", &c, err,
                             sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "per_bmc.1.jitter"));
  assert_int_equal(parse_cfg("{\"listen\": {\"address\": \"0.0.0.0\"}}", &c,
                             err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "listen.address"));
  assert_int_equal(parse_cfg("{\"password_env\": \"ED_NO_SUCH_VAR_42\"}", &c,
                             err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "ED_NO_SUCH_VAR_42"));
}

static void config_addresses_and_per_bmc(void **state) {
  (void)state;
  ed__sim_config_t c;
  char err[512];
  assert_int_equal(
      parse_cfg("{\"bmcs\": 10000, \"knobs\": {\"latency\": \"5ms\"},"
                " \"per_bmc\": {\"3\": {\"error_rate\": 0.5}},"
                " \"power\": {\"on\": \"1s\"}, \"seed\": 9}",
                &c, err, sizeof(err)),
      0);
  uint32_t a;
  uint16_t port;
  ed__config_bmc_addr(&c, 0, &a, &port);
  assert_int_equal(a, 0x7f000101);
  assert_int_equal(port, 8000);
  ed__config_bmc_addr(&c, 253, &a, &port);
  assert_int_equal(a, 0x7f0001fe); /* 127.0.1.254 */
  ed__config_bmc_addr(&c, 254, &a, &port);
  assert_int_equal(a, 0x7f000201); /* .255 and .0 skipped */
  ed__config_bmc_addr(&c, 9999, &a, &port);
  assert_int_equal(a >> 8, 0x7f0028); /* 127.0.40.x */
  assert_int_equal(c.knobs.lat_a_ms, 5);
  assert_int_equal(c.n_per_bmc, 1);
  assert_int_equal(c.per_bmc[0].index, 3);
  assert_int_equal(c.svc.power_on_ms, 1000);
  assert_int_equal(c.seed, 9);
  ed__config_close(&c);

  assert_int_equal(parse_cfg("{\"bmcs\": 3, \"listen\": {\"mode\": \"ports\","
                             " \"address\": \"127.0.0.1\", \"port\": 9000}}",
                             &c, err, sizeof(err)),
                   0);
  ed__config_bmc_addr(&c, 2, &a, &port);
  assert_int_equal(a, 0x7f000001);
  assert_int_equal(port, 9002);
  ed__config_close(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(error_rate_within_binomial_bound),
      cmocka_unit_test(resets_and_hangs_within_bound),
      cmocka_unit_test(same_seed_same_draws),
      cmocka_unit_test(lognormal_median_and_p99),
      cmocka_unit_test(uniform_and_fixed),
      cmocka_unit_test(gate_queues_fifo_beyond_capacity),
      cmocka_unit_test(gate_cancel_and_admit),
      cmocka_unit_test(durations),
      cmocka_unit_test(knobs_parse_and_patch),
      cmocka_unit_test(config_errors_name_file_and_key),
      cmocka_unit_test(config_addresses_and_per_bmc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
