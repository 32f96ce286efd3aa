/*
 * pattern tests: the POSIX extended expressions users already write keep
 * their meaning; pathological patterns are refused at compile time, fast and
 * with a reason; a match that runs into a limit says so instead of passing
 * or failing quietly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "error.h"
#include "pattern.h"

static ed_pattern_t *compile(const char *text) {
  ed_pattern_t *p = NULL;
  char why[256] = "";
  int rc = ed_pattern_compile(text, &p, why, sizeof(why));
  if (rc != 0)
    fail_msg("\"%s\" refused: %s", text, why);
  assert_string_equal(ed_pattern_text(p), text);
  return p;
}

static int matches(const char *pattern, const char *subject) {
  ed_pattern_t *p = compile(pattern);
  char why[256];
  int m = ed_pattern_match(p, subject, strlen(subject), why, sizeof(why));
  ed_pattern_destroy(p);
  return m;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_posix_extended(void **state) {
  (void)state;
  assert_int_equal(matches("^hel+o$", "hello"), 1);
  assert_int_equal(matches("^hel+o$", "helllo"), 1);
  assert_int_equal(matches("^hel+o$", "help"), 0);
  assert_int_equal(matches("^1\\.[0-9]+", "1.25.3"), 1);
  assert_int_equal(matches("^1\\.[0-9]+", "2.1"), 0);
  assert_int_equal(matches("^active$", "active"), 1);
  assert_int_equal(matches("^active$", "inactive"), 0);
  assert_int_equal(matches("^[[:digit:]]{3}-[[:alpha:]]+$", "123-abc"), 1);
  assert_int_equal(matches("^(On|Off)$", "Off"), 1);
  assert_int_equal(matches("^(On|Off)$", "Of"), 0);
  assert_int_equal(matches("colou?r", "the color red"), 1);
  /* A counted repeat of 1,000 is a plain pattern, not a limit. */
  char x1000[1001];
  memset(x1000, 'x', 1000);
  x1000[1000] = '\0';
  assert_int_equal(matches("^x{1000}$", x1000), 1);
  x1000[999] = '\0';
  assert_int_equal(matches("^x{1000}$", x1000), 0);
}

/* POSIX meanings PCRE2 would change by default. */
static void test_posix_anchors_and_dot(void **state) {
  (void)state;
  /* "$" is the very end: a final newline is not skipped. */
  assert_int_equal(matches("^abc$", "abc\n"), 0);
  /* "." takes a newline. */
  assert_int_equal(matches("^a.c$", "a\nc"), 1);
  /* Characters, not bytes. */
  assert_int_equal(matches("^caf.$", "caf\xc3\xa9"), 1);
  /* A subject that is not UTF-8 is matched, not refused. */
  assert_int_equal(matches("ok", "\xff\xfe ok"), 1);
}

static void expect_refused(const char *text, const char *reason) {
  ed_pattern_t *p = (ed_pattern_t *)1;
  char why[256] = "";
  double t0 = now_ms();
  assert_int_equal(ed_pattern_compile(text, &p, why, sizeof(why)), ED_EINVAL);
  double took = now_ms() - t0;
  assert_null(p);
  if (!strstr(why, reason))
    fail_msg("\"%.40s\": reason \"%s\" lacks \"%s\"", text, why, reason);
  /* Refused at once, not after expanding the pattern: a generous bound. */
  assert_true(took < 1000.0);
}

static void test_compile_limits(void **state) {
  (void)state;
  expect_refused("((a{1,255}){1,255}){1,255}", "too large once compiled");
  expect_refused("(((a{1,255}){1,255}){1,255}){1,255}",
                 "too large once compiled");
  char *longp = malloc(ED_PATTERN_MAX_LENGTH + 2);
  assert_non_null(longp);
  memset(longp, 'a', ED_PATTERN_MAX_LENGTH + 1);
  longp[ED_PATTERN_MAX_LENGTH + 1] = '\0';
  expect_refused(longp, "longer than the limit of 1000");
  /* Exactly at the limit is accepted. */
  longp[ED_PATTERN_MAX_LENGTH] = '\0';
  ed_pattern_destroy(compile(longp));
  free(longp);
  char deep[2 * (ED_PATTERN_MAX_NESTING + 1) + 2];
  size_t n = 0;
  for (int i = 0; i <= ED_PATTERN_MAX_NESTING; i++)
    deep[n++] = '(';
  deep[n++] = 'a';
  for (int i = 0; i <= ED_PATTERN_MAX_NESTING; i++)
    deep[n++] = ')';
  deep[n] = '\0';
  expect_refused(deep, "nested more than the limit of 32");
  expect_refused("^1\\.([0-9]+", "missing closing parenthesis");
}

static void test_match_limits(void **state) {
  (void)state;
  /* Catastrophic backtracking: stopped by the step limit, and said so. */
  char subject[64];
  memset(subject, 'a', 40);
  strcpy(subject + 40, "!");
  ed_pattern_t *p = compile("^(a|aa)+$");
  char why[256] = "";
  double t0 = now_ms();
  assert_int_equal(
      ed_pattern_match(p, subject, strlen(subject), why, sizeof(why)),
      ED_ERANGE);
  assert_true(now_ms() - t0 < 5000.0);
  assert_non_null(strstr(why, "stopped at its limit"));
  ed_pattern_destroy(p);
  /* A pattern cannot raise the limits it is given. */
  p = compile("(*LIMIT_MATCH=4000000000)^(a|aa)+$");
  assert_int_equal(
      ed_pattern_match(p, subject, strlen(subject), why, sizeof(why)),
      ED_ERANGE);
  ed_pattern_destroy(p);
  /* The limit holds for the whole match, not for each place it is tried
   * from: each run of 16 "a" costs (a+)+$ some 100,000 steps, under the
   * limit of one place; 8 kB of them once took minutes. */
  size_t rep = 8000;
  char *many = malloc(rep + 1);
  assert_non_null(many);
  for (size_t i = 0; i < rep; i++)
    many[i] = i % 17 == 16 ? '!' : 'a';
  many[rep] = '\0';
  p = compile("(a+)+$");
  assert_int_equal(ed_pattern_match(p, many, rep, why, sizeof(why)), ED_ERANGE);
  assert_non_null(strstr(why, "steps in all"));
  ed_pattern_destroy(p);
  free(many);
  /* A long value with a simple pattern is no problem. */
  size_t big = 8u << 20;
  char *text = malloc(big + 8);
  assert_non_null(text);
  memset(text, 'z', big);
  memcpy(text + big, "active", 7);
  p = compile("active");
  assert_int_equal(ed_pattern_match(p, text, big + 6, why, sizeof(why)), 1);
  ed_pattern_destroy(p);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_posix_extended),
      cmocka_unit_test(test_posix_anchors_and_dot),
      cmocka_unit_test(test_compile_limits),
      cmocka_unit_test(test_match_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
