/* The alarm rules: the built-in table, and the rules file that tunes it
 * (docs/watch.md, "Rules file"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm.h"
#include "duration.h"
#include "error.h"
#include "jsonpos.h"

void ed_alarm_rules_default(ed_alarm_rules_t *rules) {
  memset(rules, 0, sizeof(*rules));
  for (int k = 0; k < ED_ALARM_KINDS; k++) {
    rules->r[k].enabled = 1;
    rules->r[k].polls = 1;
    rules->r[k].min_level = ED_ALARM_WARNING;
    rules->r[k].severity = ED_ALARM_CRITICAL;
  }
  /* One refused poll may be a blip; two in a row is an outage. */
  rules->r[ED_ALARM_UNREACHABLE].polls = 2;
  rules->r[ED_ALARM_SLOW].severity = ED_ALARM_WARNING;
  rules->r[ED_ALARM_SLOW].p50_ms = 1000;
  rules->r[ED_ALARM_SLOW].hold_ms = 30000;
  /* A reading that crosses a threshold for one poll is often noise. */
  rules->r[ED_ALARM_SENSOR].hold_ms = 10000;
  rules->r[ED_ALARM_LOG].min_level = ED_ALARM_CRITICAL;
}

/* Which keys each kind takes, beside "enabled", "hold" and "polls". */
enum { K_SEVERITY = 1, K_MIN = 2, K_P50 = 4, K_ROLLUP = 8 };
static const unsigned kind_keys[ED_ALARM_KINDS] = {
    [ED_ALARM_UNREACHABLE] = K_SEVERITY,
    [ED_ALARM_SLOW] = K_SEVERITY | K_P50,
    [ED_ALARM_POWER] = K_SEVERITY,
    [ED_ALARM_HEALTH] = K_MIN | K_ROLLUP,
    [ED_ALARM_SENSOR] = K_MIN,
    [ED_ALARM_LOG] = K_MIN,
    [ED_ALARM_PSU] = K_MIN,
};

static const char *const kind_list[] = {
    "unreachable", "slow", "power", "health", "sensor", "log", "psu", NULL};

static const char *const all_keys[] = {
    "enabled",      "hold",   "polls",  "severity",
    "min_severity", "p50_ms", "rollup", NULL};

static int level_of(const char *s) {
  if (s && strcmp(s, "warning") == 0)
    return ED_ALARM_WARNING;
  if (s && strcmp(s, "critical") == 0)
    return ED_ALARM_CRITICAL;
  return -1;
}

static int allowed(int kind, const char *key) {
  unsigned k = kind_keys[kind];
  if (!strcmp(key, "enabled") || !strcmp(key, "hold") || !strcmp(key, "polls"))
    return 1;
  return (!strcmp(key, "severity") && (k & K_SEVERITY)) ||
         (!strcmp(key, "min_severity") && (k & K_MIN)) ||
         (!strcmp(key, "p50_ms") && (k & K_P50)) ||
         (!strcmp(key, "rollup") && (k & K_ROLLUP));
}

static void set_level(ed_diag_t *d, const char *path, const json_t *v,
                      int *out) {
  int l = level_of(json_string_value(v));
  if (l < 0)
    ed_diag_add(d, path, "expected \"warning\" or \"critical\", got %s",
                json_is_string(v) ? json_string_value(v)
                                  : ed_diag_json_kind(v));
  else
    *out = l;
}

/* One member of a kind's object. */
static void load_key(ed_diag_t *d, int kind, const char *path, const char *key,
                     const json_t *v, ed_alarm_rule_t *r) {
  char err[256];
  if (!strcmp(key, "enabled") || !strcmp(key, "rollup")) {
    if (!json_is_boolean(v))
      ed_diag_add(d, path, "expected true or false, got %s",
                  ed_diag_json_kind(v));
    else
      *(key[0] == 'e' ? &r->enabled : &r->rollup) = json_is_true(v);
  } else if (!strcmp(key, "hold")) {
    int64_t ms;
    if (ed_duration_from_json(v, &ms, err, sizeof(err)) != 0)
      ed_diag_add(d, path, "%s", err);
    else if (ms > 24LL * 3600 * 1000)
      ed_diag_add(d, path, "a hold of more than a day is no alarm");
    else
      r->hold_ms = ms;
  } else if (!strcmp(key, "polls")) {
    if (!json_is_integer(v))
      ed_diag_add(d, path, "expected an integer in 1..1000, got %s",
                  ed_diag_json_kind(v));
    else if (json_integer_value(v) < 1 || json_integer_value(v) > 1000)
      ed_diag_add(d, path, "expected an integer in 1..1000, got %lld",
                  (long long)json_integer_value(v));
    else
      r->polls = (int)json_integer_value(v);
  } else if (!strcmp(key, "severity")) {
    set_level(d, path, v, &r->severity);
  } else if (!strcmp(key, "min_severity")) {
    set_level(d, path, v, &r->min_level);
  } else if (!strcmp(key, "p50_ms")) {
    if (!json_is_number(v) || json_number_value(v) <= 0 ||
        json_number_value(v) > 3600000)
      ed_diag_add(d, path, "expected a number of ms in (0, 3600000], got %s",
                  ed_diag_json_kind(v));
    else
      r->p50_ms = json_number_value(v);
  }
  (void)kind;
}

static void load_kind(ed_diag_t *d, int kind, const char *path,
                      const json_t *obj, ed_alarm_rule_t *r) {
  if (!json_is_object(obj)) {
    ed_diag_add(d, path, "expected an object, got %s", ed_diag_json_kind(obj));
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    char sub[256];
    ed_jsonpos_join_key(sub, sizeof(sub), path, key);
    if (allowed(kind, key)) {
      load_key(d, kind, sub, key, v, r);
      continue;
    }
    int known = 0;
    for (size_t i = 0; all_keys[i]; i++)
      known |= !strcmp(all_keys[i], key);
    if (known) {
      ed_diag_add_key(d, sub, "\"%s\" does not apply to the %s rule", key,
                      path);
    } else {
      const char *near = ed_did_you_mean(key, all_keys);
      ed_diag_add_key(d, sub, "unknown key \"%s\"%s%s%s", key,
                      near ? " (did you mean \"" : "", near ? near : "",
                      near ? "\"?)" : "");
    }
  }
}

int ed_alarm_rules_parse(ed_alarm_rules_t *rules, const char *name,
                         const char *text, size_t len, ed_diag_t *diag) {
  const char *prev_file = diag->file;
  const ed_jsonpos_t *prev_pos = diag->pos;
  diag->file = name;
  size_t before = diag->count;
  ed_jsonpos_t *pos = NULL;
  int rc = ED_EPARSE;
  json_t *root = ed_diag_parse_json(diag, text, len);
  if (!root)
    goto out;
  /* Without positions (no memory) errors only lack their line:column. */
  ed_jsonpos_scan(text, len, &pos, NULL, NULL);
  diag->pos = pos;
  ed_alarm_rules_t r = *rules;
  if (!json_is_object(root)) {
    ed_diag_add(diag, "", "a rules file is a JSON object, got %s",
                ed_diag_json_kind(root));
  } else {
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
      int kind = ed_alarm_kind_parse(key);
      if (kind >= 0) {
        load_kind(diag, kind, key, v, &r.r[kind]);
        continue;
      }
      const char *near = ed_did_you_mean(key, kind_list);
      ed_diag_add_key(diag, key, "unknown alarm kind \"%s\"%s%s%s", key,
                      near ? " (did you mean \""
                           : " (kinds: unreachable, "
                             "slow, power, health, "
                             "sensor, log, psu",
                      near ? near : "", near ? "\"?)" : ")");
    }
  }
  rc = diag->count > before ? ED_EPARSE : 0;
  if (rc == 0)
    *rules = r;
out:
  json_decref(root);
  diag->pos = prev_pos;
  diag->file = prev_file;
  ed_jsonpos_destroy(pos);
  return rc;
}

/* A rules file is a few kilobytes; anything this big is a mistake. */
#define MAX_RULES_FILE (1024u * 1024)

int ed_alarm_rules_load(ed_alarm_rules_t *rules, const char *file,
                        ed_diag_t *diag) {
  const char *prev = diag->file;
  diag->file = file;
  char *buf = NULL;
  size_t len = 0;
  int rc = ed_diag_read_file(diag, file, MAX_RULES_FILE, &buf, &len);
  diag->file = prev;
  if (rc == 0)
    rc = ed_alarm_rules_parse(rules, file, buf, len, diag);
  free(buf);
  return rc;
}

json_t *ed_alarm_rules_json(const ed_alarm_rules_t *rules) {
  json_t *o = json_object();
  for (int k = 0; o && k < ED_ALARM_KINDS; k++) {
    const ed_alarm_rule_t *r = &rules->r[k];
    char hold[32];
    json_t *x = json_pack("{s:b,s:s,s:i}", "enabled", r->enabled, "hold",
                          ed_duration_format(r->hold_ms, hold, sizeof(hold)),
                          "polls", r->polls);
    if (kind_keys[k] & K_SEVERITY)
      json_object_set_new(x, "severity",
                          json_string(ed_alarm_sev_name(r->severity)));
    if (kind_keys[k] & K_MIN)
      json_object_set_new(x, "min_severity",
                          json_string(ed_alarm_sev_name(r->min_level)));
    if (kind_keys[k] & K_P50)
      json_object_set_new(x, "p50_ms", json_real(r->p50_ms));
    if (kind_keys[k] & K_ROLLUP)
      json_object_set_new(x, "rollup", json_boolean(r->rollup));
    json_object_set_new(o, ed_alarm_kind_name(k), x);
  }
  return o;
}
