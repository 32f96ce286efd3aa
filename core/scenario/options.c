#include "options.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "duration.h"

/* Where problems go: a user's diag, or (when a driver's own table is checked
 * at load time, with no diag around) the first message into a buffer. */
typedef struct sink_s {
  ed_diag_t *diag;
  char *buf;
  size_t len;
  int count;
} sink_t;

static void vreport(sink_t *s, int at_key, const char *path, const char *fmt,
                    va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  if (s->diag && at_key)
    ed_diag_add_key(s->diag, path, "%s", msg);
  else if (s->diag)
    ed_diag_add(s->diag, path, "%s", msg);
  else if (s->buf && s->len && s->count == 0)
    snprintf(s->buf, s->len, "%s: %s", path, msg);
  s->count++;
}

static void report(sink_t *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(sink_t *s, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(s, 0, path, fmt, ap);
  va_end(ap);
}

/* For an unknown key, the key itself is what is wrong, not its value. */
static void report_key(sink_t *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_key(sink_t *s, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(s, 1, path, fmt, ap);
  va_end(ap);
}

/* Paths are for messages only, so a truncated one is acceptable. */
static void join_path(char *buf, size_t len, const char *path,
                      const char *key) {
  if (!path || !*path)
    snprintf(buf, len, "%s", key);
  else
    snprintf(buf, len, "%s.%s", path, key);
}

const char *ed_options_type_name(ed_opt_type_t type) {
  switch (type) {
  case ED_OPT_STRING:
    return "string";
  case ED_OPT_INT:
    return "int";
  case ED_OPT_DOUBLE:
    return "double";
  case ED_OPT_BOOL:
    return "bool";
  case ED_OPT_DURATION:
    return "duration";
  case ED_OPT_JSON:
    return "json";
  }
  return "?";
}

/* What a user must write, for "expected ..." messages. */
static const char *type_expectation(ed_opt_type_t type) {
  switch (type) {
  case ED_OPT_STRING:
    return "a string";
  case ED_OPT_INT:
    return "an integer";
  case ED_OPT_DOUBLE:
    return "a number";
  case ED_OPT_BOOL:
    return "true or false";
  case ED_OPT_DURATION:
    return "a duration (\"250ms\", \"30s\", \"2m\") or milliseconds";
  case ED_OPT_JSON:
    return "any JSON value";
  }
  return "?";
}

static size_t field_size(ed_opt_type_t type) {
  switch (type) {
  case ED_OPT_STRING:
  case ED_OPT_JSON:
    return sizeof(char *);
  case ED_OPT_INT:
  case ED_OPT_DURATION:
    return sizeof(int64_t);
  case ED_OPT_DOUBLE:
    return sizeof(double);
  case ED_OPT_BOOL:
    return sizeof(int);
  }
  return 0;
}

static int has_range(const ed_option_t *o) {
  return o->min < o->max;
}

static int check_int(const ed_option_t *o, json_int_t v, const char *path,
                     sink_t *s) {
  if (!has_range(o) || (v >= o->min && v <= o->max))
    return 0;
  if (o->flags & ED_OPT_SECRET)
    report(s, path, "value out of range [%" PRId64 ", %" PRId64 "]", o->min,
           o->max);
  else
    report(s, path, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
           (int64_t)v, o->min, o->max);
  return ED_EINVAL;
}

static int parse_duration(const ed_option_t *o, const json_t *v,
                          const char *path, sink_t *s, int64_t *ms) {
  char err[300];
  if (ed_duration_from_json(v, ms, err, sizeof(err)) < 0) {
    report(s, path, "%s", err);
    return ED_EINVAL;
  }
  if (!has_range(o) || (*ms >= o->min && *ms <= o->max))
    return 0;
  char a[32], b[32], c[32];
  report(s, path, "%s is out of range [%s, %s]",
         ed_duration_format(*ms, a, sizeof(a)),
         ed_duration_format(o->min, b, sizeof(b)),
         ed_duration_format(o->max, c, sizeof(c)));
  return ED_EINVAL;
}

static int type_ok(ed_opt_type_t type, const json_t *v) {
  switch (type) {
  case ED_OPT_STRING:
    return json_is_string(v);
  case ED_OPT_INT:
    return json_is_integer(v);
  case ED_OPT_DOUBLE:
    return json_is_number(v);
  case ED_OPT_BOOL:
    return json_is_boolean(v);
  case ED_OPT_DURATION:
    return json_is_integer(v) || json_is_string(v);
  case ED_OPT_JSON:
    return 1;
  }
  return 0;
}

/* Validate one value and, when field is not NULL, store it there. */
static int set_value(const ed_option_t *o, const json_t *v, char *field,
                     const char *path, sink_t *s) {
  if (!type_ok(o->type, v)) {
    report(s, path, "expected %s, got %s", type_expectation(o->type),
           ed_diag_json_kind(v));
    return ED_EINVAL;
  }
  int64_t i64 = 0;
  double d;
  int b;
  char *str = NULL;
  switch (o->type) {
  case ED_OPT_STRING:
    if (field && !(str = strdup(json_string_value(v))))
      return ED_ENOMEM;
    break;
  case ED_OPT_JSON:
    if (field && !(str = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)))
      return ED_ENOMEM;
    break;
  case ED_OPT_INT:
    if (check_int(o, json_integer_value(v), path, s) < 0)
      return ED_EINVAL;
    i64 = (int64_t)json_integer_value(v);
    break;
  case ED_OPT_DURATION:
    if (parse_duration(o, v, path, s, &i64) < 0)
      return ED_EINVAL;
    break;
  default:
    break;
  }
  if (!field)
    return 0;
  switch (o->type) {
  case ED_OPT_STRING:
  case ED_OPT_JSON:
    memcpy(field, &str, sizeof(str));
    break;
  case ED_OPT_INT:
  case ED_OPT_DURATION:
    memcpy(field, &i64, sizeof(i64));
    break;
  case ED_OPT_DOUBLE:
    d = json_number_value(v);
    memcpy(field, &d, sizeof(d));
    break;
  case ED_OPT_BOOL:
    b = json_is_true(v);
    memcpy(field, &b, sizeof(b));
    break;
  }
  return 0;
}

/* An absent option: its default, or an error when it is required. */
static int set_default(const ed_option_t *o, char *field, const char *path,
                       sink_t *s) {
  if (!o->default_value) {
    if (!(o->flags & ED_OPT_REQUIRED))
      return 0;
    report(s, path, "missing required key \"%s\" (%s%s%s)", o->key,
           ed_options_type_name(o->type), o->description ? ": " : "",
           o->description ? o->description : "");
    return ED_EINVAL;
  }
  json_error_t jerr;
  json_t *v = json_loads(o->default_value, JSON_DECODE_ANY, &jerr);
  if (!v) {
    report(s, path, "the driver's default '%s' is not JSON: %s",
           o->default_value, jerr.text);
    return ED_EINVAL;
  }
  int rc = set_value(o, v, field, path, s);
  json_decref(v);
  return rc;
}

static const ed_option_t *find_option(const ed_option_t *table,
                                      const char *key) {
  for (const ed_option_t *o = table; o && o->key; o++)
    if (strcmp(o->key, key) == 0)
      return o;
  return NULL;
}

static int in_list(const char *const *list, const char *key) {
  for (; list && *list; list++)
    if (strcmp(*list, key) == 0)
      return 1;
  return 0;
}

static int report_unknown(const ed_option_t *table, const char *const *ignore,
                          const char *key, const char *path, sink_t *s) {
  size_t n = 0, i = 0;
  for (const ed_option_t *o = table; o && o->key; o++)
    n++;
  for (const char *const *k = ignore; k && *k; k++)
    n++;
  const char **cand = calloc(n + 1, sizeof(*cand));
  if (!cand)
    return ED_ENOMEM;
  for (const ed_option_t *o = table; o && o->key; o++)
    cand[i++] = o->key;
  for (const char *const *k = ignore; k && *k; k++)
    cand[i++] = *k;
  const char *best = ed_did_you_mean(key, cand);
  if (best)
    report_key(s, path, "unknown key \"%s\" (did you mean \"%s\"?)", key, best);
  else if (n == 0)
    report_key(s, path, "unknown key \"%s\" (no options are accepted here)",
               key);
  else {
    char known[300] = "";
    size_t len = 0;
    for (i = 0; i < n && len < sizeof(known); i++)
      len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
                              i ? ", " : "", cand[i]);
    report_key(s, path, "unknown key \"%s\" (known keys: %s)", key, known);
  }
  free(cand);
  return ED_EINVAL;
}

static void zero_fields(const ed_option_t *table, void *out) {
  for (const ed_option_t *o = table; out && o && o->key; o++)
    memset((char *)out + o->offset, 0, field_size(o->type));
}

/* The common part of fill and fill_op: `bare` is the option whose value is
 * `bare_value`, written directly at `path` rather than under a key. */
static int fill_table(const ed_option_t *table, const json_t *obj,
                      const ed_option_t *bare, const json_t *bare_value,
                      void *out, const char *path, sink_t *s,
                      const char *const *ignore) {
  char sub[512];
  const char *key;
  const json_t *v;
  int rc = 0, r;

  if (obj && !json_is_object(obj)) {
    report(s, path, "expected an object of options, got %s",
           ed_diag_json_kind(obj));
    return ED_EINVAL;
  }
  zero_fields(table, out);
  json_object_foreach((json_t *)obj, key, v) {
    if (find_option(table, key) || in_list(ignore, key))
      continue;
    join_path(sub, sizeof(sub), path, key);
    r = report_unknown(table, ignore, key, sub, s);
    rc = (rc == ED_ENOMEM) ? rc : r;
  }
  for (const ed_option_t *o = table; o && o->key; o++) {
    char *field = out ? (char *)out + o->offset : NULL;
    if (o == bare) {
      r = set_value(o, bare_value, field, path, s);
    } else {
      join_path(sub, sizeof(sub), path, o->key);
      v = obj ? json_object_get(obj, o->key) : NULL;
      r = v ? set_value(o, v, field, sub, s) : set_default(o, field, sub, s);
    }
    if (r < 0 && rc != ED_ENOMEM)
      rc = r;
  }
  if (rc < 0 && out) {
    ed_options_free(table, out);
    zero_fields(table, out);
  }
  return rc;
}

int ed_options_fill(const ed_option_t *table, const json_t *obj, void *out,
                    const char *path, ed_diag_t *diag,
                    const char *const *ignore_keys) {
  sink_t s = {.diag = diag};
  return fill_table(table, obj, NULL, NULL, out, path, &s, ignore_keys);
}

int ed_options_fill_op(const ed_op_desc_t *op, const json_t *arg, void *out,
                       const char *path, ed_diag_t *diag) {
  sink_t s = {.diag = diag};
  if (!arg || json_is_null(arg) || json_is_object(arg))
    return fill_table(op->args, json_is_null(arg) ? NULL : arg, NULL, NULL, out,
                      path, &s, NULL);
  const ed_option_t *primary = NULL;
  for (const ed_option_t *o = op->args; o && o->key; o++)
    if (o->flags & ED_OPT_PRIMARY)
      primary = o;
  if (!primary) {
    report(&s, path, "operation \"%s\" expects an object of options, got %s",
           op->name, ed_diag_json_kind(arg));
    return ED_EINVAL;
  }
  return fill_table(op->args, NULL, primary, arg, out, path, &s, NULL);
}

void ed_options_free(const ed_option_t *table, void *out) {
  for (const ed_option_t *o = table; out && o && o->key; o++) {
    if (o->type != ED_OPT_STRING && o->type != ED_OPT_JSON)
      continue;
    char *str;
    memcpy(&str, (char *)out + o->offset, sizeof(str));
    free(str);
    str = NULL;
    memcpy((char *)out + o->offset, &str, sizeof(str));
  }
}

const ed_option_t *ed_options_address(const ed_option_t *table) {
  for (const ed_option_t *o = table; o && o->key; o++)
    if (o->flags & ED_OPT_ADDRESS)
      return o;
  return NULL;
}

int ed_options_check_table(const ed_option_t *table, size_t size, char *errbuf,
                           size_t errlen) {
  sink_t s = {.buf = errbuf, .len = errlen};
  int primaries = 0, addresses = 0;
  for (const ed_option_t *o = table; o && o->key; o++) {
    size_t fs = field_size(o->type);
    if (fs == 0) {
      report(&s, o->key, "unknown option type %d", (int)o->type);
      return ED_EINVAL;
    }
    if (o->offset > size || size - o->offset < fs) {
      report(&s, o->key,
             "field at offset %zu (%zu bytes) is outside the %zu-byte "
             "struct",
             o->offset, fs, size);
      return ED_EINVAL;
    }
    if ((o->flags & ED_OPT_PRIMARY) && ++primaries > 1) {
      report(&s, o->key, "more than one option is flagged ED_OPT_PRIMARY");
      return ED_EINVAL;
    }
    if ((o->flags & ED_OPT_ADDRESS) && o->type != ED_OPT_STRING) {
      report(&s, o->key, "flagged ED_OPT_ADDRESS but not of type string");
      return ED_EINVAL;
    }
    if ((o->flags & ED_OPT_ADDRESS) && ++addresses > 1) {
      report(&s, o->key, "more than one option is flagged ED_OPT_ADDRESS");
      return ED_EINVAL;
    }
    if (o->default_value && set_default(o, NULL, o->key, &s) < 0)
      return ED_EINVAL;
  }
  return 0;
}
