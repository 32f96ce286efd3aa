/* The "targets" object of a scenario; see scenario_internal.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario_internal.h"

/* Keys the core reads; every other key of a target is a driver option. */
static const char *const core_keys[] = {
    "driver", "credentials", "rehearsal", "max_in_flight",
    "sim",    "description", "labels",    NULL};

/* Keys that look like a secret written in clear, by substring. */
static const char *const secret_words[] = {
    "password", "passwd",  "passphrase", "secret",      "token",
    "apikey",   "api_key", "api-key",    "private_key", NULL};

static int looks_secret(const char *key) {
  char low[128];
  size_t n = 0;
  for (; key[n] && n + 1 < sizeof(low); n++)
    low[n] = (char)tolower((unsigned char)key[n]);
  low[n] = '\0';
  if (strcmp(low, "pass") == 0 || strcmp(low, "pwd") == 0)
    return 1;
  for (size_t i = 0; secret_words[i]; i++)
    if (strstr(low, secret_words[i]))
      return 1;
  return 0;
}

static void secret_error(ed__loader_t *l, const char *path, const char *what) {
  ed_diag_add_key(
      l->diag, path,
      "secrets never go in scenario or inventory files: remove %s and use a "
      "credentials reference (\"credentials\": \"env:NAME\" or "
      "\"file:/path\")",
      what);
}

/* "scheme://user:secret@host/..." */
static int url_has_userinfo(const char *url) {
  const char *p = strstr(url, "://");
  if (!p)
    return 0;
  p += 3;
  size_t auth = strcspn(p, "/?#");
  const char *at = memchr(p, '@', auth);
  return at != NULL;
}

static int env_name_ok(const char *name) {
  if (!*name || isdigit((unsigned char)*name))
    return 0;
  for (; *name; name++)
    if (!isalnum((unsigned char)*name) && *name != '_')
      return 0;
  return 1;
}

/* The reference only; its value is never echoed, in case a user pasted a
 * secret there. */
static int check_credentials(ed__loader_t *l, const char *ref,
                             const char *path) {
  if (strncmp(ref, "env:", 4) == 0) {
    if (env_name_ok(ref + 4))
      return 0;
    ed_diag_add(l->diag, path,
                "invalid credentials reference: \"env:\" must be followed by "
                "an environment variable name (letters, digits and '_', not "
                "starting with a digit)");
    return -1;
  }
  if (strncmp(ref, "file:", 5) == 0) {
    if (ref[5])
      return 0;
    ed_diag_add(l->diag, path,
                "invalid credentials reference: \"file:\" must be followed "
                "by a path");
    return -1;
  }
  ed_diag_add(
      l->diag, path,
      "not a credentials reference: write \"env:NAME\" or "
      "\"file:/path\" (secrets never go in scenario or inventory files)");
  return -1;
}

static void list_names(const char *const *names, char *buf, size_t len) {
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; names && names[i] && off < len; i++)
    off +=
        (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
}

/* 1 when the driver exists (or nobody can tell), else 0 (reported). */
static int driver_known(ed__loader_t *l, const char *driver, const char *path) {
  const ed_scenario_drivers_t *d = l->drivers;
  int rc = d && d->lookup ? d->lookup(d->ctx, driver) : 0;
  if (rc == 0)
    return 1;
  if (rc != ED_ENOTFOUND) {
    /* It exists but was refused (unsafe folder, wrong ABI, init failed):
     * the plugin host said why; a did-you-mean would only mislead. */
    ed_diag_add(l->diag, path,
                "driver \"%s\" cannot be loaded (the reason is printed "
                "above)",
                driver);
    return 0;
  }
  const char *const *names = d->names ? d->names(d->ctx) : NULL;
  const char *best = ed_did_you_mean(driver, names);
  char list[256];
  list_names(names, list, sizeof(list));
  if (best)
    ed_diag_add(l->diag, path, "unknown driver \"%s\" (did you mean \"%s\"?)",
                driver, best);
  else if (*list)
    ed_diag_add(l->diag, path, "unknown driver \"%s\" (available: %s)", driver,
                list);
  else
    ed_diag_add(l->diag, path, "unknown driver \"%s\"", driver);
  return 0;
}

static void load_labels(ed__loader_t *l, json_t *tobj, const char *path,
                        ed_target_t *t) {
  char lpath[ED__PATH_MAX];
  json_t *labels = json_object_get(tobj, "labels");
  if (!labels)
    return;
  ed__path_key(lpath, path, "labels");
  if (ed__want(l, labels, JSON_OBJECT, lpath, "an object of strings"))
    return;
  const char *key;
  json_t *v;
  int ok = 1;
  json_object_foreach(labels, key, v) {
    char vpath[ED__PATH_MAX];
    ed__path_key(vpath, lpath, key);
    if (ed__want(l, v, JSON_STRING, vpath, "a string"))
      ok = 0;
  }
  if (ok)
    t->labels = json_incref(labels);
}

static void load_sim(ed__loader_t *l, json_t *tobj, const char *path,
                     ed_target_t *t) {
  char spath[ED__PATH_MAX];
  json_t *sim = json_object_get(tobj, "sim");
  if (!sim)
    return;
  ed__path_key(spath, path, "sim");
  if (ed__want(l, sim, JSON_OBJECT, spath, "an object of simulator settings"))
    return;
  t->sim = calloc(1, sizeof(*t->sim));
  if (!t->sim) {
    l->nomem = 1;
    return;
  }
  t->sim->config = json_incref(sim);
  if (!l->drivers || !l->drivers->check_sim)
    return;
  /* Checking builds a simulator; a fleet of simulated targets mostly
   * repeats a few settings, which need checking once. */
  for (size_t k = 0; k < ED__SIM_CHECKED; k++)
    if (l->sim_ok[k] && json_equal(l->sim_ok[k], sim))
      return;
  size_t before = l->diag->count;
  l->drivers->check_sim(l->drivers->ctx, sim, spath, l->diag);
  if (l->diag->count == before) {
    l->sim_ok[l->sim_ok_next] = sim;
    l->sim_ok_next = (l->sim_ok_next + 1) % ED__SIM_CHECKED;
  }
}

/* Everything but the core keys, into t->opts; secrets refused. */
static void split_opts(ed__loader_t *l, json_t *tobj, const char *path,
                       ed_target_t *t) {
  t->opts = json_object();
  if (!t->opts) {
    l->nomem = 1;
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach(tobj, key, v) {
    char kpath[ED__PATH_MAX];
    int core = 0;
    for (size_t i = 0; core_keys[i]; i++)
      core |= strcmp(key, core_keys[i]) == 0;
    if (core)
      continue;
    ed__path_key(kpath, path, key);
    if (looks_secret(key)) {
      char what[160];
      snprintf(what, sizeof(what), "\"%s\"", key);
      secret_error(l, kpath, what);
      continue;
    }
    if (json_object_set(t->opts, key, v))
      l->nomem = 1;
  }
}

/* No driver checks the other keys, so a typo of a core key ("drvier")
 * would go unnoticed: name the core key it is closest to. */
static void near_core_keys(ed__loader_t *l, const char *path,
                           const ed_target_t *t) {
  const char *key;
  json_t *v;
  json_object_foreach(t->opts, key, v) {
    const char *best = ed_did_you_mean(key, core_keys);
    if (!best)
      continue;
    char kpath[ED__PATH_MAX];
    ed__path_key(kpath, path, key);
    ed_diag_add_key(l->diag, kpath, "unknown key \"%s\" (did you mean \"%s\"?)",
                    key, best);
  }
}

/* A target with "sim" (even a wrong one) is simulated: its URL comes from
 * the simulator. */
static void check_url(ed__loader_t *l, const char *path, ed_target_t *t,
                      int simulated) {
  json_t *url = json_object_get(t->opts, "url");
  char upath[ED__PATH_MAX];
  if (!url)
    return;
  ed__path_key(upath, path, "url");
  if (simulated) {
    ed_diag_add_key(l->diag, upath,
                    "a simulated target (\"sim\" is set) gets its URL from "
                    "the simulator: remove \"url\"");
    json_object_del(t->opts, "url");
    return;
  }
  if (json_is_string(url) && url_has_userinfo(json_string_value(url))) {
    secret_error(l, upath, "the user and password from the URL");
  }
}

/* The driver checks its own keys. A simulated target has no url yet, so the
 * driver sees a placeholder that stands for the simulator's. */
static void driver_check(ed__loader_t *l, const char *path, ed_target_t *t,
                         int simulated) {
  const ed_scenario_drivers_t *d = l->drivers;
  if (!d || !d->check_target || !t->opts)
    return;
  json_t *opts = t->opts;
  if (simulated) {
    opts = json_copy(t->opts);
    if (!opts ||
        json_object_set_new(opts, "url", json_string(ED_SCENARIO_SIM_URL))) {
      json_decref(opts);
      l->nomem = 1;
      return;
    }
  }
  d->check_target(d->ctx, t->driver, opts, path, l->diag);
  if (opts != t->opts)
    json_decref(opts);
}

static void load_core_keys(ed__loader_t *l, json_t *tobj, const char *path,
                           ed_target_t *t) {
  const char *str;
  int64_t n;
  if (ed__get_string(l, tobj, path, "credentials", 0, &str) == 1) {
    char cpath[ED__PATH_MAX];
    ed__path_key(cpath, path, "credentials");
    if (check_credentials(l, str, cpath) == 0)
      t->credentials = ed__strdup(l, str);
  }
  ed__get_bool(l, tobj, path, "rehearsal", &t->rehearsal);
  if (ed__get_int(l, tobj, path, "max_in_flight", 1, ED__IN_FLIGHT_MAX, &n) ==
      1)
    t->max_in_flight = (int)n;
  if (ed__get_string(l, tobj, path, "description", 0, &str) == 1)
    t->description = ed__strdup(l, str);
  load_labels(l, tobj, path, t);
  load_sim(l, tobj, path, t);
}

static void load_target(ed__loader_t *l, const char *section, const char *name,
                        json_t *tobj, ed_target_t *t) {
  char path[ED__PATH_MAX];
  ed__path_key(path, section, name);
  /* Kept even when the target is wrong, so that workloads naming it are
   * not reported as naming an undefined target as well. */
  t->name = ed__strdup(l, name);
  t->path = ed__strdup(l, path);
  ed__check_name(l, name, path, "target name"); /* and check the rest */
  if (ed__want(l, tobj, JSON_OBJECT, path, "an object"))
    return;
  const char *driver;
  int known = 0;
  if (ed__get_string(l, tobj, path, "driver", 1, &driver) == 1) {
    char dpath[ED__PATH_MAX];
    ed__path_key(dpath, path, "driver");
    t->driver = ed__strdup(l, driver);
    known = driver_known(l, driver, dpath);
  }
  load_core_keys(l, tobj, path, t);
  split_opts(l, tobj, path, t);
  int simulated = json_object_get(tobj, "sim") != NULL;
  check_url(l, path, t, simulated);
  if (known && t->driver)
    driver_check(l, path, t, simulated);
  else
    near_core_keys(l, path, t);
}

void ed__load_target_set(ed__loader_t *l, json_t *set, const char *section,
                         int required) {
  if (!set) {
    if (required)
      ed__missing(l, "", section);
    return;
  }
  if (ed__want(l, set, JSON_OBJECT, section, "an object of targets by name"))
    return;
  size_t n = json_object_size(set);
  ed__within(l, section, l->s->ntargets + n, ED__TARGETS_MAX,
             strcmp(section, "devices") == 0 ? "devices" : "targets");
  if (n == 0) {
    ed_diag_add(l->diag, section, "no %s: define at least one",
                strcmp(section, "devices") == 0 ? "device" : "target");
    return;
  }
  ed_target_t *grown =
      realloc(l->s->targets, (l->s->ntargets + n) * sizeof(*l->s->targets));
  if (!grown) {
    l->nomem = 1;
    return;
  }
  l->s->targets = grown;
  memset(grown + l->s->ntargets, 0, n * sizeof(*grown));
  /* The keys of one object are unique: a twin can only be a target defined
   * before (by the inventory), found through an index of those. */
  size_t earlier = l->s->ntargets;
  ed_names_t *defined = NULL;
  if (earlier > 0) {
    const char **names = malloc(earlier * sizeof(*names));
    for (size_t i = 0; names && i < earlier; i++)
      names[i] = grown[i].name;
    if (!names || ed_names_create(names, earlier, &defined)) {
      free(names);
      l->nomem = 1;
      return;
    }
    free(names);
  }
  const char *name;
  json_t *v;
  json_object_foreach(set, name, v) {
    long ti = defined ? ed_names_find(defined, name) : -1;
    const ed_target_t *twin = ti >= 0 ? &grown[ti] : NULL;
    if (twin) {
      char path[ED__PATH_MAX];
      ed__path_key(path, section, name);
      ed_diag_add_key(l->diag, path, "\"%s\" is already defined by %s", name,
                      twin->file ? twin->file : "this file");
      continue;
    }
    load_target(l, section, name, v, &l->s->targets[l->s->ntargets++]);
  }
  ed_names_destroy(defined);
}

void ed__free_target(ed_target_t *t) {
  free(t->name);
  free(t->driver);
  free(t->credentials);
  if (t->sim) {
    json_decref(t->sim->config);
    free(t->sim);
  }
  json_decref(t->opts);
  json_decref(t->labels);
  free(t->path);
  free(t->description);
  free(t->file);
}
