/*
 * ipmi ops: the IPMI commands behind each operation, run on one open
 * session by a pool thread. Values are JSON text for the checks: power
 * state "on"/"off", sensors, SEL count and entries, device id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ipmi.h"

/* A command failed: its completion code if the BMC answered one, else the
 * session-level error. */
static int failed(ed__ipmi_target_t *t, ipmi_ctx_t ctx, fiid_obj_t obj,
                  uint8_t netfn, ed__ipmi_err_t *e) {
  uint64_t cc = 0, cmd = 0;
  int n = ipmi_ctx_errnum(ctx);
  if (obj && n != IPMI_ERR_SESSION_TIMEOUT && n != IPMI_ERR_MESSAGE_TIMEOUT &&
      fiid_obj_get(obj, "comp_code", &cc) > 0 && cc != 0) {
    fiid_obj_get(obj, "cmd", &cmd);
    ed__ipmi_completion((uint8_t)cmd, netfn, (uint8_t)cc, e);
  } else {
    ed__ipmi_classify(n, ed__ipmi_privilege_name(t->conf.privilege), e);
  }
  return -1;
}

static uint64_t field(fiid_obj_t obj, const char *name) {
  uint64_t v = 0;
  if (fiid_obj_get(obj, name, &v) <= 0)
    return 0;
  return v;
}

static int oom(ed__ipmi_err_t *e) {
  e->err = ED_ERRCLASS_OTHER;
  e->reopen = 0;
  snprintf(e->detail, sizeof(e->detail), "out of memory");
  return -1;
}

/* ---- chassis ---------------------------------------------------------- */

/* One Get Chassis Status on the session's own response object. */
static int power_status(ed__ipmi_target_t *t, ed__ipmi_sess_t *s, char **value,
                        ed__ipmi_err_t *e) {
  if (!s->status_rs &&
      !(s->status_rs = fiid_obj_create(tmpl_cmd_get_chassis_status_rs)))
    return oom(e);
  fiid_obj_t rs = s->status_rs;
  fiid_obj_clear(rs); /* nothing of the previous read can be taken */
  if (ipmi_cmd_get_chassis_status(s->ctx, rs) < 0)
    return failed(t, s->ctx, rs, IPMI_NET_FN_CHASSIS_RQ, e);
  /* The value is one of two JSON strings: no JSON object to build. */
  int on = field(rs, "current_power_state.power_is_on") != 0;
  if (!(*value = strdup(on ? "\"on\"" : "\"off\"")))
    return oom(e);
  return 0;
}

static int power(ed__ipmi_target_t *t, ipmi_ctx_t ctx, uint8_t control,
                 ed__ipmi_err_t *e) {
  fiid_obj_t rs = fiid_obj_create(tmpl_cmd_chassis_control_rs);
  if (!rs)
    return oom(e);
  int rc = 0;
  if (ipmi_cmd_chassis_control(ctx, control, rs) < 0)
    rc = failed(t, ctx, rs, IPMI_NET_FN_CHASSIS_RQ, e);
  fiid_obj_destroy(rs);
  return rc;
}

static int device_id(ed__ipmi_target_t *t, ipmi_ctx_t ctx, char **value,
                     ed__ipmi_err_t *e) {
  fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_device_id_rs);
  if (!rs)
    return oom(e);
  int rc = 0;
  if (ipmi_cmd_get_device_id(ctx, rs) < 0)
    rc = failed(t, ctx, rs, IPMI_NET_FN_APP_RQ, e);
  else
    *value = ed__ipmi_json_text(ed__ipmi_device_id(
        field(rs, "device_id"), field(rs, "device_revision.revision"),
        field(rs, "firmware_revision1.major_revision"),
        field(rs, "firmware_revision2.minor_revision"),
        field(rs, "ipmi_version_major"), field(rs, "ipmi_version_minor"),
        field(rs, "manufacturer_id.id"), field(rs, "product_id")));
  fiid_obj_destroy(rs);
  return rc;
}

/* ---- SEL -------------------------------------------------------------- */

static int sel_count(ed__ipmi_target_t *t, ipmi_ctx_t ctx, char **value,
                     ed__ipmi_err_t *e) {
  fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_sel_info_rs);
  if (!rs)
    return oom(e);
  int rc = 0;
  if (ipmi_cmd_get_sel_info(ctx, rs) < 0)
    rc = failed(t, ctx, rs, IPMI_NET_FN_STORAGE_RQ, e);
  else
    *value = ed__ipmi_json_text(json_integer((json_int_t)field(rs, "entries")));
  fiid_obj_destroy(rs);
  return rc;
}

static int sel_list(ed__ipmi_target_t *t, ipmi_ctx_t ctx, char **value,
                    ed__ipmi_err_t *e) {
  fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_sel_entry_rs);
  json_t *list = json_array();
  if (!rs || !list) {
    fiid_obj_destroy(rs);
    json_decref(list);
    return oom(e);
  }
  int rc = 0;
  uint16_t id = IPMI_SEL_GET_RECORD_ID_FIRST_ENTRY;
  for (int guard = 0; guard < 65536; guard++) {
    if (ipmi_cmd_get_sel_entry(ctx, 0, id, 0, 0xFF, rs) < 0) {
      uint64_t cc = 0;
      /* 0xCB: "requested data not present", an empty SEL */
      if (guard == 0 && fiid_obj_get(rs, "comp_code", &cc) > 0 && cc == 0xCB)
        break;
      rc = failed(t, ctx, rs, IPMI_NET_FN_STORAGE_RQ, e);
      break;
    }
    uint8_t rec[16];
    int n = fiid_obj_get_data(rs, "record_data", rec, sizeof(rec));
    json_t *entry = n > 0 ? ed__ipmi_sel_entry(rec, (size_t)n) : NULL;
    if (entry)
      json_array_append_new(list, entry);
    uint16_t next = (uint16_t)field(rs, "next_record_id");
    if (next == IPMI_SEL_GET_RECORD_ID_LAST_ENTRY || next == id)
      break;
    id = next;
    fiid_obj_clear(rs);
  }
  fiid_obj_destroy(rs);
  if (rc == 0)
    *value = ed__ipmi_json_text(list);
  else
    json_decref(list);
  return rc;
}

static int sel_clear(ed__ipmi_target_t *t, ipmi_ctx_t ctx, ed__ipmi_err_t *e) {
  fiid_obj_t res = fiid_obj_create(tmpl_cmd_reserve_sel_rs);
  fiid_obj_t clr = fiid_obj_create(tmpl_cmd_clear_sel_rs);
  int rc = 0;
  if (!res || !clr)
    rc = oom(e);
  else if (ipmi_cmd_reserve_sel(ctx, res) < 0)
    rc = failed(t, ctx, res, IPMI_NET_FN_STORAGE_RQ, e);
  else {
    uint16_t rid = (uint16_t)field(res, "reservation_id");
    uint8_t op = IPMI_SEL_CLEAR_OPERATION_INITIATE_ERASE;
    for (int i = 0; i < 50; i++) {
      if (ipmi_cmd_clear_sel(ctx, rid, op, clr) < 0) {
        rc = failed(t, ctx, clr, IPMI_NET_FN_STORAGE_RQ, e);
        break;
      }
      if (field(clr, "erasure_progress") != IPMI_SEL_CLEAR_ERASURE_IN_PROGRESS)
        break;
      op = IPMI_SEL_CLEAR_OPERATION_GET_ERASURE_STATUS;
      usleep(100000);
    }
  }
  fiid_obj_destroy(res);
  fiid_obj_destroy(clr);
  return rc;
}

/* ---- sensors ---------------------------------------------------------- */

/* Reads the SDR repository once per target, through a FreeIPMI SDR cache
 * file in a private temporary folder, into memory; the file is removed. */
static int load_sdr(ed__ipmi_target_t *t, ipmi_ctx_t ctx, ed__ipmi_err_t *e) {
  const char *tmp = getenv("TMPDIR");
  char dir[512], path[560];
  snprintf(dir, sizeof(dir), "%s/eventdrill-ipmi-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    e->err = ED_ERRCLASS_OTHER;
    snprintf(e->detail, sizeof(e->detail),
             "cannot create a temporary folder for the SDR (TMPDIR)");
    return -1;
  }
  snprintf(path, sizeof(path), "%s/sdr", dir);
  ipmi_sdr_ctx_t sdr = ipmi_sdr_ctx_create();
  int rc = -1;
  uint16_t count = 0;
  if (!sdr) {
    oom(e);
    goto out;
  }
  if (ipmi_sdr_cache_create(sdr, ctx, path,
                            IPMI_SDR_CACHE_CREATE_FLAGS_OVERWRITE, NULL,
                            NULL) < 0) {
    if (ipmi_sdr_ctx_errnum(sdr) == IPMI_SDR_ERR_IPMI_ERROR) {
      failed(t, ctx, NULL, IPMI_NET_FN_STORAGE_RQ, e);
    } else {
      e->err = ED_ERRCLASS_PROTOCOL;
      snprintf(e->detail, sizeof(e->detail), "reading the SDR: %s",
               ipmi_sdr_ctx_errormsg(sdr));
    }
    goto out;
  }
  if (ipmi_sdr_cache_open(sdr, NULL, path) < 0 ||
      ipmi_sdr_cache_record_count(sdr, &count) < 0) {
    e->err = ED_ERRCLASS_OTHER;
    snprintf(e->detail, sizeof(e->detail), "SDR cache: %s",
             ipmi_sdr_ctx_errormsg(sdr));
    goto out;
  }
  t->sdr = calloc(count ? count : 1, sizeof(*t->sdr));
  if (!t->sdr) {
    oom(e);
    goto out;
  }
  t->nsdr = 0;
  if (count && ipmi_sdr_cache_first(sdr) == 0) {
    do {
      ed__ipmi_sdr_rec_t *r = &t->sdr[t->nsdr];
      int n = ipmi_sdr_cache_record_read(sdr, r->buf, sizeof(r->buf));
      if (n > 0) {
        r->len = (unsigned)n;
        t->nsdr++;
      }
    } while (t->nsdr < count && ipmi_sdr_cache_next(sdr) == 1);
  }
  ipmi_sdr_cache_close(sdr);
  t->sdr_loaded = 1;
  ed__ipmi_log(ED_LOG_DEBUG, t, "SDR read: %zu records", t->nsdr);
  rc = 0;
out:
  ipmi_sdr_ctx_destroy(sdr);
  unlink(path);
  rmdir(dir);
  return rc;
}

typedef struct {
  ed__ipmi_target_t *t;
  ipmi_ctx_t ctx;
  ipmi_sdr_ctx_t sdr;
  ipmi_sensor_read_ctx_t rd;
} sens_t;

/* Thresholds through Get Sensor Thresholds (as ipmitool does), decoded
 * with the record's conversion factors. NULL when not readable. */
static json_t *thresholds(sens_t *c, const ed__ipmi_sdr_rec_t *r,
                          uint8_t number) {
  static const char *const names[][2] = {
      {"lower_non_critical_threshold", "lnc"},
      {"lower_critical_threshold", "lc"},
      {"lower_non_recoverable_threshold", "lnr"},
      {"upper_non_critical_threshold", "unc"},
      {"upper_critical_threshold", "uc"},
      {"upper_non_recoverable_threshold", "unr"}};
  int8_t rexp, bexp;
  int16_t m, b;
  uint8_t lin, fmt;
  if (ipmi_sdr_parse_sensor_decoding_data(c->sdr, r->buf, r->len, &rexp, &bexp,
                                          &m, &b, &lin, &fmt) < 0)
    return NULL;
  fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_sensor_thresholds_rs);
  if (!rs)
    return NULL;
  json_t *o = NULL;
  if (ipmi_cmd_get_sensor_thresholds(c->ctx, number, rs) == 0) {
    o = json_object();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
      char readable[80];
      snprintf(readable, sizeof(readable), "readable_thresholds.%s",
               names[i][0]);
      double v;
      if (field(rs, readable) &&
          ipmi_sensor_decode_value(rexp, bexp, m, b, lin, fmt,
                                   (uint8_t)field(rs, names[i][0]), &v) == 0)
        json_object_set_new(o, names[i][1], ed__ipmi_number(v));
    }
  }
  fiid_obj_destroy(rs);
  return o;
}

/* One sensor's entry, or NULL when the record is not a sensor or does not
 * match; -1 in *fatal when the session failed. */
static json_t *sensor(sens_t *c, const ed__ipmi_sdr_rec_t *r,
                      const ed__ipmi_op_t *op, ed__ipmi_err_t *e, int *fatal) {
  uint16_t rid;
  uint8_t rtype, stype, ertc, number;
  char name[64] = "";
  if (ipmi_sdr_parse_record_id_and_type(c->sdr, r->buf, r->len, &rid, &rtype) <
          0 ||
      (rtype != IPMI_SDR_FORMAT_FULL_SENSOR_RECORD &&
       rtype != IPMI_SDR_FORMAT_COMPACT_SENSOR_RECORD))
    return NULL;
  if (ipmi_sdr_parse_id_string(c->sdr, r->buf, r->len, name, sizeof(name) - 1) <
          0 ||
      ipmi_sdr_parse_sensor_type(c->sdr, r->buf, r->len, &stype) < 0 ||
      ipmi_sdr_parse_event_reading_type_code(c->sdr, r->buf, r->len, &ertc) <
          0 ||
      ipmi_sdr_parse_sensor_number(c->sdr, r->buf, r->len, &number) < 0)
    return NULL;
  const char *tname = ipmi_get_sensor_type_string(stype);
  if (!tname)
    tname = "unknown";
  if (op->name && strcmp(op->name, name) != 0)
    return NULL;
  if (op->type && strcasecmp(op->type, tname) != 0)
    return NULL;
  json_t *o =
      json_pack("{s:s,s:i,s:s}", "name", name, "number", number, "type", tname);
  double *reading = NULL;
  uint16_t mask = 0;
  int rd = ipmi_sensor_read(c->rd, r->buf, r->len, 0, NULL, &reading, &mask);
  int threshold = ertc == IPMI_EVENT_READING_TYPE_CODE_THRESHOLD;
  if (rd < 0) {
    int n = ipmi_sensor_read_ctx_errnum(c->rd);
    if (n == IPMI_SENSOR_READ_ERR_IPMI_ERROR) {
      ed__ipmi_err_t se = {0};
      failed(c->t, c->ctx, NULL, IPMI_NET_FN_SENSOR_EVENT_RQ, &se);
      if (se.reopen) {
        *e = se;
        *fatal = 1;
        json_decref(o);
        return NULL;
      }
    }
    json_object_set_new(o, "reading", json_null());
    json_object_set_new(o, "state", json_string("unavailable"));
    json_object_set_new(o, "detail",
                        json_string(ipmi_sensor_read_ctx_errormsg(c->rd)));
  } else {
    json_object_set_new(o, "reading",
                        reading ? ed__ipmi_number(*reading) : json_null());
    json_object_set_new(
        o, "state",
        json_string(threshold ? ed__ipmi_threshold_state(mask) : "discrete"));
    if (!threshold)
      json_object_set_new(o, "event_bitmask", json_integer(mask));
  }
  free(reading);
  uint8_t pct, mod, rate, base, modu;
  char unit[64] = "";
  if (threshold && ipmi_sdr_parse_sensor_units(c->sdr, r->buf, r->len, &pct,
                                               &mod, &rate, &base, &modu) == 0)
    ipmi_sensor_units_string(pct, mod, rate, base, modu, unit, sizeof(unit), 0);
  json_object_set_new(o, "unit", *unit ? json_string(unit) : json_null());
  json_t *th = threshold && rtype == IPMI_SDR_FORMAT_FULL_SENSOR_RECORD
                   ? thresholds(c, r, number)
                   : NULL;
  json_object_set_new(o, "thresholds", th ? th : json_object());
  return o;
}

static int sensors(ed__ipmi_target_t *t, ipmi_ctx_t ctx,
                   const ed__ipmi_op_t *op, char **value, ed__ipmi_err_t *e) {
  pthread_mutex_lock(&t->sdr_mu);
  int rc = t->sdr_loaded ? 0 : load_sdr(t, ctx, e);
  pthread_mutex_unlock(&t->sdr_mu);
  if (rc < 0)
    return -1;
  sens_t c = {.t = t, .ctx = ctx};
  c.sdr = ipmi_sdr_ctx_create();
  c.rd = ipmi_sensor_read_ctx_create(ctx);
  json_t *list = json_array();
  if (!c.sdr || !c.rd || !list) {
    rc = oom(e);
    goto out;
  }
  int fatal = 0;
  for (size_t i = 0; i < t->nsdr && !fatal; i++) {
    json_t *s = sensor(&c, &t->sdr[i], op, e, &fatal);
    if (s)
      json_array_append_new(list, s);
  }
  if (fatal) {
    rc = -1;
  } else if (op->name) {
    json_t *s = json_array_get(list, 0);
    json_t *reading = json_object_get(s, "reading");
    if (!s) {
      e->err = ED_ERRCLASS_OTHER;
      snprintf(e->detail, sizeof(e->detail),
               "no sensor named \"%s\" in the SDR", op->name);
      rc = -1;
    } else if (!json_is_number(reading)) {
      e->err = ED_ERRCLASS_OTHER;
      snprintf(e->detail, sizeof(e->detail), "sensor \"%s\": no reading (%s)",
               op->name, json_string_value(json_object_get(s, "state")));
      rc = -1;
    } else {
      *value = ed__ipmi_json_text(json_incref(reading));
    }
  } else {
    *value = ed__ipmi_json_text(list);
    list = NULL;
  }
out:
  json_decref(list);
  if (c.rd)
    ipmi_sensor_read_ctx_destroy(c.rd);
  if (c.sdr)
    ipmi_sdr_ctx_destroy(c.sdr);
  return rc;
}

int ed__ipmi_run(ed__ipmi_target_t *t, ed__ipmi_sess_t *s,
                 const ed__ipmi_op_t *op, char **value, ed__ipmi_err_t *e) {
  ipmi_ctx_t ctx = s->ctx;
  switch (op->kind) {
  case ED__IPMI_POWER_STATUS:
    return power_status(t, s, value, e);
  case ED__IPMI_POWER:
    return power(t, ctx, op->control, e);
  case ED__IPMI_SENSORS:
    return sensors(t, ctx, op, value, e);
  case ED__IPMI_SEL_COUNT:
    return sel_count(t, ctx, value, e);
  case ED__IPMI_SEL_LIST:
    return sel_list(t, ctx, value, e);
  case ED__IPMI_SEL_CLEAR:
    return sel_clear(t, ctx, e);
  case ED__IPMI_DEVICE_ID:
    return device_id(t, ctx, value, e);
  }
  e->err = ED_ERRCLASS_OTHER;
  snprintf(e->detail, sizeof(e->detail), "unknown operation");
  return -1;
}
