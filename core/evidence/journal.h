/*
 * journal: the run's append-only event log, journal.jsonl, one JSON object a
 * line. Each event goes out in a single write(2) as it happens, so a run that
 * dies leaves every event written before it died, and at most one partial
 * last line. ed_journal_sync() forces the file to disk at the moments that
 * matter (run start, end, faults).
 *
 * Every event has "ev" (its kind) and "t" (seconds since the run start).
 * The kinds are documented in docs/results.md.
 */
#ifndef ED_JOURNAL_H
#define ED_JOURNAL_H

#include <jansson.h>

#include "textbuf.h"
#include "metrics.h"

typedef struct ed_journal_s ed_journal_t;

/* Create path (it must not exist, not even as a link), mode 0640 whatever
 * the umask. Returns 0, or ED_EIO / ED_EEXISTS with errno kept. Free with
 * ed_journal_close. */
int ed_journal_open(const char *path, ed_journal_t **out);
/* Open an existing journal to append to it (`eventdrill recover`): not
 * through a symlink, and not a file with other names (EMLINK). */
int ed_journal_open_append(const char *path, ed_journal_t **out);
/* Write one event; ev and t are set here. The object is borrowed (not
 * stolen). Returns 0 or ED_EIO (the first write error is also logged). */
int ed_journal_write(ed_journal_t *j, const char *ev, double t, json_t *obj);
/* One target's second of a workload ("sec"): its counts, and its
 * latency and service-time histograms when requests are not journaled one
 * by one (lat and svc both set, or both NULL). */
typedef struct ed_journal_sec_s {
  size_t w, tg, ph;
  int64_t sec;
  const ed_counts_t *counts;
  const ed_hist_t *lat, *svc;
} ed_journal_sec_t;
/* Write a "sec" event at t = sec + 1, the text built in buf (kept by the
 * caller from one line to the next) without a Jansson tree: the same
 * bytes ed_journal_write would write, at a fraction of its cost. 0, or
 * ED_EIO / ED_ENOMEM. */
int ed_journal_write_sec(ed_journal_t *j, ed_textbuf_t *buf,
                         const ed_journal_sec_t *s);
/* Write raw, already compact JSON text followed by a newline (hot path). */
int ed_journal_write_raw(ed_journal_t *j, const char *text, size_t len);
/* Force what was written to disk (fdatasync). 0, or ED_EIO when it failed
 * or any earlier write did: nothing said to be on disk is missing. */
int ed_journal_sync(ed_journal_t *j);
/* Called once, at the first write or sync that fails, with "cannot write
 * PATH: reason" (already logged); from then on nothing more is written.
 * A write that fails part way is cut back, so the file stays whole lines. */
typedef void (*ed_journal_fail_cb)(void *arg, const char *why);
void ed_journal_on_fail(ed_journal_t *j, ed_journal_fail_cb cb, void *arg);
int ed_journal_failed(const ed_journal_t *j);
/* Events written so far. */
unsigned long long ed_journal_events(const ed_journal_t *j);
void ed_journal_close(ed_journal_t *j);

#endif
