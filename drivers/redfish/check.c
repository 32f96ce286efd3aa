/*
 * check: op_check of the Redfish driver. Proves, with GETs only, that a
 * prepared state-changing operation could run on the service now, without
 * sending it (what `eventdrill verify` needs):
 *  - reset: the system answers, advertises #ComputerSystem.Reset, and the
 *    ResetType is one it allows (@Redfish.AllowableValues on the action, or
 *    the Parameters of its @Redfish.ActionInfo);
 *  - patch: the resource answers and has every property the body sets
 *    (nested objects too); with if_match "auto", it sends an ETag;
 *  - post: to an action (".../Actions/X"), the resource before /Actions
 *    advertises an action with that target; to anything else, the target
 *    answers.
 * Each GET goes through the driver's own path (auth, {first}, limits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/json_wide.h>

#include "path.h"
#include "redfish.h"

#define ACTIONS "/Actions/"

typedef struct proof_s proof_t;
typedef void (*proof_step)(proof_t *p, const ed_result_t *res);

struct proof_s {
  ed__rf_target_t *t;
  ed_request_t *req;       /* the core's: completed once, at the end */
  const ed__rf_op_t *what; /* the operation proven (req->op) */
  ed__rf_op_t *get;        /* the GET in flight, or NULL */
  ed_request_t get_req;    /* its request */
  proof_step next;         /* what to do with its answer */
  json_t *body;            /* the resource read first */
  char path[300];          /* the resource that was read */
};

static void done(proof_t *p, ed_errclass_t err, const char *text) {
  ed_result_t res = {.err = err};
  if (err == ED_ERRCLASS_NONE) {
    res.value = text;
    res.value_len = text ? strlen(text) : 0;
  } else {
    res.detail = text;
  }
  ed_request_t *req = p->req;
  json_decref(p->body);
  free(p);
  req->done(req, &res);
}

static void got(ed_request_t *r, const ed_result_t *res) {
  proof_t *p = r->core_data;
  ed__rf_op_free(p->t, p->get);
  p->get = NULL;
  if (res->err != ED_ERRCLASS_NONE) {
    char why[600];
    snprintf(why, sizeof(why), "GET %s: %s", p->path,
             res->detail ? res->detail : "failed");
    done(p, res->err, why);
    return;
  }
  p->next(p, res);
}

/* GET path (with want_etag: only whether it sends an ETag), then next. */
static void fetch(proof_t *p, const char *path, int want_etag,
                  proof_step next) {
  char err[256];
  snprintf(p->path, sizeof(p->path), "%s", path);
  if (ed__rf_prepare_get(p->t, path, want_etag, &p->get, err, sizeof(err))) {
    done(p, ED_ERRCLASS_OTHER, err);
    return;
  }
  p->next = next;
  p->get_req = (ed_request_t){.op = p->get,
                              .intended_ns = p->req->intended_ns,
                              .sent_ns = p->req->sent_ns,
                              .timeout_ms = p->req->timeout_ms,
                              .done = got,
                              .core_data = p};
  if (ed__rf_submit(p->t, &p->get_req) != 0) {
    ed__rf_op_free(p->t, p->get);
    done(p, ED_ERRCLASS_OTHER, "could not send the GET of the proof");
  }
}

static json_t *parse(const ed_result_t *res) {
  if (!res->value)
    return NULL;
  json_t *j = ed_json_loadb_wide(res->value, res->value_len, 0, NULL);
  if (!json_is_object(j)) {
    json_decref(j);
    return NULL;
  }
  return j;
}

/* ---- reset ----------------------------------------------------------------
 */

/* Whether type is among the allowed values (a JSON array of strings);
 * the list as text in list. */
static int allowed(const json_t *values, const char *type, char *list,
                   size_t len) {
  size_t i, off = 0;
  const json_t *v;
  int found = 0;
  list[0] = '\0';
  json_array_foreach(values, i, v) {
    const char *s = json_string_value(v);
    if (!s)
      continue;
    found |= strcmp(s, type) == 0;
    if (off < len)
      off += (size_t)snprintf(list + off, len - off, "%s%s", i ? ", " : "", s);
  }
  return found;
}

static void judge_type(proof_t *p, const json_t *values, const char *from) {
  char list[400], text[700];
  json_t *body = json_loads(p->what->body, 0, NULL);
  const char *type = json_string_value(json_object_get(body, "ResetType"));
  type = type ? type : "";
  if (allowed(values, type, list, sizeof(list))) {
    snprintf(text, sizeof(text), "ResetType %s is allowed by %s (%s)", type,
             from, list);
    json_decref(body);
    done(p, ED_ERRCLASS_NONE, text);
    return;
  }
  snprintf(text, sizeof(text),
           "ResetType %s is not allowed by %s: it allows %s", type, from,
           list[0] ? list : "none");
  json_decref(body);
  done(p, ED_ERRCLASS_OTHER, text);
}

static void action_info_read(proof_t *p, const ed_result_t *res) {
  json_t *info = parse(res);
  json_t *param;
  size_t i;
  json_array_foreach(json_object_get(info, "Parameters"), i, param) {
    const char *name = json_string_value(json_object_get(param, "Name"));
    json_t *values = json_object_get(param, "AllowableValues");
    if (name && strcmp(name, "ResetType") == 0 && json_is_array(values)) {
      char from[400];
      snprintf(from, sizeof(from), "its ActionInfo %s", p->path);
      judge_type(p, values, from);
      json_decref(info);
      return;
    }
  }
  json_decref(info);
  done(p, ED_ERRCLASS_NONE,
       "the system advertises ComputerSystem.Reset; its ActionInfo lists no "
       "ResetType values to check against");
}

static void system_read(proof_t *p, const ed_result_t *res) {
  p->body = parse(res);
  json_t *action = json_object_get(json_object_get(p->body, "Actions"),
                                   "#ComputerSystem.Reset");
  char why[700];
  if (!json_is_object(action)) {
    snprintf(why, sizeof(why), "%s advertises no #ComputerSystem.Reset action",
             p->path);
    done(p, ED_ERRCLASS_OTHER, why);
    return;
  }
  json_t *values = json_object_get(action, "ResetType@Redfish.AllowableValues");
  if (json_is_array(values)) {
    judge_type(p, values, "the action's AllowableValues");
    return;
  }
  const char *info =
      json_string_value(json_object_get(action, "@Redfish.ActionInfo"));
  const char *info_path = info ? ed__rf_path_of(info) : NULL;
  if (info_path) {
    fetch(p, info_path, 0, action_info_read);
    return;
  }
  done(p, ED_ERRCLASS_NONE,
       "the system advertises ComputerSystem.Reset (no allowed ResetType "
       "values published to check against)");
}

/* ---- patch ----------------------------------------------------------------
 */

/* The first key of want (recursively into objects) that have does not
 * hold, as a pointer in missing; 0 when every one is there. */
static int missing_key(const json_t *want, const json_t *have, char *missing,
                       size_t len, size_t off) {
  const char *k;
  const json_t *v;
  json_object_foreach((json_t *)want, k, v) {
    const json_t *h = json_object_get(have, k);
    int n = snprintf(missing + off, off < len ? len - off : 0, "/%s", k);
    if (!h)
      return 1;
    if (json_is_object(v) && json_is_object(h) &&
        missing_key(v, h, missing, len, off + (size_t)n))
      return 1;
  }
  if (off < len)
    missing[off] = '\0';
  return 0;
}

static void etag_read(proof_t *p, const ed_result_t *res) {
  char text[700];
  if (res->value_len == 0) {
    snprintf(text, sizeof(text),
             "if_match \"auto\", but %s sends no ETag: the PATCH would go "
             "without If-Match",
             p->path);
    done(p, ED_ERRCLASS_OTHER, text);
    return;
  }
  snprintf(text, sizeof(text),
           "%s has every property the PATCH sets and sends an ETag", p->path);
  done(p, ED_ERRCLASS_NONE, text);
}

static void resource_read(proof_t *p, const ed_result_t *res) {
  p->body = parse(res);
  json_t *want = json_loads(p->what->body, 0, NULL);
  char missing[512] = "", text[900];
  int miss = json_is_object(want) &&
             missing_key(want, p->body, missing, sizeof(missing), 0);
  json_decref(want);
  if (!p->body || miss) {
    snprintf(text, sizeof(text), "%s has no property %s", p->path,
             p->body ? missing : "(not a JSON object)");
    done(p, ED_ERRCLASS_OTHER, text);
    return;
  }
  if (p->what->etag_auto) {
    fetch(p, p->what->tmpl, 1, etag_read);
    return;
  }
  snprintf(text, sizeof(text), "%s has every property the PATCH sets", p->path);
  done(p, ED_ERRCLASS_NONE, text);
}

/* ---- post -----------------------------------------------------------------
 */

static void owner_read(proof_t *p, const ed_result_t *res) {
  p->body = parse(res);
  const char *name = strstr(p->what->tmpl, ACTIONS) + strlen(ACTIONS);
  const char *k;
  json_t *a;
  char text[900];
  json_object_foreach(json_object_get(p->body, "Actions"), k, a) {
    const char *target = json_string_value(json_object_get(a, "target"));
    const char *at = target ? strstr(target, ACTIONS) : NULL;
    if (at && strcmp(at + strlen(ACTIONS), name) == 0) {
      snprintf(text, sizeof(text), "%s advertises the action %s", p->path, k);
      done(p, ED_ERRCLASS_NONE, text);
      return;
    }
  }
  snprintf(text, sizeof(text), "%s advertises no action with target .../%s%s",
           p->path, "Actions/", name);
  done(p, ED_ERRCLASS_OTHER, text);
}

static void target_read(proof_t *p, const ed_result_t *res) {
  (void)res;
  char text[700];
  snprintf(text, sizeof(text), "%s answers", p->path);
  done(p, ED_ERRCLASS_NONE, text);
}

int ed__rf_op_check(void *target, ed_request_t *req) {
  ed__rf_target_t *t = target;
  const ed__rf_op_t *what = req->op;
  if (t->stopping)
    return -1;
  proof_t *p = calloc(1, sizeof(*p));
  if (!p)
    return -1;
  p->t = t;
  p->req = req;
  p->what = what;
  const char *actions = strstr(what->tmpl, ACTIONS);
  if (what->kind == ED__RF_RESET) {
    fetch(p, what->tmpl, 0, system_read);
  } else if (what->kind == ED__RF_PATCH) {
    fetch(p, what->tmpl, 0, resource_read);
  } else if (what->kind == ED__RF_POST && actions) {
    char owner[1024];
    snprintf(owner, sizeof(owner), "%.*s", (int)(actions - what->tmpl),
             what->tmpl);
    fetch(p, owner, 0, owner_read);
  } else if (what->kind == ED__RF_POST) {
    fetch(p, what->tmpl, 0, target_read);
  } else {
    done(p, ED_ERRCLASS_NONE, "a GET changes nothing");
  }
  return 0;
}
