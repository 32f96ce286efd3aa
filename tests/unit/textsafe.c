/* textsafe: control characters, terminal escapes, C1 controls, bidi
 * overrides and invalid UTF-8 shown escaped; Markdown markup made literal;
 * printable text and valid UTF-8 kept; the buffer forms bounded like
 * snprintf; the stream and allocating forms equal to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "textsafe.h"

static void term_is(const char *in, const char *want) {
  char buf[256];
  size_t n = ed_text_escape_terminal(buf, sizeof(buf), in);
  assert_string_equal(buf, want);
  assert_int_equal(n, strlen(want));
  char *d = ed_text_terminal(in);
  assert_non_null(d);
  assert_string_equal(d, want);
  free(d);
  char *mem = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&mem, &len);
  assert_non_null(f);
  ed_text_fputs_terminal(f, in);
  fclose(f);
  assert_string_equal(mem, want);
  free(mem);
}

static void md_is(const char *in, const char *want) {
  char buf[256];
  size_t n = ed_text_escape_md(buf, sizeof(buf), in);
  assert_string_equal(buf, want);
  assert_int_equal(n, strlen(want));
  char *d = ed_text_md(in);
  assert_non_null(d);
  assert_string_equal(d, want);
  free(d);
  char *mem = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&mem, &len);
  assert_non_null(f);
  ed_text_fputs_md(f, in);
  fclose(f);
  assert_string_equal(mem, want);
  free(mem);
}

static void html_is(const char *in, const char *want) {
  char buf[256];
  size_t n = ed_text_escape_html(buf, sizeof(buf), in);
  assert_string_equal(buf, want);
  assert_int_equal(n, strlen(want));
  char *d = ed_text_html(in);
  assert_non_null(d);
  assert_string_equal(d, want);
  free(d);
  char *mem = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&mem, &len);
  assert_non_null(f);
  ed_text_fputs_html(f, in);
  fclose(f);
  assert_string_equal(mem, want);
  free(mem);
}

static void no_byte_below_space(const char *s) {
  for (; *s; s++)
    assert_true((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f);
}

static void test_plain_kept(void **state) {
  (void)state;
  term_is("", "");
  term_is(NULL, "");
  term_is("CPU1 Temp", "CPU1 Temp");
  term_is("fan_2 <ok> | 50% [x] #1 *", "fan_2 <ok> | 50% [x] #1 *");
  term_is("Température 45 °C, 電源", "Température 45 °C, 電源");
  term_is("emoji \xf0\x9f\x94\xa5", "emoji \xf0\x9f\x94\xa5");
}

static void test_terminal_controls(void **state) {
  (void)state;
  /* set the window title, then clear the screen */
  term_is("\x1b]0;x\x07\x1b[2J", "\\x1b]0;x\\x07\\x1b[2J");
  term_is("a\nb\rc\td", "a\\nb\\rc\\td");
  term_is("del\x7f", "del\\x7f");
  term_is("\x01\x1f", "\\x01\\x1f");
  /* C1 controls as UTF-8: CSI (U+009B), NEL (U+0085) */
  term_is("\xc2\x9b"
          "2J \xc2\x85",
          "\\u009b2J \\u0085");
  /* a right-to-left override and an isolate */
  term_is("ab\xe2\x80\xae"
          "cd\xe2\x81\xa6",
          "ab\\u202ecd\\u2066");
  char buf[64];
  ed_text_escape_terminal(buf, sizeof(buf), "\x1b[31mred\x1b[0m\a");
  no_byte_below_space(buf);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  term_is("\x9b"
          "2J",
          "\\x9b2J"); /* a raw 8-bit CSI */
  term_is("\xff\xfe", "\\xff\\xfe");
  term_is("\xc3", "\\xc3");          /* truncated */
  term_is("\xc3(", "\\xc3(");        /* bad continuation */
  term_is("\xc0\xaf", "\\xc0\\xaf"); /* overlong '/' */
  term_is("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
  term_is("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
  term_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
}

static void test_markdown(void **state) {
  (void)state;
  md_is("CPU1 Temp 45.5 (ok)", "CPU1 Temp 45.5 (ok)");
  md_is("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
  md_is("a|b", "a\\|b");
  md_is("poll_system http_4xx", "poll_system http_4xx");
  md_is("_x_ a_ _b __init__", "\\_x\\_ a\\_ \\_b \\_\\_init\\_\\_");
  md_is("*bold* _it_ `code` [l](u) # ~x~ !", "\\*bold\\* \\_it\\_ \\`code\\` "
                                             "\\[l\\](u) \\# \\~x\\~ \\!");
  md_is("R&D \\ back", "R&amp;D \\\\ back");
  md_is("\x1b]0;x\x07\x1b[2J <b>", "\\x1b\\]0;x\\x07\\x1b\\[2J &lt;b&gt;");
  md_is("line\nnext", "line\\nnext");
  md_is("Température", "Température");
  char buf[128];
  ed_text_escape_md(buf, sizeof(buf), "<script>\x1b|");
  assert_null(strstr(buf, "<script"));
  assert_null(strchr(buf, '\x1b'));
}

/* HTML: markup as entities, controls as visible escapes, Markdown's
 * specials left alone (they mean nothing there). */
static void test_html(void **state) {
  (void)state;
  html_is("CPU1 Temp 45.5 (ok)", "CPU1 Temp 45.5 (ok)");
  html_is("<script>alert('1')</script>",
          "&lt;script&gt;alert('1')&lt;/script&gt;");
  html_is("a \"b\" & c | *d* _e_ `f` [g](h)",
          "a &quot;b&quot; &amp; c | *d* _e_ `f` [g](h)");
  html_is("\x1b]0;x\x07\x1b[2J\r\b\xc2\x9b <b>",
          "\\x1b]0;x\\x07\\x1b[2J\\r\\x08\\u009b &lt;b&gt;");
  html_is("Température", "Température");
  char buf[8];
  assert_int_equal(ed_text_escape_html(buf, sizeof(buf), "<<<"), 12);
  assert_string_equal(buf, "&lt;&lt");
}

static void test_bounded(void **state) {
  (void)state;
  char buf[8];
  memset(buf, 'Z', sizeof(buf));
  /* "ab\x1b[2J" needs 9 bytes escaped */
  size_t n = ed_text_escape_terminal(buf, sizeof(buf), "ab\x1b[2J");
  assert_int_equal(n, strlen("ab\\x1b[2J"));
  assert_string_equal(buf, "ab\\x1b[");
  n = ed_text_escape_md(buf, 1, "<x>");
  assert_int_equal(n, strlen("&lt;x&gt;"));
  assert_string_equal(buf, "");
  assert_int_equal(ed_text_escape_md(NULL, 0, "<x>"), strlen("&lt;x&gt;"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_kept),
      cmocka_unit_test(test_terminal_controls),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_markdown),
      cmocka_unit_test(test_html),
      cmocka_unit_test(test_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
