/* The engagement file: read, validated strictly (every error with its
 * file:line:col and JSON path, all at once, like a scenario), kept. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engagement_internal.h"
#include "error.h"
#include "jsonpos.h"
#include "names.h"

#define MAX_FILE (4u << 20)
#define PATH_LEN 256

static const char *const role_names[ED__ROLE_COUNT + 1] = {
    "inspection", "rehearsal", "verification", "duty", NULL};

const char *ed__role_name(ed__role_t r) {
  return r < ED__ROLE_COUNT ? role_names[r] : "?";
}

/* ---- small checks ------------------------------------------------------ */

static void unknown_keys(ed_diag_t *d, const json_t *obj, const char *path,
                         const char *const *known) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    size_t i = 0;
    while (known[i] && strcmp(known[i], key) != 0)
      i++;
    if (known[i])
      continue;
    char kpath[PATH_LEN];
    ed_jsonpos_join_key(kpath, sizeof(kpath), path, key);
    const char *best = ed_did_you_mean(key, known);
    if (best)
      ed_diag_add_key(d, kpath, "unknown key \"%s\" (did you mean \"%s\"?)",
                      key, best);
    else
      ed_diag_add_key(d, kpath, "unknown key \"%s\"", key);
  }
}

/* A string member: required (NULL and an error when absent) or not. */
static const char *get_str(ed_diag_t *d, const json_t *obj, const char *path,
                           const char *key, int required) {
  char kpath[PATH_LEN];
  ed_jsonpos_join_key(kpath, sizeof(kpath), path, key);
  const json_t *v = json_object_get(obj, key);
  if (!v) {
    if (required)
      ed_diag_add(d, path, "missing \"%s\" (a string)", key);
    return NULL;
  }
  if (!json_is_string(v) || !json_string_length(v)) {
    ed_diag_add(d, kpath, "expected a non-empty string, got %s",
                json_is_string(v) ? "an empty one" : ed_diag_json_kind(v));
    return NULL;
  }
  return json_string_value(v);
}

/* "2026-11-11" or "2026-11-11T20:00:00Z" into the comparable form; a date
 * alone stands for its first second (from) or its last (to). */
static int parse_when(const char *text, int to, char out[24]) {
  struct tm tm = {0};
  int n = 0;
  if (sscanf(text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) !=
          3 ||
      n != 10)
    return -1;
  if (text[10] == 'T') {
    int m = 0;
    if (sscanf(text + 11, "%2d:%2d:%2dZ%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
               &m) != 3 ||
        m != 9 || text[11 + m] != '\0')
      return -1;
  } else if (text[10] != '\0') {
    return -1;
  } else if (to) {
    tm.tm_hour = 23, tm.tm_min = 59, tm.tm_sec = 59;
  }
  struct tm want = tm;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  /* timegm normalises 2026-02-30 to March: a date that moved is not one. */
  if (t == (time_t)-1 || tm.tm_year + 1900 != want.tm_year ||
      tm.tm_mon + 1 != want.tm_mon || tm.tm_mday != want.tm_mday ||
      tm.tm_hour != want.tm_hour || tm.tm_min != want.tm_min ||
      tm.tm_sec != want.tm_sec)
    return -1;
  strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return 0;
}

void ed__eng_time(const char *iso, char out[24]) {
  char head[24];
  out[0] = '\0';
  if (!iso || strlen(iso) < 19)
    return;
  snprintf(head, sizeof(head), "%.19sZ", iso);
  if (parse_when(head, 0, out) != 0)
    out[0] = '\0';
}

/* {"from", "to"}: both dates, in order. 0 or -1. */
static int get_span(ed_diag_t *d, const json_t *root, const char *key,
                    char from[24], char to[24]) {
  const json_t *o = json_object_get(root, key);
  if (!json_is_object(o)) {
    if (o)
      ed_diag_add(d, key, "expected an object {\"from\", \"to\"}, got %s",
                  ed_diag_json_kind(o));
    else
      ed_diag_add(d, "", "missing \"%s\" (an object {\"from\", \"to\"})", key);
    return -1;
  }
  unknown_keys(d, o, key, (const char *const[]){"from", "to", NULL});
  static const char *const ends[2] = {"from", "to"};
  char *out[2] = {from, to};
  int bad = 0;
  for (int i = 0; i < 2; i++) {
    const char *s = get_str(d, o, key, ends[i], 1);
    char p[PATH_LEN];
    ed_jsonpos_join_key(p, sizeof(p), key, ends[i]);
    if (!s)
      bad = 1;
    else if (parse_when(s, i, out[i]) != 0) {
      ed_diag_add(d, p,
                  "\"%s\" is not a date (YYYY-MM-DD) or a UTC time "
                  "(YYYY-MM-DDTHH:MM:SSZ)",
                  s);
      bad = 1;
    }
  }
  if (!bad && strcmp(from, to) > 0) {
    char p[PATH_LEN];
    ed_jsonpos_join_key(p, sizeof(p), key, "to");
    ed_diag_add(d, p, "ends (%s) before it starts (%s)", to, from);
    bad = 1;
  }
  return bad ? -1 : 0;
}

/* ---- the lists ----------------------------------------------------------- */

static void check_sites(ed_diag_t *d, const json_t *root) {
  const json_t *sites = json_object_get(root, "sites");
  if (!sites)
    return;
  if (!json_is_array(sites)) {
    ed_diag_add(d, "sites", "expected an array of site names, got %s",
                ed_diag_json_kind(sites));
    return;
  }
  size_t i;
  json_t *s;
  json_array_foreach((json_t *)sites, i, s) {
    char p[PATH_LEN];
    ed_jsonpos_join_index(p, sizeof(p), "sites", i);
    if (!json_is_string(s) || !json_string_length(s))
      ed_diag_add(d, p, "expected a non-empty string, got %s",
                  ed_diag_json_kind(s));
  }
}

static void check_role(ed_diag_t *d, const char *path, const char *role) {
  for (size_t r = 0; r < ED__ROLE_COUNT; r++)
    if (strcmp(role, role_names[r]) == 0)
      return;
  const char *best = ed_did_you_mean(role, role_names);
  if (best)
    ed_diag_add(d, path, "unknown role \"%s\" (did you mean \"%s\"?)", role,
                best);
  else
    ed_diag_add(d, path,
                "unknown role \"%s\" (inspection, rehearsal, verification "
                "or duty)",
                role);
}

/* A folder named twice would count its figures twice. */
static void check_twice(ed_diag_t *d, const json_t *folders) {
  size_t n = json_array_size(folders);
  const char **paths = calloc(n ? n : 1, sizeof(*paths));
  ed_names_t *names = NULL;
  if (!paths)
    return;
  for (size_t i = 0; i < n; i++)
    paths[i] =
        json_string_value(json_object_get(json_array_get(folders, i), "path"));
  if (ed_names_create(paths, n, &names) == 0) {
    for (size_t i = 0; i < n; i++) {
      long first = paths[i] ? ed_names_find(names, paths[i]) : -1;
      char item[PATH_LEN], p[PATH_LEN];
      ed_jsonpos_join_index(item, sizeof(item), "folders", i);
      ed_jsonpos_join_key(p, sizeof(p), item, "path");
      if (first >= 0 && (size_t)first != i)
        ed_diag_add(d, p, "\"%s\" is named twice (first as folders[%ld])",
                    paths[i], first);
    }
    ed_names_destroy(names);
  }
  free(paths);
}

static void check_folders(ed_diag_t *d, const json_t *root) {
  const json_t *folders = json_object_get(root, "folders");
  if (!folders) {
    if (!json_object_get(root, "scan"))
      ed_diag_add(d, "",
                  "missing \"folders\" (the results folders, each with its "
                  "role) or \"scan\" (a folder holding them)");
    return;
  }
  if (!json_is_array(folders)) {
    ed_diag_add(d, "folders",
                "expected an array of {\"path\", \"role\"}, "
                "got %s",
                ed_diag_json_kind(folders));
    return;
  }
  size_t i;
  json_t *f;
  json_array_foreach((json_t *)folders, i, f) {
    char p[PATH_LEN], rp[PATH_LEN];
    ed_jsonpos_join_index(p, sizeof(p), "folders", i);
    if (!json_is_object(f)) {
      ed_diag_add(d, p, "expected an object {\"path\", \"role\"}, got %s",
                  ed_diag_json_kind(f));
      continue;
    }
    unknown_keys(d, f, p, (const char *const[]){"path", "role", NULL});
    get_str(d, f, p, "path", 1);
    const char *role = get_str(d, f, p, "role", 1);
    ed_jsonpos_join_key(rp, sizeof(rp), p, "role");
    if (role)
      check_role(d, rp, role);
  }
  check_twice(d, folders);
}

/* ---- load ---------------------------------------------------------------- */

static void validate(ed_diag_t *d, ed__eng_t *e) {
  const json_t *root = e->root;
  if (!json_is_object(root)) {
    ed_diag_add(d, "", "an engagement is a JSON object, got %s",
                ed_diag_json_kind(root));
    return;
  }
  unknown_keys(d, root, "",
               (const char *const[]){"name", "title", "description", "fleet",
                                     "window", "event", "sites", "folders",
                                     "scan", NULL});
  e->name = get_str(d, root, "", "name", 1);
  e->title = get_str(d, root, "", "title", 1);
  e->fleet = get_str(d, root, "", "fleet", 0);
  get_str(d, root, "", "description", 0);
  get_str(d, root, "", "scan", 0);
  int w = get_span(d, root, "window", e->window_from, e->window_to);
  int ev = get_span(d, root, "event", e->event_from, e->event_to);
  if (w == 0 && ev == 0 &&
      (strcmp(e->event_from, e->window_from) < 0 ||
       strcmp(e->event_to, e->window_to) > 0))
    ed_diag_add(d, "event",
                "the event (%s to %s) is not inside the support window (%s "
                "to %s)",
                e->event_from, e->event_to, e->window_from, e->window_to);
  check_sites(d, root);
  check_folders(d, root);
}

static void report_dups(ed_diag_t *d, const ed_jsonpos_t *pos) {
  for (size_t i = 0; i < ed_jsonpos_dup_count(pos); i++) {
    const ed_jsonpos_dup_t *x = ed_jsonpos_dup(pos, i);
    ed_diag_add_at(d, x->line, x->column, x->path,
                   "duplicate key \"%s\" (first at line %d, column %d)", x->key,
                   x->first_line, x->first_column);
  }
}

int ed__eng_load(const char *file, ed_diag_t *diag, ed__eng_t *e) {
  memset(e, 0, sizeof(*e));
  const char *prev = diag->file;
  const ed_jsonpos_t *prev_pos = diag->pos;
  size_t before = diag->count;
  diag->file = file;
  char *text = NULL, *dir = strdup(file);
  size_t len = 0;
  ed_jsonpos_t *pos = NULL;
  e->file = strdup(file);
  int rc = e->file && dir ? 0 : ED_ENOMEM;
  if (rc == 0)
    rc = ed_diag_read_file(diag, file, MAX_FILE, &text, &len);
  if (rc == 0 && !(e->root = ed_diag_parse_json(diag, text, len)))
    rc = ED_EPARSE;
  if (rc == 0 && ed_jsonpos_scan(text, len, &pos, NULL, NULL) == 0) {
    diag->pos = pos;
    report_dups(diag, pos);
  }
  if (rc == 0) {
    e->base = strdup(dirname(dir));
    rc = ed__eng_sha256_file(file, e->sha256);
    validate(diag, e);
  }
  if (rc == 0 && diag->count != before)
    rc = ED_EPARSE;
  diag->file = prev;
  diag->pos = prev_pos;
  ed_jsonpos_destroy(pos);
  free(text);
  free(dir);
  if (rc != 0)
    ed__eng_close(e);
  return rc;
}

void ed__eng_close(ed__eng_t *e) {
  json_decref(e->sources);
  json_decref(e->root);
  free(e->file);
  free(e->base);
  memset(e, 0, sizeof(*e));
}
