#include "service.h"

#include "../core/base/error.h"
#include "actions.h"
#include "bmc.h"
#include "live.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT "/redfish/v1"
#define MAX_SESSIONS 64
#define ALLOW_RO "GET, HEAD"
#define ALLOW_RW "GET, HEAD, PATCH"

/* The request as routed: the path without trailing slashes. */
typedef struct route_s {
  const char *path;
  size_t len;
} route_t;

/* ---- authentication ---------------------------------------------------- */

static bool route_is(const route_t *rt, const char *p) {
  size_t n = strlen(p);
  return rt->len == n && memcmp(rt->path, p, n) == 0;
}

/* If rt is "<prefix>/<one segment>", that segment. */
static bool child_of(const route_t *rt, const char *prefix, route_t *seg) {
  size_t n = strlen(prefix);
  if (rt->len <= n + 1 || memcmp(rt->path, prefix, n) != 0 ||
      rt->path[n] != '/' || memchr(rt->path + n + 1, '/', rt->len - n - 1))
    return false;
  seg->path = rt->path + n + 1;
  seg->len = rt->len - n - 1;
  return true;
}

/* What a client may read before logging in (Redfish spec: the service root,
 * the OData documents), and the login itself. */
static bool is_open(const ed__service_t *s, const route_t *rt,
                    const char *method) {
  if (route_is(rt, "/redfish") || route_is(rt, ROOT) ||
      route_is(rt, ROOT "/odata") || route_is(rt, ROOT "/$metadata"))
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  return strcmp(method, "POST") == 0 && route_is(rt, s->m->sessions_path);
}

static bool authenticated(ed__service_t *s, const ed__sim_request_t *req,
                          int64_t now_ms) {
  if (req->auth_token != NULL && s->ext != NULL &&
      ed__sessions_use(&s->ext->sessions, req->auth_token, now_ms,
                       s->cfg.session_timeout_ms) != NULL)
    return true;
  return ed__auth_basic_ok(req->authorization, s->cfg.user, s->cfg.password);
}

/* ---- sessions ---------------------------------------------------------- */

static json_t *session_json(const ed__service_t *s, const ed__session_t *ss) {
  char uri[600];
  snprintf(uri, sizeof(uri), "%s/%s", s->m->sessions_path, ss->id);
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "@odata.type",
                   "#Session.v1_3_0.Session", "@odata.id", uri, "Id", ss->id,
                   "Name", "User Session", "UserName",
                   s->cfg.user ? s->cfg.user : "");
}

static json_t *sessions_collection(ed__service_t *s, int64_t now_ms) {
  const ed__mres_t *r =
      ed__mockup_find(s->m, s->m->sessions_path, strlen(s->m->sessions_path));
  json_t *c = r ? json_copy(r->json)
                : json_pack("{s:s, s:s, s:s}", "@odata.type",
                            "#SessionCollection.SessionCollection", "@odata.id",
                            s->m->sessions_path, "Name", "Session Collection");
  json_t *mem = json_array();
  char uri[600];
  if (s->ext != NULL)
    ed__sessions_expire(&s->ext->sessions, now_ms, s->cfg.session_timeout_ms);
  for (size_t i = 0; s->ext != NULL && i < s->ext->sessions.n; i++) {
    snprintf(uri, sizeof(uri), "%s/%s", s->m->sessions_path,
             s->ext->sessions.v[i].id);
    json_array_append_new(mem, json_pack("{s:s}", "@odata.id", uri));
  }
  if (c == NULL || mem == NULL ||
      json_object_set_new(c, "Members@odata.count",
                          json_integer((json_int_t)json_array_size(mem))) ||
      json_object_set(c, "Members", mem)) {
    json_decref(c);
    c = NULL;
  }
  json_decref(mem);
  return c;
}

static int login(ed__service_t *s, const ed__sim_request_t *req, int64_t now_ms,
                 ed__sim_response_t *resp) {
  json_t *b = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
  const char *u = json_string_value(json_object_get(b, "UserName"));
  const char *p = json_string_value(json_object_get(b, "Password"));
  int rc;
  if (!json_is_object(b))
    rc = ed__reply_fail(resp, 400, "MalformedJSON",
                        "The request body is not a JSON "
                        "object with UserName and Password.");
  else if (u == NULL || p == NULL)
    rc = ed__reply_fail(resp, 400, "PropertyMissing",
                        "The property %s is required.",
                        u == NULL ? "UserName" : "Password");
  else if (s->cfg.user == NULL || s->cfg.password == NULL ||
           !(ed__ct_equal(u, strlen(u), s->cfg.user, strlen(s->cfg.user)) &
             ed__ct_equal(p, strlen(p), s->cfg.password,
                          strlen(s->cfg.password))))
    rc = ed__reply_fail(resp, 401, "NoValidSession",
                        "Invalid user name or password.");
  else
    rc = 1;
  json_decref(b); /* the password it held goes with it */
  if (rc <= 0)
    return rc;
  ed__bmc_ext_t *e = ed__bmc_ext(s);
  ed__session_t *ss = NULL;
  if (e == NULL)
    return ED_ENOMEM;
  ed__sessions_expire(&e->sessions, now_ms, s->cfg.session_timeout_ms);
  rc = ed__sessions_create(&e->sessions, now_ms, MAX_SESSIONS, &ss);
  if (rc == ED_ERANGE)
    return ed__reply_fail(resp, 503, "SessionLimitExceeded",
                          "Too many sessions are open (%d).", MAX_SESSIONS);
  if (rc < 0)
    return rc == ED_ENOMEM
               ? rc
               : ed__reply_fail(resp, 500, "InternalError", "No randomness.");
  if ((rc = ed__reply_json(resp, 201, session_json(s, ss))) < 0)
    return rc;
  resp->auth_token = strdup(ss->token);
  if (asprintf(&resp->location, "%s/%s", s->m->sessions_path, ss->id) < 0)
    resp->location = NULL;
  return resp->auth_token && resp->location ? 0 : ED_ENOMEM;
}

static int sessions_route(ed__service_t *s, const ed__sim_request_t *req,
                          const route_t *rt, int64_t now_ms,
                          ed__sim_response_t *resp) {
  const char *m = req->method;
  bool read = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
  if (route_is(rt, s->m->sessions_path)) {
    if (strcmp(m, "POST") == 0)
      return login(s, req, now_ms, resp);
    return read ? ed__reply_json(resp, 200, sessions_collection(s, now_ms))
                : ed__reply_not_allowed(resp, rt->path, rt->len, m,
                                        "GET, HEAD, POST");
  }
  route_t id;
  if (!child_of(rt, s->m->sessions_path, &id)) /* deeper than a session */
    return ed__reply_not_found(resp, rt->path, rt->len);
  ed__session_t *ss =
      s->ext ? ed__sessions_find(&s->ext->sessions, id.path, id.len) : NULL;
  if (ss == NULL)
    return ed__reply_not_found(resp, rt->path, rt->len);
  if (read)
    return ed__reply_json(resp, 200, session_json(s, ss));
  if (strcmp(m, "DELETE") != 0)
    return ed__reply_not_allowed(resp, rt->path, rt->len, m,
                                 "GET, HEAD, DELETE");
  ed__sessions_delete(&s->ext->sessions, id.path, id.len);
  resp->status = 204;
  return 0;
}

/* ---- resources --------------------------------------------------------- */

/* Does an If-Match / If-None-Match list name etag ("*" names any)? Weak
 * validators compare by their opaque part. */
static bool etag_listed(const char *list, const char *etag) {
  size_t elen = strlen(etag);
  const char *p = list;
  while (*p != '\0') {
    while (*p == ' ' || *p == ',')
      p++;
    if (strncmp(p, "W/", 2) == 0)
      p += 2;
    size_t n = strcspn(p, ",");
    while (n > 0 && p[n - 1] == ' ')
      n--;
    if ((n == 1 && *p == '*') || (n == elen && memcmp(p, etag, n) == 0))
      return true;
    p += n;
    while (*p != '\0' && *p != ',')
      p++;
  }
  return false;
}

static bool sel_hidden(const ed__service_t *s, const route_t *rt) {
  route_t id;
  return s->ext != NULL && s->ext->sel.cleared && s->m->sel_entries >= 0 &&
         child_of(rt, s->m->res[s->m->sel_entries].path, &id);
}

static int get_resource(const ed__service_t *s, const ed__sim_request_t *req,
                        const ed__mres_t *r, int64_t now_ms,
                        ed__sim_response_t *resp) {
  if (r->kind == ED__RES_SEL_ENTRIES)
    return ed__reply_json(
        resp, 200, ed__sel_collection(s->ext ? &s->ext->sel : NULL, s->m));
  ed__repr_t rp;
  int rc = ed__live_repr(s, r, now_ms, &rp);
  if (rc < 0) {
    ed__live_repr_free(&rp);
    return rc;
  }
  if (req->if_none_match && etag_listed(req->if_none_match, rp.etag)) {
    resp->status = 304;
    resp->etag = strdup(rp.etag);
    rc = resp->etag ? 0 : ED_ENOMEM;
  } else if (rp.owned != NULL) { /* hand the built text over */
    resp->status = 200;
    resp->body = rp.owned;
    resp->body_len = rp.len;
    rp.owned = NULL;
    resp->etag = strdup(rp.etag);
    rc = resp->etag ? 0 : ED_ENOMEM;
  } else {
    rc = ed__reply_text(resp, 200, rp.text, rp.len, rp.etag);
  }
  ed__live_repr_free(&rp);
  return rc;
}

static int patch_refused(ed__sim_response_t *resp, ed__patch_err_t why,
                         const char *prop) {
  switch (why) {
  case ED__PATCH_UNKNOWN:
    return ed__reply_fail(
        resp, 400, "PropertyUnknown",
        "The property %s is not in the list of valid properties for "
        "the resource.",
        prop);
  case ED__PATCH_NOT_WRITABLE:
    return ed__reply_fail(
        resp, 400, "PropertyNotWritable",
        "The property %s is a read only property and cannot be "
        "assigned a value.",
        prop);
  case ED__PATCH_TYPE:
    return ed__reply_fail(
        resp, 400, "PropertyValueTypeError",
        "The value for the property %s is of a different type than "
        "the property can accept.",
        prop);
  case ED__PATCH_NOT_IN_LIST:
  case ED__PATCH_OK:
    break;
  }
  return ed__reply_fail(resp, 400, "PropertyValueNotInList",
                        "The value for the property %s is not in the list of "
                        "acceptable values.",
                        prop);
}

static int patch_resource(ed__service_t *s, const ed__sim_request_t *req,
                          const ed__mres_t *r, int64_t now_ms,
                          ed__sim_response_t *resp) {
  ed__repr_t rp;
  int rc = ed__live_repr(s, r, now_ms, &rp);
  bool stale = rc == 0 && req->if_match && !etag_listed(req->if_match, rp.etag);
  ed__live_repr_free(&rp);
  if (rc < 0)
    return rc;
  if (stale)
    return ed__reply_fail(
        resp, 412, "PreconditionFailed",
        "The ETag supplied did not match the ETag required to "
        "change this resource.");
  json_t *b = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
  if (!json_is_object(b)) {
    json_decref(b);
    return ed__reply_fail(
        resp, 400, "MalformedJSON",
        "The request body submitted was malformed JSON and could "
        "not be parsed by the receiving service.");
  }
  ed__bmc_ext_t *e = ed__bmc_ext(s);
  ed__patch_err_t why = ED__PATCH_OK;
  const char *bad = NULL;
  rc = e ? ed__overlay_patch(&e->ov, s->m, ed__mockup_index(s->m, r), b, &why,
                             &bad)
         : ED_ENOMEM;
  if (rc == ED_EINVAL)
    rc = patch_refused(resp, why, bad);
  else if (rc == 0)
    rc =
        get_resource(s, &(ed__sim_request_t){.method = "GET"}, r, now_ms, resp);
  json_decref(b);
  return rc;
}

/* ---- routing ----------------------------------------------------------- */

static bool is_read(const char *method) {
  return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static bool under_sessions(const ed__service_t *s, const route_t *rt) {
  route_t id;
  return route_is(rt, s->m->sessions_path) ||
         child_of(rt, s->m->sessions_path, &id);
}

/* One of this BMC's own SEL entries (not in the template). */
static int own_sel_entry(const ed__service_t *s, const ed__sim_request_t *req,
                         const route_t *rt, ed__sim_response_t *resp) {
  route_t id;
  json_t *j = NULL;
  if (s->ext != NULL && s->m->sel_entries >= 0 &&
      child_of(rt, s->m->res[s->m->sel_entries].path, &id))
    j = ed__sel_entry(&s->ext->sel, s->m, id.path, id.len);
  if (j == NULL)
    return 1;
  if (!is_read(req->method)) {
    json_decref(j);
    return ed__reply_not_allowed(resp, rt->path, rt->len, req->method,
                                 ALLOW_RO);
  }
  return ed__reply_json(resp, 200, j);
}

static int route(ed__service_t *s, const ed__sim_request_t *req,
                 const route_t *rt, int64_t now_ms, ed__sim_response_t *resp) {
  const char *m = req->method;
  if (route_is(rt, "/redfish"))
    return is_read(m)
               ? ed__reply_json(resp, 200, json_pack("{s:s}", "v1", ROOT "/"))
               : ed__reply_not_allowed(resp, rt->path, rt->len, m, ALLOW_RO);
  if (!is_open(s, rt, m) && !authenticated(s, req, now_ms))
    return ed__reply_fail(resp, 401, "NoValidSession",
                          "There is no valid session established with the "
                          "implementation.");
  if (under_sessions(s, rt))
    return sessions_route(s, req, rt, now_ms, resp);
  const ed__maction_t *a = ed__mockup_find_action(s->m, rt->path, rt->len);
  const ed__mres_t *r = ed__mockup_find(s->m, rt->path, rt->len);
  if (a != NULL && (r == NULL || strcmp(m, "POST") == 0))
    return strcmp(m, "POST") == 0
               ? ed__actions_post(s, a, req, now_ms, resp)
               : ed__reply_not_allowed(resp, rt->path, rt->len, m, "POST");
  int rc = own_sel_entry(s, req, rt, resp);
  if (rc <= 0)
    return rc;
  if (r == NULL || sel_hidden(s, rt))
    return ed__reply_not_found(resp, rt->path, rt->len);
  if (is_read(m))
    return get_resource(s, req, r, now_ms, resp);
  if (strcmp(m, "PATCH") == 0 && ed__overlay_patchable(r))
    return patch_resource(s, req, r, now_ms, resp);
  return ed__reply_not_allowed(resp, rt->path, rt->len, m,
                               ed__overlay_patchable(r) ? ALLOW_RW : ALLOW_RO);
}

int ed__service_handle(ed__service_t *s, const ed__sim_request_t *req,
                       int64_t now_ms, ed__sim_response_t *resp) {
  memset(resp, 0, sizeof(*resp));
  route_t rt = {req->path ? req->path : "", 0};
  rt.len = strlen(rt.path);
  while (rt.len > 1 && rt.path[rt.len - 1] == '/')
    rt.len--;
  int rc = route(s, req, &rt, now_ms, resp);
  if (rc < 0) {
    /* Out of memory half-way: whatever was built goes, a bare 500 stays. */
    ed__sim_response_free(resp);
    resp->status = 500;
  }
  return rc < 0 ? ED_ENOMEM : 0;
}
