/* The engagement's sources: each results folder read through the model its
 * own report renders, with what is wrong with it said, never skipped. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engagement_internal.h"
#include "error.h"
#include "report.h"
#include "watch.h"

int ed__eng_sha256_file(const char *path, char out[65]) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return ED_EIO;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
    ok = EVP_DigestUpdate(ctx, buf, n);
  unsigned mdlen = 0;
  ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
  EVP_MD_CTX_free(ctx);
  fclose(f);
  for (unsigned i = 0; ok && i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
  return ok ? 0 : ED_EIO;
}

/* ---- one folder ---------------------------------------------------------- */

static void set_state(json_t *src, const char *state, json_t *why) {
  json_object_set_new(src, "state", json_string(state));
  json_object_set_new(src, "why", why);
}

static int exists(const char *dir, const char *name) {
  char p[PATH_MAX + 64];
  struct stat st;
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

/* What ran: an inventory or a scenario, with its file's SHA-256. */
static void ran(json_t *src, const char *what, const char *name,
                const char *sha) {
  json_object_set_new(src, "ran",
                      ed_doc_fmt("%s %s%s%s", what, name ? name : "?",
                                 sha ? ", SHA-256 " : "", sha ? sha : ""));
}

static void evidence(json_t *src, const char *dir, const char *file) {
  char p[PATH_MAX + 64], sha[65];
  snprintf(p, sizeof(p), "%s/%s", dir, file);
  json_object_set_new(src, "evidence", json_string(file));
  if (ed__eng_sha256_file(p, sha) == 0)
    json_object_set_new(src, "sha256", json_string(sha));
}

static const char *kind_inspection(json_t *src, const char *dir) {
  char p[PATH_MAX + 64];
  snprintf(p, sizeof(p), "%s/inspection.json", dir);
  json_error_t err;
  json_t *in = json_load_file(p, 0, &err);
  evidence(src, dir, "inspection.json");
  if (!json_is_object(in)) {
    set_state(src, "unreadable",
              ed_doc_fmt("inspection.json: %s (line %d)", err.text, err.line));
    json_decref(in);
    return "inspection";
  }
  json_object_set_new(src, "inspection", in);
  json_object_set(src, "started", json_object_get(in, "started"));
  json_object_set(src, "fleet", json_object_get(in, "inventory"));
  ran(src, "inventory",
      ed__eng_str(in, "inventory")[0] ? ed__eng_str(in, "inventory") : NULL,
      json_string_value(json_object_get(in, "inventory_sha256")));
  if (json_is_true(json_object_get(in, "interrupted")))
    set_state(src, "incomplete",
              json_string("the inspection was interrupted: not every device "
                          "was read"));
  return "inspection";
}

static const char *kind_watch(json_t *src, const char *dir) {
  json_t *m;
  ed_jread_stats_t st;
  evidence(src, dir, "journal.jsonl");
  if (ed_watch_model(dir, &m, &st) != 0) {
    set_state(src, "unreadable", json_string("journal.jsonl: not readable"));
    return "duty";
  }
  const json_t *start = json_object_get(m, "start");
  json_object_set_new(src, "watch", m);
  json_object_set(src, "started", json_object_get(start, "started"));
  json_object_set(src, "fleet", json_object_get(start, "inventory"));
  const json_t *plan = json_object_get(start, "plan");
  if (json_is_object(plan))
    json_object_set_new(src, "ran",
                        ed_doc_fmt("inventory %s; plan scenario %s, SHA-256 %s",
                                   ed__eng_str(start, "inventory"),
                                   ed__eng_str(plan, "name"),
                                   ed__eng_str(plan, "sha256")));
  else
    ran(src, "inventory", ed__eng_str(start, "inventory"), NULL);
  char why[256];
  if (!json_object_get(m, "end") || st.partial_last) {
    ed_jread_describe(&st, why, sizeof(why));
    set_state(src, "incomplete",
              ed_doc_fmt("the watch did not end cleanly (no watch_end)%s%s",
                         why[0] ? ": " : "", why));
  }
  return "duty";
}

static const char *kind_run(json_t *src, const char *dir) {
  json_t *s = NULL;
  int incomplete = 0;
  evidence(src, dir, "journal.jsonl");
  int rc = ed_report_summary(dir, &s, &incomplete);
  if (rc != 0) {
    set_state(src, "unreadable",
              ed_doc_fmt("journal.jsonl: %s", ed_strerror(rc)));
    return NULL;
  }
  json_object_set_new(src, "summary", s);
  json_object_set(src, "started", json_object_get(s, "started"));
  ran(src, "scenario", ed__eng_str(s, "scenario"),
      json_string_value(json_object_get(s, "scenario_sha256")));
  if (incomplete)
    set_state(src, "incomplete",
              json_string("the run did not finish (interrupted, killed or "
                          "its journal cut)"));
  return strcmp(ed__eng_str(s, "mode"), "verify") == 0 ? "verification"
                                                       : "rehearsal";
}

/* Read dir into src; returns the role its evidence plays, or NULL. */
static const char *read_folder(json_t *src, const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    set_state(src, "absent",
              ed_doc_fmt("%s", errno == ENOENT || !errno ? "no such folder"
                                                         : strerror(errno)));
    return NULL;
  }
  if (access(dir, R_OK | X_OK) != 0) {
    set_state(src, "unreadable", ed_doc_fmt("%s", strerror(errno)));
    return NULL;
  }
  if (exists(dir, "inspection.json"))
    return kind_inspection(src, dir);
  if (!exists(dir, "journal.jsonl")) {
    set_state(src, "unreadable",
              json_string("neither journal.jsonl nor inspection.json in it"));
    return NULL;
  }
  if (ed_watch_is_results(dir))
    return kind_watch(src, dir);
  return kind_run(src, dir);
}

static void judge(const ed__eng_t *e, json_t *src, const char *found) {
  const char *role = ed__eng_str(src, "role");
  if (!json_object_get(src, "state")) {
    if (found && role[0] && strcmp(found, role) != 0)
      set_state(
          src, "other role",
          ed_doc_fmt("named as %s, but its evidence is of a %s", role, found));
    else if (e->fleet && json_object_get(src, "fleet") &&
             strcmp(ed__eng_str(src, "fleet"), e->fleet) != 0)
      set_state(src, "other fleet",
                ed_doc_fmt("of the fleet \"%s\", not \"%s\"",
                           ed__eng_str(src, "fleet"), e->fleet));
    else
      set_state(src, "ok", json_string(""));
  }
  if (!role[0] && found)
    json_object_set_new(src, "role", json_string(found));
  char when[24];
  ed__eng_time(ed__eng_str(src, "started"), when);
  json_object_set_new(
      src, "outside_window",
      json_boolean(when[0] && (strcmp(when, e->window_from) < 0 ||
                               strcmp(when, e->window_to) > 0)));
}

static json_t *source(const ed__eng_t *e, const char *path, const char *role) {
  char dir[PATH_MAX];
  if (path[0] == '/')
    snprintf(dir, sizeof(dir), "%s", path);
  else
    snprintf(dir, sizeof(dir), "%s/%s", e->base, path);
  json_t *src = json_pack("{s:s,s:s,s:s}", "path", path, "dir", dir, "role",
                          role ? role : "");
  errno = 0;
  judge(e, src, read_folder(src, dir));
  return src;
}

/* ---- the scan -------------------------------------------------------------
 */

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every folder under the scan folder, by name; one that holds no evidence
 * is listed (state "skipped"), never dropped silently. */
static void scan(ed__eng_t *e, const char *path) {
  char root[PATH_MAX];
  snprintf(root, sizeof(root), "%s%s%s", path[0] == '/' ? "" : e->base,
           path[0] == '/' ? "" : "/", path);
  DIR *d = opendir(root);
  if (!d) {
    json_t *src =
        json_pack("{s:s,s:s,s:s}", "path", path, "dir", root, "role", "scan");
    set_state(src, errno == ENOENT ? "absent" : "unreadable",
              ed_doc_fmt("the scan folder: %s", strerror(errno)));
    json_array_append_new(e->sources, src);
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      char **x = realloc(names, cap * sizeof(*names));
      if (!x)
        break;
      names = x;
    }
    names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof(*names), by_name);
  for (size_t i = 0; i < n; i++) {
    char rel[PATH_MAX], full[PATH_MAX];
    int too_long = snprintf(rel, sizeof(rel), "%s/%s", path, names[i]) >=
                       (int)sizeof(rel) ||
                   snprintf(full, sizeof(full), "%s/%s", root, names[i]) >=
                       (int)sizeof(full);
    struct stat st;
    if (!too_long && stat(full, &st) == 0 && S_ISDIR(st.st_mode) &&
        !exists(full, "summary.md")) {
      json_t *src = source(e, rel, NULL);
      if (!strcmp(ed__eng_str(src, "state"), "unreadable") &&
          !json_object_get(src, "evidence"))
        set_state(src, "skipped",
                  json_string("no evidence in it (found by "
                              "the scan)"));
      json_array_append_new(e->sources, src);
    }
    free(names[i]);
  }
  free(names);
}

/* ---- all ------------------------------------------------------------------
 */

/* Labels cite a source in the report: I1, I2 (inspections), R1 (rehearsals),
 * V1 (verifications), D1 (duty shifts), X1 (anything else). */
static void label(json_t *sources) {
  static const char letters[] = "IRVD";
  int count[ED__ROLE_COUNT + 1] = {0};
  size_t i;
  json_t *src;
  json_array_foreach(sources, i, src) {
    size_t r = 0;
    while (r < ED__ROLE_COUNT &&
           strcmp(ed__eng_str(src, "role"), ed__role_name(r)) != 0)
      r++;
    json_object_set_new(
        src, "label",
        ed_doc_fmt("%c%d", r < ED__ROLE_COUNT ? letters[r] : 'X', ++count[r]));
  }
}

int ed__eng_read_sources(ed__eng_t *e) {
  e->sources = json_array();
  if (!e->sources)
    return -1;
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(e->root, "folders"), i, f)
      json_array_append_new(e->sources, source(e, ed__eng_str(f, "path"),
                                               ed__eng_str(f, "role")));
  const char *sc = json_string_value(json_object_get(e->root, "scan"));
  if (sc)
    scan(e, sc);
  label(e->sources);
  json_array_foreach(e->sources, i, f)
      json_object_set_new(f, "index", json_integer((json_int_t)i));
  int gaps = 0;
  json_array_foreach(e->sources, i, f) {
    const char *st = ed__eng_str(f, "state");
    gaps += strcmp(st, "ok") != 0 && strcmp(st, "skipped") != 0;
  }
  return gaps;
}

/* Oldest first; two started in the same second keep the order of the
 * engagement file (qsort is not stable: the index decides). */
static int by_started(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int c = strcmp(ed__eng_str(x, "started"), ed__eng_str(y, "started"));
  if (c)
    return c;
  json_int_t i = json_integer_value(json_object_get(x, "index")),
             j = json_integer_value(json_object_get(y, "index"));
  return (i > j) - (i < j);
}

json_t *ed__eng_of_role(const ed__eng_t *e, ed__role_t role) {
  size_t n = 0, i;
  json_t *src, *list[512];
  json_array_foreach(e->sources, i, src) {
    if (n < 512 && !strcmp(ed__eng_str(src, "state"), "ok") &&
        !strcmp(ed__eng_str(src, "role"), ed__role_name(role)))
      list[n++] = src;
  }
  qsort(list, n, sizeof(*list), by_started);
  json_t *out = json_array();
  for (i = 0; i < n; i++)
    json_array_append(out, list[i]);
  return out;
}
