/* One shard of a drill (`--shard I/N`): which targets it owns, and the
 * checks, faults, plans and guardrails that go with them. A fault, the plan
 * it triggers and the checks they verify form one chain that a single
 * process must run (the plan waits on the checks, the RTO clock on both):
 * a chain whose targets fall in two shards would need a coordinator to hold
 * its state, and is refused. */
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
           "target %s (shard %ld): a chain of fault, plan and checks runs in "
           "one shard, even with a coordinator (docs/distributed.md); put "
           "these targets in one shard "
           "(--shard-by a label they share) or split the chain",
           r->sc->file, what, name, c->first, c->shard, r->opt.shard_count,
           c->other, c->other_shard);
  return ED_EINVAL;
}

/* Chains of plans and faults: a plan with the faults that trigger it. */
static int chains(const ed__runner_t *r, chain_t *plans, chain_t *faults) {
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
    if (faults[i].other)
      return refuse(r, "fault", s->faults[i].name, &faults[i]);
  for (size_t i = 0; i < s->nplans; i++)
    if (plans[i].other)
      return refuse(r, "plan", s->plans[i].name, &plans[i]);
  return 0;
}

/* Which items this shard keeps: those of its targets. A plan or fault
 * with no target at all stays with shard 0; guardrails on the load judge
 * the load this shard sends (docs/distributed.md). */
static int retain(ed__runner_t *r) {
  ed_scenario_t *s = r->sc;
  long me = (long)r->opt.shard_index;
  chain_t *pc = calloc(s->nplans + 1, sizeof(*pc));
  chain_t *fc = calloc(s->nfaults + 1, sizeof(*fc));
  int *kc = calloc(s->nchecks + 1, sizeof(int));
  int *kf = calloc(s->nfaults + 1, sizeof(int));
  int *kp = calloc(s->nplans + 1, sizeof(int));
  int *kg = calloc(s->nguardrails + 1, sizeof(int));
  int rc = ED_ENOMEM;
  if (!pc || !fc || !kc || !kf || !kp || !kg)
    goto out;
  rc = chains(r, pc, fc);
  if (rc != 0)
    goto out;
  for (size_t i = 0; i < s->nchecks; i++)
    kc[i] = shard_of_name(r, s->checks[i].target) == me;
  for (size_t i = 0; i < s->nfaults; i++)
    kf[i] = (fc[i].shard < 0 ? 0 : fc[i].shard) == me;
  for (size_t i = 0; i < s->nplans; i++)
    kp[i] = (pc[i].shard < 0 ? 0 : pc[i].shard) == me;
  for (size_t i = 0; i < s->nguardrails; i++) {
    const ed_guardrail_t *g = &s->guardrails[i];
    const ed_check_t *k = g->kind == ED_GUARD_CHECK_RED && g->check
                              ? ed_scenario_check(s, g->check)
                              : NULL;
    kg[i] = k ? shard_of_name(r, k->target) == me : 1;
  }
  ed_scenario_retain(s, kc, kf, kp, kg);
out:
  free(pc);
  free(fc);
  free(kc);
  free(kf);
  free(kp);
  free(kg);
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

int ed__run_owns(const ed__runner_t *r, const char *target) {
  if (!r->opt.shard_count)
    return 1;
  return shard_of_name(r, target) == (long)r->opt.shard_index;
}
