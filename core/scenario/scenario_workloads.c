/* The "workloads" array of a scenario and their rate profiles; see
 * scenario_internal.h and docs/scenario-format.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "scenario_internal.h"

static const char *const workload_keys[] = {
    "name",    "targets",       "op",      "rate", "start",
    "arrival", "max_in_flight", "timeout", NULL};
static const char *const seg_keys[] = {"name",  "constant", "ramp", "step",
                                       "steps", "spike",    "for",  NULL};
/* Index + 1 is the ed_seg_kind_t. */
static const char *const seg_kinds[] = {"constant", "ramp", "step", "spike",
                                        NULL};
static const char *const spike_keys[] = {"base", "peak", "at", "width", NULL};
static const char *const arrivals[] = {"uniform", "poisson", NULL};

#define DEFAULT_IN_FLIGHT 64
#define DEFAULT_TIMEOUT_MS 10000

/* ---- rates ------------------------------------------------------------ */

static int rate_value(ed__loader_t *l, json_t *v, const char *path,
                      double *out) {
  if (ed__want(l, v, JSON_REAL, path, "a rate in req/s (a number)"))
    return -1;
  double d = json_number_value(v);
  if (d < 0) {
    ed_diag_add(l->diag, path, "a rate cannot be negative, got %.15g", d);
    return -1;
  }
  if (d > ED__RATE_MAX) {
    ed_diag_add(l->diag, path,
                "rate %.15g is out of range [0, %.15g] (req/s per target)", d,
                ED__RATE_MAX);
    return -1;
  }
  *out = d;
  return 0;
}

static int rate_member(ed__loader_t *l, json_t *obj, const char *path,
                       const char *key, double *out) {
  char kpath[ED__PATH_MAX];
  json_t *v = json_object_get(obj, key);
  if (!v) {
    ed__missing(l, path, key);
    return -1;
  }
  ed__path_key(kpath, path, key);
  return rate_value(l, v, kpath, out);
}

/* [from, to] of a ramp or a step. */
static int rate_pair(ed__loader_t *l, json_t *v, const char *path,
                     ed_segment_t *seg) {
  if (ed__want(l, v, JSON_ARRAY, path, "an array [from, to] of two rates"))
    return -1;
  if (json_array_size(v) != 2) {
    ed_diag_add(l->diag, path, "expected two rates [from, to], got %zu",
                json_array_size(v));
    return -1;
  }
  char p0[ED__PATH_MAX], p1[ED__PATH_MAX];
  ed__path_index(p0, path, 0);
  ed__path_index(p1, path, 1);
  int r = rate_value(l, json_array_get(v, 0), p0, &seg->from);
  r |= rate_value(l, json_array_get(v, 1), p1, &seg->to);
  if (r)
    return -1;
  if (seg->from == 0 && seg->to == 0) {
    ed_diag_add(l->diag, path,
                "a %s from 0 to 0 sends nothing (for a pause, write "
                "{\"constant\": 0, \"for\": ...})",
                seg->kind == ED_SEG_RAMP ? "ramp" : "step");
    return -1;
  }
  return 0;
}

static double seg_peak(const ed_segment_t *s) {
  if (s->kind == ED_SEG_CONSTANT)
    return s->from;
  return s->from > s->to ? s->from : s->to;
}

/* ---- segments --------------------------------------------------------- */

static int spike(ed__loader_t *l, json_t *v, const char *path,
                 ed_segment_t *seg) {
  if (ed__want(l, v, JSON_OBJECT, path,
               "an object {\"base\", \"peak\", \"at\", \"width\"}"))
    return -1;
  size_t before = l->diag->count;
  ed__check_keys(l, v, path, spike_keys);
  rate_member(l, v, path, "base", &seg->from);
  rate_member(l, v, path, "peak", &seg->to);
  int at =
      ed__get_duration(l, v, path, "at", 1, 0, ED__LENGTH_MAX_MS, &seg->at_ms);
  int width = ed__get_duration(l, v, path, "width", 1, 1, ED__LENGTH_MAX_MS,
                               &seg->width_ms);
  if (l->diag->count != before)
    return -1;
  if (seg->from == 0 && seg->to == 0) {
    ed_diag_add(l->diag, path, "a spike from 0 to 0 sends nothing");
    return -1;
  }
  return at == 1 && width == 1 ? 0 : -1;
}

/* The spike must fit in its segment, which is only known once "for" is. */
static void spike_fits(ed__loader_t *l, const char *path,
                       const ed_segment_t *seg) {
  if (seg->at_ms + seg->width_ms <= seg->duration_ms)
    return;
  char spath[ED__PATH_MAX], a[32], w[32], e[32], f[32];
  ed__path_key(spath, path, "spike");
  ed_diag_add(l->diag, spath,
              "the spike ends at %s (at %s + width %s), after the end of its "
              "segment (for %s)",
              ed_duration_format(seg->at_ms + seg->width_ms, e, sizeof(e)),
              ed_duration_format(seg->at_ms, a, sizeof(a)),
              ed_duration_format(seg->width_ms, w, sizeof(w)),
              ed_duration_format(seg->duration_ms, f, sizeof(f)));
}

/* The one kind key of a segment: 1..4, or 0 (reported). */
static int seg_kind(ed__loader_t *l, json_t *obj, const char *path) {
  int kind = 0;
  for (int k = 0; seg_kinds[k]; k++) {
    if (!json_object_get(obj, seg_kinds[k]))
      continue;
    if (kind) {
      char kpath[ED__PATH_MAX];
      ed__path_key(kpath, path, seg_kinds[k]);
      ed_diag_add_key(l->diag, kpath,
                      "a segment has one kind of rate, got both \"%s\" and "
                      "\"%s\"",
                      seg_kinds[kind - 1], seg_kinds[k]);
      return 0;
    }
    kind = k + 1;
  }
  if (!kind)
    ed_diag_add(l->diag, path,
                "missing the rate: one of \"constant\", \"ramp\", \"step\" "
                "or \"spike\"");
  return kind;
}

static void seg_values(ed__loader_t *l, json_t *obj, const char *path,
                       ed_segment_t *seg) {
  char kpath[ED__PATH_MAX];
  const char *key = seg_kinds[seg->kind - 1];
  json_t *v = json_object_get(obj, key);
  ed__path_key(kpath, path, key);
  switch (seg->kind) {
  case ED_SEG_CONSTANT:
    if (rate_value(l, v, kpath, &seg->from) == 0)
      seg->to = seg->from;
    break;
  case ED_SEG_RAMP:
    rate_pair(l, v, kpath, seg);
    break;
  case ED_SEG_STEP: {
    int64_t steps = 0;
    rate_pair(l, v, kpath, seg);
    if (!json_object_get(obj, "steps"))
      ed__missing(l, path, "steps");
    else if (ed__get_int(l, obj, path, "steps", 1, ED__STEPS_MAX, &steps) == 1)
      seg->steps = (int)steps;
    break;
  }
  case ED_SEG_SPIKE:
    if (spike(l, v, kpath, seg) == 0 && seg->duration_ms > 0)
      spike_fits(l, path, seg);
    break;
  }
  if (seg->kind != ED_SEG_STEP && json_object_get(obj, "steps")) {
    ed__path_key(kpath, path, "steps");
    ed_diag_add_key(l->diag, kpath,
                    "\"steps\" only applies to a \"step\" segment");
  }
}

/* A phase name, unique in its workload; "<kind>-<n>" when not written. */
static void seg_name(ed__loader_t *l, json_t *obj, const char *path,
                     ed_workload_t *w, size_t index) {
  ed_segment_t *seg = &w->segs[index];
  const char *name;
  if (ed__get_name(l, obj, path, "name", 0, &name) == 1) {
    for (size_t k = 0; k < index; k++) {
      if (w->segs[k].name && strcmp(w->segs[k].name, name) == 0) {
        char npath[ED__PATH_MAX];
        ed__path_key(npath, path, "name");
        ed_diag_add(l->diag, npath,
                    "duplicate phase name \"%s\" (also rate[%zu])", name, k);
        break;
      }
    }
    seg->name = ed__strdup(l, name);
    return;
  }
  char def[64];
  snprintf(def, sizeof(def), "%s-%zu", seg_kinds[seg->kind ? seg->kind - 1 : 0],
           index + 1);
  seg->name = ed__strdup(l, def);
}

/* Returns 0 when the segment is valid. */
static int load_segment(ed__loader_t *l, json_t *obj, const char *path,
                        ed_workload_t *w, size_t index) {
  ed_segment_t *seg = &w->segs[index];
  size_t before = l->diag->count;
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return -1;
  ed__check_keys(l, obj, path, seg_keys);
  int kind = seg_kind(l, obj, path);
  seg->kind = (ed_seg_kind_t)kind;
  ed__get_duration(l, obj, path, "for", 1, 1, ED__LENGTH_MAX_MS,
                   &seg->duration_ms);
  if (kind)
    seg_values(l, obj, path, seg);
  seg_name(l, obj, path, w, index);
  return l->diag->count == before ? 0 : -1;
}

static void load_rate(ed__loader_t *l, json_t *obj, const char *path,
                      ed_workload_t *w) {
  char rpath[ED__PATH_MAX];
  json_t *rate = json_object_get(obj, "rate");
  if (!rate) {
    ed__missing(l, path, "rate");
    return;
  }
  ed__path_key(rpath, path, "rate");
  if (ed__want(l, rate, JSON_ARRAY, rpath, "an array of rate segments"))
    return;
  size_t n = json_array_size(rate);
  if (n == 0) {
    ed_diag_add(l->diag, rpath, "no rate segment: write at least one");
    return;
  }
  ed__within(l, rpath, n, ED__SEGMENTS_MAX, "rate segments");
  w->segs = calloc(n, sizeof(*w->segs));
  if (!w->segs) {
    l->nomem = 1;
    return;
  }
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    char spath[ED__PATH_MAX];
    ed__path_index(spath, rpath, i);
    ok &= load_segment(l, json_array_get(rate, i), spath, w, i) == 0;
    w->nsegs++;
  }
  if (ok && ed_workload_peak_rate(w) <= 0)
    ed_diag_add(l->diag, rpath,
                "impossible profile: every segment has rate 0, so the "
                "workload would send no request");
}

/* ---- targets and operation --------------------------------------------- */

/* The targets of the workload being loaded, by their index among the
 * scenario's targets: listing and the checks below stay linear in a
 * workload of 20,000 targets. */
typedef struct tlist_s {
  unsigned char *listed; /* [ntargets]: already in w->targets */
  size_t *index;         /* [k]: target index of w->targets[k] */
} tlist_t;

static void add_target(ed__loader_t *l, ed_workload_t *w, tlist_t *tl,
                       size_t ti) {
  char *copy = ed__strdup(l, l->s->targets[ti].name);
  if (!copy)
    return;
  tl->listed[ti] = 1;
  tl->index[w->ntargets] = ti;
  w->targets[w->ntargets++] = copy;
}

/* {"labels": {"role": "db"}}: every target whose labels match, in the order
 * they are defined (those already listed are not added twice). */
static void target_selector(ed__loader_t *l, json_t *v, const char *path,
                            ed_workload_t *w, tlist_t *tl) {
  static const char *const keys[] = {"labels", NULL};
  char lpath[ED__PATH_MAX];
  ed__check_keys(l, v, path, keys);
  json_t *sel = json_object_get(v, "labels");
  ed__path_key(lpath, path, "labels");
  if (!sel) {
    ed__missing(l, path, "labels");
    return;
  }
  if (ed__want(l, sel, JSON_OBJECT, lpath, "an object of label values") ||
      json_object_size(sel) == 0) {
    if (json_is_object(sel))
      ed_diag_add(l->diag, lpath, "empty: name at least one label");
    return;
  }
  size_t found = 0;
  for (size_t i = 0; i < l->s->ntargets; i++) {
    const ed_target_t *t = &l->s->targets[i];
    if (!t->name || !ed_inventory_match(t, sel))
      continue;
    found++;
    if (!tl->listed[i])
      add_target(l, w, tl, i);
  }
  if (found == 0) {
    char text[256];
    ed_inventory_selector_text(sel, text, sizeof(text));
    ed_diag_add(l->diag, lpath, "no target has the labels %s", text);
  }
}

static void target_ref(ed__loader_t *l, json_t *v, const char *path,
                       ed_workload_t *w, tlist_t *tl) {
  if (json_is_object(v)) {
    target_selector(l, v, path, w, tl);
    return;
  }
  if (ed__want(l, v, JSON_STRING, path,
               "a target name (a string) or a label selector "
               "({\"labels\": {...}})"))
    return;
  const char *name = json_string_value(v);
  long ti = ed__find_ref(l, path, "target", name, l->s->targets, l->s->ntargets,
                         sizeof(*l->s->targets));
  if (ti < 0)
    return;
  if (tl->listed[ti]) {
    ed_diag_add(l->diag, path, "target \"%s\" is listed twice", name);
    return;
  }
  add_target(l, w, tl, (size_t)ti);
}

static void load_target_list(ed__loader_t *l, json_t *obj, const char *path,
                             ed_workload_t *w, tlist_t *tl) {
  char tpath[ED__PATH_MAX];
  json_t *list = json_object_get(obj, "targets");
  if (!list) {
    ed__missing(l, path, "targets");
    return;
  }
  ed__path_key(tpath, path, "targets");
  if (ed__want(l, list, JSON_ARRAY, tpath, "an array of target names"))
    return;
  size_t n = json_array_size(list);
  if (n == 0) {
    ed_diag_add(l->diag, tpath, "no target: name at least one");
    return;
  }
  ed__within(l, tpath, n, ED__TARGETS_MAX, "targets listed");
  /* A selector may expand to every target, but a target is listed once. */
  size_t cap = n + l->s->ntargets;
  w->targets = calloc(cap, sizeof(*w->targets));
  tl->listed = calloc(l->s->ntargets + 1, 1);
  tl->index = calloc(cap, sizeof(*tl->index));
  if (!w->targets || !tl->listed || !tl->index) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    char epath[ED__PATH_MAX];
    ed__path_index(epath, tpath, i);
    target_ref(l, json_array_get(list, i), epath, w, tl);
  }
}

int ed__load_op(ed__loader_t *l, json_t *obj, const char *path, const char *key,
                int required, ed_opspec_t *op) {
  char opath[ED__PATH_MAX];
  json_t *v = json_object_get(obj, key);
  if (!v) {
    if (required)
      ed__missing(l, path, key);
    return 0;
  }
  ed__path_key(opath, path, key);
  if (ed__want(l, v, JSON_OBJECT, opath,
               "an object with one key, the operation (e.g. {\"get\": "
               "\"/redfish/v1\"})"))
    return -1;
  if (json_object_size(v) != 1) {
    ed_diag_add(l->diag, opath,
                "expected one key, the operation (e.g. {\"get\": "
                "\"/redfish/v1\"}), got %zu",
                json_object_size(v));
    return -1;
  }
  void *it = json_object_iter(v);
  op->name = ed__strdup(l, json_object_iter_key(it));
  op->arg = json_incref(json_object_iter_value(it));
  op->path = ed__strdup(l, opath);
  return 1;
}

void ed__check_op(ed__loader_t *l, const char *driver, const ed_opspec_t *op) {
  const ed_scenario_drivers_t *d = l->drivers;
  if (!d || !d->check_op || !driver || !op->name || !op->path)
    return;
  if (d->lookup && d->lookup(d->ctx, driver))
    return;
  d->check_op(d->ctx, driver, op, l->diag);
}

void ed__free_op(ed_opspec_t *op) {
  free(op->name);
  json_decref(op->arg);
  free(op->path);
}

/* Each driver of the workload's targets checks the operation once. */
static void check_op(ed__loader_t *l, ed_workload_t *w, const tlist_t *tl) {
  const ed_scenario_drivers_t *d = l->drivers;
  if (!d || !d->check_op || !w->op.name || !w->op.path || !tl->index)
    return;
  /* The drivers already asked: a handful, whatever the targets. */
  const char *asked[16];
  size_t nasked = 0;
  for (size_t i = 0; i < w->ntargets; i++) {
    const ed_target_t *t = &l->s->targets[tl->index[i]];
    if (!t->driver || (d->lookup && d->lookup(d->ctx, t->driver)))
      continue;
    int seen = 0;
    for (size_t k = 0; k < nasked && !seen; k++)
      seen = strcmp(asked[k], t->driver) == 0;
    if (seen)
      continue;
    if (nasked < sizeof(asked) / sizeof(asked[0]))
      asked[nasked++] = t->driver;
    d->check_op(d->ctx, t->driver, &w->op, l->diag);
  }
}

/* ---- workloads --------------------------------------------------------- */

static void load_name(ed__loader_t *l, json_t *obj, const char *path,
                      ed_workload_t *w, size_t index) {
  const char *name;
  if (ed__get_name(l, obj, path, "name", 1, &name) != 1)
    return;
  for (size_t k = 0; k < index; k++) {
    const ed_workload_t *o = &l->s->workloads[k];
    if (o->name && strcmp(o->name, name) == 0) {
      char npath[ED__PATH_MAX];
      ed__path_key(npath, path, "name");
      ed_diag_add(l->diag, npath,
                  "duplicate workload name \"%s\" (also workloads[%zu])", name,
                  k);
      break;
    }
  }
  w->name = ed__strdup(l, name);
}

static void load_options(ed__loader_t *l, json_t *obj, const char *path,
                         ed_workload_t *w) {
  int64_t n;
  int arrival;
  ed__get_duration(l, obj, path, "start", 0, 0, ED__LENGTH_MAX_MS,
                   &w->start_ms);
  if (ed__get_choice(l, obj, path, "arrival", arrivals, &arrival) == 1)
    w->arrival = arrival ? ED_ARRIVAL_POISSON : ED_ARRIVAL_UNIFORM;
  w->max_in_flight = DEFAULT_IN_FLIGHT;
  if (ed__get_int(l, obj, path, "max_in_flight", 1, ED__IN_FLIGHT_MAX, &n) ==
      1) {
    w->max_in_flight = (int)n;
    w->max_in_flight_set = 1;
  }
  w->timeout_ms = DEFAULT_TIMEOUT_MS;
  ed__get_duration(l, obj, path, "timeout", 0, 1, ED__TIMEOUT_MAX_MS,
                   &w->timeout_ms);
}

static void check_length(ed__loader_t *l, const char *path,
                         const ed_workload_t *w) {
  int64_t len = ed_workload_length_ms(w);
  if (len <= ED__LENGTH_MAX_MS)
    return;
  char rpath[ED__PATH_MAX], a[32], b[32];
  ed__path_key(rpath, path, "rate");
  ed_diag_add(l->diag, rpath,
              "the workload lasts %s (start included), more than the limit "
              "of %s",
              ed_duration_format(len, a, sizeof(a)),
              ed_duration_format(ED__LENGTH_MAX_MS, b, sizeof(b)));
}

static void load_workload(ed__loader_t *l, json_t *obj, size_t index,
                          ed_workload_t *w) {
  char path[ED__PATH_MAX];
  ed__path_index(path, "workloads", index);
  w->path = ed__strdup(l, path);
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  size_t before = l->diag->count;
  tlist_t tl = {NULL, NULL};
  ed__check_keys(l, obj, path, workload_keys);
  load_name(l, obj, path, w, index);
  load_target_list(l, obj, path, w, &tl);
  ed__load_op(l, obj, path, "op", 1, &w->op);
  load_rate(l, obj, path, w);
  load_options(l, obj, path, w);
  if (l->diag->count == before)
    check_length(l, path, w);
  check_op(l, w, &tl);
  free(tl.listed);
  free(tl.index);
}

void ed__load_workloads(ed__loader_t *l, json_t *workloads) {
  if (!workloads) /* optional when there are checks: see load_root */
    return;
  if (ed__want(l, workloads, JSON_ARRAY, "workloads", "an array of workloads"))
    return;
  size_t n = json_array_size(workloads);
  ed__within(l, "workloads", n, ED__WORKLOADS_MAX, "workloads");
  if (n == 0) {
    ed_diag_add(l->diag, "workloads", "no workload: define at least one");
    return;
  }
  l->s->workloads = calloc(n, sizeof(*l->s->workloads));
  if (!l->s->workloads) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    load_workload(l, json_array_get(workloads, i), i, &l->s->workloads[i]);
    l->s->nworkloads++;
  }
}

void ed__free_workload(ed_workload_t *w) {
  free(w->name);
  for (size_t i = 0; i < w->ntargets; i++)
    free(w->targets[i]);
  free(w->targets);
  ed__free_op(&w->op);
  for (size_t i = 0; i < w->nsegs; i++)
    free(w->segs[i].name);
  free(w->segs);
  free(w->path);
}

/* ---- queries ----------------------------------------------------------- */

double ed_workload_peak_rate(const ed_workload_t *w) {
  double peak = 0;
  for (size_t i = 0; i < w->nsegs; i++)
    if (seg_peak(&w->segs[i]) > peak)
      peak = seg_peak(&w->segs[i]);
  return peak;
}

int64_t ed_workload_length_ms(const ed_workload_t *w) {
  int64_t len = w->start_ms;
  for (size_t i = 0; i < w->nsegs; i++)
    len += w->segs[i].duration_ms;
  return len;
}

int ed_workload_cap(const ed_workload_t *w, const ed_target_t *t) {
  if (w->max_in_flight_set)
    return w->max_in_flight;
  if (t && t->max_in_flight > 0)
    return t->max_in_flight;
  return DEFAULT_IN_FLIGHT;
}
