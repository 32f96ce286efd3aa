/* prom_http: GET /metrics on the loop (prom_http.h). */
#include "prom_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hostport.h"

/* A scraper's request is a few hundred bytes; more is not a scraper. */
#define REQUEST_MAX 8192
/* A request not complete by then is dropped. */
#define REQUEST_DEADLINE_MS 5000
/* Connections at once; more are closed at once. */
#define CONNECTIONS_MAX 16

typedef struct conn_s {
  uv_tcp_t tcp;
  uv_timer_t deadline;
  uv_write_t wr;
  ed_prom_http_t *server;
  char req[REQUEST_MAX + 1];
  size_t len;
  char head[256];
  ed_prom_t *page; /* kept until written */
  char *body;      /* or a static answer */
  int closing;
  int handles; /* open handles of this connection */
  struct conn_s *prev, *next;
} conn_t;

struct ed_prom_http_s {
  uv_tcp_t listener;
  ed_prom_render_cb render;
  void *arg;
  char address[80];
  conn_t *conns;
  int nconns;
  int stopped;
  int listener_open;
  unsigned long served;
};

static void free_if_done(ed_prom_http_t *s) {
  if (s->stopped && !s->listener_open && s->nconns == 0)
    free(s);
}

static void conn_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  if (--c->handles > 0)
    return;
  ed_prom_http_t *s = c->server;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  s->nconns--;
  ed_prom_free(c->page);
  free(c);
  free_if_done(s);
}

static void conn_close(conn_t *c) {
  if (c->closing)
    return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->deadline, conn_closed);
  uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void on_written(uv_write_t *w, int status) {
  (void)status;
  conn_close(w->data);
}

static void respond(conn_t *c, const char *status, const char *type,
                    const char *body, size_t len, int head_only) {
  uv_read_stop((uv_stream_t *)&c->tcp);
  snprintf(c->head, sizeof(c->head),
           "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
           "Connection: close\r\n\r\n",
           status, type, len);
  uv_buf_t bufs[2] = {uv_buf_init(c->head, (unsigned)strlen(c->head)),
                      uv_buf_init((char *)body, (unsigned)len)};
  c->wr.data = c;
  if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, bufs,
               head_only || len == 0 ? 1 : 2, on_written) != 0)
    conn_close(c);
}

static void respond_text(conn_t *c, const char *status, const char *text) {
  respond(c, status, "text/plain; charset=utf-8", text, strlen(text), 0);
}

/* The request line and headers are in: answer them. */
static void serve(conn_t *c) {
  char method[8] = "", target[256] = "";
  if (sscanf(c->req, "%7s %255s HTTP/1.", method, target) != 2) {
    respond_text(c, "400 Bad Request", "bad request\n");
    return;
  }
  int head = strcmp(method, "HEAD") == 0;
  if (!head && strcmp(method, "GET") != 0) {
    respond_text(c, "405 Method Not Allowed", "only GET and HEAD\n");
    return;
  }
  char *q = strchr(target, '?');
  if (q)
    *q = '\0';
  if (strcmp(target, "/metrics") != 0) {
    respond_text(c, "404 Not Found", "see /metrics\n");
    return;
  }
  ed_prom_format_t f = strcasestr(c->req, "application/openmetrics-text")
                           ? ED_PROM_OPENMETRICS
                           : ED_PROM_TEXT;
  size_t len = 0;
  const char *page = NULL;
  c->page = ed_prom_new(f);
  if (c->page) {
    c->server->render(c->server->arg, c->page);
    page = ed_prom_page(c->page, &len);
  }
  if (!page) {
    respond_text(c, "500 Internal Server Error", "out of memory\n");
    return;
  }
  c->server->served++;
  respond(c, "200 OK", ed_prom_content_type(f), page, len, head);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  conn_t *c = h->data;
  buf->base = c->req + c->len;
  buf->len = REQUEST_MAX - c->len;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  conn_t *c = st->data;
  if (n < 0) {
    conn_close(c);
    return;
  }
  c->len += (size_t)n;
  c->req[c->len] = '\0';
  if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
    uv_timer_stop(&c->deadline);
    serve(c);
  } else if (c->len >= REQUEST_MAX) {
    respond_text(c, "431 Request Header Fields Too Large", "too large\n");
  }
}

static void on_deadline(uv_timer_t *t) {
  conn_close(t->data);
}

static void on_connection(uv_stream_t *l, int status) {
  ed_prom_http_t *s = l->data;
  if (status != 0 || s->stopped)
    return;
  conn_t *c = calloc(1, sizeof(*c));
  if (!c)
    return; /* the scraper retries; the pending connection stays queued */
  c->server = s;
  c->tcp.data = c->deadline.data = c;
  uv_tcp_init(l->loop, &c->tcp);
  uv_timer_init(l->loop, &c->deadline);
  c->handles = 2;
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0 ||
      s->nconns > CONNECTIONS_MAX) {
    conn_close(c);
    return;
  }
  uv_timer_start(&c->deadline, on_deadline, REQUEST_DEADLINE_MS, 0);
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}

/* "PORT", "A.B.C.D:PORT" or "[V6]:PORT" into addr. 0, or -1. */
static int parse_address(const char *text, struct sockaddr_storage *addr,
                         char *err, size_t errlen) {
  char host[64];
  int p;
  if (ed_hostport_split("--metrics", text, host, sizeof(host), &p, err,
                        errlen) != 0)
    return -1;
  if (uv_ip4_addr(host, (int)p, (struct sockaddr_in *)addr) != 0 &&
      uv_ip6_addr(host, (int)p, (struct sockaddr_in6 *)addr) != 0) {
    snprintf(err, errlen,
             "--metrics: \"%s\": \"%s\" is not a numeric IPv4 or IPv6 "
             "address (127.0.0.1, [::1])",
             text, host);
    return -1;
  }
  return 0;
}

static void bound_address(ed_prom_http_t *s) {
  struct sockaddr_storage a;
  int n = sizeof(a);
  char ip[64] = "?";
  int port = 0;
  if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&a, &n) == 0) {
    if (a.ss_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *)&a, ip, sizeof(ip));
      port = ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
      snprintf(s->address, sizeof(s->address), "[%s]:%d", ip, port);
      return;
    }
    uv_ip4_name((struct sockaddr_in *)&a, ip, sizeof(ip));
    port = ntohs(((struct sockaddr_in *)&a)->sin_port);
  }
  snprintf(s->address, sizeof(s->address), "%s:%d", ip, port);
}

static void listener_closed(uv_handle_t *h) {
  ed_prom_http_t *s = h->data;
  s->listener_open = 0;
  free_if_done(s);
}

int ed_prom_http_start(uv_loop_t *loop, const char *addr,
                       ed_prom_render_cb render, void *arg,
                       ed_prom_http_t **out, char *err, size_t errlen) {
  struct sockaddr_storage sa;
  memset(&sa, 0, sizeof(sa));
  if (parse_address(addr, &sa, err, errlen) != 0)
    return -1;
  ed_prom_http_t *s = calloc(1, sizeof(*s));
  if (!s) {
    snprintf(err, errlen, "--metrics: out of memory");
    return -1;
  }
  s->render = render;
  s->arg = arg;
  s->listener.data = s;
  uv_tcp_init(loop, &s->listener);
  s->listener_open = 1;
  int rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&sa, 0);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&s->listener, 64, on_connection);
  if (rc != 0) {
    snprintf(err, errlen, "--metrics: cannot listen on %s: %s", addr,
             uv_strerror(rc));
    s->stopped = 1;
    uv_close((uv_handle_t *)&s->listener, listener_closed);
    return -2;
  }
  bound_address(s);
  *out = s;
  return 0;
}

const char *ed_prom_http_address(const ed_prom_http_t *s) {
  return s->address;
}

unsigned long ed_prom_http_served(const ed_prom_http_t *s) {
  return s->served;
}

void ed_prom_http_stop(ed_prom_http_t *s) {
  if (!s || s->stopped)
    return;
  s->stopped = 1;
  for (conn_t *c = s->conns; c; c = c->next)
    conn_close(c);
  uv_close((uv_handle_t *)&s->listener, listener_closed);
}
