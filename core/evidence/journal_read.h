/*
 * journal_read: reads a run's journal.jsonl back, one event at a time. It is
 * tolerant of what a run that died can leave: a partial last line (no newline
 * and not valid JSON) is skipped and reported, not an error. Lines that are
 * not JSON objects elsewhere are counted and skipped.
 */
#ifndef ED_JOURNAL_READ_H
#define ED_JOURNAL_READ_H

#include <jansson.h>
#include <stddef.h>

/* What a read found, beside the events themselves. */
typedef struct ed_jread_stats_s {
  size_t lines;      /* lines seen, the partial last one included */
  size_t events;     /* valid events handed to the callback */
  size_t bad_lines;  /* complete lines that were not JSON objects */
  size_t first_bad;  /* line number (1-based) of the first bad line, 0 */
  int partial_last;  /* 1: the last line was cut (no newline, not JSON) */
  int has_run_start; /* the first event is run_start */
  int has_run_end;   /* a run_end event was seen */
  int interrupted;   /* run_end said interrupted, or an interrupt event */
  /* the first interrupt event's reason, when it was not a signal (another
   * shard of the drill aborted or disappeared), or "" */
  char interrupt_reason[512];
} ed_jread_stats_t;

/* Called for each event in order, with its 1-based line number. The event
 * is borrowed: take a reference to keep it. Return 0 to go on, anything else
 * to stop the read (ed_journal_read then returns that value). */
typedef int (*ed_jread_cb)(void *arg, const json_t *ev, const char *kind,
                           size_t line);

/* Read the journal at path. st (may be NULL) is filled. Returns 0, ED_EIO
 * (cannot open or read), or the callback's non-zero value. */
int ed_journal_read(const char *path, ed_jread_cb cb, void *arg,
                    ed_jread_stats_t *st);
/* A reader's own parser for its hot lines: called first with each complete
 * line (no newline); it returns 1 when it took the line (counted as an
 * event, not parsed into JSON), 0 to have it parsed and handed to the
 * callback as usual (a line it does not know, or one it finds odd). */
typedef int (*ed_jread_raw_cb)(void *arg, const char *line, size_t len);

/* ed_journal_read with a raw hook first (may be NULL). */
int ed_journal_read_raw(const char *path, ed_jread_raw_cb raw, ed_jread_cb cb,
                        void *arg, ed_jread_stats_t *st);

/* The same over a buffer in memory (tests). */
int ed_journal_read_mem(const char *buf, size_t len, ed_jread_cb cb, void *arg,
                        ed_jread_stats_t *st);

/* One sentence describing what is missing or damaged, for a report (""
 * when the journal is whole). Writes at most len bytes into buf. Returns 1
 * when the journal is incomplete (no run_end, or a partial last line). */
int ed_jread_describe(const ed_jread_stats_t *st, char *buf, size_t len);

#endif
