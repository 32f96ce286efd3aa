/*
 * Fuzz target: the journal reader (core/report/journal_read.c), over a buffer
 * (ed_journal_read_mem, an exact-size copy: no NUL after it) and, for every
 * other input, over a file (ed_journal_read on a memfd). The callback looks
 * at each event and stops the read at the event whose line number the first
 * byte names, so early stops are covered too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "journal_read.h"

typedef struct {
  size_t stop_at;
  size_t seen;
} ctx_t;

static int on_event(void *arg, const json_t *ev, const char *kind,
                    size_t line) {
  ctx_t *c = arg;
  if (!json_is_object(ev) || kind == NULL || line == 0)
    abort();
  (void)strlen(kind);
  (void)json_number_value(json_object_get(ev, "t"));
  c->seen++;
  return c->stop_at && line == c->stop_at ? 7 : 0;
}

static int fd = -1;
static char path[64];

static void check(const ed_jread_stats_t *st, int rc, const ctx_t *c) {
  if (rc != 0 && rc != 7 && rc >= 0)
    abort();
  if (rc == 0 && st->events != c->seen)
    abort();
  char buf[512];
  (void)ed_jread_describe(st, buf, sizeof(buf));
  if (memchr(buf, 0, sizeof(buf)) == NULL)
    abort();
  char tiny[8];
  (void)ed_jread_describe(st, tiny, sizeof(tiny));
  if (memchr(tiny, 0, sizeof(tiny)) == NULL)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  ctx_t c = {data[0] & 0x7f ? (size_t)(data[0] & 0x7f) : 0, 0};
  int use_file = data[0] & 0x80;
  data++;
  size--;
  ed_jread_stats_t st;
  memset(&st, 0, sizeof(st));
  int rc;
  if (use_file) {
    if (fd < 0) {
      fd = memfd_create("journal.jsonl", 0);
      if (fd < 0)
        return 0;
      snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
      return 0;
    rc = ed_journal_read(path, on_event, &c, &st);
  } else {
    char *buf = malloc(size ? size : 1);
    if (!buf)
      return 0;
    memcpy(buf, data, size);
    rc = ed_journal_read_mem(buf, size, on_event, &c, &st);
    free(buf);
  }
  check(&st, rc, &c);
  return 0;
}
