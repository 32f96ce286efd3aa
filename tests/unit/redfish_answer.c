/* Unit tests of drivers/redfish/answer.c: interim answers, the limits, the
 * end of an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer.h"

#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define BODY "{\"PowerState\":\"On\"}"
#define OK_ANSWER "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\n" BODY

typedef struct {
  char buf[256];
  size_t len, cap; /* cap: refuse past it */
} sink_t;

static size_t take(void *arg, const char *p, size_t len) {
  sink_t *s = arg;
  if (s->len + len > s->cap)
    return 0;
  if (s->len + len < sizeof(s->buf))
    memcpy(s->buf + s->len, p, len);
  s->len += len;
  return len;
}

/* Feed text in pieces of step bytes until the answer ends or fails; the
 * bytes used. */
static size_t feed(ed__rf_answer_t *a, const char *text, size_t n,
                   size_t step) {
  size_t used = 0;
  for (size_t off = 0; off < n && !a->done && !a->err; off += step) {
    size_t k = n - off < step ? n - off : step;
    used += ed__rf_answer_feed(a, text + off, k);
  }
  return used;
}

static void interim_then_answer(void **state) {
  (void)state;
  static const char text[] = CONTINUE CONTINUE
      "HTTP/1.1 102 Processing\r\nX-Step: 1\r\n\r\n" OK_ANSWER;
  for (size_t step = 1; step <= sizeof(text); step *= 3) {
    sink_t s = {.cap = 1000};
    ed__rf_answer_t a;
    ed__rf_answer_init(&a, take, &s);
    assert_int_equal(feed(&a, text, sizeof(text) - 1, step), sizeof(text) - 1);
    assert_true(a.done);
    assert_int_equal(a.err, ED__RF_ANSWER_OK);
    assert_int_equal(a.status, 200);
    assert_int_equal(a.interims, 3);
    assert_true(a.reuse);
    assert_int_equal(s.len, strlen(BODY));
    assert_memory_equal(s.buf, BODY, s.len);
  }
}

static void too_many_interim(void **state) {
  (void)state;
  char text[64 * 32];
  size_t n = 0;
  for (int i = 0; i < ED__RF_INTERIM_MAX + 1; i++)
    n += (size_t)snprintf(text + n, sizeof(text) - n, CONTINUE);
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  feed(&a, text, n, 7);
  assert_false(a.done);
  assert_int_equal(a.err, ED__RF_ANSWER_INTERIM);
  char why[128];
  assert_non_null(strstr(ed__rf_answer_why(&a, why, sizeof(why)), "1xx"));
  /* Nothing more is read once it failed. */
  assert_int_equal(ed__rf_answer_feed(&a, OK_ANSWER, 10), 0);
}

/* Interim answers under the count, each with headers under http-parser's
 * own limit, still reach the bound on what is no body. */
static void heads_bounded(void **state) {
  (void)state;
  size_t line = 64, per = 60000 / line;
  size_t cap = per * line + 64;
  char *one = malloc(cap);
  assert_non_null(one);
  size_t n = (size_t)snprintf(one, cap, "HTTP/1.1 100 Continue\r\n");
  for (size_t i = 0; i < per; i++)
    n += (size_t)snprintf(one + n, line + 1, "X-Pad-%06zu: %0*d\r\n", i,
                          (int)(line - 16), 0);
  n += (size_t)snprintf(one + n, cap - n, "\r\n");
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  for (int i = 0; i < ED__RF_INTERIM_MAX && !a.err; i++)
    feed(&a, one, n, 4096);
  free(one);
  assert_int_equal(a.err, ED__RF_ANSWER_HEAD);
  assert_true(a.fed <= ED__RF_HEAD_MAX + 4096);
}

static void switching_refused(void **state) {
  (void)state;
  static const char text[] =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nabc";
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  feed(&a, text, sizeof(text) - 1, 5);
  assert_false(a.done);
  assert_int_equal(a.err, ED__RF_ANSWER_SWITCH);
}

static void body_refused(void **state) {
  (void)state;
  sink_t s = {.cap = 10};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  feed(&a, OK_ANSWER, strlen(OK_ANSWER), 100);
  assert_int_equal(a.err, ED__RF_ANSWER_BODY);
  assert_true(a.body_bytes <= 10);
}

static void bytes_past_the_answer(void **state) {
  (void)state;
  static const char text[] = OK_ANSWER "HTTP/1.1 200";
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  size_t used = ed__rf_answer_feed(&a, text, sizeof(text) - 1);
  assert_true(a.done);
  assert_int_equal(used, strlen(OK_ANSWER));
  assert_int_equal(ed__rf_answer_feed(&a, "x", 1), 0);
}

static void body_to_close(void **state) {
  (void)state;
  static const char text[] =
      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" BODY;
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  feed(&a, text, sizeof(text) - 1, 8);
  assert_false(a.done);
  ed__rf_answer_feed(&a, NULL, 0); /* the connection ends */
  assert_true(a.done);
  assert_false(a.reuse);
  assert_int_equal(s.len, strlen(BODY));
}

static void garbage(void **state) {
  (void)state;
  sink_t s = {.cap = 1000};
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &s);
  feed(&a, "HTXP/9.9 hello\r\n\r\n", 18, 3);
  assert_int_equal(a.err, ED__RF_ANSWER_PARSE);
  char why[128];
  assert_non_null(
      strstr(ed__rf_answer_why(&a, why, sizeof(why)), "invalid HTTP"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(interim_then_answer),
      cmocka_unit_test(too_many_interim),
      cmocka_unit_test(heads_bounded),
      cmocka_unit_test(switching_refused),
      cmocka_unit_test(body_refused),
      cmocka_unit_test(bytes_past_the_answer),
      cmocka_unit_test(body_to_close),
      cmocka_unit_test(garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
