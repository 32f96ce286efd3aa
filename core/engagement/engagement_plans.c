/* Emergency plans: each plan's rehearsals (when, how often, the RTO its
 * run's verdict measured against the target, the trend), its verifications
 * during the event, and the plans never rehearsed. Every RTO and result is
 * the verdict item of the run's own report (verdict.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engagement_internal.h"
#include "report.h"

/* The verdict item of kind and name in a run's summary, or NULL. */
static const json_t *item(const json_t *summary, const char *kind,
                          const char *name) {
  size_t i;
  json_t *it;
  json_array_foreach(
      json_object_get(json_object_get(summary, "verdict"), "items"), i, it) {
    if (!strcmp(ed__eng_str(it, "kind"), kind) &&
        !strcmp(ed__eng_str(it, "name"), name))
      return it;
  }
  return NULL;
}

/* One rehearsed fault of a plan: {"src", "fault", "status", "rto_s",
 * "target_s", "reason"}. */
static json_t *rehearsed(const json_t *src, const json_t *fault) {
  const json_t *s = json_object_get(src, "summary");
  const json_t *rec = item(s, "recovery", ed__eng_str(fault, "name"));
  json_t *o = json_pack("{s:O,s:s,s:s,s:s}", "src", (json_t *)src, "fault",
                        ed__eng_str(fault, "name"), "status",
                        rec ? ed__eng_str(rec, "status") : "not judged",
                        "reason", rec ? ed__eng_str(rec, "reason") : "");
  const json_t *rto = json_object_get(rec, "rto_s");
  if (json_is_number(rto))
    json_object_set(o, "rto_s", (json_t *)rto);
  const json_t *tg = json_object_get(fault, "rto_target_s");
  if (json_is_number(tg))
    json_object_set(o, "target_s", (json_t *)tg);
  return o;
}

/* {plan: [rehearsed, ...]} over the rehearsals, oldest first. */
static json_t *by_plan(const json_t *rehearsals) {
  json_t *plans = json_object();
  size_t i, j;
  json_t *src, *f;
  json_array_foreach((json_t *)rehearsals, i, src) {
    const json_t *drill =
        json_object_get(json_object_get(src, "summary"), "drill");
    json_array_foreach(json_object_get(drill, "faults"), j, f) {
      const char *plan = ed__eng_str(f, "plan");
      if (!plan[0])
        continue;
      if (!json_object_get(plans, plan))
        json_object_set_new(plans, plan, json_array());
      json_array_append_new(json_object_get(plans, plan), rehearsed(src, f));
    }
  }
  return plans;
}

static json_t *rto_cell(const json_t *r) {
  const json_t *rto = json_object_get(r, "rto_s");
  const char *st = ed__eng_str(r, "status");
  if (rto)
    return ed_doc_fmt("%.1f s", json_number_value(rto));
  return json_string(!strcmp(st, "not run") ? "not injected" : "not recovered");
}

/* "4.1 s → 5.3 s: rose (+29 %)" over the recovered rehearsals of one
 * fault; NULL with fewer than two. *rose is set. */
static json_t *trend(const json_t *rows, const char *fault, int *rose) {
  double first = NAN, last = NAN;
  char seq[512] = "";
  size_t len = 0, n = 0, i;
  json_t *r;
  *rose = 0;
  json_array_foreach((json_t *)rows, i, r) {
    const json_t *rto = json_object_get(r, "rto_s");
    if (strcmp(ed__eng_str(r, "fault"), fault) != 0 || !rto)
      continue;
    double v = json_number_value(rto);
    if (!n++)
      first = v;
    last = v;
    if (len < sizeof(seq))
      len += (size_t)snprintf(seq + len, sizeof(seq) - len, "%s%.1f s",
                              len ? " → " : "", v);
  }
  if (n < 2)
    return NULL;
  double d = (last - first) / first * 100.0;
  *rose = d > 5.0;
  return ed_doc_fmt("%s: %s (%+.0f %%)", seq,
                    d > 5.0    ? "rose"
                    : d < -5.0 ? "fell"
                               : "held",
                    d);
}

static void rehearsal_table(json_t *doc, const json_t *plans, json_t *sugg) {
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"plan", "fault", "rehearsal", "RTO measured",
                                 "RTO target", "met", NULL});
  const char *plan;
  json_t *list, *r;
  size_t i;
  json_object_foreach((json_t *)plans, plan, list) {
    json_array_foreach(list, i, r) {
      const char *st = ed__eng_str(r, "status");
      json_t *cite = ed__eng_cite(json_object_get(r, "src"));
      json_array_append_new(
          rows, json_pack("[s,s,o,o,o,s]", plan, ed__eng_str(r, "fault"), cite,
                          rto_cell(r),
                          json_object_get(r, "target_s")
                              ? ed_doc_fmt("%.1f s", ed__eng_num(r, "target_s"))
                              : json_string("-"),
                          !strcmp(st, "passed")   ? "yes"
                          : !strcmp(st, "failed") ? "NO"
                                                  : "-"));
    }
  }
  json_t *trends = json_array();
  json_object_foreach((json_t *)plans, plan, list) {
    const char *fault = ed__eng_str(json_array_get(list, 0), "fault");
    int rose;
    json_t *t = trend(list, fault, &rose);
    if (!t)
      continue;
    json_array_append_new(trends, ed_doc_fmt("trend of %s (%s): %s", plan,
                                             fault, json_string_value(t)));
    if (rose)
      json_array_append_new(
          sugg, ed_doc_fmt("derived: the RTO of %s rose across its "
                           "rehearsals (%s): find what slowed the recovery "
                           "and rehearse again",
                           plan, json_string_value(t)));
    json_decref(t);
  }
  if (json_array_size(trends))
    json_array_append_new(doc, json_pack("{s:o}", "list", trends));
  else
    json_decref(trends);
}

/* {plan: [{"src", "status", "reason"}]}: the plans of the verifications. */
static json_t *verified(const ed__eng_t *e) {
  json_t *vs = ed__eng_of_role(e, ED__ROLE_VERIFICATION), *out = json_object();
  size_t i, j;
  json_t *src, *pl;
  json_array_foreach(vs, i, src) {
    const json_t *s = json_object_get(src, "summary");
    json_array_foreach(json_object_get(json_object_get(s, "drill"), "plans"), j,
                       pl) {
      const char *name = ed__eng_str(pl, "name");
      const json_t *it = item(s, "plan", name);
      if (!json_object_get(out, name))
        json_object_set_new(out, name, json_array());
      json_array_append_new(
          json_object_get(out, name),
          json_pack("{s:O,s:s,s:s}", "src", src, "status",
                    it ? ed__eng_str(it, "status") : "not judged", "reason",
                    it ? ed__eng_str(it, "reason") : ""));
    }
  }
  json_decref(vs);
  return out;
}

static void verified_table(json_t *doc, const ed__eng_t *e, const json_t *ver) {
  ed_doc_h(doc, "Verified during the event");
  if (!json_object_size(ver)) {
    ed_doc_p(doc, json_string("No verification among the sources."));
    return;
  }
  json_t *rows = ed_doc_table(doc, (const char *const[]){"plan", "verification",
                                                         "during the event",
                                                         "result", NULL});
  const char *plan;
  json_t *list, *v;
  size_t i;
  json_object_foreach((json_t *)ver, plan, list) {
    json_array_foreach(list, i, v) {
      const json_t *src = json_object_get(v, "src");
      const char *st = ed__eng_str(v, "status");
      json_array_append_new(
          rows,
          json_pack("[s,o,s,o]", plan, ed__eng_cite(src),
                    ed__eng_in_event(e, src) ? "yes"
                                             : "NO: outside the event's dates",
                    !strcmp(st, "passed")
                        ? json_string("passed")
                        : ed_doc_fmt("%s%s%s", st,
                                     ed__eng_str(v, "reason")[0] ? ": " : "",
                                     ed__eng_str(v, "reason"))));
    }
  }
}

/* Plans known from the verifications and the duty shifts' alarms that no
 * rehearsal exercised. */
static json_t *never(const ed__eng_t *e, const json_t *plans,
                     const json_t *ver) {
  json_t *out = json_array();
  const char *plan;
  json_t *x;
  json_object_foreach((json_t *)ver, plan, x) {
    if (!json_object_get(plans, plan))
      json_array_append_new(out, json_string(plan));
  }
  json_t *duty = ed__eng_of_role(e, ED__ROLE_DUTY), *src, *a;
  size_t i;
  json_array_foreach(duty, i, src) {
    const char *id;
    json_object_foreach(
        json_object_get(json_object_get(src, "watch"), "alarms"), id, a) {
      const char *p = ed__eng_str(json_object_get(a, "plan"), "plan");
      size_t j;
      json_t *y;
      int seen = 0;
      json_array_foreach(out, j, y) seen |= !strcmp(json_string_value(y), p);
      if (p[0] && !seen && !json_object_get(plans, p))
        json_array_append_new(out, json_string(p));
    }
  }
  json_decref(duty);
  return out;
}

/* The headline: proven when every plan rehearsed recovered within its
 * target in its last rehearsal and passed a verification during the
 * event, and no plan went unrehearsed. */
static void headline(const ed__eng_t *e, const json_t *plans, const json_t *ver,
                     const json_t *unrehearsed, json_t *head, json_t *sugg) {
  json_t *ev = json_array();
  int proven = json_object_size(plans) > 0 && !json_array_size(unrehearsed);
  const char *plan;
  json_t *list;
  json_object_foreach((json_t *)plans, plan, list) {
    const json_t *last = json_array_get(list, json_array_size(list) - 1);
    int ok = !strcmp(ed__eng_str(last, "status"), "passed");
    const json_t *vs = json_object_get(ver, plan);
    const char *vlabel = NULL; /* the verification that proved it */
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)vs, i, v) {
      if (!vlabel && !strcmp(ed__eng_str(v, "status"), "passed") &&
          ed__eng_in_event(e, json_object_get(v, "src")))
        vlabel = ed__eng_str(json_object_get(v, "src"), "label");
    }
    int vok = vlabel != NULL;
    proven &= ok && vok;
    json_t *rto = rto_cell(last);
    json_array_append_new(
        ev, ed_doc_fmt("%s: rehearsed %zu time%s, last (%s) %s against "
                       "%.1f s: %s; %s%s",
                       plan, json_array_size(list),
                       json_array_size(list) == 1 ? "" : "s",
                       ed__eng_str(json_object_get(last, "src"), "label"),
                       json_string_value(rto), ed__eng_num(last, "target_s"),
                       ok ? "met" : "NOT met",
                       vok ? "verified during the event in "
                           : "NOT verified during the event",
                       vok ? vlabel : ""));
    if (!ok)
      json_array_append_new(
          sugg,
          ed_doc_fmt("derived: %s did not recover within its RTO target "
                     "in its last rehearsal (%s: %s against %.1f s): "
                     "shorten the plan or agree a realistic target",
                     plan, ed__eng_str(json_object_get(last, "src"), "label"),
                     json_string_value(rto), ed__eng_num(last, "target_s")));
    if (!vok)
      json_array_append_new(
          sugg, ed_doc_fmt("derived: %s was not verified on the live fleet "
                           "during the event: run `eventdrill verify` with it",
                           plan));
    json_decref(rto);
  }
  size_t i;
  json_t *p;
  json_array_foreach((json_t *)unrehearsed, i, p) {
    json_array_append_new(
        ev, ed_doc_fmt("%s: never rehearsed", json_string_value(p)));
    json_array_append_new(
        sugg, ed_doc_fmt("derived: %s was never rehearsed: rehearse it before "
                         "the next event",
                         json_string_value(p)));
  }
  if (!json_array_size(ev))
    json_array_append_new(ev, json_string("no plan among the sources"));
  json_object_set_new(
      head, "proven",
      json_pack("{s:s,s:o}", "answer",
                !json_object_size(plans) && !json_array_size(unrehearsed)
                    ? "not known"
                : proven ? "yes"
                         : "no",
                "evidence", ev));
}

void ed__eng_plans(json_t *doc, const ed__eng_t *e, json_t *head,
                   json_t *sugg) {
  json_t *reh = ed__eng_of_role(e, ED__ROLE_REHEARSAL);
  json_t *plans = by_plan(reh), *ver = verified(e);
  json_t *unrehearsed = never(e, plans, ver);
  ed_doc_h(doc, "Emergency plans");
  ed_doc_p(doc, ed_doc_fmt("%zu rehearsal%s, %zu plan%s rehearsed. Each RTO "
                           "is the one its run's verdict judged.",
                           json_array_size(reh),
                           json_array_size(reh) == 1 ? "" : "s",
                           json_object_size(plans),
                           json_object_size(plans) == 1 ? "" : "s"));
  if (json_object_size(plans))
    rehearsal_table(doc, plans, sugg);
  verified_table(doc, e, ver);
  ed_doc_h(doc, "Plans never rehearsed");
  if (json_array_size(unrehearsed))
    json_array_append_new(doc, json_pack("{s:O}", "list", unrehearsed));
  else
    ed_doc_p(doc, json_string("None: every plan the verifications and the "
                              "duty shifts used was rehearsed."));
  headline(e, plans, ver, unrehearsed, head, sugg);
  json_decref(unrehearsed);
  json_decref(ver);
  json_decref(plans);
  json_decref(reh);
}
