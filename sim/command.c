/* command: see command.h. */
#include "command.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "error.h"
#include "sensors.h"

#define MAX_MESSAGE 1024                 /* bytes of a SEL message */
#define MAX_OFFSET_MS ED_DURATION_MAX_MS /* 1000 days either way */

static const char *const op_names[] = {"knobs", "down",  "up",   "sensor",
                                       "sel",   "patch", "clock"};
#define N_OPS (sizeof(op_names) / sizeof(op_names[0]))

/* The keys each op takes beside "op" and "bmc" (knobs: the knob keys). */
static const char *const down_keys[] = {"for", NULL};
static const char *const sensor_keys[] = {"name", "value", "jump", "drift",
                                          NULL};
static const char *const sel_keys[] = {"severity", "message", "clear", NULL};
static const char *const patch_keys[] = {"path", "pointer", "value", NULL};
static const char *const clock_keys[] = {"offset", NULL};
static const char *const *const op_keys[] = {
    NULL, down_keys, down_keys, sensor_keys, sel_keys, patch_keys, clock_keys};

const char *ed__command_op_name(int op) {
  return op >= 0 && (size_t)op < N_OPS ? op_names[op] : "?";
}

static int fail(char *errbuf, size_t errlen, const char *where, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *errbuf, size_t errlen, const char *where, const char *key,
                const char *fmt, ...) {
  int n = snprintf(errbuf, errlen, "%s%s%s: ", where, *where ? "." : "", key);
  if (n >= 0 && (size_t)n < errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return ED_EINVAL;
}

static int check_keys(const json_t *cmd, int op, const char *where,
                      char *errbuf, size_t errlen) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)cmd, key, v) {
    bool ok = strcmp(key, "op") == 0 || strcmp(key, "bmc") == 0 ||
              (op == ED__OP_KNOBS && ed__knobs_is_key(key));
    for (const char *const *k = op_keys[op]; k && *k && !ok; k++)
      ok = strcmp(*k, key) == 0;
    if (!ok) {
      snprintf(errbuf, errlen, "unknown key '%s%s%s'", where, *where ? "." : "",
               key);
      return ED_EINVAL;
    }
  }
  return 0;
}

static int parse_op(const json_t *cmd, const char *where, int *op, char *errbuf,
                    size_t errlen) {
  const json_t *v = json_object_get(cmd, "op");
  *op = ED__OP_KNOBS;
  if (v == NULL)
    return 0;
  for (size_t i = 0; json_is_string(v) && i < N_OPS; i++)
    if (strcmp(json_string_value(v), op_names[i]) == 0) {
      *op = (int)i;
      return 0;
    }
  return fail(errbuf, errlen, where, "op",
              "expected \"knobs\", \"down\", \"up\", \"sensor\", \"sel\", "
              "\"patch\" or \"clock\"");
}

static int parse_knobs(const json_t *cmd, const char *where, ed__command_t *c,
                       char *errbuf, size_t errlen) {
  /* At run time the knobs' errors keep their historic "knobs." prefix. */
  return ed__knobs_parse(cmd, *where ? where : "knobs", &c->knobs, errbuf,
                         errlen);
}

static int parse_down(const json_t *cmd, const char *where, ed__command_t *c,
                      char *errbuf, size_t errlen) {
  const json_t *f = json_object_get(cmd, "for");
  if (c->bmc == NULL)
    return fail(errbuf, errlen, where, "bmc",
                "missing (an index, a list or \"all\")");
  if (f && ed__duration_parse(f, &c->ms) < 0)
    return fail(errbuf, errlen, where, "for",
                "expected a duration such as \"10s\"");
  return 0;
}

/* A number at key, if present: 1 when read, 0 when absent, <0 on error. */
static int number(const json_t *cmd, const char *key, double *out,
                  const char *where, char *errbuf, size_t errlen) {
  const json_t *v = json_object_get(cmd, key);
  if (v == NULL)
    return 0;
  if (!json_is_number(v))
    return fail(errbuf, errlen, where, key, "expected a number");
  *out = json_number_value(v);
  return 1;
}

static int parse_sensor(const json_t *cmd, const char *where, ed__command_t *c,
                        char *errbuf, size_t errlen) {
  ed__sensor_cmd_t *s = &c->sensor;
  const json_t *name = json_object_get(cmd, "name");
  if (!json_is_string(name) || json_string_length(name) == 0)
    return fail(errbuf, errlen, where, "name",
                "expected the sensor's Name, such as \"CPU1 Temp\"");
  s->name = json_string_value(name);
  int v = number(cmd, "value", &s->value, where, errbuf, errlen);
  int j = v < 0 ? v : number(cmd, "jump", &s->jump, where, errbuf, errlen);
  int d = j < 0 ? j : number(cmd, "drift", &s->drift, where, errbuf, errlen);
  if (d < 0)
    return d;
  if (v && j)
    return fail(errbuf, errlen, where, "jump",
                "give either value (a reading) or jump (added to it)");
  if (!v && !j && !d)
    return fail(errbuf, errlen, where, "value",
                "missing: give value, jump or drift");
  s->has_value = v == 1;
  s->has_jump = j == 1;
  s->has_drift = d == 1;
  return 0;
}

static int parse_sel(const json_t *cmd, const char *where, ed__command_t *c,
                     char *errbuf, size_t errlen) {
  const json_t *clear = json_object_get(cmd, "clear");
  const json_t *sev = json_object_get(cmd, "severity");
  const json_t *msg = json_object_get(cmd, "message");
  if (clear && !json_is_boolean(clear))
    return fail(errbuf, errlen, where, "clear", "expected true or false");
  c->sel_clear = json_is_true(clear);
  c->sel_severity = ED__HEALTH_OK;
  if (sev && (c->sel_severity = ed__health_parse(json_string_value(sev))) ==
                 ED__HEALTH_NONE)
    return fail(errbuf, errlen, where, "severity",
                "expected \"OK\", \"Warning\" or \"Critical\"");
  if (msg && (!json_is_string(msg) || json_string_length(msg) == 0 ||
              json_string_length(msg) > MAX_MESSAGE))
    return fail(errbuf, errlen, where, "message",
                "expected a non-empty string of at most %d bytes", MAX_MESSAGE);
  if (!msg && (sev || !c->sel_clear))
    return fail(errbuf, errlen, where, "message",
                "missing: give the entry's message (or \"clear\": true)");
  c->sel_message = msg ? json_string_value(msg) : NULL;
  return 0;
}

static int parse_patch(const json_t *cmd, const char *where, ed__command_t *c,
                       char *errbuf, size_t errlen) {
  const json_t *path = json_object_get(cmd, "path");
  const json_t *ptr = json_object_get(cmd, "pointer");
  if (!json_is_string(path) || json_string_value(path)[0] != '/')
    return fail(errbuf, errlen, where, "path",
                "expected a resource's URI, such as \"/redfish/v1/Chassis/1\"");
  if (!json_is_string(ptr))
    return fail(errbuf, errlen, where, "pointer",
                "expected a JSON pointer, such as \"/Status/Health\"");
  if ((c->value = json_object_get(cmd, "value")) == NULL)
    return fail(errbuf, errlen, where, "value",
                "missing: the property's new value (any JSON)");
  c->path = json_string_value(path);
  c->pointer = json_string_value(ptr);
  return 0;
}

/* "90s", "-90s", "+1m", or integer milliseconds (negative allowed). */
static int parse_offset(const json_t *v, int64_t *ms) {
  if (json_is_integer(v)) {
    *ms = (int64_t)json_integer_value(v);
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    int neg = s[0] == '-';
    if (ed__duration_parse_str(s + (neg || s[0] == '+'), ms) < 0)
      return ED_EINVAL;
    if (neg)
      *ms = -*ms;
  } else {
    return ED_EINVAL;
  }
  return *ms >= -MAX_OFFSET_MS && *ms <= MAX_OFFSET_MS ? 0 : ED_EINVAL;
}

static int parse_clock(const json_t *cmd, const char *where, ed__command_t *c,
                       char *errbuf, size_t errlen) {
  const json_t *v = json_object_get(cmd, "offset");
  if (v == NULL || parse_offset(v, &c->ms) < 0)
    return fail(errbuf, errlen, where, "offset",
                "expected a duration such as \"90s\" or \"-90s\" (or integer "
                "milliseconds), within 1000 days");
  return 0;
}

int ed__command_parse(const json_t *cmd, const char *where, ed__command_t *out,
                      char *errbuf, size_t errlen) {
  typedef int (*parse_fn)(const json_t *, const char *, ed__command_t *, char *,
                          size_t);
  static const parse_fn parsers[] = {parse_knobs,  parse_down, parse_down,
                                     parse_sensor, parse_sel,  parse_patch,
                                     parse_clock};
  memset(out, 0, sizeof(*out));
  if (!json_is_object(cmd)) {
    snprintf(errbuf, errlen, "%s%sexpected an object {\"op\": ..., ...}", where,
             *where ? ": " : "");
    return ED_EINVAL;
  }
  int rc = parse_op(cmd, where, &out->op, errbuf, errlen);
  if (rc == 0)
    rc = check_keys(cmd, out->op, where, errbuf, errlen);
  if (rc < 0)
    return rc;
  out->bmc = json_object_get(cmd, "bmc");
  return parsers[out->op](cmd, where, out, errbuf, errlen);
}

int ed__command_apply(const ed__command_t *c, ed__service_t *s, int64_t now_ms,
                      const char *where, char *errbuf, size_t errlen) {
  char why[768] = "";
  int rc;
  switch (c->op) {
  case ED__OP_SENSOR:
    rc = ed__ops_sensor(s, &c->sensor, now_ms, why, sizeof(why));
    break;
  case ED__OP_SEL:
    rc = ed__ops_sel(s, c->sel_clear, c->sel_severity, c->sel_message, why,
                     sizeof(why));
    break;
  case ED__OP_PATCH:
    rc = ed__ops_patch(s, c->path, c->pointer, c->value, why, sizeof(why));
    break;
  case ED__OP_CLOCK:
    rc = ed__ops_clock(s, c->ms);
    break;
  default:
    snprintf(why, sizeof(why), "op: %s is not a BMC's service command",
             ed__command_op_name(c->op));
    rc = ED_EINVAL;
  }
  if (rc == ED_ENOMEM && why[0] == '\0')
    snprintf(why, sizeof(why), "%s: out of memory", ed__command_op_name(c->op));
  if (rc < 0)
    snprintf(errbuf, errlen, "%s%s%s", where, *where ? "." : "", why);
  return rc;
}
