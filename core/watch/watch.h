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

#include <stddef.h>
#include <stdio.h>

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

#endif
