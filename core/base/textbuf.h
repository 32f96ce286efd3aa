/*
 * textbuf: text built in a growable buffer: pages (a scrape's exposition)
 * and the lines a run writes by the thousand each second (a target's second
 * in the journal), where building a Jansson tree and dumping it would cost
 * more than everything else the line stands for.
 *
 * A buffer that cannot grow is marked, and every later write is a no-op;
 * ed_textbuf_ok() says whether the text is whole. A zeroed struct is an
 * empty buffer.
 */
#ifndef ED_TEXTBUF_H
#define ED_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ed_textbuf_s {
  char *text; /* NUL-terminated once anything was written */
  size_t len, cap;
  int nomem;
} ed_textbuf_t;

/* Empty the buffer, keeping its memory for the next text. */
void ed_textbuf_clear(ed_textbuf_t *t);
void ed_textbuf_free(ed_textbuf_t *t);
/* Nothing was lost, and there is text (the empty string at least). */
int ed_textbuf_ok(ed_textbuf_t *t);
/* Mark the text as not whole (a caller's own write that could not fit). */
void ed_textbuf_fail(ed_textbuf_t *t);

void ed_textbuf_add(ed_textbuf_t *t, const char *s, size_t n);
void ed_textbuf_str(ed_textbuf_t *t, const char *s);
void ed_textbuf_int(ed_textbuf_t *t, int64_t v);

/* JSON text in the form Jansson's compact dump gives, with 17 digits for
 * reals (JSON_COMPACT | JSON_REAL_PRECISION(17)), so that a reader of that
 * exact form (report/rebuild_fast.c) and Jansson read it alike. Keys and
 * strings go through ed_textbuf_str as they are, unescaped: only names the
 * program itself chose may be written this way. A finite real is written
 * as %.17g, with ".0" added when it would read as an integer and the
 * exponent without '+' or leading zeros. */
void ed_textbuf_json_real(ed_textbuf_t *t, double v);

#endif
