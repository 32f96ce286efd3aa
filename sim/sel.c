#include "sel.h"

#include "../core/error.h"
#include "power.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ed__sel_init(ed__sel_t *sel, const ed__mockup_t *m) {
  memset(sel, 0, sizeof(*sel));
  sel->next_id = m->sel_next_id ? m->sel_next_id : 1;
}

void ed__sel_close(ed__sel_t *sel) {
  free(sel->v);
  memset(sel, 0, sizeof(*sel));
}

int ed__sel_add(ed__sel_t *sel, uint32_t res, int event, int from, int to,
                time_t now_s) {
  if (sel->n == ED__SEL_MAX) { /* wraps when full, like the real thing */
    memmove(sel->v, sel->v + 1, (sel->n - 1) * sizeof(*sel->v));
    sel->n--;
  }
  if (sel->n == sel->cap) {
    size_t cap = sel->cap ? sel->cap * 2 : 4;
    if (cap > ED__SEL_MAX)
      cap = ED__SEL_MAX;
    ed__sel_entry_t *v = realloc(sel->v, cap * sizeof(*v));
    if (v == NULL)
      return ED_ENOMEM;
    sel->v = v;
    sel->cap = cap;
  }
  ed__sel_entry_t *e = &sel->v[sel->n++];
  e->created = (int64_t)now_s;
  e->id = sel->next_id++;
  e->res = res;
  e->event = (uint8_t)event;
  e->from = (uint8_t)from;
  e->to = (uint8_t)to;
  return 0;
}

void ed__sel_clear(ed__sel_t *sel) {
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
  message(e, m, msg, sizeof(msg));
  snprintf(name, sizeof(name), "SEL Entry %u", e->id);
  return json_pack("{s:s, s:s, s:s#, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}",
                   "@odata.type", "#LogEntry.v1_9_0.LogEntry", "@odata.id", uri,
                   "Id", id, (int)id_len, "Name", name, "EntryType", "SEL",
                   "Severity", "OK", "Created", when, "SensorType",
                   e->event == ED__SEL_BMC_RESET ? "Management Subsystem Health"
                                                 : "System ACPI PowerState",
                   "Message", msg, "OriginOfCondition", "@odata.id",
                   m->res[e->res].path);
}

size_t ed__sel_footprint(const ed__sel_t *sel) {
  return sel->cap * sizeof(*sel->v);
}
