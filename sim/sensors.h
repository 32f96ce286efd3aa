/*
 * sensors: the readings an operator set on one virtual BMC (the control
 * channel's "sensor" command), and the health rules every reading follows.
 *
 * A sensor is an element of a Thermal resource's Temperatures[] or Fans[],
 * or of a Power resource's Voltages[]. Only sensors that were set have an
 * entry here; the others keep the mockup's reading. A drifting reading is
 * computed from (base, rate, t0) when it is read, like the power state
 * machine: no timer, 32 bytes per sensor set.
 */
#ifndef ED_SIM_SENSORS_H
#define ED_SIM_SENSORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The arrays that hold sensors, and their reading property. */
typedef enum {
  ED__SENSOR_TEMPERATURES = 0, /* Thermal: ReadingCelsius */
  ED__SENSOR_FANS,             /* Thermal: Reading */
  ED__SENSOR_VOLTAGES,         /* Power: ReadingVolts */
  ED__SENSOR_ARRAYS
} ed__sensor_array_t;

/* Health, worst last, so that the worst of several is their maximum. */
typedef enum {
  ED__HEALTH_NONE = -1, /* absent or not a Redfish health */
  ED__HEALTH_OK = 0,
  ED__HEALTH_WARNING,
  ED__HEALTH_CRITICAL
} ed__health_t;

typedef struct ed__sensor_s {
  double base;  /* reading at t0 */
  double rate;  /* change per second (0: steady) */
  int64_t t0;   /* monotonic ms when base was set */
  uint32_t res; /* the Thermal or Power resource (index in the template) */
  uint16_t idx; /* element of the array */
  uint8_t arr;  /* ed__sensor_array_t */
} ed__sensor_t;

/* Caller-allocated (_init/_close). Few entries per BMC: a plain array. */
typedef struct ed__sensors_s {
  ed__sensor_t *v; /* owned */
  size_t n;
} ed__sensors_t;

void ed__sensors_init(ed__sensors_t *ss);
void ed__sensors_close(ed__sensors_t *ss);
/* The entry of one sensor, or NULL when it was never set (borrowed). */
ed__sensor_t *ed__sensors_find(const ed__sensors_t *ss, uint32_t res, int arr,
                               size_t idx);
/* The entry of one sensor, added (zeroed but for its identity) when
 * absent; NULL when out of memory. Borrowed: valid until the next add. */
ed__sensor_t *ed__sensors_get(ed__sensors_t *ss, uint32_t res, int arr,
                              size_t idx);
/* The reading at now_ms (rounded to 1/1000). */
double ed__sensor_value(const ed__sensor_t *e, int64_t now_ms);
size_t ed__sensors_footprint(const ed__sensors_t *ss);

/* "Temperatures", "Fans", "Voltages". */
const char *ed__sensor_array_name(int arr);
/* "ReadingCelsius", "Reading", "ReadingVolts". */
const char *ed__sensor_reading_key(int arr);

/* The health a reading v gives sensor elem (its thresholds): Critical at
 * or beyond a Critical or Fatal threshold, Warning at or beyond a
 * NonCritical one, else OK. */
ed__health_t ed__sensor_health(const json_t *elem, double v);
/* A reading as JSON: an integer when it is whole. New reference. */
json_t *ed__sensor_json(double v);

/* "OK", "Warning", "Critical" (NULL for ED__HEALTH_NONE). */
const char *ed__health_name(ed__health_t h);
/* The health a Redfish string names; ED__HEALTH_NONE when s is not one. */
ed__health_t ed__health_parse(const char *s);
/* The health of obj's Status.<key> ("Health", "HealthRollup"). */
ed__health_t ed__health_of(const json_t *obj, const char *key);

#endif
