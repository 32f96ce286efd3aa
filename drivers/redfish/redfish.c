/*
 * redfish: the Redfish driver's descriptor, options, targets and operations.
 *
 * Each target has curl multis of its own (not one per process): connections
 * can never be shared between targets anyway (another address, other
 * credentials, another TLS policy), the target's multis cap its connections
 * at its max_in_flight by themselves, and a target is torn down alone,
 * closing exactly its own sockets and watchers. A target with many requests
 * in flight spreads its libcurl transfers over a few multis, its lanes (see
 * LANE_SIZE), and its GETs over connections opened in multis of their own
 * (conn.h). The price is one uv_timer_t per multi.
 */
#include "redfish.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conn.h"
#include "path.h"
#include "resolve.h"
#include "response.h"
#include "session.h"
#include "xfer.h"

static const ed_host_t *g_host;

void ed__rf_log(int level, const ed__rf_target_t *t, const char *fmt, ...) {
  char line[512];
  va_list ap;
  if (!g_host || !g_host->log)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  g_host->log(level, t ? t->name : "redfish", "%s", line);
}

void ed__rf_queue_push(ed__rf_xfer_t **head, ed__rf_xfer_t **tail,
                       ed__rf_xfer_t *x) {
  x->next = NULL;
  if (*tail)
    (*tail)->next = x;
  else
    *head = x;
  *tail = x;
}

/* ---- options ---------------------------------------------------------- */

#define TOPT(f) offsetof(ed__rf_topts_t, f)
static const ed_option_t target_opts[] = {
    {ED_OPT_STRING, "url", NULL, TOPT(url), ED_OPT_REQUIRED | ED_OPT_ADDRESS,
     "base URL of the service: http://ADDR:PORT or https://ADDR:PORT", 0, 0},
    {ED_OPT_STRING, "auth", "\"session\"", TOPT(auth), 0,
     "\"session\" (Redfish session), \"basic\" or \"none\"", 0, 0},
    {ED_OPT_STRING, "ca_file", NULL, TOPT(ca_file), 0,
     "PEM file of the CAs that sign the service's certificate", 0, 0},
    {ED_OPT_BOOL, "insecure", "false", TOPT(insecure), 0,
     "true turns certificate and host name verification off", 0, 0},
    {ED_OPT_DURATION, "timeout", "\"10s\"", TOPT(timeout_ms), 0,
     "whole-request timeout when the request has none", 1, 3600000},
    {ED_OPT_DURATION, "connect_timeout", "\"5s\"", TOPT(connect_timeout_ms), 0,
     "TCP and TLS connection timeout", 1, 600000},
    {ED_OPT_INT, "max_body", "16777216", TOPT(max_body), 0,
     "bytes of an answer read at most (more: too_large)", 1, (int64_t)1 << 40},
    {0, NULL, NULL, 0, 0, NULL, 0, 0}};

#define AOPT(f) offsetof(ed__rf_args_t, f)
#define ARG_EXPECT                                                             \
  {                                                                            \
    ED_OPT_INT, "expect_status", NULL, AOPT(expect_status), 0,                 \
        "the HTTP status that counts as success (default any 1xx-3xx)", 100,   \
        599                                                                    \
  }
#define ARG_PATH                                                               \
  {                                                                            \
    ED_OPT_STRING, "path", NULL, AOPT(path), ED_OPT_REQUIRED | ED_OPT_PRIMARY, \
        "resource path; \"{first}\" = first member of the collection before "  \
        "it",                                                                  \
        0, 0                                                                   \
  }
#define ARG_END                                                                \
  { 0, NULL, NULL, 0, 0, NULL, 0, 0 }

static const ed_option_t get_args[] = {
    ARG_PATH,
    {ED_OPT_STRING, "pointer", NULL, AOPT(pointer), 0,
     "JSON pointer of the value to report (the body must then be JSON)", 0, 0},
    ARG_EXPECT,
    ARG_END};
static const ed_option_t patch_args[] = {
    ARG_PATH,
    {ED_OPT_JSON, "body", NULL, AOPT(body), ED_OPT_REQUIRED, "the JSON body", 0,
     0},
    {ED_OPT_STRING, "if_match", NULL, AOPT(if_match), 0,
     "If-Match value; \"auto\" = GET the resource's ETag first", 0, 0},
    ARG_EXPECT,
    ARG_END};
static const ed_option_t post_args[] = {
    ARG_PATH,
    {ED_OPT_JSON, "body", "{}", AOPT(body), 0, "the JSON body", 0, 0},
    ARG_EXPECT,
    ARG_END};
static const ed_option_t reset_args[] = {
    {ED_OPT_STRING, "type", NULL, AOPT(type), ED_OPT_REQUIRED | ED_OPT_PRIMARY,
     "ResetType: On, ForceOff, GracefulShutdown, ForceRestart, ...", 0, 0},
    {ED_OPT_STRING, "system", "\"/redfish/v1/Systems/{first}\"", AOPT(system),
     0, "the ComputerSystem to reset", 0, 0},
    ARG_EXPECT,
    ARG_END};

static const ed_op_desc_t ops[] = {
    {"get", 0, "GET a resource, optionally extract a value", get_args,
     sizeof(ed__rf_args_t)},
    {"patch", ED_OP_DESTRUCTIVE, "PATCH a resource", patch_args,
     sizeof(ed__rf_args_t)},
    {"post", ED_OP_DESTRUCTIVE, "POST to a resource, e.g. an action", post_args,
     sizeof(ed__rf_args_t)},
    {"reset", ED_OP_DESTRUCTIVE, "ComputerSystem.Reset of a system", reset_args,
     sizeof(ed__rf_args_t)},
    {NULL, 0, NULL, NULL, 0}};

/* ---- requests --------------------------------------------------------- */

void ed__rf_finish(ed__rf_xfer_t *x, ed_errclass_t err, int code,
                   const char *value, size_t value_len, const char *detail) {
  char why[CURL_ERROR_SIZE + 128];
  ed_request_t *req = x->req;
  /* The transfer goes back first (the core may submit from done), so the
   * reason is copied out of its buffers. */
  why[0] = '\0';
  if (detail && detail[0])
    snprintf(why, sizeof(why), "%s", detail);
  x->req = NULL;
  ed__rf_xfer_put(x);
  ed_result_t res = {err, code, value, value_len, why[0] ? why : NULL};
  req->done(req, &res);
}

static void request_done(ed__rf_xfer_t *x, CURLcode rc) {
  ed__rf_op_t *op = x->op;
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  char detail[CURL_ERROR_SIZE + 64];
  char *value = NULL;
  size_t vlen = 0;
  detail[0] = '\0';
  if (err != ED_ERRCLASS_NONE) {
    if (err == ED_ERRCLASS_TOO_LARGE && x->too_large == ED__RF_TOO_LARGE_BODY)
      snprintf(detail, sizeof(detail), "answer larger than max_body %lld",
               (long long)x->t->opts->max_body);
    else
      snprintf(detail, sizeof(detail), "%s",
               x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  } else if (status == 401 && x->t->auth_mode == ED__RF_AUTH_SESSION &&
             !x->retried) {
    ed__rf_session_on_401(x);
    return;
  } else if (status == 401 && x->t->auth_mode == ED__RF_AUTH_SESSION &&
             op->expect != 401) {
    /* refused again with a fresh session: logging in once per request
     * would only add refused logins */
    ed__rf_session_stop_relogin(x->t,
                                "a request was refused with a fresh session");
    err = ED_ERRCLASS_AUTH;
    snprintf(detail, sizeof(detail), "HTTP 401 with a fresh session");
  } else if ((err = ed__rf_status_class(status, op->expect)) !=
             ED_ERRCLASS_NONE) {
    if (op->expect)
      snprintf(detail, sizeof(detail), "HTTP %ld, expected %ld", status,
               op->expect);
    else
      snprintf(detail, sizeof(detail), "HTTP %ld", status);
  } else if (op->pointer) {
    err = ed__rf_extract(x->buf ? x->buf : "", x->len, op->pointer, &value,
                         &vlen, detail, sizeof(detail));
  } else if (op->want_etag) {
    /* a proof's question: does the resource send an ETag? */
    value = ed__rf_xfer_header(x, "ETag");
    vlen = value ? strlen(value) : 0;
  }
  ed__rf_finish(x, err, (int)status, value, vlen, detail);
  free(value);
}

static void etag_done(ed__rf_xfer_t *x, CURLcode rc) {
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  if (err == ED_ERRCLASS_NONE)
    err = ed__rf_status_class(status, 0);
  if (err != ED_ERRCLASS_NONE) {
    char detail[CURL_ERROR_SIZE + 64];
    snprintf(detail, sizeof(detail), "GET for the ETag: %s",
             x->errbuf[0] ? x->errbuf : "HTTP error");
    ed__rf_finish(x, err, (int)status, NULL, 0, detail);
    return;
  }
  char *etag = ed__rf_xfer_header(x, "ETag");
  char *line = etag ? ed__rf_concat("If-Match: ", etag) : NULL;
  ed__rf_op_t *op = x->op;
  /* No ETag: the service does not do conditional requests; send as is. */
  int r = ed__rf_xfer_setup(x, op->method, op->url, op->body, op->body_len, 1,
                            line);
  free(etag);
  free(line);
  x->stage = 1;
  x->keep_body = op->pointer != NULL;
  if (r == 0)
    r = ed__rf_xfer_start(x, x->req->timeout_ms, request_done);
  if (r < 0)
    ed__rf_finish(x, ED_ERRCLASS_OTHER, 0, NULL, 0, "could not send");
}

void ed__rf_send(ed__rf_xfer_t *x) {
  ed__rf_op_t *op = x->op;
  ed__rf_target_t *t = x->t;
  int r = 0;
  if (op->etag_auto) {
    r = ed__rf_xfer_setup(x, "GET", op->url, NULL, 0, 1, NULL);
    x->keep_body = 0;
    if (r == 0)
      r = ed__rf_xfer_start(x, x->req->timeout_ms, etag_done);
  } else if (ed__rf_conn_eligible(op)) {
    /* The hot path: a GET on a kept-alive connection (conn.h). */
    x->keep_body = op->pointer != NULL;
    r = ed__rf_conn_send(x, x->req->timeout_ms, request_done);
  } else {
    /* A handle that served this op last needs nothing set. */
    if (x->setup_for != op->serial || x->setup_gen != t->auth_gen) {
      r = ed__rf_xfer_setup(x, op->method, op->url, op->body, op->body_len, 1,
                            op->if_match);
      x->setup_for = op->serial;
    }
    x->keep_body = op->pointer != NULL;
    if (r == 0)
      r = ed__rf_xfer_start(x, x->req->timeout_ms, request_done);
  }
  if (r < 0)
    ed__rf_finish(x, ED_ERRCLASS_OTHER, 0, NULL, 0, "could not send");
}

int ed__rf_submit(void *target, ed_request_t *req) {
  ed__rf_target_t *t = target;
  ed__rf_op_t *op = req->op;
  if (t->stopping)
    return -ECANCELED;
  ed__rf_xfer_t *x = ed__rf_xfer_get(t);
  if (!x)
    return -ENOMEM;
  x->req = req;
  x->op = op;
  req->driver_data = x;
  if (op->url)
    ed__rf_send(x);
  else
    ed__rf_resolve(x);
  return 0;
}

/* ---- operations ------------------------------------------------------- */

static const char *const reset_types[] = {"On",
                                          "ForceOff",
                                          "GracefulShutdown",
                                          "GracefulRestart",
                                          "ForceRestart",
                                          "Nmi",
                                          "ForceOn",
                                          "PushPowerButton",
                                          "PowerCycle",
                                          "Suspend",
                                          "Pause",
                                          "Resume",
                                          NULL};

static int valid_reset(const char *type) {
  for (int i = 0; reset_types[i]; i++)
    if (strcmp(reset_types[i], type) == 0)
      return 1;
  return 0;
}

static void op_destroy(ed__rf_op_t *op) {
  ed__rf_wipe_free(op->wire); /* holds the auth line */
  free(op->tmpl);
  free(op->url);
  free(op->pointer);
  free(op->body);
  free(op->if_match);
  free(op);
}

/* Fill op from the op's arguments; errbuf says what is wrong. */
static int op_fill(ed__rf_op_t *op, const ed_op_desc_t *desc,
                   const ed__rf_args_t *a, char *errbuf, size_t errlen) {
  const char *path = a->path;
  op->expect = (long)a->expect_status;
  if (strcmp(desc->name, "get") == 0) {
    op->kind = ED__RF_GET;
    op->method = "GET";
    if (a->pointer && !(op->pointer = strdup(a->pointer)))
      return -ENOMEM;
    if (a->pointer && a->pointer[0] && a->pointer[0] != '/') {
      snprintf(errbuf, errlen, "pointer \"%s\" must start with /", a->pointer);
      return -EINVAL;
    }
  } else if (strcmp(desc->name, "reset") == 0) {
    op->kind = ED__RF_RESET;
    op->method = "POST";
    path = a->system ? a->system : "/redfish/v1/Systems/{first}";
    if (!a->type || !valid_reset(a->type)) {
      snprintf(errbuf, errlen, "reset type \"%s\" is not a Redfish ResetType",
               a->type ? a->type : "");
      return -EINVAL;
    }
    size_t cap = strlen(a->type) + 32;
    if (!(op->body = malloc(cap)))
      return -ENOMEM;
    snprintf(op->body, cap, "{\"ResetType\":\"%s\"}", a->type);
  } else {
    int patch = strcmp(desc->name, "patch") == 0;
    op->kind = patch ? ED__RF_PATCH : ED__RF_POST;
    op->method = patch ? "PATCH" : "POST";
    if (!(op->body = strdup(a->body ? a->body : "{}")))
      return -ENOMEM;
    if (patch && a->if_match && strcmp(a->if_match, "auto") == 0)
      op->etag_auto = 1;
    else if (patch && a->if_match &&
             !(op->if_match = ed__rf_concat("If-Match: ", a->if_match)))
      return -ENOMEM;
  }
  if (!path || path[0] != '/') {
    snprintf(errbuf, errlen, "path \"%s\" must start with /", path ? path : "");
    return -EINVAL;
  }
  char coll[1024];
  const char *rest = path;
  int r;
  while ((r = ed__rf_path_first(rest, coll, sizeof(coll), &rest)) > 0)
    ;
  if (r < 0) {
    snprintf(errbuf, errlen,
             "path \"%s\": {first} must be a whole segment after a collection",
             path);
    return -EINVAL;
  }
  if (op->body)
    op->body_len = strlen(op->body);
  if (!(op->tmpl = strdup(path)))
    return -ENOMEM;
  if (!strstr(path, "{first}") && op->kind != ED__RF_RESET &&
      !(op->url = ed__rf_concat(op->t->base, path)))
    return -ENOMEM;
  return 0;
}

static int rf_op_prepare(void *target, const ed_op_desc_t *desc,
                         const void *args, void **prepared, char *errbuf,
                         size_t errlen) {
  ed__rf_target_t *t = target;
  ed__rf_op_t *op = calloc(1, sizeof(*op));
  if (!op)
    return -ENOMEM;
  op->t = t;
  op->serial = ++t->op_serial;
  int rc = op_fill(op, desc, args, errbuf, errlen);
  if (rc < 0) {
    if (rc == -ENOMEM)
      snprintf(errbuf, errlen, "out of memory");
    op_destroy(op);
    return rc;
  }
  op->next = t->ops;
  t->ops = op;
  *prepared = op;
  return 0;
}

int ed__rf_prepare_get(ed__rf_target_t *t, const char *path, int want_etag,
                       ed__rf_op_t **out, char *errbuf, size_t errlen) {
  ed__rf_args_t a = {.path = (char *)path, .pointer = want_etag ? NULL : ""};
  void *op = NULL;
  int rc = rf_op_prepare(t, &ops[0], &a, &op, errbuf, errlen);
  if (rc == 0) {
    ((ed__rf_op_t *)op)->want_etag = want_etag;
    *out = op;
  }
  return rc;
}

void ed__rf_op_free(void *target, void *prepared) {
  ed__rf_target_t *t = target;
  for (ed__rf_op_t **p = &t->ops; *p; p = &(*p)->next) {
    if (*p == prepared) {
      *p = ((ed__rf_op_t *)prepared)->next;
      op_destroy(prepared);
      return;
    }
  }
}

/* ---- targets ---------------------------------------------------------- */

static int rf_init(const ed_host_t *host) {
  g_host = host;
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

static void rf_fini(void) {
  curl_global_cleanup();
  g_host = NULL;
}

static int parse_auth(const char *s) {
  if (!s || strcmp(s, "session") == 0)
    return ED__RF_AUTH_SESSION;
  if (strcmp(s, "basic") == 0)
    return ED__RF_AUTH_BASIC;
  if (strcmp(s, "none") == 0)
    return ED__RF_AUTH_NONE;
  return -1;
}

/* Lanes: a target's transfers are spread over several curl multis of about
 * LANE_SIZE transfers each, a transfer keeping its lane (and so its
 * keep-alive connection) for life. libcurl 7.88 walks the connections a multi
 * holds to the host to pick one for each new transfer, and all of them again
 * when a transfer is removed: with 64 connections in one multi that is a few
 * thousand instructions and some 30 cache-cold connection structs per
 * request, with 8 a few. Past LANES_MAX lanes grow instead (a multi's socket
 * table alone is some 30 kB once used). */
#define LANE_SIZE 8
#define LANES_MAX 16

static void lanes_destroy(ed__rf_target_t *t) {
  for (size_t i = 0; i < t->nlanes; i++)
    if (t->lanes[i])
      ed__cuv_destroy(t->lanes[i]);
  free(t->lanes);
  t->lanes = NULL;
  t->nlanes = 0;
}

/* The lanes of t for its requests plus two internal transfers (a login, a
 * discovery): as many as that needs at LANE_SIZE each. A new transfer is
 * given the first lane with room (so no lane holds more than its cap of
 * connections), and a lane is made when it is first given one: a target
 * whose requests all go over its kept-alive connections (conn.h) makes
 * none, one with a few libcurl transfers at once one, where each is a curl
 * multi with its own descriptors and tables. */
ed__cuv_t *ed__rf_lane_next(ed__rf_target_t *t) {
  if (!t->lanes) {
    size_t want = (size_t)t->max_in_flight + 2;
    size_t n = (want + LANE_SIZE - 1) / LANE_SIZE;
    if (n > LANES_MAX)
      n = LANES_MAX;
    if (!(t->lanes = calloc(n, sizeof(*t->lanes))))
      return NULL;
    t->nlanes = n;
    t->lane_cap = (want + n - 1) / n;
  }
  size_t i = t->next_lane / t->lane_cap;
  if (i >= t->nlanes) /* more transfers than planned: dealt in turn */
    i = t->next_lane % t->nlanes;
  if (!t->lanes[i] && ed__cuv_create(t->loop, (long)t->lane_cap, 0,
                                     ed__rf_xfer_on_done, &t->lanes[i]) < 0) {
    t->lanes[i] = NULL;
    return NULL;
  }
  t->next_lane++;
  return t->lanes[i];
}

static void target_free(ed__rf_target_t *t) {
  lanes_destroy(t);
  ed__rf_wipe_free(t->user);
  ed__rf_wipe_free(t->secret);
  ed__rf_wipe_free(t->auth_line);
  free(t->session_path);
  free(t->base);
  free(t);
}

static int rf_target_open(const ed_target_info_t *info, void **target,
                          char *errbuf, size_t errlen) {
  const ed__rf_topts_t *o = info->opts;
  ed__rf_target_t *t = calloc(1, sizeof(*t));
  if (!t || !g_host) {
    snprintf(errbuf, errlen, t ? "driver not initialised" : "out of memory");
    free(t);
    return t ? -EINVAL : -ENOMEM;
  }
  t->name = info->name;
  t->opts = o;
  t->loop = g_host->loop;
  t->max_in_flight = info->max_in_flight > 0 ? info->max_in_flight : 1;
  int rc = -EINVAL;
  if ((t->auth_mode = parse_auth(o->auth)) < 0) {
    snprintf(errbuf, errlen, "auth \"%s\": use session, basic or none",
             o->auth);
  } else if (!o->url || !(t->base = ed__rf_url_base(o->url))) {
    snprintf(errbuf, errlen, "url \"%s\": not http://ADDR:PORT or https://...",
             o->url ? o->url : "");
  } else if (t->auth_mode != ED__RF_AUTH_NONE &&
             (!info->user || !info->secret)) {
    snprintf(errbuf, errlen, "auth %s needs credentials (user and secret)",
             o->auth);
  } else if ((info->user && !(t->user = strdup(info->user))) ||
             (info->secret && !(t->secret = strdup(info->secret))) ||
             (t->auth_mode == ED__RF_AUTH_BASIC &&
              ed__rf_session_basic(t) < 0)) {
    snprintf(errbuf, errlen, "out of memory");
    rc = -ENOMEM;
  } else {
    rc = 0;
  }
  if (rc < 0) {
    target_free(t);
    return rc;
  }
  t->tls = strncmp(t->base, "https://", 8) == 0;
  t->numeric_host = ed__rf_url_numeric_host(t->base);
  if (o->insecure)
    ed__rf_log(ED_LOG_WARN, t,
               "insecure: true: the certificate and host "
               "name of %s are NOT verified",
               t->base);
  *target = t;
  return 0;
}

static void start_done(ed__rf_target_t *t, ed_errclass_t err,
                       const char *detail) {
  ed_target_cb cb = t->cb;
  t->cb = NULL;
  cb(t->cb_arg, err == ED_ERRCLASS_NONE ? 0 : -EACCES, detail);
}

static int rf_target_start(void *target, ed_target_cb cb, void *arg) {
  ed__rf_target_t *t = target;
  t->cb = cb;
  t->cb_arg = arg;
  t->stopping = 0;
  if (t->auth_mode == ED__RF_AUTH_NONE) {
    start_done(t, ED_ERRCLASS_NONE, NULL);
    return 0;
  }
  int rc = t->auth_mode == ED__RF_AUTH_SESSION
               ? ed__rf_session_login(t, start_done)
               : ed__rf_session_check_basic(t, start_done);
  if (rc < 0)
    t->cb = NULL;
  return rc;
}

/* Complete every request still in the driver as cancelled and drop every
 * internal transfer (a login, a discovery). */
static void cancel_all(ed__rf_target_t *t) {
  for (ed__rf_xfer_t *x = t->all; x; x = x->all_next)
    ed__rf_xfer_abort(x);
  t->relogin_head = t->relogin_tail = NULL;
  t->relogging = 0;
  t->auth_cb = NULL;
  t->auth_x = NULL;
  for (ed__rf_op_t *op = t->ops; op; op = op->next) {
    op->wait_head = op->wait_tail = NULL;
    op->resolving = 0;
  }
  for (ed__rf_xfer_t *x = t->all; x; x = x->all_next) {
    if (!x->busy)
      continue;
    if (x->req)
      ed__rf_finish(x, ED_ERRCLASS_CANCELLED, 0, NULL, 0, "target stopped");
    else
      ed__rf_xfer_put(x);
  }
}

static void stop_done(ed__rf_target_t *t, ed_errclass_t err,
                      const char *detail) {
  ed_target_cb cb = t->cb;
  t->cb = NULL;
  if (err != ED_ERRCLASS_NONE)
    ed__rf_log(ED_LOG_WARN, t, "%s", detail ? detail : "logout failed");
  cb(t->cb_arg, err == ED_ERRCLASS_NONE ? 0 : -EIO, detail);
}

static int rf_target_stop(void *target, ed_target_cb cb, void *arg) {
  ed__rf_target_t *t = target;
  t->stopping = 1;
  cancel_all(t);
  t->cb = cb;
  t->cb_arg = arg;
  int rc = ed__rf_session_logout(t, stop_done);
  if (rc < 0)
    t->cb = NULL;
  return rc;
}

static void rf_target_close(void *target) {
  ed__rf_target_t *t = target;
  t->stopping = 1;
  cancel_all(t);
  while (t->ops) {
    ed__rf_op_t *n = t->ops->next;
    op_destroy(t->ops);
    t->ops = n;
  }
  ed__rf_conn_free_all(t);
  ed__rf_xfer_free_all(t); /* before the multi: it owns the connections */
  lanes_destroy(t);
  ed__rf_resolve_clear(t);
  json_decref(t->memo);
  target_free(t);
}

__attribute__((visibility("default"))) const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "redfish",
    .version = ED_VERSION,
    .description = "Redfish over HTTP/1.1 and HTTPS (libcurl on the loop)",
    .flags = 0,
    .target_opts = target_opts,
    .target_opts_size = sizeof(ed__rf_topts_t),
    .ops = ops,
    .init = rf_init,
    .fini = rf_fini,
    .target_open = rf_target_open,
    .target_start = rf_target_start,
    .target_stop = rf_target_stop,
    .target_close = rf_target_close,
    .op_prepare = rf_op_prepare,
    .op_free = ed__rf_op_free,
    .submit = ed__rf_submit,
    .submit_blocking = NULL,
    .op_check = ed__rf_op_check,
    .collect = ed__rf_collect,
    .spare = {0},
};
