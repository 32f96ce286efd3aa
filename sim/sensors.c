#include "sensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const array_names[ED__SENSOR_ARRAYS] = {"Temperatures",
                                                           "Fans", "Voltages"};
static const char *const reading_keys[ED__SENSOR_ARRAYS] = {
    "ReadingCelsius", "Reading", "ReadingVolts"};

void ed__sensors_init(ed__sensors_t *ss) {
  memset(ss, 0, sizeof(*ss));
}

void ed__sensors_close(ed__sensors_t *ss) {
  free(ss->v);
  memset(ss, 0, sizeof(*ss));
}

ed__sensor_t *ed__sensors_find(const ed__sensors_t *ss, uint32_t res, int arr,
                               size_t idx) {
  for (size_t i = 0; i < ss->n; i++)
    if (ss->v[i].res == res && ss->v[i].arr == arr && ss->v[i].idx == idx)
      return &ss->v[i];
  return NULL;
}

ed__sensor_t *ed__sensors_get(ed__sensors_t *ss, uint32_t res, int arr,
                              size_t idx) {
  ed__sensor_t *e = ed__sensors_find(ss, res, arr, idx);
  if (e != NULL)
    return e;
  ed__sensor_t *v = realloc(ss->v, (ss->n + 1) * sizeof(*v));
  if (v == NULL)
    return NULL;
  ss->v = v;
  e = &v[ss->n++];
  memset(e, 0, sizeof(*e));
  e->res = res;
  e->arr = (uint8_t)arr;
  e->idx = (uint16_t)idx;
  return e;
}

double ed__sensor_value(const ed__sensor_t *e, int64_t now_ms) {
  double v = e->base;
  if (e->rate != 0 && now_ms > e->t0)
    v += e->rate * (double)(now_ms - e->t0) / 1000.0;
  /* Three decimals are more than any BMC reports, and keep the text short
   * and free of binary noise (46.25, not 46.250000000000007). */
  return round(v * 1000.0) / 1000.0;
}

size_t ed__sensors_footprint(const ed__sensors_t *ss) {
  return ss->n * sizeof(*ss->v);
}

const char *ed__sensor_array_name(int arr) {
  return arr >= 0 && arr < ED__SENSOR_ARRAYS ? array_names[arr] : "";
}

const char *ed__sensor_reading_key(int arr) {
  return arr >= 0 && arr < ED__SENSOR_ARRAYS ? reading_keys[arr] : "";
}

/* Threshold key of elem, when it is a number. */
static int threshold(const json_t *elem, const char *key, double *out) {
  const json_t *t = json_object_get(elem, key);
  if (!json_is_number(t))
    return 0;
  *out = json_number_value(t);
  return 1;
}

ed__health_t ed__sensor_health(const json_t *elem, double v) {
  static const char *const upper_crit[] = {"UpperThresholdCritical",
                                           "UpperThresholdFatal"};
  static const char *const lower_crit[] = {"LowerThresholdCritical",
                                           "LowerThresholdFatal"};
  double t;
  for (size_t i = 0; i < 2; i++)
    if ((threshold(elem, upper_crit[i], &t) && v >= t) ||
        (threshold(elem, lower_crit[i], &t) && v <= t))
      return ED__HEALTH_CRITICAL;
  if ((threshold(elem, "UpperThresholdNonCritical", &t) && v >= t) ||
      (threshold(elem, "LowerThresholdNonCritical", &t) && v <= t))
    return ED__HEALTH_WARNING;
  return ED__HEALTH_OK;
}

json_t *ed__sensor_json(double v) {
  if (v == floor(v) && fabs(v) < 9.0e15)
    return json_integer((json_int_t)v);
  return json_real(v);
}

const char *ed__health_name(ed__health_t h) {
  switch (h) {
  case ED__HEALTH_OK:
    return "OK";
  case ED__HEALTH_WARNING:
    return "Warning";
  case ED__HEALTH_CRITICAL:
    return "Critical";
  case ED__HEALTH_NONE:
    break;
  }
  return NULL;
}

ed__health_t ed__health_parse(const char *s) {
  if (s == NULL)
    return ED__HEALTH_NONE;
  if (strcmp(s, "OK") == 0)
    return ED__HEALTH_OK;
  if (strcmp(s, "Warning") == 0)
    return ED__HEALTH_WARNING;
  if (strcmp(s, "Critical") == 0)
    return ED__HEALTH_CRITICAL;
  return ED__HEALTH_NONE;
}

ed__health_t ed__health_of(const json_t *obj, const char *key) {
  return ed__health_parse(
      json_string_value(json_object_get(json_object_get(obj, "Status"), key)));
}
