/*
 * Unit tests of core/devices/plugin_host.c: broken plugins (each refused with a
 * precise message naming its file), search path order, unsafe directories,
 * the example driver on a real loop, blocking drivers on the thread pool.
 * The plugins are built by tests/unit/plugin_host.cmake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "log.h"
#include "options.h"
#include "plugin_host.h"

#define PLUGIN_DIR ED_TEST_PLUGIN_DIR

/* A host searching the test plugins' folder `c`. */
static ed_plugin_host_t *host_for(const char *c, uv_loop_t *loop) {
  ed_plugin_host_t *ph;
  char dir[1024];
  assert_int_equal(ed_plugin_host_create(loop, &ph), 0);
  snprintf(dir, sizeof(dir), "%s/%s", PLUGIN_DIR, c);
  assert_int_equal(ed_plugin_host_add_dir(ph, dir), 0);
  return ph;
}

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part))
    fail_msg("\"%s\"\n  does not contain \"%s\"", text, part);
}

/* find(name) in folder c fails with rc, and the message names the file and
 * contains `text`. */
static void expect_refused(const char *c, const char *name, int rc,
                           const char *text) {
  ed_plugin_host_t *ph = host_for(c, NULL);
  const ed_driver_t *drv = (const ed_driver_t *)1;
  char file[1024];
  assert_int_equal(ed_plugin_host_find(ph, name, &drv), rc);
  assert_null(drv);
  snprintf(file, sizeof(file), "%s/%s/%s.so", PLUGIN_DIR, c, name);
  assert_contains(ed_plugin_host_last_error(ph), file);
  assert_contains(ed_plugin_host_last_error(ph), text);
  ed_plugin_host_destroy(ph);
}

static void test_wrong_abi(void **state) {
  (void)state;
  expect_refused("abi", "abi", ED_EABI,
                 "abi.so: driver ABI version 7, this eventdrill expects 2 — "
                 "rebuild the driver against this SDK");
}

/* A version-1 driver loads, and is known to lack version 2's op_check; the
 * example driver (version 2, no op_check) lacks it too. */
static void test_version1_loads(void **state) {
  (void)state;
  ed_plugin_host_t *ph = host_for("v1", NULL);
  const ed_driver_t *drv = NULL;
  assert_int_equal(ed_plugin_host_find(ph, "v1", &drv), 0);
  assert_non_null(drv);
  assert_int_equal(drv->abi_version, 1);
  assert_int_equal(ed_plugin_can_check(drv), 0);
  ed_request_t req = {0};
  assert_int_equal(ed_plugin_check(ph, drv, NULL, &req), ED_EUNSUPPORTED);
  ed_plugin_host_destroy(ph);
}

static void test_wrong_signature(void **state) {
  (void)state;
  expect_refused("signature", "signature", ED_EABI,
                 "build signature \"eventdrill-sdk-0:8\", this eventdrill "
                 "expects \"" ED_DRIVER_SIGNATURE "\"");
}

static void test_missing_symbol(void **state) {
  (void)state;
  expect_refused("nosymbol", "nosymbol", ED_EPLUGIN,
                 "nosymbol.so: no symbol \"eventdrill_driver\": not an "
                 "eventdrill driver");
}

static void test_null_name(void **state) {
  (void)state;
  expect_refused("noname", "noname", ED_EPLUGIN,
                 "noname.so: the driver descriptor has no name");
}

static void test_name_not_file(void **state) {
  (void)state;
  expect_refused("wrongname", "wrongname", ED_EPLUGIN,
                 "wrongname.so: the driver calls itself \"other\" but the "
                 "file is \"wrongname.so\"");
}

static void test_init_fails(void **state) {
  (void)state;
  expect_refused("initfail", "initfail", ED_EPLUGIN,
                 "initfail.so: driver \"initfail\" failed to initialise "
                 "(init returned -5)");
}

static void test_missing_callbacks(void **state) {
  (void)state;
  expect_refused("callbacks", "callbacks", ED_EPLUGIN,
                 "callbacks.so: driver \"callbacks\" lacks required "
                 "callbacks: op_free, submit_blocking (a blocking driver "
                 "must implement submit_blocking)");
}

static void test_bad_default(void **state) {
  (void)state;
  expect_refused("baddefault", "baddefault", ED_EPLUGIN,
                 "baddefault.so: operation \"noop\": option count: expected "
                 "an integer, got a string");
}

static void test_not_a_shared_object(void **state) {
  (void)state;
  expect_refused("notso", "notso", ED_EPLUGIN, "notso.so: cannot load: ");
  expect_refused("notso", "notso", ED_EPLUGIN,
                 "(is it a driver built for this version of eventdrill?)");
}

static void test_not_found_and_bad_names(void **state) {
  (void)state;
  ed_plugin_host_t *ph = host_for("abi", NULL);
  const ed_driver_t *drv;
  assert_int_equal(ed_plugin_host_find(ph, "nothere", &drv), ED_ENOTFOUND);
  assert_contains(ed_plugin_host_last_error(ph),
                  "no driver \"nothere\": no nothere.so in the plugin path");
  assert_contains(ed_plugin_host_last_error(ph), PLUGIN_DIR "/abi");
  /* A name must not walk out of the plugin directories. */
  assert_int_equal(ed_plugin_host_find(ph, "../abi/abi", &drv), ED_EINVAL);
  assert_int_equal(ed_plugin_host_find(ph, "", &drv), ED_EINVAL);
  ed_plugin_host_destroy(ph);
}

static void test_duplicate_name_shadowed(void **state) {
  (void)state;
  ed_plugin_host_t *ph = host_for("dup_a", NULL);
  assert_int_equal(ed_plugin_host_add_dir(ph, PLUGIN_DIR "/dup_b/"), 0);
  assert_int_equal(ed_plugin_host_load_all(ph), 0);
  assert_contains(ed_plugin_host_last_error(ph),
                  PLUGIN_DIR "/dup_b/dup.so: ignored: driver \"dup\" is "
                             "already loaded from " PLUGIN_DIR "/dup_a/dup.so");
  const ed_driver_t *drv;
  assert_int_equal(ed_plugin_host_find(ph, "dup", &drv), 0);
  assert_string_equal(drv->version, "a");
  ed_plugin_host_destroy(ph);
}

static void test_search_path_order(void **state) {
  (void)state;
  ed_plugin_host_t *ph;
  const ed_driver_t *drv;
  setenv("EVENTDRILL_PLUGIN_PATH",
         ":" PLUGIN_DIR "/dup_b::" PLUGIN_DIR "/dup_a", 1);
  assert_int_equal(ed_plugin_host_create(NULL, &ph), 0);
  assert_int_equal(ed_plugin_host_default_dirs(ph), 0);
  unsetenv("EVENTDRILL_PLUGIN_PATH");
  assert_int_equal(ed_plugin_host_dir_count(ph), 4);
  assert_string_equal(ed_plugin_host_dir(ph, 0), PLUGIN_DIR "/dup_b");
  assert_string_equal(ed_plugin_host_dir(ph, 1), PLUGIN_DIR "/dup_a");
  /* Next to the binary: tests/unit/test_plugin_host -> tests/unit/../lib/ */
  const char *exe_dir = ed_plugin_host_dir(ph, 2);
  size_t len = strlen(exe_dir), rl = strlen(ED_DRIVER_RELDIR);
  assert_true(len > rl);
  assert_string_equal(exe_dir + len - rl, ED_DRIVER_RELDIR);
  assert_string_equal(ed_plugin_host_dir(ph, 3), ED_DRIVER_INSTALL_DIR);
  assert_null(ed_plugin_host_dir(ph, 4));
  assert_int_equal(ed_plugin_host_find(ph, "dup", &drv), 0);
  assert_string_equal(drv->version, "b"); /* the first folder wins */
  ed_plugin_host_destroy(ph);
}

static void copy_file(const char *from, const char *to, mode_t mode) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char buf[8192];
  size_t n;
  assert_non_null(in);
  assert_non_null(out);
  while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  fclose(out);
  assert_int_equal(chmod(to, mode), 0);
}

static void test_unsafe_permissions(void **state) {
  (void)state;
  char dir[] = "/tmp/ed-ph-XXXXXX", file[64];
  const ed_driver_t *drv;
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof(file), "%s/example.so", dir);
  copy_file(ED_TEST_DRIVER_DIR "/example.so", file, 0755);

  assert_int_equal(chmod(dir, 0777), 0);
  ed_plugin_host_t *ph;
  assert_int_equal(ed_plugin_host_create(NULL, &ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(ph, dir), 0);
  assert_int_equal(ed_plugin_host_find(ph, "example", &drv), ED_EPERM);
  assert_contains(ed_plugin_host_last_error(ph), file);
  assert_contains(ed_plugin_host_last_error(ph), "is world-writable");

  assert_int_equal(chmod(dir, 0755), 0);
  assert_int_equal(chmod(file, 0775), 0);
  assert_int_equal(ed_plugin_host_find(ph, "example", &drv), ED_EPERM);
  assert_contains(ed_plugin_host_last_error(ph),
                  "example.so: refused: the file is writable by group or "
                  "others");

  assert_int_equal(chmod(file, 0755), 0);
  /* Only root can give a file away; others cannot test this case. */
  if (geteuid() == 0) {
    assert_int_equal(chown(file, 12345, (gid_t)-1), 0);
    assert_int_equal(ed_plugin_host_find(ph, "example", &drv), ED_EPERM);
    assert_contains(ed_plugin_host_last_error(ph),
                    "example.so: refused: owned by uid 12345, which is "
                    "neither root nor you");
    assert_int_equal(chown(file, 0, (gid_t)-1), 0);
    assert_int_equal(chmod(file, 0755), 0); /* chown may clear bits */
  }
  assert_int_equal(ed_plugin_host_find(ph, "example", &drv), 0);
  ed_plugin_host_destroy(ph);
  unlink(file);
  rmdir(dir);
}

static void test_example_list(void **state) {
  (void)state;
  ed_plugin_host_t *ph;
  assert_int_equal(ed_plugin_host_create(NULL, &ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(ph, ED_TEST_DRIVER_DIR), 0);
  const ed_driver_t *drv;
  assert_int_equal(ed_plugin_host_find(ph, "example", &drv), 0);

  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_int_equal(ed_plugin_host_list(ph, out, 0), 0);
  fclose(out);
  assert_contains(text, "example 1.0.0 (non-blocking)");
  assert_contains(text, "file: " ED_TEST_DRIVER_DIR "/example.so");
  assert_contains(text, "delay");
  assert_contains(text, "default \"0ms\"");
  assert_contains(text, "    echo: complete with the argument as the value");
  assert_contains(text, "    sleep: ");
  free(text);

  json_t *list = ed_plugin_host_list_json(ph);
  json_t *d = json_array_get(json_object_get(list, "drivers"), 0);
  assert_string_equal(json_string_value(json_object_get(d, "name")), "example");
  assert_true(json_is_false(json_object_get(d, "blocking")));
  json_t *ops = json_object_get(d, "operations");
  assert_int_equal(json_array_size(ops), 2);
  json_t *arg =
      json_array_get(json_object_get(json_array_get(ops, 0), "args"), 0);
  assert_string_equal(json_string_value(json_object_get(arg, "key")), "value");
  assert_true(json_is_true(json_object_get(arg, "primary")));
  json_decref(list);
  ed_plugin_host_destroy(ph);
}

/* ---- requests on a real loop ---------------------------------------- */

typedef struct done_s {
  int calls;
  int on_loop_thread;
  ed_errclass_t err;
  int code;
  char value[64];
  char detail[64];
} done_t;

static uv_thread_t loop_thread;

static void on_done(ed_request_t *req, const ed_result_t *res) {
  done_t *d = req->core_data;
  uv_thread_t self = uv_thread_self();
  d->calls++;
  d->on_loop_thread = uv_thread_equal(&self, &loop_thread);
  d->err = res->err;
  d->code = res->code;
  snprintf(d->value, sizeof(d->value), "%.*s", (int)res->value_len,
           res->value ? res->value : "");
  snprintf(d->detail, sizeof(d->detail), "%s", res->detail ? res->detail : "");
}

/* Driver state of one target opened with options `opts` (JSON text). */
typedef struct target_s {
  const ed_driver_t *drv;
  void *opts;
  void *state;
} target_t;

static void target_open(const ed_driver_t *drv, const char *opts, target_t *t) {
  ed_diag_t diag;
  ed_diag_init(&diag);
  json_t *j = json_loads(opts, 0, NULL);
  t->drv = drv;
  t->opts = calloc(1, drv->target_opts_size + 1);
  assert_int_equal(
      ed_options_fill(drv->target_opts, j, t->opts, "targets.t", &diag, NULL),
      0);
  json_decref(j);
  ed_diag_close(&diag);
  ed_target_info_t info = {.name = "t", .opts = t->opts, .max_in_flight = 64};
  char err[200];
  assert_int_equal(drv->target_open(&info, &t->state, err, sizeof(err)), 0);
}

static void target_close(target_t *t) {
  t->drv->target_close(t->state);
  ed_options_free(t->drv->target_opts, t->opts);
  free(t->opts);
}

/* The driver's prepared form of { "<name>": <arg> }. */
static void *prepare(target_t *t, const char *name, const char *arg) {
  ed_diag_t diag;
  ed_diag_init(&diag);
  const ed_op_desc_t *op = ed_plugin_host_op(t->drv, name);
  assert_non_null(op);
  json_t *j = json_loads(arg, JSON_DECODE_ANY, NULL);
  void *args = calloc(1, op->args_size);
  assert_int_equal(ed_options_fill_op(op, j, args, "op", &diag), 0);
  void *prepared = NULL;
  char err[200];
  assert_int_equal(
      t->drv->op_prepare(t->state, op, args, &prepared, err, sizeof(err)), 0);
  ed_options_free(op->args, args);
  free(args);
  json_decref(j);
  ed_diag_close(&diag);
  return prepared;
}

static void test_example_requests(void **state) {
  (void)state;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  loop_thread = uv_thread_self();
  ed_plugin_host_t *ph;
  assert_int_equal(ed_plugin_host_create(&loop, &ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(ph, ED_TEST_DRIVER_DIR), 0);
  const ed_driver_t *drv;
  assert_int_equal(ed_plugin_host_find(ph, "example", &drv), 0);

  target_t t;
  target_open(drv, "{\"delay\": \"1ms\"}", &t);
  void *echo = prepare(&t, "echo", "\"hello\"");
  void *sleep = prepare(&t, "sleep", "{\"for\": \"1s\"}");

  done_t d1 = {0}, d2 = {0};
  ed_request_t r1 = {.op = echo, .done = on_done, .core_data = &d1};
  ed_request_t r2 = {
      .op = sleep, .timeout_ms = 5, .done = on_done, .core_data = &d2};
  assert_int_equal(ed_plugin_submit(ph, drv, t.state, &r1), 0);
  assert_int_equal(ed_plugin_submit(ph, drv, t.state, &r2), 0);
  assert_int_equal(d1.calls, 0); /* never completed inside submit */
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(d1.calls, 1);
  assert_int_equal(d1.err, ED_ERRCLASS_NONE);
  assert_string_equal(d1.value, "\"hello\"");
  assert_int_equal(d2.calls, 1);
  assert_int_equal(d2.err, ED_ERRCLASS_TIMEOUT);

  drv->op_free(t.state, echo);
  drv->op_free(t.state, sleep);
  target_close(&t);
  uv_run(&loop, UV_RUN_DEFAULT);
  ed_plugin_host_destroy(ph);
  assert_int_equal(uv_loop_close(&loop), 0);
}

#define NREQ 64

static void test_blocking_driver(void **state) {
  (void)state;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  loop_thread = uv_thread_self();
  ed_plugin_host_t *ph = host_for("blocking", &loop);
  const ed_driver_t *drv;
  assert_int_equal(ed_plugin_host_find(ph, "blocking", &drv), 0);
  target_t t;
  target_open(drv, "{}", &t);
  void *work = prepare(&t, "work", "\"3ms\"");

  static ed_request_t reqs[NREQ];
  static done_t dones[NREQ];
  for (int i = 0; i < NREQ; i++) {
    reqs[i] =
        (ed_request_t){.op = work, .done = on_done, .core_data = &dones[i]};
    assert_int_equal(ed_plugin_submit(ph, drv, t.state, &reqs[i]), 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (int i = 0; i < NREQ; i++) {
    assert_int_equal(dones[i].calls, 1);
    assert_true(dones[i].on_loop_thread);
    assert_int_equal(dones[i].code, 2); /* ran on a pool thread */
    assert_string_equal(dones[i].value, "3");
    assert_string_equal(dones[i].detail, "slept");
    assert_true(reqs[i].sent_ns > 0);
  }
  drv->op_free(t.state, work);
  target_close(&t);
  ed_plugin_host_destroy(ph);
  assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- what the scenario loader sees ------------------------------------ */

static int has_diag(const ed_diag_t *d, const char *path, const char *text) {
  for (size_t i = 0; i < d->count; i++)
    if (strcmp(d->entries[i].path, path) == 0 &&
        strstr(d->entries[i].message, text))
      return 1;
  for (size_t i = 0; i < d->count; i++)
    print_message("  diag: %s: %s\n", d->entries[i].path,
                  d->entries[i].message);
  return 0;
}

static void test_scenario_drivers(void **state) {
  (void)state;
  ed_plugin_host_t *ph;
  ed_scenario_drivers_t sd;
  ed_diag_t diag;
  assert_int_equal(ed_plugin_host_create(NULL, &ph), 0);
  assert_int_equal(ed_plugin_host_add_dir(ph, ED_TEST_DRIVER_DIR), 0);
  memset(&sd, 0xa5, sizeof(sd)); /* as a caller's stack may hold */
  ed_plugin_host_scenario_drivers(ph, &sd);
  assert_null(sd.check_sim); /* the simulator is not the drivers' */
  assert_int_equal(sd.lookup(sd.ctx, "example"), 0);
  assert_true(sd.lookup(sd.ctx, "exampel") < 0);
  const char *const *names = sd.names(sd.ctx);
  assert_string_equal(ed_did_you_mean("exampel", names), "example");

  ed_diag_init(&diag);
  json_t *opts = json_loads("{\"dealy\": \"1s\"}", 0, NULL);
  sd.check_target(sd.ctx, "example", opts, "targets.t1", &diag);
  assert_true(has_diag(&diag, "targets.t1.dealy",
                       "unknown key \"dealy\" (did you mean \"delay\"?)"));
  json_decref(opts);

  ed_opspec_t op = {
      .name = "ech", .arg = json_string("x"), .path = "workloads[0].op"};
  sd.check_op(sd.ctx, "example", &op, &diag);
  assert_true(has_diag(&diag, "workloads[0].op.ech",
                       "driver \"example\" has no operation \"ech\" (did you "
                       "mean \"echo\"?)"));
  json_decref(op.arg);
  op.name = "echo";
  op.arg = json_object();
  sd.check_op(sd.ctx, "example", &op, &diag);
  assert_true(has_diag(&diag, "workloads[0].op.echo.value",
                       "missing required key \"value\""));
  json_decref(op.arg);
  op.name = "sleep";
  op.arg = json_string("2h");
  sd.check_op(sd.ctx, "example", &op, &diag);
  assert_true(
      has_diag(&diag, "workloads[0].op.sleep", "2h is out of range [0s, 1h]"));
  json_decref(op.arg);
  assert_int_equal(diag.count, 4);
  ed_diag_close(&diag);
  ed_plugin_host_destroy(ph);
}

/* Built files get the umask's mode; the host rightly refuses group-writable
 * plugins, so make sure a permissive umask does not fail the tests. */
static int setup(void **state) {
  static const char *const files[] = {
      "abi/abi",
      "signature/signature",
      "nosymbol/nosymbol",
      "noname/noname",
      "wrongname/wrongname",
      "initfail/initfail",
      "callbacks/callbacks",
      "baddefault/baddefault",
      "dup_a/dup",
      "dup_b/dup",
      "blocking/blocking",
      "notso/notso",
  };
  (void)state;
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s.so", PLUGIN_DIR, files[i]);
    if (stat(path, &st) == 0)
      chmod(path, st.st_mode & ~(mode_t)(S_IWGRP | S_IWOTH));
  }
  ed_log_set_level(-1); /* the messages are checked, not printed */
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wrong_abi),
      cmocka_unit_test(test_version1_loads),
      cmocka_unit_test(test_wrong_signature),
      cmocka_unit_test(test_missing_symbol),
      cmocka_unit_test(test_null_name),
      cmocka_unit_test(test_name_not_file),
      cmocka_unit_test(test_init_fails),
      cmocka_unit_test(test_missing_callbacks),
      cmocka_unit_test(test_bad_default),
      cmocka_unit_test(test_not_a_shared_object),
      cmocka_unit_test(test_not_found_and_bad_names),
      cmocka_unit_test(test_duplicate_name_shadowed),
      cmocka_unit_test(test_search_path_order),
      cmocka_unit_test(test_unsafe_permissions),
      cmocka_unit_test(test_example_list),
      cmocka_unit_test(test_example_requests),
      cmocka_unit_test(test_blocking_driver),
      cmocka_unit_test(test_scenario_drivers),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
