/*
 * Unit tests of mockup loading (sim/mockup.h) as the service serves it:
 * load errors name the file, the compiled-in default equals its folder,
 * every @odata.id reachable from the ServiceRoot answers 200 with JSON, and
 * DMTF's public-rackmount1 (when ../shared holds it) loads and behaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mockup.h"
#include "service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_fixture.h"

#define SYS1 "/redfish/v1/Systems/1"
#define SESSIONS "/redfish/v1/SessionService/Sessions"
#define RACK "public-rackmount1"

static json_int_t count_of(fx_t *f, const char *path, int64_t now) {
  assert_int_equal(call(f, "GET", path, NULL, now), 200);
  json_t *j = body(f);
  json_int_t n = json_integer_value(json_object_get(j, "Members@odata.count"));
  assert_int_equal((size_t)n, json_array_size(json_object_get(j, "Members")));
  json_decref(j);
  return n;
}

/* ---- mockups ----------------------------------------------------------- */

static void test_load_errors(void **state) {
  (void)state;
  ed__mockup_t *m = NULL;
  char err[512] = "";
  assert_true(ed__mockup_load("/nonexistent/mockup", &m, err, sizeof(err)) < 0);
  assert_null(m);
  assert_non_null(strstr(err, "/nonexistent/mockup"));

  char dir[] = "/tmp/ed_sim_mockup_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char file[600], sub[600];
  snprintf(file, sizeof(file), "%s/index.json", dir);
  FILE *fp = fopen(file, "w");
  fputs("{\"Name\": \"root\"}", fp);
  fclose(fp);
  snprintf(sub, sizeof(sub), "%s/Broken", dir);
  mkdir(sub, 0700);
  char bad[700];
  snprintf(bad, sizeof(bad), "%s/index.json", sub);
  fp = fopen(bad, "w");
  fputs("{\"Name\": ", fp);
  fclose(fp);
  assert_true(ed__mockup_load(dir, &m, err, sizeof(err)) < 0);
  assert_non_null(strstr(err, bad));
  /* Fixed, it loads: two resources, no system, a root; an integer wider
   * than 64 bits (valid JSON, sent by real services) does not refuse it. */
  fp = fopen(bad, "w");
  fputs("{\"Name\": \"ok\", \"Wide\": 18446744073709551616}", fp);
  fclose(fp);
  assert_int_equal(ed__mockup_load(dir, &m, err, sizeof(err)), 0);
  assert_int_equal(ed__mockup_resource_count(m), 2);
  ed__mockup_destroy(m);
  unlink(bad);
  rmdir(sub);
  unlink(file);
  rmdir(dir);
}

/* The compiled-in default equals the folder it was made from. */
static void test_default_embedded_matches_folder(void **state) {
  fx_t *f = *state;
  ed__mockup_t *m = NULL;
  char err[512] = "";
  assert_int_equal(ed__mockup_load(ED_TEST_DEFAULT_DIR, &m, err, sizeof(err)),
                   0);
  assert_int_equal(ed__mockup_resource_count(m),
                   ed__mockup_resource_count(f->m));
  assert_true(ed__mockup_resource_count(m) >= 25);
  const ed__mres_t *a = ed__mockup_find(m, SYS1, strlen(SYS1));
  const ed__mres_t *b = ed__mockup_find(f->m, SYS1 "/", strlen(SYS1) + 1);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_equal(a->text, b->text);
  ed__mockup_destroy(m);
}

/* Every @odata.id reachable from the ServiceRoot answers 200 with JSON. */
static void walk(fx_t *f, json_t *j, json_t *seen, size_t *n) {
  if (json_is_array(j)) {
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) walk(f, v, seen, n);
    return;
  }
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    if (strcmp(k, "@odata.id") != 0 || !json_is_string(v)) {
      walk(f, v, seen, n);
      continue;
    }
    char p[512];
    snprintf(p, sizeof(p), "%s", json_string_value(v));
    p[strcspn(p, "#")] = '\0';
    size_t l = strlen(p);
    while (l > 1 && p[l - 1] == '/')
      p[--l] = '\0';
    if (strncmp(p, "/redfish/v1", 11) != 0 || json_object_get(seen, p))
      continue;
    json_object_set_new(seen, p, json_true());
    if (call(f, "GET", p, NULL, 0) != 200)
      fail_msg("GET %s: %d", p, f->r.status);
    json_t *c = body(f);
    (*n)++;
    walk(f, c, seen, n);
    json_decref(c);
  }
}

static size_t walk_all(fx_t *f) {
  json_t *seen = json_object();
  json_t *root = json_pack("{s:s}", "@odata.id", "/redfish/v1");
  size_t n = 0;
  walk(f, root, seen, &n);
  json_decref(root);
  json_decref(seen);
  return n;
}

static void test_walk_default(void **state) {
  fx_t *f = *state;
  call(f, "POST", SYS1 "/Actions/ComputerSystem.Reset",
       "{\"ResetType\": \"ForceOff\"}",
       0); /* a SEL entry of this BMC is walked too */
  assert_int_equal(walk_all(f), ed__mockup_resource_count(f->m) + 1);
}

static void test_dmtf_rackmount(void **state) {
  (void)state;
  char dir[600];
  snprintf(dir, sizeof(dir), "%s/redfish-mockups/" RACK, ED_TEST_SHARED_DIR);
  struct stat st;
  if (stat(dir, &st) != 0) {
    print_message("SKIP: %s absent\n", dir);
    skip();
  }
  fx_t f = {0};
  char err[512] = "";
  assert_int_equal(ed__mockup_load(dir, &f.m, err, sizeof(err)), 0);
  assert_true(ed__mockup_resource_count(f.m) >= 250);
  assert_int_equal(ed__service_create(f.m, &cfg, &f.s), 0);
  size_t walked = walk_all(&f);
  print_message("walked %zu resources of %s\n", walked, RACK);
  assert_true(walked >= 240);

  const char *sys = "/redfish/v1/Systems/437XR1138R2";
  assert_int_equal(call(&f, "POST",
                        "/redfish/v1/Systems/437XR1138R2/Actions/"
                        "ComputerSystem.Reset",
                        "{\"ResetType\": \"ForceOff\"}", 0),
                   204);
  assert_int_equal(call(&f, "GET", sys, NULL, 0), 200);
  json_t *j = body(&f);
  assert_string_equal(str_at(j, "PowerState"), "Off");
  json_decref(j);
  /* Its list has ForceOn but no PowerCycle. */
  call(&f, "POST",
       "/redfish/v1/Systems/437XR1138R2/Actions/"
       "ComputerSystem.Reset",
       "{\"ResetType\": \"PowerCycle\"}", 0);
  assert_int_equal(f.r.status, 400);
  assert_int_equal(call(&f, "POST",
                        "/redfish/v1/Systems/437XR1138R2/Actions/"
                        "ComputerSystem.Reset",
                        "{\"ResetType\": \"ForceOn\"}", 0),
                   204);
  /* This mockup has no SEL: one was added under the first manager. */
  const char *entries = "/redfish/v1/Managers/BMC/LogServices/SEL/Entries";
  assert_int_equal(count_of(&f, entries, 0), 2);
  assert_int_equal(call(&f, "POST",
                        "/redfish/v1/Managers/BMC/Actions/"
                        "Manager.Reset",
                        "{\"ResetType\": \"ForceRestart\"}", 0),
                   204);
  assert_int_equal(f.r.go_down_ms, 3000);
  /* Its sample session is not a live one; the collection lists live ones. */
  assert_int_equal(count_of(&f, SESSIONS, 0), 0);
  call(&f, "POST",
       "/redfish/v1/Managers/BMC/NetworkProtocol/HTTPS/"
       "Certificates/1/Actions/Certificate.Rekey",
       "{}", 0);
  assert_int_equal(f.r.status, 400);
  assert_non_null(strstr(f.r.body, "ActionNotSupported"));
  ed__sim_response_free(&f.r);
  ed__service_destroy(f.s);
  ed__mockup_destroy(f.m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test_setup_teardown(test_default_embedded_matches_folder,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_walk_default, setup, teardown),
      cmocka_unit_test(test_dmtf_rackmount),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
