/*
 * Fuzz target: the reader of an answer on a kept-alive connection
 * (drivers/redfish/answer.c), interim answers included: an untrusted device
 * sends anything, in any pieces, as often as it likes.
 *
 * Input layout: byte 0 the size of the pieces fed (1 to 256), byte 1 how
 * many times the repeated part is sent (1 to 256, so that a small input can
 * reach the limits of hundreds of kB), then a head sent once up to the
 * first NUL byte (all of it when there is none), then the repeated part.
 * The reader must stop at its limits, never read after it stopped, and
 * count right.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

#define MAX_BODY 65536

static size_t take(void *arg, const char *p, size_t len) {
  size_t *seen = arg;
  (void)p;
  if (*seen + len > MAX_BODY)
    return 0;
  *seen += len;
  return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  size_t piece = (size_t)data[0] + 1;
  unsigned copies = (unsigned)data[1] + 1;
  const char *head = (const char *)data + 2;
  const char *nul = memchr(head, 0, size - 2);
  size_t hlen = nul ? (size_t)(nul - head) : size - 2;
  const char *rep = nul ? nul + 1 : head + hlen;
  size_t rlen = size - 2 - hlen - (nul ? 1 : 0);
  size_t seen = 0, used_total = 0;
  ed__rf_answer_t a;
  ed__rf_answer_init(&a, take, &seen);
  for (unsigned c = 0; c <= copies && !a.done && !a.err; c++) {
    const char *bytes = c == 0 ? head : rep; /* the head, then the copies */
    size_t n = c == 0 ? hlen : rlen;
    for (size_t off = 0; off < n && !a.done && !a.err; off += piece) {
      size_t k = n - off < piece ? n - off : piece;
      /* An exact-size copy: ASan sees any read past the piece. */
      char *buf = malloc(k);
      if (!buf)
        return 0;
      memcpy(buf, bytes + off, k);
      size_t used = ed__rf_answer_feed(&a, buf, k);
      free(buf);
      if (used > k)
        abort();
      used_total += used;
      /* Past the limit by one piece at most, then stopped. */
      if (a.fed - a.body_bytes > ED__RF_HEAD_MAX + a.body_bytes + piece)
        abort();
    }
  }
  if (!a.done && !a.err)
    ed__rf_answer_feed(&a, NULL, 0); /* the connection ends */
  if (a.fed < used_total || a.body_bytes != seen || seen > MAX_BODY)
    abort();
  if (a.interims > ED__RF_INTERIM_MAX + 1)
    abort();
  /* The answer read is never an interim one (its status is classified by
   * response.c, which takes any number). */
  if (a.done && (a.err || a.interim || a.status < 0 || a.status > 999 ||
                 (a.status >= 100 && a.status < 200)))
    abort();
  if (a.done || a.err) { /* nothing more is read */
    char more[4] = "HTTP";
    if (ed__rf_answer_feed(&a, more, sizeof(more)) != 0)
      abort();
  }
  char why[256];
  ed__rf_answer_why(&a, why, sizeof(why));
  if (!memchr(why, 0, sizeof(why)))
    abort();
  return 0;
}
