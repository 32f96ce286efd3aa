/* The results folder and the events of a run, written as they happen. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "log.h"
#include "profile.h"
#include "resultsdir.h"
#include "run_internal.h"

double ed__run_now_s(const ed__runner_t *r) {
  if (!r->t0)
    return 0;
  return (double)(uv_hrtime() - r->t0) / 1e9;
}

int ed__run_path(const ed__runner_t *r, const char *name, char *buf,
                 size_t len) {
  int n = snprintf(buf, len, "%s/%s", r->dir, name);
  return n < 0 || (size_t)n >= len ? ED_ERANGE : 0;
}

/* results/<UTC time>-<scenario name>/, or the folder the user named. */
static int make_dir(ed__runner_t *r) {
  return ed_results_dir(r->opt.results_root, r->opt.results_dir, r->sc->name,
                        r->dir, sizeof(r->dir));
}

static int write_file(const ed__runner_t *r, const char *name, const char *data,
                      size_t len) {
  return ed_results_write(r->dir, name, data, len);
}

int ed__run_journal_open(ed__runner_t *r) {
  int rc = make_dir(r);
  if (rc != 0) {
    ed_error(NULL, "cannot create the results folder %s: %s", r->dir,
             strerror(errno));
    return rc;
  }
  /* The copy keeps the scenario's exact bytes: its sha256 in the journal
   * proves which file was run. */
  const char *base = strrchr(r->sc->file, '/');
  base = base ? base + 1 : r->sc->file;
  char name[PATH_MAX];
  if (snprintf(name, sizeof(name), "scenario-%s", base) >= (int)sizeof(name))
    name[0] = '\0';
  if (!name[0] || write_file(r, name, r->sc->text, r->sc->text_len) != 0)
    ed_warn(NULL, "cannot copy the scenario into %s", r->dir);
  char path[PATH_MAX];
  rc = ed__run_path(r, "journal.jsonl", path, sizeof(path));
  if (rc == 0)
    rc = ed_journal_open(path, &r->journal);
  if (rc != 0)
    ed_error(NULL, "cannot create %s: %s", path, strerror(errno));
  else
    ed_journal_on_fail(r->journal, ed__run_on_journal_fail, r);
  return rc;
}

void ed__run_journal_event(ed__runner_t *r, const char *ev, json_t *obj) {
  if (r->journal)
    ed_journal_write(r->journal, ev, ed__run_now_s(r), obj);
  json_decref(obj);
}

static json_t *workload_json(const ed_workload_t *w) {
  json_t *phases = json_array();
  int64_t at = w->start_ms;
  for (size_t i = 0; i < w->nsegs; i++) {
    const ed_segment_t *s = &w->segs[i];
    json_array_append_new(
        phases,
        json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f}", "name", s->name, "kind",
                  ed_segment_kind_name(s->kind), "start_s", at / 1000.0,
                  "duration_s", s->duration_ms / 1000.0, "from", s->from, "to",
                  s->kind == ED_SEG_CONSTANT ? s->from : s->to,
                  "expected_per_target", ed_segment_expected(s)));
    at += s->duration_ms;
  }
  json_t *targets = json_array();
  for (size_t i = 0; i < w->ntargets; i++)
    json_array_append_new(targets, json_string(w->targets[i]));
  return json_pack("{s:s,s:s,s:O,s:o,s:o,s:i}", "name", w->name, "op",
                   w->op.name, "arg", w->op.arg ? w->op.arg : json_null(),
                   "targets", targets, "phases", phases, "max_in_flight",
                   w->max_in_flight);
}

/* The SLO targets, so that a report rebuilt from the journal judges them. */
static json_t *slo_json(const ed_slo_t *slo) {
  json_t *o = json_object();
  const struct {
    const char *key;
    double v;
  } pct[] = {{"p50_ms", slo->p50_ms},
             {"p90_ms", slo->p90_ms},
             {"p99_ms", slo->p99_ms},
             {"p999_ms", slo->p999_ms}};
  for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
    if (pct[i].v > 0)
      json_object_set_new(o, pct[i].key, json_real(pct[i].v));
  if (slo->error_rate >= 0)
    json_object_set_new(o, "error_rate", json_real(slo->error_rate));
  return o;
}

void ed__run_journal_start(ed__runner_t *r) {
  json_t *wls = json_array();
  for (size_t w = 0; w < r->sc->nworkloads; w++)
    json_array_append_new(wls, workload_json(&r->sc->workloads[w]));
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:O,s:o,s:i}", "scenario", r->sc->name,
      "scenario_sha256", r->sc->sha256, "version", ED_VERSION, "mode",
      r->opt.mode == ED_MODE_VERIFY ? "verify" : "rehearse", "command",
      r->opt.command ? r->opt.command : "", "seed",
      (json_int_t)(r->opt.has_seed ? r->opt.seed : r->sc->seed), "started",
      r->started_iso, "journal", r->journal_requests ? "requests" : "seconds",
      "targets", r->target_desc, "workloads", wls, "sigfigs", 3);
  json_object_set_new(o, "slo", slo_json(&r->sc->slo));
  if (r->shard_json)
    json_object_set(o, "shard", r->shard_json);
  ed__run_journal_event(r, "run_start", o);
  if (r->journal)
    ed_journal_sync(r->journal);
}

void ed__run_journal_clock(ed__runner_t *r) {
  /* The wall clock at t = 0, read beside the monotonic clock the run's
   * times count from: what lines up the journals of several shards. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t now = uv_hrtime();
  double wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 -
                (double)(int64_t)(now - r->t0) / 1e9;
  json_t *o = json_object();
  json_object_set_new(o, "wall_s", json_real(wall));
  json_object_set_new(o, "clock", json_string("CLOCK_REALTIME"));
  double offset, rtt;
  if (r->coord && ed_coord_offset(r->coord, &offset, &rtt) == 0)
    /* measured over the channel: this clock minus the coordinator's, so
     * that the merge puts every shard on the coordinator's clock */
    json_object_set_new(o, "coordinator",
                        json_pack("{s:i,s:f,s:f}", "shard",
                                  (int)r->opt.shard_index, "offset_s", offset,
                                  "rtt_s", rtt));
  if (r->journal)
    ed_journal_write(r->journal, "clock", 0, o);
  json_decref(o);
}

void ed__run_journal_end(ed__runner_t *r, double elapsed_s) {
  char ended[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(ended, sizeof(ended), "%Y-%m-%dT%H:%M:%SZ", &tm);
  ed__run_journal_event(r, "run_end",
                        json_pack("{s:b,s:f,s:s}", "interrupted",
                                  r->interrupted, "elapsed_s", elapsed_s,
                                  "ended", ended));
  if (r->journal)
    ed_journal_sync(r->journal);
}

/* ---- scheduler events --------------------------------------------------- */

static void on_phase(void *arg, size_t w, size_t ph, int64_t t_ns) {
  ed__runner_t *r = arg;
  const ed_workload_t *wl = &r->sc->workloads[w];
  json_t *o = json_pack("{s:s,s:i,s:s}", "workload", wl->name, "index", (int)ph,
                        "phase", wl->segs[ph].name);
  if (r->journal)
    ed_journal_write(r->journal, "phase", (double)t_ns / 1e9, o);
  json_decref(o);
}

/* One line per request, built by hand: this is the hot path of the journal
 * and JSON objects per request would cost more than the request. */
static void on_request(void *arg, const ed_sched_record_t *rec) {
  ed__runner_t *r = arg;
  if (!r->journal_requests || !r->journal)
    return;
  char line[1024];
  int n = snprintf(
      line, sizeof(line),
      "{\"ev\":\"req\",\"t\":%.6f,\"w\":%zu,\"tg\":%zu,\"ph\":%zu,"
      "\"sent\":%.6f,\"lat_us\":%lld,\"svc_us\":%lld,\"err\":\"%s\","
      "\"code\":%d%s",
      (double)rec->intended_ns / 1e9, rec->workload, rec->target, rec->phase,
      (double)rec->sent_ns / 1e9, (long long)rec->latency_us,
      (long long)rec->service_us, ed_errclass_name(rec->res->err),
      rec->res->code, rec->late ? ",\"late\":true" : "");
  if (n < 0 || (size_t)n >= sizeof(line) - 300)
    return;
  if (rec->res->err != ED_ERRCLASS_NONE && rec->res->detail) {
    /* The detail is free text from a driver: let Jansson escape it. */
    json_t *d = json_string(rec->res->detail);
    char *esc = d ? json_dumps(d, JSON_ENCODE_ANY) : NULL;
    if (esc) {
      n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"detail\":%.250s",
                    esc);
      if ((size_t)n >= sizeof(line) - 2 || line[n - 1] != '"')
        n = (int)(strstr(line, ",\"detail\":") - line); /* cut: drop it */
    }
    free(esc);
    json_decref(d);
  }
  n += snprintf(line + n, sizeof(line) - (size_t)n, "}");
  ed_journal_write_raw(r->journal, line, (size_t)n);
}

/* How often the heap's freed pages are handed back (seconds of the run). */
#define TRIM_EVERY_S 10

/* glibc keeps the memory a program frees for its next allocations, and the
 * pages it keeps stay resident: a run's resident size would follow the most
 * it ever held at once (the connections of the worst burst, the blocks of
 * the busiest second's histograms), not what it holds. Every TRIM_EVERY_S
 * seconds the whole free pages go back to the system (a walk of the free
 * lists, on the loop thread). */
static void trim_heap(int64_t sec) {
#ifdef __GLIBC__
  if (sec % TRIM_EVERY_S == TRIM_EVERY_S - 1)
    malloc_trim(0);
#else
  (void)sec;
#endif
}

static void on_second(void *arg, int64_t sec) {
  ed__runner_t *r = arg;
  trim_heap(sec);
  ed_progress_second(&r->progress, sec, ed_sched_in_flight(r->sched),
                     ed_sched_waiting(r->sched));
  if (r->drill)
    ed_drill_second(r->drill, sec);
}

static void on_done(void *arg) {
  ed__run_on_sched_done(arg);
}

const ed_sched_events_t ed__run_sched_events = {
    .arg = NULL,
    .phase = on_phase,
    .request = on_request,
    .second = on_second,
    .done = on_done,
};

/* Per (workload, target, phase, second): counts always, and the latency
 * histograms when requests are not journaled one by one, so that the
 * summary can be rebuilt from the journal alone either way. */
void ed__run_on_flush(void *arg, size_t w, size_t t, size_t ph, int64_t sec,
                      const ed_counts_t *counts, const ed_hist_t *lat,
                      const ed_hist_t *svc) {
  ed__runner_t *r = arg;
  if (!r->journal)
    return;
  ed_journal_sec_t rec = {
      .w = w, .tg = t, .ph = ph, .sec = sec, .counts = counts};
  if (!r->journal_requests) {
    rec.lat = lat;
    rec.svc = svc;
  }
  ed_journal_write_sec(r->journal, &r->sec_text, &rec);
}
