/*
 * Unit tests of the scenario loader (core/scenario*.c), its position scanner
 * (core/base/jsonpos.c), diagnostics (core/base/diag.c) and durations
 * (core/base/duration.c).
 *
 * Every file NN-name.json of tests/scenarios/bad must fail to load and print
 * exactly NN-name.expect; every .json of tests/scenarios/good must load. Set
 * ED_BLESS=1 to (re)write the .expect files from the current output, then
 * review them with git diff.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "duration.h"
#include "error.h"
#include "jsonpos.h"
#include "scenario.h"

#ifndef ED_SCENARIO_TESTDIR
#error "ED_SCENARIO_TESTDIR must name tests/scenarios"
#endif

/* ---- a fake driver table ------------------------------------------------
 * One driver, "redfish", with target options url (string, required),
 * ca_file (string), insecure (bool), timeout (duration), and the operations
 * "get" (a resource path, or an object with "path"), "patch" (an object,
 * destructive) and "reset" (a ResetType, destructive). It reports in the
 * words the plugin host uses, so the .expect files read like the real
 * thing. */

static const char *const fake_names[] = {"redfish", NULL};
static const char *const fake_keys[] = {"url", "ca_file", "insecure", "timeout",
                                        NULL};
static const char *const fake_ops[] = {"get", "patch", "reset", NULL};
#define FAKE_OP_DESTRUCTIVE 0x1 /* ED_OP_DESTRUCTIVE */

static int fake_lookup(void *ctx, const char *driver) {
  (void)ctx;
  return strcmp(driver, "redfish") == 0 ? 0 : ED_ENOTFOUND;
}

static const char *const *fake_list(void *ctx) {
  (void)ctx;
  return fake_names;
}

static const char *kind(const json_t *v) {
  return json_is_string(v)    ? "a string"
         : json_is_boolean(v) ? "a boolean"
         : json_is_integer(v) ? "an integer"
         : json_is_object(v)  ? "an object"
                              : "another type";
}

static void fake_option(const char *key, json_t *v, const char *path,
                        ed_diag_t *diag) {
  char kpath[512];
  char err[256];
  int64_t ms;
  ed_jsonpos_join_key(kpath, sizeof(kpath), path, key);
  if (!strcmp(key, "insecure") && !json_is_boolean(v))
    ed_diag_add(diag, kpath, "expected true or false, got %s", kind(v));
  else if (!strcmp(key, "timeout") &&
           ed_duration_from_json(v, &ms, err, sizeof(err)))
    ed_diag_add(diag, kpath, "%s", err);
  else if ((!strcmp(key, "url") || !strcmp(key, "ca_file")) &&
           !json_is_string(v))
    ed_diag_add(diag, kpath, "expected a string, got %s", kind(v));
}

static void fake_check_target(void *ctx, const char *driver, json_t *opts,
                              const char *path, ed_diag_t *diag) {
  (void)ctx;
  (void)driver;
  const char *key;
  json_t *v;
  json_object_foreach(opts, key, v) {
    int known = 0;
    for (size_t i = 0; fake_keys[i]; i++)
      known |= !strcmp(key, fake_keys[i]);
    if (known) {
      fake_option(key, v, path, diag);
      continue;
    }
    char kpath[512];
    ed_jsonpos_join_key(kpath, sizeof(kpath), path, key);
    const char *best = ed_did_you_mean(key, fake_keys);
    if (best)
      ed_diag_add_key(diag, kpath, "unknown key \"%s\" (did you mean \"%s\"?)",
                      key, best);
    else
      ed_diag_add_key(diag, kpath, "unknown key \"%s\"", key);
  }
  if (!json_object_get(opts, "url"))
    ed_diag_add(diag, path, "missing required key \"url\"");
}

static void fake_check_op(void *ctx, const char *driver, const ed_opspec_t *op,
                          ed_diag_t *diag) {
  (void)ctx;
  char apath[512];
  ed_jsonpos_join_key(apath, sizeof(apath), op->path, op->name);
  if (!strcmp(op->name, "get")) {
    if (!json_is_string(op->arg) &&
        !json_is_string(json_object_get(op->arg, "path")))
      ed_diag_add(diag, apath, "expected a resource path (a string), got %s",
                  kind(op->arg));
  } else if (!strcmp(op->name, "reset")) {
    if (!json_is_string(op->arg))
      ed_diag_add(diag, apath, "expected a ResetType (a string), got %s",
                  kind(op->arg));
  } else if (!strcmp(op->name, "patch")) {
    if (!json_is_object(op->arg))
      ed_diag_add(diag, apath, "expected an object, got %s", kind(op->arg));
  } else {
    const char *best = ed_did_you_mean(op->name, fake_ops);
    ed_diag_add_key(diag, apath,
                    "unknown operation \"%s\" of driver \"%s\"%s%s%s", op->name,
                    driver, best ? " (did you mean \"" : "", best ? best : "",
                    best ? "\"?)" : "");
  }
}

static int fake_op_flags(void *ctx, const char *driver, const char *op) {
  (void)ctx;
  if (strcmp(driver, "redfish") != 0)
    return ED_ENOTFOUND;
  if (!strcmp(op, "get"))
    return 0;
  if (!strcmp(op, "patch") || !strcmp(op, "reset"))
    return FAKE_OP_DESTRUCTIVE;
  return ED_ENOTFOUND;
}

static const ed_scenario_drivers_t fake_drivers = {
    NULL,          fake_lookup, fake_check_target, fake_check_op, fake_list,
    fake_op_flags, NULL};

/* ---- helpers ----------------------------------------------------------- */

static char *slurp(const char *file) {
  FILE *f = fopen(file, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    fwrite(chunk, 1, n, m);
  fclose(f);
  fclose(m);
  return buf;
}

/* What ed_diag_print prints after loading `file`. */
static char *load_output(const char *file, int *rc, ed_scenario_t **out) {
  ed_diag_t d;
  ed_diag_init(&d);
  ed_scenario_t *s = NULL;
  *rc = ed_scenario_load(file, &fake_drivers, &d, &s);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ed_diag_print(&d, m);
  fclose(m);
  ed_diag_close(&d);
  if (out)
    *out = s;
  else
    ed_scenario_destroy(s);
  return buf;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int json_file(const struct dirent *e) {
  return has_suffix(e->d_name, ".json");
}

static ed_scenario_t *load_good(const char *name) {
  char file[1024];
  snprintf(file, sizeof(file), "%s/good/%s", ED_SCENARIO_TESTDIR, name);
  int rc;
  ed_scenario_t *s = NULL;
  char *out = load_output(file, &rc, &s);
  if (rc != 0)
    fprintf(stderr, "%s", out);
  assert_int_equal(rc, 0);
  assert_string_equal(out, "");
  free(out);
  assert_non_null(s);
  return s;
}

/* ---- scenario files ------------------------------------------------------ */

/* Compare one bad file's output with its .expect; 0 when equal. */
static int check_bad(const char *name, int bless) {
  char expect_file[512];
  snprintf(expect_file, sizeof(expect_file), "%.*s.expect",
           (int)(strlen(name) - 5), name);
  int rc;
  char *got = load_output(name, &rc, NULL);
  int bad = 0;
  if (rc != ED_EPARSE && rc != ED_EIO) {
    fprintf(stderr, "%s: loaded (rc %d), expected it to fail\n", name, rc);
    bad = 1;
  }
  if (bless) {
    FILE *f = fopen(expect_file, "w");
    if (f) {
      fputs(got, f);
      fclose(f);
    }
  }
  char *want = slurp(expect_file);
  if (!want || strcmp(want, got) != 0) {
    fprintf(stderr, "%s: output differs\n--- expected (%s)\n%s--- got\n%s",
            name, expect_file, want ? want : "(missing)\n", got);
    bad = 1;
  }
  free(want);
  free(got);
  return bad;
}

static void test_bad_files(void **state) {
  (void)state;
  char dir[1024];
  snprintf(dir, sizeof(dir), "%s/bad", ED_SCENARIO_TESTDIR);
  /* Relative names, so that .expect files do not depend on the checkout. */
  assert_int_equal(chdir(dir), 0);
  struct dirent **list;
  int n = scandir(".", &list, json_file, alphasort);
  assert_true(n >= 30);
  int bless = getenv("ED_BLESS") != NULL;
  int failures = 0;
  for (int i = 0; i < n; i++) {
    failures += check_bad(list[i]->d_name, bless);
    free(list[i]);
  }
  free(list);
  assert_int_equal(failures, 0);
}

static void test_good_files(void **state) {
  (void)state;
  char dir[1024];
  snprintf(dir, sizeof(dir), "%s/good", ED_SCENARIO_TESTDIR);
  struct dirent **list;
  int n = scandir(dir, &list, json_file, alphasort);
  assert_true(n >= 3);
  for (int i = 0; i < n; i++) {
    ed_scenario_destroy(load_good(list[i]->d_name));
    free(list[i]);
  }
  free(list);
}

static void check_full_targets(const ed_scenario_t *s) {
  assert_int_equal(s->ntargets, 2);
  const ed_target_t *b1 = ed_scenario_target(s, "bmc1");
  const ed_target_t *b2 = ed_scenario_target(s, "bmc2");
  assert_non_null(b1);
  assert_non_null(b2);
  assert_null(ed_scenario_target(s, "bmc3"));
  assert_string_equal(b1->driver, "redfish");
  assert_non_null(b1->sim);
  assert_int_equal(json_integer_value(json_object_get(b1->sim->config, "bmcs")),
                   1);
  assert_true(b1->rehearsal);
  assert_null(b1->credentials);
  assert_int_equal(json_object_size(b1->opts), 0);
  assert_string_equal(b1->description, "simulated BMC");
  assert_string_equal(json_string_value(json_object_get(b1->labels, "rack")),
                      "r12");
  assert_string_equal(b1->path, "targets.bmc1");
  assert_null(b2->sim);
  assert_false(b2->rehearsal);
  assert_string_equal(b2->credentials, "env:BMC2_CREDS");
  assert_int_equal(b2->max_in_flight, 32);
  /* Driver options only: url, ca_file, timeout. */
  assert_int_equal(json_object_size(b2->opts), 3);
  assert_string_equal(json_string_value(json_object_get(b2->opts, "url")),
                      "https://127.0.1.2:8443");
  assert_null(json_object_get(b2->opts, "credentials"));
}

static void check_full_segments(const ed_workload_t *w) {
  assert_int_equal(w->nsegs, 5);
  const ed_segment_t *g = w->segs;
  assert_string_equal(g[0].name, "baseline");
  assert_int_equal(g[0].kind, ED_SEG_CONSTANT);
  assert_true(g[0].from == 20 && g[0].to == 20);
  assert_int_equal(g[0].duration_ms, 20000);
  assert_string_equal(g[1].name, "surge-up");
  assert_int_equal(g[1].kind, ED_SEG_RAMP);
  assert_true(g[1].from == 20 && g[1].to == 200);
  assert_string_equal(g[2].name, "step-3");
  assert_int_equal(g[2].kind, ED_SEG_STEP);
  assert_int_equal(g[2].steps, 4);
  assert_string_equal(g[3].name, "spike-4");
  assert_int_equal(g[3].kind, ED_SEG_SPIKE);
  assert_true(g[3].from == 20 && g[3].to == 300);
  assert_int_equal(g[3].at_ms, 5000);
  assert_int_equal(g[3].width_ms, 2000);
  assert_int_equal(g[3].duration_ms, 15000);
  assert_true(g[4].from == 0.5);
  assert_int_equal(g[4].duration_ms, 90000);
}

static void test_full_values(void **state) {
  (void)state;
  ed_scenario_t *s = load_good("01-full.json");
  assert_string_equal(s->name, "singles-day.rehearsal_1");
  assert_non_null(s->description);
  assert_true(s->has_seed);
  assert_int_equal(s->seed, 42);
  check_full_targets(s);
  assert_int_equal(s->nworkloads, 2);
  const ed_workload_t *w = &s->workloads[0];
  assert_string_equal(w->name, "poll-system");
  assert_string_equal(w->path, "workloads[0]");
  assert_int_equal(w->ntargets, 2);
  assert_string_equal(w->targets[1], "bmc2");
  assert_string_equal(w->op.name, "get");
  assert_string_equal(json_string_value(w->op.arg), "/redfish/v1/Systems/1");
  assert_string_equal(w->op.path, "workloads[0].op");
  check_full_segments(w);
  assert_int_equal(w->start_ms, 2000);
  assert_int_equal(w->arrival, ED_ARRIVAL_POISSON);
  assert_int_equal(w->max_in_flight, 16);
  assert_int_equal(w->timeout_ms, 2500);
  assert_int_equal(ed_workload_cap(w, ed_scenario_target(s, "bmc2")), 16);
  assert_true(ed_workload_peak_rate(w) == 300);
  assert_int_equal(ed_workload_length_ms(w),
                   2000 + 20000 + 10000 + 20000 + 15000 + 90000);
  const ed_workload_t *p = &s->workloads[1];
  assert_int_equal(p->segs[0].duration_ms, 60000);
  assert_false(p->max_in_flight_set);
  assert_int_equal(ed_workload_cap(p, ed_scenario_target(s, "bmc2")), 32);
  assert_int_equal(ed_scenario_length_ms(s), 157000);
  assert_true(s->slo.p50_ms == 50 && s->slo.p999_ms == 1500);
  assert_true(s->slo.error_rate == 0.01);
  assert_int_equal(s->journal.requests, ED_JOURNAL_AGGREGATE);
  assert_true(s->journal.max_request_rate == 500);
  assert_int_equal(strlen(s->sha256), 64);
  assert_non_null(s->text);
  assert_non_null(s->root);
  ed_scenario_destroy(s);
}

static void test_defaults(void **state) {
  (void)state;
  ed_scenario_t *s = load_good("02-minimal.json");
  assert_null(s->description);
  assert_false(s->has_seed);
  const ed_target_t *t = &s->targets[0];
  assert_false(t->rehearsal);
  assert_int_equal(t->max_in_flight, 0);
  assert_null(t->labels);
  const ed_workload_t *w = &s->workloads[0];
  assert_string_equal(w->segs[0].name, "constant-1");
  assert_int_equal(w->start_ms, 0);
  assert_int_equal(w->arrival, ED_ARRIVAL_UNIFORM);
  assert_int_equal(w->max_in_flight, 64);
  assert_int_equal(ed_workload_cap(w, t), 64);
  assert_int_equal(w->timeout_ms, 10000);
  assert_true(s->slo.p99_ms == 0 && s->slo.error_rate < 0);
  assert_int_equal(s->journal.requests, ED_JOURNAL_AUTO);
  assert_true(s->journal.max_request_rate == 1000);
  ed_scenario_destroy(s);
}

/* An included inventory: its devices become targets, after which the
 * scenario's own follow; a label selector expands in that order, once. */
static void test_inventory_selectors(void **state) {
  (void)state;
  ed_scenario_t *s = load_good("05-inventory.json");
  assert_int_equal(s->ntargets, 4);
  assert_string_equal(s->targets[0].name, "db1");
  assert_non_null(s->targets[0].file);
  assert_non_null(strstr(s->targets[0].file, "inventory/fleet.json"));
  assert_string_equal(s->targets[3].name, "extra");
  assert_null(s->targets[3].file);
  assert_non_null(strstr(s->inventory, "inventory/fleet.json"));
  const ed_workload_t *w = &s->workloads[0];
  assert_int_equal(w->ntargets, 3);
  assert_string_equal(w->targets[0], "db1");
  assert_string_equal(w->targets[1], "db2");
  assert_string_equal(w->targets[2], "extra");
  w = &s->workloads[1];
  assert_int_equal(w->ntargets, 2);
  assert_string_equal(w->targets[0], "web1");
  assert_string_equal(w->targets[1], "db1");
  ed_scenario_destroy(s);
}

static void test_sha256_and_text(void **state) {
  (void)state;
  char file[] = "/tmp/ed-scenario-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  static const char text[] =
      "{\"name\":\"h\",\"targets\":{\"a\":{\"driver\":\"redfish\",\"sim\":{}}},"
      "\"workloads\":[{\"name\":\"w\",\"targets\":[\"a\"],\"op\":{\"get\":"
      "\"/\"},\"rate\":[{\"constant\":1,\"for\":\"1s\"}]}]}";
  assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
  close(fd);
  ed_diag_t d;
  ed_diag_init(&d);
  ed_scenario_t *s = NULL;
  assert_int_equal(ed_scenario_load(file, &fake_drivers, &d, &s), 0);
  unlink(file);
  assert_int_equal(s->text_len, sizeof(text) - 1);
  assert_memory_equal(s->text, text, sizeof(text) - 1);
  /* sha256sum of the text above. */
  assert_string_equal(
      s->sha256,
      "dc31af0b377e4cde7ad43a9ea0c65a8494a7dd58c0d5643a0f83e7c3fe999ff3");
  ed_scenario_destroy(s);
  ed_diag_close(&d);
}

static void test_missing_file(void **state) {
  (void)state;
  int rc;
  char *out = load_output("/nonexistent/x.json", &rc, NULL);
  assert_int_equal(rc, ED_EIO);
  assert_string_equal(
      out, "/nonexistent/x.json: cannot open the file: No such file or "
           "directory\n");
  free(out);
}

/* The complete example of docs/scenario-format.md (its first json block)
 * must load, so the documentation cannot drift from the loader. */
static void test_doc_example(void **state) {
  (void)state;
  char *doc = slurp(ED_SCENARIO_TESTDIR "/../../docs/scenario-format.md");
  assert_non_null(doc);
  char *begin = strstr(doc, "```json\n");
  assert_non_null(begin);
  begin += 8;
  char *end = strstr(begin, "```");
  assert_non_null(end);
  char file[] = "/tmp/ed-doc-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, begin, (size_t)(end - begin)), end - begin);
  close(fd);
  int rc;
  ed_scenario_t *s = NULL;
  char *out = load_output(file, &rc, &s);
  unlink(file);
  assert_string_equal(out, "");
  assert_int_equal(rc, 0);
  assert_int_equal(s->workloads[0].nsegs, 5);
  assert_int_equal(ed_scenario_length_ms(s), 95000);
  ed_scenario_destroy(s);
  free(out);
  free(doc);
}

/* Without driver callbacks, driver keys are not checked. */
static void test_no_drivers(void **state) {
  (void)state;
  char file[1024];
  snprintf(file, sizeof(file), "%s/bad/15-unknown-driver-key.json",
           ED_SCENARIO_TESTDIR);
  ed_diag_t d;
  ed_diag_init(&d);
  ed_scenario_t *s = NULL;
  assert_int_equal(ed_scenario_load(file, NULL, &d, &s), 0);
  assert_int_equal(d.count, 0);
  assert_non_null(json_object_get(s->targets[1].opts, "ca_fil"));
  ed_scenario_destroy(s);
  ed_diag_close(&d);
}

/* ---- jsonpos ------------------------------------------------------------ */

static ed_jsonpos_t *scan(const char *text) {
  ed_jsonpos_t *p = NULL;
  assert_int_equal(ed_jsonpos_scan(text, strlen(text), &p, NULL, NULL), 0);
  return p;
}

static void assert_pos(const ed_jsonpos_t *p, const char *path, int line,
                       int column) {
  int l = -1, c = -1;
  if (ed_jsonpos_value(p, path, &l, &c) != 0)
    fail_msg("no position for \"%s\"", path);
  if (l != line || c != column)
    fail_msg("\"%s\" at %d:%d, expected %d:%d", path, l, c, line, column);
}

static void assert_key(const ed_jsonpos_t *p, const char *path, int line,
                       int column) {
  int l = -1, c = -1;
  assert_int_equal(ed_jsonpos_key(p, path, &l, &c), 0);
  assert_int_equal(l, line);
  assert_int_equal(c, column);
}

static void test_jsonpos_nested(void **state) {
  (void)state;
  const char *text = "{\n"
                     "  \"workloads\": [\n"
                     "    { \"name\": \"a\" },\n"
                     "    { \"rate\": [ { \"for\": \"10s\" },\n"
                     "                { \"for\": 5 } ] }\n"
                     "  ],\n"
                     "  \"x\": { \"y\": { \"z\": [true, null, -1.5e3] } }\n"
                     "}\n";
  ed_jsonpos_t *p = scan(text);
  assert_pos(p, "", 1, 1);
  assert_pos(p, "workloads", 2, 16);
  assert_key(p, "workloads", 2, 3);
  assert_pos(p, "workloads[0]", 3, 5);
  assert_key(p, "workloads[0]", 3, 5);
  assert_pos(p, "workloads[0].name", 3, 15);
  assert_key(p, "workloads[0].name", 3, 7);
  assert_pos(p, "workloads[1].rate[0].for", 4, 26);
  assert_pos(p, "workloads[1].rate[1].for", 5, 26);
  assert_pos(p, "x.y.z[2]", 7, 35);
  assert_pos(p, "x.y.z[1]", 7, 29);
  int l = 0, c = 0;
  assert_int_equal(ed_jsonpos_value(p, "x.y.q", &l, &c), ED_ENOTFOUND);
  assert_int_equal(ed_jsonpos_value(p, "workloads[2]", &l, &c), ED_ENOTFOUND);
  assert_int_equal(ed_jsonpos_count(p), 16);
  assert_int_equal(ed_jsonpos_dup_count(p), 0);
  ed_jsonpos_destroy(p);
}

static void test_jsonpos_strings(void **state) {
  (void)state;
  /* Escapes (\" \\ \n \u00e9, a surrogate pair) in keys and values; raw
   * UTF-8 counts one column per character. */
  const char *text = "{\"a\\\"b\": \"x\\\\y\\n\", \"\\u00e9t\\u00e9\": 1,\n"
                     " \"\xc3\xa9t\xc3\xa9\": \"\xe2\x80\x94\", \"k\": 2,\n"
                     " \"\\ud83d\\ude00\": [\"\xf0\x9f\x98\x80\", 3]}";
  ed_jsonpos_t *p = scan(text);
  assert_pos(p, "a\"b", 1, 10);
  assert_key(p, "a\"b", 1, 2);
  assert_pos(p, "\xc3\xa9t\xc3\xa9", 2, 9); /* duplicate: the last one */
  assert_key(p, "\xc3\xa9t\xc3\xa9", 2, 2);
  assert_pos(p, "k", 2, 19);
  assert_pos(p, "\xf0\x9f\x98\x80", 3, 18);
  assert_pos(p, "\xf0\x9f\x98\x80[1]", 3, 24);
  /* "\u00e9t\u00e9" and "été" are the same key. */
  assert_int_equal(ed_jsonpos_dup_count(p), 1);
  const ed_jsonpos_dup_t *d = ed_jsonpos_dup(p, 0);
  assert_string_equal(d->key, "\xc3\xa9t\xc3\xa9");
  assert_int_equal(d->line, 2);
  assert_int_equal(d->column, 2);
  assert_int_equal(d->first_line, 1);
  assert_int_equal(d->first_column, 20);
  ed_jsonpos_destroy(p);
}

static void test_jsonpos_errors(void **state) {
  (void)state;
  static const char *const bad[] = {
      "{\"a\": 1,}", "[1 2]", "{\"a\" 1}",  "\"\\x\"",
      "[01]",        "[1.]",  "tru",        "{\"a\": 1} x",
      "\"\\ud800\"", "",      "[\"\x01\"]", NULL};
  for (size_t i = 0; bad[i]; i++) {
    ed_jsonpos_t *p = NULL;
    int line = 0, column = 0;
    int rc = ed_jsonpos_scan(bad[i], strlen(bad[i]), &p, &line, &column);
    if (rc != ED_EPARSE)
      fail_msg("accepted %s", bad[i]);
    assert_null(p);
    assert_int_equal(line, 1);
  }
  ed_jsonpos_t *p = NULL;
  int line = 0, column = 0;
  assert_int_equal(
      ed_jsonpos_scan("{\n  \"a\": [1,\n  }", 15, &p, &line, &column),
      ED_EPARSE);
  assert_int_equal(line, 3);
  assert_int_equal(column, 3);
}

static void test_jsonpos_duplicates(void **state) {
  (void)state;
  ed_jsonpos_t *p = scan("{\"t\": {\"u\": 1, \"v\": 2, \"u\": 3},\n"
                         " \"t\": {\"u\": 4}}");
  assert_int_equal(ed_jsonpos_dup_count(p), 2);
  assert_string_equal(ed_jsonpos_dup(p, 0)->path, "t.u");
  assert_string_equal(ed_jsonpos_dup(p, 1)->path, "t");
  assert_int_equal(ed_jsonpos_dup(p, 1)->line, 2);
  assert_pos(p, "t.u", 2, 13); /* the value jansson keeps */
  assert_null(ed_jsonpos_dup(p, 2));
  ed_jsonpos_destroy(p);
}

/* ---- durations ----------------------------------------------------------- */

static void assert_ms(const char *text, int64_t want) {
  int64_t ms = -1;
  char err[160] = "";
  if (ed_duration_parse(text, &ms, err, sizeof(err)) != 0)
    fail_msg("\"%s\": %s", text, err);
  if (ms != want)
    fail_msg("\"%s\" = %lld ms, expected %lld", text, (long long)ms,
             (long long)want);
}

static void assert_reason(const char *text, const char *reason) {
  int64_t ms = 7;
  char err[160] = "";
  assert_int_equal(ed_duration_parse(text, &ms, err, sizeof(err)), ED_EINVAL);
  assert_int_equal(ms, 7);
  assert_string_equal(err, reason);
}

static void test_duration_parse(void **state) {
  (void)state;
  assert_ms("250ms", 250);
  assert_ms("30s", 30000);
  assert_ms("2m", 120000);
  assert_ms("1h", 3600000);
  assert_ms("1m30s", 90000);
  assert_ms("1h2m3s4ms", 3723004);
  assert_ms("1.5s", 1500);
  assert_ms("0.25m", 15000);
  assert_ms("0s", 0);
  assert_reason("", "empty duration");
  assert_reason("-5s", "a duration cannot be negative");
  assert_reason("5x", "unknown unit \"x\" (use ms, s, m or h)");
  assert_reason("5", "missing unit (write e.g. \"30s\" or \"250ms\"; a bare "
                     "number means milliseconds only as a JSON integer)");
  assert_reason("30s1m", "units must go from the largest to the smallest, "
                         "each once (e.g. \"1h30m\", \"1m30s\")");
  assert_reason("1s1s", "units must go from the largest to the smallest, "
                        "each once (e.g. \"1h30m\", \"1m30s\")");
  assert_reason("1 s", "unexpected character ' '");
  assert_reason("s", "expected a number at \"s\"");
  assert_reason("1.0005s", "finer than a millisecond");
  assert_reason("100000000h", "too long (more than 1000 days)");
}

static void test_duration_json_and_format(void **state) {
  (void)state;
  int64_t ms = 0;
  char err[200], buf[32];
  json_t *v = json_integer(1500);
  assert_int_equal(ed_duration_from_json(v, &ms, err, sizeof(err)), 0);
  assert_int_equal(ms, 1500);
  json_decref(v);
  v = json_integer(-1);
  assert_int_equal(ed_duration_from_json(v, &ms, err, sizeof(err)), ED_EINVAL);
  assert_string_equal(err, "a duration cannot be negative, got -1");
  json_decref(v);
  v = json_real(1.5);
  assert_int_equal(ed_duration_from_json(v, &ms, err, sizeof(err)), ED_EINVAL);
  assert_string_equal(err, "expected a duration (a string such as \"30s\", or "
                           "an integer of milliseconds), got a real number");
  json_decref(v);
  v = json_string("2q");
  assert_int_equal(ed_duration_from_json(v, &ms, err, sizeof(err)), ED_EINVAL);
  assert_string_equal(err,
                      "invalid duration \"2q\": unknown unit \"q\" (use ms, "
                      "s, m or h)");
  json_decref(v);
  assert_string_equal(ed_duration_format(0, buf, sizeof(buf)), "0s");
  assert_string_equal(ed_duration_format(250, buf, sizeof(buf)), "250ms");
  assert_string_equal(ed_duration_format(90000, buf, sizeof(buf)), "1m30s");
  assert_string_equal(ed_duration_format(3723004, buf, sizeof(buf)),
                      "1h2m3s4ms");
  assert_string_equal(ed_duration_format(-1500, buf, sizeof(buf)), "-1s500ms");
  assert_string_equal(ed_duration_format(86400000, buf, sizeof(buf)), "24h");
}

/* ---- diag ---------------------------------------------------------------- */

static void test_did_you_mean(void **state) {
  (void)state;
  static const char *const keys[] = {"name",    "targets", "max_in_flight",
                                     "timeout", "op",      NULL};
  assert_string_equal(ed_did_you_mean("taregts", keys), "targets");
  assert_string_equal(ed_did_you_mean("max_inflight", keys), "max_in_flight");
  assert_string_equal(ed_did_you_mean("Name", keys), "name");
  assert_string_equal(ed_did_you_mean("timout", keys), "timeout");
  assert_null(ed_did_you_mean("rate", keys));
  assert_null(ed_did_you_mean("x", keys));
  assert_null(ed_did_you_mean("anything", NULL));
}

static void test_diag_print(void **state) {
  (void)state;
  ed_jsonpos_t *p = scan("{\"a\": {\"b\": 1},\n \"c\": [2]}");
  ed_diag_t d;
  ed_diag_init(&d);
  d.file = "f.json";
  d.pos = p;
  ed_diag_add(&d, "c[0]", "late %d", 1);
  ed_diag_add(&d, "a.missing", "falls back to %s", "a");
  ed_diag_add_key(&d, "c", "at the key");
  ed_diag_add_at(&d, 0, 0, "", "no position");
  ed_diag_add(&d, "", "document");
  d.file = "g.json";
  ed_diag_add_at(&d, 1, 1, "x", "other file");
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ed_diag_print(&d, m);
  fclose(m);
  assert_string_equal(buf, "f.json: no position\n"
                           "f.json:1:1: document\n"
                           "f.json:1:7: a.missing: falls back to a\n"
                           "f.json:2:2: c: at the key\n"
                           "f.json:2:8: c[0]: late 1\n"
                           "g.json:1:1: x: other file\n");
  free(buf);
  assert_int_equal(d.count, 6);
  ed_diag_close(&d);
  assert_int_equal(d.count, 0);
  ed_jsonpos_destroy(p);
}

/* Load `text` from a file of its own; the diagnostics printed, or NULL when
 * it loaded. */
static char *load_text(const char *text, size_t len) {
  char file[] = "/tmp/ed-limits-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    assert_true(w > 0);
    off += (size_t)w;
  }
  close(fd);
  ed_diag_t d;
  ed_diag_init(&d);
  ed_scenario_t *s = NULL;
  int rc = ed_scenario_load(file, &fake_drivers, &d, &s);
  unlink(file);
  char *out = NULL;
  if (rc != 0) {
    size_t n = 0;
    FILE *m = open_memstream(&out, &n);
    ed_diag_print(&d, m);
    fclose(m);
  }
  ed_scenario_destroy(s);
  ed_diag_close(&d);
  return out;
}

#define LIMITS_HEAD                                                            \
  "{\"name\":\"l\",\"targets\":{\"a\":{\"driver\":\"redfish\",\"sim\":{}}},"   \
  "\"workloads\":[{\"name\":\"w\",\"targets\":[\"a\"],\"op\":{\"get\":"        \
  "\"/\"},\"rate\":["

static void expect_limit(const char *text, size_t len, const char *message) {
  char *out = load_text(text, len);
  if (!out || !strstr(out, message))
    fail_msg("expected \"%s\" in:\n%s", message, out ? out : "(loaded)");
  free(out);
}

/* Each limit of the format has its own error, naming the limit. */
static void test_limits(void **state) {
  (void)state;
  size_t cap = 20u << 20;
  char *t = malloc(cap);
  assert_non_null(t);
  /* Rate segments: 1,000 load, 1,001 do not. */
  for (int n = 1000; n <= 1001; n++) {
    size_t len = (size_t)snprintf(t, cap, LIMITS_HEAD);
    for (int i = 0; i < n; i++)
      len +=
          (size_t)snprintf(t + len, cap - len,
                           "%s{\"constant\":1,\"for\":\"1s\"}", i ? "," : "");
    len += (size_t)snprintf(t + len, cap - len, "]}]}");
    if (n == 1000) {
      char *out = load_text(t, len);
      if (out)
        fail_msg("1,000 segments refused:\n%s", out);
    } else {
      expect_limit(t, len,
                   "workloads[0].rate: 1001 rate segments, more than the "
                   "limit of 1000");
    }
  }
  /* Nesting: 33 levels inside a check's expected value. */
  size_t len = (size_t)snprintf(
      t, cap,
      LIMITS_HEAD "{\"constant\":1,\"for\":\"1s\"}]}],\"checks\":{\"c\":{"
                  "\"target\":\"a\",\"op\":{\"get\":\"/\"},\"expect\":{"
                  "\"equals\":");
  /* Four levels are open here: the 29th bracket is the 33rd level. */
  size_t open_at = len;
  for (int i = 0; i < 40; i++)
    t[len++] = '[';
  for (int i = 0; i < 40; i++)
    t[len++] = ']';
  len += (size_t)snprintf(t + len, cap - len, "}}}}");
  char want[128];
  snprintf(want, sizeof(want),
           ":1:%zu: nested 44 levels deep, more than the limit of 32 levels",
           open_at + 29);
  expect_limit(t, len, want);
  /* Values: a million and more. */
  len = (size_t)snprintf(
      t, cap,
      LIMITS_HEAD "{\"constant\":1,\"for\":\"1s\"}]}],\"description\":[0");
  for (int i = 0; i < 1000001; i++) {
    t[len++] = ',';
    t[len++] = '0';
  }
  len += (size_t)snprintf(t + len, cap - len, "]}");
  expect_limit(t, len, "more than the limit of 1000000 values");
  /* Size: over 16 MiB, refused before it is read. */
  len = (size_t)snprintf(t, cap,
                         LIMITS_HEAD "{\"constant\":1,\"for\":\"1s\"}]}],"
                                     "\"description\":\"");
  memset(t + len, 'x', (17u << 20) - len);
  len = 17u << 20;
  len += (size_t)snprintf(t + len, cap - len, "\"}");
  expect_limit(t, len, "over the limit of 16 MiB");
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_jsonpos_nested),
      cmocka_unit_test(test_jsonpos_strings),
      cmocka_unit_test(test_jsonpos_errors),
      cmocka_unit_test(test_jsonpos_duplicates),
      cmocka_unit_test(test_duration_parse),
      cmocka_unit_test(test_duration_json_and_format),
      cmocka_unit_test(test_did_you_mean),
      cmocka_unit_test(test_diag_print),
      cmocka_unit_test(test_full_values),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_sha256_and_text),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_no_drivers),
      cmocka_unit_test(test_doc_example),
      cmocka_unit_test(test_good_files),
      cmocka_unit_test(test_inventory_selectors),
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
