/*
 * http: one HTTP/1.1 server connection on libuv, parsed with http-parser.
 *
 * Keep-alive and pipelining: every request gets a slot in arrival order; a
 * handler may answer slots in any order and at any time (after a latency
 * timer, after waiting for a worker), but the answers leave in request order.
 * Headers and bodies are bounded (431 / 413), a malformed request gets 400
 * and the connection closes after it. Slots and their buffers are reused for
 * the connection's life, so a keep-alive connection does not allocate per
 * request. TLS (tls.h) is optional per connection.
 */
#ifndef ED_SIM_HTTP_H
#define ED_SIM_HTTP_H

#include <http_parser.h>
#include <stdint.h>
#include <uv.h>

#include "http_format.h"
#include "knobs.h"
#include "service.h"
#include "tls.h"

#define ED__HTTP_MAX_HEADER 16384 /* request line + headers, bytes */
#define ED__HTTP_MAX_BODY 1048576 /* request body, bytes */
#define ED__HTTP_MAX_PENDING 256  /* unanswered requests before reads pause */

typedef struct ed__http_conn_s ed__http_conn_t;
typedef struct ed__http_req_s ed__http_req_t;

/* What the owner of a connection (a BMC, the control channel) is told. */
typedef struct ed__http_handler_s {
  /* A complete request: answer it now or later with ed__http_respond() or
   * ed__http_conn_reset(), or never (a hang). req stays valid until then or
   * until on_abort. */
  void (*on_request)(void *owner, ed__http_req_t *req);
  /* The connection is closing with req unanswered: undo what on_request
   * started for it (the slot's timer is stopped and closed by http). */
  void (*on_abort)(void *owner, ed__http_req_t *req);
  /* An answer carrying go_down_ms has been written out. May be NULL. */
  void (*on_go_down)(void *owner, int64_t ms);
  /* A request that could not be parsed is answered with status (400, 413,
   * 431) by http itself; req->r.method is "?" and its path "". Told
   * before the answer goes, for the access log. May be NULL. */
  void (*on_refused)(void *owner, ed__http_req_t *req, int status);
  /* The connection is closed and about to be freed. */
  void (*on_close)(void *owner, ed__http_conn_t *c);
} ed__http_handler_t;

/* One request slot. The public part is read by the handler; fields after
 * "private" belong to http.c. */
struct ed__http_req_s {
  ed__sim_request_t r; /* the parsed request (strings live in sbuf) */
  const char *url;     /* raw request target, query included */
  ed__http_conn_t *conn;
  uint64_t start_ns; /* uv_hrtime() when the request was complete */
  /* For the handler's own use while the request is pending: */
  ed__waiter_t wait; /* place in its BMC's worker queue */
  ed__decision_t fate;
  uint8_t has_worker; /* holds one of the BMC's workers */
  uint8_t live;       /* counted in its BMC's in-flight requests */
  /* Set by the handler for a request it will never answer (a hang): the
   * connection closes as soon as the client finishes sending (it gave up),
   * instead of holding its socket half-closed for ever. */
  uint8_t held;
  /* private */
  uint8_t state; /* free, parsing, pending, ready */
  uint8_t keep_alive;
  uint8_t timer_on; /* timer initialised (closed with the connection) */
  uv_timer_t timer;
  int64_t down_ms;
  int status; /* status of the answer, for the access log */
  ed__http_req_t *next;
  ed__buf_t sbuf; /* url, header values, path, body */
  ed__buf_t resp; /* the formatted answer */
};

/* The connection. The fields before "private" are the owner's. */
struct ed__http_conn_s {
  uv_tcp_t tcp; /* first: handle->data is the connection */
  void *owner;
  ed__http_conn_t *prev, *next; /* owner's list of its connections */
  /* private */
  const ed__http_handler_t *h;
  ed__tls_t *tls;
  http_parser parser;
  ed__http_req_t *cur;         /* the slot being parsed */
  ed__http_req_t *head, *tail; /* unanswered and ready, in order */
  ed__http_req_t *free_slots;
  unsigned pending;
  unsigned handles_open; /* tcp + timers still to be closed */
  ed__buf_t out, wbuf;   /* appending / being written */
  uv_write_t wreq;
  uv_shutdown_t sreq;
  int64_t down_ms;
  size_t header_bytes;
  int err_status; /* 413, 431 when a limit stopped the parser */
  int open_str;   /* an sbuf string is being appended to */
  int hdr_idx;    /* which wanted header the current value belongs to */
  size_t hdr_off[5];
  size_t url_off, body_off;
  char field[32];
  size_t field_len;
  uint8_t in_value, writing, closing, reading;
  uint8_t close_after; /* close once the output is written */
  uint8_t eof;         /* peer finished sending: close when all answered */
  uint8_t no_more;     /* parse no further request */
  uint8_t lingering;   /* write side shut: discard input until EOF */
};

/* Accept a connection from server (a listening stream) on its loop and start
 * reading. tls_ctx NULL = plain HTTP. h and owner are borrowed. The
 * connection frees itself after on_close. */
int ed__http_accept(uv_stream_t *server, ed__tls_ctx_t *tls_ctx,
                    const ed__http_handler_t *h, void *owner,
                    ed__http_conn_t **out);

/* Answer req with resp (borrowed: the caller still frees it). The transport
 * adds Content-Length, Content-Type, OData-Version, Date, Connection. */
int ed__http_respond(ed__http_req_t *req, const ed__sim_response_t *resp);

/* The slot's timer (initialised on first use; timer->data is req). */
uv_timer_t *ed__http_req_timer(ed__http_req_t *req);

/* Whether c holds a request its handler marked as held. */
int ed__http_conn_holds(const ed__http_conn_t *c);

/* Close gracefully (abort what is pending) or with a TCP reset. */
void ed__http_conn_close(ed__http_conn_t *c);
void ed__http_conn_reset(ed__http_conn_t *c);

#endif
