/*
 * output: bounded buffers, result values, numbers, quoting and host-key
 * messages of the SSH driver (see output.h). No libssh here.
 */
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void ed__ssh_buf_init(ed__ssh_buf_t *b, size_t max) {
  memset(b, 0, sizeof(*b));
  b->max = max;
}

int ed__ssh_buf_append(ed__ssh_buf_t *b, const char *p, size_t n) {
  if (n > b->max - b->len) {
    n = b->max - b->len;
    b->truncated = 1;
  }
  if (n == 0)
    return 0;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
      return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

void ed__ssh_buf_close(ed__ssh_buf_t *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}

int ed__ssh_output_mode(const char *s) {
  static const char *const names[] = {"stdout", "stderr", "json", "number"};
  if (!s)
    return ED_SSH_OUT_STDOUT;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(s, names[i]) == 0)
      return (int)i;
  return -1;
}

int ed__ssh_parse_number(const char *p, size_t n, double *out) {
  char tmp[64];
  while (n > 0 && isspace((unsigned char)*p))
    p++, n--;
  while (n > 0 && isspace((unsigned char)p[n - 1]))
    n--;
  if (n > 0 && p[n - 1] == '%')
    n--;
  if (n == 0 || n >= sizeof(tmp))
    return -1;
  memcpy(tmp, p, n);
  tmp[n] = '\0';
  /* strtod also takes "inf", "nan" and hex: only plain decimals here. */
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)tmp[i]) && !strchr("+-.eE", tmp[i]))
      return -1;
  char *end = NULL;
  errno = 0;
  double d = strtod(tmp, &end);
  if (errno != 0 || end != tmp + n || !isfinite(d))
    return -1;
  *out = d;
  return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
  size_t len;
  unsigned min;
  unsigned cp;
  if (p[0] < 0x80)
    return 1;
  if ((p[0] & 0xe0) == 0xc0)
    len = 2, min = 0x80, cp = p[0] & 0x1f;
  else if ((p[0] & 0xf0) == 0xe0)
    len = 3, min = 0x800, cp = p[0] & 0x0f;
  else if ((p[0] & 0xf8) == 0xf0)
    len = 4, min = 0x10000, cp = p[0] & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* A JSON string of p[0..n), invalid UTF-8 bytes replaced by U+FFFD. */
static json_t *clean_string(const char *p, size_t n) {
  ed__ssh_buf_t b;
  ed__ssh_buf_init(&b, n * 3 + 1);
  size_t i = 0;
  int bad = 0;
  while (i < n && !bad) {
    size_t k = utf8_seq((const unsigned char *)p + i, n - i);
    if (k == 0)
      bad |= ed__ssh_buf_append(&b, "\xef\xbf\xbd", 3), i++;
    else
      bad |= ed__ssh_buf_append(&b, p + i, k), i += k;
  }
  json_t *s = bad ? NULL : json_stringn(b.data ? b.data : "", b.len);
  ed__ssh_buf_close(&b);
  return s;
}

/* The text without its trailing newlines, as a shell's $(…) gives it. */
static size_t trimmed(const ed__ssh_buf_t *b) {
  size_t n = b->len;
  while (n > 0 && (b->data[n - 1] == '\n' || b->data[n - 1] == '\r'))
    n--;
  return n;
}

static char *dump(json_t *v) {
  char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  json_decref(v);
  return s;
}

static char *number_text(double d) {
  char *s = malloc(40);
  if (!s)
    return NULL;
  if (d == floor(d) && fabs(d) < 9007199254740992.0)
    snprintf(s, 40, "%lld", (long long)d);
  else
    snprintf(s, 40, "%.17g", d);
  return s;
}

int ed__ssh_shape(ed__ssh_out_t mode, int exit_status, const ed__ssh_buf_t *out,
                  const ed__ssh_buf_t *err, char **value, char *errbuf,
                  size_t errlen) {
  const char *o = out->data ? out->data : "";
  const char *e = err->data ? err->data : "";
  double d;
  *value = NULL;
  switch (mode) {
  case ED_SSH_OUT_NONE:
    return 0;
  case ED_SSH_OUT_STDOUT:
    *value = dump(clean_string(o, trimmed(out)));
    break;
  case ED_SSH_OUT_STDERR:
    *value = dump(clean_string(e, trimmed(err)));
    break;
  case ED_SSH_OUT_NUMBER:
    if (ed__ssh_parse_number(o, out->len, &d) != 0) {
      size_t n = trimmed(out);
      snprintf(errbuf, errlen, "stdout is not a number: \"%.*s%s\"",
               (int)(n > 60 ? 60 : n), o, n > 60 ? "…" : "");
      return -1;
    }
    *value = number_text(d);
    break;
  case ED_SSH_OUT_JSON:
    *value = dump(json_pack("{s:i,s:o*,s:o*,s:b}", "exit", exit_status,
                            "stdout", clean_string(o, out->len), "stderr",
                            clean_string(e, err->len), "truncated",
                            out->truncated || err->truncated));
    break;
  }
  return *value ? 0 : -2;
}

long ed__ssh_take_pid(ed__ssh_buf_t *err) {
  static const char tag[] = "edssh-pid:";
  size_t tl = sizeof(tag) - 1;
  if (!err->data || err->len <= tl || memcmp(err->data, tag, tl) != 0)
    return -1;
  char *nl = memchr(err->data, '\n', err->len);
  if (!nl)
    return -1;
  char *end = NULL;
  errno = 0;
  long pid = strtol(err->data + tl, &end, 10);
  if (errno != 0 || end != nl || pid <= 1)
    return -1;
  size_t cut = (size_t)(nl - err->data) + 1;
  memmove(err->data, nl + 1, err->len - cut + 1);
  err->len -= cut;
  return pid;
}

char *ed__ssh_shell_quote(const char *s) {
  size_t n = 3;
  for (const char *p = s; *p; p++)
    n += *p == '\'' ? 4 : 1;
  char *q = malloc(n);
  if (!q)
    return NULL;
  char *w = q;
  *w++ = '\'';
  for (const char *p = s; *p; p++) {
    if (*p == '\'') {
      memcpy(w, "'\\''", 4);
      w += 4;
    } else {
      *w++ = *p;
    }
  }
  *w++ = '\'';
  *w = '\0';
  return q;
}

int ed__ssh_parse_mode(const char *s, unsigned *mode) {
  if (!s || !*s || strlen(s) > 4)
    return -1;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '7')
      return -1;
  *mode = (unsigned)strtoul(s, NULL, 8);
  return 0;
}

void ed__ssh_hostkey_message(char *buf, size_t len, ed__ssh_hk_t state,
                             const char *host, int port, const char *keytype,
                             const char *fingerprint, const char *known_hosts) {
  const char *file = known_hosts ? known_hosts : "~/.ssh/known_hosts";
  switch (state) {
  case ED_SSH_HK_UNKNOWN:
    snprintf(buf, len,
             "host key of [%s]:%d is unknown (%s %s): not in %s; refused. "
             "Check the fingerprint with the host's owner, then add the key "
             "(ssh-keyscan -p %d -t %s %s >> %s), or set "
             "\"accept_unknown_host_key\": true",
             host, port, keytype, fingerprint, file, port, keytype, host, file);
    break;
  case ED_SSH_HK_CHANGED:
  case ED_SSH_HK_OTHER_TYPE:
    snprintf(buf, len,
             "host key of [%s]:%d has CHANGED: the server now shows %s %s, "
             "%s in %s; refused (someone may be intercepting the "
             "connection, or the host was reinstalled: check, then update "
             "the file)",
             host, port, keytype, fingerprint,
             state == ED_SSH_HK_CHANGED ? "another key of this type is"
                                        : "a key of another type is",
             file);
    break;
  case ED_SSH_HK_PIN_CHANGED:
    snprintf(buf, len,
             "host key of [%s]:%d changed during the run: the server now "
             "shows %s %s, not the unknown key accepted at the first "
             "connection; refused",
             host, port, keytype, fingerprint);
    break;
  }
}

/* ---- proofs ------------------------------------------------------------ */

/* The next shell word of *s (up to a blank or an operator), copied to w;
 * *s moves past it. 0 when there is none. */
static int next_word(const char **s, char *w, size_t len) {
  const char *p = *s;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t n = 0;
  while (*p && !strchr(" \t;|&<>()\n", *p)) {
    if (n + 1 < len)
      w[n++] = *p;
    p++;
  }
  w[n] = '\0';
  *s = p;
  return n > 0;
}

/* The program a command starts with (environment assignments and sudo's
 * options skipped) in prog; *sudo set when it runs through sudo. */
static void first_program(const char *cmd, char *prog, size_t len, int *sudo) {
  *sudo = 0;
  prog[0] = '\0';
  while (next_word(&cmd, prog, len)) {
    if (strchr(prog, '=') && prog[0] != '=' && prog[0] != '/')
      continue; /* VAR=value before the program */
    if (!*sudo && strcmp(prog, "sudo") == 0) {
      *sudo = 1;
      continue;
    }
    if (*sudo && prog[0] == '-')
      continue; /* sudo's options */
    return;
  }
  prog[0] = '\0';
}

static char *run_proof(const char *command) {
  char prog[256];
  int sudo;
  first_program(command, prog, sizeof(prog), &sudo);
  if (!prog[0])
    return NULL;
  char *q = ed__ssh_shell_quote(prog);
  if (!q)
    return NULL;
  const char *fmt =
      "command -v -- %s >/dev/null 2>&1 || { echo \"no program %s on the "
      "host (command -v)\" >&2; exit 127; }%s";
  const char *sudo_part =
      sudo ? "; sudo -n true >/dev/null 2>&1 || { echo \"sudo would ask for "
             "a password (sudo -n true refused)\" >&2; exit 1; }"
           : "";
  size_t n = strlen(fmt) + 2 * strlen(q) + strlen(sudo_part) + 1;
  char *c = malloc(n);
  if (c)
    snprintf(c, n, fmt, q, q, sudo_part);
  free(q);
  return c;
}

static char *upload_proof(const char *path) {
  char *q = ed__ssh_shell_quote(path);
  if (!q)
    return NULL;
  const char *fmt =
      "d=$(dirname -- %s); [ -d \"$d\" ] || { echo \"folder $d does not "
      "exist\" >&2; exit 1; }; [ -w \"$d\" ] || { echo \"folder $d is not "
      "writable by this user\" >&2; exit 1; }; [ ! -e %s ] || [ -w %s ] || "
      "{ echo \"%s exists and is not writable by this user\" >&2; exit 1; }";
  size_t n = strlen(fmt) + 4 * strlen(q) + 1;
  char *c = malloc(n);
  if (c)
    snprintf(c, n, fmt, q, q, q, q);
  free(q);
  return c;
}

char *ed__ssh_proof_command(const char *op, const char *arg) {
  if (!op || !arg)
    return NULL;
  if (strcmp(op, "run") == 0)
    return run_proof(arg);
  if (strcmp(op, "upload") == 0)
    return upload_proof(arg);
  return NULL;
}
