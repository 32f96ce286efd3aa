/*
 * view: the watch's live terminal view, drawn with ncurses on the watch's
 * libuv loop (keys read when stdin is readable, SIGWINCH handled, redrawn
 * four times a second when something changed and every second for the
 * ages). It shows what a source gives it and hands the keys' actions back;
 * it owns no device and no alarm.
 *
 *   ┌ summary: devices up/down, alarms by severity, interval, budget,
 *   │ polling or paused, the label filter
 *   ├ devices, worst first: name, labels, reachable, power, health,
 *   │ latency p50/p99 over the last minute, last poll age, budget note;
 *   │ figures marked stale while a poll is outstanding past its interval
 *   ├ alarms: severity, id, device, kind, text, age, acknowledged, and
 *   │ how many the filter hides
 *   ├ the selected alarm in full (its text wrapped, never cut)
 *   ├ the selected alarm's emergency-plan entry and verification results
 *   └ keys: ↑/↓ select, a acknowledge (A with a note), / filter (role=db), p
 * pause, r run the plan's read-only verifications, q quit
 */
#ifndef ED_VIEW_H
#define ED_VIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "alarm.h"

/* One device as the view shows it (strings borrowed for the call). */
typedef struct ed_view_device_s {
  const char *name;
  const json_t *labels; /* object of strings, or NULL */
  int polled;           /* at least one poll came back */
  int reachable;
  const char *power;     /* "on", … or NULL (not read) */
  const char *health;    /* worst component health, or NULL */
  const char *error;     /* why unreachable, or NULL */
  double p50_ms, p99_ms; /* over the last minute; < 0: no sample */
  double age_s;          /* since the last poll came back; < 0: none yet */
  double outstanding_s;  /* a poll in flight for that long; < 0: none */
  int64_t interval_ms;   /* effective interval */
  int stretched;         /* interval stretched by the budget */
} ed_view_device_t;

typedef struct ed_view_summary_s {
  const char *title; /* inventory name */
  int64_t interval_ms;
  double budget; /* requests/s per device */
  int paused;
  double now_t; /* the watch's clock (seconds), for ages */
} ed_view_summary_t;

/* What the view reads (all called on the loop thread, while drawing). */
typedef struct ed_view_source_s {
  void *arg;
  size_t (*ndevices)(void *arg);
  void (*device)(void *arg, size_t i, ed_view_device_t *out);
  const ed_alarm_engine_t *(*alarms)(void *arg);
  void (*summary)(void *arg, ed_view_summary_t *out);
  /* The emergency-plan entry of an alarm, or NULL (borrowed until the next
   * call): {"plan", "fault", "steps": [{"name", "action", "verify": [..]}],
   * "running": bool, "results": [{"step", "check", "ok", "reason",
   * "latency_ms"}]}. */
  const json_t *(*plan)(void *arg, unsigned alarm_id);
  /* Keys' actions. */
  /* note: what the person on duty typed with the acknowledgement (`A`),
   * or NULL (`a`); borrowed for the call. */
  void (*ack)(void *arg, unsigned alarm_id, const char *note);
  void (*pause)(void *arg);
  void (*verify)(void *arg, unsigned alarm_id);
  void (*quit)(void *arg);
} ed_view_source_t;

typedef struct ed_view_s ed_view_t;

/* Take over the terminal (stdin, stdout) on loop. src is copied. Returns 0,
 * ED_EIO (not a terminal, ncurses failed) or ED_ENOMEM. */
int ed_view_create(uv_loop_t *loop, const ed_view_source_t *src,
                   ed_view_t **out);
/* Something changed: redraw soon. */
void ed_view_dirty(ed_view_t *v);
/* A one-line message at the bottom (copied), e.g. "alarm 3 acknowledged". */
void ed_view_message(ed_view_t *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Give the terminal back and close the handles; memory is freed once they
 * are closed (run the loop). NULL is ok. */
void ed_view_destroy(ed_view_t *v);

/* The pure parts, for tests. */
/* 1 when labels match the filter "key=value[,key=value…]" (empty: all). */
int ed_view_filter_match(const json_t *labels, const char *filter);
/* "role=db,site=hall-a" of a labels object into buf. */
void ed_view_labels_text(const json_t *labels, char *buf, size_t len);

#endif
