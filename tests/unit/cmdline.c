/* ed_cmdline_join: the words as given, and a hidden option's value, in
 * both spellings, replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cmdline.h"

static void check(const char *prog, int argc, char **argv,
                  const char *const *hidden, const char *want) {
  char *got = ed_cmdline_join(prog, argc, argv, hidden);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

static void test_plain(void **state) {
  (void)state;
  char *argv[] = {"run", "scenarios/quickstart.json", "--seed", "7"};
  check("eventdrill", 4, argv, NULL,
        "eventdrill run scenarios/quickstart.json --seed 7");
  check("./eventdrill", 0, argv, NULL, "./eventdrill");
}

static void test_hidden(void **state) {
  (void)state;
  static const char *const hidden[] = {"--hook", NULL};
  char *argv[] = {"watch",
                  "fleet.json",
                  "--hook",
                  "curl -H 'X-Token: s3'",
                  "--hook=notify s3",
                  "--hooks",
                  "x",
                  "--json"};
  check("eventdrill", 8, argv, hidden,
        "eventdrill watch fleet.json --hook CMD --hook=CMD --hooks x --json");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain),
      cmocka_unit_test(test_hidden),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
