/* Probes across shards: a chain whose home is this shard checks or acts
 * on a target another shard owns through the coordinator's channel, and
 * this shard runs the probes the others ask of its own targets. A shard
 * keeps its targets until every shard has said it will ask nothing more
 * (core/coord/coord.h: drained, released). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "run_internal.h"

/* A probe asked of this shard, waiting until its targets have started. */
typedef struct ed__served_s {
  ed__runner_t *r;
  json_t *req;
  ed_coord_caller_t from;
  struct ed__served_s *next;
} ed__served_t;

static int send_probe(void *arg, const char *target, json_t *req,
                      ed_probe_remote_done done, void *ctx) {
  ed__runner_t *r = arg;
  long shard = ed__run_shard_of(r, target);
  if (shard < 0 || shard == (long)r->opt.shard_index) {
    json_decref(req);
    return -1;
  }
  if (!r->coord) {
    json_decref(req);
    done(ctx, NULL,
         "another shard owns it, and this run has no coordinator to reach "
         "it (a preflight checks each shard's own targets)");
    return 0;
  }
  ed_coord_call(r->coord, (unsigned)shard, req, done, ctx);
  return 0;
}

static const ed_driver_t *remote_driver(void *arg, const char *target) {
  ed__runner_t *r = arg;
  const ed_target_t *t = ed_scenario_target(r->sc, target);
  const ed_driver_t *drv = NULL;
  if (t && ed_plugin_host_find(r->ph, t->driver, &drv) != 0)
    drv = NULL;
  return drv;
}

static void answer(ed__runner_t *r, ed_coord_caller_t from,
                   const ed_probe_outcome_t *o) {
  if (r->coord && !r->coord_finishing)
    ed_coord_answer(r->coord, from, ed_probe_outcome_json(o));
}

static void answer_why(ed__runner_t *r, ed_coord_caller_t from,
                       const char *why) {
  char detail[512];
  snprintf(detail, sizeof(detail), "shard %u: %s", r->opt.shard_index, why);
  ed_probe_outcome_t o = {.err = ED_ERRCLASS_OTHER, .detail = detail};
  answer(r, from, &o);
}

static void on_served(void *arg, const ed_probe_outcome_t *o) {
  ed__served_t *s = arg;
  answer(s->r, s->from, o);
  free(s);
}

static void run_served(ed__runner_t *r, const json_t *req,
                       ed_coord_caller_t from) {
  ed__served_t *s = calloc(1, sizeof(*s));
  if (!s || ed_probe_serve(&r->probes, req, on_served, s) != 0) {
    free(s);
    answer_why(r, from, "out of memory");
    return;
  }
  s->r = r;
  s->from = from;
}

void ed__run_remote_serve(void *arg, const json_t *req,
                          ed_coord_caller_t from) {
  ed__runner_t *r = arg;
  if (r->probes_ready && !r->finished) {
    run_served(r, req, from);
    return;
  }
  if (r->finished || r->start_failed) {
    answer_why(r, from, "its targets are stopped");
    return;
  }
  /* Its targets are still starting: the probe runs once they have. */
  ed__served_t *s = calloc(1, sizeof(*s));
  if (!s) {
    answer_why(r, from, "out of memory");
    return;
  }
  s->r = r;
  s->req = json_deep_copy(req);
  s->from = from;
  s->next = r->asked;
  r->asked = s;
}

/* The probes asked so far, oldest first. */
static ed__served_t *take_asked(ed__runner_t *r) {
  ed__served_t *rev = NULL, *s = r->asked;
  r->asked = NULL;
  while (s) {
    ed__served_t *next = s->next;
    s->next = rev;
    rev = s;
    s = next;
  }
  return rev;
}

void ed__run_remote_ready(ed__runner_t *r) {
  if (!r->cross || !r->shard_of)
    return;
  r->remote = (ed_probe_remote_t){
      .arg = r, .send = send_probe, .driver = remote_driver};
  r->probes.remote = &r->remote;
  for (ed__served_t *s = take_asked(r), *next; s; s = next) {
    next = s->next;
    run_served(r, s->req, s->from);
    json_decref(s->req);
    free(s);
  }
}

void ed__run_remote_refuse(ed__runner_t *r, const char *why) {
  for (ed__served_t *s = take_asked(r), *next; s; s = next) {
    next = s->next;
    answer_why(r, s->from, why);
    json_decref(s->req);
    free(s);
  }
}

void ed__run_remote_hold(ed__runner_t *r, void (*then)(ed__runner_t *)) {
  if (!r->cross || !r->coord || r->coord_finishing) {
    then(r);
    return;
  }
  if (r->holding)
    return;
  r->holding = 1;
  r->after_hold = then;
  ed_progress_message(&r->progress,
                      "eventdrill: shard %u of %u: its drill is over; its "
                      "targets stay open for the other shards' chains until "
                      "every shard's drill is over",
                      r->opt.shard_index, r->opt.shard_count);
  ed_coord_drained(r->coord); /* released may follow at once */
}

void ed__run_remote_released(void *arg) {
  ed__runner_t *r = arg;
  if (!r->holding || !r->after_hold)
    return;
  void (*then)(ed__runner_t *) = r->after_hold;
  r->after_hold = NULL;
  then(r);
}
