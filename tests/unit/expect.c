/*
 * expect tests: a check's "match" judged on a device's value. A match that
 * runs into its limit is a failed check that says so, never a pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"
#include "pattern.h"

static int judge(const char *pattern, const char *value, char *why,
                 size_t len) {
  ed_expect_t e = {0};
  char err[256];
  assert_int_equal(ed_pattern_compile(pattern, &e.pattern, err, sizeof(err)),
                   0);
  e.match = (char *)pattern;
  ed_probe_outcome_t o = {0};
  o.value = (char *)value;
  int ok = ed_expect_eval(&e, &o, why, len);
  ed_pattern_destroy(e.pattern);
  return ok;
}

static void test_match_pass_and_fail(void **state) {
  (void)state;
  char why[512];
  assert_int_equal(judge("^hel+o$", "\"hello\"", why, sizeof(why)), 1);
  assert_string_equal(why, "ok");
  assert_int_equal(judge("^hel+o$", "\"help\"", why, sizeof(why)), 0);
  assert_non_null(strstr(why, "does not match /^hel+o$/"));
  /* A number is matched on its text. */
  assert_int_equal(judge("^4[0-9]$", "42", why, sizeof(why)), 1);
}

static void test_match_limit_fails_the_check(void **state) {
  (void)state;
  char why[512];
  char value[64];
  snprintf(value, sizeof(value), "\"%s!\"",
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  assert_int_equal(judge("^(a|aa)+$", value, why, sizeof(why)), 0);
  assert_non_null(strstr(why, "stopped at its limit"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_match_pass_and_fail),
      cmocka_unit_test(test_match_limit_fails_the_check),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
