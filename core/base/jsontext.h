/*
 * jsontext: JSON text written straight into a growable buffer, for the
 * lines a run writes by the thousand each second (a target's second in
 * the journal), where building a Jansson tree and dumping it would cost
 * more than everything else the line stands for.
 *
 * The text is the form Jansson's compact dump gives with a precision of
 * 17 digits for reals (JSON_COMPACT | JSON_REAL_PRECISION(17)): readers of
 * that exact form (report/rebuild_fast.c) and Jansson read it alike. Keys
 * and strings are written as given, unescaped: only names the program
 * itself chose may be written this way.
 *
 * A buffer that cannot grow is marked, and every later write is a no-op;
 * ed_jsontext_ok() says whether the text is whole.
 */
#ifndef ED_JSONTEXT_H
#define ED_JSONTEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ed_jsontext_s {
  char *text; /* NUL-terminated once anything was written */
  size_t len, cap;
  int nomem;
} ed_jsontext_t;

/* Empty the buffer, keeping its memory for the next line. */
void ed_jsontext_clear(ed_jsontext_t *t);
void ed_jsontext_free(ed_jsontext_t *t);
int ed_jsontext_ok(const ed_jsontext_t *t);

/* Text as it is (punctuation, a quoted key the caller wrote). */
void ed_jsontext_raw(ed_jsontext_t *t, const char *s);
void ed_jsontext_int(ed_jsontext_t *t, int64_t v);
/* A finite real as Jansson writes it: %.17g, ".0" added when it would read
 * as an integer, the exponent without '+' or leading zeros. */
void ed_jsontext_real(ed_jsontext_t *t, double v);

#endif
