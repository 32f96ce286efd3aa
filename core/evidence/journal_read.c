#include "journal_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct reader_s {
  ed_jread_cb cb;
  void *arg;
  ed_jread_stats_t *st;
  ed_jread_raw_cb raw;
} reader_t;

/* One line (without its newline). `last_unterminated`: the line had no
 * newline after it, so a parse failure means the run was cut mid-write. */
static int one_line(reader_t *r, const char *text, size_t len,
                    int last_unterminated) {
  ed_jread_stats_t *st = r->st;
  st->lines++;
  while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == ' '))
    len--;
  if (len == 0)
    return 0;
  if (r->raw && !last_unterminated && st->events > 0 &&
      r->raw(r->arg, text, len)) {
    st->events++;
    return 0;
  }
  json_error_t err;
  json_t *ev = json_loadb(text, len, 0, &err);
  const char *kind =
      json_is_object(ev) ? json_string_value(json_object_get(ev, "ev")) : NULL;
  if (!kind) {
    json_decref(ev);
    if (last_unterminated) {
      st->partial_last = 1;
    } else {
      st->bad_lines++;
      if (!st->first_bad)
        st->first_bad = st->lines;
    }
    return 0;
  }
  if (st->events == 0 && strcmp(kind, "run_start") == 0)
    st->has_run_start = 1;
  if (strcmp(kind, "run_end") == 0) {
    st->has_run_end = 1;
    if (json_is_true(json_object_get(ev, "interrupted")))
      st->interrupted = 1;
  } else if (strcmp(kind, "interrupt") == 0) {
    const char *why = json_string_value(json_object_get(ev, "reason"));
    if (why && !st->interrupt_reason[0])
      snprintf(st->interrupt_reason, sizeof(st->interrupt_reason), "%s", why);
    st->interrupted = 1;
  }
  st->events++;
  int rc = r->cb ? r->cb(r->arg, ev, kind, st->lines) : 0;
  json_decref(ev);
  return rc;
}

int ed_journal_read_mem(const char *buf, size_t len, ed_jread_cb cb, void *arg,
                        ed_jread_stats_t *st) {
  ed_jread_stats_t local;
  if (!st)
    st = &local;
  memset(st, 0, sizeof(*st));
  reader_t r = {cb, arg, st, NULL};
  size_t at = 0;
  while (at < len) {
    const char *nl = memchr(buf + at, '\n', len - at);
    size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
    int rc = one_line(&r, buf + at, n, nl == NULL);
    if (rc != 0)
      return rc;
    at += n + (nl ? 1 : 0);
  }
  return 0;
}

int ed_journal_read(const char *path, ed_jread_cb cb, void *arg,
                    ed_jread_stats_t *st) {
  return ed_journal_read_raw(path, NULL, cb, arg, st);
}

int ed_journal_read_raw(const char *path, ed_jread_raw_cb raw, ed_jread_cb cb,
                        void *arg, ed_jread_stats_t *st) {
  ed_jread_stats_t local;
  if (!st)
    st = &local;
  memset(st, 0, sizeof(*st));
  FILE *f = fopen(path, "r");
  if (!f)
    return ED_EIO;
  reader_t r = {cb, arg, st, raw};
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int rc = 0;
  while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
    int terminated = line[n - 1] == '\n';
    rc = one_line(&r, line, (size_t)n - (terminated ? 1 : 0), !terminated);
  }
  if (rc == 0 && ferror(f))
    rc = ED_EIO;
  free(line);
  fclose(f);
  return rc;
}

int ed_jread_describe(const ed_jread_stats_t *st, char *buf, size_t len) {
  if (len)
    buf[0] = '\0';
  int incomplete = !st->has_run_end || st->partial_last;
  size_t at = 0;
  int n;
  if (!st->has_run_start) {
    n = snprintf(buf + at, len - at,
                 "the journal does not begin with "
                 "run_start. ");
    at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
  }
  if (!st->has_run_end) {
    n = snprintf(buf + at, len - at,
                 "The run did not finish: the journal has no run_end "
                 "event; figures cover only what happened before it "
                 "stopped. ");
    at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
  }
  if (st->partial_last) {
    n = snprintf(buf + at, len - at,
                 "The last line of the journal (line %zu) was cut mid-write "
                 "and was skipped. ",
                 st->lines);
    at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
  }
  if (st->bad_lines) {
    n = snprintf(buf + at, len - at,
                 "%zu line%s of the journal %s not valid JSON events and "
                 "%s skipped (first: line %zu). ",
                 st->bad_lines, st->bad_lines == 1 ? "" : "s",
                 st->bad_lines == 1 ? "was" : "were",
                 st->bad_lines == 1 ? "was" : "were", st->first_bad);
    at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
  }
  if (at > 0 && at <= len && buf[at - 1] == ' ')
    buf[at - 1] = '\0';
  return incomplete;
}
