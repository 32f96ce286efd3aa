/* control: see control.h. */
#include "control.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "http.h"

struct ed__control_s {
  uv_tcp_t listener; /* first: closed last, frees the channel */
  ed_sim_t *sim;
  ed__http_conn_t *conns;
  size_t open; /* listener + connections */
  void (*close_cb)(void *arg);
  void *close_arg;
  int closing;
  char url[40];
};

static void one_closed(ed__control_t *c) {
  if (--c->open > 0)
    return;
  void (*cb)(void *) = c->close_cb;
  void *arg = c->close_arg;
  free(c);
  if (cb)
    cb(arg);
}

/* Answer with a JSON document (stolen) and a status. */
static void reply(ed__http_req_t *req, int status, json_t *doc) {
  ed__sim_response_t resp;
  memset(&resp, 0, sizeof(resp));
  resp.status = status;
  resp.body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  if (resp.body)
    resp.body_len = strlen(resp.body);
  else
    resp.status = 500;
  ed__http_respond(req, &resp);
  free(resp.body);
}

static void reply_error(ed__http_req_t *req, int status, const char *msg) {
  reply(req, status,
        json_pack("{s:{s:s,s:s}}", "error", "code",
                  status == 404 ? "NotFound" : "BadRequest", "message", msg));
}

static void command(ed__control_t *c, ed__http_req_t *req, const char *op) {
  json_error_t jerr;
  char err[512];
  json_t *cmd = req->r.body_len
                    ? json_loadb(req->r.body, req->r.body_len, 0, &jerr)
                    : json_object();
  if (!cmd) {
    snprintf(err, sizeof(err), "body: invalid JSON at line %d: %s", jerr.line,
             jerr.text);
    reply_error(req, 400, err);
    return;
  }
  if (!json_is_object(cmd) || json_object_get(cmd, "op")) {
    json_decref(cmd);
    reply_error(req, 400,
                "body: expected a JSON object (without \"op\": "
                "the path says it)");
    return;
  }
  json_object_set_new(cmd, "op", json_string(op));
  int rc = ed_sim_control(c->sim, cmd, err, sizeof(err));
  json_decref(cmd);
  if (rc < 0)
    reply_error(req, 400, err);
  else
    reply(req, 200, json_pack("{s:b}", "ok", 1));
}

/* The commands, each at POST /<op>. */
static const char *const ops[] = {"knobs", "down",  "up",   "sensor",
                                  "sel",   "patch", "clock"};

static void on_request(void *owner, ed__http_req_t *req) {
  ed__control_t *c = owner;
  const char *m = req->r.method, *p = req->r.path;
  int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
  if (strcmp(p, "/status") == 0) {
    if (get)
      reply(req, 200, ed_sim_status(c->sim));
    else
      reply_error(req, 405, "method not allowed here");
    return;
  }
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    if (p[0] == '/' && strcmp(p + 1, ops[i]) == 0) {
      if (post)
        command(c, req, ops[i]);
      else
        reply_error(req, 405, "method not allowed here");
      return;
    }
  }
  reply_error(req, 404,
              "unknown path: try GET /status, or POST /knobs, /down, /up, "
              "/sensor, /sel, /patch, /clock");
}

static void on_abort(void *owner, ed__http_req_t *req) {
  (void)owner;
  (void)req; /* answers are synchronous: nothing to undo */
}

static void on_close(void *owner, ed__http_conn_t *conn) {
  ed__control_t *c = owner;
  if (conn->prev)
    conn->prev->next = conn->next;
  else
    c->conns = conn->next;
  if (conn->next)
    conn->next->prev = conn->prev;
  one_closed(c);
}

static const ed__http_handler_t handler = {
    .on_request = on_request,
    .on_abort = on_abort,
    .on_close = on_close,
};

static void on_connection(uv_stream_t *server, int status) {
  ed__control_t *c = server->data;
  ed__http_conn_t *conn;
  if (status < 0 || c->closing ||
      ed__http_accept(server, NULL, &handler, c, &conn) < 0)
    return;
  conn->prev = NULL;
  conn->next = c->conns;
  if (c->conns)
    c->conns->prev = conn;
  c->conns = conn;
  c->open++;
}

static void listener_closed(uv_handle_t *h) {
  one_closed(h->data);
}

int ed__control_start(uv_loop_t *loop, ed_sim_t *sim, uint32_t addr,
                      uint16_t port, ed__control_t **out, char *errbuf,
                      size_t errlen) {
  ed__control_t *c = calloc(1, sizeof(*c));
  if (!c) {
    snprintf(errbuf, errlen, "control: out of memory");
    return ED_ENOMEM;
  }
  c->sim = sim;
  c->open = 1;
  uv_tcp_init(loop, &c->listener);
  c->listener.data = c;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr);
  int r = uv_tcp_bind(&c->listener, (const struct sockaddr *)&sa, 0);
  if (r == 0)
    r = uv_listen((uv_stream_t *)&c->listener, 64, on_connection);
  int len = sizeof(sa);
  if (r == 0)
    r = uv_tcp_getsockname(&c->listener, (struct sockaddr *)&sa, &len);
  if (r < 0) {
    struct in_addr ia = {.s_addr = htonl(addr)};
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &ia, host, sizeof(host));
    snprintf(errbuf, errlen, "control: cannot listen on %s:%u: %s", host, port,
             uv_strerror(r));
    uv_close((uv_handle_t *)&c->listener, listener_closed);
    return ED_EIO;
  }
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
  snprintf(c->url, sizeof(c->url), "http://%s:%u", host, ntohs(sa.sin_port));
  *out = c;
  return 0;
}

const char *ed__control_url(const ed__control_t *c) {
  return c->url;
}

void ed__control_close(ed__control_t *c, void (*cb)(void *arg), void *arg) {
  c->closing = 1;
  c->close_cb = cb;
  c->close_arg = arg;
  for (ed__http_conn_t *conn = c->conns, *next; conn; conn = next) {
    next = conn->next;
    ed__http_conn_close(conn);
  }
  uv_close((uv_handle_t *)&c->listener, listener_closed);
}
