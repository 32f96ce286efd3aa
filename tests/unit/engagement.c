/* The engagement file (core/engagement/engagement_file.c): a valid file
 * and its normalised dates, every error with its line:column, and the
 * folders judged (engagement_sources.c): absent, without evidence,
 * interrupted, of another fleet, of another role, outside the window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "engagement_internal.h"
#include "error.h"

static char dir[512];

static void write_file(const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "%s/engagement.XXXXXX", ED_TEST_TMPDIR);
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name) {
  static char p[1024];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  return p;
}

/* The diag entry whose message holds text, or NULL. */
static const ed_diag_entry_t *entry(const ed_diag_t *d, const char *text) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->entries[i].message, text))
      return &d->entries[i];
  return NULL;
}

static void test_valid(void **state) {
  (void)state;
  write_file("ok.json", "{\"name\": \"ev\", \"title\": \"The event\",\n"
                        " \"window\": {\"from\": \"2026-11-01\", \"to\": "
                        "\"2026-11-14\"},\n"
                        " \"event\": {\"from\": \"2026-11-10T16:00:00Z\", "
                        "\"to\": \"2026-11-11\"},\n"
                        " \"sites\": [\"hall-a\"], \"scan\": \"results\"}\n");
  ed_diag_t d;
  ed_diag_init(&d);
  ed__eng_t e;
  assert_int_equal(ed__eng_load(path_of("ok.json"), &d, &e), 0);
  assert_int_equal(d.count, 0);
  assert_string_equal(e.name, "ev");
  assert_string_equal(e.title, "The event");
  assert_null(e.fleet);
  assert_string_equal(e.window_from, "2026-11-01T00:00:00Z");
  assert_string_equal(e.window_to, "2026-11-14T23:59:59Z");
  assert_string_equal(e.event_from, "2026-11-10T16:00:00Z");
  assert_string_equal(e.event_to, "2026-11-11T23:59:59Z");
  assert_string_equal(e.base, dir);
  assert_int_equal(strlen(e.sha256), 64);
  ed__eng_close(&e);
  ed_diag_close(&d);
}

static void test_errors(void **state) {
  (void)state;
  write_file(
      "bad.json",
      "{\n"
      "  \"name\": \"\",\n"
      "  \"titel\": \"x\",\n"
      "  \"window\": {\"from\": \"2026-11-10\", \"to\": \"2026-11-01\"},\n"
      "  \"event\": {\"from\": \"2026-13-01\", \"to\": \"2026-11-02\"},\n"
      "  \"folders\": [{\"path\": \"a\", \"role\": \"dutty\"},\n"
      "              {\"path\": \"a\", \"role\": \"inspection\"}, 3],\n"
      "  \"name\": \"twice\"\n"
      "}\n");
  ed_diag_t d;
  ed_diag_init(&d);
  ed__eng_t e;
  assert_int_equal(ed__eng_load(path_of("bad.json"), &d, &e), ED_EPARSE);
  const ed_diag_entry_t *x;
  assert_non_null(x = entry(&d, "unknown key \"titel\" (did you mean "
                                "\"title\"?)"));
  assert_int_equal(x->line, 3);
  assert_int_equal(x->column, 3);
  assert_non_null(x = entry(&d, "ends (2026-11-01T23:59:59Z) before it "
                                "starts"));
  assert_int_equal(x->line, 4);
  assert_string_equal(x->path, "window.to");
  assert_non_null(x = entry(&d, "\"2026-13-01\" is not a date"));
  assert_int_equal(x->line, 5);
  assert_non_null(x = entry(&d, "unknown role \"dutty\" (did you mean "
                                "\"duty\"?)"));
  assert_string_equal(x->path, "folders[0].role");
  assert_int_equal(x->line, 6);
  assert_non_null(x = entry(&d, "\"a\" is named twice (first as "
                                "folders[0])"));
  assert_string_equal(x->path, "folders[1].path");
  assert_int_equal(x->line, 7);
  assert_non_null(x = entry(&d, "expected an object {\"path\", \"role\"}, got "
                                "an integer"));
  assert_string_equal(x->path, "folders[2]");
  assert_non_null(x = entry(&d, "duplicate key \"name\""));
  assert_int_equal(x->line, 8);
  assert_non_null(entry(&d, "missing \"title\""));
  ed_diag_close(&d);
}

static void test_time(void **state) {
  (void)state;
  char out[24];
  ed__eng_time("2026-11-11T20:41:07.123Z", out);
  assert_string_equal(out, "2026-11-11T20:41:07Z");
  ed__eng_time("2026-11-11T20:41:07Z", out);
  assert_string_equal(out, "2026-11-11T20:41:07Z");
  ed__eng_time("2026-02-30T00:00:00Z", out);
  assert_string_equal(out, "");
  ed__eng_time("yesterday", out);
  assert_string_equal(out, "");
  ed__eng_time(NULL, out);
  assert_string_equal(out, "");
}

static void mkdir_in(const char *name) {
  assert_int_equal(mkdir(path_of(name), 0700), 0);
}

/* The state of the source with path, and its why. */
static const json_t *src_of(const ed__eng_t *e, const char *path) {
  size_t i;
  json_t *s;
  json_array_foreach(e->sources, i, s) {
    if (!strcmp(ed__eng_str(s, "path"), path))
      return s;
  }
  fail_msg("no source %s", path);
  return NULL;
}

static void test_gaps(void **state) {
  (void)state;
  mkdir_in("empty");
  mkdir_in("cut");
  mkdir_in("other");
  mkdir_in("good");
  mkdir_in("late");
  write_file("cut/inspection.json",
             "{\"inventory\": \"lab\", \"started\": \"2026-11-02T10:00:00Z\", "
             "\"interrupted\": true, \"findings\": []}");
  write_file("other/inspection.json",
             "{\"inventory\": \"elsewhere\", \"started\": "
             "\"2026-11-02T10:00:00Z\", \"interrupted\": false}");
  write_file("good/inspection.json",
             "{\"inventory\": \"lab\", \"started\": \"2026-11-03T10:00:00Z\", "
             "\"interrupted\": false, \"findings\": []}");
  write_file("late/inspection.json",
             "{\"inventory\": \"lab\", \"started\": \"2026-12-03T10:00:00Z\", "
             "\"interrupted\": false, \"findings\": []}");
  write_file(
      "g.json",
      "{\"name\": \"ev\", \"title\": \"t\", \"fleet\": \"lab\",\n"
      " \"window\": {\"from\": \"2026-11-01\", \"to\": \"2026-11-14\"},\n"
      " \"event\": {\"from\": \"2026-11-10\", \"to\": \"2026-11-11\"},\n"
      " \"folders\": [{\"path\": \"gone\", \"role\": \"duty\"},\n"
      "   {\"path\": \"empty\", \"role\": \"rehearsal\"},\n"
      "   {\"path\": \"cut\", \"role\": \"inspection\"},\n"
      "   {\"path\": \"other\", \"role\": \"inspection\"},\n"
      "   {\"path\": \"good\", \"role\": \"verification\"},\n"
      "   {\"path\": \"late\", \"role\": \"inspection\"}]}\n");
  ed_diag_t d;
  ed_diag_init(&d);
  ed__eng_t e;
  assert_int_equal(ed__eng_load(path_of("g.json"), &d, &e), 0);
  assert_int_equal(ed__eng_read_sources(&e), 5);
  assert_string_equal(ed__eng_str(src_of(&e, "gone"), "state"), "absent");
  assert_string_equal(ed__eng_str(src_of(&e, "empty"), "state"), "unreadable");
  assert_string_equal(ed__eng_str(src_of(&e, "cut"), "state"), "incomplete");
  assert_string_equal(ed__eng_str(src_of(&e, "other"), "state"), "other fleet");
  assert_string_equal(ed__eng_str(src_of(&e, "good"), "state"), "other role");
  const json_t *late = src_of(&e, "late");
  assert_string_equal(ed__eng_str(late, "state"), "ok");
  assert_true(json_is_true(json_object_get(late, "outside_window")));
  assert_string_equal(ed__eng_str(late, "label"), "I3");
  assert_int_equal(strlen(ed__eng_str(late, "sha256")), 64);
  /* Only whole folders of the role count. */
  json_t *ins = ed__eng_of_role(&e, ED__ROLE_INSPECTION);
  assert_int_equal(json_array_size(ins), 1);
  json_decref(ins);
  ed__eng_close(&e);
  ed_diag_close(&d);
}

/* A scan reads every sub-folder, its role from its evidence; one without
 * evidence is listed as skipped (not a gap), a summary's own output is
 * passed over. */
static void test_scan(void **state) {
  (void)state;
  mkdir_in("scan");
  mkdir_in("scan/b-inspect");
  mkdir_in("scan/a-inspect");
  mkdir_in("scan/notes");
  mkdir_in("scan/summary");
  write_file("scan/a-inspect/inspection.json",
             "{\"inventory\": \"lab\", \"started\": \"2026-11-03T10:00:00Z\", "
             "\"interrupted\": false, \"findings\": []}");
  write_file("scan/b-inspect/inspection.json",
             "{\"inventory\": \"lab\", \"started\": \"2026-11-02T10:00:00Z\", "
             "\"interrupted\": false, \"findings\": []}");
  write_file("scan/summary/summary.md", "# earlier summary\n");
  write_file(
      "s.json",
      "{\"name\": \"ev\", \"title\": \"t\", \"scan\": \"scan\",\n"
      " \"window\": {\"from\": \"2026-11-01\", \"to\": \"2026-11-14\"},\n"
      " \"event\": {\"from\": \"2026-11-10\", \"to\": \"2026-11-11\"}}\n");
  ed_diag_t d;
  ed_diag_init(&d);
  ed__eng_t e;
  assert_int_equal(ed__eng_load(path_of("s.json"), &d, &e), 0);
  assert_int_equal(ed__eng_read_sources(&e), 0);
  assert_int_equal(json_array_size(e.sources), 3);
  const json_t *a = src_of(&e, "scan/a-inspect");
  assert_string_equal(ed__eng_str(a, "role"), "inspection");
  assert_string_equal(ed__eng_str(a, "label"), "I1");
  assert_string_equal(ed__eng_str(src_of(&e, "scan/notes"), "state"),
                      "skipped");
  /* Oldest first, whatever the names' order. */
  json_t *ins = ed__eng_of_role(&e, ED__ROLE_INSPECTION);
  assert_int_equal(json_array_size(ins), 2);
  assert_string_equal(ed__eng_str(json_array_get(ins, 0), "path"),
                      "scan/b-inspect");
  json_decref(ins);
  ed__eng_close(&e);
  ed_diag_close(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid), cmocka_unit_test(test_errors),
      cmocka_unit_test(test_time),  cmocka_unit_test(test_gaps),
      cmocka_unit_test(test_scan),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
