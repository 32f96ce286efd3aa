/*
 * coord tests: three shards of one drill on one loop, over loopback: the
 * barrier starts them at one instant, an abort reaches every other shard
 * with who and why, a wrong token is refused (and the barrier then gives up
 * naming the missing shard), bad settings are refused with a reason; a
 * shard's call reaches the shard it names (relayed by the coordinator, or
 * held until that shard has joined) and its answer comes back, every shard
 * is released once all have drained, and a call still waiting when the
 * drill stops fails with why; every channel closes and frees what it
 * holds.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "coord.h"

#define SHARDS 3
#define TOKEN "a-token-of-sixteen-or-more"

typedef struct shard_s {
  struct world_s *w;
  unsigned index;
  ed_coord_t *c;
  int started, closed;
  uint64_t t0;
  char aborted[512];
  int silent;   /* serves without answering */
  int answered; /* answers to its call */
  long long answered_by;
  char failed[512]; /* why its call failed */
  int released;
} shard_t;

typedef struct world_s {
  uv_loop_t loop;
  shard_t s[SHARDS];
  char address[32];
  int nstarted;
  void (*all_started)(struct world_s *);
} world_t;

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t n = sizeof(a);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static void on_start(void *arg, uint64_t t0) {
  shard_t *s = arg;
  s->started++;
  s->t0 = t0;
  if (++s->w->nstarted == SHARDS && s->w->all_started)
    s->w->all_started(s->w);
}

static void on_abort(void *arg, const char *why) {
  shard_t *s = arg;
  snprintf(s->aborted, sizeof(s->aborted), "%s", why);
}

static void on_serve(void *arg, const json_t *req, ed_coord_caller_t from) {
  shard_t *s = arg;
  if (!s->silent)
    ed_coord_answer(s->c, from,
                    json_pack("{s:i,s:O}", "by", (int)s->index, "req", req));
}

static void on_released(void *arg) {
  shard_t *s = arg;
  s->released++;
}

static void on_answer(void *arg, const json_t *answer, const char *why) {
  shard_t *s = arg;
  if (!answer) {
    snprintf(s->failed, sizeof(s->failed), "%s", why);
    return;
  }
  s->answered++;
  s->answered_by = json_integer_value(json_object_get(answer, "by"));
  assert_int_equal(json_integer_value(
                       json_object_get(json_object_get(answer, "req"), "from")),
                   s->index);
}

static void call(shard_t *s, unsigned to) {
  ed_coord_call(s->c, to, json_pack("{s:i}", "from", (int)s->index), on_answer,
                s);
}

static void on_closed(void *arg) {
  shard_t *s = arg;
  s->closed = 1;
}

static int open_shard(world_t *w, unsigned i, const char *token,
                      uint64_t wait_ms, char *err, size_t errlen) {
  shard_t *s = &w->s[i];
  s->w = w;
  s->index = i;
  ed_coord_config_t cfg = {.address = w->address,
                           .shard = i,
                           .count = SHARDS,
                           .token = token,
                           .drill = "sha256-of-the-scenario rehearse",
                           .wait_ms = wait_ms};
  ed_coord_events_t ev = {.arg = s,
                          .start = on_start,
                          .abort = on_abort,
                          .serve = on_serve,
                          .released = on_released};
  return ed_coord_open(&w->loop, &cfg, &ev, &s->c, err, errlen);
}

static void world_init(world_t *w) {
  memset(w, 0, sizeof(*w));
  assert_int_equal(uv_loop_init(&w->loop), 0);
  snprintf(w->address, sizeof(w->address), "127.0.0.1:%d", free_port());
}

static void finish_all(world_t *w) {
  for (unsigned i = 0; i < SHARDS; i++)
    if (w->s[i].c && !w->s[i].closed)
      ed_coord_finish(w->s[i].c, on_closed, &w->s[i]);
}

static void world_close(world_t *w) {
  finish_all(w);
  uv_run(&w->loop, UV_RUN_DEFAULT);
  for (unsigned i = 0; i < SHARDS; i++)
    assert_true(w->s[i].closed || !w->s[i].c);
  assert_int_equal(uv_loop_close(&w->loop), 0);
}

/* Every shard open with the right token, and ready. */
static void world_open_ready(world_t *w) {
  char err[256];
  world_init(w);
  for (unsigned i = 0; i < SHARDS; i++) {
    assert_int_equal(open_shard(w, i, TOKEN, 20000, err, sizeof(err)), 0);
    ed_coord_ready(w->s[i].c);
  }
}

static void barrier(void **state) {
  (void)state;
  world_t w;
  world_open_ready(&w);
  w.all_started = finish_all;
  uv_run(&w.loop, UV_RUN_DEFAULT);
  for (unsigned i = 0; i < SHARDS; i++) {
    shard_t *s = &w.s[i];
    assert_int_equal(s->started, 1);
    assert_string_equal(s->aborted, "");
    /* one process, one clock: the same instant to within the measure */
    int64_t d = (int64_t)(s->t0 - w.s[0].t0);
    assert_true(d > -2000000 && d < 2000000);
    assert_true(s->closed);
  }
  assert_int_equal(uv_loop_close(&w.loop), 0);
}

static void abort_after_start(world_t *w) {
  ed_coord_abort(w->s[2].c, "a guardrail tripped");
}

static void abort_reaches_all(void **state) {
  (void)state;
  world_t w;
  world_open_ready(&w);
  w.all_started = abort_after_start;
  while (!w.s[0].aborted[0] || !w.s[1].aborted[0])
    uv_run(&w.loop, UV_RUN_ONCE);
  assert_string_equal(w.s[0].aborted, "shard 2 of 3 aborted: a guardrail "
                                      "tripped");
  assert_string_equal(w.s[1].aborted, "shard 2 of 3 aborted: a guardrail "
                                      "tripped");
  assert_string_equal(w.s[2].aborted, ""); /* it knows: it said so */
  world_close(&w);
}

static void wrong_token(void **state) {
  (void)state;
  world_t w;
  world_init(&w);
  char err[256];
  assert_int_equal(open_shard(&w, 0, TOKEN, 1500, err, sizeof(err)), 0);
  assert_int_equal(open_shard(&w, 1, TOKEN, 1500, err, sizeof(err)), 0);
  assert_int_equal(
      open_shard(&w, 2, "another-token-entirely", 1500, err, sizeof(err)), 0);
  for (unsigned i = 0; i < SHARDS; i++)
    ed_coord_ready(w.s[i].c);
  while (!w.s[0].aborted[0] || !w.s[2].aborted[0])
    uv_run(&w.loop, UV_RUN_ONCE);
  assert_non_null(strstr(w.s[2].aborted, "refused this shard: wrong token"));
  assert_non_null(strstr(w.s[0].aborted, "shard 2 (never joined)"));
  assert_null(strstr(w.s[0].aborted, "shard 1"));
  while (!w.s[1].aborted[0])
    uv_run(&w.loop, UV_RUN_ONCE);
  assert_string_equal(w.s[1].aborted, w.s[0].aborted); /* told by shard 0 */
  for (unsigned i = 0; i < SHARDS; i++)
    assert_int_equal(w.s[i].started, 0);
  world_close(&w);
}

static void drain_all(world_t *w) {
  for (unsigned i = 0; i < SHARDS; i++)
    ed_coord_drained(w->s[i].c);
}

/* Calls made before the shards have joined wait for them: 2 -> 1 goes
 * through the coordinator, 1 -> 0 and 0 -> 2 straight. */
static void calls_answered(void **state) {
  (void)state;
  world_t w;
  world_open_ready(&w);
  call(&w.s[2], 1);
  call(&w.s[1], 0);
  call(&w.s[0], 2);
  w.all_started = drain_all;
  while (w.s[0].released + w.s[1].released + w.s[2].released < SHARDS)
    uv_run(&w.loop, UV_RUN_ONCE);
  assert_int_equal(w.s[2].answered, 1);
  assert_int_equal(w.s[2].answered_by, 1);
  assert_int_equal(w.s[1].answered, 1);
  assert_int_equal(w.s[1].answered_by, 0);
  assert_int_equal(w.s[0].answered, 1);
  assert_int_equal(w.s[0].answered_by, 2);
  for (unsigned i = 0; i < SHARDS; i++) {
    assert_string_equal(w.s[i].failed, "");
    assert_string_equal(w.s[i].aborted, "");
    assert_int_equal(w.s[i].released, 1);
  }
  world_close(&w);
}

/* Shard 1 never answers; the drill stops: shard 2's call fails saying so,
 * and a shard that had drained is released without the others. */
static void call_fails_on_abort(world_t *w) {
  ed_coord_drained(w->s[0].c);
  assert_int_equal(w->s[0].released, 0); /* 1 and 2 have not drained */
  call(&w->s[2], 1);
  ed_coord_abort(w->s[1].c, "interrupted by SIGINT");
}

static void calls_fail_when_stopped(void **state) {
  (void)state;
  world_t w;
  world_open_ready(&w);
  w.s[1].silent = 1;
  w.all_started = call_fails_on_abort;
  while (!w.s[2].failed[0] || !w.s[0].released)
    uv_run(&w.loop, UV_RUN_ONCE);
  assert_non_null(strstr(w.s[2].failed, "interrupted by SIGINT"));
  assert_int_equal(w.s[2].answered, 0);
  call(&w.s[2], 0); /* after the stop: fails at once */
  assert_string_equal(w.s[2].failed, "the drill has stopped");
  world_close(&w);
}

static void bad_settings(void **state) {
  (void)state;
  world_t w;
  world_init(&w);
  char err[256] = "";
  assert_int_equal(open_shard(&w, 1, "short", 1000, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "at least 16 characters"));
  snprintf(w.address, sizeof(w.address), "127.0.0.1:0");
  assert_int_equal(open_shard(&w, 1, TOKEN, 1000, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "must not be 0"));
  snprintf(w.address, sizeof(w.address), "127.0.0.1:http");
  assert_int_equal(open_shard(&w, 1, TOKEN, 1000, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "a number in 0..65535"));
  uv_run(&w.loop, UV_RUN_DEFAULT); /* what was opened is closed and freed */
  assert_int_equal(uv_loop_close(&w.loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(barrier),
      cmocka_unit_test(abort_reaches_all),
      cmocka_unit_test(wrong_token),
      cmocka_unit_test(calls_answered),
      cmocka_unit_test(calls_fail_when_stopped),
      cmocka_unit_test(bad_settings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
