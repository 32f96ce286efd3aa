#include "sel.h"

#include "../core/base/error.h"
#include "power.h"
#include "sensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ed__sel_init(ed__sel_t *sel, const ed__mockup_t *m) {
  memset(sel, 0, sizeof(*sel));
  sel->next_id = m->sel_next_id ? m->sel_next_id : 1;
}

static void free_messages(ed__sel_t *sel) {
  for (size_t i = 0; i < sel->n; i++)
    free(sel->v[i].message);
}

void ed__sel_close(ed__sel_t *sel) {
  free_messages(sel);
  free(sel->v);
  memset(sel, 0, sizeof(*sel));
}

/* Room for one more entry at the end (the oldest goes when full). */
static ed__sel_entry_t *append(ed__sel_t *sel) {
  if (sel->n == ED__SEL_MAX) { /* wraps when full, like the real thing */
    free(sel->v[0].message);
    memmove(sel->v, sel->v + 1, (sel->n - 1) * sizeof(*sel->v));
    sel->n--;
  }
  if (sel->n == sel->cap) {
    size_t cap = sel->cap ? sel->cap * 2 : 4;
    if (cap > ED__SEL_MAX)
      cap = ED__SEL_MAX;
    ed__sel_entry_t *v = realloc(sel->v, cap * sizeof(*v));
    if (v == NULL)
      return NULL;
    sel->v = v;
    sel->cap = cap;
  }
  ed__sel_entry_t *e = &sel->v[sel->n++];
  memset(e, 0, sizeof(*e));
  e->id = sel->next_id++;
  return e;
}

int ed__sel_add(ed__sel_t *sel, uint32_t res, int event, int from, int to,
                time_t now_s) {
  ed__sel_entry_t *e = append(sel);
  if (e == NULL)
    return ED_ENOMEM;
  e->created = (int64_t)now_s;
  e->res = res;
  e->event = (uint8_t)event;
  e->from = (uint8_t)from;
  e->to = (uint8_t)to;
  e->severity = ED__HEALTH_OK;
  return 0;
}

int ed__sel_add_message(ed__sel_t *sel, int severity, const char *message,
                        time_t now_s) {
  char *copy = strdup(message);
  ed__sel_entry_t *e = copy ? append(sel) : NULL;
  if (e == NULL) {
    free(copy);
    return ED_ENOMEM;
  }
  e->created = (int64_t)now_s;
  e->message = copy;
  e->event = ED__SEL_OPERATOR;
  e->severity = (uint8_t)severity;
  return 0;
}

void ed__sel_clear(ed__sel_t *sel) {
  free_messages(sel);
  sel->n = 0;
  sel->cleared = true;
}

static void entry_uri(const ed__mockup_t *m, uint32_t id, char *out,
                      size_t len) {
  snprintf(out, len, "%s/%u", m->res[m->sel_entries].path, id);
}

json_t *ed__sel_collection(const ed__sel_t *sel, const ed__mockup_t *m) {
  json_t *c = json_deep_copy(m->res[m->sel_entries].json);
  json_t *mem = json_array();
  if (c == NULL || mem == NULL)
    goto fail;
  if (sel == NULL || !sel->cleared) {
    json_t *tm = json_object_get(c, "Members");
    if (json_is_array(tm) && json_array_extend(mem, tm) < 0)
      goto fail;
  }
  char uri[700];
  for (size_t i = 0; sel != NULL && i < sel->n; i++) {
    entry_uri(m, sel->v[i].id, uri, sizeof(uri));
    if (json_array_append_new(mem, json_pack("{s:s}", "@odata.id", uri)) < 0)
      goto fail;
  }
  if (json_object_set_new(c, "Members@odata.count",
                          json_integer((json_int_t)json_array_size(mem))) < 0 ||
      json_object_set_new(c, "Members", mem) < 0) {
    mem = NULL;
    goto fail;
  }
  return c;
fail:
  json_decref(mem);
  json_decref(c);
  return NULL;
}

static void message(const ed__sel_entry_t *e, const ed__mockup_t *m, char *out,
                    size_t len) {
  const char *who = m->res[e->res].path;
  if (e->event == ED__SEL_BMC_RESET)
    snprintf(out, len, "Management controller %s reset", who);
  else
    snprintf(out, len, "%s: ComputerSystem.Reset %s, power %s -> %s", who,
             ed__power_reset_name(e->event), ed__power_state_name(e->from),
             ed__power_state_name(e->to));
}

json_t *ed__sel_entry(const ed__sel_t *sel, const ed__mockup_t *m,
                      const char *id, size_t id_len) {
  const ed__sel_entry_t *e = NULL;
  char want[16];
  for (size_t i = 0; sel != NULL && i < sel->n && e == NULL; i++) {
    int n = snprintf(want, sizeof(want), "%u", sel->v[i].id);
    if ((size_t)n == id_len && memcmp(want, id, id_len) == 0)
      e = &sel->v[i];
  }
  if (e == NULL)
    return NULL;
  char uri[700], msg[700], when[40], name[40];
  struct tm tm;
  time_t t = (time_t)e->created;
  gmtime_r(&t, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  entry_uri(m, e->id, uri, sizeof(uri));
  if (e->message == NULL)
    message(e, m, msg, sizeof(msg));
  snprintf(name, sizeof(name), "SEL Entry %u", e->id);
  json_t *j =
      json_pack("{s:s, s:s, s:s#, s:s, s:s, s:s, s:s, s:s}", "@odata.type",
                "#LogEntry.v1_9_0.LogEntry", "@odata.id", uri, "Id", id,
                (int)id_len, "Name", name, "EntryType", "SEL", "Severity",
                ed__health_name((ed__health_t)e->severity), "Created", when,
                "Message", e->message ? e->message : msg);
  if (j == NULL || e->message != NULL)
    return j; /* the operator's entry is about nothing in particular */
  if (json_object_set_new(j, "SensorType",
                          json_string(e->event == ED__SEL_BMC_RESET
                                          ? "Management Subsystem Health"
                                          : "System ACPI PowerState")) < 0 ||
      json_object_set_new(
          j, "OriginOfCondition",
          json_pack("{s:s}", "@odata.id", m->res[e->res].path)) < 0) {
    json_decref(j);
    return NULL;
  }
  return j;
}

size_t ed__sel_footprint(const ed__sel_t *sel) {
  size_t n = sel->cap * sizeof(*sel->v);
  for (size_t i = 0; i < sel->n; i++)
    n += sel->v[i].message ? strlen(sel->v[i].message) + 1 : 0;
  return n;
}
