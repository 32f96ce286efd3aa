/*
 * term: what the terminal can take. Its width (so that a live line and a
 * table never wrap) and whether text to it may carry colour.
 *
 * Colour follows --color auto|always|never (auto by default): auto colours
 * only a terminal, never one whose TERM is "dumb", and never when NO_COLOR
 * is set to a non-empty value (no-color.org); always and never override
 * both. Colour marks what a person must see first: a verdict, a failed row,
 * a severity. Nothing is said by colour alone: the words are the same.
 */
#ifndef ED_TERM_H
#define ED_TERM_H

#include <stdio.h>

typedef enum {
  ED_COLOR_AUTO = 0,
  ED_COLOR_ALWAYS,
  ED_COLOR_NEVER
} ed_color_mode_t;

typedef enum {
  ED_SGR_RESET = 0,
  ED_SGR_BOLD,
  ED_SGR_RED,    /* failed, critical */
  ED_SGR_GREEN,  /* passed */
  ED_SGR_YELLOW, /* warning, not run */
  ED_SGR_DIM     /* stale, secondary */
} ed_sgr_t;

/* "auto", "always" or "never"; 0, or -1 for anything else. */
int ed_term_color_parse(const char *text, ed_color_mode_t *out);
/* The process's choice (from --color); auto until set. */
void ed_term_set_color(ed_color_mode_t mode);

/* Take --color WHEN and --color=WHEN out of argv (any position before a
 * "--"), setting the choice; argc is updated. 0, or -1 after printing what
 * is wrong to stderr. */
int ed_term_take_color_option(int *argc, char **argv);

/* 1 when text written to f may carry colour. */
int ed_term_colors(FILE *f);
/* The escape sequence for `what` when f takes colour, else "". */
const char *ed_term_sgr(FILE *f, ed_sgr_t what);

/* Columns of the terminal f writes to (re-read at each call, so that a
 * resize is seen); 0 when f is not a terminal or its width is unknown. */
int ed_term_width(FILE *f);

/* A memory stream standing for a terminal while text for it is composed
 * (open_memstream): colour and width are those of `terminal`. NULL, NULL
 * ends it. */
void ed_term_stand_in(FILE *buffer, FILE *terminal);

/* Write text (lines ending in newlines) to f; on a terminal, each line
 * wider than it is broken between words (a word wider than the line is
 * cut), the continuation indented two spaces past the line's own indent.
 * Colour sequences take no column. Not a terminal: as is. */
void ed_term_write_wrapped(FILE *f, const char *text);
/* One line (no newline in it) written the same way, its continuation
 * indented by `indent` columns (under a table's last column). */
void ed_term_write_line(FILE *f, const char *line, int indent);

#endif
