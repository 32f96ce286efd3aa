/* http: see http.h. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"

#define NONE ((size_t)-1)

enum { SLOT_FREE = 0, SLOT_PARSING, SLOT_PENDING, SLOT_READY };

/* The headers the service reads, in hdr_off order. */
static const char *const wanted[] = {"authorization", "x-auth-token",
                                     "if-match", "if-none-match",
                                     "content-type"};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static void conn_close(ed__http_conn_t *c, int reset);
static void start_write(ed__http_conn_t *c);
static void flush(ed__http_conn_t *c);

/* ---- slots ---- */

static ed__http_req_t *slot_get(ed__http_conn_t *c) {
  ed__http_req_t *s = c->free_slots;
  if (s)
    c->free_slots = s->next;
  else if (!(s = calloc(1, sizeof(*s))))
    return NULL;
  s->next = NULL;
  s->conn = c;
  s->state = SLOT_PARSING;
  s->sbuf.len = 0;
  s->resp.len = 0;
  s->down_ms = 0;
  s->status = 0;
  s->has_worker = 0;
  s->live = 0;
  s->held = 0;
  memset(&s->r, 0, sizeof(s->r));
  memset(&s->wait, 0, sizeof(s->wait));
  return s;
}

static void slot_put(ed__http_conn_t *c, ed__http_req_t *s) {
  s->state = SLOT_FREE;
  s->next = c->free_slots;
  c->free_slots = s;
}

static void enqueue(ed__http_conn_t *c, ed__http_req_t *s) {
  s->next = NULL;
  if (c->tail)
    c->tail->next = s;
  else
    c->head = s;
  c->tail = s;
  c->pending++;
}

uv_timer_t *ed__http_req_timer(ed__http_req_t *req) {
  if (!req->timer_on) {
    uv_timer_init(req->conn->tcp.loop, &req->timer);
    req->timer.data = req;
    req->timer_on = 1;
  }
  return &req->timer;
}

/* ---- parsing ---- */

static ed__http_conn_t *conn_of(http_parser *p) {
  return (ed__http_conn_t *)p->data;
}

/* End the string being appended to sbuf with a NUL. */
static int close_str(ed__http_conn_t *c) {
  if (!c->open_str)
    return 0;
  c->open_str = 0;
  return ed__buf_append(&c->cur->sbuf, "", 1);
}

static int count_header(ed__http_conn_t *c, size_t len) {
  c->header_bytes += len;
  if (c->header_bytes > ED__HTTP_MAX_HEADER) {
    c->err_status = 431;
    return 1;
  }
  return 0;
}

static int on_message_begin(http_parser *p) {
  ed__http_conn_t *c = conn_of(p);
  if (c->no_more || c->closing)
    return 1;
  if (!(c->cur = slot_get(c)))
    return 1;
  for (size_t i = 0; i < NWANTED; i++)
    c->hdr_off[i] = NONE;
  c->url_off = 0;
  c->body_off = NONE;
  c->open_str = 1; /* the URL comes first */
  c->header_bytes = 0;
  c->in_value = 0;
  c->field_len = 0;
  c->hdr_idx = -1;
  return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
  ed__http_conn_t *c = conn_of(p);
  if (count_header(c, len))
    return 1;
  return ed__buf_append(&c->cur->sbuf, at, len) < 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
  ed__http_conn_t *c = conn_of(p);
  if (count_header(c, len) || close_str(c) < 0)
    return 1;
  if (c->in_value) {
    c->in_value = 0;
    c->field_len = 0;
  }
  /* Names longer than the buffer are none of the wanted ones. */
  if (c->field_len + len < sizeof(c->field)) {
    memcpy(c->field + c->field_len, at, len);
    c->field_len += len;
  } else {
    c->field_len = sizeof(c->field);
  }
  return 0;
}

static int wanted_index(ed__http_conn_t *c) {
  if (c->field_len >= sizeof(c->field))
    return -1;
  for (size_t i = 0; i < NWANTED; i++)
    if (strlen(wanted[i]) == c->field_len &&
        strncasecmp(wanted[i], c->field, c->field_len) == 0)
      return c->hdr_off[i] == NONE ? (int)i : -1;
  return -1;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
  ed__http_conn_t *c = conn_of(p);
  if (count_header(c, len))
    return 1;
  if (!c->in_value) {
    c->in_value = 1;
    c->hdr_idx = wanted_index(c);
    if (c->hdr_idx >= 0) {
      c->hdr_off[c->hdr_idx] = c->cur->sbuf.len;
      c->open_str = 1;
    }
  }
  if (c->hdr_idx < 0)
    return 0;
  return ed__buf_append(&c->cur->sbuf, at, len) < 0;
}

static int on_headers_complete(http_parser *p) {
  ed__http_conn_t *c = conn_of(p);
  c->in_value = 0;
  return close_str(c) < 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
  ed__http_conn_t *c = conn_of(p);
  ed__buf_t *b = &c->cur->sbuf;
  if (c->body_off == NONE)
    c->body_off = b->len;
  if (b->len - c->body_off + len > ED__HTTP_MAX_BODY) {
    c->err_status = 413;
    return 1;
  }
  return ed__buf_append(b, at, len) < 0;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

/* Append the percent-decoded path of url (no query, no fragment) and a NUL
 * to b. An absolute-form target ("http://host/x") yields "/x". */
/* url_off: where the URL starts in b itself. Reserve first: growing b may
 * move it, so the URL is only looked at afterwards. */
static int append_path(ed__buf_t *b, size_t url_off) {
  if (ed__buf_reserve(b, strlen(b->p + url_off) + 1) < 0)
    return ED_ENOMEM;
  const char *url = b->p + url_off;
  const char *s = url;
  const char *scheme = strstr(url, "://");
  if (*url != '/' && scheme) {
    s = strchr(scheme + 3, '/');
    if (!s)
      s = "/";
  }
  size_t n = strcspn(s, "?#");
  char *d = b->p + b->len;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n + 1 && (hi = hexval(s[i + 1])) >= 0 &&
        (lo = hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
      *d++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *d++ = s[i];
    }
  }
  *d++ = '\0';
  b->len = (size_t)(d - b->p);
  return 0;
}

static int on_message_complete(http_parser *p) {
  ed__http_conn_t *c = conn_of(p);
  ed__http_req_t *s = c->cur;
  ed__buf_t *b = &s->sbuf;
  if (close_str(c) < 0)
    return 1;
  size_t body_len = c->body_off == NONE ? 0 : b->len - c->body_off;
  if (ed__buf_append(b, "", 1) < 0)
    return 1;
  size_t path_off = b->len;
  if (append_path(b, c->url_off) < 0)
    return 1;
  /* sbuf no longer grows: its pointers are now stable. */
  s->url = b->p + c->url_off;
  s->r.path = b->p + path_off;
  s->r.method = http_method_str((enum http_method)p->method);
  const char **hv[NWANTED] = {&s->r.authorization, &s->r.auth_token,
                              &s->r.if_match, &s->r.if_none_match,
                              &s->r.content_type};
  for (size_t i = 0; i < NWANTED; i++)
    *hv[i] = c->hdr_off[i] == NONE ? NULL : b->p + c->hdr_off[i];
  s->r.body = c->body_off == NONE ? NULL : b->p + c->body_off;
  s->r.body_len = body_len;
  s->keep_alive = (uint8_t)http_should_keep_alive(p);
  s->start_ns = uv_hrtime();
  s->state = SLOT_PENDING;
  c->cur = NULL;
  if (!s->keep_alive || p->upgrade)
    c->no_more = 1;
  enqueue(c, s);
  c->h->on_request(c->owner, s);
  return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* Answer a request that could not be parsed, then close. */
static void bad_request(ed__http_conn_t *c) {
  ed__http_req_t *s = c->cur;
  c->cur = NULL;
  if (!s && !(s = slot_get(c))) {
    conn_close(c, 0);
    return;
  }
  memset(&s->r, 0, sizeof(s->r));
  s->r.method = "?";
  s->r.path = "";
  s->url = "";
  s->keep_alive = 0;
  s->state = SLOT_PENDING;
  s->start_ns = uv_hrtime();
  c->no_more = 1;
  enqueue(c, s);
  int st = c->err_status ? c->err_status : 400;
  if (c->h->on_refused)
    c->h->on_refused(c->owner, s, st);
  const char *why = st == 413   ? "request body too large"
                    : st == 431 ? "request header too large"
                                : "malformed HTTP request";
  ed__sim_response_t resp;
  memset(&resp, 0, sizeof(resp));
  if (ed__sim_error_response(&resp, st, "Base.1.8.GeneralError", why) < 0) {
    ed__sim_response_free(&resp);
    conn_close(c, 0);
    return;
  }
  ed__http_respond(s, &resp);
  ed__sim_response_free(&resp);
}

static void parse(ed__http_conn_t *c, const char *data, size_t len) {
  size_t n = http_parser_execute(&c->parser, &settings, data, len);
  if (c->closing || c->no_more)
    return;
  if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || n != len)
    bad_request(c);
}

/* ---- reading ---- */

/* One read buffer per thread: a read is parsed (or fed to TLS) before the
 * next one, so connections need no buffer of their own. */
static _Thread_local char rbuf[65536];

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = rbuf;
  buf->len = sizeof(rbuf);
}

static void stop_reading(ed__http_conn_t *c) {
  if (c->reading) {
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
  }
}

int ed__http_conn_holds(const ed__http_conn_t *c) {
  for (const ed__http_req_t *s = c->head; s; s = s->next)
    if (s->state == SLOT_PENDING && s->held)
      return 1;
  return 0;
}

/* The peer finished sending. Answers still due go out first; but a held
 * request will never be answered, and its client has gone (a client that
 * waits for an answer does not close its side): close now, or the socket
 * stays in CLOSE_WAIT for the life of the process. */
static void on_eof(ed__http_conn_t *c) {
  stop_reading(c);
  c->eof = 1;
  c->no_more = 1;
  if ((c->head == NULL && !c->writing && c->out.len == 0) ||
      ed__http_conn_holds(c))
    conn_close(c, 0);
}

static void read_tls(ed__http_conn_t *c, const char *data, size_t len) {
  if (ed__tls_feed(c->tls, data, len) < 0) {
    conn_close(c, 0);
    return;
  }
  /* The ciphertext is copied into OpenSSL: rbuf is free for plaintext. */
  for (;;) {
    int n = ed__tls_read(c->tls, rbuf, sizeof(rbuf));
    if (n < 0) {
      conn_close(c, 0);
      return;
    }
    if (n == 0)
      break;
    parse(c, rbuf, (size_t)n);
    if (c->closing)
      return;
  }
  /* Handshake messages produced by the reads. */
  size_t p = ed__tls_pending(c->tls);
  if (p > 0 && ed__buf_reserve(&c->out, p) == 0) {
    c->out.len += ed__tls_drain(c->tls, c->out.p + c->out.len, p);
    start_write(c);
  }
}

static void read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
  ed__http_conn_t *c = st->data;
  if (nread == UV_EOF && c->lingering) {
    conn_close(c, 0);
    return;
  }
  if (nread == UV_EOF) {
    on_eof(c);
    return;
  }
  if (nread < 0) {
    conn_close(c, 0);
    return;
  }
  if (nread == 0 || c->no_more)
    return;
  if (c->tls)
    read_tls(c, buf->base, (size_t)nread);
  else
    parse(c, buf->base, (size_t)nread);
  if (!c->closing && c->pending >= ED__HTTP_MAX_PENDING)
    stop_reading(c);
}

static void resume_reading(ed__http_conn_t *c) {
  if (!c->reading && !c->closing && !c->no_more &&
      c->pending < ED__HTTP_MAX_PENDING / 2) {
    if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) == 0)
      c->reading = 1;
  }
}

/* ---- writing ---- */

static void write_cb(uv_write_t *w, int status) {
  ed__http_conn_t *c = w->data;
  c->writing = 0;
  if (c->closing)
    return;
  if (status < 0) {
    conn_close(c, 0);
    return;
  }
  c->wbuf.len = 0;
  start_write(c);
}

static void shutdown_cb(uv_shutdown_t *r, int status) {
  ed__http_conn_t *c = r->data;
  if (status < 0 && !c->closing)
    conn_close(c, 0);
}

/* Closing at once with unread input would make the kernel send a reset
 * that can destroy the answer in flight (a 413 before the whole body was
 * read): shut the write side and drain the input until the peer closes. */
static void linger_close(ed__http_conn_t *c) {
  if (c->lingering)
    return;
  c->lingering = 1;
  c->no_more = 1;
  c->sreq.data = c;
  if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, shutdown_cb) != 0) {
    conn_close(c, 0);
    return;
  }
  if (!c->reading &&
      uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) == 0)
    c->reading = 1;
}

static void drained(ed__http_conn_t *c) {
  if (c->down_ms > 0) {
    int64_t ms = c->down_ms;
    c->down_ms = 0;
    if (c->h->on_go_down) {
      c->h->on_go_down(c->owner, ms); /* closes this connection too */
      return;
    }
  }
  if (c->eof && c->head == NULL)
    conn_close(c, 0);
  else if (c->close_after)
    linger_close(c);
}

static void start_write(ed__http_conn_t *c) {
  if (c->writing || c->closing)
    return;
  if (c->out.len > 0) {
    uv_buf_t b = uv_buf_init(c->out.p, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n < 0 && n != UV_EAGAIN) {
      conn_close(c, 0);
      return;
    }
    size_t sent = n > 0 ? (size_t)n : 0;
    if (sent < c->out.len) {
      /* The rest goes out with uv_write from the other buffer, so that
       * answers made meanwhile can be appended to this one. */
      ed__buf_t t = c->wbuf;
      c->wbuf = c->out;
      c->out = t;
      c->out.len = 0;
      memmove(c->wbuf.p, c->wbuf.p + sent, c->wbuf.len - sent);
      c->wbuf.len -= sent;
      b = uv_buf_init(c->wbuf.p, (unsigned)c->wbuf.len);
      c->wreq.data = c;
      if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, write_cb) < 0) {
        conn_close(c, 0);
        return;
      }
      c->writing = 1;
      return;
    }
    c->out.len = 0;
  }
  drained(c);
}

/* Queue bytes for the peer: plain text goes straight to the socket when
 * nothing is queued before it; TLS encrypts into the output buffer. */
static int emit(ed__http_conn_t *c, const char *data, size_t len) {
  if (c->tls) {
    if (ed__tls_write(c->tls, data, len) < 0)
      return ED_EIO;
    size_t p = ed__tls_pending(c->tls);
    if (ed__buf_reserve(&c->out, p) < 0)
      return ED_ENOMEM;
    c->out.len += ed__tls_drain(c->tls, c->out.p + c->out.len, p);
    return 0;
  }
  if (!c->writing && c->out.len == 0) {
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n < 0 && n != UV_EAGAIN)
      return ED_EIO;
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    }
  }
  return len ? ed__buf_append(&c->out, data, len) : 0;
}

/* Send the answers at the head of the queue that are ready, in order. */
static void flush(ed__http_conn_t *c) {
  while (c->head && c->head->state == SLOT_READY) {
    ed__http_req_t *s = c->head;
    c->head = s->next;
    if (!c->head)
      c->tail = NULL;
    if (emit(c, s->resp.p, s->resp.len) < 0) {
      slot_put(c, s);
      conn_close(c, 0);
      return;
    }
    if (s->down_ms > c->down_ms)
      c->down_ms = s->down_ms;
    int last = !s->keep_alive;
    slot_put(c, s);
    if (last) {
      c->close_after = 1;
      break;
    }
  }
  start_write(c);
  resume_reading(c);
}

int ed__http_respond(ed__http_req_t *req, const ed__sim_response_t *resp) {
  ed__http_conn_t *c = req->conn;
  if (req->state != SLOT_PENDING)
    return ED_ESTATE;
  int head = req->r.method && strcmp(req->r.method, "HEAD") == 0;
  int rc = ed__http_format(&req->resp, resp, head, req->keep_alive);
  req->state = SLOT_READY;
  req->status = resp->status;
  req->down_ms = resp->go_down_ms;
  c->pending--;
  if (rc < 0) {
    conn_close(c, 0);
    return rc;
  }
  if (!c->closing)
    flush(c);
  return 0;
}

/* ---- lifecycle ---- */

static void free_slot(ed__http_req_t *s) {
  ed__buf_free(&s->sbuf);
  ed__buf_free(&s->resp);
  free(s);
}

static void finish(ed__http_conn_t *c) {
  c->h->on_close(c->owner, c);
  ed__http_req_t *lists[2] = {c->head, c->free_slots};
  for (int i = 0; i < 2; i++)
    while (lists[i]) {
      ed__http_req_t *n = lists[i]->next;
      free_slot(lists[i]);
      lists[i] = n;
    }
  if (c->cur)
    free_slot(c->cur);
  ed__buf_free(&c->out);
  ed__buf_free(&c->wbuf);
  ed__tls_destroy(c->tls);
  free(c);
}

static void handle_closed(uv_handle_t *h) {
  ed__http_conn_t *c = h->type == UV_TCP ? (ed__http_conn_t *)h->data
                                         : ((ed__http_req_t *)h->data)->conn;
  if (--c->handles_open == 0)
    finish(c);
}

static void close_timer(ed__http_conn_t *c, ed__http_req_t *s) {
  if (s && s->timer_on) {
    c->handles_open++;
    uv_close((uv_handle_t *)&s->timer, handle_closed);
  }
}

static void conn_close(ed__http_conn_t *c, int reset) {
  if (c->closing)
    return;
  stop_reading(c);
  c->closing = 1;
  for (ed__http_req_t *s = c->head; s; s = s->next)
    if (s->state == SLOT_PENDING)
      c->h->on_abort(c->owner, s);
  for (ed__http_req_t *s = c->head; s; s = s->next)
    close_timer(c, s);
  for (ed__http_req_t *s = c->free_slots; s; s = s->next)
    close_timer(c, s);
  close_timer(c, c->cur);
  c->handles_open++;
  if (!reset || uv_tcp_close_reset(&c->tcp, handle_closed) != 0)
    uv_close((uv_handle_t *)&c->tcp, handle_closed);
}

void ed__http_conn_close(ed__http_conn_t *c) {
  conn_close(c, 0);
}

void ed__http_conn_reset(ed__http_conn_t *c) {
  conn_close(c, 1);
}

static void free_unowned(uv_handle_t *h) {
  free(h->data);
}

int ed__http_accept(uv_stream_t *server, ed__tls_ctx_t *tls_ctx,
                    const ed__http_handler_t *h, void *owner,
                    ed__http_conn_t **out) {
  ed__http_conn_t *c = calloc(1, sizeof(*c));
  if (!c)
    return ED_ENOMEM;
  uv_tcp_init(server->loop, &c->tcp);
  c->tcp.data = c;
  c->h = h;
  c->owner = owner;
  c->handles_open = 0; /* counted when closing */
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
      (tls_ctx && ed__tls_create(tls_ctx, &c->tls) < 0)) {
    /* Not yet known to the owner: close without telling it. */
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, free_unowned);
    return ED_EIO;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) == 0)
    c->reading = 1;
  *out = c;
  return 0;
}
