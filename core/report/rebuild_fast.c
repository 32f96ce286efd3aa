/* The "sec" lines of a journal read without Jansson. A per-second journal
 * of a large drill is mostly these lines, each with two histograms: parsing
 * them into JSON trees would cost most of a rebuild (and of a merge). The
 * parser accepts exactly the text the runner writes (ed_journal_write_sec,
 * byte for byte Jansson's compact dump of its keys in order, with
 * ed_hist_to_json's form); anything else, even valid
 * JSON in another order, goes back to the JSON path, which reads any. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rebuild_internal.h"

typedef struct cur_s {
  const char *p, *end;
  int bad;
} cur_t;

static void lit(cur_t *c, const char *s) {
  size_t n = strlen(s);
  if (c->bad || (size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
    c->bad = 1;
  else
    c->p += n;
}

/* An integer (the text is NUL- or newline-terminated beyond end). */
static long long integer(cur_t *c) {
  if (c->bad || c->p >= c->end ||
      !(*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))) {
    c->bad = 1;
    return 0;
  }
  char *stop;
  errno = 0;
  long long v = strtoll(c->p, &stop, 10);
  if (errno || stop > c->end || *stop == '.' || *stop == 'e' || *stop == 'E')
    c->bad = 1;
  c->p = stop;
  return v;
}

static uint64_t count(cur_t *c) {
  long long v = integer(c);
  if (v < 0)
    c->bad = 1;
  return (uint64_t)v;
}

static double real(cur_t *c) {
  if (c->bad || c->p >= c->end) {
    c->bad = 1;
    return 0;
  }
  char *stop;
  double v = strtod(c->p, &stop);
  if (stop == c->p || stop > c->end)
    c->bad = 1;
  c->p = stop;
  return v;
}

/* "errors":{"class":n,...}: into the counts (as counts_of does). */
static void errors(cur_t *c, ed_counts_t *k) {
  lit(c, ",\"errors\":{");
  while (!c->bad && c->p < c->end && *c->p != '}') {
    if (*c->p == ',')
      c->p++;
    lit(c, "\"");
    const char *name = c->p;
    const char *q = c->p;
    while (q < c->end && *q != '"' && *q != '\\')
      q++;
    if (c->bad || q >= c->end || *q != '"' || q - name >= 64) {
      c->bad = 1;
      return;
    }
    char buf[64];
    memcpy(buf, name, (size_t)(q - name));
    buf[q - name] = '\0';
    c->p = q + 1;
    lit(c, ":");
    long long n = integer(c);
    int e = ed_errclass_from_name(buf);
    if (e <= 0 || e >= ED_ERRCLASS_COUNT)
      e = ed_errclass_from_name("other");
    if (!c->bad && e > 0 && n > 0)
      k->errors[e] += (uint64_t)n;
  }
  lit(c, "}");
}

/* Room for one more pair in rb's buffer, or NULL. */
static uint64_t *pair_slot(ed_rebuild_t *rb, size_t n) {
  if (n >= rb->cap_pairs) {
    size_t cap = rb->cap_pairs ? rb->cap_pairs * 2 : 256;
    uint64_t(*p)[2] = realloc(rb->pairs, cap * sizeof(*p));
    if (!p)
      return NULL;
    rb->pairs = p;
    rb->cap_pairs = cap;
  }
  return rb->pairs[n];
}

/* {"highest":..,"sigfigs":..,"min":..,"max":..,"count":..,"clamped":..,
 * "sum":..,"counts":[[i,c],...]}; its pairs appended at *n. */
static void hist(cur_t *c, ed_rebuild_t *rb, ed_hist_sparse_t *h, size_t *n,
                 size_t *first) {
  lit(c, "{\"highest\":");
  h->highest = integer(c);
  lit(c, ",\"sigfigs\":");
  h->sigfigs = (int)integer(c);
  lit(c, ",\"min\":");
  h->min = integer(c);
  lit(c, ",\"max\":");
  h->max = integer(c);
  lit(c, ",\"count\":");
  h->count = count(c);
  lit(c, ",\"clamped\":");
  h->clamped = count(c);
  lit(c, ",\"sum\":");
  h->sum = real(c);
  lit(c, ",\"counts\":[");
  *first = *n;
  while (!c->bad && c->p < c->end && *c->p != ']') {
    if (*n > *first)
      lit(c, ",");
    lit(c, "[");
    uint64_t i = count(c);
    lit(c, ",");
    uint64_t k = count(c);
    lit(c, "]");
    uint64_t *slot = c->bad ? NULL : pair_slot(rb, *n);
    if (!slot) {
      c->bad = 1;
      return;
    }
    slot[0] = i;
    slot[1] = k;
    (*n)++;
  }
  lit(c, "]}");
  h->npairs = *n - *first;
}

int ed__rebuild_raw(void *arg, const char *line, size_t len) {
  static const char head[] = "{\"ev\":\"sec\",\"t\":";
  ed_rebuild_t *rb = arg;
  if (!rb->start || len < sizeof(head) ||
      memcmp(line, head, sizeof(head) - 1) != 0)
    return 0;
  cur_t c = {line + sizeof(head) - 1, line + len, 0};
  ed__rsec_t e;
  memset(&e, 0, sizeof(e));
  e.t = real(&c);
  lit(&c, ",\"w\":");
  e.w = integer(&c);
  lit(&c, ",\"tg\":");
  e.tg = integer(&c);
  lit(&c, ",\"ph\":");
  e.ph = integer(&c);
  lit(&c, ",\"sec\":");
  e.sec = integer(&c);
  lit(&c, ",\"sent\":");
  e.counts.sent = count(&c);
  lit(&c, ",\"completed\":");
  e.counts.completed = count(&c);
  lit(&c, ",\"ok\":");
  e.counts.ok = count(&c);
  errors(&c, &e.counts);
  lit(&c, ",\"late\":");
  e.counts.late = count(&c);
  lit(&c, ",\"dropped\":");
  e.counts.dropped = count(&c);
  size_t n = 0, lat0 = 0, svc0 = 0;
  if (!c.bad && c.p < c.end && *c.p == ',') {
    lit(&c, ",\"lat\":");
    hist(&c, rb, &e.lat, &n, &lat0);
    lit(&c, ",\"svc\":");
    hist(&c, rb, &e.svc, &n, &svc0);
    e.has_lat = e.has_svc = 1;
  }
  lit(&c, "}");
  if (c.bad || c.p != c.end)
    return 0; /* not the runner's exact text: the JSON path reads it */
  e.lat.pairs = (const uint64_t(*)[2])(rb->pairs + lat0);
  e.svc.pairs = (const uint64_t(*)[2])(rb->pairs + svc0);
  ed__rebuild_sec(rb, &e);
  return 1;
}
