/*
 * names tests: exact look-up, and suggestions that are the closest name in
 * a small set and stay bounded in a large one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "names.h"

static void test_small_set(void **state) {
  (void)state;
  const char *const names[] = {"bmc1", "bmc2", NULL, "database-primary", "web"};
  ed_names_t *x = NULL;
  assert_int_equal(ed_names_create(names, 5, &x), 0);
  assert_int_equal(ed_names_find(x, "bmc2"), 1);
  assert_int_equal(ed_names_find(x, "web"), 4);
  assert_int_equal(ed_names_find(x, "bmc3"), -1);
  assert_int_equal(ed_names_find(x, ""), -1);
  /* The closest, the first defined on a tie. */
  assert_string_equal(ed_names_suggest(x, "bmc3"), "bmc1");
  assert_string_equal(ed_names_suggest(x, "databse-primary"),
                      "database-primary");
  assert_string_equal(ed_names_suggest(x, "Web"), "web");
  assert_null(ed_names_suggest(x, "storage"));
  /* Same answers as the short-list suggestion. */
  const char *const list[] = {"bmc1", "bmc2", "database-primary", "web", NULL};
  const char *words[] = {"bmc3", "databse-primary", "Web", "storage", "wbe"};
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    const char *a = ed_names_suggest(x, words[i]);
    const char *b = ed_did_you_mean(words[i], list);
    assert_true((a == NULL) == (b == NULL));
    if (a)
      assert_string_equal(a, b);
  }
  ed_names_destroy(x);
}

/* 50,000 names of the same length: every misspelling of the common kinds
 * (swapped letters at the start, a changed digit at the end) finds its
 * name, and each look-up compares with a bounded number of names. */
static void test_large_set(void **state) {
  (void)state;
  enum { N = 50000 };
  char(*buf)[16] = malloc(N * sizeof(*buf));
  const char **names = malloc(N * sizeof(*names));
  assert_non_null(buf);
  assert_non_null(names);
  for (int i = 0; i < N; i++) {
    snprintf(buf[i], sizeof(buf[i]), "bmc-%05d", i);
    names[i] = buf[i];
  }
  ed_names_t *x = NULL;
  assert_int_equal(ed_names_create(names, N, &x), 0);
  char word[32], want[16];
  for (int i = 0; i < N; i += 7) {
    assert_int_equal(ed_names_find(x, names[i]), i);
    snprintf(word, sizeof(word), "bcm-%05d", i);
    const char *got = ed_names_suggest(x, word);
    assert_non_null(got);
    assert_string_equal(got, names[i]);
    snprintf(word, sizeof(word), "bmc-%05dx", i);
    snprintf(want, sizeof(want), "bmc-%05d", i);
    assert_string_equal(ed_names_suggest(x, word), want);
  }
  assert_null(ed_names_suggest(x, "storage-array"));
  ed_names_destroy(x);
  free(names);
  free(buf);
}

static void test_edit_distance(void **state) {
  (void)state;
  assert_int_equal(ed_edit_distance("taregts", "targets", 3), 1);
  assert_int_equal(ed_edit_distance("maxinflight", "max_in_flight", 3), 2);
  assert_int_equal(ed_edit_distance("Driver", "driver", 3), 0);
  /* Over the limit: limit + 1, also when the lengths alone say so. */
  assert_int_equal(ed_edit_distance("abc", "xyz", 1), 2);
  assert_int_equal(ed_edit_distance("a", "abcdef", 2), 3);
  assert_int_equal(ed_edit_distance("kitten", "sitting", 3), 3);
  assert_int_equal(ed_edit_distance("kitten", "sitting", 2), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_small_set),
      cmocka_unit_test(test_large_set),
      cmocka_unit_test(test_edit_distance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
