/*
 * Fuzz target: the pattern module (core/base/pattern.c), which compiles and
 * matches the regular expressions users write ("match" of a check or of an
 * inspection rule) against text devices send, with hard limits.
 *
 * Input layout: byte 0 how many times the subject is repeated (1 to 256, so
 * that a small input reaches long subjects, where backtracking explodes),
 * then the pattern up to the first NUL byte, then the subject. A pattern
 * over a limit must be refused with a reason; a compiled one must answer
 * 1, 0 or a limit (with its reason) on any subject, within the fuzzer's
 * time and memory bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t times = (size_t)data[0] + 1;
  data++, size--;
  const uint8_t *nul = memchr(data, 0, size);
  size_t plen = nul ? (size_t)(nul - data) : size;
  char *text = malloc(plen + 1);
  if (!text)
    return 0;
  memcpy(text, data, plen);
  text[plen] = '\0';
  const uint8_t *subj = nul ? nul + 1 : data + size;
  size_t slen = (size_t)(data + size - subj);

  char why[256] = "";
  ed_pattern_t *p = NULL;
  int rc = ed_pattern_compile(text, &p, why, sizeof(why));
  if (rc != 0) {
    if (rc != ED_EINVAL && rc != ED_ENOMEM)
      abort(); /* no other answer is documented */
    if (rc == ED_EINVAL && !why[0])
      abort(); /* a refusal always says why */
    free(text);
    return 0;
  }
  if (strcmp(ed_pattern_text(p), text) != 0)
    abort();
  /* The subject, repeated; an exact-size buffer (no NUL after it). */
  size_t n = slen * times;
  char *s = malloc(n ? n : 1);
  if (s) {
    for (size_t i = 0; i < times; i++)
      memcpy(s + i * slen, subj, slen);
    why[0] = '\0';
    int m = ed_pattern_match(p, s, n, why, sizeof(why));
    if (m != 0 && m != 1 && m != ED_ERANGE && m != ED_ENOMEM)
      abort();
    if (m == ED_ERANGE && !why[0])
      abort(); /* a limit always says which */
    free(s);
  }
  ed_pattern_destroy(p);
  free(text);
  return 0;
}
