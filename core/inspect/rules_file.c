/* The rules file: tuning the built-in rules and adding rules, with errors
 * that name the file, line:column and path; see rules.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "error.h"
#include "jsonpos.h"
#include "rules_internal.h"

/* ---- the rules file ---------------------------------------------------- */

typedef struct loader_s {
  ed_diag_t *diag;
  ed_rules_t *r;
  int nomem;
} loader_t;

ed__rule_t *ed__rules_find(ed_rules_t *r, const char *id) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->v[i].id, id) == 0)
      return &r->v[i];
  return NULL;
}

static void path_key(char *buf, size_t len, const char *parent,
                     const char *key) {
  int n = ed_jsonpos_join_key(buf, len, parent, key);
  if (n < 0 || (size_t)n >= len)
    snprintf(buf, len, "%s", parent);
}

static void path_index(char *buf, size_t len, const char *parent, size_t i) {
  int n = ed_jsonpos_join_index(buf, len, parent, i);
  if (n < 0 || (size_t)n >= len)
    snprintf(buf, len, "%s", parent);
}

static void set_severity(loader_t *l, ed__rule_t *rule, json_t *v,
                         const char *path) {
  int sev = ed_severity_parse(json_string_value(v));
  if (sev < 0)
    ed_diag_add(l->diag, path,
                "expected one of notice, warning, high, critical, got %s",
                json_is_string(v) ? json_string_value(v)
                                  : ed_diag_json_kind(v));
  else
    rule->severity = (ed_severity_t)sev;
}

/* A parameter keeps the type of its default: a number, or a duration. */
static void set_param(loader_t *l, ed__rule_t *rule, const char *key, json_t *v,
                      const char *path) {
  json_t *def = json_object_get(rule->params, key);
  if (!def) {
    const char *known[16];
    size_t n = 0;
    const char *k;
    json_t *x;
    json_object_foreach(rule->params, k, x) {
      if (n < 13)
        known[n++] = k;
    }
    known[n++] = "severity";
    known[n++] = "enabled";
    known[n] = NULL;
    const char *best = ed_did_you_mean(key, known);
    if (best)
      ed_diag_add_key(l->diag, path,
                      "unknown key \"%s\" (did you mean \"%s\"?)", key, best);
    else
      ed_diag_add_key(l->diag, path, "unknown key \"%s\" for rule %s", key,
                      rule->id);
    return;
  }
  char err[160] = "";
  int64_t ms;
  if (json_is_number(def) && !json_is_number(v)) {
    ed_diag_add(l->diag, path, "expected a number, got %s",
                ed_diag_json_kind(v));
  } else if (json_is_number(def) && json_number_value(v) < 0) {
    ed_diag_add(l->diag, path, "must not be negative");
  } else if (json_is_string(def) &&
             ed_duration_from_json(v, &ms, err, sizeof(err)) != 0) {
    ed_diag_add(l->diag, path, "%s", err);
  } else {
    json_object_set(rule->params, key, v);
  }
}

static void tune_rule(loader_t *l, ed__rule_t *rule, json_t *obj,
                      const char *path) {
  if (!json_is_object(obj)) {
    ed_diag_add(l->diag, path, "expected an object, got %s",
                ed_diag_json_kind(obj));
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    char kpath[512];
    path_key(kpath, sizeof(kpath), path, key);
    if (strcmp(key, "severity") == 0)
      set_severity(l, rule, v, kpath);
    else if (strcmp(key, "enabled") == 0 && json_is_boolean(v))
      rule->enabled = json_is_true(v);
    else if (strcmp(key, "enabled") == 0)
      ed_diag_add(l->diag, kpath, "expected true or false, got %s",
                  ed_diag_json_kind(v));
    else
      set_param(l, rule, key, v, kpath);
  }
}

static void unknown_rule(loader_t *l, const char *id, const char *path) {
  const char **ids = calloc(ed__rules_nbuiltin + 1, sizeof(*ids));
  if (!ids) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < ed__rules_nbuiltin; i++)
    ids[i] = ed__rules_builtin[i].id;
  const char *best = ed_did_you_mean(id, ids);
  if (best)
    ed_diag_add_key(l->diag, path, "unknown rule \"%s\" (did you mean \"%s\"?)",
                    id, best);
  else
    ed_diag_add_key(l->diag, path,
                    "unknown rule \"%s\" (rules added by the file go in "
                    "\"add\")",
                    id);
  free(ids);
}

static void load_tuning(loader_t *l, json_t *rules) {
  if (!rules)
    return;
  if (!json_is_object(rules)) {
    ed_diag_add(l->diag, "rules", "expected an object of rules by id, got %s",
                ed_diag_json_kind(rules));
    return;
  }
  const char *id;
  json_t *v;
  json_object_foreach(rules, id, v) {
    char path[512];
    path_key(path, sizeof(path), "rules", id);
    ed__rule_t *rule = ed__rules_find(l->r, id);
    if (rule && rule->def) {
      tune_rule(l, rule, v, path);
      continue;
    }
    unknown_rule(l, id, path);
  }
}

static char *want_string(loader_t *l, json_t *obj, const char *path,
                         const char *key) {
  char kpath[512];
  path_key(kpath, sizeof(kpath), path, key);
  json_t *v = json_object_get(obj, key);
  if (!v) {
    ed_diag_add(l->diag, path, "missing required key \"%s\"", key);
    return NULL;
  }
  if (!json_is_string(v) || !*json_string_value(v)) {
    ed_diag_add(l->diag, kpath, "expected a non-empty string, got %s",
                ed_diag_json_kind(v));
    return NULL;
  }
  char *s = strdup(json_string_value(v));
  if (!s)
    l->nomem = 1;
  return s;
}

static int check_added_keys(loader_t *l, json_t *obj, const char *path) {
  static const char *const keys[] = {
      "id",         "severity", "title", "measure", "pointer", "equals",
      "not_equals", "above",    "below", "match",   NULL};
  const char *key;
  json_t *v;
  int ncmp = 0;
  json_object_foreach(obj, key, v) {
    char kpath[512];
    path_key(kpath, sizeof(kpath), path, key);
    size_t i = 0;
    while (keys[i] && strcmp(keys[i], key) != 0)
      i++;
    if (!keys[i]) {
      const char *best = ed_did_you_mean(key, keys);
      ed_diag_add_key(l->diag, kpath, "unknown key \"%s\"%s%s%s", key,
                      best ? " (did you mean \"" : "", best ? best : "",
                      best ? "\"?)" : "");
    } else if (i >= 5) {
      ncmp++;
    }
  }
  if (ncmp != 1)
    ed_diag_add(l->diag, path,
                "write exactly one comparison: equals, not_equals, above, "
                "below or match (found %d)",
                ncmp);
  return ncmp == 1;
}

static void added_cmp(loader_t *l, ed__rule_t *rule, json_t *obj,
                      const char *path) {
  for (size_t i = 0; ed__rules_cmp_names[i]; i++) {
    json_t *v = json_object_get(obj, ed__rules_cmp_names[i]);
    if (!v)
      continue;
    char kpath[512];
    path_key(kpath, sizeof(kpath), path, ed__rules_cmp_names[i]);
    rule->cmp = strdup(ed__rules_cmp_names[i]);
    rule->value = json_incref(v);
    if ((i == 2 || i == 3) && !json_is_number(v))
      ed_diag_add(l->diag, kpath, "expected a number, got %s",
                  ed_diag_json_kind(v));
    if (i == 4) {
      char why[256];
      int rc = json_is_string(v)
                   ? ed_pattern_compile(json_string_value(v), &rule->pattern,
                                        why, sizeof(why))
                   : ED_EINVAL;
      if (!json_is_string(v))
        ed_diag_add(l->diag, kpath,
                    "expected a regular expression (a "
                    "string), got %s",
                    ed_diag_json_kind(v));
      else if (rc)
        ed_diag_add(l->diag, kpath, "not a valid regular expression: %s",
                    rc == ED_ENOMEM ? ed_strerror(rc) : why);
    }
  }
}

static void load_added(loader_t *l, json_t *add) {
  if (!add)
    return;
  if (!json_is_array(add)) {
    ed_diag_add(l->diag, "add", "expected an array of rules, got %s",
                ed_diag_json_kind(add));
    return;
  }
  size_t n = json_array_size(add);
  ed__rule_t *grown = realloc(l->r->v, (l->r->n + n) * sizeof(*grown));
  if (!grown) {
    l->nomem = 1;
    return;
  }
  l->r->v = grown;
  for (size_t i = 0; i < n; i++) {
    char path[512];
    path_index(path, sizeof(path), "add", i);
    json_t *obj = json_array_get(add, i);
    if (!json_is_object(obj)) {
      ed_diag_add(l->diag, path, "expected an object, got %s",
                  ed_diag_json_kind(obj));
      continue;
    }
    ed__rule_t *rule = &l->r->v[l->r->n++];
    memset(rule, 0, sizeof(*rule));
    rule->enabled = 1;
    rule->severity = ED_SEV_WARNING;
    rule->params = json_object();
    rule->id = want_string(l, obj, path, "id");
    rule->title = want_string(l, obj, path, "title");
    rule->measure = want_string(l, obj, path, "measure");
    rule->pointer = want_string(l, obj, path, "pointer");
    if (rule->id && ed__rules_find(l->r, rule->id) != rule) {
      char ipath[512];
      path_key(ipath, sizeof(ipath), path, "id");
      ed_diag_add(l->diag, ipath, "rule \"%s\" already exists", rule->id);
    }
    if (rule->pointer && rule->pointer[0] != '/') {
      char ppath[512];
      path_key(ppath, sizeof(ppath), path, "pointer");
      ed_diag_add(l->diag, ppath, "a JSON pointer starts with /");
    }
    json_t *sev = json_object_get(obj, "severity");
    if (sev) {
      char spath[512];
      path_key(spath, sizeof(spath), path, "severity");
      set_severity(l, rule, sev, spath);
    }
    if (check_added_keys(l, obj, path))
      added_cmp(l, rule, obj, path);
  }
}

static void load_file_root(loader_t *l, json_t *root) {
  static const char *const keys[] = {"rules", "add", NULL};
  if (!json_is_object(root)) {
    ed_diag_add(l->diag, "", "a rules file is a JSON object, got %s",
                ed_diag_json_kind(root));
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    if (strcmp(key, "rules") && strcmp(key, "add")) {
      const char *best = ed_did_you_mean(key, keys);
      ed_diag_add_key(l->diag, key, "unknown key \"%s\" (%s%s%s)", key,
                      best ? "did you mean \"" : "known keys: rules, add",
                      best ? best : "", best ? "\"?" : "");
    }
  }
  load_tuning(l, json_object_get(root, "rules"));
  load_added(l, json_object_get(root, "add"));
}

/* A rules file is a few kilobytes; anything this big is a mistake. */
#define MAX_RULES_FILE (1024u * 1024)

int ed__rules_load_file(ed_rules_t *r, const char *file, ed_diag_t *diag) {
  const char *prev = diag->file;
  const ed_jsonpos_t *prev_pos = diag->pos;
  diag->file = file;
  char *text = NULL;
  size_t len = 0;
  int rc = ed_diag_read_file(diag, file, MAX_RULES_FILE, &text, &len);
  json_t *root = rc == 0 ? ed_diag_parse_json(diag, text, len) : NULL;
  if (rc == 0 && !root)
    rc = ED_EPARSE;
  if (root) {
    ed_jsonpos_t *pos = NULL;
    ed_jsonpos_scan(text, len, &pos, NULL, NULL);
    diag->pos = pos;
    loader_t l = {diag, r, 0};
    size_t before = diag->count;
    load_file_root(&l, root);
    rc = l.nomem ? ED_ENOMEM : diag->count != before ? ED_EPARSE : 0;
    diag->pos = prev_pos;
    ed_jsonpos_destroy(pos);
  }
  json_decref(root);
  free(text);
  diag->file = prev;
  return rc;
}
