/*
 * progress: what the terminal shows while a run goes on. On a TTY one live
 * line, redrawn each second; otherwise a plain line every few seconds; with
 * --json one JSON object per second on stdout; nothing with --quiet.
 */
#ifndef ED_PROGRESS_H
#define ED_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "scenario.h"

typedef enum {
  ED_PROGRESS_AUTO = 0, /* live line on a TTY, plain lines otherwise */
  ED_PROGRESS_PLAIN,
  ED_PROGRESS_JSON,
  ED_PROGRESS_QUIET
} ed_progress_mode_t;

typedef struct ed_progress_s {
  ed_progress_mode_t mode;
  int tty;
  FILE *out;
  const ed_scenario_t *scenario; /* borrowed */
  const ed_metrics_t *metrics;   /* borrowed */
  int64_t total_s;
  int line_open; /* a live line is on screen */
} ed_progress_t;

void ed_progress_init(ed_progress_t *p, ed_progress_mode_t mode,
                      const ed_scenario_t *s, const ed_metrics_t *m);
/* Second sec has closed; in_flight and waiting are the scheduler's now. */
void ed_progress_second(ed_progress_t *p, int64_t sec, int64_t in_flight,
                        int64_t waiting);
/* Print a message line without breaking the live line. */
void ed_progress_message(ed_progress_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* End the live line. */
void ed_progress_close(ed_progress_t *p);

#endif
