#include "auth.h"

#include "../core/base/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

bool ed__ct_equal(const char *a, size_t alen, const char *b, size_t blen) {
  /* Walk the expected secret's full length whatever the input, so the time
   * depends on lengths only, never on where bytes differ. */
  unsigned char diff = alen != blen;
  for (size_t i = 0; i < blen; i++)
    diff |= (unsigned char)((i < alen ? a[i] : 0) ^ b[i]);
  return diff == 0;
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes standard base64 (padding optional) into out; returns the length
 * or -1 if malformed or too long. */
static long b64_decode(const char *in, char *out, size_t outcap) {
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (; *in != '\0' && *in != '='; in++) {
    int v = b64_value((unsigned char)*in);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == outcap)
        return -1;
      out[n++] = (char)((acc >> bits) & 0xff);
    }
  }
  while (*in == '=')
    in++;
  return *in == '\0' ? (long)n : -1;
}

bool ed__auth_basic_ok(const char *authorization, const char *user,
                       const char *password) {
  if (authorization == NULL || user == NULL || password == NULL ||
      strncasecmp(authorization, "Basic ", 6) != 0)
    return false;
  const char *p = authorization + 6;
  while (*p == ' ')
    p++;
  char buf[512];
  long n = b64_decode(p, buf, sizeof(buf));
  const char *colon = n > 0 ? memchr(buf, ':', (size_t)n) : NULL;
  bool ok = false;
  if (colon != NULL) {
    size_t ulen = (size_t)(colon - buf);
    /* Both compared always: no early exit that would reveal the user. */
    bool u = ed__ct_equal(buf, ulen, user, strlen(user));
    bool w = ed__ct_equal(colon + 1, (size_t)n - ulen - 1, password,
                          strlen(password));
    ok = u & w;
  }
  explicit_bzero(buf, sizeof(buf));
  return ok;
}

void ed__sessions_init(ed__sessions_t *ss) {
  memset(ss, 0, sizeof(*ss));
}

void ed__sessions_close(ed__sessions_t *ss) {
  if (ss->v != NULL)
    explicit_bzero(ss->v, ss->cap * sizeof(*ss->v));
  free(ss->v);
  memset(ss, 0, sizeof(*ss));
}

static void remove_at(ed__sessions_t *ss, size_t i) {
  ss->v[i] = ss->v[ss->n - 1];
  explicit_bzero(&ss->v[ss->n - 1], sizeof(ss->v[0]));
  ss->n--;
}

void ed__sessions_expire(ed__sessions_t *ss, int64_t now_ms,
                         int64_t timeout_ms) {
  for (size_t i = 0; i < ss->n;) {
    if (now_ms - ss->v[i].last_ms >= timeout_ms)
      remove_at(ss, i);
    else
      i++;
  }
}

static int random_hex(char *out, size_t hexlen) {
  unsigned char raw[32];
  size_t nraw = hexlen / 2;
  if (nraw > sizeof(raw) || getrandom(raw, nraw, 0) != (ssize_t)nraw)
    return ED_EIO;
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < nraw; i++) {
    out[2 * i] = digits[raw[i] >> 4];
    out[2 * i + 1] = digits[raw[i] & 15];
  }
  out[hexlen] = '\0';
  explicit_bzero(raw, sizeof(raw));
  return 0;
}

int ed__sessions_create(ed__sessions_t *ss, int64_t now_ms, size_t max,
                        ed__session_t **out) {
  if (ss->n >= max)
    return ED_ERANGE;
  if (ss->n == ss->cap) {
    size_t cap = ss->cap ? ss->cap * 2 : 2;
    ed__session_t *v = realloc(ss->v, cap * sizeof(*v));
    if (v == NULL)
      return ED_ENOMEM;
    ss->v = v;
    ss->cap = cap;
  }
  ed__session_t *s = &ss->v[ss->n];
  int rc = random_hex(s->id, ED__SESSION_ID_LEN);
  if (rc == 0)
    rc = random_hex(s->token, ED__SESSION_TOKEN_LEN);
  if (rc < 0)
    return rc;
  s->last_ms = now_ms;
  ss->n++;
  *out = s;
  return 0;
}

ed__session_t *ed__sessions_use(ed__sessions_t *ss, const char *token,
                                int64_t now_ms, int64_t timeout_ms) {
  ed__sessions_expire(ss, now_ms, timeout_ms);
  if (token == NULL)
    return NULL;
  size_t tlen = strlen(token);
  ed__session_t *found = NULL;
  for (size_t i = 0; i < ss->n; i++)
    if (ed__ct_equal(token, tlen, ss->v[i].token, ED__SESSION_TOKEN_LEN) &&
        found == NULL)
      found = &ss->v[i];
  if (found != NULL)
    found->last_ms = now_ms;
  return found;
}

ed__session_t *ed__sessions_find(ed__sessions_t *ss, const char *id,
                                 size_t id_len) {
  for (size_t i = 0; i < ss->n; i++)
    if (id_len == ED__SESSION_ID_LEN && memcmp(ss->v[i].id, id, id_len) == 0)
      return &ss->v[i];
  return NULL;
}

int ed__sessions_delete(ed__sessions_t *ss, const char *id, size_t id_len) {
  ed__session_t *s = ed__sessions_find(ss, id, id_len);
  if (s == NULL)
    return ED_ENOTFOUND;
  remove_at(ss, (size_t)(s - ss->v));
  return 0;
}

size_t ed__sessions_footprint(const ed__sessions_t *ss) {
  return ss->cap * sizeof(*ss->v);
}
