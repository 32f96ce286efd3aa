/* shard: the name hash (FNV-1a 64, its published test values), --shard
 * I/N parsing, and targets dealt by a label's sorted values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "shard.h"

static void fnv1a64_values(void **state) {
  (void)state;
  assert_true(ed_shard_fnv1a64("") == 0xcbf29ce484222325ULL);
  assert_true(ed_shard_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  assert_true(ed_shard_fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

static void parse_values(void **state) {
  (void)state;
  unsigned i = 9, n = 9;
  char err[256];
  assert_int_equal(ed_shard_parse("0/1", &i, &n, err, sizeof(err)), 0);
  assert_int_equal(i, 0);
  assert_int_equal(n, 1);
  assert_int_equal(ed_shard_parse("3/4", &i, &n, err, sizeof(err)), 0);
  assert_int_equal(i, 3);
  assert_int_equal(n, 4);
  static const char *const bad[] = {"0/0",  "3/2",  "2/2",  "x",
                                    "1/",   "/2",   "-1/2", "1/2x",
                                    " 1/2", "1/+2", "",     "1/99999"};
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    err[0] = '\0';
    assert_int_equal(ed_shard_parse(bad[k], &i, &n, err, sizeof(err)),
                     ED_EINVAL);
    assert_non_null(strstr(err, "--shard"));
  }
  assert_int_equal(ed_shard_parse(NULL, &i, &n, err, sizeof(err)), ED_EINVAL);
}

static ed_target_t target(const char *name, const char *site) {
  ed_target_t t;
  memset(&t, 0, sizeof(t));
  t.name = (char *)name;
  t.path = (char *)name;
  t.labels = site ? json_pack("{s:s}", "site", site) : NULL;
  return t;
}

static void by_label(void **state) {
  (void)state;
  ed_target_t t[5] = {target("x1", "paris"), target("x2", "lyon"),
                      target("x3", "nice"), target("x4", "paris"),
                      target("x5", "brest")};
  unsigned out[5];
  char err[256];
  /* sorted: brest lyon nice paris -> 0 1 0 1 with N = 2 */
  assert_int_equal(ed_shard_assign(t, 5, 2, "site", out, err, sizeof(err)), 0);
  assert_int_equal(out[0], 1);
  assert_int_equal(out[1], 1);
  assert_int_equal(out[2], 0);
  assert_int_equal(out[3], 1);
  assert_int_equal(out[4], 0);
  /* N = 4: each site its own shard, in sorted order */
  assert_int_equal(ed_shard_assign(t, 5, 4, "site", out, err, sizeof(err)), 0);
  assert_int_equal(out[4], 0);
  assert_int_equal(out[1], 1);
  assert_int_equal(out[2], 2);
  assert_int_equal(out[0], 3);
  /* by name: the hash mod N */
  assert_int_equal(ed_shard_assign(t, 5, 3, NULL, out, err, sizeof(err)), 0);
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(out[i], ed_shard_fnv1a64(t[i].name) % 3);
  json_decref(t[2].labels);
  t[2].labels = NULL;
  assert_int_equal(ed_shard_assign(t, 5, 2, "site", out, err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "target x3"));
  for (size_t i = 0; i < 5; i++)
    json_decref(t[i].labels);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fnv1a64_values),
      cmocka_unit_test(parse_values),
      cmocka_unit_test(by_label),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
