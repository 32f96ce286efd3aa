/* `eventdrill recover DIR`: the undos a run still owes. A fault's pending
 * undo is journaled (and synced) before the fault is injected, and its
 * completion after the undo; a runner killed in between leaves a fault
 * whose undo never completed. recover finds those in DIR/journal.jsonl,
 * shows what it will do, asks (unless --yes), runs each undo with the
 * scenario copy kept in DIR, and appends what it did to the same journal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "journal_read.h"
#include "log.h"
#include "run_internal.h"

typedef struct scan_s {
  json_t *started; /* fault name -> 1, for faults with an undo pending */
  const char *sha; /* scenario_sha256 of run_start (borrowed from ev) */
  char sha_buf[65];
  char started_at[32]; /* run_start's "started", ISO 8601 UTC */
  double last_t;       /* the journal's latest time */
  json_t *shard;       /* run_start's "shard" (one shard's run), or NULL */
  int merged;          /* run_start has "shards": `eventdrill merge`'s */
} scan_t;

static int on_event(void *arg, const json_t *ev, const char *kind,
                    size_t line) {
  scan_t *sc = arg;
  (void)line;
  double t = json_number_value(json_object_get(ev, "t"));
  if (t > sc->last_t)
    sc->last_t = t;
  const char *fault = json_string_value(json_object_get(ev, "fault"));
  if (strcmp(kind, "run_start") == 0) {
    const char *sha = json_string_value(json_object_get(ev, "scenario_sha256"));
    snprintf(sc->sha_buf, sizeof(sc->sha_buf), "%s", sha ? sha : "");
    sc->sha = sc->sha_buf;
    const char *started = json_string_value(json_object_get(ev, "started"));
    snprintf(sc->started_at, sizeof(sc->started_at), "%s",
             started ? started : "");
    json_decref(sc->shard);
    sc->shard = json_incref(json_object_get(ev, "shard"));
    sc->merged = json_object_get(ev, "shards") != NULL;
  } else if (strcmp(kind, "fault_start") == 0 && fault &&
             json_is_true(json_object_get(ev, "undo_pending"))) {
    json_object_set_new(sc->started, fault, json_true());
  } else if (strcmp(kind, "undo_end") == 0 && fault &&
             (json_is_true(json_object_get(ev, "ok")) ||
              json_is_true(json_object_get(ev, "settled")))) {
    json_object_del(sc->started, fault);
  }
  return 0;
}

/* The run's time 0 on this process's clock, so that recover's events carry
 * the run's time (seconds since its start, from the wall clock: the run's
 * own clock died with it), never before the journal's last event. */
static uint64_t run_t0(const scan_t *sc) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  double since = sc->last_t;
  if (strptime(sc->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    double wall = (double)(now.tv_sec - timegm(&tm)) + now.tv_nsec / 1e9;
    if (wall > since)
      since = wall;
  }
  uint64_t back = (uint64_t)(since * 1e9);
  uint64_t hr = uv_hrtime();
  return back < hr ? hr - back : 1;
}

static int ask(void) {
  if (!isatty(STDIN_FILENO))
    return 0;
  fprintf(stderr, "run these undos now? [y/N] ");
  char answer[16] = "";
  if (!fgets(answer, sizeof(answer), stdin))
    return 0;
  return answer[0] == 'y' || answer[0] == 'Y';
}

/* Whether the undo of fault f acts on a device simulated inside the run
 * (its target has "sim" and no URL of its own): that device ended with the
 * process that simulated it, and an undo sent now would reach a new one. */
static int inprocess(const ed__runner_t *r, const ed_fault_t *f) {
  const ed_target_t *t = ed_scenario_target(r->sc, f->undo.target);
  return t && t->sim;
}

/* Owed undos of in-process simulated targets are said plainly, journaled as
 * not done but settled (a later recover does not owe them again), and
 * dropped: never reported as "done". */
static int drop_inprocess(ed__runner_t *r, const char *path) {
  for (size_t i = 0; i < r->sc->nfaults; i++) {
    const ed_fault_t *f = &r->sc->faults[i];
    if (!json_object_get(r->owed, f->name) || !inprocess(r, f))
      continue;
    printf("recover: fault %s: target %s was simulated inside the run and "
           "ended with it; it cannot be recovered and nothing is left to "
           "undo\n",
           f->name, f->undo.target);
    if (!r->journal && ed_journal_open_append(path, &r->journal) != 0) {
      ed_error(NULL, "cannot append to %s", path);
      return -1;
    }
    ed__run_journal_event(
        r, "undo_end",
        json_pack("{s:s,s:b,s:b,s:s,s:s}", "fault", f->name, "ok", 0, "settled",
                  1, "by", "recover", "reason",
                  "in-process simulated target: it ended with the run"));
    json_object_del(r->owed, f->name);
  }
  if (r->journal)
    ed_journal_sync(r->journal);
  return 0;
}

/* A shard's folder: recover acts as that shard, on its own targets only
 * (the others may be out of this machine's reach). */
static int recover_shard(ed__runner_t *r, const json_t *shard) {
  if (!shard)
    return 0;
  const char *label = json_string_value(json_object_get(shard, "label"));
  if (label) {
    r->shard_label = strdup(label);
    if (!r->shard_label)
      return ED_ENOMEM;
  }
  r->opt.shard_by = r->shard_label;
  r->opt.shard_index =
      (unsigned)json_integer_value(json_object_get(shard, "index"));
  r->opt.shard_count =
      (unsigned)json_integer_value(json_object_get(shard, "count"));
  if (r->opt.shard_count == 0 || r->opt.shard_index >= r->opt.shard_count) {
    ed_error(NULL, "%s: its run_start's \"shard\" is not I/N", r->dir);
    return ED_EINVAL;
  }
  return ed__run_shard_setup(r);
}

int ed__recover_prepare(ed__runner_t *r) {
  char path[PATH_MAX];
  snprintf(r->dir, sizeof(r->dir), "%s", r->opt.recover);
  if (ed__run_path(r, "journal.jsonl", path, sizeof(path)) != 0)
    return -ED_EXIT_USAGE;
  scan_t sc = {.started = json_object()};
  ed_jread_stats_t st;
  if (ed_journal_read(path, on_event, &sc, &st) != 0 || !sc.sha) {
    ed_error(NULL, "%s: no readable journal with a run_start", path);
    json_decref(sc.shard);
    json_decref(sc.started);
    return -ED_EXIT_USAGE;
  }
  if (st.partial_last)
    ed_warn(NULL,
            "%s: the last line was cut (the runner died while writing "
            "it); it is ignored",
            path);
  if (strcmp(sc.sha, r->sc->sha256) != 0) {
    ed_error(NULL,
             "%s: the scenario in %s is not the one the journal ran "
             "(sha256 differs): refused",
             path, r->sc->file);
    json_decref(sc.shard);
    json_decref(sc.started);
    return -ED_EXIT_USAGE;
  }
  if (sc.merged)
    /* Every shard's events are in it: the undos any shard still owes,
     * run from here as one process, which must reach their targets. */
    printf("recover: %s is a merged drill: it acts on the undos every shard "
           "still owes\n",
           r->dir);
  int rc = recover_shard(r, sc.shard);
  json_decref(sc.shard);
  if (rc != 0) {
    json_decref(sc.started);
    return -ED_EXIT_USAGE;
  }
  r->owed = sc.started;
  r->t0 = run_t0(&sc);
  if (drop_inprocess(r, path) != 0)
    return -ED_EXIT_FAILED;
  if (json_object_size(r->owed) == 0) {
    printf("recover: every undo of %s completed; nothing to do\n", r->dir);
    return 0;
  }
  printf("recover: %s still owes %zu undo%s:\n", r->dir,
         json_object_size(r->owed), json_object_size(r->owed) == 1 ? "" : "s");
  for (size_t i = 0; i < r->sc->nfaults; i++) {
    const ed_fault_t *f = &r->sc->faults[i];
    if (!json_object_get(r->owed, f->name))
      continue;
    char what[256];
    ed_probe_describe(&f->undo, what, sizeof(what));
    printf("  fault %-20s undo: %s\n", f->name, what);
  }
  fflush(stdout);
  if (!r->opt.yes && !ask()) {
    fprintf(stderr, "recover: not confirmed (use --yes to run without "
                    "asking); nothing was done\n");
    return -ED_EXIT_USAGE;
  }
  if (!r->journal && ed_journal_open_append(path, &r->journal) != 0) {
    ed_error(NULL, "cannot append to %s", path);
    return -ED_EXIT_FAILED;
  }
  return 1;
}

typedef struct undo_s {
  ed__runner_t *r;
  const ed_fault_t *fault;
} undo_t;

static int undos_left;

static void on_undo(void *arg, const ed_probe_outcome_t *o) {
  undo_t *u = arg;
  ed__runner_t *r = u->r;
  int ok = o->err == ED_ERRCLASS_NONE;
  json_t *e = json_pack("{s:s,s:b,s:s}", "fault", u->fault->name, "ok", ok,
                        "by", "recover");
  char reason[300] = "";
  if (!ok) {
    snprintf(reason, sizeof(reason), "%s%s%s", ed_errclass_name(o->err),
             o->detail ? ": " : "", o->detail ? o->detail : "");
    json_object_set_new(e, "reason", json_string(reason));
    r->recover_failed = 1;
  }
  ed__run_journal_event(r, "undo_end", e);
  ed_journal_sync(r->journal);
  printf("recover: undo of %s %s%s%s\n", u->fault->name, ok ? "done" : "FAILED",
         ok ? "" : ": ", reason);
  fflush(stdout);
  free(u);
  if (--undos_left == 0)
    ed__run_shut_down(r);
}

void ed__recover_start(ed__runner_t *r) {
  if (ed__run_init_probes(r) != 0) {
    r->recover_failed = 1;
    ed__run_shut_down(r);
    return;
  }
  undos_left = 1; /* held while launching */
  for (size_t i = 0; i < r->sc->nfaults; i++) {
    const ed_fault_t *f = &r->sc->faults[i];
    if (!json_object_get(r->owed, f->name) || !f->has_undo)
      continue;
    undo_t *u = calloc(1, sizeof(*u));
    if (!u) {
      r->recover_failed = 1;
      continue;
    }
    u->r = r;
    u->fault = f;
    undos_left++;
    ed__run_journal_event(r, "undo_start",
                          json_pack("{s:s,s:s}", "fault", f->name, "why",
                                    "recover after the runner stopped"));
    ed_probe_run_action(&r->probes, &f->undo, 30000, on_undo, u);
  }
  if (--undos_left == 0)
    ed__run_shut_down(r);
}
