/* The "guardrails" array and the "limits" object of a scenario; see
 * scenario_internal.h and docs/scenario-format.md. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

static const char *const guard_keys[] = {"stop_if", "workload", NULL};
static const char *const red_keys[] = {"check_red", "for", NULL};
static const char *const metrics[] = {"p99", "error_rate", NULL};
static const char *const limit_keys[] = {"max_faulted_targets", "time_limit",
                                         NULL};

#define P99_MAX_MS 3600000.0
#define FAULTED_MAX 100000

/* ---- "p99 > 800ms for 10s" --------------------------------------------- */

static const char *skip_spaces(const char *p) {
  while (*p == ' ')
    p++;
  return p;
}

/* The threshold's value with its unit, into g->threshold. */
static int threshold(ed_guardrail_t *g, double v, const char *unit, size_t ulen,
                     char *why, size_t len) {
  if (g->kind == ED_GUARD_P99) {
    if (ulen == 2 && strncmp(unit, "ms", 2) == 0)
      g->threshold = v;
    else if (ulen == 1 && *unit == 's')
      g->threshold = v * 1000;
    else if (ulen == 0) {
      snprintf(why, len, "a p99 threshold needs a unit, \"800ms\" or \"1.5s\"");
      return -1;
    } else {
      snprintf(why, len, "unknown unit \"%.*s\" for p99 (use ms or s)",
               (int)ulen, unit);
      return -1;
    }
    if (!(g->threshold > 0 && g->threshold <= P99_MAX_MS)) {
      snprintf(why, len, "a p99 threshold must be above 0 and at most 1h");
      return -1;
    }
    return 0;
  }
  if (ulen == 1 && *unit == '%' && v <= 100) {
    g->threshold = v / 100;
    return 0;
  }
  if (ulen == 0 && v <= 1) {
    g->threshold = v;
    return 0;
  }
  snprintf(why, len,
           "an error_rate threshold is a percentage from 0%% to 100%% "
           "(\"5%%\") or a share from 0 to 1 (0.05)");
  return -1;
}

/* "for DURATION" and the end of the text. */
static int hold(ed_guardrail_t *g, const char *p, char *why, size_t len) {
  p = skip_spaces(p);
  if (!*p)
    return 0;
  if (strncmp(p, "for", 3) != 0 || (p[3] && p[3] != ' ')) {
    snprintf(why, len, "expected \"for DURATION\" or the end, got \"%s\"", p);
    return -1;
  }
  p = skip_spaces(p + 3);
  size_t n = strcspn(p, " ");
  char word[64], err[160];
  if (n == 0 || n >= sizeof(word)) {
    snprintf(why, len, "expected a duration after \"for\"");
    return -1;
  }
  memcpy(word, p, n);
  word[n] = '\0';
  if (ed_duration_parse(word, &g->for_ms, err, sizeof(err))) {
    snprintf(why, len, "invalid duration \"%s\": %s", word, err);
    return -1;
  }
  p = skip_spaces(p + n);
  if (*p) {
    snprintf(why, len, "unexpected \"%s\" at the end", p);
    return -1;
  }
  return 0;
}

static int parse_stop_if(const char *text, ed_guardrail_t *g, char *why,
                         size_t len) {
  const char *p = skip_spaces(text);
  size_t n = 0;
  while (isalnum((unsigned char)p[n]) || p[n] == '_')
    n++;
  char word[32];
  snprintf(word, sizeof(word), "%.*s", (int)n, p);
  if (n == 0) {
    snprintf(why, len, "expected \"p99\" or \"error_rate\" first");
    return -1;
  }
  if (strcmp(word, "p99") == 0)
    g->kind = ED_GUARD_P99;
  else if (strcmp(word, "error_rate") == 0)
    g->kind = ED_GUARD_ERROR_RATE;
  else {
    const char *best = ed_did_you_mean(word, metrics);
    snprintf(why, len, "unknown metric \"%s\" (%s%s%s)", word,
             best ? "did you mean \"" : "use p99 or error_rate",
             best ? best : "", best ? "\"?" : "");
    return -1;
  }
  p = skip_spaces(p + n);
  if (*p != '>' || p[1] == '=') {
    snprintf(why, len, "expected '>' after \"%s\"", word);
    return -1;
  }
  p = skip_spaces(p + 1);
  char *end;
  double v = isdigit((unsigned char)*p) ? strtod(p, &end) : -1;
  if (v < 0) {
    snprintf(why, len, "expected a number after '>'");
    return -1;
  }
  size_t ulen = 0;
  while (isalpha((unsigned char)end[ulen]) || end[ulen] == '%')
    ulen++;
  if (threshold(g, v, end, ulen, why, len))
    return -1;
  return hold(g, end + ulen, why, len);
}

/* ---- guardrails -------------------------------------------------------- */

static void check_red(ed__loader_t *l, json_t *obj, const char *path,
                      ed_guardrail_t *g) {
  ed__check_keys(l, obj, path, red_keys);
  g->kind = ED_GUARD_CHECK_RED;
  long ci;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, obj, path, "check_red", 1, "check", s->checks, s->nchecks,
                  sizeof(*s->checks), &ci) == 1)
    g->check = ed__strdup(l, s->checks[ci].name);
  ed__get_duration(l, obj, path, "for", 0, 0, ED__LENGTH_MAX_MS, &g->for_ms);
  char text[ED__NAME_MAX + 64], d[32];
  snprintf(text, sizeof(text), "check_red %s for %s", g->check ? g->check : "?",
           ed_duration_format(g->for_ms, d, sizeof(d)));
  g->text = ed__strdup(l, text);
}

static void stop_if(ed__loader_t *l, json_t *obj, const char *path,
                    ed_guardrail_t *g) {
  char spath[ED__PATH_MAX], why[256];
  json_t *v = json_object_get(obj, "stop_if");
  if (!v) {
    ed__missing(l, path, "stop_if");
    return;
  }
  ed__path_key(spath, path, "stop_if");
  if (json_is_object(v)) {
    check_red(l, v, spath, g);
    return;
  }
  if (!json_is_string(v)) {
    ed_diag_add(l->diag, spath,
                "expected a condition such as \"p99 > 800ms for 10s\", or "
                "{\"check_red\": \"<check name>\", \"for\": \"30s\"}, got %s",
                ed_diag_json_kind(v));
    return;
  }
  const char *text = json_string_value(v);
  if (parse_stop_if(text, g, why, sizeof(why))) {
    ed_diag_add(l->diag, spath,
                "invalid stop condition \"%s\": %s (expected e.g. \"p99 > "
                "800ms for 10s\" or \"error_rate > 5%%\")",
                text, why);
    g->kind = 0;
    return;
  }
  g->text = ed__strdup(l, text);
}

static void load_guardrail(ed__loader_t *l, json_t *obj, size_t index,
                           ed_guardrail_t *g) {
  char path[ED__PATH_MAX];
  ed__path_index(path, "guardrails", index);
  g->path = ed__strdup(l, path);
  if (ed__want(l, obj, JSON_OBJECT, path, "an object"))
    return;
  ed__check_keys(l, obj, path, guard_keys);
  stop_if(l, obj, path, g);
  long wi;
  const ed_scenario_t *s = l->s;
  if (ed__get_ref(l, obj, path, "workload", 0, "workload", s->workloads,
                  s->nworkloads, sizeof(*s->workloads), &wi) != 1)
    return;
  g->workload = ed__strdup(l, s->workloads[wi].name);
  if (g->kind == ED_GUARD_CHECK_RED) {
    char wpath[ED__PATH_MAX];
    ed__path_key(wpath, path, "workload");
    ed_diag_add_key(l->diag, wpath,
                    "\"workload\" applies to p99 and error_rate conditions, "
                    "not to check_red");
  }
}

void ed__load_guardrails(ed__loader_t *l, json_t *guardrails) {
  if (!guardrails || ed__want(l, guardrails, JSON_ARRAY, "guardrails",
                              "an array of guardrails"))
    return;
  size_t n = json_array_size(guardrails);
  if (n == 0)
    return;
  ed__within(l, "guardrails", n, ED__GUARDRAILS_MAX, "guardrails");
  if (!(l->s->guardrails = calloc(n, sizeof(*l->s->guardrails)))) {
    l->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    load_guardrail(l, json_array_get(guardrails, i), i, &l->s->guardrails[i]);
    l->s->nguardrails++;
  }
}

void ed__free_guardrail(ed_guardrail_t *g) {
  free(g->workload);
  free(g->check);
  free(g->text);
  free(g->path);
}

/* ---- limits ------------------------------------------------------------ */

void ed__load_limits(ed__loader_t *l, json_t *limits) {
  if (!limits || ed__want(l, limits, JSON_OBJECT, "limits", "an object"))
    return;
  ed__check_keys(l, limits, "limits", limit_keys);
  int64_t n;
  if (ed__get_int(l, limits, "limits", "max_faulted_targets", 1, FAULTED_MAX,
                  &n) == 1)
    l->s->max_faulted_targets = (int)n;
  ed__get_duration(l, limits, "limits", "time_limit", 0, 1, ED__LENGTH_MAX_MS,
                   &l->s->time_limit_ms);
}
