#include "jsonpos.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Jansson refuses deeper documents too; recursion stays bounded. */
#define MAX_DEPTH 2048

typedef struct entry_s {
  char *path;
  int line, column;   /* value */
  int kline, kcolumn; /* key, or the value's for elements */
  size_t seq;         /* order in the text; the last duplicate wins */
} entry_t;

struct ed_jsonpos_s {
  entry_t *v;
  size_t n, cap;
  ed_jsonpos_dup_t *dups;
  size_t ndups, capdups;
};

/* A key seen in the object being scanned, to find duplicates. */
typedef struct seen_s {
  char *key;
  int line, column;
} seen_t;

typedef struct scanner_s {
  const char *s;
  size_t len, i;
  int line, column;
  int err; /* first error: ED_EPARSE or ED_ENOMEM */
  int err_line, err_column;
  char *path; /* path of the value being scanned */
  size_t plen, pcap;
  ed_jsonpos_t *p;
} scanner_t;

/* ---- paths ------------------------------------------------------------ */

int ed_jsonpos_join_key(char *buf, size_t len, const char *parent,
                        const char *key) {
  if (!parent || !*parent)
    return snprintf(buf, len, "%s", key);
  return snprintf(buf, len, "%s.%s", parent, key);
}

int ed_jsonpos_join_index(char *buf, size_t len, const char *parent,
                          size_t index) {
  return snprintf(buf, len, "%s[%zu]", parent ? parent : "", index);
}

static int path_reserve(scanner_t *sc, size_t extra) {
  if (sc->plen + extra + 1 <= sc->pcap)
    return 0;
  size_t cap = sc->pcap ? sc->pcap : 64;
  while (cap < sc->plen + extra + 1)
    cap *= 2;
  char *np = realloc(sc->path, cap);
  if (!np)
    return ED_ENOMEM;
  sc->path = np;
  sc->pcap = cap;
  return 0;
}

/* Append ".key" (or "key" at the top level) to the current path, the same
 * spelling as ed_jsonpos_join_key. */
static int path_push_key(scanner_t *sc, const char *key) {
  size_t klen = strlen(key);
  size_t dot = sc->plen ? 1 : 0;
  if (path_reserve(sc, klen + dot))
    return ED_ENOMEM;
  if (dot)
    sc->path[sc->plen] = '.';
  memcpy(sc->path + sc->plen + dot, key, klen + 1);
  sc->plen += dot + klen;
  return 0;
}

static int path_push_index(scanner_t *sc, size_t index) {
  int need = snprintf(NULL, 0, "[%zu]", index);
  if (need < 0 || path_reserve(sc, (size_t)need))
    return ED_ENOMEM;
  snprintf(sc->path + sc->plen, (size_t)need + 1, "[%zu]", index);
  sc->plen += (size_t)need;
  return 0;
}

static void path_pop(scanner_t *sc, size_t to) {
  sc->plen = to;
  sc->path[to] = '\0';
}

/* ---- reading ---------------------------------------------------------- */

static void fail(scanner_t *sc, int err) {
  if (sc->err)
    return;
  sc->err = err;
  sc->err_line = sc->line;
  sc->err_column = sc->column;
}

static int at_end(const scanner_t *sc) {
  return sc->i >= sc->len;
}

static int peek(const scanner_t *sc) {
  return at_end(sc) ? -1 : (unsigned char)sc->s[sc->i];
}

/* Columns count code points: a byte moves the column only when the next
 * byte does not continue the same UTF-8 sequence. */
static void advance(scanner_t *sc) {
  unsigned char c = (unsigned char)sc->s[sc->i++];
  if (c == '\n') {
    sc->line++;
    sc->column = 1;
  } else if (at_end(sc) || ((unsigned char)sc->s[sc->i] & 0xC0) != 0x80) {
    sc->column++;
  }
}

static void skip_ws(scanner_t *sc) {
  while (!at_end(sc)) {
    int c = peek(sc);
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    advance(sc);
  }
}

static int expect(scanner_t *sc, int c) {
  if (peek(sc) != c) {
    fail(sc, ED_EPARSE);
    return -1;
  }
  advance(sc);
  return 0;
}

/* ---- recording -------------------------------------------------------- */

static int record(scanner_t *sc, int line, int column, int kline, int kcolumn) {
  ed_jsonpos_t *p = sc->p;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    entry_t *nv = realloc(p->v, cap * sizeof(*nv));
    if (!nv)
      return ED_ENOMEM;
    p->v = nv;
    p->cap = cap;
  }
  char *path = strdup(sc->path);
  if (!path)
    return ED_ENOMEM;
  p->v[p->n] = (entry_t){path, line, column, kline, kcolumn, p->n};
  p->n++;
  return 0;
}

static int record_dup(scanner_t *sc, const char *key, int line, int column,
                      const seen_t *first) {
  ed_jsonpos_t *p = sc->p;
  if (p->ndups == p->capdups) {
    size_t cap = p->capdups ? p->capdups * 2 : 4;
    ed_jsonpos_dup_t *nd = realloc(p->dups, cap * sizeof(*nd));
    if (!nd)
      return ED_ENOMEM;
    p->dups = nd;
    p->capdups = cap;
  }
  ed_jsonpos_dup_t *d = &p->dups[p->ndups];
  d->path = strdup(sc->path);
  d->key = strdup(key);
  if (!d->path || !d->key) {
    free(d->path);
    free(d->key);
    return ED_ENOMEM;
  }
  d->line = line;
  d->column = column;
  d->first_line = first->line;
  d->first_column = first->column;
  p->ndups++;
  return 0;
}

/* ---- strings ---------------------------------------------------------- */

typedef struct sbuf_s {
  char *b;
  size_t n, cap;
} sbuf_t;

/* A NULL sb discards (values are only skipped, keys are kept). */
static int sbuf_put(sbuf_t *sb, const char *bytes, size_t n) {
  if (!sb)
    return 0;
  if (sb->n + n + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 32;
    while (cap < sb->n + n + 1)
      cap *= 2;
    char *nb = realloc(sb->b, cap);
    if (!nb)
      return ED_ENOMEM;
    sb->b = nb;
    sb->cap = cap;
  }
  memcpy(sb->b + sb->n, bytes, n);
  sb->n += n;
  sb->b[sb->n] = '\0';
  return 0;
}

static int put_utf8(sbuf_t *sb, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return sbuf_put(sb, u, n);
}

static int hex4(scanner_t *sc, uint32_t *out) {
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    int c = peek(sc);
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return -1;
    v = v * 16 + (uint32_t)d;
    advance(sc);
  }
  *out = v;
  return 0;
}

/* \uXXXX, with a surrogate pair joined into one code point. */
static int unicode_escape(scanner_t *sc, sbuf_t *sb) {
  uint32_t cp, lo;
  if (hex4(sc, &cp))
    return -1;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (peek(sc) != '\\')
      return -1;
    advance(sc);
    if (peek(sc) != 'u')
      return -1;
    advance(sc);
    if (hex4(sc, &lo) || lo < 0xDC00 || lo > 0xDFFF)
      return -1;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return -1;
  }
  return put_utf8(sb, cp) ? -2 : 0;
}

static int simple_escape(int c, char *out) {
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  const char *f = strchr(from, c);
  if (!f || !c)
    return -1;
  *out = to[f - from];
  return 0;
}

static int escape(scanner_t *sc, sbuf_t *sb) {
  int c = peek(sc);
  if (c < 0)
    return -1;
  advance(sc);
  if (c == 'u')
    return unicode_escape(sc, sb);
  char out;
  if (simple_escape(c, &out))
    return -1;
  return sbuf_put(sb, &out, 1) ? -2 : 0;
}

/* Read a string; when sb is not NULL, its decoded bytes go there. */
static int scan_string(scanner_t *sc, sbuf_t *sb) {
  if (expect(sc, '"'))
    return -1;
  for (;;) {
    int c = peek(sc);
    if (c < 0 || c < 0x20) {
      fail(sc, ED_EPARSE);
      return -1;
    }
    if (c == '"') {
      advance(sc);
      return 0;
    }
    if (c == '\\') {
      advance(sc);
      int r = escape(sc, sb);
      if (r) {
        fail(sc, r == -2 ? ED_ENOMEM : ED_EPARSE);
        return -1;
      }
      continue;
    }
    char ch = (char)c;
    if (sbuf_put(sb, &ch, 1)) {
      fail(sc, ED_ENOMEM);
      return -1;
    }
    advance(sc);
  }
}

/* ---- other scalars ---------------------------------------------------- */

static int is_digit(int c) {
  return c >= '0' && c <= '9';
}

static int digits(scanner_t *sc) {
  if (!is_digit(peek(sc))) {
    fail(sc, ED_EPARSE);
    return -1;
  }
  while (is_digit(peek(sc)))
    advance(sc);
  return 0;
}

static int scan_number(scanner_t *sc) {
  if (peek(sc) == '-')
    advance(sc);
  if (peek(sc) == '0')
    advance(sc);
  else if (digits(sc))
    return -1;
  if (peek(sc) == '.') {
    advance(sc);
    if (digits(sc))
      return -1;
  }
  if (peek(sc) == 'e' || peek(sc) == 'E') {
    advance(sc);
    if (peek(sc) == '+' || peek(sc) == '-')
      advance(sc);
    if (digits(sc))
      return -1;
  }
  return 0;
}

static int scan_word(scanner_t *sc, const char *word) {
  size_t n = strlen(word);
  if (sc->len - sc->i < n || memcmp(sc->s + sc->i, word, n) != 0) {
    fail(sc, ED_EPARSE);
    return -1;
  }
  for (size_t k = 0; k < n; k++)
    advance(sc);
  return 0;
}

/* ---- containers ------------------------------------------------------- */

static int scan_value(scanner_t *sc, int kline, int kcolumn, int depth);

/* The keys of one object, hashed, so that finding duplicates costs the same
 * per key in an object of 20 keys or of 200,000. */
typedef struct seen_set_s {
  seen_t *slots; /* cap slots, key NULL when empty */
  size_t cap, n;
} seen_set_t;

static void free_seen(seen_set_t *set) {
  for (size_t k = 0; k < set->cap; k++)
    free(set->slots[k].key);
  free(set->slots);
}

static size_t key_hash(const char *key) {
  size_t h = 1469598103934665603u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 1099511628211u;
  return h;
}

/* The slot of key: where it is, or the empty one where it goes. */
static seen_t *seen_slot(const seen_set_t *set, const char *key) {
  size_t i = key_hash(key) & (set->cap - 1);
  while (set->slots[i].key && strcmp(set->slots[i].key, key) != 0)
    i = (i + 1) & (set->cap - 1);
  return &set->slots[i];
}

static int seen_grow(seen_set_t *set) {
  size_t cap = set->cap ? set->cap * 2 : 16;
  seen_set_t bigger = {calloc(cap, sizeof(seen_t)), cap, set->n};
  if (!bigger.slots)
    return ED_ENOMEM;
  for (size_t k = 0; k < set->cap; k++)
    if (set->slots[k].key)
      *seen_slot(&bigger, set->slots[k].key) = set->slots[k];
  free(set->slots);
  *set = bigger;
  return 0;
}

/* Remember `key` (owned from here on) of the current object; report it when
 * seen before. */
static int note_key(scanner_t *sc, seen_set_t *set, char *key, int line,
                    int column) {
  if ((set->n + 1) * 2 > set->cap && seen_grow(set)) {
    free(key);
    return ED_ENOMEM;
  }
  seen_t *slot = seen_slot(set, key);
  if (slot->key) {
    free(key);
    return record_dup(sc, slot->key, line, column, slot);
  }
  *slot = (seen_t){key, line, column};
  set->n++;
  return 0;
}

static int scan_member(scanner_t *sc, seen_set_t *seen, int depth) {
  int kline = sc->line, kcolumn = sc->column;
  sbuf_t key = {0};
  if (scan_string(sc, &key)) {
    free(key.b);
    return -1;
  }
  if (!key.b && sbuf_put(&key, "", 0)) {
    fail(sc, ED_ENOMEM);
    return -1;
  }
  size_t base = sc->plen;
  if (path_push_key(sc, key.b)) {
    free(key.b);
    fail(sc, ED_ENOMEM);
    return -1;
  }
  int r = note_key(sc, seen, key.b, kline, kcolumn);
  if (r) {
    fail(sc, r);
    return -1;
  }
  skip_ws(sc);
  if (expect(sc, ':'))
    return -1;
  skip_ws(sc);
  r = scan_value(sc, kline, kcolumn, depth + 1);
  path_pop(sc, base);
  return r;
}

static int scan_object(scanner_t *sc, int depth) {
  seen_set_t seen = {0};
  int r = 0;
  advance(sc); /* '{' */
  skip_ws(sc);
  if (peek(sc) == '}') {
    advance(sc);
    return 0;
  }
  for (;;) {
    if ((r = scan_member(sc, &seen, depth)))
      break;
    skip_ws(sc);
    if (peek(sc) == ',') {
      advance(sc);
      skip_ws(sc);
      continue;
    }
    r = expect(sc, '}');
    break;
  }
  free_seen(&seen);
  return r;
}

static int scan_array(scanner_t *sc, int depth) {
  advance(sc); /* '[' */
  skip_ws(sc);
  if (peek(sc) == ']') {
    advance(sc);
    return 0;
  }
  for (size_t index = 0;; index++) {
    size_t base = sc->plen;
    if (path_push_index(sc, index)) {
      fail(sc, ED_ENOMEM);
      return -1;
    }
    int r = scan_value(sc, sc->line, sc->column, depth + 1);
    path_pop(sc, base);
    if (r)
      return r;
    skip_ws(sc);
    if (peek(sc) == ',') {
      advance(sc);
      skip_ws(sc);
      continue;
    }
    return expect(sc, ']');
  }
}

static int scan_value(scanner_t *sc, int kline, int kcolumn, int depth) {
  if (depth > MAX_DEPTH) {
    fail(sc, ED_EPARSE);
    return -1;
  }
  if (record(sc, sc->line, sc->column, kline, kcolumn)) {
    fail(sc, ED_ENOMEM);
    return -1;
  }
  switch (peek(sc)) {
  case '{':
    return scan_object(sc, depth);
  case '[':
    return scan_array(sc, depth);
  case '"':
    return scan_string(sc, NULL);
  case 't':
    return scan_word(sc, "true");
  case 'f':
    return scan_word(sc, "false");
  case 'n':
    return scan_word(sc, "null");
  default:
    return scan_number(sc);
  }
}

/* ---- lookup ----------------------------------------------------------- */

static int entry_cmp(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const entry_t *find(const ed_jsonpos_t *p, const char *path) {
  if (!p || !path)
    return NULL;
  size_t lo = 0, hi = p->n;
  while (lo < hi) { /* first entry >= path */
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(p->v[mid].path, path) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == p->n || strcmp(p->v[lo].path, path) != 0)
    return NULL;
  /* The last occurrence is the value jansson keeps. */
  while (lo + 1 < p->n && strcmp(p->v[lo + 1].path, path) == 0)
    lo++;
  return &p->v[lo];
}

int ed_jsonpos_value(const ed_jsonpos_t *p, const char *path, int *line,
                     int *column) {
  const entry_t *e = find(p, path);
  if (!e)
    return ED_ENOTFOUND;
  *line = e->line;
  *column = e->column;
  return 0;
}

int ed_jsonpos_key(const ed_jsonpos_t *p, const char *path, int *line,
                   int *column) {
  const entry_t *e = find(p, path);
  if (!e)
    return ED_ENOTFOUND;
  *line = e->kline;
  *column = e->kcolumn;
  return 0;
}

size_t ed_jsonpos_dup_count(const ed_jsonpos_t *p) {
  return p ? p->ndups : 0;
}

const ed_jsonpos_dup_t *ed_jsonpos_dup(const ed_jsonpos_t *p, size_t i) {
  return p && i < p->ndups ? &p->dups[i] : NULL;
}

size_t ed_jsonpos_count(const ed_jsonpos_t *p) {
  return p ? p->n : 0;
}

/* ---- lifecycle -------------------------------------------------------- */

void ed_jsonpos_destroy(ed_jsonpos_t *p) {
  if (!p)
    return;
  for (size_t k = 0; k < p->n; k++)
    free(p->v[k].path);
  for (size_t k = 0; k < p->ndups; k++) {
    free(p->dups[k].path);
    free(p->dups[k].key);
  }
  free(p->v);
  free(p->dups);
  free(p);
}

int ed_jsonpos_scan(const char *text, size_t len, ed_jsonpos_t **out,
                    int *err_line, int *err_column) {
  *out = NULL;
  scanner_t sc = {.s = text, .len = len, .line = 1, .column = 1};
  sc.p = calloc(1, sizeof(*sc.p));
  if (!sc.p || path_reserve(&sc, 0)) {
    free(sc.p);
    return ED_ENOMEM;
  }
  sc.path[0] = '\0';
  skip_ws(&sc);
  if (scan_value(&sc, sc.line, sc.column, 0) == 0) {
    skip_ws(&sc);
    if (!at_end(&sc))
      fail(&sc, ED_EPARSE);
  }
  free(sc.path);
  if (sc.err) {
    if (err_line)
      *err_line = sc.err_line;
    if (err_column)
      *err_column = sc.err_column;
    ed_jsonpos_destroy(sc.p);
    return sc.err;
  }
  qsort(sc.p->v, sc.p->n, sizeof(entry_t), entry_cmp);
  *out = sc.p;
  return 0;
}

/* ---- shape ------------------------------------------------------------- */

void ed_jsonpos_shape(const char *text, size_t len, size_t max_depth,
                      ed_jsonpos_shape_t *out) {
  memset(out, 0, sizeof(*out));
  size_t depth = 0, values = 1;
  int line = 1, column = 1, in_string = 0, escaped = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (in_string) {
      if (escaped)
        escaped = 0;
      else if (c == '\\')
        escaped = 1;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '[' || c == '{') {
      depth++;
      values++;
      if (depth > out->depth)
        out->depth = depth;
      if (depth > max_depth && !out->deep_line) {
        out->deep_line = line;
        out->deep_column = column;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    } else if (c == ',') {
      values++;
    }
    /* Columns in code points, as the scanner counts them. */
    if (c == '\n') {
      line++;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      column++;
    }
  }
  out->values = values;
}
