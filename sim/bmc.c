#include "bmc.h"

#include "../core/base/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool template_on(const ed__mockup_t *m, size_t sys) {
  const char *ps = json_string_value(
      json_object_get(m->res[m->systems[sys]].json, "PowerState"));
  return ps == NULL ||
         (strcmp(ps, "Off") != 0 && strcmp(ps, "PoweringOff") != 0);
}

ed__bmc_ext_t *ed__bmc_ext(ed__service_t *s) {
  if (s->ext != NULL)
    return s->ext;
  ed__bmc_ext_t *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL;
  if (s->m->nsys > 1) {
    e->power = calloc(s->m->nsys - 1, sizeof(*e->power));
    if (e->power == NULL) {
      free(e);
      return NULL;
    }
    for (size_t k = 1; k < s->m->nsys; k++)
      ed__power_init(&e->power[k - 1], template_on(s->m, k));
  }
  ed__overlay_init(&e->ov);
  ed__sessions_init(&e->sessions);
  ed__sel_init(&e->sel, s->m);
  ed__sensors_init(&e->sensors);
  s->ext = e;
  return e;
}

ed__power_timing_t ed__bmc_timing(const ed__service_t *s) {
  ed__power_timing_t t = {s->cfg.power_on_ms, s->cfg.power_off_ms};
  return t;
}

/* Power of system k; for k > 0 without changes, a template copy in tmp. */
static const ed__power_t *power_of(const ed__service_t *s, size_t k,
                                   ed__power_t *tmp) {
  if (k == 0)
    return &s->power0;
  if (s->ext != NULL)
    return &s->ext->power[k - 1];
  ed__power_init(tmp, template_on(s->m, k));
  return tmp;
}

ed__pwr_state_t ed__bmc_state(const ed__service_t *s, size_t k,
                              int64_t now_ms) {
  ed__power_t tmp;
  ed__power_timing_t t = ed__bmc_timing(s);
  return ed__power_state(power_of(s, k, &tmp), &t, now_ms);
}

ed__power_t *ed__bmc_power(ed__service_t *s, size_t k) {
  if (k == 0)
    return &s->power0;
  ed__bmc_ext_t *e = ed__bmc_ext(s);
  return e ? &e->power[k - 1] : NULL;
}

const json_t *ed__bmc_json(const ed__service_t *s, uint32_t res) {
  const ed__ov_ent_t *ov = s->ext ? ed__overlay_get(&s->ext->ov, res) : NULL;
  return ov && ov->text ? ov->json : s->m->res[res].json;
}

int64_t ed__bmc_wall_ms(const ed__service_t *s) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return ms + (s->ext ? s->ext->clock_offset_ms : 0);
}

bool ed__bmc_health_changed(const ed__service_t *s) {
  return s->ext != NULL && (s->ext->sensors.n > 0 || s->ext->ov.n > 0);
}

/* Power delays may be 0 (instant); the others must be positive. */
static int64_t or_default(int64_t v, int64_t def, int64_t min) {
  return v >= min ? v : def;
}

int ed__service_create(const ed__mockup_t *m, const ed__service_config_t *cfg,
                       ed__service_t **out) {
  ed__service_t *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return ED_ENOMEM;
  s->m = m;
  s->cfg = *cfg;
  s->cfg.power_on_ms = or_default(cfg->power_on_ms, 2000, 0);
  s->cfg.power_off_ms = or_default(cfg->power_off_ms, 2000, 0);
  s->cfg.bmc_reset_ms = or_default(cfg->bmc_reset_ms, 5000, 1);
  s->cfg.session_timeout_ms = or_default(cfg->session_timeout_ms, 1800000, 1);
  ed__power_init(&s->power0, m->nsys == 0 || template_on(m, 0));
  *out = s;
  return 0;
}

void ed__service_destroy(ed__service_t *s) {
  if (s == NULL)
    return;
  if (s->ext != NULL) {
    free(s->ext->power);
    ed__overlay_close(&s->ext->ov);
    ed__sessions_close(&s->ext->sessions);
    ed__sel_close(&s->ext->sel);
    ed__sensors_close(&s->ext->sensors);
    free(s->ext);
  }
  free(s);
}

const char *ed__service_power_state(ed__service_t *s, int64_t now_ms) {
  return ed__power_state_name(ed__bmc_state(s, 0, now_ms));
}

size_t ed__service_footprint(const ed__service_t *s) {
  size_t n = sizeof(*s);
  if (s->ext != NULL) {
    n += sizeof(*s->ext);
    n += s->m->nsys > 1 ? (s->m->nsys - 1) * sizeof(ed__power_t) : 0;
    n += ed__overlay_footprint(&s->ext->ov);
    n += ed__sessions_footprint(&s->ext->sessions);
    n += ed__sel_footprint(&s->ext->sel);
    n += ed__sensors_footprint(&s->ext->sensors);
  }
  return n;
}
