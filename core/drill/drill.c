#include "drill.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drill_internal.h"
#include "error.h"

static void emit(ed_drill_t *d, const char *ev, json_t *obj) {
  if (d->ev.event)
    d->ev.event(d->ev.arg, ev, obj);
  json_decref(obj);
}

static void say(ed_drill_t *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(ed_drill_t *d, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (d->ev.message)
    d->ev.message(d->ev.arg, line);
}

static void maybe_end(ed_drill_t *d);
static void recompute_active(ed_drill_t *d);

/* ---- RTO ----------------------------------------------------------------
 * From the declared start (fault, detection, plan start) to the moment all
 * steady-state checks are green again after the plan's last action. */

static void rto_reached(frt_t *f, uint64_t at) {
  f->awaiting_rto = 0;
  f->rto_end_ns = at;
  f->state = FAULT_RECOVERED;
  const ed_plan_t *p = ed_scenario_plan(f->d->sc, f->spec->plan);
  double rto = (double)(at - ed__drill_rto_from(f)) / 1e9;
  json_t *o = json_pack("{s:s,s:s,s:f}", "fault", f->spec->name, "plan",
                        f->spec->plan, "rto_s", rto);
  if (p && p->rto_ms)
    json_object_set_new(o, "rto_target_s", json_real(p->rto_ms / 1000.0));
  emit(f->d, "rto", o);
  say(f->d, "eventdrill: %s recovered: RTO %.1f s%s", f->spec->name, rto,
      p && p->rto_ms ? (rto * 1000 <= (double)p->rto_ms ? " (within target)"
                                                        : " (OVER TARGET)")
                     : "");
  recompute_active(f->d);
}

/* ---- checks' results ---------------------------------------------------- */

static void start_fault_plan(frt_t *f);

static int check_guardrails(ed_drill_t *d, const char *check);

/* A check's value in the journal: whole up to this many bytes; beyond, its
 * beginning (cut on a character boundary) and its length, so that a device
 * answering megabytes cannot fill the results disk a check at a time. */
#define JOURNAL_VALUE_MAX 4096

static void journal_value(json_t *o, const char *value) {
  size_t n = strlen(value);
  if (n <= JOURNAL_VALUE_MAX) {
    json_object_set_new(o, "value", json_string(value));
    return;
  }
  size_t cut = JOURNAL_VALUE_MAX;
  while (cut > 0 && ((unsigned char)value[cut] & 0xC0) == 0x80)
    cut--;
  json_object_set_new(o, "value", json_stringn(value, cut));
  json_object_set_new(o, "value_bytes", json_integer((json_int_t)n));
  json_object_set_new(o, "value_cut", json_true());
}

/* A reason quotes the value and is cut to its buffer, maybe inside a
 * character: drop a trailing partial UTF-8 sequence, which the journal's
 * JSON would refuse (and the event with it). */
static const char *whole_chars(const char *text, char *buf, size_t len) {
  snprintf(buf, len, "%s", text);
  size_t n = strlen(buf), k = n;
  while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
    k--;
  if (k > 0 && ((unsigned char)buf[k - 1] & 0x80)) {
    unsigned char lead = (unsigned char)buf[k - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (k - 1) < want)
      buf[k - 1] = '\0';
  }
  return buf;
}

static void on_check(void *arg, const ed_check_result_t *r) {
  ed_drill_t *d = arg;
  char reason[1024];
  json_t *o = json_pack("{s:s,s:s,s:b,s:s,s:f,s:i}", "check", r->check->name,
                        "by", r->by, "ok", r->ok, "reason",
                        whole_chars(r->reason, reason, sizeof(reason)),
                        "latency_ms", r->out->latency_ms, "code", r->out->code);
  if (o && r->check->steady)
    json_object_set_new(o, "steady", json_true());
  if (o && r->out->value)
    journal_value(o, r->out->value);
  emit(d, "check", o);
  ed__check_stats_t *st = &d->stats[r->index];
  st->runs++;
  if (r->ok) {
    st->green++;
  } else {
    st->red++;
    snprintf(st->last_reason, sizeof(st->last_reason), "%s", r->reason);
    if (strcmp(r->by, "before") == 0)
      st->before_failed = d->before_failed = 1;
    if (strcmp(r->by, "after") == 0)
      st->after_failed = d->after_failed = 1;
  }
  st->before_runs += strcmp(r->by, "before") == 0;
  st->after_runs += strcmp(r->by, "after") == 0;
  /* The check's state as the drill leaves it: its latest answer, whoever
   * asked (a plan's verification may be the last), once it has run as a
   * continuous check; before and after checks are judged on their own. */
  /* Runs overlap (a plan's verification beside a continuous run): the one
   * sent last tells the state, not the one that answered last. */
  uint64_t sent = r->at_ns - (uint64_t)(r->out->latency_ms * 1e6);
  if ((strcmp(r->by, "continuous") == 0 ||
       (st->last_seen && strcmp(r->by, "before") && strcmp(r->by, "after"))) &&
      sent >= st->last_seen_start) {
    st->last_seen = r->ok ? 1 : -1;
    st->last_seen_start = sent;
  }
  if (!d->started || d->ended)
    return;
  /* Guardrails on a check: judged on each result, not only when a second
   * of the workloads closes (a drill may have no workload). */
  if (!r->ok && !d->aborted && check_guardrails(d, r->check->name))
    return;
  /* Detection: a red trigger check starts the plans waiting for it. */
  if (!r->ok) {
    for (size_t i = 0; i < d->nfaults; i++) {
      frt_t *f = &d->faults[i];
      const ed_plan_t *p =
          f->spec->plan ? ed_scenario_plan(d->sc, f->spec->plan) : NULL;
      if (f->awaiting_detection && p && p->trigger_check &&
          strcmp(p->trigger_check, r->check->name) == 0) {
        f->awaiting_detection = 0;
        uv_timer_stop(&f->detect_timer);
        f->detected_ns = r->at_ns;
        emit(d, "detected",
             json_pack("{s:s,s:s,s:f}", "fault", f->spec->name, "check",
                       r->check->name, "after_s",
                       (double)(r->at_ns - f->injected_ns) / 1e9));
        start_fault_plan(f);
      }
    }
    for (size_t i = 0; i < d->sc->nplans; i++) {
      const ed_plan_t *p = &d->sc->plans[i];
      if (d->trigger_plans[i] && !ed_plan_run_started(d->trigger_plans[i]) &&
          p->trigger_check && strcmp(p->trigger_check, r->check->name) == 0) {
        say(d, "eventdrill: check %s went red: starting plan %s",
            r->check->name, p->name);
        ed_plan_run_start(d->trigger_plans[i], p->detection_delay_ms);
      }
    }
  }
  /* Recovery: the steady state is back. */
  if (ed_checks_steady_green(d->checks)) {
    for (size_t i = 0; i < d->nfaults; i++) {
      frt_t *f = &d->faults[i];
      if (f->awaiting_rto && r->at_ns >= ed_plan_run_last_action_ns(f->plan))
        rto_reached(f, r->at_ns);
    }
  }
  maybe_end(d);
}

/* ---- plans -------------------------------------------------------------- */

static void on_plan_event(void *arg, const char *ev, json_t *obj) {
  ed_drill_t *d = arg;
  if (d->ev.event)
    d->ev.event(d->ev.arg, ev, obj);
}

/* When the steady state last turned green: the latest change to green of
 * the steady checks that judge "now" (as ed_checks_steady_green). */
static uint64_t steady_green_since(const ed_drill_t *d) {
  uint64_t at = 0;
  for (size_t i = 0; i < d->sc->nchecks; i++) {
    const ed_check_t *c = &d->sc->checks[i];
    uint64_t since = 0;
    if (!c->steady || c->mode == ED_CHECK_BEFORE || c->mode == ED_CHECK_AFTER)
      continue;
    if (ed_checks_state(d->checks, c->name, &since) == ED_CHECK_STATE_GREEN &&
        since > at)
      at = since;
  }
  return at;
}

static void on_plan_finished(void *arg, ed_plan_run_t *run) {
  ed_drill_t *d = arg;
  const ed_plan_t *p = ed_plan_run_plan(run);
  say(d, "eventdrill: plan %s %s%s%s", p->name,
      ed_plan_run_passed(run) ? "passed" : "FAILED",
      ed_plan_run_reason(run)[0] ? ": " : "", ed_plan_run_reason(run));
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    if (f->plan != run)
      continue;
    if (!ed_plan_run_passed(run) || d->mode == ED_MODE_VERIFY)
      continue;
    /* The plan did its part; RTO ends when every steady check is green.
     * When it already is, recovery came when the steady state turned green
     * (and stayed so), not when the plan noticed: a step's retries re-send
     * its action and wait their back-off, which is the drill's own polling
     * cadence, not the device's recovery. Never before the plan's first
     * step: the plan cannot be credited with what came before it. */
    if (ed_checks_steady_green(d->checks)) {
      uint64_t at = steady_green_since(d);
      if (at < ed_plan_run_first_step_ns(run))
        at = ed_plan_run_first_step_ns(run);
      rto_reached(f, at);
    } else
      f->awaiting_rto = 1;
  }
  maybe_end(d);
}

static ed_plan_run_t *new_plan_run(ed_drill_t *d, const ed_plan_t *p) {
  ed_plan_events_t pev = {
      .arg = d, .event = on_plan_event, .finished = on_plan_finished};
  ed_plan_run_t *run = NULL;
  if (ed_plan_run_create(p, d->probes, d->checks, &pev, d->only, &run) != 0)
    return NULL;
  return run;
}

static void start_fault_plan(frt_t *f) {
  const ed_plan_t *p = ed_scenario_plan(f->d->sc, f->spec->plan);
  say(f->d, "eventdrill: starting plan %s for %s", p->name, f->spec->name);
  ed_plan_run_start(f->plan, p->detection_delay_ms);
}

static void on_detect_timeout(uv_timer_t *t) {
  frt_t *f = t->data;
  if (!f->awaiting_detection)
    return;
  f->awaiting_detection = 0;
  const ed_plan_t *p = ed_scenario_plan(f->d->sc, f->spec->plan);
  snprintf(f->reason, sizeof(f->reason),
           "plan %s never started: check %s did not go red after the fault",
           p->name, p->trigger_check);
  emit(f->d, "plan_not_started",
       json_pack("{s:s,s:s,s:s}", "fault", f->spec->name, "plan", p->name,
                 "reason", f->reason));
  maybe_end(f->d);
}

/* ---- faults and undos -----------------------------------------------------
 */

static int count_faulted_targets(const ed_drill_t *d, const char *except) {
  int n = 0;
  for (size_t i = 0; i < d->nfaults; i++) {
    const frt_t *f = &d->faults[i];
    if (f->state != FAULT_ACTIVE || strcmp(f->spec->action.target, except) == 0)
      continue;
    int seen = 0;
    for (size_t j = 0; j < i; j++)
      seen |=
          d->faults[j].state == FAULT_ACTIVE &&
          strcmp(d->faults[j].spec->action.target, f->spec->action.target) == 0;
    n += !seen;
  }
  return n;
}

static void recompute_active(ed_drill_t *d) {
  int active = 0;
  for (size_t i = 0; i < d->nfaults; i++)
    active |= d->faults[i].state == FAULT_ACTIVE;
  ed_checks_set_faults_active(d->checks, active);
}

static void on_undo(void *arg, const ed_probe_outcome_t *o) {
  frt_t *f = arg;
  ed_drill_t *d = f->d;
  d->undos_running--;
  int ok = o->err == ED_ERRCLASS_NONE;
  f->undo_state = ok ? 2 : 3;
  if (!ok)
    snprintf(f->undo_reason, sizeof(f->undo_reason), "%s%s%s",
             ed_errclass_name(o->err), o->detail ? ": " : "",
             o->detail ? o->detail : "");
  json_t *e = json_pack("{s:s,s:b}", "fault", f->spec->name, "ok", ok);
  if (!ok)
    json_object_set_new(e, "reason", json_string(f->undo_reason));
  emit(d, "undo_end", e);
  if (d->ev.sync)
    d->ev.sync(d->ev.arg);
  if (ok && f->state == FAULT_ACTIVE && !f->spec->plan)
    f->state = FAULT_RECOVERED;
  if (!ok)
    say(d, "eventdrill: UNDO FAILED for %s: %s", f->spec->name, f->undo_reason);
  recompute_active(d);
  maybe_end(d);
}

static void run_undo(frt_t *f, const char *why) {
  if (!f->spec->has_undo || f->undo_state != 0 ||
      (f->state != FAULT_ACTIVE && f->state != FAULT_RECOVERED))
    return;
  f->undo_state = 1;
  f->d->undos_running++;
  emit(f->d, "undo_start",
       json_pack("{s:s,s:s}", "fault", f->spec->name, "why", why));
  ed_probe_run_action(f->d->probes, &f->spec->undo, 30000, on_undo, f);
}

static void on_for(uv_timer_t *t) {
  frt_t *f = t->data;
  if (f->spec->undo_when == ED_UNDO_ALWAYS)
    run_undo(f, "its time is up");
}

static void on_fault_verified(void *arg, const ed_check_result_t *r) {
  frt_t *f = arg;
  if (!r->ok && !f->verify_bad) {
    f->verify_bad = 1;
    snprintf(f->reason, sizeof(f->reason), "verification %s: %s",
             r->check->name, r->reason);
  }
  if (--f->verify_left == 0) {
    if (!f->verify_bad && !f->spec->plan)
      f->state = FAULT_RECOVERED;
    json_t *e =
        json_pack("{s:s,s:b}", "fault", f->spec->name, "ok", !f->verify_bad);
    if (f->verify_bad)
      json_object_set_new(e, "reason", json_string(f->reason));
    emit(f->d, "fault_verified", e);
  }
  recompute_active(f->d);
  maybe_end(f->d);
}

static void on_injected(void *arg, const ed_probe_outcome_t *o) {
  frt_t *f = arg;
  ed_drill_t *d = f->d;
  int ok = o->err == ED_ERRCLASS_NONE;
  f->injecting = 0;
  json_t *e = json_pack("{s:s,s:b}", "fault", f->spec->name, "ok", ok);
  if (!ok) {
    snprintf(f->reason, sizeof(f->reason),
             "the fault could not be injected: "
             "%s%s%s",
             ed_errclass_name(o->err), o->detail ? ": " : "",
             o->detail ? o->detail : "");
    json_object_set_new(e, "reason", json_string(f->reason));
    f->state = FAULT_FAILED;
  }
  emit(d, "fault_end", e);
  if (d->ev.sync)
    d->ev.sync(d->ev.arg);
  if (!ok || d->aborted) {
    say(d, "eventdrill: fault %s: %s", f->spec->name,
        ok ? "injected" : f->reason);
    if (ok)
      run_undo(f, "the drill was aborted");
    maybe_end(d);
    return;
  }
  say(d, "eventdrill: fault %s injected on %s", f->spec->name,
      f->spec->action.target);
  recompute_active(d);
  if (f->spec->for_ms > 0)
    uv_timer_start(&f->for_timer, on_for, (uint64_t)f->spec->for_ms, 0);
  /* Verifications of a fault without undo (e.g. a forced restart). */
  f->verify_left = (int)f->spec->nverify;
  for (size_t i = 0; i < f->spec->nverify; i++)
    ed_checks_run(d->checks, f->spec->verify[i], "fault", on_fault_verified, f);
  if (f->spec->plan) {
    const ed_plan_t *p = ed_scenario_plan(d->sc, f->spec->plan);
    f->plan = new_plan_run(d, p);
    if (f->plan)
      ed_plan_run_set_fault(f->plan, f->spec->name);
    if (p->trigger_check) {
      f->awaiting_detection = 1;
      int64_t wait =
          p->rto_ms > ED__DETECTION_WAIT_MS ? p->rto_ms : ED__DETECTION_WAIT_MS;
      uv_timer_start(&f->detect_timer, on_detect_timeout, (uint64_t)wait, 0);
    } else {
      f->detected_ns = f->injected_ns;
      start_fault_plan(f);
    }
  }
  maybe_end(d);
}

/* A fault not injected, with why, journaled so that the summary rebuilt
 * from the journal lists it as the live one does. */
static void skip_fault(frt_t *f, const char *reason) {
  f->state = FAULT_SKIPPED;
  snprintf(f->reason, sizeof(f->reason), "%s", reason);
  emit(f->d, "fault_skipped",
       json_pack("{s:s,s:s,s:s}", "fault", f->spec->name, "target",
                 f->spec->action.target, "reason", f->reason));
}

/* A fault whose time the drill never reached (it ended or was aborted). */
static void skip_unreached(frt_t *f) {
  skip_fault(f, f->d->aborted ? "not injected: the drill was aborted"
                              : "not injected: the drill had ended");
}

/* The journal could not make the fault and its pending undo durable: a
 * runner that died after injecting it would leave nothing for `recover`.
 * Not injected; the drill stops as for a guardrail. */
static void fault_not_written(frt_t *f) {
  ed_drill_t *d = f->d;
  skip_fault(f, "not injected: its pending undo could not be written to the "
                "journal");
  char why[300];
  snprintf(why, sizeof(why),
           "fault %s not injected: its pending undo could not be written "
           "to the journal",
           f->spec->name);
  if (d->ev.abort)
    d->ev.abort(d->ev.arg, why);
  ed_drill_abort(d, why);
}

static void on_fault_time(uv_timer_t *t) {
  frt_t *f = t->data;
  ed_drill_t *d = f->d;
  if (d->aborted || d->ended) {
    skip_unreached(f);
    maybe_end(d);
    return;
  }
  if (d->sc->max_faulted_targets > 0 &&
      count_faulted_targets(d, f->spec->action.target) >=
          d->sc->max_faulted_targets) {
    char why[300];
    snprintf(why, sizeof(why),
             "not injected: %d target%s already faulted (blast radius "
             "limit %d)",
             d->sc->max_faulted_targets,
             d->sc->max_faulted_targets == 1 ? "" : "s",
             d->sc->max_faulted_targets);
    skip_fault(f, why);
    snprintf(why, sizeof(why),
             "blast radius: fault %s would fault more than "
             "%d target%s at once",
             f->spec->name, d->sc->max_faulted_targets,
             d->sc->max_faulted_targets == 1 ? "" : "s");
    /* As for a guardrail: the workloads stop too, or the drill (and its
     * undos) would wait for their end. */
    if (d->ev.abort)
      d->ev.abort(d->ev.arg, why);
    ed_drill_abort(d, why);
    return;
  }
  char what[256];
  ed_probe_describe(&f->spec->action, what, sizeof(what));
  /* The pending undo is on disk before the fault is: a runner that dies
   * now leaves what `recover` needs. */
  json_t *e = json_pack("{s:s,s:s,s:s,s:b}", "fault", f->spec->name, "target",
                        f->spec->action.target, "action", what, "undo_pending",
                        f->spec->has_undo);
  if (f->spec->plan) {
    const ed_plan_t *p = ed_scenario_plan(d->sc, f->spec->plan);
    json_object_set_new(e, "plan", json_string(f->spec->plan));
    if (p && p->rto_ms)
      json_object_set_new(e, "rto_target_s", json_real(p->rto_ms / 1000.0));
  }
  if (f->spec->has_undo) {
    char undo[256];
    ed_probe_describe(&f->spec->undo, undo, sizeof(undo));
    json_object_set_new(e, "undo", json_string(undo));
  }
  emit(d, "fault_start", e);
  if (d->ev.sync && d->ev.sync(d->ev.arg) != 0) {
    /* Write-ahead: without its undo on disk, the fault is not sent. */
    fault_not_written(f);
    return;
  }
  f->state = FAULT_ACTIVE;
  f->injected_ns = uv_hrtime();
  f->injecting = 1;
  ed_probe_run_action(d->probes, &f->spec->action, 30000, on_injected, f);
}

/* ---- the end ------------------------------------------------------------- */

static int drill_busy(const ed_drill_t *d) {
  if (d->undos_running || d->proofs_left > 0 || ed_checks_busy(d->checks) > 0)
    return 1;
  for (size_t i = 0; i < d->nfaults; i++) {
    const frt_t *f = &d->faults[i];
    if (f->state == FAULT_PENDING && !d->aborted)
      return 1;
    /* A fault whose answer is not back yet: the drill waits for it (a
     * slow BMC), rather than stopping its target under it. */
    if (f->injecting || f->awaiting_detection || f->verify_left > 0)
      return 1;
    if (f->plan && ed_plan_run_started(f->plan) &&
        !ed_plan_run_finished(f->plan))
      return 1;
    if (f->plan && !ed_plan_run_idle(f->plan))
      return 1;
  }
  for (size_t i = 0; i < d->sc->nplans; i++) {
    ed_plan_run_t *r = d->trigger_plans[i];
    if (r && ((ed_plan_run_started(r) && !ed_plan_run_finished(r)) ||
              !ed_plan_run_idle(r)))
      return 1;
  }
  return 0;
}

int ed_drill_busy(const ed_drill_t *d) {
  return drill_busy(d);
}

static void run_final_undos(ed_drill_t *d) {
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    if (f->undo_state != 0 || !f->spec->has_undo)
      continue;
    if (f->spec->undo_when == ED_UNDO_ALWAYS ||
        (f->spec->undo_when == ED_UNDO_ON_ABORT && d->aborted))
      run_undo(f, d->aborted ? "the drill was aborted" : "end of the drill");
    else if (f->state == FAULT_ACTIVE || f->state == FAULT_RECOVERED) {
      f->undo_state = 4;
      emit(d, "undo_skipped", json_pack("{s:s}", "fault", f->spec->name));
    }
  }
}

static void after_done(void *arg) {
  ed_drill_t *d = arg;
  d->after_done = 1;
  maybe_end(d);
}

/* Called whenever something finished: move to the next stage when the
 * current one is over. */
static void maybe_end(ed_drill_t *d) {
  if (d->finished || d->destroyed || !d->started)
    return;
  if (!d->ended) {
    if (!d->workloads_done || drill_busy(d))
      return;
    if (!d->aborted && uv_is_active((uv_handle_t *)&d->end_timer))
      return;
    d->ended = 1;
    uv_timer_stop(&d->limit_timer);
    ed_checks_stop(d->checks);
    for (size_t i = 0; i < d->nfaults; i++) {
      uv_timer_stop(&d->faults[i].at_timer);
      if (d->faults[i].state == FAULT_PENDING)
        skip_unreached(&d->faults[i]);
    }
    /* Undos first, so that the after-checks see the fleet as the drill
     * leaves it. */
    run_final_undos(d);
  }
  if (d->undos_running)
    return;
  if (!d->after_started) {
    d->after_started = 1;
    ed_checks_run_mode(d->checks, ED_CHECK_AFTER, after_done, d);
    return;
  }
  if (!d->after_done || ed_checks_busy(d->checks))
    return;
  d->finished = 1;
  emit(d, "drill_end",
       json_pack("{s:b,s:s}", "aborted", d->aborted, "reason",
                 d->aborted ? d->abort_reason : ""));
  if (d->ev.sync)
    d->ev.sync(d->ev.arg);
  if (d->ev.finished)
    d->ev.finished(d->ev.arg);
}

static void on_end_timer(uv_timer_t *t) {
  maybe_end(t->data);
}

static void on_limit(uv_timer_t *t) {
  ed_drill_t *d = t->data;
  char why[128];
  snprintf(why, sizeof(why), "time limit of %.0f s reached",
           d->sc->time_limit_ms / 1000.0);
  if (d->ev.abort)
    d->ev.abort(d->ev.arg, why);
  ed_drill_abort(d, why);
}

/* ---- guardrails ------------------------------------------------------------
 */

static int guard_holds(ed_drill_t *d, const ed_guardrail_t *g, int64_t sec,
                       char *what, size_t len) {
  if (g->kind == ED_GUARD_CHECK_RED) {
    uint64_t since;
    if (ed_checks_state(d->checks, g->check, &since) != ED_CHECK_STATE_RED)
      return 0;
    uint64_t held = (uv_hrtime() - since) / 1000000;
    snprintf(what, len, "check %s red for %.1f s", g->check, held / 1000.0);
    return (int64_t)held >= g->for_ms;
  }
  for (size_t w = 0; w < d->sc->nworkloads; w++) {
    if (g->workload && strcmp(g->workload, d->sc->workloads[w].name) != 0)
      continue;
    ed_second_t second;
    if (sec < 0 || ed_metrics_second(d->metrics, w, (size_t)sec, &second))
      continue;
    const ed_second_t *x = &second;
    if (g->kind == ED_GUARD_P99 && x->counts.completed &&
        x->p99_us / 1000.0 > g->threshold) {
      snprintf(what, len, "p99 %.1f ms of %s", x->p99_us / 1000.0,
               d->sc->workloads[w].name);
      return 1;
    }
    if (g->kind == ED_GUARD_ERROR_RATE && x->counts.completed) {
      double rate =
          (double)ed_counts_errors(&x->counts) / (double)x->counts.completed;
      if (rate > g->threshold) {
        snprintf(what, len, "error rate %.1f %% of %s", rate * 100,
                 d->sc->workloads[w].name);
        return 1;
      }
    }
  }
  return 0;
}

static void trip(ed_drill_t *d, const ed_guardrail_t *g, const char *what) {
  char why[512];
  snprintf(why, sizeof(why), "guardrail \"%s\" tripped: %s", g->text, what);
  emit(d, "guardrail",
       json_pack("{s:s,s:s}", "guardrail", g->text, "observed", what));
  if (d->ev.abort)
    d->ev.abort(d->ev.arg, why);
  ed_drill_abort(d, why);
}

/* The check_red guardrails on `check`: 1 when one tripped. */
static int check_guardrails(ed_drill_t *d, const char *check) {
  for (size_t i = 0; i < d->sc->nguardrails; i++) {
    const ed_guardrail_t *g = &d->sc->guardrails[i];
    char what[256] = "";
    if (g->kind != ED_GUARD_CHECK_RED || strcmp(g->check, check) != 0 ||
        !guard_holds(d, g, 0, what, sizeof(what)))
      continue;
    trip(d, g, what);
    return 1;
  }
  return 0;
}

void ed_drill_second(ed_drill_t *d, int64_t sec) {
  if (!d->started || d->ended || d->aborted)
    return;
  for (size_t i = 0; i < d->sc->nguardrails; i++) {
    const ed_guardrail_t *g = &d->sc->guardrails[i];
    char what[256] = "";
    if (!guard_holds(d, g, sec, what, sizeof(what))) {
      d->guard_held[i] = 0;
      continue;
    }
    d->guard_held[i]++;
    int trips = g->kind == ED_GUARD_CHECK_RED
                    ? 1
                    : d->guard_held[i] * 1000 >= (g->for_ms ? g->for_ms : 1);
    if (!trips)
      continue;
    trip(d, g, what);
    return;
  }
}

/* ---- lifecycle ----------------------------------------------------------- */

/* The drill's checks and faults in the scenario's order, journaled first,
 * so that a summary rebuilt from the journal lists them as the live one
 * does, whatever order their results come in. */
static void announce(ed_drill_t *d) {
  json_t *checks = json_array(), *faults = json_array();
  for (size_t i = 0; i < d->sc->nchecks; i++)
    json_array_append_new(checks,
                          json_pack("{s:s,s:b}", "name", d->sc->checks[i].name,
                                    "steady", d->sc->checks[i].steady));
  for (size_t i = 0; i < d->nfaults; i++)
    json_array_append_new(faults, json_pack("{s:s,s:s}", "name",
                                            d->faults[i].spec->name, "target",
                                            d->faults[i].spec->action.target));
  emit(d, "drill_items",
       json_pack("{s:o,s:o}", "checks", checks, "faults", faults));
}

int ed_drill_create(const ed_scenario_t *s, ed_probe_host_t *probes,
                    const ed_metrics_t *metrics, ed_mode_t mode,
                    const char *const *only, const ed_drill_events_t *ev,
                    ed_drill_t **out) {
  ed_drill_t *d = calloc(1, sizeof(*d));
  if (!d)
    return ED_ENOMEM;
  d->sc = s;
  d->probes = probes;
  d->metrics = metrics;
  d->mode = mode;
  d->only = only;
  d->ev = *ev;
  d->nfaults = mode == ED_MODE_VERIFY ? 0 : s->nfaults;
  d->faults = calloc(s->nfaults + 1, sizeof(*d->faults));
  d->trigger_plans = calloc(s->nplans + 1, sizeof(*d->trigger_plans));
  d->guard_held = calloc(s->nguardrails + 1, sizeof(*d->guard_held));
  d->stats = calloc(s->nchecks + 1, sizeof(*d->stats));
  d->warnings = json_array();
  if (!d->faults || !d->trigger_plans || !d->guard_held || !d->stats ||
      !d->warnings ||
      ed_checks_create(s, probes, on_check, d, &d->checks) != 0) {
    free(d->faults);
    free(d->trigger_plans);
    free(d->guard_held);
    free(d->stats);
    json_decref(d->warnings);
    free(d);
    return ED_ENOMEM;
  }
  uv_loop_t *loop = probes->loop;
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    f->spec = &s->faults[i];
    f->d = d;
    uv_timer_init(loop, &f->at_timer);
    uv_timer_init(loop, &f->for_timer);
    uv_timer_init(loop, &f->detect_timer);
    f->at_timer.data = f->for_timer.data = f->detect_timer.data = f;
  }
  /* In verify mode every plan runs once; in rehearse mode the plans with a
   * trigger check wait for it (faults get their own runs). */
  for (size_t i = 0; i < s->nplans; i++) {
    int named_by_fault = 0;
    for (size_t k = 0; k < s->nfaults; k++)
      named_by_fault |=
          s->faults[k].plan && strcmp(s->faults[k].plan, s->plans[i].name) == 0;
    if (mode == ED_MODE_VERIFY ||
        (s->plans[i].trigger_check && !named_by_fault))
      d->trigger_plans[i] = new_plan_run(d, &s->plans[i]);
  }
  uv_timer_init(loop, &d->limit_timer);
  uv_timer_init(loop, &d->end_timer);
  d->limit_timer.data = d->end_timer.data = d;
  announce(d);
  *out = d;
  return 0;
}

int ed_drill_check_rules(const ed_drill_t *d, char *errbuf, size_t errlen) {
  if (d->mode == ED_MODE_VERIFY)
    return 0;
  const ed_scenario_t *s = d->sc;
  for (size_t i = 0; i < s->nfaults; i++) {
    const ed_target_t *t = ed_scenario_target(s, s->faults[i].action.target);
    if (t && !t->rehearsal) {
      snprintf(errbuf, errlen,
               "%s: fault %s targets %s, which is not a rehearsal target "
               "(\"rehearsal\": true): refused",
               s->file, s->faults[i].name, t->name);
      return ED_EPERM;
    }
  }
  for (size_t i = 0; i < s->nplans; i++)
    for (size_t k = 0; k < s->plans[i].nsteps; k++) {
      const ed_step_t *st = &s->plans[i].steps[k];
      if (!st->has_action)
        continue;
      const ed_target_t *t = ed_scenario_target(s, st->action.target);
      int flags = ed_probe_action_flags(d->probes, &st->action);
      if (t && !t->rehearsal && (flags < 0 || (flags & ED_OP_DESTRUCTIVE))) {
        snprintf(errbuf, errlen,
                 "%s: plan %s, step \"%s\" changes the state of %s, which is "
                 "not a rehearsal target: refused",
                 s->file, s->plans[i].name, st->name, t->name);
        return ED_EPERM;
      }
    }
  return 0;
}

/* ---- proofs at the start of a rehearsal -----------------------------------
 * Before anything is injected, each state-changing plan step, fault and
 * undo is proven as verify proves a step (the driver's op_check,
 * read-only). One that could not run is said now, as a warning (terminal,
 * journal "proof", and the summary's drill.warnings), so the team hears of
 * a wrong system or a resource without ETag (a PATCH with if_match "auto"
 * that would go without If-Match) before the fault, not halfway through
 * the plan. The drill still runs: the plan's own tries are the verdict. */
typedef struct proof_s {
  ed_drill_t *d;
  const ed_plan_t *plan; /* a plan's step, or */
  const ed_step_t *step;
  const ed_fault_t *fault; /* a fault's action (undo: its undo) */
  int undo;
  const ed_action_t *action; /* what is proven, and within */
  int64_t timeout_ms;
  struct proof_s *next; /* in the drill's queue, one at a time */
} proof_t;

/* "plan P, step "S"" or "fault F" (or "the undo of fault F"). */
static void proof_subject(const proof_t *pr, char *buf, size_t len) {
  if (pr->fault)
    snprintf(buf, len, "%sfault %s", pr->undo ? "the undo of " : "",
             pr->fault->name);
  else
    snprintf(buf, len, "plan %s, step \"%s\"", pr->plan->name, pr->step->name);
}

static void send_next_proof(ed_drill_t *d);

/* ed_drill_prove's callback, once no proof is left. */
static void proved_maybe(ed_drill_t *d) {
  void (*cb)(void *) = d->proved;
  if (!cb || d->proofs_left > 0)
    return;
  d->proved = NULL;
  cb(d->proved_arg);
}

static void on_proof(void *arg, const ed_probe_outcome_t *o) {
  proof_t *pr = arg;
  ed_drill_t *d = pr->d;
  d->proofs_left--;
  int ok = o->err == ED_ERRCLASS_NONE;
  json_t *e = pr->fault ? json_pack("{s:s}", "fault", pr->fault->name)
                        : json_pack("{s:s,s:s}", "plan", pr->plan->name, "step",
                                    pr->step->name);
  if (pr->undo)
    json_object_set_new(e, "undo", json_true());
  json_t *w = json_deep_copy(e);
  json_object_set_new(e, "ok", json_boolean(ok));
  if (!ok) {
    json_object_set_new(e, "reason", json_string(o->detail ? o->detail : ""));
    json_object_set_new(e, "provable", json_boolean(!o->unprovable));
  }
  emit(d, "proof", e);
  if (!ok && !o->unprovable) {
    char who[300];
    proof_subject(pr, who, sizeof(who));
    say(d, "eventdrill: warning: %s may not run: %s", who,
        o->detail ? o->detail : "");
    json_object_set_new(w, "reason", json_string(o->detail ? o->detail : ""));
    if (d->warnings)
      json_array_append(d->warnings, w);
  }
  json_decref(w);
  free(pr);
  send_next_proof(d);
  proved_maybe(d);
  maybe_end(d);
}

/* Prove `a` (if it changes state and goes to a device), as pr says. */
static void send_proof(proof_t *pr);

/* The next queued proof, when they go one at a time. */
static void send_next_proof(ed_drill_t *d) {
  proof_t *pr = d->proof_queue;
  if (!pr)
    return;
  d->proof_queue = pr->next;
  send_proof(pr);
}

static void send_proof(proof_t *pr) {
  ed_drill_t *d = pr->d;
  if (ed_probe_check_action(d->probes, pr->action, pr->timeout_ms, on_proof,
                            pr) != 0) {
    d->proofs_left--;
    free(pr);
    send_next_proof(d);
  }
}

/* Prove `a` (if it changes state and goes to a device), as pr says: at
 * once, or after the proofs queued before it. */
static void prove(ed_drill_t *d, const ed_action_t *a, int64_t timeout_ms,
                  proof_t what) {
  if (a->sim)
    return;
  int flags = ed_probe_action_flags(d->probes, a);
  proof_t *pr =
      flags >= 0 && (flags & ED_OP_DESTRUCTIVE) ? calloc(1, sizeof(*pr)) : NULL;
  if (!pr)
    return;
  *pr = what;
  pr->d = d;
  pr->action = a;
  pr->timeout_ms = timeout_ms;
  d->proofs_left++;
  if (!d->proofs_in_turn) {
    send_proof(pr);
    return;
  }
  proof_t **tail = &d->proof_queue;
  while (*tail)
    tail = &(*tail)->next;
  *tail = pr;
}

static void prove_steps(ed_drill_t *d) {
  for (size_t i = 0; i < d->nfaults; i++) {
    const ed_fault_t *f = d->faults[i].spec;
    prove(d, &f->action, 30000, (proof_t){.fault = f});
    if (f->has_undo)
      prove(d, &f->undo, 30000, (proof_t){.fault = f, .undo = 1});
  }
  for (size_t i = 0; i < d->sc->nplans; i++) {
    const ed_plan_t *p = &d->sc->plans[i];
    for (size_t k = 0; k < p->nsteps; k++) {
      const ed_step_t *st = &p->steps[k];
      if (st->has_action)
        prove(d, &st->action, st->timeout_ms, (proof_t){.plan = p, .step = st});
    }
  }
}

void ed_drill_prove(ed_drill_t *d, void (*cb)(void *arg), void *arg) {
  d->proved = cb;
  d->proved_arg = arg;
  /* One at a time: a device sees the preflight's one session, not one
   * per proof sent at once (IPMI opens a session per request in flight). */
  d->proofs_in_turn = 1;
  if (d->mode != ED_MODE_VERIFY)
    prove_steps(d);
  send_next_proof(d);
  proved_maybe(d);
}

size_t ed_drill_warning_count(const ed_drill_t *d) {
  return json_array_size(d->warnings);
}

void ed_drill_before(ed_drill_t *d, void (*cb)(void *arg), void *arg) {
  if (d->mode != ED_MODE_VERIFY)
    prove_steps(d);
  ed_checks_run_mode(d->checks, ED_CHECK_BEFORE, cb, arg);
}

void ed_drill_start(ed_drill_t *d, uint64_t t0) {
  d->started = 1;
  d->t0 = t0;
  emit(d, "drill_start",
       json_pack("{s:s,s:i,s:i,s:i}", "mode",
                 d->mode == ED_MODE_VERIFY ? "verify" : "rehearse", "checks",
                 (int)d->sc->nchecks, "faults", (int)d->nfaults, "plans",
                 (int)d->sc->nplans));
  ed_checks_start(d->checks);
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    uint64_t now = uv_hrtime();
    int64_t due = f->spec->at_ms - (int64_t)((now - t0) / 1000000);
    uv_timer_start(&f->at_timer, on_fault_time, due > 0 ? (uint64_t)due : 0, 0);
  }
  if (d->sc->time_limit_ms > 0)
    uv_timer_start(&d->limit_timer, on_limit, (uint64_t)d->sc->time_limit_ms,
                   0);
  /* Without workloads, periodic checks still get the scenario's length (at
   * least until the last fault's end) to watch. */
  int64_t end = ed_scenario_length_ms(d->sc);
  for (size_t i = 0; i < d->nfaults; i++)
    if (d->faults[i].spec->at_ms + d->faults[i].spec->for_ms > end)
      end = d->faults[i].spec->at_ms + d->faults[i].spec->for_ms;
  if (d->mode == ED_MODE_VERIFY)
    end = 0;
  uv_timer_start(&d->end_timer, on_end_timer, (uint64_t)end, 0);
  if (d->mode == ED_MODE_VERIFY) {
    /* Every check once, then every plan once, read-only. */
    for (size_t i = 0; i < d->sc->nchecks; i++)
      if (d->sc->checks[i].mode == ED_CHECK_CONTINUOUS ||
          d->sc->checks[i].mode == ED_CHECK_DURING_FAULT)
        ed_checks_run(d->checks, d->sc->checks[i].name, "verify", NULL, NULL);
    ed_checks_stop(d->checks);
    for (size_t i = 0; i < d->sc->nplans; i++)
      ed_plan_run_start(d->trigger_plans[i], 0);
  }
}

void ed_drill_workloads_done(ed_drill_t *d) {
  d->workloads_done = 1;
  maybe_end(d);
}

void ed_drill_abort(ed_drill_t *d, const char *reason) {
  /* Ctrl-C while after checks settle: one last answer each, now. */
  if (d->checks && !d->finished)
    ed_checks_cut_settle(d->checks);
  if (d->aborted || d->finished)
    return;
  d->aborted = 1;
  snprintf(d->abort_reason, sizeof(d->abort_reason), "%s", reason);
  emit(d, "abort", json_pack("{s:s}", "reason", reason));
  say(d, "eventdrill: ABORTING: %s", reason);
  uv_timer_stop(&d->end_timer);
  uv_timer_stop(&d->limit_timer);
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    uv_timer_stop(&f->at_timer);
    uv_timer_stop(&f->detect_timer);
    f->awaiting_detection = 0;
    if (f->state == FAULT_PENDING) {
      f->state = FAULT_SKIPPED;
      snprintf(f->reason, sizeof(f->reason),
               "not injected: the drill was "
               "aborted");
    }
    if (f->plan)
      ed_plan_run_abort(f->plan, reason);
  }
  for (size_t i = 0; i < d->sc->nplans; i++)
    if (d->trigger_plans[i])
      ed_plan_run_abort(d->trigger_plans[i], reason);
  maybe_end(d);
}

int ed_drill_aborted(const ed_drill_t *d) {
  return d->aborted;
}
const char *ed_drill_abort_reason(const ed_drill_t *d) {
  return d->abort_reason;
}

static void on_closed(uv_handle_t *h) {
  ed_drill_t *d = h->data;
  if (--d->closing > 0)
    return;
  free(d->faults);
  free(d->trigger_plans);
  free(d->guard_held);
  free(d->stats);
  json_decref(d->warnings);
  while (d->proof_queue) { /* never sent: the run stopped first */
    proof_t *pr = d->proof_queue;
    d->proof_queue = pr->next;
    free(pr);
  }
  free(d);
}

static void close_timer(ed_drill_t *d, uv_timer_t *t) {
  t->data = d;
  d->closing++;
  uv_close((uv_handle_t *)t, on_closed);
}

void ed_drill_destroy(ed_drill_t *d) {
  if (!d)
    return;
  d->destroyed = 1;
  for (size_t i = 0; i < d->nfaults; i++) {
    frt_t *f = &d->faults[i];
    if (f->plan)
      ed_plan_run_destroy(f->plan);
    close_timer(d, &f->at_timer);
    close_timer(d, &f->for_timer);
    close_timer(d, &f->detect_timer);
  }
  for (size_t i = 0; i < d->sc->nplans; i++)
    if (d->trigger_plans[i])
      ed_plan_run_destroy(d->trigger_plans[i]);
  ed_checks_destroy(d->checks);
  close_timer(d, &d->limit_timer);
  close_timer(d, &d->end_timer);
}
