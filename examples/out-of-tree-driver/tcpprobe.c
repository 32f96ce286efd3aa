/*
 * tcpprobe: a driver built outside the eventdrill tree, against the
 * installed SDK only (docs/writing-a-driver.md). It measures whether, and
 * how fast, a TCP port accepts a connection.
 *
 *   "targets": { "web": { "driver": "tcpprobe", "address": "127.0.0.1:80" } }
 *   "op": { "connect": null }   connects, completes with the connect time in
 *                               milliseconds (a JSON number), then closes
 *
 * Non-blocking: the connection is a uv_tcp_t on the core's loop, and every
 * request completes from a libuv callback, never inside submit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/driver.h>

typedef struct target_opts_s {
  char *address; /* "IP:PORT" or "[IPv6]:PORT" */
} target_opts_t;

static const ed_option_t target_opts[] = {
    {ED_OPT_STRING, "address", NULL, offsetof(target_opts_t, address),
     ED_OPT_REQUIRED | ED_OPT_ADDRESS,
     "where to connect: \"127.0.0.1:8080\" or \"[::1]:8080\" (numeric, no "
     "name lookup)",
     0, 0},
    {0},
};

/* An operation without arguments: args NULL, args_size 0. */
static const ed_op_desc_t ops[] = {
    {"connect", 0, "open a TCP connection, then close it", NULL, 0},
    {0},
};

typedef struct probe_s probe_t;

typedef struct target_s {
  struct sockaddr_storage addr;
  probe_t *inflight; /* requests not yet completed, to cancel on close */
} target_t;

/* One request: a connection attempt and its timeout. */
struct probe_s {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_timer_t timer;
  ed_request_t *req; /* NULL once completed */
  target_t *target;
  uint64_t start_ns;
  int open_handles;
  probe_t *prev, *next;
};

static const ed_host_t *host;

static int tp_init(const ed_host_t *h) {
  host = h;
  return 0;
}

/* "1.2.3.4:80" or "[::1]:80" into addr. */
static int parse_address(const char *text, struct sockaddr_storage *addr) {
  char ip[64];
  const char *colon = strrchr(text, ':');
  if (!colon || colon == text || !colon[1])
    return -1;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 1 || port > 65535)
    return -1;
  size_t len = (size_t)(colon - text);
  if (text[0] == '[' && text[len - 1] == ']') {
    if (len - 2 >= sizeof(ip))
      return -1;
    snprintf(ip, sizeof(ip), "%.*s", (int)(len - 2), text + 1);
    return uv_ip6_addr(ip, (int)port, (struct sockaddr_in6 *)addr);
  }
  if (len >= sizeof(ip))
    return -1;
  snprintf(ip, sizeof(ip), "%.*s", (int)len, text);
  return uv_ip4_addr(ip, (int)port, (struct sockaddr_in *)addr);
}

static int target_open(const ed_target_info_t *info, void **target,
                       char *errbuf, size_t errlen) {
  const target_opts_t *opts = info->opts;
  target_t *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  if (parse_address(opts->address, &t->addr) != 0) {
    snprintf(errbuf, errlen,
             "address \"%s\": expected IP:PORT or [IPv6]:PORT, numeric",
             opts->address);
    free(t);
    return -1;
  }
  *target = t;
  return 0;
}

static void on_closed(uv_handle_t *h) {
  probe_t *p = h->data;
  if (--p->open_handles == 0)
    free(p);
}

/* Complete the request once, take the probe off the list, close its
 * handles (closing the socket cancels a connect still pending). */
static void finish(probe_t *p, const ed_result_t *res) {
  ed_request_t *req = p->req;
  if (!req)
    return;
  p->req = NULL;
  if (p->prev)
    p->prev->next = p->next;
  else
    p->target->inflight = p->next;
  if (p->next)
    p->next->prev = p->prev;
  req->done(req, res);
  uv_close((uv_handle_t *)&p->tcp, on_closed);
  uv_close((uv_handle_t *)&p->timer, on_closed);
}

static void on_connect(uv_connect_t *c, int status) {
  probe_t *p = c->data;
  if (status == UV_ECANCELED)
    return; /* closed after a timeout or a cancel: already completed */
  char ms[32];
  ed_result_t res = {.err = ED_ERRCLASS_NONE};
  if (status < 0) {
    res.err = ED_ERRCLASS_CONNECT;
    res.detail = uv_strerror(status);
  } else {
    snprintf(ms, sizeof(ms), "%.3f", (double)(uv_hrtime() - p->start_ns) / 1e6);
    res.value = ms;
    res.value_len = strlen(ms);
  }
  finish(p, &res);
}

static void on_timeout(uv_timer_t *timer) {
  ed_result_t res = {.err = ED_ERRCLASS_TIMEOUT,
                     .detail = "no answer to the connection request in time"};
  finish(timer->data, &res);
}

static int submit(void *target, ed_request_t *req) {
  target_t *t = target;
  probe_t *p = calloc(1, sizeof(*p));
  if (!p)
    return -1;
  p->req = req;
  p->target = t;
  p->start_ns = uv_hrtime();
  uv_tcp_init(host->loop, &p->tcp);
  uv_timer_init(host->loop, &p->timer);
  p->tcp.data = p->timer.data = p->connect.data = p;
  p->open_handles = 2;
  if (uv_tcp_connect(&p->connect, &p->tcp, (struct sockaddr *)&t->addr,
                     on_connect) != 0) {
    /* Could not even start: say so by the return value, without done. */
    p->req = NULL;
    uv_close((uv_handle_t *)&p->tcp, on_closed);
    uv_close((uv_handle_t *)&p->timer, on_closed);
    return -1;
  }
  if (req->timeout_ms > 0)
    uv_timer_start(&p->timer, on_timeout, (uint64_t)req->timeout_ms, 0);
  p->next = t->inflight;
  if (p->next)
    p->next->prev = p;
  t->inflight = p;
  return 0;
}

static void target_close(void *target) {
  target_t *t = target;
  ed_result_t res = {.err = ED_ERRCLASS_CANCELLED,
                     .detail = "the target was closed"};
  while (t->inflight)
    finish(t->inflight, &res);
  free(t);
}

static int op_prepare(void *target, const ed_op_desc_t *op, const void *args,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target, (void)op, (void)args, (void)errbuf, (void)errlen;
  *prepared = NULL; /* nothing to compile: every connect is the same */
  return 0;
}

static void op_free(void *target, void *prepared) {
  (void)target, (void)prepared;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "tcpprobe",
    .version = "1.0.0",
    .description = "TCP connect probe: does a port accept connections, and "
                   "how fast",
    .target_opts = target_opts,
    .target_opts_size = sizeof(target_opts_t),
    .ops = ops,
    .init = tp_init,
    .target_open = target_open,
    .target_close = target_close,
    .op_prepare = op_prepare,
    .op_free = op_free,
    .submit = submit,
};
