/* knobs: see knobs.h. */
#include "knobs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "error.h"

/* z of the 99th percentile of the standard normal: p99 = median * e^(z s). */
#define Z99 2.3263478740408408

void ed__knobs_default(ed__knobs_t *k) {
  memset(k, 0, sizeof(*k));
  k->error_status = 503;
}

void ed__knobs_apply(ed__knobs_t *k, const ed__knobs_patch_t *p) {
  if (p->mask & ED__KNOB_CLEAR)
    ed__knobs_default(k);
  if (p->mask & ED__KNOB_LATENCY) {
    k->lat_kind = p->v.lat_kind;
    k->lat_a_ms = p->v.lat_a_ms;
    k->lat_b_ms = p->v.lat_b_ms;
  }
  if (p->mask & ED__KNOB_ERROR_RATE)
    k->error_rate = p->v.error_rate;
  if (p->mask & ED__KNOB_ERROR_STATUS)
    k->error_status = p->v.error_status;
  if (p->mask & ED__KNOB_RESET_RATE)
    k->reset_rate = p->v.reset_rate;
  if (p->mask & ED__KNOB_HANG_RATE)
    k->hang_rate = p->v.hang_rate;
  if (p->mask & ED__KNOB_CAPACITY)
    k->capacity = p->v.capacity;
}

static const char *const knob_keys[] = {
    "latency",   "error_rate", "error_status", "reset_rate",
    "hang_rate", "hang",       "capacity",     "clear",
};

int ed__knobs_is_key(const char *key) {
  for (size_t i = 0; i < sizeof(knob_keys) / sizeof(knob_keys[0]); i++)
    if (strcmp(key, knob_keys[i]) == 0)
      return 1;
  return 0;
}

/* ---- durations ---- */

/* The same grammar as scenario files (core/base/duration.c), so that a duration
 * means the same in a scenario's "sim" object and in a simulator config. */
int ed__duration_parse_str(const char *s, int64_t *ms) {
  char why[128];
  return ed_duration_parse(s, ms, why, sizeof(why)) == 0 ? 0 : ED_EINVAL;
}

int ed__duration_parse(const json_t *v, int64_t *ms) {
  char why[128];
  return ed_duration_from_json(v, ms, why, sizeof(why)) == 0 ? 0 : ED_EINVAL;
}

/* ---- parsing ---- */

static int fail(char *errbuf, size_t errlen, const char *where, const char *key,
                const char *why) {
  snprintf(errbuf, errlen, "%s.%s: %s", where, key, why);
  return ED_EINVAL;
}

static int get_prob(const json_t *v, float *out) {
  if (!json_is_number(v))
    return ED_EINVAL;
  double d = json_number_value(v);
  if (!(d >= 0 && d <= 1))
    return ED_EINVAL;
  *out = (float)d;
  return 0;
}

/* A duration that fits the 32-bit knob fields (49 days). */
static int get_ms32(const json_t *v, uint32_t *out) {
  int64_t ms;
  if (ed__duration_parse(v, &ms) < 0 || ms > UINT32_MAX)
    return ED_EINVAL;
  *out = (uint32_t)ms;
  return 0;
}

static int parse_latency_obj(const json_t *v, ed__knobs_t *k) {
  const char *key;
  const json_t *x;
  json_object_foreach((json_t *)v, key, x) {
    if (strcmp(key, "min") && strcmp(key, "max") && strcmp(key, "median") &&
        strcmp(key, "p99") && strcmp(key, "fixed"))
      return ED_EINVAL;
  }
  const json_t *fixed = json_object_get(v, "fixed");
  const json_t *min = json_object_get(v, "min"),
               *max = json_object_get(v, "max");
  const json_t *med = json_object_get(v, "median"),
               *p99 = json_object_get(v, "p99");
  if (fixed && !min && !max && !med && !p99) {
    k->lat_kind = ED__LAT_FIXED;
    return get_ms32(fixed, &k->lat_a_ms);
  }
  if (min && max && !fixed && !med && !p99) {
    k->lat_kind = ED__LAT_UNIFORM;
    if (get_ms32(min, &k->lat_a_ms) < 0 || get_ms32(max, &k->lat_b_ms) < 0 ||
        k->lat_b_ms < k->lat_a_ms)
      return ED_EINVAL;
    return 0;
  }
  if (med && p99 && !fixed && !min && !max) {
    k->lat_kind = ED__LAT_LOGNORMAL;
    if (get_ms32(med, &k->lat_a_ms) < 0 || get_ms32(p99, &k->lat_b_ms) < 0 ||
        k->lat_a_ms == 0 || k->lat_b_ms < k->lat_a_ms)
      return ED_EINVAL;
    return 0;
  }
  return ED_EINVAL;
}

static int parse_latency(const json_t *v, ed__knobs_t *k) {
  k->lat_a_ms = k->lat_b_ms = 0;
  if (json_is_object(v))
    return parse_latency_obj(v, k);
  if (json_is_null(v) || json_is_false(v)) {
    k->lat_kind = ED__LAT_NONE;
    return 0;
  }
  if (get_ms32(v, &k->lat_a_ms) < 0)
    return ED_EINVAL;
  k->lat_kind = k->lat_a_ms ? ED__LAT_FIXED : ED__LAT_NONE;
  return 0;
}

#define LAT_WHY                                                                \
  "expected a duration (\"50ms\"), {\"min\": d, \"max\": d}, or "              \
  "{\"median\": d, \"p99\": d} with p99 >= median > 0"

int ed__knobs_parse(const json_t *obj, const char *where,
                    ed__knobs_patch_t *out, char *errbuf, size_t errlen) {
  memset(out, 0, sizeof(*out));
  ed__knobs_default(&out->v);
  const json_t *v;
  if ((v = json_object_get(obj, "clear"))) {
    if (!json_is_boolean(v))
      return fail(errbuf, errlen, where, "clear", "expected true or false");
    if (json_is_true(v))
      out->mask |= ED__KNOB_CLEAR;
  }
  if ((v = json_object_get(obj, "latency"))) {
    if (parse_latency(v, &out->v) < 0)
      return fail(errbuf, errlen, where, "latency", LAT_WHY);
    out->mask |= ED__KNOB_LATENCY;
  }
  if ((v = json_object_get(obj, "error_rate"))) {
    if (get_prob(v, &out->v.error_rate) < 0)
      return fail(errbuf, errlen, where, "error_rate",
                  "expected a probability between 0 and 1");
    out->mask |= ED__KNOB_ERROR_RATE;
  }
  if ((v = json_object_get(obj, "error_status"))) {
    json_int_t st = json_is_integer(v) ? json_integer_value(v) : 0;
    if (st < 400 || st > 599)
      return fail(errbuf, errlen, where, "error_status",
                  "expected an HTTP status between 400 and 599");
    out->v.error_status = (uint16_t)st;
    out->mask |= ED__KNOB_ERROR_STATUS;
  }
  if ((v = json_object_get(obj, "reset_rate"))) {
    if (get_prob(v, &out->v.reset_rate) < 0)
      return fail(errbuf, errlen, where, "reset_rate",
                  "expected a probability between 0 and 1");
    out->mask |= ED__KNOB_RESET_RATE;
  }
  if ((v = json_object_get(obj, "hang_rate"))) {
    if (get_prob(v, &out->v.hang_rate) < 0)
      return fail(errbuf, errlen, where, "hang_rate",
                  "expected a probability between 0 and 1");
    out->mask |= ED__KNOB_HANG_RATE;
  }
  if ((v = json_object_get(obj, "hang"))) {
    if (!json_is_boolean(v))
      return fail(errbuf, errlen, where, "hang", "expected true or false");
    out->v.hang_rate = json_is_true(v) ? 1.0f : 0.0f;
    out->mask |= ED__KNOB_HANG_RATE;
  }
  if ((v = json_object_get(obj, "capacity"))) {
    json_int_t c = json_is_integer(v) ? json_integer_value(v) : -1;
    if (c < 0 || c > 1000000)
      return fail(errbuf, errlen, where, "capacity",
                  "expected a worker count (0 = unlimited)");
    out->v.capacity = (uint32_t)c;
    out->mask |= ED__KNOB_CAPACITY;
  }
  return 0;
}

json_t *ed__knobs_to_json(const ed__knobs_t *k) {
  json_t *lat;
  switch (k->lat_kind) {
  case ED__LAT_FIXED:
    lat = json_integer(k->lat_a_ms);
    break;
  case ED__LAT_UNIFORM:
    lat = json_pack("{s:I,s:I}", "min", (json_int_t)k->lat_a_ms, "max",
                    (json_int_t)k->lat_b_ms);
    break;
  case ED__LAT_LOGNORMAL:
    lat = json_pack("{s:I,s:I}", "median", (json_int_t)k->lat_a_ms, "p99",
                    (json_int_t)k->lat_b_ms);
    break;
  default:
    lat = json_integer(0);
  }
  return json_pack("{s:o,s:f,s:i,s:f,s:f,s:I}", "latency", lat, "error_rate",
                   (double)k->error_rate, "error_status", k->error_status,
                   "reset_rate", (double)k->reset_rate, "hang_rate",
                   (double)k->hang_rate, "capacity", (json_int_t)k->capacity);
}

/* ---- randomness ---- */

uint64_t ed__rand_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double ed__rand_uniform(uint64_t *state) {
  return (double)(ed__rand_next(state) >> 11) * 0x1.0p-53;
}

double ed__rand_normal(uint64_t *state) {
  /* Box-Muller; 1 - u keeps the log's argument in (0, 1]. */
  double u1 = 1.0 - ed__rand_uniform(state);
  double u2 = ed__rand_uniform(state);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint32_t ed__knobs_latency(const ed__knobs_t *k, uint64_t *rng) {
  switch (k->lat_kind) {
  case ED__LAT_FIXED:
    return k->lat_a_ms;
  case ED__LAT_UNIFORM: {
    uint64_t span = (uint64_t)k->lat_b_ms - k->lat_a_ms + 1;
    return k->lat_a_ms + (uint32_t)(ed__rand_next(rng) % span);
  }
  case ED__LAT_LOGNORMAL: {
    double sigma = log((double)k->lat_b_ms / k->lat_a_ms) / Z99;
    double v = k->lat_a_ms * exp(sigma * ed__rand_normal(rng));
    return v > 86400000.0 ? 86400000u : (uint32_t)llround(v);
  }
  default:
    return 0;
  }
}

void ed__knobs_decide(const ed__knobs_t *k, uint64_t *rng, ed__decision_t *d) {
  d->action = ED__ACT_ANSWER;
  d->status = 0;
  d->delay_ms = 0;
  /* Draw only for knobs that are on, so turning one knob on does not shift
   * another's sequence more than needed. */
  if (k->hang_rate > 0 && ed__rand_uniform(rng) < k->hang_rate) {
    d->action = ED__ACT_HANG;
    return;
  }
  d->delay_ms = ed__knobs_latency(k, rng);
  if (k->reset_rate > 0 && ed__rand_uniform(rng) < k->reset_rate) {
    d->action = ED__ACT_RESET;
    return;
  }
  if (k->error_rate > 0 && ed__rand_uniform(rng) < k->error_rate) {
    d->action = ED__ACT_ERROR;
    d->status = k->error_status;
  }
}

/* ---- the worker gate ---- */

static int has_free(const ed__gate_t *g, uint32_t capacity) {
  return capacity == 0 || g->busy < capacity;
}

int ed__gate_enter(ed__gate_t *g, uint32_t capacity, ed__waiter_t *w) {
  /* FIFO: a newcomer never overtakes someone already waiting. */
  if (has_free(g, capacity) && g->head == NULL) {
    g->busy++;
    w->queued = 0;
    return 1;
  }
  w->next = NULL;
  w->prev = g->tail;
  if (g->tail)
    g->tail->next = w;
  else
    g->head = w;
  g->tail = w;
  w->queued = 1;
  g->queued++;
  return 0;
}

void ed__gate_cancel(ed__gate_t *g, ed__waiter_t *w) {
  if (!w->queued)
    return;
  if (w->prev)
    w->prev->next = w->next;
  else
    g->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    g->tail = w->prev;
  w->prev = w->next = NULL;
  w->queued = 0;
  g->queued--;
}

ed__waiter_t *ed__gate_admit(ed__gate_t *g, uint32_t capacity) {
  if (g->head == NULL || !has_free(g, capacity))
    return NULL;
  ed__waiter_t *w = g->head;
  ed__gate_cancel(g, w);
  g->busy++;
  return w;
}

ed__waiter_t *ed__gate_leave(ed__gate_t *g, uint32_t capacity) {
  if (g->busy > 0)
    g->busy--;
  return ed__gate_admit(g, capacity);
}
