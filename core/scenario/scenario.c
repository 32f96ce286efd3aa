/* Scenario loader: reading, the top level, "slo", "journal", lifecycle.
 * The other sections are in scenario_<part>.c (scenario_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "error.h"
#include "jsonpos.h"
#include "scenario_internal.h"

/* A scenario is a few kilobytes (a fleet of 100,000 targets a few
 * megabytes); anything bigger is a mistake. */
#define MAX_FILE_SIZE (16u * 1024 * 1024)

static const char *const root_keys[] = {
    "name",       "description", "seed",      "targets", "workloads",
    "slo",        "journal",     "checks",    "faults",  "plans",
    "guardrails", "limits",      "inventory", NULL};
static const char *const slo_keys[] = {"p50_ms",  "p90_ms",     "p99_ms",
                                       "p999_ms", "error_rate", NULL};
static const char *const journal_keys[] = {"requests", "max_request_rate",
                                           NULL};
static const char *const journal_modes[] = {"auto", "all", "aggregate", NULL};

#define DEFAULT_MAX_REQUEST_RATE 1000.0
#define SLO_MAX_MS 3600000.0

static int sha256_hex(const char *text, size_t len, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
    return ED_ENOMEM;
  for (unsigned i = 0; i < mdlen; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
  return 0;
}

/* ---- sections ----------------------------------------------------------- */

static void load_slo(ed__loader_t *l, json_t *root) {
  ed_slo_t *slo = &l->s->slo;
  slo->error_rate = -1;
  json_t *obj = json_object_get(root, "slo");
  if (!obj || ed__want(l, obj, JSON_OBJECT, "slo", "an object"))
    return;
  ed__check_keys(l, obj, "slo", slo_keys);
  double *ms[] = {&slo->p50_ms, &slo->p90_ms, &slo->p99_ms, &slo->p999_ms};
  double prev = 0;
  const char *prev_key = NULL;
  for (size_t i = 0; i < 4; i++) {
    if (ed__get_number(l, obj, "slo", slo_keys[i], 0.001, SLO_MAX_MS, ms[i]) !=
        1)
      continue;
    /* A higher percentile cannot be held to a lower bound. */
    if (prev_key && *ms[i] < prev) {
      char kpath[ED__PATH_MAX];
      ed__path_key(kpath, "slo", slo_keys[i]);
      ed_diag_add(l->diag, kpath, "%.15g ms is below %s (%.15g ms)", *ms[i],
                  prev_key, prev);
    }
    prev = *ms[i];
    prev_key = slo_keys[i];
  }
  ed__get_number(l, obj, "slo", "error_rate", 0, 1, &slo->error_rate);
}

static void load_journal(ed__loader_t *l, json_t *root) {
  ed_journal_spec_t *j = &l->s->journal;
  j->requests = ED_JOURNAL_AUTO;
  j->max_request_rate = DEFAULT_MAX_REQUEST_RATE;
  json_t *obj = json_object_get(root, "journal");
  if (!obj || ed__want(l, obj, JSON_OBJECT, "journal", "an object"))
    return;
  ed__check_keys(l, obj, "journal", journal_keys);
  int mode;
  if (ed__get_choice(l, obj, "journal", "requests", journal_modes, &mode) == 1)
    j->requests = (ed_journal_mode_t)mode;
  ed__get_number(l, obj, "journal", "max_request_rate", 1, 1e9,
                 &j->max_request_rate);
}

static void report_dups(ed__loader_t *l, const ed_jsonpos_t *pos) {
  for (size_t i = 0; i < ed_jsonpos_dup_count(pos); i++) {
    const ed_jsonpos_dup_t *d = ed_jsonpos_dup(pos, i);
    ed_diag_add_at(l->diag, d->line, d->column, d->path,
                   "duplicate key \"%s\" (first at line %d, column %d; a key "
                   "may appear only once in an object)",
                   d->key, d->first_line, d->first_column);
  }
}

int ed__load_head(ed__loader_t *l, json_t *root, const char *what,
                  const char *const *keys) {
  ed_scenario_t *s = l->s;
  if (!json_is_object(root)) {
    ed_diag_add(l->diag, "", "%s is a JSON object, got %s", what,
                ed_diag_json_kind(root));
    return -1;
  }
  ed__check_keys(l, root, "", keys);
  const char *str;
  if (ed__get_name(l, root, "", "name", 1, &str) == 1)
    s->name = ed__strdup(l, str);
  if (ed__get_string(l, root, "", "description", 0, &str) == 1)
    s->description = ed__strdup(l, str);
  return 0;
}

static void load_root(ed__loader_t *l, json_t *root) {
  ed_scenario_t *s = l->s;
  if (ed__load_head(l, root, "a scenario", root_keys) != 0)
    return;
  int64_t seed;
  if (ed__get_int(l, root, "", "seed", 0, INT64_MAX, &seed) == 1) {
    s->seed = (uint64_t)seed;
    s->has_seed = 1;
  }
  ed__load_inventory(l, root);
  /* With an inventory, the scenario's own targets are optional. */
  ed__load_target_set(l, json_object_get(root, "targets"), "targets",
                      json_object_get(root, "inventory") == NULL);
  json_t *workloads = json_object_get(root, "workloads");
  json_t *checks = json_object_get(root, "checks");
  if (!workloads && !checks)
    ed_diag_add(l->diag, "",
                "missing required key \"workloads\" (or \"checks\"): a "
                "scenario puts load on its targets, checks them, or both");
  ed__load_workloads(l, workloads);
  load_slo(l, root);
  load_journal(l, root);
  /* In this order: each part refers to the parts loaded before it. */
  ed__load_checks(l, checks);
  ed__load_plans(l, json_object_get(root, "plans"));
  ed__load_faults(l, json_object_get(root, "faults"));
  ed__check_plans_started(l);
  ed__load_guardrails(l, json_object_get(root, "guardrails"));
  ed__load_limits(l, json_object_get(root, "limits"));
}

/* ---- load -------------------------------------------------------------- */

/* Validate the parsed document with positions from the text. */
int ed__validate_document(ed_scenario_t *s,
                          const ed_scenario_drivers_t *drivers, ed_diag_t *diag,
                          void (*load)(ed__loader_t *l, json_t *root)) {
  ed__loader_t l = {.diag = diag, .drivers = drivers, .s = s};
  size_t before = diag->count;
  ed_jsonpos_t *pos = NULL;
  /* jansson accepted the text, so the scanner does too unless memory runs
   * out; then errors only lack positions. */
  if (ed_jsonpos_scan(s->text, s->text_len, &pos, NULL, NULL) == ED_ENOMEM)
    l.nomem = 1;
  const char *prev_file = diag->file;
  const ed_jsonpos_t *prev_pos = diag->pos;
  diag->file = s->file;
  diag->pos = pos;
  report_dups(&l, pos);
  load(&l, s->root);
  ed__loader_close(&l);
  diag->file = prev_file;
  diag->pos = prev_pos;
  ed_jsonpos_destroy(pos);
  if (l.nomem)
    return ED_ENOMEM;
  return diag->count != before ? ED_EPARSE : 0;
}

/* Refuse a text nested too deep or holding too many values before jansson
 * recurses into it and allocates for every value. */
static int check_shape(ed_diag_t *diag, const char *text, size_t len) {
  ed_jsonpos_shape_t sh;
  ed_jsonpos_shape(text, len, ED__DEPTH_MAX, &sh);
  int err = 0;
  if (sh.deep_line) {
    ed_diag_add_at(diag, sh.deep_line, sh.deep_column, "",
                   "nested %zu levels deep, more than the limit of %d levels "
                   "of arrays and objects",
                   sh.depth, ED__DEPTH_MAX);
    err = ED_EPARSE;
  }
  if (sh.values > ED__VALUES_MAX) {
    ed_diag_add_at(diag, 0, 0, "",
                   "holds %zu values or more, more than the limit of %d "
                   "values (members and elements)",
                   sh.values, ED__VALUES_MAX);
    err = ED_EPARSE;
  }
  return err;
}

int ed__load_document(const char *file, ed_diag_t *diag, ed_scenario_t **out) {
  *out = NULL;
  const char *prev_file = diag->file;
  diag->file = file;
  ed_scenario_t *s = calloc(1, sizeof(*s));
  int err = s ? 0 : ED_ENOMEM;
  if (!err && !(s->file = strdup(file)))
    err = ED_ENOMEM;
  if (!err)
    err = ed_diag_read_file(diag, file, MAX_FILE_SIZE, &s->text, &s->text_len);
  if (!err)
    err = check_shape(diag, s->text, s->text_len);
  if (!err)
    err = sha256_hex(s->text, s->text_len, s->sha256);
  if (!err && !(s->root = ed_diag_parse_json(diag, s->text, s->text_len)))
    err = ED_EPARSE;
  diag->file = prev_file;
  if (err) {
    ed_scenario_destroy(s);
    return err;
  }
  *out = s;
  return 0;
}

int ed_scenario_load(const char *file, const ed_scenario_drivers_t *drivers,
                     ed_diag_t *diag, ed_scenario_t **out) {
  ed_scenario_t *s;
  int err = ed__load_document(file, diag, &s);
  if (!err)
    err = ed__validate_document(s, drivers, diag, load_root);
  if (err) {
    ed_scenario_destroy(s);
    s = NULL;
  }
  *out = s;
  return err;
}

/* Compact arr[0..*n) of `size`-byte items to those whose keep flag is set,
 * freeing the others with fr. */
static void retain(void *arr, size_t size, size_t *n, const int *keep,
                   void (*fr)(void *)) {
  char *base = arr;
  size_t k = 0;
  for (size_t i = 0; i < *n; i++) {
    char *item = base + i * size;
    if (!keep[i]) {
      fr(item);
      continue;
    }
    if (k != i)
      memmove(base + k * size, item, size);
    k++;
  }
  *n = k;
}

static void fr_check(void *p) {
  ed__free_check(p);
}
static void fr_fault(void *p) {
  ed__free_fault(p);
}
static void fr_plan(void *p) {
  ed__free_plan(p);
}
static void fr_guard(void *p) {
  ed__free_guardrail(p);
}

void ed_scenario_retain(ed_scenario_t *s, const int *checks, const int *faults,
                        const int *plans, const int *guardrails) {
  retain(s->checks, sizeof(*s->checks), &s->nchecks, checks, fr_check);
  retain(s->faults, sizeof(*s->faults), &s->nfaults, faults, fr_fault);
  retain(s->plans, sizeof(*s->plans), &s->nplans, plans, fr_plan);
  retain(s->guardrails, sizeof(*s->guardrails), &s->nguardrails, guardrails,
         fr_guard);
}

void ed_scenario_destroy(ed_scenario_t *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->ntargets; i++)
    ed__free_target(&s->targets[i]);
  free(s->targets);
  for (size_t i = 0; i < s->nworkloads; i++)
    ed__free_workload(&s->workloads[i]);
  free(s->workloads);
  for (size_t i = 0; i < s->nchecks; i++)
    ed__free_check(&s->checks[i]);
  free(s->checks);
  for (size_t i = 0; i < s->nfaults; i++)
    ed__free_fault(&s->faults[i]);
  free(s->faults);
  for (size_t i = 0; i < s->nplans; i++)
    ed__free_plan(&s->plans[i]);
  free(s->plans);
  for (size_t i = 0; i < s->nguardrails; i++)
    ed__free_guardrail(&s->guardrails[i]);
  free(s->guardrails);
  free(s->file);
  free(s->inventory);
  free(s->name);
  free(s->description);
  json_decref(s->root);
  free(s->text);
  free(s);
}

/* ---- queries ----------------------------------------------------------- */

const ed_target_t *ed_scenario_target(const ed_scenario_t *s,
                                      const char *name) {
  for (size_t i = 0; s && name && i < s->ntargets; i++)
    if (s->targets[i].name && strcmp(s->targets[i].name, name) == 0)
      return &s->targets[i];
  return NULL;
}

const ed_check_t *ed_scenario_check(const ed_scenario_t *s, const char *name) {
  for (size_t i = 0; s && name && i < s->nchecks; i++)
    if (s->checks[i].name && strcmp(s->checks[i].name, name) == 0)
      return &s->checks[i];
  return NULL;
}

const ed_plan_t *ed_scenario_plan(const ed_scenario_t *s, const char *name) {
  for (size_t i = 0; s && name && i < s->nplans; i++)
    if (s->plans[i].name && strcmp(s->plans[i].name, name) == 0)
      return &s->plans[i];
  return NULL;
}

int64_t ed_scenario_length_ms(const ed_scenario_t *s) {
  int64_t len = 0;
  for (size_t i = 0; i < s->nworkloads; i++) {
    int64_t w = ed_workload_length_ms(&s->workloads[i]);
    if (w > len)
      len = w;
  }
  return len;
}
