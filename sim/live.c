#include "live.h"

#include "../core/base/error.h"
#include "bmc.h"
#include "sensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const ed__live_sensor_links[2] = {"Thermal", "Power"};

/* What differs from the stored JSON when r is read now. */
typedef struct edits_s {
  const char *power;   /* PowerState, or NULL */
  ed__health_t rollup; /* Status.HealthRollup, or ED__HEALTH_NONE */
  bool sensors;        /* the BMC set sensors of this resource */
  char datetime[32];   /* DateTime, or "" */
} edits_t;

const ed__mres_t *ed__live_link(const ed__mockup_t *m, const json_t *obj,
                                const char *key) {
  const char *p = json_string_value(
      json_object_get(json_object_get(obj, key), "@odata.id"));
  return p ? ed__mockup_find(m, p, strlen(p)) : NULL;
}

int ed__live_sensor_array(const char *link, const char *key) {
  if (strcmp(link, "Thermal") == 0) {
    if (strcmp(key, "Temperatures") == 0)
      return ED__SENSOR_TEMPERATURES;
    if (strcmp(key, "Fans") == 0)
      return ED__SENSOR_FANS;
  } else if (strcmp(link, "Power") == 0 && strcmp(key, "Voltages") == 0) {
    return ED__SENSOR_VOLTAGES;
  }
  return -1;
}

static ed__health_t worse(ed__health_t a, ed__health_t b) {
  return a > b ? a : b;
}

/* ---- health rollups ---------------------------------------------------- */

/* The worst health in a Thermal or Power resource (reached by link) as the
 * BMC shows it: its own Status and every element of its arrays, sensors
 * the operator set judged by their thresholds. */
static ed__health_t worst_in(const ed__service_t *s, uint32_t res,
                             const char *link, int64_t now_ms) {
  const json_t *j = ed__bmc_json(s, res);
  ed__health_t w = ed__health_of(j, "Health");
  const char *key;
  json_t *arr;
  json_object_foreach((json_t *)j, key, arr) {
    if (!json_is_array(arr))
      continue;
    int a = ed__live_sensor_array(link, key);
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el) {
      const ed__sensor_t *e =
          a >= 0 ? ed__sensors_find(&s->ext->sensors, res, a, i) : NULL;
      w = worse(w, e ? ed__sensor_health(el, ed__sensor_value(e, now_ms))
                     : ed__health_of(el, "Health"));
    }
  }
  return w;
}

/* A Sensor resource's reading against its Thresholds (the newer
 * generation's form: {"UpperCritical": {"Reading": 45}, ...}). */
static ed__health_t threshold_health(const json_t *sensor) {
  static const struct {
    const char *key;
    int upper;
    ed__health_t level;
  } th[] = {{"UpperFatal", 1, ED__HEALTH_CRITICAL},
            {"UpperCritical", 1, ED__HEALTH_CRITICAL},
            {"LowerFatal", 0, ED__HEALTH_CRITICAL},
            {"LowerCritical", 0, ED__HEALTH_CRITICAL},
            {"UpperCaution", 1, ED__HEALTH_WARNING},
            {"LowerCaution", 0, ED__HEALTH_WARNING}};
  const json_t *reading = json_object_get(sensor, "Reading");
  const json_t *t = json_object_get(sensor, "Thresholds");
  if (!json_is_number(reading) || !json_is_object(t))
    return ED__HEALTH_NONE;
  double v = json_number_value(reading);
  for (size_t i = 0; i < sizeof(th) / sizeof(th[0]); i++) {
    const json_t *b = json_object_get(json_object_get(t, th[i].key), "Reading");
    if (json_is_number(b) &&
        (th[i].upper ? v >= json_number_value(b) : v <= json_number_value(b)))
      return th[i].level;
  }
  return ED__HEALTH_OK;
}

/* The worst health among the members of the collection that `key` of obj
 * links to (a chassis' Sensors, a PowerSubsystem's PowerSupplies, a
 * ThermalSubsystem's Fans), each judged by its Status and, for a sensor,
 * its reading against its thresholds. */
static ed__health_t worst_members(const ed__service_t *s, const json_t *obj,
                                  const char *key) {
  const ed__mres_t *r = ed__live_link(s->m, obj, key);
  ed__health_t w = ED__HEALTH_NONE;
  if (r == NULL)
    return w;
  const json_t *coll = ed__bmc_json(s, ed__mockup_index(s->m, r));
  size_t i;
  json_t *link;
  json_array_foreach(json_object_get(coll, "Members"), i, link) {
    const char *p = json_string_value(json_object_get(link, "@odata.id"));
    const ed__mres_t *m = p ? ed__mockup_find(s->m, p, strlen(p)) : NULL;
    if (m == NULL)
      continue;
    const json_t *j = ed__bmc_json(s, ed__mockup_index(s->m, m));
    w = worse(w, worse(ed__health_of(j, "Health"), threshold_health(j)));
  }
  return w;
}

/* A subsystem (PowerSubsystem, ThermalSubsystem): its own Status and the
 * members of its collection `key`. */
static ed__health_t subsystem(const ed__service_t *s, const json_t *ch,
                              const char *link, const char *key) {
  const ed__mres_t *r = ed__live_link(s->m, ch, link);
  if (r == NULL)
    return ED__HEALTH_NONE;
  const json_t *j = ed__bmc_json(s, ed__mockup_index(s->m, r));
  return worse(ed__health_of(j, "Health"), worst_members(s, j, key));
}

/* Both generations of a chassis' parts: Thermal and Power, and Sensors,
 * PowerSubsystem and ThermalSubsystem. */
static ed__health_t chassis_rollup(const ed__service_t *s, const json_t *ch,
                                   int64_t now_ms) {
  ed__health_t w =
      worse(ed__health_of(ch, "Health"), ed__health_of(ch, "HealthRollup"));
  for (size_t k = 0; k < 2; k++) {
    const char *link = ed__live_sensor_links[k];
    const ed__mres_t *r = ed__live_link(s->m, ch, link);
    if (r != NULL)
      w = worse(w, worst_in(s, ed__mockup_index(s->m, r), link, now_ms));
  }
  w = worse(w, worst_members(s, ch, "Sensors"));
  w = worse(w, subsystem(s, ch, "PowerSubsystem", "PowerSupplies"));
  w = worse(w, subsystem(s, ch, "ThermalSubsystem", "Fans"));
  return w;
}

/* A system rolls up the chassis it links to (Links.Chassis). */
static ed__health_t system_rollup(const ed__service_t *s, const json_t *sys,
                                  int64_t now_ms) {
  ed__health_t w =
      worse(ed__health_of(sys, "Health"), ed__health_of(sys, "HealthRollup"));
  size_t i;
  json_t *link;
  json_array_foreach(json_object_get(json_object_get(sys, "Links"), "Chassis"),
                     i, link) {
    const char *p = json_string_value(json_object_get(link, "@odata.id"));
    const ed__mres_t *r = p ? ed__mockup_find(s->m, p, strlen(p)) : NULL;
    if (r != NULL && r->kind == ED__RES_CHASSIS)
      w = worse(w, chassis_rollup(s, ed__bmc_json(s, ed__mockup_index(s->m, r)),
                                  now_ms));
  }
  return w;
}

/* ---- what to change ---------------------------------------------------- */

static void manager_time(const ed__service_t *s, char *out, size_t len) {
  int64_t ms = ed__bmc_wall_ms(s);
  time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static bool has_sensors(const ed__service_t *s, uint32_t res) {
  for (size_t i = 0; s->ext != NULL && i < s->ext->sensors.n; i++)
    if (s->ext->sensors.v[i].res == res)
      return true;
  return false;
}

static bool str_differs(const json_t *obj, const char *key, const char *want) {
  const char *has = json_string_value(json_object_get(obj, key));
  return has == NULL || strcmp(has, want) != 0;
}

/* Fill ed with what differs; true when anything does. */
static bool plan(const ed__service_t *s, const ed__mres_t *r,
                 const json_t *base, int64_t now_ms, edits_t *ed) {
  memset(ed, 0, sizeof(*ed));
  ed->rollup = ED__HEALTH_NONE;
  bool any = false;
  if (r->kind == ED__RES_SYSTEM) {
    ed->power = ed__power_state_name(ed__bmc_state(s, (size_t)r->sys, now_ms));
    if (str_differs(base, "PowerState", ed->power))
      any = true;
    else
      ed->power = NULL;
  }
  if ((r->kind == ED__RES_SYSTEM || r->kind == ED__RES_CHASSIS) &&
      ed__bmc_health_changed(s)) {
    ed__health_t w = r->kind == ED__RES_SYSTEM
                         ? system_rollup(s, base, now_ms)
                         : chassis_rollup(s, base, now_ms);
    if (w != ED__HEALTH_NONE && w != ed__health_of(base, "HealthRollup")) {
      ed->rollup = w;
      any = true;
    }
  }
  if (r->kind == ED__RES_MANAGER) {
    manager_time(s, ed->datetime, sizeof(ed->datetime));
    any = true; /* the clock moves: never the stored text */
  }
  ed->sensors = has_sensors(s, ed__mockup_index(s->m, r));
  return any || ed->sensors;
}

/* ---- applying ---------------------------------------------------------- */

/* obj.Status, created when missing (NULL when out of memory or obj.Status
 * is not an object). */
static json_t *status_of(json_t *obj) {
  json_t *st = json_object_get(obj, "Status");
  if (st == NULL && json_object_set_new(obj, "Status", json_object()) == 0)
    st = json_object_get(obj, "Status");
  return json_is_object(st) ? st : NULL;
}

static int set_sensors(const ed__service_t *s, uint32_t res, json_t *j,
                       int64_t now_ms) {
  for (size_t i = 0; i < s->ext->sensors.n; i++) {
    const ed__sensor_t *e = &s->ext->sensors.v[i];
    json_t *el =
        e->res != res
            ? NULL
            : json_array_get(json_object_get(j, ed__sensor_array_name(e->arr)),
                             e->idx);
    if (!json_is_object(el))
      continue; /* patched away since: nothing to show it on */
    double v = ed__sensor_value(e, now_ms);
    json_t *st = status_of(el);
    if (json_object_set_new(el, ed__sensor_reading_key(e->arr),
                            ed__sensor_json(v)) < 0 ||
        (st != NULL && json_object_set_new(st, "Health",
                                           json_string(ed__health_name(
                                               ed__sensor_health(el, v)))) < 0))
      return ED_ENOMEM;
  }
  return 0;
}

static int apply(const ed__service_t *s, const ed__mres_t *r, json_t *j,
                 const edits_t *ed, int64_t now_ms) {
  if (ed->power && json_object_set_new(j, "PowerState", json_string(ed->power)))
    return ED_ENOMEM;
  if (ed->rollup != ED__HEALTH_NONE) {
    json_t *st = status_of(j);
    if (st != NULL &&
        json_object_set_new(st, "HealthRollup",
                            json_string(ed__health_name(ed->rollup))) < 0)
      return ED_ENOMEM;
  }
  if (ed->datetime[0] != '\0' &&
      (json_object_set_new(j, "DateTime", json_string(ed->datetime)) < 0 ||
       json_object_set_new(j, "DateTimeLocalOffset", json_string("+00:00")) <
           0))
    return ED_ENOMEM;
  if (ed->sensors)
    return set_sensors(s, ed__mockup_index(s->m, r), j, now_ms);
  return 0;
}

int ed__live_repr(const ed__service_t *s, const ed__mres_t *r, int64_t now_ms,
                  ed__repr_t *out) {
  const ed__ov_ent_t *ov =
      s->ext ? ed__overlay_get(&s->ext->ov, ed__mockup_index(s->m, r)) : NULL;
  const json_t *base = ov && ov->text ? ov->json : r->json;
  memset(out, 0, sizeof(*out));
  out->text = ov && ov->text ? ov->text : r->text;
  out->len = ov && ov->text ? ov->text_len : r->text_len;
  out->etag = ov && ov->text ? ov->etag : r->etag;
  edits_t ed;
  if (!plan(s, r, base, now_ms, &ed))
    return 0;
  /* Deep: sensors and Status are nested in the shared template. */
  json_t *c = json_deep_copy(base);
  int rc = c ? apply(s, r, c, &ed, now_ms) : ED_ENOMEM;
  if (rc == 0 && (out->owned = ed__mockup_dump(c, &out->len)) == NULL)
    rc = ED_ENOMEM;
  json_decref(c);
  if (rc < 0)
    return rc;
  out->text = out->owned;
  ed__mockup_etag(out->owned, out->len, out->etag_buf);
  out->etag = out->etag_buf;
  return 0;
}

void ed__live_repr_free(ed__repr_t *rp) {
  free(rp->owned);
  rp->owned = NULL;
}
