/*
 * eventdrill driver SDK: reading JSON whose integers may be wider than 64
 * bits.
 *
 * Redfish services send such integers (a 128-bit serial, a counter past
 * 2^63, an unsigned 64-bit value), and Jansson refuses a whole text that
 * holds one ("too big integer"). Readers of device answers and of mockups
 * call ed_json_loadb_wide() instead of json_loadb(): an integer that does not
 * fit in json_int_t is kept as a real number (its nearest double), and every
 * other value is read exactly as json_loadb() reads it.
 *
 * Header-only, so that a driver needs nothing but this SDK to use it.
 */
#ifndef EVENTDRILL_JSON_WIDE_H
#define EVENTDRILL_JSON_WIDE_H

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether the integer token text[0..len) overflows json_int_t. */
static inline int ed__json_int_overflows(const char *text, size_t len) {
  char tok[64];
  if (len >= sizeof(tok))
    return 1;
  memcpy(tok, text, len);
  tok[len] = '\0';
  errno = 0;
  (void)strtoll(tok, NULL, 10);
  return errno == ERANGE;
}

/* Copies text to a new buffer in which every integer token too wide for
 * json_int_t, outside strings, is followed by ".0" so that Jansson reads it
 * as a real. Returns NULL when out of memory; *outlen is the new length.
 * The caller frees the result. */
static inline char *ed__json_widen(const char *text, size_t len,
                                   size_t *outlen) {
  /* at most one ".0" per two bytes of input (a digit and a separator) */
  char *out = (char *)malloc(len + len + 1);
  size_t o = 0, i = 0;
  int in_string = 0;
  if (out == NULL)
    return NULL;
  while (i < len) {
    char c = text[i];
    if (in_string) {
      out[o++] = c;
      if (c == '\\' && i + 1 < len)
        out[o++] = text[++i];
      else if (c == '"')
        in_string = 0;
      i++;
      continue;
    }
    if (c == '"') {
      in_string = 1;
      out[o++] = text[i++];
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = i, j = i + (c == '-');
      int integer = 1;
      while (j < len && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' ||
                         text[j] == 'e' || text[j] == 'E' || text[j] == '+' ||
                         text[j] == '-')) {
        if (text[j] == '.' || text[j] == 'e' || text[j] == 'E')
          integer = 0;
        j++;
      }
      memcpy(out + o, text + start, j - start);
      o += j - start;
      if (integer && ed__json_int_overflows(text + start, j - start)) {
        out[o++] = '.';
        out[o++] = '0';
      }
      i = j;
      continue;
    }
    out[o++] = text[i++];
  }
  out[o] = '\0';
  *outlen = o;
  return out;
}

/* json_loadb() that keeps integers wider than json_int_t as reals instead of
 * refusing the text. Same ownership and errors as json_loadb(); the widening
 * pass runs only when Jansson refused a too big integer, so ordinary texts
 * cost nothing more. */
static inline json_t *ed_json_loadb_wide(const char *buf, size_t len,
                                         size_t flags, json_error_t *err) {
  json_error_t local;
  json_error_t *e = err ? err : &local;
  json_t *root = json_loadb(buf, len, flags, e);
  if (root != NULL || strstr(e->text, "too big") == NULL)
    return root;
  size_t wlen = 0;
  char *wide = ed__json_widen(buf, len, &wlen);
  if (wide == NULL)
    return NULL;
  root = json_loadb(wide, wlen, flags, e);
  free(wide);
  return root;
}

#ifdef __cplusplus
}
#endif

#endif
