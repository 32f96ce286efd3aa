/*
 * pattern: regular expressions written by users (a check's "match", an
 * inspection rule's "match"), compiled and matched with hard limits, so that
 * no pattern and no device answer can make eventdrill spend unbounded time
 * or memory on it.
 *
 * The syntax is PCRE2's (Perl-compatible), which accepts the POSIX extended
 * expressions eventdrill always took (^, $, ., [...], [[:digit:]], |, (),
 * *, +, ?, {m,n}). The text is UTF-8 and matched by characters; "." matches
 * any character, newlines included, and "$" only the very end, as in POSIX.
 *
 * Limits: a pattern of at most ED_PATTERN_MAX_LENGTH characters, groups
 * nested at most ED_PATTERN_MAX_NESTING deep, a compiled form of PCRE2's
 * size limit (nested counted repeats such as ((a{1,255}){1,255}){1,255}
 * exceed it at once); each match at most ED_PATTERN_MATCH_LIMIT steps of
 * backtracking from each place it is tried at, ED_PATTERN_STEP_LIMIT steps
 * in all, and ED_PATTERN_HEAP_KIB KiB of memory. A pattern cannot raise
 * them ((*LIMIT_MATCH=...) only lowers them).
 */
#ifndef ED_PATTERN_H
#define ED_PATTERN_H

#include <stddef.h>

#define ED_PATTERN_MAX_LENGTH 1000
#define ED_PATTERN_MAX_NESTING 32
#define ED_PATTERN_MATCH_LIMIT 1000000
#define ED_PATTERN_STEP_LIMIT 10000000
#define ED_PATTERN_DEPTH_LIMIT 100000
#define ED_PATTERN_HEAP_KIB 16384

typedef struct ed_pattern_s ed_pattern_t;

/* Compile `text` (NUL-terminated UTF-8). 0 and *out (free with
 * ed_pattern_destroy); ED_EINVAL for a pattern that is wrong or over a
 * limit, with the reason in why ("missing closing parenthesis at character
 * 4", "longer than the limit of 1000 characters"); ED_ENOMEM. */
int ed_pattern_compile(const char *text, ed_pattern_t **out, char *why,
                       size_t len);
void ed_pattern_destroy(ed_pattern_t *p);
/* The text p was compiled from. Borrowed from p. */
const char *ed_pattern_text(const ed_pattern_t *p);

/* Whether p matches anywhere in subject[0, n): 1 or 0; ED_ERANGE when the
 * match stopped at a limit before it could tell (why says which: "the
 * pattern needs more than 1000000 steps on this value"), ED_ENOMEM. Never
 * treat a negative answer as "no match" or as a match: it is neither. */
int ed_pattern_match(const ed_pattern_t *p, const char *subject, size_t n,
                     char *why, size_t len);

#endif
