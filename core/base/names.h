/*
 * names: a set of names (targets, checks, plans...) for exact look-up and a
 * bounded "did you mean", so that validating a file with tens of thousands
 * of names and as many misspelled references stays fast.
 *
 * Look-up is a binary search. A suggestion compares the word with every
 * name of a length within reach when there are at most
 * ED_NAMES_SCAN_MAX of them (the closest one, as ed_did_you_mean finds);
 * among more, only with the names that sort nearest to the word read
 * forwards and read backwards (ED_NAMES_NEAR each way), which keeps the
 * typos that leave a name's beginning or its end alone, at a cost that does
 * not grow with the number of names.
 */
#ifndef ED_NAMES_H
#define ED_NAMES_H

#include <stddef.h>

#define ED_NAMES_SCAN_MAX 256
#define ED_NAMES_NEAR 16

typedef struct ed_names_s ed_names_t;

/* Index names[0..n) (borrowed: they must outlive the index; a NULL name is
 * skipped). 0, or ED_ENOMEM. Free with ed_names_destroy. */
int ed_names_create(const char *const *names, size_t n, ed_names_t **out);
void ed_names_destroy(ed_names_t *x);

/* Index in names of `name`, or -1 (the first one when it appears twice). */
long ed_names_find(const ed_names_t *x, const char *name);
/* A name close enough to `word` to be what was meant, or NULL. Borrowed. */
const char *ed_names_suggest(const ed_names_t *x, const char *word);

#endif
