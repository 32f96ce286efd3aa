/* Inventory files, and their inclusion by a scenario; see inventory.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inventory.h"
#include "names.h"
#include "scenario_internal.h"

static const char *const root_keys[] = {"name", "description", "devices", NULL};

static void load_root(ed__loader_t *l, json_t *root) {
  if (ed__load_head(l, root, "an inventory", root_keys) != 0)
    return;
  ed__load_target_set(l, json_object_get(root, "devices"), "devices", 1);
}

int ed_inventory_load(const char *file, const ed_scenario_drivers_t *drivers,
                      ed_diag_t *diag, ed_scenario_t **out) {
  ed_scenario_t *s;
  int err = ed__load_document(file, diag, &s);
  if (!err)
    err = ed__validate_document(s, drivers, diag, load_root);
  for (size_t i = 0; !err && i < s->ntargets; i++)
    if (!(s->targets[i].file = strdup(file)))
      err = ED_ENOMEM;
  if (err) {
    ed_scenario_destroy(s);
    s = NULL;
  }
  *out = s;
  return err;
}

int ed_inventory_match(const ed_target_t *t, const json_t *selector) {
  const char *key;
  json_t *want;
  json_object_foreach((json_t *)selector, key, want) {
    json_t *have = t->labels ? json_object_get(t->labels, key) : NULL;
    if (!have || !json_equal(have, want))
      return 0;
  }
  return 1;
}

void ed_inventory_selector_text(const json_t *selector, char *buf, size_t len) {
  size_t off = 0;
  const char *key;
  json_t *v;
  buf[0] = '\0';
  json_object_foreach((json_t *)selector, key, v) {
    if (off >= len)
      break;
    off +=
        (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? ", " : "", key,
                         json_is_string(v) ? json_string_value(v) : "?");
  }
}

/* ---- why a selector keeps no device --------------------------------------
 * A --label that names a label or a value no device has is a typo far more
 * often than a wish for an empty fleet: say which, and the name meant. */

/* The values of label `key` among inv's devices (or the label keys when key
 * is NULL), borrowed, NULL-ended, repeats included, *count of them;
 * free() the array. */
static const char **label_names(const ed_scenario_t *inv, const char *key,
                                size_t *count) {
  size_t n = 0;
  for (size_t i = 0; i < inv->ntargets; i++)
    n += inv->targets[i].labels ? json_object_size(inv->targets[i].labels) : 0;
  const char **names = calloc(n + 1, sizeof(*names));
  size_t k = 0;
  for (size_t i = 0; names && i < inv->ntargets; i++) {
    const char *lk;
    json_t *v;
    json_object_foreach(inv->targets[i].labels, lk, v) {
      if (!key)
        names[k++] = lk;
      else if (strcmp(lk, key) == 0 && json_is_string(v))
        names[k++] = json_string_value(v);
    }
  }
  *count = k;
  return names;
}

/* buf += up to 8 distinct names of `names`, ", "-separated. */
static void list_distinct(const char **names, char *buf, size_t len) {
  size_t off = strlen(buf), shown = 0;
  for (size_t i = 0; names[i] && shown < 8 && off < len; i++) {
    size_t j = 0;
    while (j < i && strcmp(names[j], names[i]) != 0)
      j++;
    if (j < i)
      continue;
    off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"",
                            shown++ ? ", " : "", names[i]);
  }
}

/* 1 when buf now says why `key` (value NULL) or key=value is no device's. */
static int unknown_name(const ed_scenario_t *inv, const char *key,
                        const char *value, char *buf, size_t len) {
  size_t n = 0;
  const char **names = label_names(inv, value ? key : NULL, &n);
  const char *word = value ? value : key;
  ed_names_t *idx = NULL;
  if (names && ed_names_create(names, n, &idx) != 0)
    idx = NULL;
  int unknown = 0;
  if (names && idx && ed_names_find(idx, word) < 0) {
    unknown = 1;
    const char *near = ed_names_suggest(idx, word);
    if (!value)
      snprintf(buf, len, "no device has a label \"%s\"", key);
    else
      snprintf(buf, len, "no device has the label %s=%s", key, value);
    size_t off = strlen(buf);
    if (near && value)
      snprintf(buf + off, len - off, "; did you mean \"%s=%s\"?", key, near);
    else if (near)
      snprintf(buf + off, len - off, "; did you mean \"%s\"?", near);
    else if (names[0]) {
      snprintf(buf + off, len - off,
               "; %s: ", value ? "its values are" : "the labels are");
      list_distinct(names, buf, len);
    }
  }
  ed_names_destroy(idx);
  free(names);
  return unknown;
}

void ed_inventory_selector_why(const ed_scenario_t *inv, const json_t *selector,
                               char *buf, size_t len) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)selector, key, v) {
    if (unknown_name(inv, key, NULL, buf, len) ||
        unknown_name(inv, key, json_string_value(v), buf, len))
      return;
  }
  char text[256];
  ed_inventory_selector_text(selector, text, sizeof(text));
  snprintf(buf, len, "no device has the labels %s together", text);
}

/* ---- a scenario's "inventory" ----------------------------------------- */

/* The inventory's path: relative to the scenario's folder. */
static char *resolve(const char *scenario, const char *ref) {
  const char *slash = strrchr(scenario, '/');
  if (ref[0] == '/' || !slash)
    return strdup(ref);
  char buf[PATH_MAX];
  int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(slash - scenario),
                   scenario, ref);
  return n < 0 || (size_t)n >= sizeof(buf) ? NULL : strdup(buf);
}

/* Move the inventory's devices to the end of the scenario's targets. */
static void adopt_devices(ed__loader_t *l, ed_scenario_t *inv) {
  ed_scenario_t *s = l->s;
  ed_target_t *grown =
      realloc(s->targets, (s->ntargets + inv->ntargets) * sizeof(*grown));
  if (!grown) {
    l->nomem = 1;
    return;
  }
  s->targets = grown;
  memcpy(grown + s->ntargets, inv->targets, inv->ntargets * sizeof(*grown));
  s->ntargets += inv->ntargets;
  free(inv->targets);
  inv->targets = NULL;
  inv->ntargets = 0;
}

void ed__load_inventory(ed__loader_t *l, json_t *root) {
  const char *ref;
  if (ed__get_string(l, root, "", "inventory", 0, &ref) != 1)
    return;
  char *file = resolve(l->s->file, ref);
  if (!file) {
    ed_diag_add(l->diag, "inventory", "path too long");
    return;
  }
  ed_scenario_t *inv = NULL;
  int rc = ed_inventory_load(file, l->drivers, l->diag, &inv);
  if (rc == ED_ENOMEM)
    l->nomem = 1;
  else if (rc != 0)
    ed_diag_add(l->diag, "inventory",
                "the inventory %s is not valid (its errors are listed with "
                "it)",
                file);
  if (inv)
    adopt_devices(l, inv);
  ed_scenario_destroy(inv);
  l->s->inventory = file;
}
