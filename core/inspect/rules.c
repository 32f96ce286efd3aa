/* The inspection rules: severities, evaluation over snapshots, and the
 * rule set's life; see rules.h and rules_internal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rules_internal.h"

static const char *s_of(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static const char *const sev_names[] = {"notice", "warning", "high",
                                        "critical"};

const char *ed_severity_name(ed_severity_t s) {
  return (unsigned)s < ED_SEV_COUNT ? sev_names[s] : "notice";
}

int ed_severity_parse(const char *name) {
  for (int i = 0; name && i < ED_SEV_COUNT; i++)
    if (strcmp(name, sev_names[i]) == 0)
      return i;
  return -1;
}

/* ---- evaluation -------------------------------------------------------- */

static int rank_findings(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int sx = ed_severity_parse(s_of(x, "severity"));
  int sy = ed_severity_parse(s_of(y, "severity"));
  if (sx != sy)
    return sy - sx;
  int d = strcmp(s_of(x, "device"), s_of(y, "device"));
  return d ? d : strcmp(s_of(x, "rule"), s_of(y, "rule"));
}

json_t *ed_rules_evaluate(const ed_rules_t *r, const json_t *snapshots) {
  ed__rule_ctx_t c = {json_array(), NULL};
  for (size_t i = 0; i < r->n; i++) {
    const ed__rule_t *rule = &r->v[i];
    if (!rule->enabled)
      continue;
    c.rule = rule;
    if (rule->def && rule->def->fleet) {
      rule->def->fleet(&c, snapshots);
      continue;
    }
    json_t *snap;
    size_t k;
    json_array_foreach((json_t *)snapshots, k, snap) {
      if (rule->def)
        rule->def->dev(&c, snap);
      else
        ed__rule_custom(&c, snap);
    }
  }
  size_t n = json_array_size(c.findings);
  json_t **v = calloc(n + 1, sizeof(*v));
  if (!v)
    return c.findings;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(c.findings, i));
  qsort(v, n, sizeof(*v), rank_findings);
  json_t *out = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(out, v[i]);
  free(v);
  json_decref(c.findings);
  return out;
}

json_t *ed_rules_describe(const ed_rules_t *r) {
  json_t *out = json_array();
  for (size_t i = 0; i < r->n; i++) {
    const ed__rule_t *x = &r->v[i];
    json_t *o =
        json_pack("{s:s,s:s,s:b,s:s,s:s,s:O}", "id", x->id, "severity",
                  ed_severity_name(x->severity), "enabled", x->enabled, "title",
                  x->title, "measure", x->measure, "params", x->params);
    if (o && x->pointer)
      json_object_set_new(
          o, "when",
          json_pack("{s:s,s:O}", "pointer", x->pointer, x->cmp, x->value));
    json_array_append_new(out, o);
  }
  return out;
}

int ed_rules_create(const char *file, ed_diag_t *diag, ed_rules_t **out) {
  *out = NULL;
  ed_rules_t *r = calloc(1, sizeof(*r));
  if (!r || !(r->v = calloc(ed__rules_nbuiltin, sizeof(*r->v)))) {
    free(r);
    return ED_ENOMEM;
  }
  for (size_t i = 0; i < ed__rules_nbuiltin; i++) {
    ed__rule_t *x = &r->v[r->n++];
    x->def = &ed__rules_builtin[i];
    x->id = strdup(ed__rules_builtin[i].id);
    x->title = strdup(ed__rules_builtin[i].title);
    x->measure = strdup(ed__rules_builtin[i].measure);
    x->severity = ed__rules_builtin[i].severity;
    x->enabled = 1;
    x->params = json_loads(ed__rules_builtin[i].params, 0, NULL);
    if (!x->id || !x->title || !x->measure || !x->params) {
      ed_rules_destroy(r);
      return ED_ENOMEM;
    }
  }
  int rc = file ? ed__rules_load_file(r, file, diag) : 0;
  if (rc != 0) {
    ed_rules_destroy(r);
    return rc;
  }
  *out = r;
  return 0;
}

void ed_rules_destroy(ed_rules_t *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n; i++) {
    ed__rule_t *x = &r->v[i];
    free(x->id);
    free(x->title);
    free(x->measure);
    free(x->pointer);
    free(x->cmp);
    json_decref(x->params);
    json_decref(x->value);
    ed_pattern_destroy(x->pattern);
  }
  free(r->v);
  free(r);
}
