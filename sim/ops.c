#include "ops.h"

#include "../core/base/error.h"
#include "bmc.h"
#include "live.h"
#include "sensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One sensor found by name. */
typedef struct hit_s {
  uint32_t res;
  int arr;
  size_t idx;
  const json_t *el; /* its element as the BMC shows it (borrowed) */
  double base;      /* its new reading */
} hit_t;

typedef struct hits_s {
  hit_t *v; /* owned */
  size_t n;
} hits_t;

static bool seen(const hits_t *h, uint32_t res) {
  for (size_t i = 0; i < h->n; i++)
    if (h->v[i].res == res)
      return true;
  return false;
}

static int add_hit(hits_t *h, uint32_t res, int arr, size_t idx,
                   const json_t *el) {
  hit_t *v = realloc(h->v, (h->n + 1) * sizeof(*v));
  if (v == NULL)
    return ED_ENOMEM;
  h->v = v;
  h->v[h->n++] = (hit_t){res, arr, idx, el, 0};
  return 0;
}

/* The sensors named name in resource res (reached by a chassis' link). */
static int find_in(const ed__service_t *s, uint32_t res, const char *link,
                   const char *name, hits_t *h) {
  const char *key;
  json_t *arr;
  json_object_foreach((json_t *)ed__bmc_json(s, res), key, arr) {
    int a = ed__live_sensor_array(link, key);
    size_t i;
    json_t *el;
    if (a < 0 || !json_is_array(arr))
      continue;
    json_array_foreach(arr, i, el) {
      const char *n = json_string_value(json_object_get(el, "Name"));
      if (n != NULL && strcmp(n, name) == 0 && i <= UINT16_MAX &&
          add_hit(h, res, a, i, el) < 0)
        return ED_ENOMEM;
    }
  }
  return 0;
}

/* Every sensor named name, each once even when chassis share a Thermal or
 * Power resource. */
static int find_sensors(const ed__service_t *s, const char *name, hits_t *h) {
  hits_t done = {NULL, 0}; /* resources searched, in done.v[].res */
  int rc = 0;
  for (size_t c = 0; rc == 0 && c < s->m->nres; c++) {
    if (s->m->res[c].kind != ED__RES_CHASSIS)
      continue;
    const json_t *ch = ed__bmc_json(s, (uint32_t)c);
    for (size_t k = 0; rc == 0 && k < 2; k++) {
      const char *link = ed__live_sensor_links[k];
      const ed__mres_t *r = ed__live_link(s->m, ch, link);
      uint32_t ri = r ? ed__mockup_index(s->m, r) : 0;
      if (r == NULL || seen(&done, ri))
        continue;
      rc = add_hit(&done, ri, 0, 0, NULL);
      if (rc == 0)
        rc = find_in(s, ri, link, name, h);
    }
  }
  free(done.v);
  return rc;
}

/* The reading now: the operator's, else the element's own. */
static int current(const ed__service_t *s, const hit_t *hit, int64_t now_ms,
                   double *out) {
  const ed__sensor_t *e =
      s->ext ? ed__sensors_find(&s->ext->sensors, hit->res, hit->arr, hit->idx)
             : NULL;
  const json_t *v = json_object_get(hit->el, ed__sensor_reading_key(hit->arr));
  if (e != NULL)
    *out = ed__sensor_value(e, now_ms);
  else if (json_is_number(v))
    *out = json_number_value(v);
  else
    return ED_EINVAL;
  return 0;
}

/* The new reading of hit (hit->base); refused when the command builds on
 * a reading the sensor does not have. */
static int new_reading(const ed__service_t *s, hit_t *hit,
                       const ed__sensor_cmd_t *c, int64_t now_ms, char *errbuf,
                       size_t errlen) {
  hit->base = c->value;
  if (!c->has_value && current(s, hit, now_ms, &hit->base) < 0) {
    snprintf(errbuf, errlen,
             "%s: sensor '%s' has no numeric %s to start from; give "
             "\"value\"",
             c->has_jump ? "jump" : "drift", c->name,
             ed__sensor_reading_key(hit->arr));
    return ED_EINVAL;
  }
  if (c->has_jump)
    hit->base += c->jump;
  return 0;
}

static int set_one(ed__service_t *s, const hit_t *hit,
                   const ed__sensor_cmd_t *c, int64_t now_ms) {
  ed__bmc_ext_t *x = ed__bmc_ext(s);
  ed__sensor_t *e =
      x ? ed__sensors_get(&x->sensors, hit->res, hit->arr, hit->idx) : NULL;
  if (e == NULL)
    return ED_ENOMEM;
  e->base = hit->base;
  e->t0 = now_ms;
  if (c->has_drift)
    e->rate = c->drift;
  return 0;
}

int ed__ops_sensor(ed__service_t *s, const ed__sensor_cmd_t *c, int64_t now_ms,
                   char *errbuf, size_t errlen) {
  hits_t h = {NULL, 0};
  int rc = find_sensors(s, c->name, &h);
  if (rc == 0 && h.n == 0) {
    snprintf(errbuf, errlen,
             "name: no sensor named '%s' (searched: the Temperatures and "
             "Fans of each chassis' Thermal, the Voltages of its Power)",
             c->name);
    rc = ED_EINVAL;
  }
  /* Every reading is worked out before any is set: all or nothing. */
  for (size_t i = 0; rc == 0 && i < h.n; i++)
    rc = new_reading(s, &h.v[i], c, now_ms, errbuf, errlen);
  for (size_t i = 0; rc == 0 && i < h.n; i++)
    rc = set_one(s, &h.v[i], c, now_ms);
  free(h.v);
  return rc;
}

int ed__ops_sel(ed__service_t *s, bool clear, int severity, const char *message,
                char *errbuf, size_t errlen) {
  if (s->m->sel_entries < 0) {
    snprintf(errbuf, errlen, "bmc: this mockup has no SEL");
    return ED_EINVAL;
  }
  ed__bmc_ext_t *x = ed__bmc_ext(s);
  if (x == NULL)
    return ED_ENOMEM;
  if (clear)
    ed__sel_clear(&x->sel);
  if (message == NULL)
    return 0;
  return ed__sel_add_message(&x->sel, severity, message,
                             (time_t)(ed__bmc_wall_ms(s) / 1000));
}

int ed__ops_patch(ed__service_t *s, const char *path, const char *pointer,
                  const json_t *value, char *errbuf, size_t errlen) {
  const ed__mres_t *r = ed__mockup_find(s->m, path, strlen(path));
  if (r == NULL) {
    snprintf(errbuf, errlen, "path: no resource at %s", path);
    return ED_EINVAL;
  }
  if (r->kind == ED__RES_SESSIONS || r->kind == ED__RES_SEL_ENTRIES) {
    snprintf(errbuf, errlen,
             "path: %s is built from live state and cannot be patched%s", path,
             r->kind == ED__RES_SEL_ENTRIES ? " (use the \"sel\" command)"
                                            : "");
    return ED_EINVAL;
  }
  ed__bmc_ext_t *x = ed__bmc_ext(s);
  if (x == NULL)
    return ED_ENOMEM;
  char why[512];
  int rc = ed__overlay_set(&x->ov, s->m, ed__mockup_index(s->m, r), pointer,
                           value, why, sizeof(why));
  if (rc == ED_EINVAL)
    snprintf(errbuf, errlen, "pointer: %s", why);
  return rc;
}

int ed__ops_clock(ed__service_t *s, int64_t offset_ms) {
  if (offset_ms == 0 && s->ext == NULL)
    return 0; /* already right: no state to allocate */
  ed__bmc_ext_t *x = ed__bmc_ext(s);
  if (x == NULL)
    return ED_ENOMEM;
  x->clock_offset_ms = offset_ms;
  return 0;
}
