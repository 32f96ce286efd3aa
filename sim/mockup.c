#include "mockup.h"

#include "../core/base/error.h"
#include "mockup_scan.h"

#include "../plugins/eventdrill/json_wide.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define ROOT_PATH "/redfish/v1"

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *errbuf, size_t errlen, const char *fmt, ...) {
  if (errbuf == NULL || errlen == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errbuf, errlen, fmt, ap);
  va_end(ap);
}

static size_t trim_len(const char *path, size_t len) {
  while (len > 1 && path[len - 1] == '/')
    len--;
  return len;
}

static uint64_t fnv1a(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

void ed__mockup_etag(const char *text, size_t len, char out[ED__ETAG_LEN]) {
  snprintf(out, ED__ETAG_LEN, "\"%016llx\"",
           (unsigned long long)fnv1a(text, len));
}

char *ed__mockup_dump(const json_t *json, size_t *len) {
  /* 15 digits give a mockup's 13.2 back as 13.2, not 13.199999999999999. */
  char *t = json_dumps(json, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  if (t != NULL && len != NULL)
    *len = strlen(t);
  return t;
}

/* ---- the path index ---------------------------------------------------- */

static int index_insert(ed__mockup_t *m, uint32_t idx) {
  if ((m->nres + 1) * 2 > m->nslots) { /* keep the load under one half */
    size_t n = m->nslots ? m->nslots * 2 : 64;
    while (n < (m->nres + 1) * 2)
      n *= 2;
    uint32_t *s = calloc(n, sizeof(*s));
    if (s == NULL)
      return ED_ENOMEM;
    for (size_t i = 0; i < m->nslots; i++) {
      if (m->slots[i] == 0)
        continue;
      const char *p = m->res[m->slots[i] - 1].path;
      size_t j = fnv1a(p, strlen(p)) & (n - 1);
      while (s[j] != 0)
        j = (j + 1) & (n - 1);
      s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->nslots = n;
  }
  const char *p = m->res[idx].path;
  size_t j = fnv1a(p, strlen(p)) & (m->nslots - 1);
  while (m->slots[j] != 0)
    j = (j + 1) & (m->nslots - 1);
  m->slots[j] = idx + 1;
  return 0;
}

const ed__mres_t *ed__mockup_find(const ed__mockup_t *m, const char *path,
                                  size_t len) {
  if (m->nslots == 0)
    return NULL;
  len = trim_len(path, len);
  size_t j = fnv1a(path, len) & (m->nslots - 1);
  while (m->slots[j] != 0) {
    const ed__mres_t *r = &m->res[m->slots[j] - 1];
    if (strncmp(r->path, path, len) == 0 && r->path[len] == '\0')
      return r;
    j = (j + 1) & (m->nslots - 1);
  }
  return NULL;
}

uint32_t ed__mockup_index(const ed__mockup_t *m, const ed__mres_t *r) {
  return (uint32_t)(r - m->res);
}

const ed__maction_t *ed__mockup_find_action(const ed__mockup_t *m,
                                            const char *path, size_t len) {
  len = trim_len(path, len);
  for (size_t i = 0; i < m->nact; i++)
    if (strncmp(m->act[i].target, path, len) == 0 &&
        m->act[i].target[len] == '\0')
      return &m->act[i];
  return NULL;
}

int ed__mockup_add(ed__mockup_t *m, const char *path, json_t *json) {
  size_t len = trim_len(path, strlen(path));
  if (ed__mockup_find(m, path, len) != NULL) {
    json_decref(json);
    return ED_EEXISTS;
  }
  if (m->nres == m->capres) {
    size_t cap = m->capres ? m->capres * 2 : 64;
    ed__mres_t *r = realloc(m->res, cap * sizeof(*r));
    if (r == NULL) {
      json_decref(json);
      return ED_ENOMEM;
    }
    m->res = r;
    m->capres = cap;
  }
  ed__mres_t *r = &m->res[m->nres];
  memset(r, 0, sizeof(*r));
  r->path = strndup(path, len);
  r->json = json;
  r->sys = -1;
  if (r->path == NULL) {
    json_decref(json);
    return ED_ENOMEM;
  }
  int rc = index_insert(m, (uint32_t)m->nres);
  if (rc < 0) {
    free(r->path);
    json_decref(json);
    return rc;
  }
  m->nres++;
  return 0;
}

/* A mockup resource larger than this is refused: real ones are a few KB. */
#define MAX_RESOURCE_BYTES (64u << 20)

/* ---- loading ------------------------------------------------------------ */

/* A resource file's whole text, NUL-terminated; NULL with errno set when it
 * cannot be read or is larger than MAX_RESOURCE_BYTES (errno EFBIG). */
static char *read_resource(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, n = 0;
  char *text = malloc(cap);
  while (text != NULL) {
    n += fread(text + n, 1, cap - n - 1, f);
    if (n < cap - 1)
      break;
    if (cap >= MAX_RESOURCE_BYTES) {
      free(text);
      text = NULL;
      errno = EFBIG;
      break;
    }
    char *bigger = realloc(text, cap * 2);
    if (bigger == NULL) {
      free(text);
      text = NULL;
    }
    text = bigger;
    cap *= 2;
  }
  int failed = text != NULL && ferror(f);
  fclose(f);
  if (failed) {
    free(text);
    errno = EIO;
    return NULL;
  }
  if (text != NULL) {
    text[n] = '\0';
    *len = n;
  }
  return text;
}

static int load_file(ed__mockup_t *m, const char *file, const char *url,
                     char *errbuf, size_t errlen) {
  json_error_t jerr;
  size_t len = 0;
  char *text = read_resource(file, &len);
  if (text == NULL) {
    seterr(errbuf, errlen, "%s: cannot read: %s", file, strerror(errno));
    return ED_EPARSE;
  }
  /* Integers wider than 64 bits are valid JSON that DMTF's mockups and real
   * services send: kept (as reals), never a reason to refuse the file. */
  json_t *j = ed_json_loadb_wide(text, len, 0, &jerr);
  free(text);
  if (j == NULL) {
    seterr(errbuf, errlen, "%s:%d:%d: %s", file, jerr.line, jerr.column,
           jerr.text);
    return ED_EPARSE;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    seterr(errbuf, errlen, "%s: a resource must be a JSON object", file);
    return ED_EPARSE;
  }
  int rc = ed__mockup_add(m, url, j);
  if (rc < 0)
    seterr(errbuf, errlen, "%s: cannot add resource %s: %s", file, url,
           ed_strerror(rc));
  return rc;
}

static bool is_dir(const char *path, const struct dirent *de) {
  if (de->d_type == DT_DIR)
    return true;
  if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
    return false;
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Walks dir (served at url): each index.json is a resource, each sub-folder
 * a deeper path. */
static int load_dir(ed__mockup_t *m, const char *dir, const char *url,
                    int depth, char *errbuf, size_t errlen) {
  if (depth > 32) {
    seterr(errbuf, errlen, "%s: folders nested too deep", dir);
    return ED_ERANGE;
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    seterr(errbuf, errlen, "%s: cannot open folder", dir);
    return ED_EIO;
  }
  int rc = 0;
  struct dirent *de;
  char sub[PATH_MAX], suburl[PATH_MAX];
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    int n1 = snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
    int n2 = snprintf(suburl, sizeof(suburl), "%s/%s", url, de->d_name);
    if (n1 < 0 || (size_t)n1 >= sizeof(sub) || n2 < 0 ||
        (size_t)n2 >= sizeof(suburl)) {
      seterr(errbuf, errlen, "%s/%s: path too long", dir, de->d_name);
      rc = ED_ERANGE;
    } else if (is_dir(sub, de)) {
      rc = load_dir(m, sub, suburl, depth + 1, errbuf, errlen);
    } else if (strcmp(de->d_name, "index.json") == 0) {
      rc = load_file(m, sub, url, errbuf, errlen);
    }
  }
  closedir(d);
  return rc;
}

static bool file_exists(const char *dir, const char *rel) {
  char p[PATH_MAX];
  int n = snprintf(p, sizeof(p), "%s/%s", dir, rel);
  struct stat st;
  return n > 0 && (size_t)n < sizeof(p) && stat(p, &st) == 0 &&
         S_ISREG(st.st_mode);
}

static int load_tree(ed__mockup_t *m, const char *dir, char *errbuf,
                     size_t errlen) {
  char base[PATH_MAX];
  /* The long form holds redfish/v1/ (what a crawler saves); the short form
   * is what DMTF publishes: the folder itself is /redfish/v1. */
  if (file_exists(dir, "redfish/v1/index.json")) {
    int n = snprintf(base, sizeof(base), "%s/redfish/v1", dir);
    if (n < 0 || (size_t)n >= sizeof(base))
      return ED_ERANGE;
  } else if (file_exists(dir, "index.json")) {
    snprintf(base, sizeof(base), "%s", dir);
  } else {
    seterr(errbuf, errlen,
           "%s: not a mockup (no index.json nor redfish/v1/index.json)", dir);
    return ED_ENOTFOUND;
  }
  return load_dir(m, base, ROOT_PATH, 0, errbuf, errlen);
}

static int load_embedded(ed__mockup_t *m, char *errbuf, size_t errlen) {
  char url[512];
  for (size_t i = 0; i < ed__sim_default_mockup_count; i++) {
    const ed__embed_file_t *f = &ed__sim_default_mockup[i];
    json_error_t jerr;
    json_t *j = json_loads(f->text, 0, &jerr);
    if (j == NULL) {
      seterr(errbuf, errlen, "default mockup %s/index.json:%d:%d: %s", f->path,
             jerr.line, jerr.column, jerr.text);
      return ED_EPARSE;
    }
    snprintf(url, sizeof(url), "%s%s%s", ROOT_PATH, f->path[0] ? "/" : "",
             f->path);
    int rc = ed__mockup_add(m, url, j);
    if (rc < 0) {
      seterr(errbuf, errlen, "default mockup %s: %s", f->path, ed_strerror(rc));
      return rc;
    }
  }
  return 0;
}

/* ---- the whole load ---------------------------------------------------- */

static int cmp_res(const void *a, const void *b) {
  return strcmp(((const ed__mres_t *)a)->path, ((const ed__mres_t *)b)->path);
}

/* Path order makes "the first" member deterministic across file systems. */
static int sort_and_index(ed__mockup_t *m) {
  qsort(m->res, m->nres, sizeof(*m->res), cmp_res);
  free(m->slots);
  m->slots = NULL;
  m->nslots = 0;
  size_t n = m->nres;
  m->nres = 0;
  for (size_t i = 0; i < n; i++, m->nres++) {
    int rc = index_insert(m, (uint32_t)i);
    if (rc < 0) {
      m->nres = n;
      return rc;
    }
  }
  return 0;
}

static int serialise_all(ed__mockup_t *m) {
  for (size_t i = 0; i < m->nres; i++) {
    ed__mres_t *r = &m->res[i];
    r->text = ed__mockup_dump(r->json, &r->text_len);
    if (r->text == NULL)
      return ED_ENOMEM;
    ed__mockup_etag(r->text, r->text_len, r->etag);
  }
  return 0;
}

int ed__mockup_load(const char *name_or_dir, ed__mockup_t **out, char *errbuf,
                    size_t errlen) {
  *out = NULL;
  ed__mockup_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return ED_ENOMEM;
  m->first_manager = -1;
  m->sel_entries = -1;
  int rc = strcmp(name_or_dir, "default") == 0
               ? load_embedded(m, errbuf, errlen)
               : load_tree(m, name_or_dir, errbuf, errlen);
  if (rc == 0 && ed__mockup_find(m, ROOT_PATH, strlen(ROOT_PATH)) == NULL) {
    seterr(errbuf, errlen, "%s: no ServiceRoot (index.json)", name_or_dir);
    rc = ED_ENOTFOUND;
  }
  if (rc == 0 && ((rc = sort_and_index(m)) < 0 ||
                  (rc = ed__mockup_scan(m)) < 0 || (rc = serialise_all(m)) < 0))
    seterr(errbuf, errlen, "%s: %s", name_or_dir, ed_strerror(rc));
  if (rc < 0) {
    ed__mockup_destroy(m);
    return rc;
  }
  *out = m;
  return 0;
}

void ed__mockup_destroy(ed__mockup_t *m) {
  if (m == NULL)
    return;
  for (size_t i = 0; i < m->nres; i++) {
    free(m->res[i].path);
    free(m->res[i].text);
    json_decref(m->res[i].json);
  }
  for (size_t i = 0; i < m->nact; i++)
    free(m->act[i].target);
  free(m->res);
  free(m->slots);
  free(m->act);
  free(m->systems);
  free(m->sessions_path);
  free(m);
}

size_t ed__mockup_resource_count(const ed__mockup_t *m) {
  return m->nres;
}
