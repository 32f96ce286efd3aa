/*
 * collect: the IPMI driver's health collection (ABI version 2's collect).
 * Power status (timed), device ID, sensors with thresholds and the SEL,
 * through the driver's read-only operations, queued with
 * <eventdrill/snapshot.h>. FreeIPMI blocks: each read runs on libuv's thread
 * pool, like a blocking request, and is answered on the loop.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/snapshot.h>

#include "ipmi.h"

/* ---- a read on the thread pool ---------------------------------------- */

typedef struct pooled_s {
  uv_work_t work;
  void *target;
  ed_request_t *req;
  ed_result_t res;
} pooled_t;

static void pooled_work(uv_work_t *w) {
  pooled_t *p = w->data;
  p->req->sent_ns = uv_hrtime();
  ed__ipmi_submit_blocking(p->target, p->req, &p->res);
}

static void pooled_done(uv_work_t *w, int status) {
  pooled_t *p = w->data;
  if (status != 0) {
    free((void *)p->res.value);
    free((void *)p->res.detail);
    p->res = (ed_result_t){.err = ED_ERRCLASS_CANCELLED,
                           .detail = strdup("cancelled")};
  }
  p->req->done(p->req, &p->res);
  free((void *)p->res.value);
  free((void *)p->res.detail);
  free(p);
}

/* The job's submit: the blocking call on a pool thread, answered here. */
static int submit_pooled(void *target, ed_request_t *req) {
  uv_loop_t *loop = ed__ipmi_loop();
  pooled_t *p = calloc(1, sizeof(*p));
  if (!p || !loop) {
    free(p);
    return -1;
  }
  p->work.data = p;
  p->target = target;
  p->req = req;
  if (uv_queue_work(loop, &p->work, pooled_work, pooled_done) != 0) {
    free(p);
    return -1;
  }
  return 0;
}

static void op(ed_snap_job_t *j, const char *what, int kind, ed_snap_cb cb) {
  ed__ipmi_op_t *o = calloc(1, sizeof(*o));
  if (o) {
    o->kind = kind;
    o->read_only = 1;
  }
  ed_snap_read(j, what, o, cb, NULL, NULL);
}

static void sample_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  ed_snap_sample(j, a);
}

static void device_id_cb(ed_snap_job_t *j, const ed_snap_answer_t *a,
                         void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  const char *fw = json_string_value(json_object_get(v, "firmware_revision"));
  if (fw)
    json_object_set_new(j->snap, "firmware", json_pack("{s:s}", "bmc", fw));
  else
    ed_snap_gap(j, "device ID", a);
  json_decref(v);
}

/* The driver's threshold state in Redfish's health words. */
static json_t *health_of(const char *state) {
  if (!state)
    return json_null();
  if (strcmp(state, "ok") == 0)
    return json_string("OK");
  if (strcmp(state, "non-critical") == 0)
    return json_string("Warning");
  if (strcmp(state, "critical") == 0 || strcmp(state, "non-recoverable") == 0)
    return json_string("Critical");
  return json_null();
}

static json_t *threshold(json_t *th, const char *a, const char *b) {
  json_t *v = json_object_get(th, a);
  if (!json_is_number(v) && b)
    v = json_object_get(th, b);
  return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

static json_t *sensor(json_t *s) {
  char kind[64];
  const char *type = json_string_value(json_object_get(s, "type"));
  size_t n = 0;
  for (; type && type[n] && n + 1 < sizeof(kind); n++)
    kind[n] = (char)tolower((unsigned char)type[n]);
  kind[n] = '\0';
  json_t *th = json_object_get(s, "thresholds");
  json_t *reading = json_object_get(s, "reading");
  json_t *unit = json_object_get(s, "unit");
  return json_pack(
      "{s:O,s:s,s:O,s:O,s:o,s:o,s:o,s:o,s:o}", "name",
      json_object_get(s, "name"), "kind", kind, "reading",
      reading ? reading : json_null(), "unit", unit ? unit : json_null(),
      "upper_warning", threshold(th, "unc", NULL), "upper_critical",
      threshold(th, "uc", "unr"), "lower_warning", threshold(th, "lnc", NULL),
      "lower_critical", threshold(th, "lc", "lnr"), "health",
      health_of(json_string_value(json_object_get(s, "state"))));
}

static void sensors_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  if (!json_is_array(v))
    ed_snap_gap(j, "sensors", a);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *s = json_array_get(v, i);
    if (json_is_string(json_object_get(s, "name")))
      ed_snap_append(j, "sensors", sensor(s));
  }
  json_decref(v);
}

/* An event's severity. Threshold events (type 1) at a critical or
 * non-recoverable threshold, a power supply failure, a processor IERR or
 * thermal trip are critical; other threshold crossings are warnings;
 * anything else is information. */
static const char *sel_severity(json_t *e) {
  int type = (int)json_integer_value(json_object_get(e, "event_type"));
  int offset = (int)json_integer_value(json_object_get(e, "offset"));
  int stype = (int)json_integer_value(json_object_get(e, "sensor_type_code"));
  const char *dir = json_string_value(json_object_get(e, "direction"));
  if (dir && strcmp(dir, "deassertion") == 0)
    return "OK";
  if (type == 0x01) {
    int crit = (offset >= 0x02 && offset <= 0x05) || offset >= 0x08;
    return crit ? "Critical" : "Warning";
  }
  if ((stype == 0x08 && offset >= 1 && offset <= 3) ||
      (stype == 0x07 && (offset == 0 || offset == 1)))
    return "Critical";
  return "OK";
}

static void sel_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  if (!json_is_array(v))
    ed_snap_gap(j, "SEL", a);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *e = json_array_get(v, i);
    json_t *ts = json_object_get(e, "timestamp");
    if (!json_is_integer(ts))
      continue; /* OEM records carry no event */
    char created[32], msg[160];
    ed_snap_epoch_to_iso((double)json_integer_value(ts), created,
                         sizeof(created));
    const char *st = json_string_value(json_object_get(e, "sensor_type"));
    snprintf(msg, sizeof(msg), "%s #%lld %s, offset %lld", st ? st : "sensor",
             (long long)json_integer_value(json_object_get(e, "sensor_number")),
             json_string_value(json_object_get(e, "direction"))
                 ? json_string_value(json_object_get(e, "direction"))
                 : "event",
             (long long)json_integer_value(json_object_get(e, "offset")));
    ed_snap_append(j, "log",
                   json_pack("{s:s,s:s,s:s}", "severity", sel_severity(e),
                             "created", created, "message", msg));
  }
  json_decref(v);
}

static void power_cb(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  if (!json_is_string(v)) {
    json_decref(v);
    ed_snap_unreachable(j, a);
    return;
  }
  ed_snap_sample(j, a);
  json_object_set_new(j->snap, "power", v);
  for (int i = 0; i < j->c->latency_samples; i++)
    op(j, "power status", ED__IPMI_POWER_STATUS, sample_cb);
  if ((j->c->flags & ED_COLLECT_FULL))
    op(j, "device ID", ED__IPMI_DEVICE_ID, device_id_cb);
  op(j, "sensors", ED__IPMI_SENSORS, sensors_cb);
  if (j->c->log_entries > 0)
    op(j, "SEL", ED__IPMI_SEL_LIST, sel_cb);
}

/* Without these read, the device is not known to be ready. */
static const ed_snap_part_t required[] = {
    {"power", "power"}, {"sensors", "sensors"}, {NULL, NULL}};

int ed__ipmi_collect(void *target, ed_collect_t *c) {
  ed_snap_job_t *j = ed_snap_begin(target, c, submit_pooled, ed__ipmi_op_free);
  if (!j)
    return -1;
  j->required = required;
  op(j, "power status", ED__IPMI_POWER_STATUS, power_cb);
  ed_snap_go(j);
  return 0;
}
