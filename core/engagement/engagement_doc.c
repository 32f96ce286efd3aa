/* The report document: title, the gaps, the headline, the sections (each
 * filling the headline's answers and the suggestions as it goes), the
 * suggestions, and the appendix that traces every figure to its folder. */
#include <stdio.h>
#include <string.h>

#include "engagement_internal.h"
#include "report.h"

const char *ed__eng_str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

double ed__eng_num(const json_t *o, const char *key) {
  return json_number_value(json_object_get(o, key));
}

int ed__eng_in_event(const ed__eng_t *e, const json_t *src) {
  char when[24];
  ed__eng_time(ed__eng_str(src, "started"), when);
  return when[0] && strcmp(when, e->event_from) >= 0 &&
         strcmp(when, e->event_to) <= 0;
}

json_t *ed__eng_cite(const json_t *src) {
  char when[24];
  ed__eng_time(ed__eng_str(src, "started"), when);
  return ed_doc_fmt("%s (%.10s %.5s)", ed__eng_str(src, "label"), when,
                    when[0] ? when + 11 : "");
}

static void intro(json_t *doc, const ed__eng_t *e) {
  json_array_append_new(
      doc, json_pack("{s:o}", "title",
                     ed_doc_fmt("Key Event Support Summary: %s", e->title)));
  json_t *rows = ed_doc_table(doc, (const char *const[]){"", "", NULL});
  json_array_append_new(rows, json_pack("[s,s]", "event", e->name));
  json_array_append_new(
      rows, json_pack("[s,o]", "event dates",
                      ed_doc_fmt("%s to %s", e->event_from, e->event_to)));
  json_array_append_new(
      rows, json_pack("[s,o]", "support window",
                      ed_doc_fmt("%s to %s", e->window_from, e->window_to)));
  const json_t *sites = json_object_get(e->root, "sites");
  char list[512] = "";
  size_t len = 0, i;
  json_t *s;
  json_array_foreach((json_t *)sites, i, s) {
    if (len < sizeof(list))
      len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                              len ? ", " : "", json_string_value(s));
  }
  json_array_append_new(rows,
                        json_pack("[s,s]", "sites", len ? list : "not named"));
  json_array_append_new(
      rows, json_pack("[s,s]", "fleet", e->fleet ? e->fleet : "not named"));
}

/* Missing evidence comes before anything drawn from the rest. */
static void gaps(json_t *doc, const ed__eng_t *e) {
  json_t *list = json_array();
  size_t i;
  json_t *src;
  json_array_foreach(e->sources, i, src) {
    const char *st = ed__eng_str(src, "state");
    if (strcmp(st, "ok") != 0 && strcmp(st, "skipped") != 0)
      json_array_append_new(
          list,
          ed_doc_fmt("GAP: %s %s (%s) is %s: %s; its figures are left "
                     "out",
                     ed__eng_str(src, "label"), ed__eng_str(src, "path"),
                     ed__eng_str(src, "role")[0] ? ed__eng_str(src, "role")
                                                 : "role unknown",
                     st, ed__eng_str(src, "why")));
    if (json_is_true(json_object_get(src, "outside_window")))
      json_array_append_new(
          list, ed_doc_fmt("OUTSIDE THE WINDOW: %s %s started %s, outside the "
                           "support window (%s to %s)",
                           ed__eng_str(src, "label"), ed__eng_str(src, "path"),
                           ed__eng_str(src, "started"), e->window_from,
                           e->window_to));
  }
  if (json_array_size(list)) {
    json_array_append_new(
        doc, json_pack("{s:s,s:o}", "warning", "WARNING: evidence is missing",
                       "text",
                       ed_doc_fmt("%zu problem%s with the sources, listed "
                                  "below and in the appendix.",
                                  json_array_size(list),
                                  json_array_size(list) == 1 ? "" : "s")));
    json_array_append_new(doc, json_pack("{s:o}", "list", list));
  } else {
    json_decref(list);
  }
}

static void headline(json_t *doc, const json_t *head) {
  static const struct {
    const char *key, *question;
  } q[] = {{"ready", "Was the fleet ready?"},
           {"proven", "Were the emergency plans proven?"},
           {"held", "Did service hold during the event?"}};
  ed_doc_h(doc, "Headline");
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"question", "answer", "evidence", NULL});
  for (size_t i = 0; i < 3; i++) {
    const json_t *h = json_object_get(head, q[i].key);
    char ev[2048] = "";
    size_t len = 0, j;
    json_t *s;
    json_array_foreach(json_object_get(h, "evidence"), j, s) {
      if (len < sizeof(ev))
        len += (size_t)snprintf(ev + len, sizeof(ev) - len, "%s%s",
                                len ? "; " : "", json_string_value(s));
    }
    json_array_append_new(rows, json_pack("[s,s,s]", q[i].question,
                                          ed__eng_str(h, "answer"), ev));
  }
}

static void appendix(json_t *doc, const ed__eng_t *e) {
  ed_doc_h(doc, "Appendix: the sources");
  ed_doc_p(doc,
           ed_doc_fmt("Every figure above comes from one of these folders, "
                      "cited by its label, read through the model its own "
                      "report renders. SHA-256 is that of the folder's "
                      "evidence file (journal.jsonl of a run or a watch, "
                      "inspection.json of an inspection), as it was read. "
                      "Engagement file: %s, SHA-256 %s.",
                      e->file, e->sha256));
  json_t *rows = ed_doc_table(
      doc, (const char *const[]){"label", "role", "folder", "state", "started",
                                 "evidence", "SHA-256", "ran", NULL});
  size_t i;
  json_t *src;
  json_array_foreach(e->sources, i, src) {
    const char *st = ed__eng_str(src, "state");
    json_array_append_new(
        rows,
        json_pack(
            "[s,s,s,o,o,s,s,s]", ed__eng_str(src, "label"),
            ed__eng_str(src, "role")[0] ? ed__eng_str(src, "role") : "-",
            ed__eng_str(src, "path"),
            strcmp(st, "ok") ? ed_doc_fmt("%s: %s", st, ed__eng_str(src, "why"))
                             : json_string("ok"),
            json_is_true(json_object_get(src, "outside_window"))
                ? ed_doc_fmt("%s (outside the window)",
                             ed__eng_str(src, "started"))
                : json_string(ed__eng_str(src, "started")[0]
                                  ? ed__eng_str(src, "started")
                                  : "-"),
            ed__eng_str(src, "evidence")[0] ? ed__eng_str(src, "evidence")
                                            : "-",
            ed__eng_str(src, "sha256")[0] ? ed__eng_str(src, "sha256") : "-",
            ed__eng_str(src, "ran")[0] ? ed__eng_str(src, "ran") : "-"));
  }
}

json_t *ed__eng_document(const ed__eng_t *e) {
  json_t *doc = json_array(), *body = json_array();
  json_t *head = json_object(), *sugg = json_array();
  intro(doc, e);
  gaps(doc, e);
  ed__eng_before(body, e, head, sugg);
  ed__eng_plans(body, e, head, sugg);
  ed__eng_duty(body, e, head, sugg);
  headline(doc, head);
  json_array_extend(doc, body);
  ed_doc_h(doc, "Suggestions");
  ed_doc_p(doc, json_string("Each suggestion is derived from the figures "
                            "above by a fixed rule (docs/summary.md), and "
                            "marked so."));
  if (!json_array_size(sugg))
    json_array_append_new(sugg, json_string("derived: nothing stood out"));
  json_array_append_new(doc, json_pack("{s:O}", "list", sugg));
  appendix(doc, e);
  json_decref(sugg);
  json_decref(head);
  json_decref(body);
  return doc;
}
