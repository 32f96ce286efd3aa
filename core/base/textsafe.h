/*
 * textsafe: text that came from a device (a sensor name, a firmware
 * string, an error body) shown as data, never as control.
 *
 * On a terminal, a byte below 0x20, DEL, a C1 control (U+0080..U+009F), a
 * bidirectional override (U+202A..U+202E, U+2066..U+2069) or a byte that
 * is not valid UTF-8 would move the cursor, set the window title, clear
 * the screen or reorder what is read; each is written as a visible escape
 * instead: \n, \r, \t, \xHH for a byte, \uHHHH for a code point. Printable
 * ASCII and valid UTF-8 text are kept as they are.
 *
 * In Markdown, the same escapes, and then what Markdown would read as
 * markup is made literal: \ ` * _ [ ] # | ~ ! with a backslash (an
 * underscore inside a word, as in poll_system, is no markup and stays), and
 * < > & as the entities &lt; &gt; &amp;, so that "<script>" stays text and
 * a "|" does not end a table cell.
 *
 * In HTML, the same escapes (a control byte is no character an HTML page
 * may hold, and a page shown with cat must not drive the terminal), and
 * < > & " as entities.
 *
 * The buffer functions work like snprintf: they write at most len bytes,
 * always terminated when len > 0, and return the length the whole escaped
 * text needs (without its NUL). A NULL s is the empty string.
 */
#ifndef ED_TEXTSAFE_H
#define ED_TEXTSAFE_H

#include <stddef.h>
#include <stdio.h>

size_t ed_text_escape_terminal(char *dst, size_t len, const char *s);
size_t ed_text_escape_md(char *dst, size_t len, const char *s);
size_t ed_text_escape_html(char *dst, size_t len, const char *s);

/* The same, written to f. */
void ed_text_fputs_terminal(FILE *f, const char *s);
void ed_text_fputs_md(FILE *f, const char *s);
void ed_text_fputs_html(FILE *f, const char *s);

/* The same, in a new string the caller frees; NULL when out of memory. */
char *ed_text_terminal(const char *s);
char *ed_text_md(const char *s);
char *ed_text_html(const char *s);

#endif
