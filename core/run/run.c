/* The flow of one run: set up, start targets, replay, stop, write results.
 * Everything after set-up happens in callbacks on the run's loop. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "error.h"
#include "log.h"
#include "outfile.h"
#include "profile.h"
#include "run_internal.h"
#include "term.h"
#include "summary.h"
#include "verdict.h"
#include "timeline.h"

#define DEFAULT_GRACE_S 2.0

static void iso_now(char *buf, size_t len) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Peak request rate of the whole scenario, all targets together. */
static double peak_rate(const ed_scenario_t *s) {
  double total = 0;
  for (size_t w = 0; w < s->nworkloads; w++) {
    double peak = 0;
    for (size_t i = 0; i < s->workloads[w].nsegs; i++) {
      double p = ed_segment_peak(&s->workloads[w].segs[i]);
      peak = p > peak ? p : peak;
    }
    total += peak * (double)s->workloads[w].ntargets;
  }
  return total;
}

static int journal_per_request(const ed_scenario_t *s) {
  switch (s->journal.requests) {
  case ED_JOURNAL_ALL:
    return 1;
  case ED_JOURNAL_AGGREGATE:
    return 0;
  default:
    return peak_rate(s) <= s->journal.max_request_rate;
  }
}

/* ---- shutdown -------------------------------------------------------- */

static void close_cb(uv_handle_t *h) {
  ed__runner_t *r = h->data;
  r->handles_open--;
}

/* The scrape endpoint ends with the run's figures. */
static void stop_expose(ed__runner_t *r) {
  ed_prom_http_stop(r->expose);
  r->expose = NULL;
}

/* --metrics: listen before any device is touched, so that a wrong address
 * costs nothing. 0, or an exit status. */
static int start_expose(ed__runner_t *r) {
  char err[256];
  if (!r->opt.metrics || r->opt.recover)
    return 0;
  int rc = ed_prom_http_start(&r->loop, r->opt.metrics, ed__run_expose, r,
                              &r->expose, err, sizeof(err));
  if (rc != 0) {
    ed_error(NULL, "%s", err);
    return rc == -1 ? ED_EXIT_USAGE : ED_EXIT_FAILED;
  }
  if (r->opt.progress != ED_PROGRESS_QUIET &&
      r->opt.progress != ED_PROGRESS_JSON)
    fprintf(stderr, "metrics: http://%s/metrics\n",
            ed_prom_http_address(r->expose));
  return 0;
}

static void close_handles(ed__runner_t *r) {
  stop_expose(r);
  uv_close((uv_handle_t *)&r->sigint, close_cb);
  uv_close((uv_handle_t *)&r->sigterm, close_cb);
  uv_close((uv_handle_t *)&r->grace, close_cb);
  uv_close((uv_handle_t *)&r->wait_probes, close_cb);
  uv_close((uv_handle_t *)&r->journal_stop, close_cb);
}

/* Targets are stopped: close them (in-flight requests complete as
 * cancelled), then the scheduler, then our own handles; the loop ends when
 * the last handle is closed. Probes still out (cancelled by the stop) are
 * delivered first: they hold prepared operations of the targets. */
static void all_stopped(ed__runner_t *r);

static void on_wait_probes(uv_timer_t *t) {
  all_stopped(t->data);
}

static void all_stopped(ed__runner_t *r) {
  if (r->finished)
    return;
  if (r->probes_ready && r->probes.in_flight > 0) {
    uv_timer_start(&r->wait_probes, on_wait_probes, 20, 0);
    return;
  }
  r->finished = 1;
  ed__run_remote_refuse(r, "its targets are stopped");
  if (r->drill) {
    r->drill_json = ed_drill_summary(r->drill);
    if (ed_drill_aborted(r->drill) && !r->interrupted)
      r->aborted = 1;
    ed_drill_destroy(r->drill);
  }
  r->drill = NULL;
  if (r->probes_ready)
    ed_probe_host_close(&r->probes);
  r->probes_ready = 0;
  if (!r->t_end)
    r->t_end = uv_hrtime();
  ed__run_close_targets(r);
  if (r->metrics)
    ed_metrics_finish(r->metrics);
  if (r->sched)
    ed_sched_destroy(r->sched);
  r->sched = NULL;
  close_handles(r);
  ed__run_coord_finish(r);
}

static void stop_targets(ed__runner_t *r) {
  ed__run_remote_refuse(r, "its targets are stopping");
  ed__run_stop_targets(r, all_stopped);
}

/* The drill is over here: the targets stop, once no other shard needs
 * them for its own chains. */
static void shut_down(ed__runner_t *r) {
  uv_timer_stop(&r->grace);
  ed__run_remote_hold(r, stop_targets);
}

void ed__run_on_sched_done(ed__runner_t *r) {
  if (r->sched_done)
    return;
  r->sched_done = 1;
  r->t_end = uv_hrtime();
  uv_timer_stop(&r->grace);
  if (r->drill)
    ed_drill_workloads_done(r->drill); /* it calls drill_finished */
  else
    shut_down(r);
}

/* ---- the drill's events ------------------------------------------------ */

static void drill_event(void *arg, const char *ev, json_t *obj) {
  ed__runner_t *r = arg;
  if (r->journal)
    ed_journal_write(r->journal, ev, ed__run_now_s(r), obj);
}

static int drill_sync(void *arg) {
  ed__runner_t *r = arg;
  return r->journal ? ed_journal_sync(r->journal) : 0;
}

static void drill_message(void *arg, const char *text) {
  ed__runner_t *r = arg;
  ed_progress_message(&r->progress, "%s", text);
}

/* A guardrail or a limit tripped: the workloads stop; the drill runs its
 * undos and then says it is finished. */
static void drill_abort(void *arg, const char *reason) {
  ed__runner_t *r = arg;
  r->aborted = 1;
  ed__run_coord_abort(r, reason);
  if (r->sched)
    ed_sched_stop(r->sched);
}

static void drill_finished(void *arg) {
  ed__runner_t *r = arg;
  r->drill_finished = 1;
  if (!r->t_end)
    r->t_end = uv_hrtime();
  shut_down(r);
}

static void on_grace(uv_timer_t *t) {
  ed__runner_t *r = t->data;
  if (r->sched && !r->sched_done) {
    ed_progress_message(&r->progress,
                        "eventdrill: %lld requests still in flight after the "
                        "grace period: cancelling them",
                        (long long)ed_sched_in_flight(r->sched));
    ed__run_on_sched_done(r);
  }
}

static void on_signal(uv_signal_t *s, int signum) {
  ed__runner_t *r = s->data;
  if (r->interrupted) {
    /* Second Ctrl-C: do not wait any longer. */
    uv_timer_start(&r->grace, on_grace, 0, 0);
    return;
  }
  const char *why =
      signum == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM";
  ed__run_coord_abort(r, why);
  ed__run_interrupt(
      r, json_pack("{s:s}", "signal", signum == SIGINT ? "SIGINT" : "SIGTERM"),
      why);
}

void ed__run_interrupt(ed__runner_t *r, json_t *event, const char *why) {
  r->interrupted = 1;
  if (!r->interrupt_why[0])
    snprintf(r->interrupt_why, sizeof(r->interrupt_why), "%s", why);
  ed__run_journal_event(r, "interrupt", event);
  if (r->at_barrier) {
    /* Ready, not started: nothing was sent, nothing is owed. */
    r->at_barrier = 0;
    shut_down(r);
    return;
  }
  if (!r->began || r->finished) {
    /* Still starting targets, or checking the steady state before the
     * drill: all_started and before_done see the flag and stop there,
     * before any load or fault. */
    return;
  }
  if (r->drill)
    ed_drill_abort(r->drill, why);
  if (!r->sched)
    return;
  ed_progress_message(&r->progress,
                      "eventdrill: interrupted: no new request is sent; "
                      "waiting up to %.0f s for %lld in flight (again to stop "
                      "now)",
                      r->opt.grace_s, (long long)ed_sched_in_flight(r->sched));
  ed_sched_stop(r->sched);
  if (!r->sched_done)
    uv_timer_start(&r->grace, on_grace, (uint64_t)(r->opt.grace_s * 1000), 0);
}

/* The journal cannot be written (a full disk...): what is not journaled
 * is not evidence, and a fault must not go out without its undo on disk,
 * so the run stops adding load at once, as a guardrail would stop it, and
 * runs its pending undos. Called on the loop, not inside the write. */
static void on_journal_stop(uv_timer_t *t) {
  ed__runner_t *r = t->data;
  char why[600];
  snprintf(why, sizeof(why), "the journal cannot be written (%s)",
           r->journal_why);
  r->aborted = 1;
  ed__run_coord_abort(r, why);
  ed_progress_message(&r->progress,
                      "eventdrill: aborted: %s: no new request or fault is "
                      "sent; pending undos run",
                      why);
  if (r->drill)
    ed_drill_abort(r->drill, why);
  if (r->sched)
    ed_sched_stop(r->sched);
}

void ed__run_on_journal_fail(void *arg, const char *why) {
  ed__runner_t *r = arg;
  snprintf(r->journal_why, sizeof(r->journal_why), "%s", why);
  if (r->handles_open)
    uv_timer_start(&r->journal_stop, on_journal_stop, 0, 0);
}

/* ---- start ----------------------------------------------------------- */

static int create_scheduler(ed__runner_t *r) {
  const ed_scenario_t *s = r->sc;
  size_t *ntargets = calloc(s->nworkloads + 1, sizeof(size_t));
  size_t *nphases = calloc(s->nworkloads + 1, sizeof(size_t));
  ed_stream_spec_t *specs = calloc(r->nstreams + 1, sizeof(*specs));
  int rc = ED_ENOMEM;
  if (!ntargets || !nphases || !specs)
    goto out;
  uint64_t seed = r->opt.has_seed ? r->opt.seed : s->seed;
  for (size_t w = 0; w < s->nworkloads; w++) {
    ntargets[w] = s->workloads[w].ntargets;
    nphases[w] = s->workloads[w].nsegs;
  }
  /* verify mode sends no workload: no stream was prepared. A shard has
   * the streams of its own targets, with their indices in the whole
   * scenario, so that its journal and seeds are those of the whole. */
  for (size_t k = 0; k < r->nstreams; k++) {
    const ed__rstream_t *st = &r->streams[k];
    const ed_workload_t *wl = &s->workloads[st->w];
    specs[k] = (ed_stream_spec_t){
        .workload = st->w,
        .target = st->t,
        .segs = wl->segs,
        .nsegs = wl->nsegs,
        .arrival = wl->arrival,
        /* Each stream draws its own sequence from the run's seed. */
        .seed = seed * 1000003u + st->index,
        .start_ns = wl->start_ms * 1000000,
        .max_in_flight =
            ed_workload_cap(wl, ed_scenario_target(s, wl->targets[st->t])),
        .timeout_ms = wl->timeout_ms,
        .drop_after_ns = wl->timeout_ms * 1000000,
        .op = r->streams[k].prepared,
        .submit = ed__run_submit,
        .submit_ctx = &r->streams[k],
    };
  }
  rc = ed_metrics_create(s->nworkloads, ntargets, nphases, 3, &r->metrics);
  if (rc != 0 || r->nstreams == 0)
    goto out;
  ed_metrics_set_flush(r->metrics, ed__run_on_flush, r);
  ed_sched_events_t ev = ed__run_sched_events;
  ev.arg = r;
  rc = ed_sched_create(&r->loop, specs, r->nstreams, s->nworkloads, r->metrics,
                       &ev, &r->sched);
out:
  free(ntargets);
  free(nphases);
  free(specs);
  return rc;
}

int ed__run_init_probes(ed__runner_t *r) {
  r->ptargets = calloc(r->sc->ntargets + 1, sizeof(*r->ptargets));
  if (!r->ptargets)
    return ED_ENOMEM;
  for (size_t i = 0; i < r->fleet.ntargets; i++)
    r->ptargets[i] = (ed_probe_target_t){.spec = r->fleet.targets[i].spec,
                                         .drv = r->fleet.targets[i].drv,
                                         .state = r->fleet.targets[i].state,
                                         .sim = r->fleet.targets[i].sim};
  int rc = ed_probe_host_init(&r->probes, &r->loop, r->ph, r->ptargets,
                              r->fleet.ntargets, r->opt.mode == ED_MODE_VERIFY,
                              r->sc->file);
  if (rc == 0)
    r->probes_ready = 1;
  return rc;
}

static int create_drill(ed__runner_t *r) {
  int rc = ed__run_init_probes(r);
  if (rc != 0)
    return rc;
  ed__run_remote_ready(r);
  ed_drill_events_t ev = {.arg = r,
                          .event = drill_event,
                          .sync = drill_sync,
                          .message = drill_message,
                          .abort = drill_abort,
                          .finished = drill_finished};
  rc = ed_drill_create(r->sc, &r->probes, r->metrics, r->opt.mode, r->opt.only,
                       &ev, &r->drill);
  if (rc != 0)
    return rc;
  char errbuf[512];
  rc = ed_drill_check_rules(r->drill, errbuf, sizeof(errbuf));
  if (rc != 0) {
    ed_error(NULL, "%s", errbuf);
    r->rules_failed = 1;
  }
  return rc;
}

/* The load and the drill start at t0: now, or the instant the shards of
 * a drill agreed on (a few milliseconds ago at most). */
static void begin(ed__runner_t *r, uint64_t t0) {
  r->began = 1;
  r->t0 = t0;
  if (r->sched)
    ed_sched_start_at(r->sched, t0);
  ed__run_journal_clock(r);
  ed_drill_start(r->drill, r->t0);
  if (!r->sched)
    ed_drill_workloads_done(r->drill);
}

static void before_done(void *arg) {
  ed__runner_t *r = arg;
  if (r->interrupted || r->journal_why[0]) {
    shut_down(r);
    return;
  }
  r->before_failed = ed_drill_before_failed(r->drill);
  if (r->before_failed) {
    ed_progress_message(&r->progress,
                        "eventdrill: the steady state is not met before the "
                        "drill: not starting it");
    ed__run_coord_abort(r, "the steady state is not met before the drill");
    shut_down(r);
    return;
  }
  ed__run_coord_ready(r, begin);
}

static void preflight_report(ed__runner_t *r) {
  size_t warned = r->drill ? ed_drill_warning_count(r->drill) : 0;
  printf("preflight: %zu target%s started (connected, credentials "
         "accepted), no action sent",
         r->sc->ntargets, r->sc->ntargets == 1 ? "" : "s");
  if (warned)
    printf("; %zu action%s may not run (warnings above)", warned,
           warned == 1 ? "" : "s");
  printf("\n\n");
  ed_timeline_print(r->sc, stdout);
  fflush(stdout);
}

static void preflight_proved(void *arg) {
  ed__runner_t *r = arg;
  if (!r->interrupted)
    preflight_report(r);
  shut_down(r);
}

void ed__run_shut_down(ed__runner_t *r) {
  shut_down(r);
}

static void all_started(ed__runner_t *r) {
  if (r->start_failed || r->interrupted || r->journal_why[0]) {
    if (r->start_failed)
      ed__run_coord_abort(r, "its targets could not all start");
    shut_down(r);
    return;
  }
  if (r->opt.recover) {
    ed__recover_start(r);
    return;
  }
  int verify = r->opt.mode == ED_MODE_VERIFY;
  if ((!verify && ed__run_prepare_streams(r) != 0) ||
      create_scheduler(r) != 0 || create_drill(r) != 0) {
    r->start_failed = 1;
    ed__run_coord_abort(r, "it could not set up its drill");
    shut_down(r);
    return;
  }
  if (r->opt.dry_run) {
    /* The state-changing actions are proven (read-only) before the
     * report: a PATCH that would go without If-Match, a reset aimed at a
     * system that does not exist, are said the night before. */
    r->preflight_only = 1;
    ed_progress_init(&r->progress, r->opt.progress, r->sc, r->metrics);
    ed_drill_prove(r->drill, preflight_proved, r);
    return;
  }
  ed_progress_init(&r->progress, r->opt.progress, r->sc, r->metrics);
  ed_progress_message(&r->progress,
                      "eventdrill: %s %s: %zu workload%s, %zu check%s, %zu "
                      "fault%s on %zu target%s\nresults in %s",
                      verify ? "verifying" : "rehearsing", r->sc->name,
                      verify ? 0 : r->sc->nworkloads,
                      !verify && r->sc->nworkloads == 1 ? "" : "s",
                      r->sc->nchecks, r->sc->nchecks == 1 ? "" : "s",
                      verify ? 0 : r->sc->nfaults,
                      !verify && r->sc->nfaults == 1 ? "" : "s",
                      r->sc->ntargets, r->sc->ntargets == 1 ? "" : "s", r->dir);
  ed_drill_before(r->drill, before_done, r);
}

/* ---- results --------------------------------------------------------- */

/* The run's part of the summary the verdict model needs (how it ended,
 * which targets could not start, the drill), then the verdict itself:
 * rendered here, never computed (core/evidence/verdict.h). */
static void add_verdict(ed__runner_t *r, json_t *summary) {
  if (r->coord_why[0])
    /* another shard aborted or disappeared: the drill stopped everywhere */
    json_object_set_new(summary, "interruption", json_string(r->coord_why));
  else if (r->interrupted)
    json_object_set_new(summary, "interruption",
                        json_string("interrupted by a signal"));
  else if (r->journal_why[0])
    /* the journal could not be written: the run stopped there */
    json_object_set_new(summary, "interruption", json_string(r->journal_why));
  json_t *errors =
      r->preflight_errors ? json_incref(r->preflight_errors) : json_array();
  json_object_set_new(summary, "preflight",
                      json_pack("{s:o}", "errors", errors));
  if (r->drill_json)
    json_object_set(summary, "drill", r->drill_json);
  if (r->shard_json)
    json_object_set(summary, "shard", r->shard_json);
  json_object_set_new(summary, "verdict", ed_verdict_build(summary));
}

/* What a person reads at the end: the summary, the drill and the verdict,
 * composed first so that on a terminal every line can be fitted to its
 * width (a wrapped line is read; a line cut by the terminal is not). */
static void print_end(const ed__runner_t *r, const json_t *summary) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  FILE *out = m ? m : stderr;
  if (m)
    ed_term_stand_in(m, stderr);
  ed_summary_print(summary, out);
  if (r->drill_json)
    ed_drill_print(r->drill_json, out);
  ed_verdict_print(json_object_get(summary, "verdict"), out);
  if (!m)
    return;
  ed_term_stand_in(NULL, NULL);
  if (fclose(m) == 0 && text)
    ed_term_write_wrapped(stderr, text);
  free(text);
}

static int write_results(ed__runner_t *r) {
  double elapsed = r->t0 && r->t_end ? (double)(r->t_end - r->t0) / 1e9 : 0;
  char ended[32];
  iso_now(ended, sizeof(ended));
  ed_run_info_t info = {
      .version = ED_VERSION,
      .mode = r->opt.mode == ED_MODE_VERIFY ? "verify" : "rehearse",
      .command = r->opt.command ? r->opt.command : "",
      .started = r->started_iso,
      .ended = ended,
      .elapsed_s = elapsed,
      .interrupted = r->interrupted,
      .seed = r->opt.has_seed ? r->opt.seed : r->sc->seed,
      .targets = r->target_desc,
  };
  json_t *summary = ed_summary_build(r->sc, r->metrics, &info);
  add_verdict(r, summary);
  char path[PATH_MAX];
  int rc = ed__run_path(r, "summary.json", path, sizeof(path));
  FILE *sf = rc == 0 ? ed_outfile_open(path, ED_OUTFILE_MODE) : NULL;
  if (sf)
    rc = json_dumpf(summary, sf,
                    JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                        JSON_REAL_PRECISION(10));
  if (!sf || fclose(sf) != 0)
    rc = ED_EIO;
  if (rc == 0)
    rc = ed__run_path(r, "timeseries.csv", path, sizeof(path));
  if (rc == 0)
    rc = ed_summary_write_timeseries(r->sc, r->metrics, path);
  size_t i;
  json_t *w;
  json_array_foreach(
      json_object_get(json_object_get(summary, "runner"), "warnings"), i, w)
      ed__run_journal_event(r, "warning", json_pack("{s:O}", "message", w));
  ed__run_journal_end(r, elapsed);
  if (r->opt.progress != ED_PROGRESS_QUIET &&
      r->opt.progress != ED_PROGRESS_JSON)
    print_end(r, summary);
  if (r->opt.progress == ED_PROGRESS_QUIET)
    ed_verdict_print_line(json_object_get(summary, "verdict"), stderr);
  if (r->opt.progress == ED_PROGRESS_JSON) {
    json_t *out = json_pack("{s:s,s:s,s:O}", "type", "summary", "results",
                            r->dir, "summary", summary);
    json_dumpf(out, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(out);
  }
  int code = ed_verdict_exit(json_object_get(summary, "verdict"));
  json_decref(summary);
  if (rc != 0) {
    ed_error(NULL, "cannot write the results in %s", r->dir);
    return r->aborted ? ED_EXIT_INTERRUPTED : ED_EXIT_FAILED;
  }
  return code;
}

/* Zero figures in the scenario's shape, for a run whose targets did not
 * all start (the journal's rebuilt summary has the same). */
static int empty_metrics(ed__runner_t *r) {
  if (r->metrics)
    return 0;
  const ed_scenario_t *s = r->sc;
  size_t *nt = calloc(s->nworkloads + 1, sizeof(size_t));
  size_t *np = calloc(s->nworkloads + 1, sizeof(size_t));
  int rc = ED_ENOMEM;
  if (nt && np) {
    for (size_t w = 0; w < s->nworkloads; w++) {
      nt[w] = s->workloads[w].ntargets;
      np[w] = s->workloads[w].nsegs;
    }
    rc = ed_metrics_create(s->nworkloads, nt, np, 3, &r->metrics);
  }
  free(nt);
  free(np);
  return rc;
}

/* ---- set-up and the whole run ---------------------------------------- */

static int load(ed__runner_t *r) {
  ed_scenario_drivers_t drivers;
  ed_fleet_scenario_drivers(r->ph, &drivers);
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = ed_scenario_load(r->opt.file, &drivers, &diag, &r->sc);
  if (rc != 0)
    ed_diag_print(&diag, stderr);
  ed_diag_close(&diag);
  char err[512];
  if (rc == 0 &&
      (rc = ed_scenario_check_steps(r->sc, r->opt.only, err, sizeof(err))))
    ed_error(NULL, "%s", err);
  return rc;
}

static void init_handles(ed__runner_t *r) {
  uv_signal_init(&r->loop, &r->sigint);
  uv_signal_init(&r->loop, &r->sigterm);
  uv_timer_init(&r->loop, &r->grace);
  r->sigint.data = r->sigterm.data = r->grace.data = r;
  uv_timer_init(&r->loop, &r->wait_probes);
  r->wait_probes.data = r;
  uv_timer_init(&r->loop, &r->journal_stop);
  r->journal_stop.data = r;
  r->handles_open = 5;
  if (r->journal_why[0]) /* it failed before the loop ran */
    uv_timer_start(&r->journal_stop, on_journal_stop, 0, 0);
  uv_signal_start(&r->sigint, on_signal, SIGINT);
  uv_signal_start(&r->sigterm, on_signal, SIGTERM);
}

static int run_loop(ed__runner_t *r) {
  /* Messages can come before the targets have started (a signal, a
   * journal that fails, another shard's abort): the progress output is
   * set up now, and again with the figures once they exist. */
  ed_progress_init(&r->progress, r->opt.progress, r->sc, NULL);
  /* recover: what is owed, and the user's yes, before any device is
   * touched. > 0: work to do; 0: nothing; < 0: minus an exit status. */
  if (r->opt.recover) {
    int rc = ed__recover_prepare(r);
    if (rc <= 0)
      return rc == 0 ? ED_EXIT_OK : -rc;
  }
  int rc = start_expose(r);
  if (rc == 0)
    rc = ed__run_coord_open(r);
  if (rc != 0) {
    stop_expose(r);
    return rc;
  }
  if (ed__run_open_targets(r) != 0) {
    stop_expose(r);
    ed__run_close_targets(r);
    return ED_EXIT_FAILED;
  }
  if (!r->opt.recover && !r->opt.dry_run && ed__run_journal_open(r) != 0) {
    /* A preflight acts on nothing and leaves no results folder behind. */
    ed__run_close_targets(r);
    return ED_EXIT_FAILED;
  }
  iso_now(r->started_iso, sizeof(r->started_iso));
  r->journal_requests = journal_per_request(r->sc);
  if (!r->opt.recover)
    ed__run_journal_start(r);
  init_handles(r);
  ed__run_start_targets(r, all_started);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  ed_progress_close(&r->progress);
  if (r->preflight_only) {
    ed__run_journal_end(r, 0);
    return ED_EXIT_OK;
  }
  if (r->opt.recover) {
    if (r->start_failed)
      return ED_EXIT_FAILED;
    return r->recover_failed ? ED_EXIT_SLO : ED_EXIT_OK;
  }
  int code;
  if (r->preflight_errors && !r->interrupted) {
    /* A target that could not start fails the verdict like any judged
     * item: the results say so, as the journal does. */
    code = empty_metrics(r) == 0 ? write_results(r) : ED_EXIT_FAILED;
  } else if (r->start_failed || !r->metrics) {
    ed__run_journal_end(r, 0);
    if (r->interrupted) {
      /* Said even with --quiet: there is no verdict to say it. */
      ed_error(NULL,
               "stopped before the drill started: %s; see %s/journal.jsonl",
               r->interrupt_why[0] ? r->interrupt_why : "interrupted", r->dir);
      return ED_EXIT_INTERRUPTED;
    }
    if (r->rules_failed)
      return ED_EXIT_USAGE;
    ed_error(NULL, "the run could not start; see %s/journal.jsonl", r->dir);
    return ED_EXIT_FAILED;
  } else {
    code = write_results(r);
  }
  if (r->journal) {
    ed_journal_close(r->journal); /* the report reads it back */
    r->journal = NULL;
  }
  r->wrote_results = 1;
  return code;
}

int ed_run(const ed_run_options_t *opts, char *dir, size_t len) {
  ed__runner_t *r = calloc(1, sizeof(*r));
  if (!r)
    return ED_EXIT_FAILED;
  r->opt = *opts;
  if (r->opt.grace_s <= 0)
    r->opt.grace_s = DEFAULT_GRACE_S;
  int code = ED_EXIT_FAILED;
  if (uv_loop_init(&r->loop) != 0) {
    free(r);
    return ED_EXIT_FAILED;
  }
  if (ed_plugin_host_create(&r->loop, &r->ph) != 0 ||
      ed_plugin_host_default_dirs(r->ph) != 0)
    goto out;
  if (load(r) != 0 || ed__run_shard_setup(r) != 0) {
    code = ED_EXIT_USAGE;
    goto out;
  }
  if (r->opt.dry_run && !r->opt.preflight) {
    ed_timeline_print(r->sc, stdout);
    printf("dry run: no device was contacted\n");
    code = ED_EXIT_OK;
    goto out;
  }
  code = run_loop(r);
  if (dir && len && r->wrote_results)
    snprintf(dir, len, "%s", r->dir);
out:
  stop_expose(r);
  ed__run_remote_refuse(r, "its run has ended");
  ed__run_coord_finish(r);
  /* Anything still closing (targets, simulators) finishes here. */
  uv_run(&r->loop, UV_RUN_DEFAULT);
  if (r->journal)
    ed_journal_close(r->journal);
  ed_metrics_destroy(r->metrics);
  ed_textbuf_free(&r->sec_text);
  json_decref(r->target_desc);
  json_decref(r->drill_json);
  json_decref(r->preflight_errors);
  json_decref(r->owed);
  json_decref(r->shard_json);
  free(r->shard_of);
  free(r->shard_label);
  free(r->own_targets);
  free(r->ptargets);
  ed_scenario_destroy(r->sc);
  ed_plugin_host_destroy(r->ph);
  if (uv_loop_close(&r->loop) != 0)
    ed_debug(NULL, "the loop still had handles at exit");
  free(r);
  return code;
}
