/* prom: the Prometheus text and OpenMetrics writers (prom.h). */
#include "prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

struct ed_prom_s {
  ed_prom_format_t format;
  ed_textbuf_t out;
  char family[128]; /* name of the current family */
  ed_prom_type_t type;
};

ed_prom_t *ed_prom_new(ed_prom_format_t format) {
  ed_prom_t *p = calloc(1, sizeof(*p));
  if (p)
    p->format = format;
  return p;
}

void ed_prom_free(ed_prom_t *p) {
  if (!p)
    return;
  ed_textbuf_free(&p->out);
  free(p);
}

ed_prom_format_t ed_prom_format(const ed_prom_t *p) {
  return p->format;
}

const char *ed_prom_content_type(ed_prom_format_t format) {
  return format == ED_PROM_OPENMETRICS
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

static void put(ed_prom_t *p, const char *s, size_t n) {
  ed_textbuf_add(&p->out, s, n);
}

static void puts_(ed_prom_t *p, const char *s) {
  put(p, s, strlen(s));
}

static void putf(ed_prom_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(ed_prom_t *p, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(tmp)) {
    ed_textbuf_fail(&p->out); /* only names and numbers go through here */
    return;
  }
  put(p, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s) {
  if (s[0] < 0x80)
    return 1;
  size_t n = s[0] >= 0xF0 && s[0] <= 0xF4   ? 4
             : s[0] >= 0xE0                 ? 3
             : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                                            : 0;
  if (s[0] >= 0xF5)
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* A label value: \, " and newline escaped, invalid UTF-8 as U+FFFD. */
static void put_label_value(ed_prom_t *p, const char *v) {
  const unsigned char *s = (const unsigned char *)(v ? v : "");
  while (*s) {
    size_t n = utf8_len(s);
    if (n == 0) {
      puts_(p, "\xEF\xBF\xBD");
      s++;
    } else if (*s == '\\' || *s == '"') {
      put(p, "\\", 1);
      put(p, (const char *)s, 1);
      s++;
    } else if (*s == '\n') {
      puts_(p, "\\n");
      s++;
    } else {
      put(p, (const char *)s, n);
      s += n;
    }
  }
}

/* {a="x",b="y"} with an extra pair (le) when extra_name is not NULL. */
static void put_labels(ed_prom_t *p, const char *const *labels,
                       const char *extra_name, const char *extra_value) {
  int any = 0;
  for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
    puts_(p, any ? "," : "{");
    puts_(p, labels[i]);
    puts_(p, "=\"");
    put_label_value(p, labels[i + 1]);
    puts_(p, "\"");
    any = 1;
  }
  if (extra_name) {
    putf(p, "%s%s=\"%s\"", any ? "," : "{", extra_name, extra_value);
    any = 1;
  }
  if (any)
    puts_(p, "}");
}

static void put_value(ed_prom_t *p, double v) {
  if (isnan(v))
    puts_(p, " NaN\n");
  else if (isinf(v))
    puts_(p, v > 0 ? " +Inf\n" : " -Inf\n");
  else if (v == floor(v) && fabs(v) < 9e15)
    putf(p, " %.0f\n", v);
  else
    putf(p, " %.9g\n", v);
}

static const char *type_name(ed_prom_type_t t) {
  return t == ED_PROM_COUNTER ? "counter"
         : t == ED_PROM_GAUGE ? "gauge"
                              : "histogram";
}

void ed_prom_family(ed_prom_t *p, const char *name, ed_prom_type_t type,
                    const char *unit, const char *help) {
  snprintf(p->family, sizeof(p->family), "%s", name);
  p->type = type;
  /* The text format names a counter by its samples' name. */
  const char *suffix =
      type == ED_PROM_COUNTER && p->format == ED_PROM_TEXT ? "_total" : "";
  putf(p, "# HELP %s%s ", name, suffix);
  puts_(p, help);
  putf(p, "\n# TYPE %s%s %s\n", name, suffix, type_name(type));
  if (unit && p->format == ED_PROM_OPENMETRICS)
    putf(p, "# UNIT %s %s\n", name, unit);
}

void ed_prom_sample(ed_prom_t *p, const char *const *labels, double value) {
  puts_(p, p->family);
  if (p->type == ED_PROM_COUNTER)
    puts_(p, "_total");
  put_labels(p, labels, NULL, NULL);
  put_value(p, value);
}

static void put_bucket(ed_prom_t *p, const char *const *labels, const char *le,
                       uint64_t count) {
  putf(p, "%s_bucket", p->family);
  put_labels(p, labels, "le", le);
  put_value(p, (double)count);
}

void ed_prom_histogram_us(ed_prom_t *p, const char *const *labels,
                          const ed_hist_t *h, const double *bounds_s,
                          size_t nbounds) {
  uint64_t total = h ? ed_hist_count(h) : 0, below = 0;
  size_t cursor = 0, b = 0;
  int64_t lo = 0, hi = 0;
  uint64_t n = 0;
  int more = h ? ed_hist_next_bucket(h, &cursor, &lo, &hi, &n) : 0;
  for (b = 0; b < nbounds; b++) {
    double bound_us = bounds_s[b] * 1e6;
    while (more && (double)hi <= bound_us) {
      below += n;
      more = ed_hist_next_bucket(h, &cursor, &lo, &hi, &n);
    }
    char le[32];
    snprintf(le, sizeof(le), "%g", bounds_s[b]);
    put_bucket(p, labels, le, below);
  }
  put_bucket(p, labels, "+Inf", total);
  putf(p, "%s_sum", p->family);
  put_labels(p, labels, NULL, NULL);
  put_value(p, total ? ed_hist_mean(h) * (double)total / 1e6 : 0.0);
  putf(p, "%s_count", p->family);
  put_labels(p, labels, NULL, NULL);
  put_value(p, (double)total);
}

const char *ed_prom_page(ed_prom_t *p, size_t *len) {
  if (p->format == ED_PROM_OPENMETRICS)
    puts_(p, "# EOF\n");
  if (!ed_textbuf_ok(&p->out))
    return NULL;
  *len = p->out.len;
  return p->out.text;
}
