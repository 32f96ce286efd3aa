/* One shard of a drill (`--shard I/N`): which targets it owns, and the
 * checks, faults, plans and guardrails that go with them. A fault, the plan
 * it triggers and the checks they verify form one chain that a single
 * process runs (the plan waits on the checks, the RTO clock on both): its
 * home. The home of a fault is the shard of the fault's target, which owes
 * its undo; a plan's is that of the faults that trigger it, else that of
 * its trigger check's target; a check's is the home of the chains that
 * judge it, else its target's shard. A chain whose targets fall in other
 * shards reaches them through the coordinator, whose channel carries each
 * probe to the shard that owns the target (run_remote.c); without a
 * coordinator such a chain is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "run_internal.h"
#include "shard.h"

/* The shard of one chain: the first target seen, and the first one seen in
 * another shard (the conflict), if any. */
typedef struct chain_s {
  long shard; /* -1: no target yet */
  const char *first;
  const char *other;
  long other_shard;
} chain_t;

static long shard_of_name(const ed__runner_t *r, const char *target) {
  const ed_target_t *t = target ? ed_scenario_target(r->sc, target) : NULL;
  return t ? (long)r->shard_of[t - r->sc->targets] : -1;
}

static void chain_add(const ed__runner_t *r, chain_t *c, const char *target) {
  long s = shard_of_name(r, target);
  if (s < 0)
    return;
  if (c->shard < 0) {
    c->shard = s;
    c->first = target;
  } else if (s != c->shard && !c->other) {
    c->other = target;
    c->other_shard = s;
  }
}

static void chain_add_check(const ed__runner_t *r, chain_t *c,
                            const char *check) {
  const ed_check_t *k = ed_scenario_check(r->sc, check);
  if (k)
    chain_add(r, c, k->target);
}

static void chain_join(const ed__runner_t *r, chain_t *into,
                       const chain_t *from) {
  if (from->first)
    chain_add(r, into, from->first);
  if (from->other)
    chain_add(r, into, from->other);
}

static void plan_chain(const ed__runner_t *r, const ed_plan_t *p, chain_t *c) {
  if (p->trigger_check)
    chain_add_check(r, c, p->trigger_check);
  for (size_t i = 0; i < p->nsteps; i++) {
    const ed_step_t *st = &p->steps[i];
    if (st->has_action)
      chain_add(r, c, st->action.target);
    for (size_t k = 0; k < st->nverify; k++)
      chain_add_check(r, c, st->verify[k]);
  }
}

static void fault_chain(const ed__runner_t *r, const ed_fault_t *f,
                        chain_t *c) {
  chain_add(r, c, f->action.target);
  if (f->has_undo)
    chain_add(r, c, f->undo.target);
  for (size_t k = 0; k < f->nverify; k++)
    chain_add_check(r, c, f->verify[k]);
}

static int refuse(const ed__runner_t *r, const char *what, const char *name,
                  const chain_t *c) {
  ed_error(NULL,
           "%s: %s \"%s\" acts on or checks target %s (shard %ld of %u) and "
           "target %s (shard %ld): without --coordinator a chain of fault, "
           "plan and checks runs in one shard (docs/distributed.md); give "
           "the shards a coordinator, put these targets in one shard "
           "(--shard-by a label they share) or split the chain",
           r->sc->file, what, name, c->first, c->shard, r->opt.shard_count,
           c->other, c->other_shard);
  return ED_EINVAL;
}

/* Chains of plans and faults: a plan with the faults that trigger it.
 * Sets r->cross when one has targets in two shards; refuses it when there
 * is no coordinator to carry its probes. */
static int chains(ed__runner_t *r, chain_t *plans, chain_t *faults) {
  const ed_scenario_t *s = r->sc;
  for (size_t i = 0; i < s->nplans; i++) {
    plans[i] = (chain_t){.shard = -1};
    plan_chain(r, &s->plans[i], &plans[i]);
  }
  for (size_t i = 0; i < s->nfaults; i++) {
    faults[i] = (chain_t){.shard = -1};
    fault_chain(r, &s->faults[i], &faults[i]);
    const ed_plan_t *p =
        s->faults[i].plan ? ed_scenario_plan(s, s->faults[i].plan) : NULL;
    if (p)
      chain_join(r, &faults[i], &plans[p - s->plans]);
  }
  for (size_t i = 0; i < s->nfaults; i++) {
    const ed_plan_t *p =
        s->faults[i].plan ? ed_scenario_plan(s, s->faults[i].plan) : NULL;
    if (p)
      chain_join(r, &plans[p - s->plans], &faults[i]);
  }
  for (size_t i = 0; i < s->nfaults; i++)
    if (faults[i].other) {
      r->cross = 1;
      if (!r->opt.coordinator)
        return refuse(r, "fault", s->faults[i].name, &faults[i]);
    }
  for (size_t i = 0; i < s->nplans; i++)
    if (plans[i].other) {
      r->cross = 1;
      if (!r->opt.coordinator)
        return refuse(r, "plan", s->plans[i].name, &plans[i]);
    }
  return 0;
}

/* ---- homes ---------------------------------------------------------------
 */

static int conflict(const ed__runner_t *r, const char *what, const char *name,
                    const char *why) {
  ed_error(NULL, "%s: %s \"%s\" %s (docs/distributed.md)", r->sc->file, what,
           name, why);
  return ED_EINVAL;
}

/* A check judged by a chain is judged in the chain's home; two homes
 * would judge it twice. */
static int claim_check(const ed__runner_t *r, long *owner, const char *check,
                       long home) {
  const ed_check_t *k = check ? ed_scenario_check(r->sc, check) : NULL;
  if (!k)
    return 0;
  long *o = &owner[k - r->sc->checks];
  if (*o < 0 || *o == home) {
    *o = home;
    return 0;
  }
  char why[256];
  snprintf(why, sizeof(why),
           "is judged by chains that run in shard %ld and shard %ld: one "
           "shard judges a check; give each chain its own check",
           *o, home);
  return conflict(r, "check", check, why);
}

static int fault_home(const ed__runner_t *r, const ed_fault_t *f, long *home) {
  *home = shard_of_name(r, f->action.target);
  if (*home < 0)
    *home = 0;
  long undo = f->has_undo ? shard_of_name(r, f->undo.target) : *home;
  if (undo < 0 || undo == *home)
    return 0;
  char why[320];
  snprintf(why, sizeof(why),
           "acts on target %s (shard %ld) and is undone on target %s "
           "(shard %ld): the shard that injects a fault owes its undo",
           f->action.target, *home, f->undo.target, undo);
  return conflict(r, "fault", f->name, why);
}

/* The home of every fault, plan and check (-1 for a check no chain
 * judges: its target's shard). */
static int homes(const ed__runner_t *r, long *fh, long *ph, long *kh) {
  const ed_scenario_t *s = r->sc;
  for (size_t i = 0; i < s->nchecks; i++)
    kh[i] = -1;
  for (size_t i = 0; i < s->nplans; i++)
    ph[i] = -1;
  for (size_t i = 0; i < s->nfaults; i++) {
    const ed_fault_t *f = &s->faults[i];
    if (fault_home(r, f, &fh[i]) != 0)
      return ED_EINVAL;
    const ed_plan_t *p = f->plan ? ed_scenario_plan(s, f->plan) : NULL;
    long *plan_home = p ? &ph[p - s->plans] : NULL;
    if (plan_home && *plan_home >= 0 && *plan_home != fh[i]) {
      char why[256];
      snprintf(why, sizeof(why),
               "is triggered by faults injected in shard %ld and shard %ld: "
               "one shard runs a plan; give each its own plan",
               *plan_home, fh[i]);
      return conflict(r, "plan", p->name, why);
    }
    if (plan_home)
      *plan_home = fh[i];
    for (size_t k = 0; k < f->nverify; k++)
      if (claim_check(r, kh, f->verify[k], fh[i]) != 0)
        return ED_EINVAL;
  }
  for (size_t i = 0; i < s->nplans; i++) {
    const ed_plan_t *p = &s->plans[i];
    if (ph[i] < 0) {
      chain_t c = {.shard = -1};
      plan_chain(r, p, &c);
      ph[i] = c.shard < 0 ? 0 : c.shard;
    }
    if (claim_check(r, kh, p->trigger_check, ph[i]) != 0)
      return ED_EINVAL;
    for (size_t j = 0; j < p->nsteps; j++)
      for (size_t k = 0; k < p->steps[j].nverify; k++)
        if (claim_check(r, kh, p->steps[j].verify[k], ph[i]) != 0)
          return ED_EINVAL;
  }
  for (size_t i = 0; i < s->nchecks; i++)
    if (kh[i] < 0)
      kh[i] = shard_of_name(r, s->checks[i].target);
  return 0;
}

/* Which items this shard keeps: those whose home it is. A guardrail on a
 * check goes with the check; one on the load judges the load this shard
 * sends (docs/distributed.md). */
static int keep(ed__runner_t *r, const long *fh, const long *ph,
                const long *kh) {
  ed_scenario_t *s = r->sc;
  long me = (long)r->opt.shard_index;
  int *kc = calloc(s->nchecks + 1, sizeof(int));
  int *kf = calloc(s->nfaults + 1, sizeof(int));
  int *kp = calloc(s->nplans + 1, sizeof(int));
  int *kg = calloc(s->nguardrails + 1, sizeof(int));
  int rc = ED_ENOMEM;
  if (kc && kf && kp && kg) {
    for (size_t i = 0; i < s->nchecks; i++)
      kc[i] = kh[i] == me;
    for (size_t i = 0; i < s->nfaults; i++)
      kf[i] = fh[i] == me;
    for (size_t i = 0; i < s->nplans; i++)
      kp[i] = ph[i] == me;
    for (size_t i = 0; i < s->nguardrails; i++) {
      const ed_guardrail_t *g = &s->guardrails[i];
      const ed_check_t *k = g->kind == ED_GUARD_CHECK_RED && g->check
                                ? ed_scenario_check(s, g->check)
                                : NULL;
      kg[i] = k ? kh[k - s->checks] == me : 1;
    }
    ed_scenario_retain(s, kc, kf, kp, kg);
    rc = 0;
  }
  free(kc);
  free(kf);
  free(kp);
  free(kg);
  return rc;
}

static int retain(ed__runner_t *r) {
  ed_scenario_t *s = r->sc;
  chain_t *pc = calloc(s->nplans + 1, sizeof(*pc));
  chain_t *fc = calloc(s->nfaults + 1, sizeof(*fc));
  long *fh = calloc(s->nfaults + 1, sizeof(long));
  long *ph = calloc(s->nplans + 1, sizeof(long));
  long *kh = calloc(s->nchecks + 1, sizeof(long));
  int rc = ED_ENOMEM;
  if (pc && fc && fh && ph && kh) {
    rc = chains(r, pc, fc);
    if (rc == 0)
      rc = homes(r, fh, ph, kh);
    if (rc == 0)
      rc = keep(r, fh, ph, kh);
  }
  free(pc);
  free(fc);
  free(fh);
  free(ph);
  free(kh);
  return rc;
}

/* The mapping as the journal's run_start and summary.json say it. */
static json_t *shard_json(const ed__runner_t *r) {
  json_t *o = ed_shard_rule_json(r->opt.shard_by);
  json_object_set_new(o, "index", json_integer(r->opt.shard_index));
  json_object_set_new(o, "count", json_integer(r->opt.shard_count));
  json_t *map = json_object();
  for (size_t i = 0; i < r->sc->ntargets; i++)
    json_object_set_new(map, r->sc->targets[i].name,
                        json_integer(r->shard_of[i]));
  json_object_set_new(o, "targets", map);
  return o;
}

int ed__run_shard_setup(ed__runner_t *r) {
  if (!r->opt.shard_count)
    return 0;
  const ed_scenario_t *s = r->sc;
  char err[512] = "";
  r->shard_of = calloc(s->ntargets + 1, sizeof(*r->shard_of));
  r->own_targets = calloc(s->ntargets + 1, sizeof(*r->own_targets));
  if (!r->shard_of || !r->own_targets)
    return ED_ENOMEM;
  int rc = ed_shard_assign(s->targets, s->ntargets, r->opt.shard_count,
                           r->opt.shard_by, r->shard_of, err, sizeof(err));
  if (rc != 0) {
    ed_error(NULL, "%s: %s", s->file, err[0] ? err : ed_strerror(rc));
    return rc;
  }
  rc = retain(r);
  if (rc != 0)
    return rc;
  for (size_t i = 0; i < s->ntargets; i++)
    if (r->shard_of[i] == r->opt.shard_index)
      r->own_targets[r->nown++] = s->targets[i];
  r->shard_json = shard_json(r);
  if (r->nown == 0)
    ed_warn(NULL,
            "shard %u/%u owns none of the %zu targets: it sends no load "
            "and runs no check",
            r->opt.shard_index, r->opt.shard_count, s->ntargets);
  return 0;
}

long ed__run_shard_of(const ed__runner_t *r, const char *target) {
  return shard_of_name(r, target);
}

int ed__run_owns(const ed__runner_t *r, const char *target) {
  if (!r->opt.shard_count)
    return 1;
  return shard_of_name(r, target) == (long)r->opt.shard_index;
}
