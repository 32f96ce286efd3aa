/* Before the event: the first inspection's findings, what changed by the
 * last one (fixed, still open, new), and each open risk with its measure.
 * The readiness verdict is the inspection report's own (inspect.h). */
#include <stdio.h>
#include <string.h>

#include "engagement_internal.h"
#include "inspect.h"
#include "report.h"

/* A finding is the same risk in two inspections when its device and rule
 * are. */
static const json_t *same(const json_t *findings, const json_t *f) {
  size_t i;
  json_t *g;
  json_array_foreach((json_t *)findings, i, g) {
    if (!strcmp(ed__eng_str(g, "device"), ed__eng_str(f, "device")) &&
        !strcmp(ed__eng_str(g, "rule"), ed__eng_str(f, "rule")))
      return g;
  }
  return NULL;
}

static const json_t *findings_of(const json_t *src) {
  return json_object_get(json_object_get(src, "inspection"), "findings");
}

static void first_findings(json_t *doc, const json_t *first) {
  const json_t *list = findings_of(first);
  char verdict[256];
  ed_inspect_verdict(json_object_get(first, "inspection"), verdict,
                     sizeof(verdict));
  json_t *cite = ed__eng_cite(first);
  ed_doc_p(doc,
           ed_doc_fmt("First inspection, %s: %s; %zu finding%s.",
                      json_string_value(cite), verdict, json_array_size(list),
                      json_array_size(list) == 1 ? "" : "s"));
  json_decref(cite);
  if (!json_array_size(list))
    return;
  json_t *rows =
      ed_doc_table(doc, (const char *const[]){"severity", "device", "rule",
                                              "finding", "detail", NULL});
  size_t i;
  json_t *f;
  json_array_foreach((json_t *)list, i, f) json_array_append_new(
      rows, json_pack("[s,s,s,s,s]", ed__eng_str(f, "severity"),
                      ed__eng_str(f, "device"), ed__eng_str(f, "rule"),
                      ed__eng_str(f, "title"), ed__eng_str(f, "detail")));
}

/* Fixed, still open, new: the first inspection against the last. Returns
 * the number fixed. */
static size_t changes(json_t *doc, const json_t *first, const json_t *last) {
  const json_t *a = findings_of(first), *b = findings_of(last);
  json_t *cite = ed__eng_cite(last);
  ed_doc_h(doc, "What changed by the last inspection");
  ed_doc_p(doc, ed_doc_fmt("The last inspection, %s, against the first: a "
                           "finding is the same risk when its device and "
                           "rule are.",
                           json_string_value(cite)));
  json_decref(cite);
  json_t *rows =
      ed_doc_table(doc, (const char *const[]){"change", "severity", "device",
                                              "rule", "finding", NULL});
  size_t i, fixed = 0;
  json_t *f;
  json_array_foreach((json_t *)a, i, f) {
    int open = same(b, f) != NULL;
    fixed += !open;
    json_array_append_new(
        rows, json_pack("[s,s,s,s,s]", open ? "still open" : "fixed",
                        ed__eng_str(f, "severity"), ed__eng_str(f, "device"),
                        ed__eng_str(f, "rule"), ed__eng_str(f, "title")));
  }
  json_array_foreach((json_t *)b, i, f) {
    if (!same(a, f))
      json_array_append_new(
          rows, json_pack("[s,s,s,s,s]", "new", ed__eng_str(f, "severity"),
                          ed__eng_str(f, "device"), ed__eng_str(f, "rule"),
                          ed__eng_str(f, "title")));
  }
  if (!json_array_size(rows))
    json_array_append_new(rows, json_pack("[s,s,s,s,s]", "none", "-", "-", "-",
                                          "neither inspection found anything"));
  return fixed;
}

/* The risks still open at the last inspection, each with its measure;
 * those above notice are suggestions too. */
static void open_risks(json_t *doc, const ed__eng_t *e, const json_t *last,
                       json_t *sugg) {
  const json_t *list = findings_of(last);
  ed_doc_h(doc, "Open risks at the last inspection");
  if (!json_array_size(list)) {
    ed_doc_p(doc, json_string("None: every rule passed on every device."));
    return;
  }
  json_t *rows =
      ed_doc_table(doc, (const char *const[]){"severity", "device", "finding",
                                              "measure", NULL});
  char when[24];
  ed__eng_time(ed__eng_str(last, "started"), when);
  int before_event = when[0] && strcmp(when, e->event_from) < 0;
  size_t i;
  json_t *f;
  json_array_foreach((json_t *)list, i, f) {
    const char *sev = ed__eng_str(f, "severity");
    json_array_append_new(
        rows, json_pack("[s,s,s,s]", sev, ed__eng_str(f, "device"),
                        ed__eng_str(f, "title"), ed__eng_str(f, "measure")));
    if (strcmp(sev, "notice") != 0)
      json_array_append_new(
          sugg, ed_doc_fmt("derived: %s on %s (%s) was still open at the last "
                           "inspection (%s)%s: %s",
                           ed__eng_str(f, "title"), ed__eng_str(f, "device"),
                           sev, ed__eng_str(last, "label"),
                           before_event ? ", so through the event" : "",
                           ed__eng_str(f, "measure")));
  }
}

static void answer(json_t *head, const char *what, const char *ans,
                   json_t *evidence) {
  json_object_set_new(
      head, what, json_pack("{s:s,s:o}", "answer", ans, "evidence", evidence));
}

void ed__eng_before(json_t *doc, const ed__eng_t *e, json_t *head,
                    json_t *sugg) {
  json_t *ins = ed__eng_of_role(e, ED__ROLE_INSPECTION);
  size_t n = json_array_size(ins);
  ed_doc_h(doc, "Before the event");
  if (!n) {
    ed_doc_p(doc, json_string("No inspection among the sources: what the "
                              "fleet's health was before the event is not "
                              "known."));
    answer(head, "ready", "not known",
           json_pack("[s]", "no inspection among the sources"));
    json_decref(ins);
    return;
  }
  const json_t *first = json_array_get(ins, 0),
               *last = json_array_get(ins, n - 1);
  first_findings(doc, first);
  size_t fixed = n > 1 ? changes(doc, first, last) : 0;
  open_risks(doc, e, last, sugg);
  char verdict[256];
  int ready = ed_inspect_verdict(json_object_get(last, "inspection"), verdict,
                                 sizeof(verdict));
  json_t *cite = ed__eng_cite(last), *ev = json_array();
  json_array_append_new(ev, ed_doc_fmt("last inspection %s: %s",
                                       json_string_value(cite), verdict));
  if (n > 1)
    json_array_append_new(
        ev, ed_doc_fmt("%zu of the %zu findings of the first inspection (%s) "
                       "fixed by then",
                       fixed, json_array_size(findings_of(first)),
                       ed__eng_str(first, "label")));
  json_decref(cite);
  answer(head, "ready", ready ? "yes" : "no", ev);
  json_decref(ins);
}
