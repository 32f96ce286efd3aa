/* A shard's side of the drill across processes (`--coordinator`): the
 * token, the drill's identity, the start barrier, and stopping together
 * (core/coord/coord.h does the talking). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "run_internal.h"
#include "shard.h"

#define TOKEN_ENV "EVENTDRILL_SHARD_TOKEN"
#define TOKEN_MAX 1024

/* The token from --token-file (a file only its owner can read, as for
 * "file:" credentials) or from the environment: never the command line,
 * which every user of the machine can read and the journal records. */
static int read_token(const ed__runner_t *r, char *buf, size_t len) {
  const char *file = r->opt.token_file;
  if (!file) {
    const char *env = getenv(TOKEN_ENV);
    snprintf(buf, len, "%s", env ? env : "");
    return 0;
  }
  char err[512];
  if (ed_credentials_read_line(file, buf, len, err, sizeof(err)) != 0) {
    ed_error(NULL, "--token-file: %s", err);
    return -1;
  }
  return 0;
}

/* What makes processes shards of one drill: the same scenario bytes, mode,
 * seed, number of shards and rule. */
static void drill_identity(const ed__runner_t *r, char *buf, size_t len) {
  snprintf(buf, len, "%s %s seed %llu shards %u by %s", r->sc->sha256,
           r->opt.mode == ED_MODE_VERIFY ? "verify" : "rehearse",
           (unsigned long long)(r->opt.has_seed ? r->opt.seed : r->sc->seed),
           r->opt.shard_count, r->opt.shard_by ? r->opt.shard_by : "name hash");
}

static void on_start(void *arg, uint64_t t0) {
  ed__runner_t *r = arg;
  if (!r->at_barrier || !r->coord_begin)
    return;
  r->at_barrier = 0;
  r->coord_begin(r, t0);
}

/* The drill stops everywhere. After this shard's own end, it is only
 * recorded: the drill as a whole did not finish. */
static void on_abort(void *arg, const char *why) {
  ed__runner_t *r = arg;
  if (r->coord_why[0])
    return;
  snprintf(r->coord_why, sizeof(r->coord_why), "%s", why);
  ed_progress_message(&r->progress,
                      "eventdrill: the drill stops on every "
                      "shard: %s",
                      why);
  if (r->finished) {
    r->interrupted = 1;
    ed__run_journal_event(r, "interrupt", json_pack("{s:s}", "reason", why));
    return;
  }
  if (!r->interrupted)
    ed__run_interrupt(r, json_pack("{s:s}", "reason", why), why);
}

static void on_event(void *arg, const char *ev, json_t *obj) {
  ed__runner_t *r = arg;
  ed__run_journal_event(r, ev, obj);
}

int ed__run_coord_open(ed__runner_t *r) {
  if (!r->opt.coordinator || r->opt.dry_run || r->opt.recover)
    return 0;
  char token[TOKEN_MAX], drill[256], err[512];
  if (read_token(r, token, sizeof(token)) != 0)
    return ED_EXIT_USAGE;
  drill_identity(r, drill, sizeof(drill));
  ed_coord_config_t cfg = {
      .address = r->opt.coordinator,
      .shard = r->opt.shard_index,
      .count = r->opt.shard_count,
      .token = token,
      .drill = drill,
      .wait_ms = (uint64_t)(r->opt.barrier_wait_s * 1000),
  };
  ed_coord_events_t ev = {.arg = r,
                          .start = on_start,
                          .abort = on_abort,
                          .event = on_event,
                          .serve = ed__run_remote_serve,
                          .released = ed__run_remote_released};
  int rc = ed_coord_open(&r->loop, &cfg, &ev, &r->coord, err, sizeof(err));
  explicit_bzero(token, sizeof(token));
  if (rc != 0) {
    ed_error(NULL, "%s", err);
    return strstr(err, "cannot listen") ? ED_EXIT_FAILED : ED_EXIT_USAGE;
  }
  return 0;
}

void ed__run_coord_ready(ed__runner_t *r,
                         void (*begin)(ed__runner_t *, uint64_t t0)) {
  if (!r->coord) {
    begin(r, uv_hrtime());
    return;
  }
  r->coord_begin = begin;
  r->at_barrier = 1;
  ed_progress_message(&r->progress,
                      "eventdrill: shard %u of %u ready; waiting at the start "
                      "barrier (coordinator %s)",
                      r->opt.shard_index, r->opt.shard_count,
                      r->opt.coordinator);
  ed_coord_ready(r->coord);
}

void ed__run_coord_abort(ed__runner_t *r, const char *why) {
  if (r->coord && !r->coord_finishing && !r->coord_why[0])
    ed_coord_abort(r->coord, why);
}

static void coord_closed(void *arg) {
  ed__runner_t *r = arg;
  r->coord = NULL;
}

void ed__run_coord_finish(ed__runner_t *r) {
  if (!r->coord || r->coord_finishing)
    return;
  r->coord_finishing = 1;
  ed_coord_finish(r->coord, coord_closed, r);
}
