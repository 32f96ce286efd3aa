/* Unit tests of core/scenario/options.c: filling and validating driver options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "options.h"

typedef struct opts_s {
  char *url;
  int64_t port;
  double ratio;
  int insecure;
  int64_t timeout_ms;
  char *extra;
  char *password;
} opts_t;

static const ed_option_t table[] = {
    {ED_OPT_STRING, "url", NULL, offsetof(opts_t, url), ED_OPT_REQUIRED,
     "base URL", 0, 0},
    {ED_OPT_INT, "port", "443", offsetof(opts_t, port), 0, "TCP port", 1,
     65535},
    {ED_OPT_DOUBLE, "ratio", "0.5", offsetof(opts_t, ratio), 0, "a ratio", 0,
     0},
    {ED_OPT_BOOL, "insecure", "false", offsetof(opts_t, insecure), 0,
     "skip TLS verification", 0, 0},
    {ED_OPT_DURATION, "timeout", "\"10s\"", offsetof(opts_t, timeout_ms), 0,
     "per request", 1, 600000},
    {ED_OPT_JSON, "extra", NULL, offsetof(opts_t, extra), 0, "anything", 0, 0},
    {ED_OPT_STRING, "password", NULL, offsetof(opts_t, password), ED_OPT_SECRET,
     "never printed", 0, 0},
    {0},
};

typedef struct get_args_s {
  char *path;
  int64_t expect;
} get_args_t;

static const ed_option_t get_args[] = {
    {ED_OPT_STRING, "path", NULL, offsetof(get_args_t, path),
     ED_OPT_REQUIRED | ED_OPT_PRIMARY, "resource", 0, 0},
    {ED_OPT_INT, "expect", "200", offsetof(get_args_t, expect), 0,
     "HTTP status", 100, 599},
    {0},
};

static const ed_op_desc_t get_op = {"get", 0, "GET a resource", get_args,
                                    sizeof(get_args_t)};
static const ed_op_desc_t noprimary_op = {"post", 0, "no primary", table,
                                          sizeof(opts_t)};

/* Whether diag has an entry at `path` whose message contains `text`. */
static int has(const ed_diag_t *d, const char *path, const char *text) {
  for (size_t i = 0; i < d->count; i++)
    if (strcmp(d->entries[i].path, path) == 0 &&
        strstr(d->entries[i].message, text))
      return 1;
  for (size_t i = 0; i < d->count; i++)
    print_message("  diag: %s: %s\n", d->entries[i].path,
                  d->entries[i].message);
  return 0;
}

static json_t *parse(const char *text) {
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  assert_non_null(j);
  return j;
}

/* Fill `table` from `text` into *o at path "targets.bmc1". */
static int fill(const char *text, opts_t *o, ed_diag_t *d) {
  json_t *j = parse(text);
  int rc = ed_options_fill(table, j, o, "targets.bmc1", d, NULL);
  json_decref(j);
  return rc;
}

static void test_all_types(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  opts_t o;
  memset(&o, 0xAB, sizeof(o)); /* fill must write every field */
  assert_int_equal(fill("{\"url\": \"https://x\", \"port\": 8443, "
                        "\"ratio\": 2, \"insecure\": true, \"timeout\": "
                        "\"1m30s\", \"extra\": {\"a\": [1, 2]}}",
                        &o, &d),
                   0);
  assert_int_equal(d.count, 0);
  assert_string_equal(o.url, "https://x");
  assert_int_equal(o.port, 8443);
  assert_true(o.ratio == 2.0);
  assert_int_equal(o.insecure, 1);
  assert_int_equal(o.timeout_ms, 90000);
  assert_string_equal(o.extra, "{\"a\":[1,2]}");
  assert_null(o.password);
  ed_options_free(table, &o);
  assert_null(o.url);
  assert_null(o.extra);
  ed_diag_close(&d);
}

static void test_defaults(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  opts_t o;
  assert_int_equal(fill("{\"url\": \"u\", \"timeout\": 250}", &o, &d), 0);
  assert_int_equal(o.port, 443);
  assert_true(o.ratio == 0.5);
  assert_int_equal(o.insecure, 0);
  assert_int_equal(o.timeout_ms, 250); /* an integer is milliseconds */
  assert_null(o.extra);
  ed_options_free(table, &o);
  /* NULL object: defaults, and the required key is missing. */
  assert_int_equal(ed_options_fill(table, NULL, &o, "targets.bmc1", &d, NULL),
                   ED_EINVAL);
  assert_true(has(&d, "targets.bmc1.url",
                  "missing required key \"url\" (string: base URL)"));
  ed_diag_close(&d);
}

static void test_wrong_types(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  opts_t o;
  assert_int_equal(fill("{\"url\": 5, \"port\": \"x\", \"ratio\": \"y\", "
                        "\"insecure\": 1, \"timeout\": [1], \"password\": 7}",
                        &o, &d),
                   ED_EINVAL);
  assert_int_equal(d.count, 6); /* all of them, at once */
  assert_true(has(&d, "targets.bmc1.url", "expected a string, got an integer"));
  assert_true(
      has(&d, "targets.bmc1.port", "expected an integer, got a string"));
  assert_true(has(&d, "targets.bmc1.ratio", "expected a number, got a string"));
  assert_true(has(&d, "targets.bmc1.insecure",
                  "expected true or false, got an integer"));
  assert_true(has(&d, "targets.bmc1.timeout", "expected a duration"));
  assert_true(has(&d, "targets.bmc1.password", "expected a string"));
  /* On failure nothing is left to free. */
  assert_null(o.url);
  ed_diag_close(&d);
}

static void test_ranges(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  opts_t o;
  assert_int_equal(
      fill("{\"url\": \"u\", \"port\": 0, \"timeout\": \"20m\"}", &o, &d),
      ED_EINVAL);
  assert_true(has(&d, "targets.bmc1.port", "0 is out of range [1, 65535]"));
  assert_true(
      has(&d, "targets.bmc1.timeout", "20m is out of range [1ms, 10m]"));
  ed_diag_close(&d);
  ed_diag_init(&d);
  assert_int_equal(fill("{\"url\": \"u\", \"timeout\": \"5x\"}", &o, &d),
                   ED_EINVAL);
  assert_true(has(&d, "targets.bmc1.timeout", "invalid duration \"5x\""));
  ed_diag_close(&d);
  ed_diag_init(&d);
  assert_int_equal(fill("{\"url\": \"u\", \"port\": 65535, \"timeout\": "
                        "\"10m\"}",
                        &o, &d),
                   0);
  ed_options_free(table, &o);
  ed_diag_close(&d);
}

static void test_unknown_keys(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  opts_t o;
  assert_int_equal(
      fill("{\"url\": \"u\", \"prot\": 1, \"zzzzzzzz\": 2}", &o, &d),
      ED_EINVAL);
  assert_int_equal(d.count, 2);
  assert_true(has(&d, "targets.bmc1.prot",
                  "unknown key \"prot\" (did you mean \"port\"?)"));
  assert_true(has(&d, "targets.bmc1.zzzzzzzz",
                  "unknown key \"zzzzzzzz\" (known keys: url, port, ratio"));
  ed_diag_close(&d);

  /* Keys that someone else handles are not unknown. */
  static const char *const ignore[] = {"driver", NULL};
  ed_diag_init(&d);
  json_t *j = parse("{\"url\": \"u\", \"driver\": \"redfish\"}");
  assert_int_equal(ed_options_fill(table, j, &o, "t", &d, ignore), 0);
  ed_options_free(table, &o);
  json_decref(j);
  ed_diag_close(&d);
}

static void test_validate_only(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  json_t *j = parse("{\"url\": \"u\", \"extra\": [1]}");
  assert_int_equal(ed_options_fill(table, j, NULL, "", &d, NULL), 0);
  json_decref(j);
  j = parse("[1]");
  assert_int_equal(ed_options_fill(table, j, NULL, "x", &d, NULL), ED_EINVAL);
  assert_true(has(&d, "x", "expected an object of options, got an array"));
  json_decref(j);
  ed_diag_close(&d);
}

static void test_op_forms(void **state) {
  (void)state;
  ed_diag_t d;
  ed_diag_init(&d);
  get_args_t a;
  const char *path = "workloads[0].op.get";

  json_t *j = parse("\"/redfish/v1\"");
  assert_int_equal(ed_options_fill_op(&get_op, j, &a, path, &d), 0);
  assert_string_equal(a.path, "/redfish/v1");
  assert_int_equal(a.expect, 200);
  ed_options_free(get_args, &a);
  json_decref(j);

  j = parse("{\"path\": \"/x\", \"expect\": 404}");
  assert_int_equal(ed_options_fill_op(&get_op, j, &a, path, &d), 0);
  assert_string_equal(a.path, "/x");
  assert_int_equal(a.expect, 404);
  ed_options_free(get_args, &a);
  json_decref(j);
  assert_int_equal(d.count, 0);

  /* A bare value of the wrong type is reported where it was written. */
  j = parse("12");
  assert_int_equal(ed_options_fill_op(&get_op, j, NULL, path, &d), ED_EINVAL);
  assert_true(has(&d, path, "expected a string, got an integer"));
  json_decref(j);

  assert_int_equal(ed_options_fill_op(&get_op, NULL, NULL, path, &d),
                   ED_EINVAL);
  assert_true(has(&d, "workloads[0].op.get.path", "missing required key"));

  j = parse("\"x\"");
  assert_int_equal(ed_options_fill_op(&noprimary_op, j, NULL, "w.op.post", &d),
                   ED_EINVAL);
  assert_true(has(&d, "w.op.post",
                  "operation \"post\" expects an object of options, got a "
                  "string"));
  json_decref(j);
  ed_diag_close(&d);
}

static void test_check_table(void **state) {
  (void)state;
  char err[300];
  assert_int_equal(
      ed_options_check_table(table, sizeof(opts_t), err, sizeof(err)), 0);
  assert_int_equal(
      ed_options_check_table(table, sizeof(opts_t) - 4, err, sizeof(err)),
      ED_EINVAL);
  assert_non_null(strstr(err, "password: field at offset"));

  static const ed_option_t bad_default[] = {
      {ED_OPT_INT, "n", "\"many\"", 0, 0, "", 0, 0}, {0}};
  assert_int_equal(
      ed_options_check_table(bad_default, sizeof(int64_t), err, sizeof(err)),
      ED_EINVAL);
  assert_string_equal(err, "n: expected an integer, got a string");

  static const ed_option_t two_primaries[] = {
      {ED_OPT_INT, "a", NULL, 0, ED_OPT_PRIMARY, "", 0, 0},
      {ED_OPT_INT, "b", NULL, 8, ED_OPT_PRIMARY, "", 0, 0},
      {0}};
  assert_int_equal(ed_options_check_table(two_primaries, 16, err, sizeof(err)),
                   ED_EINVAL);
  assert_non_null(strstr(err, "more than one option is flagged"));
}

/* The address flag: one string option at most, found by
 * ed_options_address. */
static void test_address_flag(void **state) {
  (void)state;
  char err[300];
  static const ed_option_t one[] = {
      {ED_OPT_INT, "port", NULL, 0, 0, "", 0, 0},
      {ED_OPT_STRING, "host", NULL, 8, ED_OPT_ADDRESS, "", 0, 0},
      {0}};
  assert_int_equal(ed_options_check_table(one, 16, err, sizeof(err)), 0);
  assert_ptr_equal(ed_options_address(one), &one[1]);
  assert_null(ed_options_address(table));
  assert_null(ed_options_address(NULL));

  static const ed_option_t two[] = {
      {ED_OPT_STRING, "a", NULL, 0, ED_OPT_ADDRESS, "", 0, 0},
      {ED_OPT_STRING, "b", NULL, 8, ED_OPT_ADDRESS, "", 0, 0},
      {0}};
  assert_int_equal(ed_options_check_table(two, 16, err, sizeof(err)),
                   ED_EINVAL);
  assert_string_equal(err, "b: more than one option is flagged ED_OPT_ADDRESS");

  static const ed_option_t not_string[] = {
      {ED_OPT_INT, "port", NULL, 0, ED_OPT_ADDRESS, "", 0, 0}, {0}};
  assert_int_equal(ed_options_check_table(not_string, 8, err, sizeof(err)),
                   ED_EINVAL);
  assert_string_equal(err,
                      "port: flagged ED_OPT_ADDRESS but not of type string");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_all_types),    cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_wrong_types),  cmocka_unit_test(test_ranges),
      cmocka_unit_test(test_unknown_keys), cmocka_unit_test(test_validate_only),
      cmocka_unit_test(test_op_forms),     cmocka_unit_test(test_check_table),
      cmocka_unit_test(test_address_flag),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
