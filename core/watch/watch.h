/*
 * watch: the on-duty console (`eventdrill watch INVENTORY`). During the
 * event it polls every device of an inventory, read-only, at an interval
 * with jitter and under a per-device request budget; judges each snapshot
 * with the alarm rules (alarm.h); shows devices and alarms live (view.h) or
 * writes alarm events as JSON lines; runs a hook on each alarm event; and
 * journals everything in results/<UTC>-watch-<inventory>/journal.jsonl.
 * `eventdrill report DIR` on that folder writes the "during the event"
 * report. Usage, keys, rules and events: docs/watch.md.
 */
#ifndef ED_WATCH_H
#define ED_WATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "journal_read.h"

/* Run `watch` with its arguments (argv[0] is "watch"). Prints its own
 * messages; returns an exit status: 0 ended cleanly (q, --duration,
 * SIGINT/SIGTERM), 2 bad usage or invalid inventory, plan or rules file,
 * 4 could not start (drivers, results folder). */
int ed_watch_command(int argc, char **argv);

/* 1 when dir holds the journal of a watch (its first event is
 * watch_start), else 0. */
int ed_watch_is_results(const char *dir);

/* Write dir/report.md and dir/report.html (and plots/ unless no_plots)
 * from dir/journal.jsonl of a watch. The path of report.html goes to
 * html_path (may be NULL). Returns 0, ED_ENOTFOUND / ED_EPARSE (no usable
 * watch journal), ED_EIO. gnuplot missing is not an error: the report says
 * so. */
int ed_watch_report_write(const char *dir, int no_plots, char *html_path,
                          size_t len);

/* The model of a watch rebuilt from dir/journal.jsonl, the one its report
 * renders: {"start": watch_start, "end": watch_end or absent, "last_t",
 * "devices": {name: counters}, "alarms": {id: {the raise event,
 * "raised_at_t", "acked_t", "acked_by", "ack_note", "cleared_t"}},
 * "order": [alarm ids], "verify": [plan_verify events], "pauses"}.
 * st (may be NULL) gets what the reader found. Returns 0 (*out new),
 * ED_ENOTFOUND (no journal) or ED_EPARSE (not a watch). */
int ed_watch_model(const char *dir, json_t **out, ed_jread_stats_t *st);

/* The KPIs of a device over the duty window, as the report shows them:
 * {"polls", "ok", "alarms", and when measured "availability_pct",
 * "p50_ms" (median of the polls' p50), "p99_ms" (99th percentile of the
 * polls' p99), "requests_per_s"}, and "sensor_peak": {sensor: highest
 * reading}. New reference. */
json_t *ed_watch_kpi(const json_t *model, const char *device);

/* Who acknowledged an alarm of the model, with the note: "alice: PSU
 * reseated", "-" when not acknowledged. New reference. */
json_t *ed_watch_acked_by(const json_t *alarm);

#endif
