/* Unit tests of the open-loop scheduler on a real uv loop, with a fake
 * driver that completes requests from timers. Timing is never asserted
 * (that is the benchmarks' job): what is asserted is what was sent, when it
 * was meant to be sent, and how requests behind the cap were counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "profile.h"
#include "scheduler.h"

typedef struct fake_s {
  uv_loop_t *loop;
  uint64_t delay_ms; /* completion delay; UINT64_MAX = never (hung) */
  int64_t *intended; /* intended times seen, from t0 */
  size_t nintended, cap;
  ed_sched_t *sched;
  int done;
  int hung;
  ed_request_t *hung_reqs[64];
} fake_t;

typedef struct pending_s {
  uv_timer_t timer;
  ed_request_t *req;
} pending_t;

static void on_closed(uv_handle_t *h) {
  free(h->data);
}

static void complete(uv_timer_t *t) {
  pending_t *p = t->data;
  ed_result_t res = {.err = ED_ERRCLASS_NONE, .code = 200};
  p->req->done(p->req, &res);
  uv_close((uv_handle_t *)t, on_closed);
}

static int fake_submit(void *ctx, ed_request_t *req) {
  fake_t *f = ctx;
  if (f->nintended < f->cap)
    f->intended[f->nintended++] =
        (int64_t)req->intended_ns - (int64_t)ed_sched_t0(f->sched);
  if (f->delay_ms == UINT64_MAX) {
    f->hung_reqs[f->hung++] = req;
    return 0;
  }
  pending_t *p = calloc(1, sizeof(*p));
  p->req = req;
  uv_timer_init(f->loop, &p->timer);
  p->timer.data = p;
  uv_timer_start(&p->timer, complete, f->delay_ms, 0);
  return 0;
}

static void on_done(void *arg) {
  ((fake_t *)arg)->done = 1;
}

typedef struct run_s {
  uv_loop_t loop;
  fake_t fake;
  ed_metrics_t *metrics;
  ed_sched_t *sched;
} run_t;

static void run_setup(run_t *r, const ed_segment_t *segs, size_t nsegs, int cap,
                      int64_t drop_after_ms, uint64_t delay_ms) {
  memset(r, 0, sizeof(*r));
  assert_int_equal(uv_loop_init(&r->loop), 0);
  r->fake.loop = &r->loop;
  r->fake.delay_ms = delay_ms;
  r->fake.cap = 100000;
  r->fake.intended = calloc(r->fake.cap, sizeof(int64_t));
  size_t one = 1;
  assert_int_equal(ed_metrics_create(1, &one, &nsegs, 3, &r->metrics), 0);
  ed_stream_spec_t spec = {
      .segs = segs,
      .nsegs = nsegs,
      .arrival = ED_ARRIVAL_UNIFORM,
      .max_in_flight = cap,
      .timeout_ms = 1000,
      .drop_after_ns = drop_after_ms * 1000000,
      .submit = fake_submit,
      .submit_ctx = &r->fake,
  };
  ed_sched_events_t ev = {.arg = &r->fake, .done = on_done};
  assert_int_equal(
      ed_sched_create(&r->loop, &spec, 1, 1, r->metrics, &ev, &r->sched), 0);
  r->fake.sched = r->sched;
}

static void run_teardown(run_t *r) {
  ed_sched_destroy(r->sched);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&r->loop), 0);
  ed_metrics_destroy(r->metrics);
  free(r->fake.intended);
}

static ed_counts_t totals(run_t *r, size_t nsegs) {
  ed_counts_t c;
  memset(&c, 0, sizeof(c));
  for (size_t ph = 0; ph < nsegs; ph++) {
    const ed_cell_t *cell = ed_metrics_cell(r->metrics, 0, 0, ph);
    if (cell)
      ed_counts_add(&c, &cell->counts);
  }
  return c;
}

/* Every request goes out, and each carries the intended time the profile
 * gives, whatever time it actually left. */
static void test_intended_times_follow_profile(void **state) {
  (void)state;
  ed_segment_t segs[2] = {
      {.name = "a", .kind = ED_SEG_CONSTANT, .from = 200, .duration_ms = 500},
      {.name = "b",
       .kind = ED_SEG_RAMP,
       .from = 200,
       .to = 400,
       .duration_ms = 500}};
  run_t r;
  run_setup(&r, segs, 2, 64, 1000, 1);
  ed_sched_start(r.sched);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  assert_true(r.fake.done);

  ed_profile_t p;
  ed_profile_init(&p, segs, 2, ED_ARRIVAL_UNIFORM, 0);
  int64_t t;
  size_t seg, n = 0;
  while (ed_profile_next(&p, &t, &seg) == 0) {
    assert_true(n < r.fake.nintended);
    assert_int_equal(r.fake.intended[n], t);
    n++;
  }
  assert_int_equal(n, r.fake.nintended);
  ed_counts_t c = totals(&r, 2);
  assert_int_equal(c.sent, n);
  assert_int_equal(c.completed, n);
  assert_int_equal(c.ok, n);
  assert_int_equal(c.late + c.dropped, 0);
  /* Phases hold their own requests: 100 in the first half second. */
  assert_int_equal(ed_metrics_cell(r.metrics, 0, 0, 0)->counts.sent, 100);
  run_teardown(&r);
}

/* Two slots and a device 50 ms slow against 100 req/s: requests wait for a
 * slot and are counted late, none is silently shifted or lost. */
static void test_cap_counts_late(void **state) {
  (void)state;
  ed_segment_t seg = {
      .name = "s", .kind = ED_SEG_CONSTANT, .from = 100, .duration_ms = 1000};
  run_t r;
  run_setup(&r, &seg, 1, 2, 10000, 50);
  ed_sched_start(r.sched);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  assert_true(r.fake.done);
  ed_counts_t c = totals(&r, 1);
  assert_int_equal(c.sent + c.dropped, 100);
  assert_int_equal(c.dropped, 0);
  assert_int_equal(c.completed, 100);
  /* 2 slots of 50 ms serve 40/s: most of the 100 waited. */
  assert_true(c.late >= 50);
  /* Latency from the intended time includes the wait: the last request
   * waited about 1.5 s, far above the device's 50 ms. */
  const ed_cell_t *cell = ed_metrics_cell(r.metrics, 0, 0, 0);
  assert_true(ed_hist_max(cell->latency) > 1000000);
  assert_true(ed_hist_max(cell->service) < 1000000);
  /* The send lag of requests that had a slot stays small; late ones are
   * not in it. */
  assert_true(ed_hist_count(cell->lag) == c.sent - c.late);
  run_teardown(&r);
}

static void release_hung(uv_timer_t *t) {
  fake_t *f = t->data;
  ed_result_t res = {.err = ED_ERRCLASS_TIMEOUT};
  for (int i = 0; i < f->hung; i++)
    f->hung_reqs[i]->done(f->hung_reqs[i], &res);
  f->hung = 0;
  uv_close((uv_handle_t *)t, NULL);
}

/* A hung device with one slot: what waits longer than the drop bound is
 * dropped on time even though nothing completes. */
static void test_hung_device_drops(void **state) {
  (void)state;
  ed_segment_t seg = {
      .name = "s", .kind = ED_SEG_CONSTANT, .from = 50, .duration_ms = 500};
  run_t r;
  run_setup(&r, &seg, 1, 1, 100, UINT64_MAX);
  uv_timer_t release;
  uv_timer_init(&r.loop, &release);
  release.data = &r.fake;
  uv_timer_start(&release, release_hung, 1500, 0);
  ed_sched_start(r.sched);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  assert_true(r.fake.done);
  ed_counts_t c = totals(&r, 1);
  assert_int_equal(c.sent, 1);
  assert_int_equal(c.dropped, 24);
  assert_int_equal(c.completed, 1);
  assert_int_equal(c.errors[ED_ERRCLASS_TIMEOUT], 1);
  run_teardown(&r);
}

static void stop_now(uv_timer_t *t) {
  ed_sched_stop(t->data);
  uv_close((uv_handle_t *)t, NULL);
}

/* Stopping mid-run sends nothing more; what is in flight still completes. */
static void test_stop(void **state) {
  (void)state;
  ed_segment_t seg = {
      .name = "s", .kind = ED_SEG_CONSTANT, .from = 100, .duration_ms = 10000};
  run_t r;
  run_setup(&r, &seg, 1, 64, 1000, 20);
  uv_timer_t stop;
  uv_timer_init(&r.loop, &stop);
  stop.data = r.sched;
  uv_timer_start(&stop, stop_now, 300, 0);
  ed_sched_start(r.sched);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  assert_true(r.fake.done);
  ed_counts_t c = totals(&r, 1);
  assert_true(c.sent > 10 && c.sent < 100);
  assert_int_equal(c.completed, c.sent);
  assert_int_equal(ed_sched_in_flight(r.sched), 0);
  run_teardown(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_intended_times_follow_profile),
      cmocka_unit_test(test_cap_counts_late),
      cmocka_unit_test(test_hung_device_drops),
      cmocka_unit_test(test_stop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
