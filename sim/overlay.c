#include "overlay.h"

#include "../core/base/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Properties a client may write on systems and chassis. */
typedef struct writable_s {
  const char *name;
  int type;                 /* JSON_STRING or JSON_TRUE (any boolean) */
  const char *const *allow; /* NULL-terminated enumeration, or NULL */
} writable_t;

static const char *const led_values[] = {"Lit", "Blinking", "Off", NULL};

static const writable_t writables[] = {
    {"AssetTag", JSON_STRING, NULL},
    {"IndicatorLED", JSON_STRING, led_values},
    {"LocationIndicatorActive", JSON_TRUE, NULL},
};

void ed__overlay_init(ed__overlay_t *ov) {
  memset(ov, 0, sizeof(*ov));
}

void ed__overlay_close(ed__overlay_t *ov) {
  for (size_t i = 0; i < ov->n; i++) {
    json_decref(ov->v[i].json);
    free(ov->v[i].text);
  }
  free(ov->v);
  memset(ov, 0, sizeof(*ov));
}

const ed__ov_ent_t *ed__overlay_get(const ed__overlay_t *ov, uint32_t res) {
  for (size_t i = 0; i < ov->n; i++)
    if (ov->v[i].res == res)
      return &ov->v[i];
  return NULL;
}

bool ed__overlay_patchable(const ed__mres_t *r) {
  return r->kind == ED__RES_SYSTEM || r->kind == ED__RES_CHASSIS;
}

static const writable_t *writable(const char *name) {
  for (size_t i = 0; i < sizeof(writables) / sizeof(writables[0]); i++)
    if (strcmp(writables[i].name, name) == 0)
      return &writables[i];
  return NULL;
}

static ed__patch_err_t check_one(const json_t *cur, const char *name,
                                 const json_t *value) {
  const writable_t *w = writable(name);
  if (w == NULL)
    return json_object_get(cur, name) ? ED__PATCH_NOT_WRITABLE
                                      : ED__PATCH_UNKNOWN;
  if (w->type == JSON_TRUE ? !json_is_boolean(value)
                           : json_typeof(value) != (json_type)w->type)
    return ED__PATCH_TYPE;
  if (w->allow != NULL) {
    for (const char *const *a = w->allow; *a != NULL; a++)
      if (strcmp(*a, json_string_value(value)) == 0)
        return ED__PATCH_OK;
    return ED__PATCH_NOT_IN_LIST;
  }
  return ED__PATCH_OK;
}

/* The BMC's own entry for res, created from the template on first write. */
static ed__ov_ent_t *entry_for(ed__overlay_t *ov, const ed__mockup_t *m,
                               uint32_t res) {
  ed__ov_ent_t *e = (ed__ov_ent_t *)ed__overlay_get(ov, res);
  if (e != NULL)
    return e;
  json_t *copy = json_deep_copy(m->res[res].json);
  ed__ov_ent_t *v = copy ? realloc(ov->v, (ov->n + 1) * sizeof(*v)) : NULL;
  if (v == NULL) {
    json_decref(copy);
    return NULL;
  }
  ov->v = v;
  e = &v[ov->n++];
  memset(e, 0, sizeof(*e));
  e->res = res;
  e->json = copy;
  return e;
}

/* Serialise e's JSON again after a change, with its new ETag. */
static int refresh(ed__ov_ent_t *e) {
  size_t len;
  char *text = ed__mockup_dump(e->json, &len);
  if (text == NULL)
    return ED_ENOMEM;
  free(e->text);
  e->text = text;
  e->text_len = len;
  ed__mockup_etag(text, len, e->etag);
  return 0;
}

int ed__overlay_patch(ed__overlay_t *ov, const ed__mockup_t *m, uint32_t res,
                      json_t *patch, ed__patch_err_t *why,
                      const char **bad_prop) {
  const ed__ov_ent_t *cur = ed__overlay_get(ov, res);
  const json_t *base = cur ? cur->json : m->res[res].json;
  const char *k;
  json_t *v;
  json_object_foreach(patch, k, v) {
    ed__patch_err_t e = check_one(base, k, v);
    if (e != ED__PATCH_OK) {
      *why = e;
      *bad_prop = k;
      return ED_EINVAL;
    }
  }
  if (json_object_size(patch) == 0)
    return 0;
  ed__ov_ent_t *e = entry_for(ov, m, res);
  if (e == NULL || json_object_update(e->json, patch) < 0)
    return ED_ENOMEM;
  return refresh(e);
}

/* ---- JSON pointers (RFC 6901) ------------------------------------------ */

/* The token of pointer p (just after a '/') unescaped into out (room for
 * strlen(p) + 1); returns the length consumed, or -1 on a bad escape. */
static long token(const char *p, char *out) {
  size_t i = 0, o = 0;
  for (; p[i] != '\0' && p[i] != '/'; i++) {
    if (p[i] != '~') {
      out[o++] = p[i];
    } else if (p[i + 1] == '0' || p[i + 1] == '1') {
      out[o++] = p[i + 1] == '0' ? '~' : '/';
      i++;
    } else {
      return -1;
    }
  }
  out[o] = '\0';
  return (long)i;
}

/* An array index: "0" or digits without a leading zero. */
static int array_index(const char *t, size_t *out) {
  if (t[0] < '0' || t[0] > '9' || (t[0] == '0' && t[1] != '\0'))
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(t, &end, 10);
  if (*end != '\0' || errno != 0)
    return -1;
  *out = (size_t)v;
  return 0;
}

/* Step from j into its member named by token t, which is ptr[at..upto).
 * NULL with errbuf set. */
static json_t *step(json_t *j, const char *t, const char *ptr, size_t at,
                    size_t upto, char *errbuf, size_t errlen) {
  size_t i;
  json_t *v = NULL;
  if (json_is_object(j) && (v = json_object_get(j, t)) == NULL)
    snprintf(errbuf, errlen, "%.*s: no such property", (int)upto, ptr);
  else if (json_is_array(j) && array_index(t, &i) < 0)
    snprintf(errbuf, errlen, "%.*s: expected an array index", (int)upto, ptr);
  else if (json_is_array(j) && (v = json_array_get(j, i)) == NULL)
    snprintf(errbuf, errlen, "%.*s: no such element (the array has %zu)",
             (int)upto, ptr, json_array_size(j));
  else if (!json_is_object(j) && !json_is_array(j))
    snprintf(errbuf, errlen, "%.*s: not an object or array", (int)at, ptr);
  return v;
}

/* Set pointer's target in doc (0), or explain in errbuf (ED_EINVAL). With
 * value NULL only check that it could be set. tok has strlen(ptr) + 1. */
static int set_at(json_t *doc, const char *ptr, const json_t *value, char *tok,
                  char *errbuf, size_t errlen) {
  json_t *j = doc;
  const char *p = ptr;
  for (;;) {
    long n = token(p + 1, tok);
    if (n < 0) {
      snprintf(errbuf, errlen, "%s: '~' must be followed by 0 or 1", ptr);
      return ED_EINVAL;
    }
    size_t at = (size_t)(p - ptr);
    p += 1 + n;
    if (*p == '\0')
      break;
    if ((j = step(j, tok, ptr, at, (size_t)(p - ptr), errbuf, errlen)) == NULL)
      return ED_EINVAL;
  }
  size_t i = 0;
  bool append = json_is_array(j) && strcmp(tok, "-") == 0;
  if (json_is_array(j) && !append &&
      (array_index(tok, &i) < 0 || i >= json_array_size(j))) {
    snprintf(errbuf, errlen,
             "%s: no such element (the array has %zu; \"-\" appends)", ptr,
             json_array_size(j));
    return ED_EINVAL;
  }
  if (!json_is_object(j) && !json_is_array(j)) {
    snprintf(errbuf, errlen, "%.*s: not an object or array",
             (int)(strrchr(ptr, '/') - ptr), ptr);
    return ED_EINVAL;
  }
  if (value == NULL)
    return 0;
  json_t *v = json_deep_copy(value);
  int rc = json_is_object(j) ? json_object_set_new(j, tok, v)
           : append          ? json_array_append_new(j, v)
                             : json_array_set_new(j, i, v);
  return rc < 0 ? ED_ENOMEM : 0;
}

int ed__overlay_set(ed__overlay_t *ov, const ed__mockup_t *m, uint32_t res,
                    const char *pointer, const json_t *value, char *errbuf,
                    size_t errlen) {
  if (pointer[0] != '/') {
    snprintf(errbuf, errlen,
             "expected a JSON pointer to a property, such as "
             "\"/Status/Health\"");
    return ED_EINVAL;
  }
  char *tok = malloc(strlen(pointer) + 1);
  if (tok == NULL)
    return ED_ENOMEM;
  /* Check on what the BMC shows first, so a refusal copies nothing. */
  const ed__ov_ent_t *cur = ed__overlay_get(ov, res);
  int rc = set_at(cur && cur->text ? cur->json : m->res[res].json, pointer,
                  NULL, tok, errbuf, errlen);
  ed__ov_ent_t *e = rc == 0 ? entry_for(ov, m, res) : NULL;
  if (rc == 0 && e == NULL)
    rc = ED_ENOMEM;
  if (rc == 0)
    rc = set_at(e->json, pointer, value, tok, errbuf, errlen);
  if (rc == 0)
    rc = refresh(e);
  free(tok);
  return rc;
}

size_t ed__overlay_footprint(const ed__overlay_t *ov) {
  size_t n = ov->n * sizeof(*ov->v);
  for (size_t i = 0; i < ov->n; i++)
    n += ov->v[i].text_len + 1 + 32 * json_object_size(ov->v[i].json);
  return n;
}
