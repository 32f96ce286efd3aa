/* textsafe: see textsafe.h. */
#include "textsafe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where escaped text goes: a bounded buffer or a stream. */
typedef struct sink_s {
  char *dst;
  size_t len; /* of dst */
  size_t n;   /* bytes the whole text needs */
  FILE *f;
} sink_t;

static void put(sink_t *o, const char *p, size_t k) {
  if (o->f) {
    fwrite(p, 1, k, o->f);
  } else if (o->dst && o->n + 1 < o->len) {
    size_t room = o->len - 1 - o->n;
    memcpy(o->dst + o->n, p, k < room ? k : room);
  }
  o->n += k;
}

static void put_byte(sink_t *o, unsigned char b) {
  char e[8];
  const char *s = e;
  if (b == '\n')
    s = "\\n";
  else if (b == '\r')
    s = "\\r";
  else if (b == '\t')
    s = "\\t";
  else
    snprintf(e, sizeof(e), "\\x%02x", b);
  put(o, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at p and its code point, or 0
 * when p does not start one (a stray, truncated or overlong sequence, a
 * surrogate, beyond U+10FFFF). */
static size_t utf8(const unsigned char *p, uint32_t *cp) {
  size_t n;
  uint32_t c;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2, c = p[0] & 0x1fu;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    n = 3, c = p[0] & 0x0fu;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4, c = p[0] & 0x07u;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
      return 0;
    c = c << 6 | (p[i] & 0x3fu);
  }
  if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
      (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
    return 0;
  *cp = c;
  return n;
}

/* C1 controls and the bidirectional overrides and isolates. */
static int hidden(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

static const char *md_markup(unsigned char c) {
  switch (c) {
  case '<':
    return "&lt;";
  case '>':
    return "&gt;";
  case '&':
    return "&amp;";
  case '\\':
  case '`':
  case '*':
  case '_':
  case '[':
  case ']':
  case '#':
  case '|':
  case '~':
  case '!':
    return "\\";
  default:
    return NULL;
  }
}

/* HTML: the characters that would open markup or an entity, and the
 * double quote (the text may sit in a quoted attribute). */
static const char *html_markup(unsigned char c) {
  switch (c) {
  case '<':
    return "&lt;";
  case '>':
    return "&gt;";
  case '&':
    return "&amp;";
  case '"':
    return "&quot;";
  default:
    return NULL;
  }
}

/* What the text is escaped for. */
enum { TO_TERMINAL, TO_MD, TO_HTML };

static int alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static void escape(sink_t *o, const char *s, int to) {
  const unsigned char *start = (const unsigned char *)(s ? s : "");
  const unsigned char *p = start;
  while (*p) {
    if (*p < 0x20 || *p == 0x7f) {
      put_byte(o, *p++);
      continue;
    }
    if (*p < 0x80) {
      const char *m = to == TO_MD     ? md_markup(*p)
                      : to == TO_HTML ? html_markup(*p)
                                      : NULL;
      /* An underscore inside a word (poll_system) is no emphasis in
       * Markdown: kept, so names read as written in the source too. */
      if (*p == '_' && to == TO_MD && p > start && alnum(p[-1]) && alnum(p[1]))
        m = NULL;
      if (m && m[0] == '\\')
        put(o, "\\", 1); /* then the character itself */
      else if (m) {
        put(o, m, strlen(m));
        p++;
        continue;
      }
      put(o, (const char *)p++, 1);
      continue;
    }
    uint32_t cp = 0;
    size_t n = utf8(p, &cp);
    if (n == 0) {
      put_byte(o, *p++);
    } else if (hidden(cp)) {
      char e[16];
      snprintf(e, sizeof(e), "\\u%04x", (unsigned)cp);
      put(o, e, strlen(e));
      p += n;
    } else {
      put(o, (const char *)p, n);
      p += n;
    }
  }
}

static size_t to_buf(char *dst, size_t len, const char *s, int to) {
  sink_t o = {.dst = dst, .len = len};
  escape(&o, s, to);
  if (dst && len)
    dst[o.n < len ? o.n : len - 1] = '\0';
  return o.n;
}

size_t ed_text_escape_terminal(char *dst, size_t len, const char *s) {
  return to_buf(dst, len, s, TO_TERMINAL);
}

size_t ed_text_escape_md(char *dst, size_t len, const char *s) {
  return to_buf(dst, len, s, TO_MD);
}

size_t ed_text_escape_html(char *dst, size_t len, const char *s) {
  return to_buf(dst, len, s, TO_HTML);
}

void ed_text_fputs_terminal(FILE *f, const char *s) {
  sink_t o = {.f = f};
  escape(&o, s, TO_TERMINAL);
}

void ed_text_fputs_md(FILE *f, const char *s) {
  sink_t o = {.f = f};
  escape(&o, s, TO_MD);
}

void ed_text_fputs_html(FILE *f, const char *s) {
  sink_t o = {.f = f};
  escape(&o, s, TO_HTML);
}

static char *dup_escaped(const char *s, int to) {
  size_t n = to_buf(NULL, 0, s, to);
  char *d = malloc(n + 1);
  if (d)
    to_buf(d, n + 1, s, to);
  return d;
}

char *ed_text_terminal(const char *s) {
  return dup_escaped(s, TO_TERMINAL);
}

char *ed_text_md(const char *s) {
  return dup_escaped(s, TO_MD);
}

char *ed_text_html(const char *s) {
  return dup_escaped(s, TO_HTML);
}
