/*
 * What the parts of the watch share: the command (watch.c), the polls and
 * the budget (watch_poll.c), the events (watch_events.c: journal, JSON
 * lines, hooks), the emergency plan (watch_plan.c) and the view's source
 * (watch_source.c). Not a public interface.
 */
#ifndef ED_WATCH_INTERNAL_H
#define ED_WATCH_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <uv.h>

#include "alarm.h"
#include "collect.h"
#include "fleet.h"
#include "journal.h"
#include "plugin_host.h"
#include "probe.h"
#include "rng.h"
#include "scenario.h"
#include "view.h"

#define ED__WATCH_LAT_RING 128 /* polls kept for the last-minute latency */

/* The command line. */
typedef struct ed__watch_opts_s {
  const char *inventory;
  const char *plan;          /* scenario file, or NULL */
  const char *rules;         /* rules file, or NULL */
  const char *hook;          /* shell command, or NULL */
  const char *metrics;       /* --metrics ADDR:PORT, or NULL */
  const char *alertmanager;  /* --alertmanager URL, or NULL */
  const char *operator_name; /* who acknowledges (--operator, else the login) */
  const char *out_dir, *results_root;
  int64_t interval_ms;
  double budget;       /* requests/s per device */
  int64_t duration_ms; /* 0: until q or a signal */
  int json;            /* JSON lines even on a terminal */
  int no_report;
  uint64_t seed;
  int has_seed;
  json_t *labels; /* --label selector: object of strings (owned) */
  char *command;  /* the command line, for the journal (owned) */
} ed__watch_opts_t;

typedef struct ed__watch_s ed__watch_t;

/* One latency sample: a poll's p50 and p99. */
typedef struct ed__wlat_s {
  double t, p50, p99;
} ed__wlat_t;

/* One device being watched. */
typedef struct ed__wdev_s {
  ed__watch_t *w;
  ed_fleet_target_t *ft;
  uv_timer_t timer;
  int timer_on;        /* timer initialised */
  int polling;         /* a poll (or a start) in flight: at most one */
  int64_t interval_ms; /* effective: the budget may stretch it */
  int stretched;
  int recent_requests[4]; /* requests of the last polls, for the budget */
  uint64_t poll_start_ns;
  double last_t; /* watch time the last poll came back; < 0: none */
  unsigned long polls, polls_ok;
  json_t *last; /* last snapshot (owned) */
  ed__wlat_t lat[ED__WATCH_LAT_RING];
  size_t nlat, lat_next;
} ed__wdev_t;

struct ed__watch_s {
  ed__watch_opts_t o;
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  ed_scenario_t *inv;  /* the inventory (devices as targets) */
  ed_scenario_t *plan; /* --plan scenario, or NULL */
  ed_alarm_rules_t rules;
  ed_target_t *selected; /* the devices watched (shallow copies) */
  ed_fleet_t fleet;
  int fleet_ready;
  ed_probe_target_t *ptargets;
  ed_probe_host_t probes;
  int probes_ready;
  ed_collect_opts_t copts;
  ed__wdev_t *devs;
  size_t ndevs;
  ed_alarm_engine_t *alarms;
  ed_rng_t rng;
  /* results */
  char dir[PATH_MAX];
  ed_journal_t *journal;
  uint64_t t0_ns;
  double start_epoch;
  /* handles */
  uv_signal_t sigint, sigterm;
  uv_timer_t duration, wait;
  int handles_open;
  /* state */
  int started; /* the devices' start came back */
  int paused;
  int stopping;   /* an end was asked */
  int stop_begun; /* polls stopped, waiting for what is in flight */
  int stopped;    /* devices stopped, handles closing */
  int wait_rounds;
  const char *end_reason;
  ed_view_t *view;
  int json_lines;   /* alarm events on stdout: no view */
  int saved_stderr; /* stderr while the view owns the terminal, or -1 */
  int hooks_running;
  struct ed__whook_s *hooks; /* running hooks (watch_events.c) */
  unsigned long hooks_started, hooks_dropped;
  json_t *verify; /* alarm id (text) -> plan entry with results (owned) */
  int verifying;  /* plan verifications in flight */
  struct ed_prom_http_s *expose; /* --metrics (watch_export.c), or NULL */
  struct ed_am_s *am;            /* --alertmanager, or NULL */
  const char *ack_note; /* the note of the ack being journaled, or NULL */
  unsigned long polls;
  int exit_code;
};

/* watch.c */
double ed__watch_now(const ed__watch_t *w);
/* Who acknowledges alarms: --operator, else the login name. Borrowed. */
const char *ed__watch_operator(const ed__watch_t *w);
/* Begin the end (reason: "quit", "duration", "SIGINT", "SIGTERM"). */
void ed__watch_stop(ed__watch_t *w, const char *reason);

/* watch_poll.c */
void ed__watch_poll_start(ed__watch_t *w);
/* Stop the timers (polls in flight finish); close closes them. */
void ed__watch_poll_stop(ed__watch_t *w);
void ed__watch_poll_close(ed__watch_t *w);
void ed__watch_pause(ed__watch_t *w, int paused);
/* Polls and starts in flight. */
int ed__watch_poll_busy(const ed__watch_t *w);
/* p50 (median of the polls' p50) and p99 (highest p99) of the last minute;
 * -1 when there is no sample. */
void ed__watch_latency(const ed__wdev_t *d, double now, double *p50,
                       double *p99);
/* Worst health of the snapshot's components, or NULL. */
const char *ed__watch_health(const json_t *snap);

/* watch_export.c: --metrics and --alertmanager. */
int ed__watch_export_start(ed__watch_t *w); /* an exit status */
void ed__watch_export_alarm(ed__watch_t *w, ed_alarm_ev_t ev,
                            const ed_alarm_t *a);
void ed__watch_export_stop(ed__watch_t *w);

/* watch_events.c */
/* Journal ev with obj (taken; may be NULL). */
void ed__watch_journal(ed__watch_t *w, const char *ev, json_t *obj);
/* The alarm engine's callback: journal, JSON lines, hook, view. */
void ed__watch_on_alarm(void *arg, ed_alarm_ev_t ev, const ed_alarm_t *a);
/* Stop waiting for hooks: kill those still running. */
void ed__watch_hooks_kill(ed__watch_t *w);

/* watch_plan.c */
/* The fault of the --plan scenario an alarm stands for, or NULL. */
const ed_fault_t *ed__watch_plan_fault(const ed__watch_t *w,
                                       const ed_alarm_t *a);
/* {"plan", "fault", "steps"} of a fault (new reference). */
json_t *ed__watch_plan_entry(const ed__watch_t *w, const ed_fault_t *f);
/* The view's plan entry of alarm id, with its verification results
 * (borrowed), or NULL. */
const json_t *ed__watch_plan_view(ed__watch_t *w, unsigned id);
/* Run the read-only verifications of alarm id's plan. */
void ed__watch_plan_verify(ed__watch_t *w, unsigned id);

/* watch_source.c */
void ed__watch_view_source(ed__watch_t *w, ed_view_source_t *src);

/* watch_report.c / watch_plots.c */
int ed__watch_plots(const char *dir, const json_t *model, json_t *plots);

#endif
