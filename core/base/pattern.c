#include "pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct ed_pattern_s {
  pcre2_code *code;
  char *text;
};

/* POSIX meanings kept: "." takes newlines, "$" is only the end. UTF:
 * characters, not bytes; an invalid UTF-8 subject is matched, not refused
 * (a device's answer is what it is). */
#define OPTIONS                                                                \
  (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | \
   PCRE2_NEVER_BACKSLASH_C | PCRE2_AUTO_CALLOUT)

static void message(int code, char *why, size_t len) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof(buf)) < 0)
    snprintf((char *)buf, sizeof(buf), "error %d", code);
  snprintf(why, len, "%s", (const char *)buf);
}

/* Characters (UTF-8 code points) in text, to state the length limit in the
 * unit a person counts. */
static size_t characters(const char *text) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    n += (*p & 0xC0) != 0x80;
  return n;
}

int ed_pattern_compile(const char *text, ed_pattern_t **out, char *why,
                       size_t len) {
  *out = NULL;
  size_t nchars = characters(text);
  if (nchars > ED_PATTERN_MAX_LENGTH) {
    snprintf(why, len, "%zu characters, longer than the limit of %d", nchars,
             ED_PATTERN_MAX_LENGTH);
    return ED_EINVAL;
  }
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  ed_pattern_t *p = calloc(1, sizeof(*p));
  if (!cc || !p || !(p->text = strdup(text))) {
    pcre2_compile_context_free(cc);
    ed_pattern_destroy(p);
    return ED_ENOMEM;
  }
  /* In code units: the character limit above is the one users read; this
   * one bounds what PCRE2 is given whatever the characters' widths. */
  pcre2_set_max_pattern_length(cc, (PCRE2_SIZE)ED_PATTERN_MAX_LENGTH * 4);
  pcre2_set_parens_nest_limit(cc, ED_PATTERN_MAX_NESTING);
  int code;
  PCRE2_SIZE at;
  p->code = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, OPTIONS,
                          &code, &at, cc);
  pcre2_compile_context_free(cc);
  if (!p->code) {
    char what[256];
    message(code, what, sizeof(what));
    if (code == PCRE2_ERROR_HEAP_FAILED) {
      ed_pattern_destroy(p);
      return ED_ENOMEM;
    }
    /* PCRE2's offset is in bytes; say the character, 1-based. */
    size_t ch = 0;
    for (size_t i = 0; i < at && text[i]; i++)
      ch += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (code == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP)
      snprintf(why, len,
               "groups nested more than the limit of %d deep (at character "
               "%zu)",
               ED_PATTERN_MAX_NESTING, ch + 1);
    else if (code == PCRE2_ERROR_PATTERN_TOO_LARGE)
      snprintf(why, len,
               "too large once compiled: its counted repeats "
               "expand beyond the limit");
    else
      snprintf(why, len, "%s (at character %zu)", what, ch + 1);
    ed_pattern_destroy(p);
    return ED_EINVAL;
  }
  *out = p;
  return 0;
}

void ed_pattern_destroy(ed_pattern_t *p) {
  if (!p)
    return;
  pcre2_code_free(p->code);
  free(p->text);
  free(p);
}

const char *ed_pattern_text(const ed_pattern_t *p) {
  return p->text;
}

/* PCRE2's match limit counts afresh at each place of the subject a match
 * is tried from: "(a+)+$" on a few kB of "aaa...!" then costs that many
 * times the limit (minutes). Every item of the pattern calls this (compiled
 * with PCRE2_AUTO_CALLOUT), which counts the steps of the whole match. */
static int on_step(pcre2_callout_block *b, void *arg) {
  (void)b;
  unsigned long *steps = arg;
  return ++*steps > ED_PATTERN_STEP_LIMIT ? PCRE2_ERROR_MATCHLIMIT : 0;
}

int ed_pattern_match(const ed_pattern_t *p, const char *subject, size_t n,
                     char *why, size_t len) {
  pcre2_match_context *mc = pcre2_match_context_create(NULL);
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  if (!mc || !md) {
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    return ED_ENOMEM;
  }
  pcre2_set_match_limit(mc, ED_PATTERN_MATCH_LIMIT);
  pcre2_set_depth_limit(mc, ED_PATTERN_DEPTH_LIMIT);
  pcre2_set_heap_limit(mc, ED_PATTERN_HEAP_KIB);
  unsigned long steps = 0;
  pcre2_set_callout(mc, on_step, &steps);
  int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, n, 0, 0, md, mc);
  pcre2_match_data_free(md);
  pcre2_match_context_free(mc);
  if (rc >= 0)
    return 1;
  if (rc == PCRE2_ERROR_NOMATCH)
    return 0;
  switch (rc) {
  case PCRE2_ERROR_MATCHLIMIT:
    if (steps > ED_PATTERN_STEP_LIMIT)
      snprintf(why, len,
               "matching stopped at its limit: the pattern needs more than %d "
               "steps in all on this value",
               ED_PATTERN_STEP_LIMIT);
    else
      snprintf(why, len,
               "matching stopped at its limit: the pattern needs more than %d "
               "steps on this value",
               ED_PATTERN_MATCH_LIMIT);
    break;
  case PCRE2_ERROR_DEPTHLIMIT:
    snprintf(why, len,
             "matching stopped at its limit: the pattern backtracks more "
             "than %d levels deep on this value",
             ED_PATTERN_DEPTH_LIMIT);
    break;
  case PCRE2_ERROR_HEAPLIMIT:
    snprintf(why, len,
             "matching stopped at its limit: the pattern needs more than %d "
             "KiB on this value",
             ED_PATTERN_HEAP_KIB);
    break;
  case PCRE2_ERROR_NOMEMORY:
    return ED_ENOMEM;
  default: {
    char what[256];
    message(rc, what, sizeof(what));
    snprintf(why, len, "matching failed: %s", what);
  }
  }
  return ED_ERANGE;
}
