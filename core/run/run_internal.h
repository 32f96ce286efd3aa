/*
 * The runner's state, shared by run.c (the flow), run_targets.c (targets,
 * drivers and the built-in simulator) and run_journal.c (events written as
 * they happen). Not a public interface.
 */
#ifndef ED_RUN_INTERNAL_H
#define ED_RUN_INTERNAL_H

#include <limits.h>
#include <uv.h>

#include "coord.h"
#include "credentials.h"
#include "drill.h"
#include "fleet.h"
#include "probe.h"
#include "journal.h"
#include "metrics.h"
#include "plugin_host.h"
#include "progress.h"
#include "prom_http.h"
#include "run.h"
#include "scenario.h"
#include "scheduler.h"
#include "sim.h"

/* One workload on one target: its prepared operation. */
typedef struct ed__rstream_s {
  ed_fleet_target_t *target;
  const ed_op_desc_t *op;
  void *args;     /* op->args_size, filled from the scenario */
  void *prepared; /* the driver's, from op_prepare */
  size_t w, t;    /* workload, and target within it (the journal's w, tg) */
  size_t index;   /* of (w, t) among all the scenario's, shards or not */
} ed__rstream_t;

typedef struct ed__runner_s {
  ed_run_options_t opt;
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  ed_scenario_t *sc;
  ed_fleet_t fleet; /* the scenario's targets */
  ed__rstream_t *streams;
  size_t nstreams;
  ed_metrics_t *metrics;
  ed_sched_t *sched;
  ed_journal_t *journal;
  int journal_requests;  /* one event per request (else per second only) */
  ed_textbuf_t sec_text; /* the "sec" line being built, kept for the next */
  ed_progress_t progress;
  char dir[PATH_MAX];
  uv_signal_t sigint, sigterm;
  uv_timer_t grace;
  uv_timer_t wait_probes;  /* before closing targets: probes still out */
  uv_timer_t journal_stop; /* the journal failed: stop, outside its caller */
  char journal_why[512];   /* "cannot write PATH: reason", or "" */
  ed_probe_host_t probes;
  ed_probe_target_t *ptargets;
  int probes_ready;
  ed_drill_t *drill;
  int drill_finished;
  int before_failed;        /* the steady state was not met before the drill */
  int aborted;              /* guardrail or limit (signals: interrupted) */
  int rules_failed;         /* a fault or action on a non-rehearsal target */
  int preflight_only;       /* --dry-run of rehearse/verify: targets started */
  json_t *owed;             /* recover: names of faults whose undo is owed */
  int recover_failed;       /* recover: an undo failed */
  json_t *drill_json;       /* the drill's summary, taken before it closes */
  json_t *preflight_errors; /* targets that could not start: [{target,
                               message}] */
  int handles_open;
  int pending; /* asynchronous starts or stops not yet back */
  int start_failed;
  int interrupted;         /* SIGINT/SIGTERM seen, or another shard stopped */
  char interrupt_why[512]; /* the first reason it was interrupted */
  int sched_done;
  int finished; /* targets stopped, loop may end */
  uint64_t t0;  /* run start, uv_hrtime clock */
  uint64_t t_end;
  char started_iso[32];
  json_t *target_desc; /* targets as described in results, no secrets */
  int exit_code;
  int wrote_results;      /* summary.json written: the caller may report */
  ed_prom_http_t *expose; /* --metrics: the scrape endpoint, or NULL */
  /* --shard I/N (run_shard.c); shard_of is NULL when not sharded */
  unsigned *shard_of;       /* per scenario target */
  ed_target_t *own_targets; /* shallow copies of the targets owned */
  size_t nown;
  json_t *shard_json; /* the mapping, for run_start and summary.json */
  char *shard_label;  /* recover: the label of a shard's run (owned) */
  /* --coordinator (run_coord.c) */
  ed_coord_t *coord;   /* the channel to the other shards, or NULL */
  int coord_finishing; /* ed_coord_finish called: it closes itself */
  int at_barrier;      /* ready, waiting for the start instant */
  int began;           /* the load and the drill have started */
  void (*coord_begin)(struct ed__runner_s *, uint64_t t0); /* then this */
  char coord_why[512]; /* why the drill stopped everywhere, or "" */
  /* probes across shards (run_remote.c) */
  int cross;                  /* a chain has targets in another shard */
  ed_probe_remote_t remote;   /* the probe host's way to them */
  struct ed__served_s *asked; /* probes asked before this shard could run
                                 them, oldest last */
  int holding;                /* drill over; targets kept for the others */
  void (*after_hold)(struct ed__runner_s *); /* run once released */
} ed__runner_t;

/* run_targets.c */
int ed__run_open_targets(ed__runner_t *r);
void ed__run_start_targets(ed__runner_t *r,
                           void (*all_started)(ed__runner_t *));
int ed__run_prepare_streams(ed__runner_t *r);
void ed__run_stop_targets(ed__runner_t *r, void (*all_stopped)(ed__runner_t *));
void ed__run_close_targets(ed__runner_t *r);
int ed__run_submit(void *ctx, ed_request_t *req);

/* run_journal.c */
int ed__run_journal_open(ed__runner_t *r);
/* The journal's failure hook (ed_journal_on_fail): stop the run. */
void ed__run_on_journal_fail(void *arg, const char *why);
void ed__run_journal_start(ed__runner_t *r);
void ed__run_journal_end(ed__runner_t *r, double elapsed_s);
/* A "clock" event: the wall clock (UTC, seconds since 1970 to the
 * microsecond) at the run's t = 0, once t0 is set. */
void ed__run_journal_clock(ed__runner_t *r);
void ed__run_journal_event(ed__runner_t *r, const char *ev, json_t *obj);
extern const ed_sched_events_t ed__run_sched_events;
void ed__run_on_flush(void *arg, size_t w, size_t t, size_t ph, int64_t sec,
                      const ed_counts_t *counts, const ed_hist_t *lat,
                      const ed_hist_t *svc);

/* run_expose.c: the page a scraper reads (ed_prom_render_cb). */
void ed__run_expose(void *arg, ed_prom_t *p);

/* run_coord.c */
/* Open the channel when asked (--coordinator): 0, or an exit status. */
int ed__run_coord_open(ed__runner_t *r);
/* This shard is ready: wait at the barrier (begin is called at the start
 * instant), or begin now when there is no coordinator. */
void ed__run_coord_ready(ed__runner_t *r,
                         void (*begin)(ed__runner_t *, uint64_t t0));
/* This shard stops the drill for why: the others are told. */
void ed__run_coord_abort(ed__runner_t *r, const char *why);
/* The run is over here: the channel ends (the coordinator waits for every
 * shard to end first, the loop running). */
void ed__run_coord_finish(ed__runner_t *r);

/* run_remote.c */
/* The probe host reaches other shards' targets (when a chain crosses
 * shards); probes other shards asked for before now are run. */
void ed__run_remote_ready(ed__runner_t *r);
/* The coordinator's serve event: run a probe another shard asked for. */
void ed__run_remote_serve(void *arg, const json_t *req, ed_coord_caller_t from);
/* The drill is over here: with chains across shards, the targets are kept
 * until every shard says it will ask nothing more (then `then` runs);
 * otherwise `then` runs now. */
void ed__run_remote_hold(ed__runner_t *r, void (*then)(ed__runner_t *));
/* The coordinator's released event. */
void ed__run_remote_released(void *arg);
/* The targets are stopping: probes still waiting are answered so. */
void ed__run_remote_refuse(ed__runner_t *r, const char *why);

/* run.c */
/* Stop the run as a signal does, for a reason (the journal's interrupt
 * event says it): no new request, in-flight ones get the grace period. */
void ed__run_interrupt(ed__runner_t *r, json_t *event, const char *why);
int ed__run_init_probes(ed__runner_t *r);
void ed__run_shut_down(ed__runner_t *r);

/* recover.c: `eventdrill recover DIR`. */
int ed__recover_prepare(ed__runner_t *r);
void ed__recover_start(ed__runner_t *r);

/* run_shard.c: with --shard, the targets owned and the checks, faults,
 * plans and guardrails whose home it is (the others are dropped from the
 * scenario); a chain across shards without a coordinator is refused. 0 or
 * an ED_E* code (said). */
int ed__run_shard_setup(ed__runner_t *r);
/* 1 when this process owns the target (always without --shard). */
int ed__run_owns(const ed__runner_t *r, const char *target);
/* The shard that owns target, or -1 (not sharded, or no such target). */
long ed__run_shard_of(const ed__runner_t *r, const char *target);

/* run.c: the scheduler has nothing left to do. */
void ed__run_on_sched_done(ed__runner_t *r);

/* buf = <results dir>/<name>; 0, or ED_ERANGE when it does not fit. */
int ed__run_path(const ed__runner_t *r, const char *name, char *buf,
                 size_t len);

/* Seconds since the run start (0 before it). */
double ed__run_now_s(const ed__runner_t *r);

#endif
