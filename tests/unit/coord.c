/*
 * coord tests: three shards of one drill on one loop, over loopback: the
 * barrier starts them at one instant, an abort reaches every other shard
 * with who and why, a wrong token is refused (and the barrier then gives up
 * naming the missing shard), bad settings are refused with a reason; every
 * channel closes and frees what it holds.
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
  ed_coord_events_t ev = {.arg = s, .start = on_start, .abort = on_abort};
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
      cmocka_unit_test(bad_settings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
