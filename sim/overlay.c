#include "overlay.h"

#include "../core/error.h"

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

size_t ed__overlay_footprint(const ed__overlay_t *ov) {
  size_t n = ov->n * sizeof(*ov->v);
  for (size_t i = 0; i < ov->n; i++)
    n += ov->v[i].text_len + 1 + 32 * json_object_size(ov->v[i].json);
  return n;
}
