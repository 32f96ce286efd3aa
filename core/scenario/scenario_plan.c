/* Actions, the "faults" array and the "plans" object of a scenario; see
 * scenario_internal.h and docs/scenario-format.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario_internal.h"

static const char *const fault_keys[] = {"name",   "at",    "for",  "target",
                                         "action", "sim",   "undo", "verify",
                                         "plan",   "alarm", NULL};
/* Kinds of the watch's alarms a fault can stand for ("alarm"). */
static const char *const alarm_kinds[] = {
    "unreachable", "slow", "power", "health", "sensor", "log", "psu", NULL};
static const char *const undo_keys[] = {"action", "sim", "when", NULL};
static const char *const undo_whens[] = {"always", "on_abort", "never", NULL};
static const char *const plan_keys[] = {
    "rto", "rto_from", "trigger", "detection_delay", "steps", NULL};
static const char *const rto_froms[] = {"fault", "detection", "plan_start",
                                        NULL};
static const char *const trigger_keys[] = {"check_red", NULL};
static const char *const step_keys[] = {
    "name",    "target",  "action",     "sim",     "verify", "timeout",
    "retries", "backoff", "on_failure", "save_as", NULL};
static const char *const on_failures[] = {"stop", "continue", NULL};
static const char *const goto_keys[] = {"goto", NULL};

#define STEP_TIMEOUT_MS 60000
#define STEP_BACKOFF_MS 1000
#define RETRIES_MAX 100

/* ---- actions ----------------------------------------------------------- */

/* The "sim" member of obj: simulator knobs, for a simulated target only. */
static int load_sim(ed__loader_t *l, json_t *obj, const char *path,
                    const ed_target_t *t, ed_action_t *a) {
  char spath[ED__PATH_MAX];
  json_t *sim = json_object_get(obj, "sim");
  ed__path_key(spath, path, "sim");
  if (ed__want(l, sim, JSON_OBJECT, spath, "an object of simulator knobs"))
    return -1;
  if (t && !t->sim) {
    ed_diag_add_key(l->diag, spath,
                    "\"sim\" changes the built-in simulator's knobs: target "
                    "\"%s\" is not simulated (it has no \"sim\"); use "
                    "\"action\" with a driver operation",
                    t->name);
    return -1;
  }
  a->sim = json_incref(sim);
  a->path = ed__strdup(l, spath);
  return 1;
}

/* The action of obj (at path): "action" (a driver operation of t's driver)
 * or "sim", exactly one. t is the target it applies to, NULL when it is
 * unknown (undefined: already reported). 1 when obj has an action (stored
 * unless wrong), 0 when it has none (reported when required), -1 when it
 * has a wrong one. */
static int load_action(ed__loader_t *l, json_t *obj, const char *path,
                       const ed_target_t *t, int required, ed_action_t *a) {
  json_t *op = json_object_get(obj, "action");
  json_t *sim = json_object_get(obj, "sim");
  if (op && sim) {
    char spath[ED__PATH_MAX];
    ed__path_key(spath, path, "sim");
    ed_diag_add_key(l->diag, spath,
                    "write either \"action\" (a driver operation) or \"sim\" "
                    "(simulator knobs), not both");
    return -1;
  }
  if (!op && !sim) {
    if (required)
      ed_diag_add(l->diag, path,
                  "missing the action: \"action\" (a driver operation) or "
                  "\"sim\" (simulator knobs)");
    return 0;
  }
  if (t)
    a->target = ed__strdup(l, t->name);
  if (sim)
    return load_sim(l, obj, path, t, a);
  if (ed__load_op(l, obj, path, "action", 1, &a->op) != 1)
    return -1;
  a->path = ed__strdup(l, a->op.path);
  if (t)
    ed__check_op(l, t->driver, &a->op);
  return 1;
}

static void free_action(ed_action_t *a) {
  free(a->target);
  ed__free_op(&a->op);
  json_decref(a->sim);
  free(a->path);
}

/* ---- shared members ---------------------------------------------------- */

/* "verify": a non-empty array of check names, each defined, each once. */
static void load_verify(ed__loader_t *l, json_t *obj, const char *path,
                        char ***out, size_t *nout) {
  char vpath[ED__PATH_MAX];
  json_t *list = json_object_get(obj, "verify");
  if (!list)
    return;
  ed__path_key(vpath, path, "verify");
  if (ed__want(l, list, JSON_ARRAY, vpath, "an array of check names"))
    return;
  size_t n = json_array_size(list);
  if (n == 0) {
    ed_diag_add(l->diag, vpath, "no check: name at least one");
    return;
  }
  if (!(*out = calloc(n, sizeof(**out)))) {
    l->nomem = 1;
    return;
  }
  const ed_scenario_t *s = l->s;
  for (size_t i = 0; i < n; i++) {
    char epath[ED__PATH_MAX];
    json_t *v = json_array_get(list, i);
    ed__path_index(epath, vpath, i);
    if (ed__want(l, v, JSON_STRING, epath, "a check name (a string)"))
      continue;
    const char *name = json_string_value(v);
    if (ed__find_ref(l, epath, "check", name, s->checks, s->nchecks,
                     sizeof(*s->checks)) < 0)
      continue;
    int twice = 0;
    for (size_t k = 0; k < *nout && !twice; k++)
      twice = strcmp((*out)[k], name) == 0;
    if (twice) {
      ed_diag_add(l->diag, epath, "check \"%s\" is listed twice", name);
      continue;
    }
    char *copy = ed__strdup(l, name);
    if (copy)
      (*out)[(*nout)++] = copy;
  }
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* The target of obj; NULL when absent or undefined (reported). */
static const ed_target_t *get_target(ed__loader_t *l, json_t *obj,
                                     const char *path, int required) {
  long i;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, obj, path, "target", required, "target", s->targets,
                  s->ntargets, sizeof(*s->targets), &i) != 1)
    return NULL;
  return &s->targets[i];
}

/* ---- faults ------------------------------------------------------------ */

static void fault_name(ed__loader_t *l, json_t *obj, const char *path,
                       ed_fault_t *f, size_t index) {
  const char *name;
  char def[64];
  if (ed__get_name(l, obj, path, "name", 0, &name) != 1) {
    snprintf(def, sizeof(def), "fault-%zu", index + 1);
    name = def;
  }
  for (size_t k = 0; k < index; k++) {
    const ed_fault_t *o = &l->s->faults[k];
    if (o->name && strcmp(o->name, name) == 0) {
      char npath[ED__PATH_MAX];
      ed__path_key(npath, path, "name");
      ed_diag_add(l->diag, name == def ? path : npath,
                  "duplicate fault name \"%s\" (also faults[%zu])", name, k);
      break;
    }
  }
  f->name = ed__strdup(l, name);
}

/* "at" must fall inside the drill when its length is known (workloads). */
static void fault_time(ed__loader_t *l, json_t *obj, const char *path,
                       ed_fault_t *f) {
  if (ed__get_duration(l, obj, path, "at", 1, 0, ED__LENGTH_MAX_MS,
                       &f->at_ms) == 1) {
    int64_t len = ed_scenario_length_ms(l->s);
    if (len > 0 && f->at_ms >= len) {
      char apath[ED__PATH_MAX], a[32], b[32];
      ed__path_key(apath, path, "at");
      ed_diag_add(l->diag, apath, "fault at %s, %s the drill ends at %s",
                  ed_duration_format(f->at_ms, a, sizeof(a)),
                  f->at_ms > len ? "after" : "just as",
                  ed_duration_format(len, b, sizeof(b)));
    }
  }
  ed__get_duration(l, obj, path, "for", 0, 1, ED__LENGTH_MAX_MS, &f->for_ms);
}

/* "undo": {action|sim, when}; a sim fault's undo defaults to a clear. */
static void fault_undo(ed__loader_t *l, json_t *obj, const char *path,
                       const ed_target_t *t, ed_fault_t *f) {
  char upath[ED__PATH_MAX];
  json_t *undo = json_object_get(obj, "undo");
  int simfault = f->action.sim != NULL;
  f->undo_when = ED_UNDO_ALWAYS;
  if (undo) {
    ed__path_key(upath, path, "undo");
    if (ed__want(l, undo, JSON_OBJECT, upath, "an object"))
      return;
    ed__check_keys(l, undo, upath, undo_keys);
    int when;
    if (ed__get_choice(l, undo, upath, "when", undo_whens, &when) == 1)
      f->undo_when = (ed_undo_when_t)when;
    f->has_undo = 1;
    if (load_action(l, undo, upath, t, !simfault, &f->undo) != 0)
      return;
  }
  if (!simfault)
    return;
  f->has_undo = 1;
  f->undo.target = t ? ed__strdup(l, t->name) : NULL;
  f->undo.sim = json_pack("{s:b}", "clear", 1);
  if (!f->undo.sim)
    l->nomem = 1;
}

/* Something must tell whether the device came back. */
static void fault_followed(ed__loader_t *l, json_t *obj, const char *path,
                           const ed_fault_t *f) {
  if (!f->action.op.name)
    return;
  /* A wrong undo, verify or plan is reported already. */
  if (!f->has_undo && !json_object_get(obj, "undo") &&
      !json_object_get(obj, "verify") && !json_object_get(obj, "plan"))
    ed_diag_add(l->diag, path,
                "a fault without an undo must be followed by a verification: "
                "add \"verify\" or \"plan\"");
  if (!f->has_undo && !json_object_get(obj, "undo") && f->for_ms > 0) {
    char fpath[ED__PATH_MAX];
    ed__path_key(fpath, path, "for");
    ed_diag_add_key(l->diag, fpath,
                    "\"for\" ends the fault by running its undo: add "
                    "\"undo\"");
  }
}

static void load_fault(ed__loader_t *l, json_t *obj, size_t index,
                       ed_fault_t *f) {
  char path[ED__PATH_MAX];
  ed__path_index(path, "faults", index);
  f->path = ed__strdup(l, path);
  fault_name(l, obj, path, f, index); /* the default when obj is wrong */
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, fault_keys);
  fault_time(l, obj, path, f);
  const ed_target_t *t = get_target(l, obj, path, 1);
  int has = load_action(l, obj, path, t, 1, &f->action);
  load_verify(l, obj, path, &f->verify, &f->nverify);
  long pi;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, obj, path, "plan", 0, "plan", s->plans, s->nplans,
                  sizeof(*s->plans), &pi) == 1)
    f->plan = ed__strdup(l, s->plans[pi].name);
  if (has == 1)
    fault_undo(l, obj, path, t, f);
  fault_followed(l, obj, path, f);
  int kind;
  if (ed__get_choice(l, obj, path, "alarm", alarm_kinds, &kind) == 1)
    f->alarm = ed__strdup(l, alarm_kinds[kind]);
}

void ed__load_faults(ed__loader_t *l, json_t *faults) {
  if (!faults ||
      ed__want(l, faults, JSON_ARRAY, "faults", "an array of faults"))
    return;
  size_t n = json_array_size(faults);
  if (n == 0)
    return;
  ed__within(l, "faults", n, ED__FAULTS_MAX, "faults");
  if (!(l->s->faults = calloc(n, sizeof(*l->s->faults)))) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    load_fault(l, json_array_get(faults, i), i, &l->s->faults[i]);
    l->s->nfaults++;
  }
}

void ed__free_fault(ed_fault_t *f) {
  free(f->name);
  free_action(&f->action);
  free_action(&f->undo);
  free_names(f->verify, f->nverify);
  free(f->plan);
  free(f->alarm);
  free(f->path);
}

/* ---- steps ------------------------------------------------------------- */

static int ident_ok(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
    return 0;
  for (s++; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '_'))
      return 0;
  return 1;
}

static void step_on_failure(ed__loader_t *l, json_t *obj, const char *path,
                            ed_step_t *st) {
  char fpath[ED__PATH_MAX];
  json_t *v = json_object_get(obj, "on_failure");
  st->on_failure = ED_ONFAIL_STOP;
  if (!v)
    return;
  ed__path_key(fpath, path, "on_failure");
  if (json_is_string(v)) {
    int c;
    if (ed__get_choice(l, obj, path, "on_failure", on_failures, &c) == 1)
      st->on_failure = c ? ED_ONFAIL_CONTINUE : ED_ONFAIL_STOP;
    return;
  }
  if (!json_is_object(v)) {
    ed_diag_add(l->diag, fpath,
                "expected \"stop\", \"continue\" or {\"goto\": \"<step "
                "name>\"}, got %s",
                ed_diag_json_kind(v));
    return;
  }
  ed__check_keys(l, v, fpath, goto_keys);
  const char *name;
  if (ed__get_string(l, v, fpath, "goto", 1, &name) == 1) {
    st->on_failure = ED_ONFAIL_GOTO;
    st->goto_step = ed__strdup(l, name);
  }
}

static void step_save_as(ed__loader_t *l, json_t *obj, const char *path,
                         ed_step_t *st) {
  const char *name;
  if (ed__get_string(l, obj, path, "save_as", 0, &name) != 1)
    return;
  char spath[ED__PATH_MAX];
  ed__path_key(spath, path, "save_as");
  if (!ident_ok(name) || strlen(name) > ED__NAME_MAX) {
    ed_diag_add(l->diag, spath,
                "invalid variable name \"%s\": a letter or '_', then "
                "letters, digits or '_'",
                name);
    return;
  }
  if (!st->has_action) {
    ed_diag_add_key(l->diag, spath,
                    "\"save_as\" keeps the value of the step's action: this "
                    "step has no action");
    return;
  }
  st->save_as = ed__strdup(l, name);
}

static void step_name(ed__loader_t *l, json_t *obj, const char *path,
                      ed_plan_t *p, size_t index) {
  const char *name;
  if (ed__get_string(l, obj, path, "name", 1, &name) != 1)
    return;
  /* Free text ("power on"), unlike other names: only for people and jumps. */
  char npath[ED__PATH_MAX];
  ed__path_key(npath, path, "name");
  if (!*name || strlen(name) > ED__NAME_MAX) {
    ed_diag_add(l->diag, npath, "a step name has 1 to %d characters",
                ED__NAME_MAX);
    return;
  }
  for (size_t k = 0; k < index; k++) {
    if (p->steps[k].name && strcmp(p->steps[k].name, name) == 0) {
      ed_diag_add(l->diag, npath,
                  "duplicate step name \"%s\" (also steps[%zu])", name, k);
      break;
    }
  }
  p->steps[index].name = ed__strdup(l, name);
}

static void load_step(ed__loader_t *l, json_t *obj, const char *ppath,
                      ed_plan_t *p, size_t index) {
  ed_step_t *st = &p->steps[index];
  char path[ED__PATH_MAX];
  ed__path_index(path, ppath, index);
  st->path = ed__strdup(l, path);
  st->timeout_ms = STEP_TIMEOUT_MS;
  st->backoff_ms = STEP_BACKOFF_MS;
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, step_keys);
  step_name(l, obj, path, p, index);
  int acts = json_object_get(obj, "action") || json_object_get(obj, "sim");
  const ed_target_t *t = get_target(l, obj, path, acts);
  st->has_action = load_action(l, obj, path, t, 0, &st->action) == 1;
  if (!acts && json_object_get(obj, "target")) {
    char tpath[ED__PATH_MAX];
    ed__path_key(tpath, path, "target");
    ed_diag_add_key(l->diag, tpath,
                    "\"target\" is the target of the step's action: this "
                    "step has no action");
  }
  load_verify(l, obj, path, &st->verify, &st->nverify);
  if (!acts && !json_object_get(obj, "verify"))
    ed_diag_add(l->diag, path,
                "a step acts or verifies: add \"action\" (or \"sim\") and/or "
                "\"verify\"");
  ed__get_duration(l, obj, path, "timeout", 0, 1, ED__TIMEOUT_MAX_MS,
                   &st->timeout_ms);
  int64_t n;
  if (ed__get_int(l, obj, path, "retries", 0, RETRIES_MAX, &n) == 1)
    st->retries = (int)n;
  ed__get_duration(l, obj, path, "backoff", 0, 0, ED__TIMEOUT_MAX_MS,
                   &st->backoff_ms);
  step_on_failure(l, obj, path, st);
  step_save_as(l, obj, path, st);
}

/* Jumps land on a step of the same plan. */
static void check_gotos(ed__loader_t *l, ed_plan_t *p) {
  for (size_t i = 0; i < p->nsteps; i++) {
    ed_step_t *st = &p->steps[i];
    if (st->on_failure != ED_ONFAIL_GOTO || !st->goto_step || !st->path)
      continue;
    char gpath[ED__PATH_MAX], fpath[ED__PATH_MAX];
    ed__path_key(fpath, st->path, "on_failure");
    ed__path_key(gpath, fpath, "goto");
    ed__find_ref(l, gpath, "step", st->goto_step, p->steps, p->nsteps,
                 sizeof(*p->steps));
  }
}

static void load_steps(ed__loader_t *l, json_t *obj, const char *path,
                       ed_plan_t *p) {
  char spath[ED__PATH_MAX];
  json_t *steps = json_object_get(obj, "steps");
  if (!steps) {
    ed__missing(l, path, "steps");
    return;
  }
  ed__path_key(spath, path, "steps");
  if (ed__want(l, steps, JSON_ARRAY, spath, "an array of steps"))
    return;
  size_t n = json_array_size(steps);
  if (n == 0) {
    ed_diag_add(l->diag, spath, "no step: write at least one");
    return;
  }
  ed__within(l, spath, n, ED__PLAN_STEPS_MAX, "steps");
  if (!(p->steps = calloc(n, sizeof(*p->steps)))) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    load_step(l, json_array_get(steps, i), spath, p, i);
    p->nsteps++;
  }
  check_gotos(l, p);
}

static void free_step(ed_step_t *st) {
  free(st->name);
  free_action(&st->action);
  free_names(st->verify, st->nverify);
  free(st->goto_step);
  free(st->save_as);
  free(st->path);
}

/* ---- plans ------------------------------------------------------------- */

static void load_trigger(ed__loader_t *l, json_t *obj, const char *path,
                         ed_plan_t *p) {
  char tpath[ED__PATH_MAX];
  json_t *trig = json_object_get(obj, "trigger");
  if (!trig)
    return;
  ed__path_key(tpath, path, "trigger");
  if (ed__want(l, trig, JSON_OBJECT, tpath,
               "an object {\"check_red\": \"<check name>\"}"))
    return;
  ed__check_keys(l, trig, tpath, trigger_keys);
  long ci;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, trig, tpath, "check_red", 1, "check", s->checks,
                  s->nchecks, sizeof(*s->checks), &ci) == 1)
    p->trigger_check = ed__strdup(l, s->checks[ci].name);
}

static void load_plan(ed__loader_t *l, const char *name, json_t *obj,
                      ed_plan_t *p) {
  char path[ED__PATH_MAX];
  ed__path_key(path, "plans", name);
  /* Kept even when wrong, like targets and checks. */
  p->name = ed__strdup(l, name);
  p->path = ed__strdup(l, path);
  ed__check_name(l, name, path, "plan name");
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, plan_keys);
  ed__get_duration(l, obj, path, "rto", 0, 1, ED__LENGTH_MAX_MS, &p->rto_ms);
  int from;
  if (ed__get_choice(l, obj, path, "rto_from", rto_froms, &from) == 1)
    p->rto_from = (ed_rto_from_t)from;
  load_trigger(l, obj, path, p);
  ed__get_duration(l, obj, path, "detection_delay", 0, 0, ED__TIMEOUT_MAX_MS,
                   &p->detection_delay_ms);
  load_steps(l, obj, path, p);
}

void ed__load_plans(ed__loader_t *l, json_t *plans) {
  if (!plans ||
      ed__want(l, plans, JSON_OBJECT, "plans", "an object of plans by name"))
    return;
  size_t n = json_object_size(plans);
  if (n == 0)
    return;
  ed__within(l, "plans", n, ED__PLANS_MAX, "plans");
  if (!(l->s->plans = calloc(n, sizeof(*l->s->plans)))) {
    l->nomem = 1;
    return;
  }
  const char *name;
  json_t *v;
  json_object_foreach(plans, name, v) {
    load_plan(l, name, v, &l->s->plans[l->s->nplans++]);
  }
}

void ed__check_plans_started(ed__loader_t *l) {
  const ed_scenario_t *s = l->s;
  json_t *plans = json_object_get(s->root, "plans");
  for (size_t i = 0; i < s->nplans; i++) {
    const ed_plan_t *p = &s->plans[i];
    json_t *obj = json_object_get(plans, p->name ? p->name : "");
    /* A trigger, even a wrong one (then already reported), starts it. */
    if (!p->name || !p->path || !json_is_object(obj) ||
        json_object_get(obj, "trigger"))
      continue;
    int named = 0;
    for (size_t k = 0; k < s->nfaults && !named; k++)
      named = s->faults[k].plan && strcmp(s->faults[k].plan, p->name) == 0;
    if (!named)
      ed_diag_add(l->diag, p->path,
                  "plan \"%s\" is never started: name it in a fault's "
                  "\"plan\" or give it a trigger",
                  p->name);
  }
}

void ed__free_plan(ed_plan_t *p) {
  free(p->name);
  free(p->trigger_check);
  for (size_t i = 0; i < p->nsteps; i++)
    free_step(&p->steps[i]);
  free(p->steps);
  free(p->path);
}

/* The names of every step of every plan, NULL-terminated; free() only the
 * array (the names belong to the scenario). */
static const char **step_names(const ed_scenario_t *s) {
  size_t n = 0;
  for (size_t i = 0; i < s->nplans; i++)
    n += s->plans[i].nsteps;
  const char **names = calloc(n + 1, sizeof(*names));
  for (size_t i = 0, k = 0; names && i < s->nplans; i++)
    for (size_t j = 0; j < s->plans[i].nsteps; j++)
      names[k++] = s->plans[i].steps[j].name;
  return names;
}

/* err = "no such step" followed by the steps there are, as many as fit. */
static void list_steps(char *err, size_t errlen, const char *name,
                       const char **all) {
  int len = snprintf(err, errlen,
                     "--only \"%s\": no plan step has this name; the steps "
                     "are:",
                     name);
  for (const char **a = all; *a && len > 0 && (size_t)len < errlen; a++)
    len += snprintf(err + len, errlen - (size_t)len, "%s \"%s\"",
                    a == all ? "" : ",", *a);
}

int ed_scenario_check_steps(const ed_scenario_t *s, const char *const *names,
                            char *err, size_t errlen) {
  if (!names)
    return 0;
  const char **all = step_names(s);
  if (!all)
    return ED_ENOMEM;
  int rc = 0;
  for (const char *const *n = names; *n && rc == 0; n++) {
    int found = 0;
    for (const char **a = all; *a && !found; a++)
      found = strcmp(*a, *n) == 0;
    if (found)
      continue;
    const char *near = ed_did_you_mean(*n, all);
    if (!all[0])
      snprintf(err, errlen, "--only \"%s\": %s has no plan step", *n,
               s->file ? s->file : "the scenario");
    else if (near)
      snprintf(err, errlen,
               "--only \"%s\": no plan step has this name; did "
               "you mean \"%s\"?",
               *n, near);
    else
      list_steps(err, errlen, *n, all);
    rc = ED_ENOTFOUND;
  }
  free(all);
  return rc;
}
