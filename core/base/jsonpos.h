/*
 * jsonpos: where every value of a JSON text is, by JSON path.
 *
 * Jansson tells the position of syntax errors only, but a validation error
 * must name the line and column of the value it is about. This scanner reads
 * the text once and records, for every value, the line:column of its first
 * character and, for object members, of the key:
 *
 *   "workloads[1].rate[0].for" -> value at 12:17, key at 12:10
 *
 * Paths: the document is ""; a member is "<parent>.<key>" ("<key>" at the
 * top level); an array element is "<parent>[<index>]". Keys are written as
 * they are (no quoting), the same join as the rest of the core uses.
 * Lines and columns are 1-based; columns count characters (UTF-8 code
 * points), not bytes, as editors and jansson do.
 *
 * It also finds duplicate keys in an object, which jansson accepts silently
 * (the last one wins). When a key is duplicated, lookups return the position
 * of the last occurrence, the value jansson keeps.
 */
#ifndef ED_JSONPOS_H
#define ED_JSONPOS_H

#include <stddef.h>

typedef struct ed_jsonpos_s ed_jsonpos_t;

/* A key that appears more than once in the same object. */
typedef struct ed_jsonpos_dup_s {
  char *path;                   /* path of the member, "targets.bmc1.url" */
  char *key;                    /* the key, decoded */
  int line, column;             /* this (later) occurrence of the key */
  int first_line, first_column; /* the first occurrence */
} ed_jsonpos_dup_t;

/* Scan `len` bytes of `text` (need not be NUL-terminated; borrowed, not
 * kept). On success *out is new (free with ed_jsonpos_destroy) and 0 is
 * returned. A text that is not valid JSON gives ED_EPARSE with the position
 * of the problem in *err_line / *err_column (either may be NULL); ED_ENOMEM. */
int ed_jsonpos_scan(const char *text, size_t len, ed_jsonpos_t **out,
                    int *err_line, int *err_column);
void ed_jsonpos_destroy(ed_jsonpos_t *p);

/* Position of the value at `path`. 0, or ED_ENOTFOUND (outputs untouched). */
int ed_jsonpos_value(const ed_jsonpos_t *p, const char *path, int *line,
                     int *column);
/* Position of the key of the member at `path`; for an array element or the
 * document, the value's position. 0 or ED_ENOTFOUND. */
int ed_jsonpos_key(const ed_jsonpos_t *p, const char *path, int *line,
                   int *column);

/* Duplicate keys, in the order of the text. Borrowed from p. */
size_t ed_jsonpos_dup_count(const ed_jsonpos_t *p);
const ed_jsonpos_dup_t *ed_jsonpos_dup(const ed_jsonpos_t *p, size_t i);

/* Number of values recorded (the document counts). */
size_t ed_jsonpos_count(const ed_jsonpos_t *p);

/* The shape of a JSON text, measured without parsing it, so that a text
 * nested too deep or holding too many values is refused before a parser
 * recurses into it or allocates for it. */
typedef struct ed_jsonpos_shape_s {
  size_t depth;  /* deepest nesting of arrays and objects (0: a scalar) */
  size_t values; /* values, members and elements counted (at least) */
  /* The first array or object that goes deeper than max_depth: its
   * 1-based position, 0 when none does. */
  int deep_line, deep_column;
} ed_jsonpos_shape_t;

/* Measure text[0, len): brackets outside strings (escapes honoured) give
 * the depth, commas and containers the values. Any text is accepted;
 * for one that is not JSON the figures are only indicative. */
void ed_jsonpos_shape(const char *text, size_t len, size_t max_depth,
                      ed_jsonpos_shape_t *out);

/* Path of member `key` of `parent`, or of element `index`, written into buf
 * like snprintf (returns the length it needs). */
int ed_jsonpos_join_key(char *buf, size_t len, const char *parent,
                        const char *key);
int ed_jsonpos_join_index(char *buf, size_t len, const char *parent,
                          size_t index);

#endif
