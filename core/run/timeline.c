#include "timeline.h"

#include <math.h>
#include <stdlib.h>

#include "probe.h"
#include "profile.h"

void ed_timeline_describe(const ed_segment_t *seg, char *buf, size_t len) {
  switch (seg->kind) {
  case ED_SEG_CONSTANT:
    snprintf(buf, len, "constant %g req/s", seg->from);
    break;
  case ED_SEG_RAMP:
    snprintf(buf, len, "ramp %g -> %g req/s", seg->from, seg->to);
    break;
  case ED_SEG_STEP:
    snprintf(buf, len, "step %g -> %g req/s in %d steps", seg->from, seg->to,
             seg->steps);
    break;
  case ED_SEG_SPIKE: {
    char at[32], width[32];
    snprintf(buf, len, "spike %g req/s, peak %g at %s for %s", seg->from,
             seg->to, ed_duration_format(seg->at_ms, at, sizeof(at)),
             ed_duration_format(seg->width_ms, width, sizeof(width)));
    break;
  }
  }
}

static void print_targets(const ed_scenario_t *s, FILE *out) {
  fprintf(out, "targets:\n");
  for (size_t i = 0; i < s->ntargets; i++) {
    const ed_target_t *t = &s->targets[i];
    const char *where = "";
    json_t *url = json_object_get(t->opts, "url");
    if (t->sim)
      where = "built-in simulator";
    else if (json_is_string(url))
      where = json_string_value(url);
    fprintf(out, "  %-16s %-8s %-32s %s\n", t->name, t->driver, where,
            t->rehearsal ? "rehearsal target" : "live (no faults)");
  }
}

static double print_workload(const ed_workload_t *w, FILE *out) {
  char dur[32], to[32];
  fprintf(out, "\nworkload %s: %s on %zu target%s (", w->name, w->op.name,
          w->ntargets, w->ntargets == 1 ? "" : "s");
  for (size_t i = 0; i < w->ntargets; i++)
    fprintf(out, "%s%s", i ? ", " : "", w->targets[i]);
  fprintf(out, "), %s arrivals, max %d in flight per target, timeout %s\n",
          w->arrival == ED_ARRIVAL_POISSON ? "poisson" : "uniform",
          w->max_in_flight, ed_duration_format(w->timeout_ms, to, sizeof(to)));
  fprintf(out, "  %-8s %-8s %-16s %-44s %12s %12s\n", "at", "for", "phase",
          "profile (per target)", "per target", "expected");
  int64_t at = w->start_ms;
  double total = 0;
  for (size_t i = 0; i < w->nsegs; i++) {
    const ed_segment_t *seg = &w->segs[i];
    char desc[128], atb[32];
    ed_timeline_describe(seg, desc, sizeof(desc));
    double per = ed_segment_expected(seg);
    double all = per * (double)w->ntargets;
    total += all;
    fprintf(out, "  %-8s %-8s %-16s %-44s %12.0f %12.0f\n",
            ed_duration_format(at, atb, sizeof(atb)),
            ed_duration_format(seg->duration_ms, dur, sizeof(dur)), seg->name,
            desc, round(per), round(all));
    at += seg->duration_ms;
  }
  fprintf(out, "  %-8s %-8s %-16s %-44s %12s %12.0f\n",
          ed_duration_format(at, dur, sizeof(dur)), "", "end", "", "",
          round(total));
  return total;
}

static void print_drill(const ed_scenario_t *s, FILE *out) {
  char a[32], b[32];
  static const char *const modes[] = {"", "before", "after", "continuous",
                                      "during_fault"};
  if (s->nchecks)
    fprintf(out, "\nchecks:\n");
  for (size_t i = 0; i < s->nchecks; i++) {
    const ed_check_t *c = &s->checks[i];
    fprintf(out, "  %-20s %-10s %-5s on %-12s %s%s%s\n", c->name,
            modes[c->mode], c->op.name, c->target,
            c->mode == ED_CHECK_CONTINUOUS || c->mode == ED_CHECK_DURING_FAULT
                ? "every "
                : "",
            c->mode == ED_CHECK_CONTINUOUS || c->mode == ED_CHECK_DURING_FAULT
                ? ed_duration_format(c->every_ms, a, sizeof(a))
                : "",
            c->steady ? "  (steady state)" : "");
  }
  if (s->nfaults)
    fprintf(out, "\nfaults:\n");
  for (size_t i = 0; i < s->nfaults; i++) {
    const ed_fault_t *f = &s->faults[i];
    char what[160];
    ed_probe_describe(&f->action, what, sizeof(what));
    fprintf(out, "  at %-8s %-20s %s",
            ed_duration_format(f->at_ms, a, sizeof(a)), f->name, what);
    if (f->for_ms)
      fprintf(out, " for %s", ed_duration_format(f->for_ms, b, sizeof(b)));
    if (f->has_undo)
      fprintf(out, ", undo %s",
              f->undo_when == ED_UNDO_ALWAYS     ? "always"
              : f->undo_when == ED_UNDO_ON_ABORT ? "on abort"
                                                 : "never");
    if (f->plan)
      fprintf(out, ", plan %s", f->plan);
    fputc('\n', out);
  }
  for (size_t i = 0; i < s->nplans; i++) {
    const ed_plan_t *p = &s->plans[i];
    fprintf(out, "\nplan %s", p->name);
    if (p->rto_ms)
      fprintf(out, ", RTO target %s",
              ed_duration_format(p->rto_ms, a, sizeof(a)));
    if (p->trigger_check)
      fprintf(out, ", triggered by check %s going red", p->trigger_check);
    fputc('\n', out);
    for (size_t k = 0; k < p->nsteps; k++) {
      const ed_step_t *st = &p->steps[k];
      fprintf(out, "  %zu. %-22s", k + 1, st->name);
      if (st->has_action) {
        char what[160];
        ed_probe_describe(&st->action, what, sizeof(what));
        fprintf(out, " %s,", what);
      }
      for (size_t v = 0; v < st->nverify; v++)
        fprintf(out, "%s%s", v ? ", " : " verify ", st->verify[v]);
      fprintf(out, " (timeout %s, %d retr%s)\n",
              ed_duration_format(st->timeout_ms, a, sizeof(a)), st->retries,
              st->retries == 1 ? "y" : "ies");
    }
  }
  for (size_t i = 0; i < s->nguardrails; i++)
    fprintf(out, "%sstop if %s\n", i ? "  " : "\nguardrails:\n  ",
            s->guardrails[i].text);
}

void ed_timeline_print(const ed_scenario_t *s, FILE *out) {
  char len[32];
  fprintf(out, "scenario %s (sha256 %.16s…), %s\n", s->name, s->sha256,
          ed_duration_format(ed_scenario_length_ms(s), len, sizeof(len)));
  print_targets(s, out);
  double total = 0;
  for (size_t i = 0; i < s->nworkloads; i++)
    total += print_workload(&s->workloads[i], out);
  print_drill(s, out);
  fprintf(out, "\nexpected requests in all: %.0f\n", round(total));
}
