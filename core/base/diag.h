/*
 * diag: user-facing validation errors, collected so that a user sees all the
 * errors of a file at once. Each names the file, line:column, the JSON path
 * and what is wrong:
 *
 *   quickstart.json:12:17: workloads[1].rate[0].for: expected a duration ...
 *
 * The positions come from jsonpos (jansson only tells positions of syntax
 * errors).
 */
#ifndef ED_DIAG_H
#define ED_DIAG_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ed_diag_entry_s {
  char *file;
  int line, column; /* 1-based; 0 when unknown */
  char *path;       /* JSON path, "" for the document */
  char *message;
} ed_diag_entry_t;

typedef struct ed_jsonpos_s ed_jsonpos_t;

typedef struct ed_diag_s {
  ed_diag_entry_t *entries;
  size_t count, cap;
  const char *file;        /* current file (borrowed) */
  const ed_jsonpos_t *pos; /* positions of the current file (borrowed) */
} ed_diag_t;

void ed_diag_init(ed_diag_t *d);
void ed_diag_close(ed_diag_t *d);
/* Add an error at JSON path `path` (its position is looked up in d->pos;
 * for a missing key, the position of the enclosing object). */
void ed_diag_add(ed_diag_t *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, at the position of the key of the member at `path` (unknown and
 * duplicate keys: the key is what is wrong, not its value). */
void ed_diag_add_key(ed_diag_t *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add an error at an explicit position (syntax errors). */
void ed_diag_add_at(ed_diag_t *d, int line, int column, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Print every entry, one per line, "file:line:col: path: message", in the
 * order of their positions in the file (then of addition). An unknown
 * position prints as "file: path: message", an empty path as
 * "file:line:col: message". */
void ed_diag_print(const ed_diag_t *d, FILE *out);

/* What kind of JSON value v is, in words for a message: "an object",
 * "a string", "an integer", "a real number", "a boolean", "null". */
const char *ed_diag_json_kind(const json_t *v);

/* Read all of `file` (at most `max` bytes) into *text (malloc'd, owned by
 * the caller) and *len. On failure the reason is added to d at the
 * document ("cannot open the file: …", "cannot read the file: …") and
 * ED_EIO or ED_ENOMEM is returned. */
int ed_diag_read_file(ed_diag_t *d, const char *file, size_t max, char **text,
                      size_t *len);
/* Parse text as one JSON document; NULL when it is not one, with
 * "invalid JSON: …" added to d at jansson's line:column. New reference. */
json_t *ed_diag_parse_json(ed_diag_t *d, const char *text, size_t len);

/* Closest candidate to `word` by edit distance, if close enough; or NULL.
 * For short lists (keys, drivers, choices); names.h suggests among many. */
const char *ed_did_you_mean(const char *word, const char *const *candidates);
/* Edit distance (optimal string alignment, case-insensitive) of a and b
 * when at most `limit`, else limit + 1; stops as soon as the limit is
 * passed, and at once when the lengths differ by more. */
size_t ed_edit_distance(const char *a, const char *b, size_t limit);
/* The largest distance a suggestion for `word` may have (1 to 3). */
size_t ed_did_you_mean_limit(const char *word);

#endif
