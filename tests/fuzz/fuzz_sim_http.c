/*
 * Fuzz target: the simulator's HTTP transport (sim/http.c: http-parser
 * callbacks, header and body limits, percent-decoding, pipelining, 400/413/
 * 431 answers) feeding the virtual BMC (ed__service_handle on the default
 * mockup, sim/service.c and what it calls).
 *
 * sim/http.c is included so that a connection can be made on one end of a
 * socketpair (uv_tcp_open) without a listening socket; the input is handed
 * to its read callback in chunks (the first byte picks the chunk size, so
 * requests split at any byte), then EOF, and the loop runs until the
 * connection has closed and freed itself. Answers are read and discarded
 * from the other end. Each request is answered at once by the service.
 */
#include "../../sim/http.c"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

static uv_loop_t loop;
static ed__mockup_t *mockup;
static ed__service_t *svc;
static int64_t now_ms;
static int closed;

static void on_request(void *owner, ed__http_req_t *req) {
  (void)owner;
  ed__sim_response_t resp;
  memset(&resp, 0, sizeof(resp));
  now_ms += 7;
  ed__service_handle(svc, &req->r, now_ms, &resp);
  ed__http_respond(req, &resp);
  ed__sim_response_free(&resp);
}

static void on_abort(void *owner, ed__http_req_t *req) {
  (void)owner;
  (void)req;
}

static void on_close(void *owner, ed__http_conn_t *c) {
  (void)owner;
  (void)c;
  closed = 1;
}

static const ed__http_handler_t handler = {
    .on_request = on_request, .on_abort = on_abort, .on_close = on_close};

static const ed__service_config_t cfg = {.user = "admin",
                                         .password = "s3cret",
                                         .power_on_ms = 10,
                                         .power_off_ms = 10,
                                         .bmc_reset_ms = 10,
                                         .session_timeout_ms = 1000};

static int init(void) {
  char err[256];
  if (uv_loop_init(&loop) != 0 ||
      ed__mockup_load("default", &mockup, err, sizeof(err)) != 0 ||
      ed__service_create(mockup, &cfg, &svc) != 0)
    return -1;
  return 0;
}

static void drain(int fd) {
  char buf[65536];
  while (read(fd, buf, sizeof(buf)) > 0)
    ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready = 0;
  if (!ready) {
    if (init() != 0)
      abort();
    ready = 1;
  }
  if (size < 1)
    return 0;
  size_t chunk = (size_t)data[0] * 7 + 1;
  data++;
  size--;

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
    return 0;
  ed__http_conn_t *c = calloc(1, sizeof(*c));
  if (!c)
    abort();
  uv_tcp_init(&loop, &c->tcp);
  c->tcp.data = c;
  c->h = &handler;
  if (uv_tcp_open(&c->tcp, sv[0]) != 0)
    abort();
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) == 0)
    c->reading = 1;
  closed = 0;

  /* The bytes as reads would bring them (copied: a read buffer is
   * writable and exactly that long). */
  for (size_t off = 0; off < size && !c->closing && !closed;) {
    size_t n = size - off < chunk ? size - off : chunk;
    char *b = malloc(n);
    memcpy(b, data + off, n);
    uv_buf_t ub = uv_buf_init(b, (unsigned)n);
    read_cb((uv_stream_t *)&c->tcp, (ssize_t)n, &ub);
    free(b);
    off += n;
    drain(sv[1]);
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  if (!closed && !c->closing) {
    uv_buf_t ub = uv_buf_init(NULL, 0);
    read_cb((uv_stream_t *)&c->tcp, UV_EOF, &ub);
  }
  for (int i = 0; i < 100 && !closed; i++) {
    drain(sv[1]);
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  if (!closed) {
    if (!c->closing)
      conn_close(c, 0);
    while (!closed) {
      drain(sv[1]);
      uv_run(&loop, UV_RUN_ONCE);
    }
  }
  close(sv[1]);
  return 0;
}
