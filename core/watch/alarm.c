/* The alarm engine: conditions (alarm_eval.c) held long enough become
 * alarms; alarms whose condition is gone clear. See alarm.h. */
#include "alarm.h"

#include <stdlib.h>
#include <string.h>

#include "alarm_internal.h"
#include "error.h"

struct ed_alarm_engine_s {
  ed_alarm_rules_t rules;
  double start_epoch;
  ed_alarm_event_cb cb;
  void *arg;
  ed__alarm_dev_t *devs;
  size_t ndevs, capdevs;
  ed_alarm_t **alarms; /* raised, in the order raised */
  size_t nalarms, capalarms;
  unsigned next_id;
};

static const char *const kind_names[ED_ALARM_KINDS] = {
    "unreachable", "slow", "power", "health", "sensor", "log", "psu"};

const char *ed_alarm_kind_name(int kind) {
  return kind >= 0 && kind < ED_ALARM_KINDS ? kind_names[kind] : NULL;
}

int ed_alarm_kind_parse(const char *name) {
  for (int k = 0; name && k < ED_ALARM_KINDS; k++)
    if (strcmp(name, kind_names[k]) == 0)
      return k;
  return -1;
}

const char *ed_alarm_sev_name(int sev) {
  return sev >= ED_ALARM_CRITICAL  ? "critical"
         : sev == ED_ALARM_WARNING ? "warning"
                                   : "ok";
}

const char *ed_alarm_ev_name(ed_alarm_ev_t ev) {
  switch (ev) {
  case ED_ALARM_EV_RAISE:
    return "alarm_raise";
  case ED_ALARM_EV_UPDATE:
    return "alarm_update";
  case ED_ALARM_EV_CLEAR:
    return "alarm_clear";
  case ED_ALARM_EV_ACK:
    return "alarm_ack";
  }
  return "alarm";
}

int ed_alarm_engine_create(const ed_alarm_rules_t *rules, double start_epoch,
                           ed_alarm_event_cb cb, void *arg,
                           ed_alarm_engine_t **out) {
  ed_alarm_engine_t *e = calloc(1, sizeof(*e));
  if (!e)
    return ED_ENOMEM;
  e->rules = *rules;
  e->start_epoch = start_epoch;
  e->cb = cb;
  e->arg = arg;
  e->next_id = 1;
  *out = e;
  return 0;
}

static void alarm_free(ed_alarm_t *a) {
  if (!a)
    return;
  free(a->device);
  free(a->subject);
  free(a->text);
  free(a);
}

void ed_alarm_engine_destroy(ed_alarm_engine_t *e) {
  if (!e)
    return;
  for (size_t i = 0; i < e->ndevs; i++) {
    ed__alarm_dev_t *d = &e->devs[i];
    free(d->name);
    json_decref(d->health_base);
    json_decref(d->psu_base);
    json_decref(d->log_seen);
    for (size_t k = 0; k < d->npend; k++)
      free(d->pend[k].subject);
    free(d->pend);
  }
  free(e->devs);
  for (size_t i = 0; i < e->nalarms; i++)
    alarm_free(e->alarms[i]);
  free(e->alarms);
  free(e);
}

/* ---- devices and pending conditions ------------------------------------ */

static ed__alarm_dev_t *device(ed_alarm_engine_t *e, const char *name) {
  for (size_t i = 0; i < e->ndevs; i++)
    if (strcmp(e->devs[i].name, name) == 0)
      return &e->devs[i];
  if (e->ndevs == e->capdevs) {
    size_t cap = e->capdevs ? e->capdevs * 2 : 16;
    ed__alarm_dev_t *v = realloc(e->devs, cap * sizeof(*v));
    if (!v)
      return NULL;
    e->devs = v;
    e->capdevs = cap;
  }
  ed__alarm_dev_t *d = &e->devs[e->ndevs];
  memset(d, 0, sizeof(*d));
  d->name = strdup(name);
  d->health_base = json_object();
  d->psu_base = json_object();
  d->log_seen = json_object();
  if (!d->name || !d->health_base || !d->psu_base || !d->log_seen) {
    free(d->name);
    json_decref(d->health_base);
    json_decref(d->psu_base);
    json_decref(d->log_seen);
    return NULL;
  }
  e->ndevs++;
  return d;
}

static ed__alarm_pending_t *pending(ed__alarm_dev_t *d, int kind,
                                    const char *subject, double t) {
  for (size_t i = 0; i < d->npend; i++)
    if (d->pend[i].kind == kind && strcmp(d->pend[i].subject, subject) == 0)
      return &d->pend[i];
  if (d->npend == d->cappend) {
    size_t cap = d->cappend ? d->cappend * 2 : 8;
    ed__alarm_pending_t *v = realloc(d->pend, cap * sizeof(*v));
    if (!v)
      return NULL;
    d->pend = v;
    d->cappend = cap;
  }
  ed__alarm_pending_t *p = &d->pend[d->npend];
  p->subject = strdup(subject);
  if (!p->subject)
    return NULL;
  p->kind = kind;
  p->first_t = t;
  p->polls = 0;
  p->seen = 0;
  d->npend++;
  return p;
}

static void drop_pending(ed__alarm_dev_t *d, size_t i) {
  free(d->pend[i].subject);
  d->pend[i] = d->pend[--d->npend];
}

/* ---- alarms ------------------------------------------------------------ */

static ed_alarm_t *raised(ed_alarm_engine_t *e, const char *device, int kind,
                          const char *subject) {
  for (size_t i = 0; i < e->nalarms; i++) {
    ed_alarm_t *a = e->alarms[i];
    if (a->kind == kind && strcmp(a->device, device) == 0 &&
        strcmp(a->subject, subject) == 0)
      return a;
  }
  return NULL;
}

static int raise_alarm(ed_alarm_engine_t *e, const char *device,
                       const ed__alarm_cond_t *c, double t) {
  if (e->nalarms == e->capalarms) {
    size_t cap = e->capalarms ? e->capalarms * 2 : 16;
    ed_alarm_t **v = realloc(e->alarms, cap * sizeof(*v));
    if (!v)
      return ED_ENOMEM;
    e->alarms = v;
    e->capalarms = cap;
  }
  ed_alarm_t *a = calloc(1, sizeof(*a));
  if (!a || !(a->device = strdup(device)) ||
      !(a->subject = strdup(c->subject)) || !(a->text = strdup(c->text))) {
    alarm_free(a);
    return ED_ENOMEM;
  }
  a->id = e->next_id++;
  a->kind = c->kind;
  a->severity = c->level;
  a->raised_t = t;
  e->alarms[e->nalarms++] = a;
  e->cb(e->arg, ED_ALARM_EV_RAISE, a);
  return 0;
}

/* Severity or text changed while raised. A worse severity needs a new
 * acknowledgement: the person on duty has not seen it yet. */
static int update_alarm(ed_alarm_engine_t *e, ed_alarm_t *a,
                        const ed__alarm_cond_t *c) {
  int worse = c->level > a->severity;
  if (c->level == a->severity && strcmp(a->text, c->text) == 0)
    return 0;
  char *text = strdup(c->text);
  if (!text)
    return ED_ENOMEM;
  free(a->text);
  a->text = text;
  if (c->level == a->severity)
    return 0; /* a new reading in the same band: no event */
  a->severity = c->level;
  if (worse)
    a->acked = 0;
  e->cb(e->arg, ED_ALARM_EV_UPDATE, a);
  return 0;
}

static void clear_at(ed_alarm_engine_t *e, size_t i, double t) {
  ed_alarm_t *a = e->alarms[i];
  memmove(&e->alarms[i], &e->alarms[i + 1],
          (e->nalarms - i - 1) * sizeof(*e->alarms));
  e->nalarms--;
  a->cleared_t = t;
  e->cb(e->arg, ED_ALARM_EV_CLEAR, a);
  alarm_free(a);
}

/* One condition of the snapshot: update its alarm, or count it towards
 * raising one. Log entries are news: they raise at once. */
static int judge_condition(ed_alarm_engine_t *e, ed__alarm_dev_t *d,
                           const ed__alarm_cond_t *c, double t) {
  ed_alarm_t *a = raised(e, d->name, c->kind, c->subject);
  if (a)
    return update_alarm(e, a, c);
  if (c->kind == ED_ALARM_LOG)
    return raise_alarm(e, d->name, c, t);
  ed__alarm_pending_t *p = pending(d, c->kind, c->subject, t);
  if (!p)
    return ED_ENOMEM;
  p->seen = 1;
  p->polls++;
  const ed_alarm_rule_t *rule = &e->rules.r[c->kind];
  if (p->polls < rule->polls || (t - p->first_t) * 1000.0 < rule->hold_ms)
    return 0;
  drop_pending(d, (size_t)(p - d->pend));
  return raise_alarm(e, d->name, c, t);
}

static int in_conds(const ed__alarm_conds_t *cs, int kind,
                    const char *subject) {
  for (size_t i = 0; i < cs->n; i++)
    if (cs->v[i].kind == kind && strcmp(cs->v[i].subject, subject) == 0)
      return 1;
  return 0;
}

/* What the snapshot no longer shows, among the kinds it read: pending
 * conditions start over, raised alarms clear (log alarms wait for an
 * acknowledgement). */
static void judge_absent(ed_alarm_engine_t *e, ed__alarm_dev_t *d,
                         const ed__alarm_conds_t *cs, double t) {
  for (size_t i = d->npend; i-- > 0;)
    if (!d->pend[i].seen && (cs->observed & (1u << d->pend[i].kind)))
      drop_pending(d, i);
  for (size_t i = e->nalarms; i-- > 0;) {
    ed_alarm_t *a = e->alarms[i];
    if (a->kind == ED_ALARM_LOG || strcmp(a->device, d->name) != 0 ||
        !(cs->observed & (1u << a->kind)) || in_conds(cs, a->kind, a->subject))
      continue;
    clear_at(e, i, t);
  }
}

int ed_alarm_feed(ed_alarm_engine_t *e, const json_t *snapshot, double t) {
  const char *name = json_string_value(json_object_get(snapshot, "device"));
  if (!name)
    return ED_EINVAL;
  ed__alarm_dev_t *d = device(e, name);
  if (!d)
    return ED_ENOMEM;
  ed__alarm_conds_t cs = {0};
  ed__alarm_eval(&e->rules, e->start_epoch, d, snapshot, &cs);
  int rc = cs.nomem ? ED_ENOMEM : 0;
  for (size_t i = 0; i < d->npend; i++)
    d->pend[i].seen = 0;
  for (size_t i = 0; i < cs.n && rc == 0; i++)
    rc = judge_condition(e, d, &cs.v[i], t);
  if (rc == 0)
    judge_absent(e, d, &cs, t);
  free(cs.v);
  return rc;
}

int ed_alarm_ack(ed_alarm_engine_t *e, unsigned id, double t) {
  for (size_t i = 0; i < e->nalarms; i++) {
    ed_alarm_t *a = e->alarms[i];
    if (a->id != id)
      continue;
    if (a->acked)
      return ED_ESTATE;
    a->acked = 1;
    a->acked_t = t;
    e->cb(e->arg, ED_ALARM_EV_ACK, a);
    if (a->kind == ED_ALARM_LOG)
      clear_at(e, i, t);
    return 0;
  }
  return ED_ENOTFOUND;
}

size_t ed_alarm_count(const ed_alarm_engine_t *e) {
  return e->nalarms;
}

const ed_alarm_t *ed_alarm_at(const ed_alarm_engine_t *e, size_t i) {
  return i < e->nalarms ? e->alarms[i] : NULL;
}

const ed_alarm_t *ed_alarm_find(const ed_alarm_engine_t *e, unsigned id) {
  for (size_t i = 0; i < e->nalarms; i++)
    if (e->alarms[i]->id == id)
      return e->alarms[i];
  return NULL;
}

int ed_alarm_device_worst(const ed_alarm_engine_t *e, const char *device) {
  int worst = ED_ALARM_OK;
  for (size_t i = 0; i < e->nalarms; i++)
    if (strcmp(e->alarms[i]->device, device) == 0 &&
        e->alarms[i]->severity > worst)
      worst = e->alarms[i]->severity;
  return worst;
}

void ed_alarm_counts(const ed_alarm_engine_t *e, int counts[3]) {
  counts[0] = counts[1] = counts[2] = 0;
  for (size_t i = 0; i < e->nalarms; i++)
    counts[e->alarms[i]->severity >= ED_ALARM_CRITICAL ? 2 : 1]++;
}

unsigned ed_alarm_total(const ed_alarm_engine_t *e) {
  return e->next_id - 1;
}

json_t *ed_alarm_json(const ed_alarm_t *a, ed_alarm_ev_t ev) {
  json_t *o = json_pack(
      "{s:I,s:s,s:s,s:s,s:s,s:s,s:f,s:b}", "id", (json_int_t)a->id, "device",
      a->device, "kind", ed_alarm_kind_name(a->kind), "severity",
      ed_alarm_sev_name(a->severity), "subject", a->subject, "text", a->text,
      "raised_t", a->raised_t, "acked", a->acked);
  if (o && ev == ED_ALARM_EV_CLEAR)
    json_object_set_new(o, "duration_s", json_real(a->cleared_t - a->raised_t));
  return o;
}
