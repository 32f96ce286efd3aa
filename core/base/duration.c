#include "duration.h"

#include "diag.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

typedef struct unit_s {
  const char *name;
  int64_t ms;
} unit_t;

/* Largest first: a string must use them in this order. */
static const unit_t units[] = {
    {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}, {NULL, 0}};

static int reason(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reason(char *errbuf, size_t errlen, const char *fmt, ...) {
  if (errbuf && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
  }
  return ED_EINVAL;
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}
static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A decimal number without sign or exponent; strtod would accept too much
 * ("inf", "0x1p3", " 5"). Returns the number of characters read, 0 if none. */
static size_t read_number(const char *s, double *out) {
  size_t i = 0;
  double v = 0;
  while (is_digit(s[i]))
    v = v * 10 + (s[i++] - '0');
  size_t intlen = i;
  if (s[i] == '.' && is_digit(s[i + 1])) {
    double scale = 0.1;
    for (i++; is_digit(s[i]); i++, scale /= 10)
      v += (s[i] - '0') * scale;
  } else if (intlen == 0) {
    return 0;
  }
  *out = v;
  return i;
}

/* Index of the unit spelled by s[0..n), or -1. */
static int find_unit(const char *s, size_t n) {
  for (int u = 0; units[u].name; u++)
    if (strlen(units[u].name) == n && strncmp(units[u].name, s, n) == 0)
      return u;
  return -1;
}

/* One "<number><unit>" part; *last is the index of the previous unit. */
static int parse_part(const char **sp, int *last, double *total, char *errbuf,
                      size_t errlen) {
  const char *s = *sp;
  double v;
  size_t n = read_number(s, &v);
  if (n == 0)
    return reason(errbuf, errlen, "expected a number at \"%s\"", s);
  s += n;
  size_t ulen = 0;
  while (is_alpha(s[ulen]))
    ulen++;
  if (ulen == 0 && *s == '\0')
    return reason(errbuf, errlen,
                  "missing unit (write e.g. \"30s\" or \"250ms\"; a bare "
                  "number means milliseconds only as a JSON integer)");
  if (ulen == 0)
    return reason(errbuf, errlen, "unexpected character '%c'", *s);
  int u = find_unit(s, ulen);
  if (u < 0)
    return reason(errbuf, errlen, "unknown unit \"%.*s\" (use ms, s, m or h)",
                  (int)ulen, s);
  if (u <= *last)
    return reason(errbuf, errlen,
                  "units must go from the largest to the smallest, each once "
                  "(e.g. \"1h30m\", \"1m30s\")");
  *last = u;
  *total += v * (double)units[u].ms;
  *sp = s + ulen;
  return 0;
}

int ed_duration_parse(const char *text, int64_t *ms, char *errbuf,
                      size_t errlen) {
  if (!text || !*text)
    return reason(errbuf, errlen, "empty duration");
  if (*text == '-')
    return reason(errbuf, errlen, "a duration cannot be negative");
  double total = 0;
  int last = -1;
  const char *s = text;
  while (*s) {
    int r = parse_part(&s, &last, &total, errbuf, errlen);
    if (r)
      return r;
  }
  if (total > (double)ED_DURATION_MAX_MS)
    return reason(errbuf, errlen, "too long (more than 1000 days)");
  double whole = floor(total + 0.5);
  if (fabs(total - whole) > 1e-6)
    return reason(errbuf, errlen, "finer than a millisecond");
  *ms = (int64_t)whole;
  return 0;
}

int ed_duration_from_json(const json_t *v, int64_t *ms, char *errbuf,
                          size_t errlen) {
  if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    if (n < 0)
      return reason(errbuf, errlen,
                    "a duration cannot be negative, got %" JSON_INTEGER_FORMAT,
                    n);
    if (n > ED_DURATION_MAX_MS)
      return reason(errbuf, errlen, "duration too long (more than 1000 days)");
    *ms = (int64_t)n;
    return 0;
  }
  if (json_is_string(v)) {
    char why[160];
    if (ed_duration_parse(json_string_value(v), ms, why, sizeof(why)))
      return reason(errbuf, errlen, "invalid duration \"%s\": %s",
                    json_string_value(v), why);
    return 0;
  }
  return reason(errbuf, errlen,
                "expected a duration (a string such as \"30s\", or an integer "
                "of milliseconds), got %s",
                ed_diag_json_kind(v));
}

char *ed_duration_format(int64_t ms, char *buf, size_t len) {
  if (!buf || !len)
    return buf;
  size_t off = 0;
  buf[0] = '\0';
  if (ms == 0) {
    snprintf(buf, len, "0s");
    return buf;
  }
  uint64_t rest = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
  if (ms < 0)
    off += (size_t)snprintf(buf, len, "-");
  for (int u = 0; units[u].name && off < len; u++) {
    uint64_t n = rest / (uint64_t)units[u].ms;
    rest %= (uint64_t)units[u].ms;
    if (n)
      off += (size_t)snprintf(buf + off, len - off, "%" PRIu64 "%s", n,
                              units[u].name);
  }
  return buf;
}
