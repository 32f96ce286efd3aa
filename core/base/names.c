#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "error.h"

typedef struct entry_s {
  const char *name;
  size_t index; /* in the caller's array */
  size_t len;
} entry_t;

struct ed_names_s {
  entry_t *fwd; /* by name */
  entry_t *rev; /* by name read backwards */
  entry_t *len; /* by length */
  size_t n;
};

static int cmp_fwd(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* strcmp of the two strings read from their ends. */
static int cmp_backwards(const char *a, size_t na, const char *b, size_t nb) {
  while (na && nb) {
    unsigned char ca = (unsigned char)a[--na], cb = (unsigned char)b[--nb];
    if (ca != cb)
      return ca < cb ? -1 : 1;
  }
  return na ? 1 : nb ? -1 : 0;
}

static int cmp_rev(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  int c = cmp_backwards(x->name, x->len, y->name, y->len);
  if (c)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_len(const void *a, const void *b) {
  const entry_t *x = a, *y = b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

int ed_names_create(const char *const *names, size_t n, ed_names_t **out) {
  *out = NULL;
  ed_names_t *x = calloc(1, sizeof(*x));
  size_t bytes = (n ? n : 1) * sizeof(entry_t);
  if (!x || !(x->fwd = malloc(bytes)) || !(x->rev = malloc(bytes)) ||
      !(x->len = malloc(bytes))) {
    ed_names_destroy(x);
    return ED_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    if (names[i])
      x->fwd[x->n++] = (entry_t){names[i], i, strlen(names[i])};
  memcpy(x->rev, x->fwd, x->n * sizeof(entry_t));
  memcpy(x->len, x->fwd, x->n * sizeof(entry_t));
  qsort(x->fwd, x->n, sizeof(entry_t), cmp_fwd);
  qsort(x->rev, x->n, sizeof(entry_t), cmp_rev);
  qsort(x->len, x->n, sizeof(entry_t), cmp_len);
  *out = x;
  return 0;
}

void ed_names_destroy(ed_names_t *x) {
  if (!x)
    return;
  free(x->fwd);
  free(x->rev);
  free(x->len);
  free(x);
}

/* First entry of fwd not below word. */
static size_t lower_fwd(const ed_names_t *x, const char *word) {
  size_t lo = 0, hi = x->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(x->fwd[mid].name, word) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static size_t lower_rev(const ed_names_t *x, const char *word, size_t wlen) {
  size_t lo = 0, hi = x->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_backwards(x->rev[mid].name, x->rev[mid].len, word, wlen) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static size_t lower_len(const ed_names_t *x, size_t len) {
  size_t lo = 0, hi = x->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (x->len[mid].len < len)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

long ed_names_find(const ed_names_t *x, const char *name) {
  size_t i = lower_fwd(x, name);
  if (i < x->n && strcmp(x->fwd[i].name, name) == 0)
    return (long)x->fwd[i].index;
  return -1;
}

typedef struct best_s {
  const entry_t *e;
  size_t d;
} best_t;

/* Keep e when closer than the best so far; ties go to the name defined
 * first, so the answer does not depend on the order of the search. */
static void consider(best_t *best, const entry_t *e, const char *word) {
  if (best->d == 0)
    return;
  size_t d = ed_edit_distance(word, e->name, best->d);
  if (d >= e->len)
    return;
  if (d < best->d || (d == best->d && best->e && e->index < best->e->index))
    *best = (best_t){e, d};
}

const char *ed_names_suggest(const ed_names_t *x, const char *word) {
  if (!x || !word)
    return NULL;
  size_t limit = ed_did_you_mean_limit(word);
  size_t wlen = strlen(word);
  best_t best = {NULL, limit + 1};
  /* Names whose length is within reach: the distance is at least the
   * difference of the lengths. */
  size_t a = lower_len(x, wlen > limit ? wlen - limit : 0);
  size_t b = lower_len(x, wlen + limit + 1);
  if (b - a <= ED_NAMES_SCAN_MAX) {
    for (size_t i = a; i < b; i++)
      consider(&best, &x->len[i], word);
    return best.e ? best.e->name : NULL;
  }
  size_t f = lower_fwd(x, word), r = lower_rev(x, word, wlen);
  size_t lo_f = f > ED_NAMES_NEAR ? f - ED_NAMES_NEAR : 0;
  size_t lo_r = r > ED_NAMES_NEAR ? r - ED_NAMES_NEAR : 0;
  for (size_t i = lo_f; i < x->n && i < f + ED_NAMES_NEAR; i++)
    consider(&best, &x->fwd[i], word);
  for (size_t i = lo_r; i < x->n && i < r + ED_NAMES_NEAR; i++)
    consider(&best, &x->rev[i], word);
  return best.e ? best.e->name : NULL;
}
