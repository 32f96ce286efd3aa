#include "textbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ed_textbuf_clear(ed_textbuf_t *t) {
  t->len = 0;
  t->nomem = 0;
  if (t->text)
    t->text[0] = '\0';
}

void ed_textbuf_free(ed_textbuf_t *t) {
  free(t->text);
  memset(t, 0, sizeof(*t));
}

void ed_textbuf_fail(ed_textbuf_t *t) {
  t->nomem = 1;
}

/* Room for n more bytes and the NUL. */
static int reserve(ed_textbuf_t *t, size_t n) {
  if (t->nomem)
    return -1;
  if (t->text && t->len + n + 1 <= t->cap)
    return 0;
  size_t cap = t->cap ? t->cap : 256;
  while (cap < t->len + n + 1)
    cap *= 2;
  char *p = realloc(t->text, cap);
  if (!p) {
    t->nomem = 1;
    return -1;
  }
  t->text = p;
  t->cap = cap;
  t->text[t->len] = '\0';
  return 0;
}

int ed_textbuf_ok(ed_textbuf_t *t) {
  return reserve(t, 0) == 0;
}

void ed_textbuf_add(ed_textbuf_t *t, const char *s, size_t n) {
  if (reserve(t, n))
    return;
  memcpy(t->text + t->len, s, n);
  t->len += n;
  t->text[t->len] = '\0';
}

void ed_textbuf_str(ed_textbuf_t *t, const char *s) {
  ed_textbuf_add(t, s, strlen(s));
}

void ed_textbuf_int(ed_textbuf_t *t, int64_t v) {
  char b[24];
  int n = snprintf(b, sizeof(b), "%" PRId64, v);
  ed_textbuf_add(t, b, (size_t)n);
}

/* The exponent of %g's form ("e+17", "e-05") as Jansson keeps it ("e17",
 * "e-5"); n is the length, returned shortened. */
static int trim_exponent(char *b, int n) {
  char *e = strchr(b, 'e');
  if (!e)
    return n;
  char *digits = e + 1;
  char *keep = digits;
  if (*digits == '-')
    keep++, digits++;
  else if (*digits == '+')
    digits++;
  while (*digits == '0' && digits[1] != '\0')
    digits++;
  size_t rest = strlen(digits);
  memmove(keep, digits, rest + 1);
  return (int)(keep - b) + (int)rest;
}

void ed_textbuf_json_real(ed_textbuf_t *t, double v) {
  char b[40];
  int n = snprintf(b, sizeof(b), "%.17g", v);
  if (n < 0 || n >= (int)sizeof(b) - 3) {
    t->nomem = 1; /* no finite double is this long */
    return;
  }
  if (!strchr(b, '.') && !strchr(b, 'e')) {
    memcpy(b + n, ".0", 3);
    n += 2;
  }
  n = trim_exponent(b, n);
  ed_textbuf_add(t, b, (size_t)n);
}
