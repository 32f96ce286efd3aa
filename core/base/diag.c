#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "jsonpos.h"

void ed_diag_init(ed_diag_t *d) {
  memset(d, 0, sizeof(*d));
}

void ed_diag_close(ed_diag_t *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->entries[i].file);
    free(d->entries[i].path);
    free(d->entries[i].message);
  }
  free(d->entries);
  memset(d, 0, sizeof(*d));
}

/* Drop the last component of a path in place: "a.b[2]" -> "a.b" -> "a".
 * Returns 0 when there was nothing left to drop. */
static int path_up(char *path) {
  size_t n = strlen(path);
  if (n == 0)
    return 0;
  char *cut = NULL;
  if (path[n - 1] == ']')
    cut = strrchr(path, '[');
  else
    cut = strrchr(path, '.');
  if (!cut)
    cut = path;
  *cut = '\0';
  return 1;
}

/* Position of `path`, else of the nearest enclosing value that has one, so
 * that a missing key points at its object. */
static void locate(const ed_diag_t *d, const char *path, int key, int *line,
                   int *column) {
  *line = *column = 0;
  if (!d->pos || !path)
    return;
  if (key && ed_jsonpos_key(d->pos, path, line, column) == 0)
    return;
  char *p = strdup(path);
  if (!p)
    return;
  do {
    if (ed_jsonpos_value(d->pos, p, line, column) == 0)
      break;
  } while (path_up(p));
  free(p);
}

static void add(ed_diag_t *d, int line, int column, const char *path,
                const char *fmt, va_list ap) {
  if (d->count == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    ed_diag_entry_t *ne = realloc(d->entries, cap * sizeof(*ne));
    if (!ne)
      return; /* an error lost to a lack of memory; the caller fails anyway */
    d->entries = ne;
    d->cap = cap;
  }
  ed_diag_entry_t *e = &d->entries[d->count];
  e->file = strdup(d->file ? d->file : "");
  e->path = strdup(path ? path : "");
  e->line = line;
  e->column = column;
  e->message = NULL;
  if (vasprintf(&e->message, fmt, ap) < 0)
    e->message = NULL;
  if (!e->file || !e->path || !e->message) {
    free(e->file);
    free(e->path);
    free(e->message);
    return;
  }
  d->count++;
}

void ed_diag_add(ed_diag_t *d, const char *path, const char *fmt, ...) {
  int line, column;
  locate(d, path, 0, &line, &column);
  va_list ap;
  va_start(ap, fmt);
  add(d, line, column, path, fmt, ap);
  va_end(ap);
}

void ed_diag_add_key(ed_diag_t *d, const char *path, const char *fmt, ...) {
  int line, column;
  locate(d, path, 1, &line, &column);
  va_list ap;
  va_start(ap, fmt);
  add(d, line, column, path, fmt, ap);
  va_end(ap);
}

void ed_diag_add_at(ed_diag_t *d, int line, int column, const char *path,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  add(d, line, column, path, fmt, ap);
  va_end(ap);
}

/* Entries of one file print in text order; files keep the order in which
 * they were first reported. The sort key is (file rank, line, column,
 * index), a total order. */
typedef struct order_s {
  size_t rank, index;
  int line, column;
} order_t;

static int order_cmp(const void *a, const void *b) {
  const order_t *x = a, *y = b;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  if (x->column != y->column)
    return x->column < y->column ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static size_t file_rank(const ed_diag_t *d, size_t i) {
  for (size_t k = 0; k < i; k++)
    if (strcmp(d->entries[k].file, d->entries[i].file) == 0)
      return k;
  return i;
}

static void print_entry(const ed_diag_entry_t *e, FILE *out) {
  fputs(e->file, out);
  if (e->line > 0)
    fprintf(out, ":%d:%d", e->line, e->column);
  fputs(": ", out);
  if (*e->path)
    fprintf(out, "%s: ", e->path);
  fprintf(out, "%s\n", e->message);
}

void ed_diag_print(const ed_diag_t *d, FILE *out) {
  order_t *order = malloc((d->count ? d->count : 1) * sizeof(*order));
  if (!order) {
    for (size_t i = 0; i < d->count; i++)
      print_entry(&d->entries[i], out);
    return;
  }
  for (size_t i = 0; i < d->count; i++)
    order[i] =
        (order_t){file_rank(d, i), i, d->entries[i].line, d->entries[i].column};
  qsort(order, d->count, sizeof(*order), order_cmp);
  for (size_t i = 0; i < d->count; i++)
    print_entry(&d->entries[order[i].index], out);
  free(order);
}
/* ---- did you mean ------------------------------------------------------ */

size_t ed_edit_distance(const char *a, const char *b, size_t limit) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 64 || m > 64)
    return limit + 1;
  /* The distance is at least the difference of the lengths. */
  if ((n > m ? n - m : m - n) > limit)
    return limit + 1;
  size_t dp[65][65];
  for (size_t i = 0; i <= n; i++)
    dp[i][0] = i;
  for (size_t j = 0; j <= m; j++)
    dp[0][j] = j;
  for (size_t i = 1; i <= n; i++) {
    size_t row_min = dp[i][0];
    for (size_t j = 1; j <= m; j++) {
      int ca = tolower((unsigned char)a[i - 1]);
      int cb = tolower((unsigned char)b[j - 1]);
      size_t best = dp[i - 1][j - 1] + (ca != cb);
      if (dp[i - 1][j] + 1 < best)
        best = dp[i - 1][j] + 1;
      if (dp[i][j - 1] + 1 < best)
        best = dp[i][j - 1] + 1;
      if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
          cb == tolower((unsigned char)a[i - 2]) && dp[i - 2][j - 2] + 1 < best)
        best = dp[i - 2][j - 2] + 1;
      dp[i][j] = best;
      if (best < row_min)
        row_min = best;
    }
    /* A row never goes below the one before it by more than the
     * transposition's step back: two rows over the limit end it. */
    if (i > 1 && row_min > limit) {
      size_t prev_min = dp[i - 1][0];
      for (size_t j = 1; j <= m; j++)
        if (dp[i - 1][j] < prev_min)
          prev_min = dp[i - 1][j];
      if (prev_min > limit)
        return limit + 1;
    }
  }
  return dp[n][m] <= limit ? dp[n][m] : limit + 1;
}

size_t ed_did_you_mean_limit(const char *word) {
  /* About one edit in three characters, at least one, at most three:
   * close enough to be a typo, far enough not to suggest nonsense. */
  size_t limit = strlen(word) / 3;
  if (limit < 1)
    limit = 1;
  if (limit > 3)
    limit = 3;
  return limit;
}

const char *ed_did_you_mean(const char *word, const char *const *candidates) {
  if (!word || !candidates)
    return NULL;
  size_t limit = ed_did_you_mean_limit(word);
  const char *best = NULL;
  size_t best_d = limit + 1;
  for (size_t i = 0; candidates[i] && best_d > 0; i++) {
    size_t dd = ed_edit_distance(word, candidates[i], best_d - 1);
    if (dd < best_d && dd < strlen(candidates[i])) {
      best = candidates[i];
      best_d = dd;
    }
  }
  return best;
}

const char *ed_diag_json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "?";
}

/* ---- files ------------------------------------------------------------- */

static void too_large(ed_diag_t *d, size_t max, long long size) {
  char limit[32];
  if (max >= 1024 * 1024 && max % (1024 * 1024) == 0)
    snprintf(limit, sizeof(limit), "%zu MiB", max / (1024 * 1024));
  else
    snprintf(limit, sizeof(limit), "%zu bytes", max);
  if (size >= 0)
    ed_diag_add_at(d, 0, 0, "",
                   "the file is %lld bytes, over the limit of %s for this "
                   "kind of file",
                   size, limit);
  else
    ed_diag_add_at(d, 0, 0, "",
                   "the file is over the limit of %s for this kind of file",
                   limit);
}

int ed_diag_read_file(ed_diag_t *d, const char *file, size_t max, char **text,
                      size_t *len) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    ed_diag_add_at(d, 0, 0, "", "cannot open the file: %s", strerror(errno));
    return ED_EIO;
  }
  /* A regular file too large is refused before any of it is read; what
   * has no size (a pipe) is refused once it passes the limit. */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
      (unsigned long long)st.st_size > max) {
    fclose(f);
    too_large(d, max, (long long)st.st_size);
    return ED_EIO;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  int err = buf ? 0 : ED_ENOMEM;
  while (!err) {
    if (n == cap) {
      if (n > max) {
        err = ED_EINVAL;
        break;
      }
      size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        err = ED_ENOMEM;
        break;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (!err && n > max)
    err = ED_EINVAL;
  if (!err && ferror(f))
    err = ED_EIO;
  fclose(f);
  if (err) {
    if (err == ED_EINVAL)
      too_large(d, max, -1);
    else
      ed_diag_add_at(d, 0, 0, "", "cannot read the file: %s", ed_strerror(err));
    free(buf);
    return err == ED_ENOMEM ? ED_ENOMEM : ED_EIO;
  }
  *text = buf;
  *len = n;
  return 0;
}

json_t *ed_diag_parse_json(ed_diag_t *d, const char *text, size_t len) {
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  if (!root)
    ed_diag_add_at(d, jerr.line > 0 ? jerr.line : 1,
                   jerr.column > 0 ? jerr.column : 1, "", "invalid JSON: %s",
                   jerr.text);
  return root;
}
