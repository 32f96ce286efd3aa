/* Typed reads of JSON members for the scenario loader; see
 * scenario_internal.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

void ed__path_key(char *buf, const char *parent, const char *key) {
  ed_jsonpos_join_key(buf, ED__PATH_MAX, parent, key);
}

void ed__path_index(char *buf, const char *parent, size_t index) {
  ed_jsonpos_join_index(buf, ED__PATH_MAX, parent, index);
}

char *ed__strdup(ed__loader_t *l, const char *s) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    l->nomem = 1;
  return d;
}

static int in_list(const char *word, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(word, list[i]) == 0)
      return 1;
  return 0;
}

static void report_unknown(ed__loader_t *l, const char *path, const char *key,
                           const char *const *allowed) {
  const char *best = ed_did_you_mean(key, allowed);
  if (best) {
    ed_diag_add_key(l->diag, path, "unknown key \"%s\" (did you mean \"%s\"?)",
                    key, best);
    return;
  }
  char known[512];
  size_t off = 0;
  known[0] = '\0';
  for (size_t i = 0; allowed[i] && off < sizeof(known); i++)
    off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
                            i ? ", " : "", allowed[i]);
  ed_diag_add_key(l->diag, path, "unknown key \"%s\" (known keys: %s)", key,
                  known);
}

void ed__check_keys(ed__loader_t *l, json_t *obj, const char *path,
                    const char *const *allowed) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (in_list(key, allowed))
      continue;
    char kpath[ED__PATH_MAX];
    ed__path_key(kpath, path, key);
    report_unknown(l, kpath, key, allowed);
  }
}

int ed__within(ed__loader_t *l, const char *path, size_t n, size_t max,
               const char *what) {
  if (n <= max)
    return 1;
  ed_diag_add(l->diag, path, "%zu %s, more than the limit of %zu", n, what,
              max);
  return 0;
}

void ed__missing(ed__loader_t *l, const char *path, const char *key) {
  ed_diag_add(l->diag, path, "missing required key \"%s\"", key);
}

int ed__want(ed__loader_t *l, const json_t *v, json_type t, const char *path,
             const char *what) {
  int ok = json_typeof(v) == t ||
           (t == JSON_TRUE && json_typeof(v) == JSON_FALSE) ||
           (t == JSON_REAL && json_typeof(v) == JSON_INTEGER);
  if (!ok)
    ed_diag_add(l->diag, path, "expected %s, got %s", what,
                ed_diag_json_kind(v));
  return ok ? 0 : -1;
}

/* The member `key` of obj and its path; NULL when absent (reported when
 * required). */
static json_t *member(ed__loader_t *l, json_t *obj, const char *path,
                      const char *key, int required, char *kpath) {
  json_t *v = json_object_get(obj, key);
  if (!v && required)
    ed__missing(l, path, key);
  ed__path_key(kpath, path, key);
  return v;
}

int ed__get_string(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, int required, const char **out) {
  char kpath[ED__PATH_MAX];
  json_t *v = member(l, obj, path, key, required, kpath);
  if (!v)
    return 0;
  if (ed__want(l, v, JSON_STRING, kpath, "a string"))
    return -1;
  *out = json_string_value(v);
  return 1;
}

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int ed__check_name(ed__loader_t *l, const char *name, const char *path,
                   const char *what) {
  size_t n = strlen(name);
  if (n == 0) {
    ed_diag_add(l->diag, path, "empty %s", what);
    return -1;
  }
  if (n > ED__NAME_MAX) {
    ed_diag_add(l->diag, path, "%s too long (%zu characters, at most %d)", what,
                n, ED__NAME_MAX);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if (!name_char(name[i])) {
      ed_diag_add(l->diag, path,
                  "invalid %s \"%s\": use only letters, digits, '.', '_' "
                  "and '-'",
                  what, name);
      return -1;
    }
  }
  return 0;
}

int ed__get_name(ed__loader_t *l, json_t *obj, const char *path,
                 const char *key, int required, const char **out) {
  const char *name;
  int r = ed__get_string(l, obj, path, key, required, &name);
  if (r <= 0)
    return r;
  char kpath[ED__PATH_MAX];
  ed__path_key(kpath, path, key);
  if (ed__check_name(l, name, kpath, "name"))
    return -1;
  *out = name;
  return 1;
}

int ed__get_bool(ed__loader_t *l, json_t *obj, const char *path,
                 const char *key, int *out) {
  char kpath[ED__PATH_MAX];
  json_t *v = member(l, obj, path, key, 0, kpath);
  if (!v)
    return 0;
  if (ed__want(l, v, JSON_TRUE, kpath, "true or false"))
    return -1;
  *out = json_is_true(v);
  return 1;
}

int ed__get_int(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int64_t min, int64_t max, int64_t *out) {
  char kpath[ED__PATH_MAX];
  json_t *v = member(l, obj, path, key, 0, kpath);
  if (!v)
    return 0;
  if (ed__want(l, v, JSON_INTEGER, kpath, "an integer"))
    return -1;
  json_int_t n = json_integer_value(v);
  if (n < min || n > max) {
    ed_diag_add(l->diag, kpath,
                "%" JSON_INTEGER_FORMAT " is out of range [%" PRId64
                ", %" PRId64 "]",
                n, min, max);
    return -1;
  }
  *out = (int64_t)n;
  return 1;
}

int ed__get_number(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, double min, double max, double *out) {
  char kpath[ED__PATH_MAX];
  json_t *v = member(l, obj, path, key, 0, kpath);
  if (!v)
    return 0;
  if (ed__want(l, v, JSON_REAL, kpath, "a number"))
    return -1;
  double d = json_number_value(v);
  if (!(d >= min && d <= max)) {
    ed_diag_add(l->diag, kpath, "%.15g is out of range [%.15g, %.15g]", d, min,
                max);
    return -1;
  }
  *out = d;
  return 1;
}

int ed__get_duration(ed__loader_t *l, json_t *obj, const char *path,
                     const char *key, int required, int64_t min_ms,
                     int64_t max_ms, int64_t *out) {
  char kpath[ED__PATH_MAX];
  json_t *v = member(l, obj, path, key, required, kpath);
  if (!v)
    return 0;
  int64_t ms;
  char err[256];
  if (ed_duration_from_json(v, &ms, err, sizeof(err))) {
    ed_diag_add(l->diag, kpath, "%s", err);
    return -1;
  }
  if (ms < min_ms || ms > max_ms) {
    char a[32], b[32], c[32];
    ed_diag_add(l->diag, kpath, "%s is out of range [%s, %s]",
                ed_duration_format(ms, a, sizeof(a)),
                ed_duration_format(min_ms, b, sizeof(b)),
                ed_duration_format(max_ms, c, sizeof(c)));
    return -1;
  }
  *out = ms;
  return 1;
}

int ed__get_choice(ed__loader_t *l, json_t *obj, const char *path,
                   const char *key, const char *const *choices, int *out) {
  const char *word;
  int r = ed__get_string(l, obj, path, key, 0, &word);
  if (r <= 0)
    return r;
  for (int i = 0; choices[i]; i++) {
    if (strcmp(word, choices[i]) == 0) {
      *out = i;
      return 1;
    }
  }
  char kpath[ED__PATH_MAX];
  ed__path_key(kpath, path, key);
  const char *best = ed_did_you_mean(word, choices);
  if (best) {
    ed_diag_add(l->diag, kpath, "unknown %s \"%s\" (did you mean \"%s\"?)", key,
                word, best);
    return -1;
  }
  char list[256];
  size_t off = 0;
  list[0] = '\0';
  for (size_t i = 0; choices[i] && off < sizeof(list); i++)
    off += (size_t)snprintf(list + off, sizeof(list) - off, "%s\"%s\"",
                            i ? ", " : "", choices[i]);
  ed_diag_add(l->diag, kpath, "unknown %s \"%s\" (one of %s)", key, word, list);
  return -1;
}

/* The `char *name` first member of element i. */
static const char *elem_name(const void *base, size_t i, size_t stride) {
  return *(char *const *)(const void *)((const char *)base + i * stride);
}

void ed__loader_close(ed__loader_t *l) {
  for (size_t k = 0; k < ED__REF_INDEXES; k++)
    ed_names_destroy(l->refs[k].names);
  memset(l->refs, 0, sizeof(l->refs));
}

/* The index of base[n], built once per array: a file with 20,000 targets
 * and as many references looks each up in log time. NULL when out of
 * memory. */
static ed_names_t *ref_index(ed__loader_t *l, const void *base, size_t n,
                             size_t stride) {
  const char *first = n ? elem_name(base, 0, stride) : NULL;
  const char *last = n ? elem_name(base, n - 1, stride) : NULL;
  for (size_t k = 0; k < ED__REF_INDEXES; k++) {
    ed__ref_index_t *r = &l->refs[k];
    if (r->names && r->base == base && r->n == n && r->stride == stride &&
        r->first == first && r->last == last)
      return r->names;
  }
  const char **names = malloc((n ? n : 1) * sizeof(*names));
  if (!names)
    return NULL;
  for (size_t i = 0; i < n; i++)
    names[i] = elem_name(base, i, stride);
  ed_names_t *idx;
  int err = ed_names_create(names, n, &idx);
  free(names);
  if (err)
    return NULL;
  ed__ref_index_t *r = &l->refs[l->refs_next];
  l->refs_next = (l->refs_next + 1) % ED__REF_INDEXES;
  ed_names_destroy(r->names);
  *r = (ed__ref_index_t){base, n, stride, first, last, idx};
  return idx;
}

long ed__find_ref(ed__loader_t *l, const char *path, const char *what,
                  const char *name, const void *base, size_t n, size_t stride) {
  ed_names_t *idx = ref_index(l, base, n, stride);
  if (!idx) {
    l->nomem = 1;
    return -1;
  }
  long found = ed_names_find(idx, name);
  if (found >= 0)
    return found;
  const char *best = ed_names_suggest(idx, name);
  if (best) {
    ed_diag_add(l->diag, path, "undefined %s \"%s\" (did you mean \"%s\"?)",
                what, name, best);
    return -1;
  }
  char list[256];
  size_t off = 0;
  list[0] = '\0';
  for (size_t i = 0; i < n && off < sizeof(list); i++) {
    const char *nm = elem_name(base, i, stride);
    off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
                            i ? ", " : "", nm ? nm : "");
  }
  ed_diag_add(l->diag, path, "undefined %s \"%s\" (defined %ss: %s)", what,
              name, what, n ? list : "none");
  return -1;
}

int ed__get_ref(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int required, const char *what, const void *base, size_t n,
                size_t stride, long *index) {
  const char *name;
  int r = ed__get_string(l, obj, path, key, required, &name);
  if (r <= 0)
    return r;
  char kpath[ED__PATH_MAX];
  ed__path_key(kpath, path, key);
  long i = ed__find_ref(l, kpath, what, name, base, n, stride);
  if (i < 0)
    return -1;
  *index = i;
  return 1;
}
