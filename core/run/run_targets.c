/* The runner's targets (through fleet.c) and its streams: each workload's
 * operation prepared on each of its targets. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "error.h"
#include "log.h"
#include "options.h"
#include "run_internal.h"

/* Requests a target may have in flight: the sum of its workloads' caps. */
static int target_cap(const ed_scenario_t *s, const ed_target_t *t) {
  int cap = 0;
  for (size_t w = 0; w < s->nworkloads; w++)
    for (size_t i = 0; i < s->workloads[w].ntargets; i++)
      if (strcmp(s->workloads[w].targets[i], t->name) == 0)
        cap += ed_workload_cap(&s->workloads[w], t);
  return cap > 0 ? cap : 1;
}

int ed__run_open_targets(ed__runner_t *r) {
  const ed_scenario_t *s = r->sc;
  /* a shard opens only its own targets: it never reaches the others */
  const ed_target_t *targets = r->shard_of ? r->own_targets : s->targets;
  size_t ntargets = r->shard_of ? r->nown : s->ntargets;
  int *caps = calloc(ntargets + 1, sizeof(int));
  r->target_desc = json_array();
  if (!caps || !r->target_desc) {
    free(caps);
    return ED_ENOMEM;
  }
  for (size_t i = 0; i < ntargets; i++)
    caps[i] = target_cap(s, &targets[i]);
  int rc = ed_fleet_init(&r->fleet, &r->loop, r->ph, s->file, targets, ntargets,
                         caps);
  free(caps);
  if (rc != 0)
    return rc;
  r->fleet.has_seed = s->has_seed;
  r->fleet.seed = s->seed;
  rc = ed_fleet_open(&r->fleet, 0);
  for (size_t i = 0; i < r->fleet.ntargets; i++) {
    ed_fleet_target_t *t = &r->fleet.targets[i];
    if (t->error[0])
      ed_error(t->spec->name, "%s", t->error);
    if (t->opened)
      json_array_append_new(r->target_desc, ed_fleet_describe(t));
  }
  return rc;
}

/* ---- start / stop ------------------------------------------------------ */

static void (*on_all_started)(ed__runner_t *);
static void (*on_all_stopped)(ed__runner_t *);

static void fleet_started(ed_fleet_t *f, void *arg) {
  ed__runner_t *r = arg;
  for (size_t i = 0; i < f->ntargets; i++) {
    ed_fleet_target_t *t = &f->targets[i];
    if (t->started || !t->opened)
      continue;
    r->start_failed = 1;
    ed_error(t->spec->name, "%s", t->error);
    json_t *e =
        json_pack("{s:s,s:s}", "target", t->spec->name, "message", t->error);
    if (!r->preflight_errors)
      r->preflight_errors = json_array();
    json_array_append(r->preflight_errors, e);
    ed__run_journal_event(r, "error", e);
  }
  on_all_started(r);
}

void ed__run_start_targets(ed__runner_t *r,
                           void (*all_started)(ed__runner_t *)) {
  on_all_started = all_started;
  ed_fleet_start(&r->fleet, fleet_started, r);
}

static void fleet_stopped(ed_fleet_t *f, void *arg) {
  (void)f;
  on_all_stopped(arg);
}

void ed__run_stop_targets(ed__runner_t *r,
                          void (*all_stopped)(ed__runner_t *)) {
  on_all_stopped = all_stopped;
  ed_fleet_stop(&r->fleet, fleet_stopped, r);
}

/* ---- operations -------------------------------------------------------- */

static int prepare_stream(ed__runner_t *r, const ed_workload_t *w,
                          ed__rstream_t *st) {
  char errbuf[512] = "";
  const ed_driver_t *drv = st->target->drv;
  st->op = ed_plugin_host_op(drv, w->op.name);
  if (!st->op) {
    ed_error(w->name, "driver %s has no operation \"%s\"", drv->name,
             w->op.name);
    return ED_EINVAL;
  }
  if ((st->op->flags & ED_OP_DESTRUCTIVE) && !st->target->spec->rehearsal) {
    ed_error(w->name,
             "operation \"%s\" changes device state and target %s is not a "
             "rehearsal target (\"rehearsal\": true): refused",
             w->op.name, st->target->spec->name);
    return ED_EPERM;
  }
  st->args = calloc(1, st->op->args_size + 1);
  if (!st->args)
    return ED_ENOMEM;
  ed_diag_t diag;
  ed_diag_init(&diag);
  diag.file = r->sc->file;
  char path[256];
  snprintf(path, sizeof(path), "%s.%s", w->op.path, w->op.name);
  int rc = ed_options_fill_op(st->op, w->op.arg, st->args, path, &diag);
  if (rc != 0)
    ed_diag_print(&diag, stderr);
  ed_diag_close(&diag);
  if (rc != 0)
    return rc;
  rc = drv->op_prepare(st->target->state, st->op, st->args, &st->prepared,
                       errbuf, sizeof(errbuf));
  if (rc != 0) {
    ed_error(w->name, "target %s: cannot prepare \"%s\": %s",
             st->target->spec->name, w->op.name, errbuf);
    st->prepared = NULL;
    return ED_EPLUGIN;
  }
  return 0;
}

int ed__run_prepare_streams(ed__runner_t *r) {
  size_t n = 0;
  for (size_t w = 0; w < r->sc->nworkloads; w++)
    n += r->sc->workloads[w].ntargets;
  r->streams = calloc(n + 1, sizeof(*r->streams));
  if (!r->streams)
    return ED_ENOMEM;
  size_t index = 0;
  for (size_t w = 0; w < r->sc->nworkloads; w++) {
    const ed_workload_t *wl = &r->sc->workloads[w];
    for (size_t i = 0; i < wl->ntargets; i++, index++) {
      if (!ed__run_owns(r, wl->targets[i]))
        continue; /* another shard's load */
      ed__rstream_t *st = &r->streams[r->nstreams++];
      st->w = w;
      st->t = i;
      st->index = index;
      st->target = ed_fleet_find(&r->fleet, wl->targets[i]);
      int rc = prepare_stream(r, wl, st);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

int ed__run_submit(void *ctx, ed_request_t *req) {
  ed__rstream_t *st = ctx;
  return ed_fleet_submit(st->target, req);
}

/* ---- close ------------------------------------------------------------- */

void ed__run_close_targets(ed__runner_t *r) {
  for (size_t i = 0; i < r->nstreams; i++) {
    ed__rstream_t *st = &r->streams[i];
    if (st->prepared)
      st->target->drv->op_free(st->target->state, st->prepared);
    if (st->op)
      ed_options_free(st->op->args, st->args);
    free(st->args);
  }
  free(r->streams);
  r->streams = NULL;
  ed_fleet_close(&r->fleet);
}
