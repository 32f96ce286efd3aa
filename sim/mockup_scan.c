#include "mockup_scan.h"

#include "../core/base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROOT_PATH "/redfish/v1"
#define DEFAULT_SESSIONS ROOT_PATH "/SessionService/Sessions"

static size_t trim_len(const char *path, size_t len) {
  while (len > 1 && path[len - 1] == '/')
    len--;
  return len;
}

/* ---- finding what behaviour needs -------------------------------------- */

static const char *odata_id(const json_t *obj) {
  return json_string_value(json_object_get(obj, "@odata.id"));
}

static const ed__mres_t *follow(const ed__mockup_t *m, const json_t *link) {
  const char *p = odata_id(link);
  return p ? ed__mockup_find(m, p, strlen(p)) : NULL;
}

static bool type_is(const json_t *j, const char *prefix) {
  const char *t = json_string_value(json_object_get(j, "@odata.type"));
  return t != NULL && strncmp(t, prefix, strlen(prefix)) == 0;
}

static void classify(ed__mockup_t *m) {
  for (size_t i = 0; i < m->nres; i++) {
    ed__mres_t *r = &m->res[i];
    if (type_is(r->json, "#ComputerSystem."))
      r->kind = ED__RES_SYSTEM;
    else if (type_is(r->json, "#Chassis."))
      r->kind = ED__RES_CHASSIS;
    else if (type_is(r->json, "#Manager."))
      r->kind = ED__RES_MANAGER;
  }
}

/* The first member of the collection linked from the ServiceRoot under key
 * that is of the given kind, else the first such resource in path order. */
static long first_of(const ed__mockup_t *m, const char *key, int kind) {
  const ed__mres_t *root = ed__mockup_find(m, ROOT_PATH, strlen(ROOT_PATH));
  const ed__mres_t *col =
      root ? follow(m, json_object_get(root->json, key)) : NULL;
  json_t *mem = col ? json_object_get(col->json, "Members") : NULL;
  size_t i;
  json_t *v;
  json_array_foreach(mem, i, v) {
    const ed__mres_t *r = follow(m, v);
    if (r != NULL && r->kind == kind)
      return (long)ed__mockup_index(m, r);
  }
  for (i = 0; i < m->nres; i++)
    if (m->res[i].kind == kind)
      return (long)i;
  return -1;
}

static int find_systems(ed__mockup_t *m) {
  size_t n = 0;
  for (size_t i = 0; i < m->nres; i++)
    n += m->res[i].kind == ED__RES_SYSTEM;
  if (n == 0)
    return 0;
  if (n > INT16_MAX)
    return ED_ERANGE;
  m->systems = malloc(n * sizeof(*m->systems));
  if (m->systems == NULL)
    return ED_ENOMEM;
  long first = first_of(m, "Systems", ED__RES_SYSTEM);
  m->systems[m->nsys++] = (uint32_t)first;
  for (size_t i = 0; i < m->nres; i++)
    if (m->res[i].kind == ED__RES_SYSTEM && (long)i != first)
      m->systems[m->nsys++] = (uint32_t)i;
  for (size_t k = 0; k < m->nsys; k++)
    m->res[m->systems[k]].sys = (int16_t)k;
  return 0;
}

static int find_sessions(ed__mockup_t *m) {
  const ed__mres_t *root = ed__mockup_find(m, ROOT_PATH, strlen(ROOT_PATH));
  const char *p = NULL;
  if (root != NULL) {
    p = odata_id(
        json_object_get(json_object_get(root->json, "Links"), "Sessions"));
    const ed__mres_t *ss =
        p ? NULL : follow(m, json_object_get(root->json, "SessionService"));
    if (ss != NULL)
      p = odata_id(json_object_get(ss->json, "Sessions"));
  }
  if (p == NULL)
    p = DEFAULT_SESSIONS;
  m->sessions_path = strndup(p, trim_len(p, strlen(p)));
  if (m->sessions_path == NULL)
    return ED_ENOMEM;
  ed__mres_t *r = (ed__mres_t *)ed__mockup_find(m, p, strlen(p));
  if (r != NULL)
    r->kind = ED__RES_SESSIONS;
  return 0;
}

static bool is_sel_service(const ed__mres_t *r) {
  if (!type_is(r->json, "#LogService."))
    return false;
  const char *id = json_string_value(json_object_get(r->json, "Id"));
  const char *type =
      json_string_value(json_object_get(r->json, "LogEntryType"));
  const char *last = strrchr(r->path, '/');
  return (id && strcasecmp(id, "SEL") == 0) ||
         (type && strcmp(type, "SEL") == 0) ||
         (last && strcasecmp(last + 1, "SEL") == 0);
}

static long find_sel_service(const ed__mockup_t *m) {
  const char *mgr =
      m->first_manager >= 0 ? m->res[m->first_manager].path : NULL;
  /* A SEL under the first manager wins, then one anywhere. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < m->nres; i++)
      if (is_sel_service(&m->res[i]) &&
          (pass == 1 ||
           (mgr && strncmp(m->res[i].path, mgr, strlen(mgr)) == 0)))
        return (long)i;
  return -1;
}

static json_t *new_collection(const char *type, const char *path,
                              const char *name) {
  return json_pack("{s:s, s:s, s:s, s:[], s:i}", "@odata.type", type,
                   "@odata.id", path, "Name", name, "Members",
                   "Members@odata.count", 0);
}

/* Makes sure a collection exists at path (linked from owner[key]). */
static int ensure_collection(ed__mockup_t *m, uint32_t owner, const char *key,
                             const char *type, const char *name, char *out,
                             size_t outlen) {
  json_t *oj = m->res[owner].json;
  const char *p = odata_id(json_object_get(oj, key));
  if (p == NULL) {
    snprintf(out, outlen, "%s/%s", m->res[owner].path, key);
    if (json_object_set_new(oj, key, json_pack("{s:s}", "@odata.id", out)))
      return ED_ENOMEM;
  } else {
    snprintf(out, outlen, "%.*s", (int)trim_len(p, strlen(p)), p);
  }
  if (ed__mockup_find(m, out, strlen(out)) != NULL)
    return 0;
  json_t *c = new_collection(type, out, name);
  return c ? ed__mockup_add(m, out, c) : ED_ENOMEM;
}

/* The mockup has no SEL: give the first manager (else the first system)
 * one, linked like a real one, so power events have somewhere to go. */
static int synth_sel(ed__mockup_t *m, long *svc) {
  long owner = m->first_manager >= 0 ? m->first_manager
               : m->nsys > 0         ? (long)m->systems[0]
                                     : -1;
  if (owner < 0)
    return 0;
  char col[512], sel[600], entries[640], clear[700];
  int rc = ensure_collection(m, (uint32_t)owner, "LogServices",
                             "#LogServiceCollection.LogServiceCollection",
                             "Log Service Collection", col, sizeof(col));
  if (rc < 0)
    return rc;
  snprintf(sel, sizeof(sel), "%s/SEL", col);
  snprintf(entries, sizeof(entries), "%s/Entries", sel);
  snprintf(clear, sizeof(clear), "%s/Actions/LogService.ClearLog", sel);
  json_t *cj = ((ed__mres_t *)ed__mockup_find(m, col, strlen(col)))->json;
  json_t *mem = json_object_get(cj, "Members");
  if (!json_is_array(mem) ||
      json_array_append_new(mem, json_pack("{s:s}", "@odata.id", sel)) ||
      json_object_set_new(cj, "Members@odata.count",
                          json_integer((json_int_t)json_array_size(mem))))
    return ED_ENOMEM;
  json_t *sj = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:{s:s, s:s}, s:{s:s},"
      " s:{s:{s:s}}}",
      "@odata.type", "#LogService.v1_4_0.LogService", "@odata.id", sel, "Id",
      "SEL", "Name", "System Event Log", "LogEntryType", "SEL",
      "MaxNumberOfRecords", 1000, "OverWritePolicy", "WrapsWhenFull",
      "ServiceEnabled", 1, "Status", "State", "Enabled", "Health", "OK",
      "Entries", "@odata.id", entries, "Actions", "#LogService.ClearLog",
      "target", clear);
  if (sj == NULL || (rc = ed__mockup_add(m, sel, sj)) < 0)
    return sj ? rc : ED_ENOMEM;
  *svc = (long)m->nres - 1;
  return 0;
}

static int find_sel(ed__mockup_t *m) {
  long svc = find_sel_service(m);
  int rc = svc < 0 ? synth_sel(m, &svc) : 0;
  if (rc < 0 || svc < 0)
    return rc;
  char entries[600];
  rc = ensure_collection(m, (uint32_t)svc, "Entries",
                         "#LogEntryCollection.LogEntryCollection",
                         "System Event Log Entries", entries, sizeof(entries));
  if (rc < 0)
    return rc;
  ed__mres_t *e = (ed__mres_t *)ed__mockup_find(m, entries, strlen(entries));
  e->kind = ED__RES_SEL_ENTRIES;
  m->sel_entries = (long)ed__mockup_index(m, e);
  /* New entries continue the numbering of the mockup's own. */
  m->sel_next_id = 1;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(e->json, "Members"), i, v) {
    const char *id = odata_id(v);
    const char *last = id ? strrchr(id, '/') : NULL;
    char *end;
    unsigned long n = last ? strtoul(last + 1, &end, 10) : 0;
    if (last && *end == '\0' && n >= m->sel_next_id && n < UINT32_MAX - 1)
      m->sel_next_id = (uint32_t)n + 1;
  }
  return 0;
}

/* ---- actions ----------------------------------------------------------- */

static int add_action(ed__mockup_t *m, const char *target, uint32_t res,
                      int kind, json_t *allow) {
  size_t len = trim_len(target, strlen(target));
  if (ed__mockup_find_action(m, target, len) != NULL)
    return 0; /* the first declaration wins */
  if (m->nact == m->capact) {
    size_t cap = m->capact ? m->capact * 2 : 16;
    ed__maction_t *a = realloc(m->act, cap * sizeof(*a));
    if (a == NULL)
      return ED_ENOMEM;
    m->act = a;
    m->capact = cap;
  }
  ed__maction_t *a = &m->act[m->nact];
  a->target = strndup(target, len);
  if (a->target == NULL)
    return ED_ENOMEM;
  a->res = res;
  a->kind = (uint8_t)kind;
  a->allow = json_is_array(allow) ? allow : NULL;
  m->nact++;
  return 0;
}

/* AllowableValues of ResetType, inline or in the linked ActionInfo. */
static json_t *reset_allowed(const ed__mockup_t *m, json_t *act) {
  json_t *a = json_object_get(act, "ResetType@Redfish.AllowableValues");
  if (a != NULL)
    return a;
  const char *info =
      json_string_value(json_object_get(act, "@Redfish.ActionInfo"));
  const ed__mres_t *r = info ? ed__mockup_find(m, info, strlen(info)) : NULL;
  size_t i;
  json_t *p;
  json_array_foreach(r ? json_object_get(r->json, "Parameters") : NULL, i, p) {
    const char *n = json_string_value(json_object_get(p, "Name"));
    if (n && strcmp(n, "ResetType") == 0)
      return json_object_get(p, "AllowableValues");
  }
  return NULL;
}

static int action_kind(const ed__mockup_t *m, uint32_t res, const char *name) {
  const ed__mres_t *r = &m->res[res];
  if (r->kind == ED__RES_SYSTEM && strcmp(name, "#ComputerSystem.Reset") == 0)
    return ED__ACT_SYSTEM_RESET;
  if (r->kind == ED__RES_MANAGER && strcmp(name, "#Manager.Reset") == 0)
    return ED__ACT_MANAGER_RESET;
  if (strcmp(name, "#LogService.ClearLog") == 0 && m->sel_entries >= 0) {
    const char *e = odata_id(json_object_get(r->json, "Entries"));
    if (e && strcmp(e, m->res[m->sel_entries].path) == 0)
      return ED__ACT_CLEAR_SEL;
  }
  return ED__ACT_OTHER;
}

static int actions_of(ed__mockup_t *m, uint32_t res, json_t *acts) {
  const char *name;
  json_t *a;
  json_object_foreach(acts, name, a) {
    if (strcmp(name, "Oem") == 0) {
      int rc = actions_of(m, res, a);
      if (rc < 0)
        return rc;
      continue;
    }
    const char *t = json_string_value(json_object_get(a, "target"));
    if (t == NULL || name[0] != '#')
      continue;
    int kind = action_kind(m, res, name);
    int rc = add_action(m, t, res, kind,
                        kind == ED__ACT_OTHER ? NULL : reset_allowed(m, a));
    if (rc < 0)
      return rc;
  }
  return 0;
}

static int find_actions(ed__mockup_t *m) {
  for (size_t i = 0; i < m->nres; i++) {
    int rc =
        actions_of(m, (uint32_t)i, json_object_get(m->res[i].json, "Actions"));
    if (rc < 0)
      return rc;
  }
  /* Every system resets at the conventional URI even when its mockup
   * forgot to declare the action. */
  char t[600];
  for (size_t k = 0; k < m->nsys; k++) {
    snprintf(t, sizeof(t), "%s/Actions/ComputerSystem.Reset",
             m->res[m->systems[k]].path);
    int rc = add_action(m, t, m->systems[k], ED__ACT_SYSTEM_RESET, NULL);
    if (rc < 0)
      return rc;
  }
  return 0;
}

int ed__mockup_scan(ed__mockup_t *m) {
  int rc;
  classify(m);
  m->first_manager = first_of(m, "Managers", ED__RES_MANAGER);
  if ((rc = find_systems(m)) < 0 || (rc = find_sessions(m)) < 0 ||
      (rc = find_sel(m)) < 0 || (rc = find_actions(m)) < 0)
    return rc;
  return 0;
}
