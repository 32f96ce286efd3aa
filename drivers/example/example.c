/*
 * example: the smallest working eventdrill driver (installed as
 * <prefix>/share/eventdrill/examples/example/example.c; see
 * docs/writing-a-driver.md).
 *
 *   "targets": { "t1": { "driver": "example", "delay": "5ms" } }
 *   "op": { "echo": "hello" }      completes with the value "hello"
 *   "op": { "sleep": "250ms" }     completes after 250 ms (+ delay)
 *
 * It is non-blocking: every request completes from a uv timer on the loop,
 * never inside submit, so the core is never re-entered from its own call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/driver.h>

/* Filled by the core from the target's keys (see target_opts below). */
typedef struct target_opts_s {
  int64_t delay_ms;
} target_opts_t;

/* Filled by the core from an operation's argument. */
typedef struct echo_args_s {
  char *value; /* compact JSON text */
} echo_args_t;

typedef struct sleep_args_s {
  int64_t ms;
} sleep_args_t;

static const ed_option_t target_opts[] = {
    {ED_OPT_DURATION, "delay", "\"0ms\"", offsetof(target_opts_t, delay_ms), 0,
     "added to every operation, to play a slow device", 0, 3600000},
    {0},
};

static const ed_option_t echo_args[] = {
    {ED_OPT_JSON, "value", NULL, offsetof(echo_args_t, value),
     ED_OPT_REQUIRED | ED_OPT_PRIMARY, "any JSON value, returned as is", 0, 0},
    {0},
};

static const ed_option_t sleep_args[] = {
    {ED_OPT_DURATION, "for", NULL, offsetof(sleep_args_t, ms),
     ED_OPT_REQUIRED | ED_OPT_PRIMARY, "how long the operation takes", 0,
     3600000},
    {0},
};

static const ed_op_desc_t ops[] = {
    {"echo", 0, "complete with the argument as the value", echo_args,
     sizeof(echo_args_t)},
    {"sleep", 0, "complete after a while, without a value", sleep_args,
     sizeof(sleep_args_t)},
    {0},
};

typedef struct inflight_s inflight_t;

typedef struct target_s {
  int64_t delay_ms;
  inflight_t *inflight; /* requests not yet completed, to cancel on close */
} target_t;

/* A prepared operation: what the core submits, many times. */
typedef struct prepared_s {
  char *value; /* echo: JSON text (a copy the prepared operation owns) */
  int64_t ms;  /* sleep */
} prepared_t;

/* One request in flight, on its target's list. */
struct inflight_s {
  uv_timer_t timer;
  ed_request_t *req;
  const prepared_t *op;
  int timed_out;
  target_t *target;
  inflight_t *prev, *next;
};

static const ed_host_t *host;

static int example_init(const ed_host_t *h) {
  host = h;
  return 0;
}

static int target_open(const ed_target_info_t *info, void **target,
                       char *errbuf, size_t errlen) {
  const target_opts_t *opts = info->opts;
  target_t *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  t->delay_ms = opts->delay_ms;
  *target = t;
  return 0;
}

static void on_closed(uv_handle_t *h);

static void unlink_inflight(inflight_t *f) {
  if (f->prev)
    f->prev->next = f->next;
  else
    f->target->inflight = f->next;
  if (f->next)
    f->next->prev = f->prev;
}

/* The contract: requests still in flight complete as cancelled before
 * target_close returns. */
static void target_close(void *target) {
  target_t *t = target;
  while (t->inflight) {
    inflight_t *f = t->inflight;
    unlink_inflight(f);
    ed_result_t res = {.err = ED_ERRCLASS_CANCELLED,
                       .detail = "the target was closed"};
    f->req->done(f->req, &res);
    uv_close((uv_handle_t *)&f->timer, on_closed);
  }
  free(t);
}

static int op_prepare(void *target, const ed_op_desc_t *op, const void *args,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target;
  (void)errbuf;
  (void)errlen;
  prepared_t *p = calloc(1, sizeof(*p));
  if (!p)
    return -1;
  if (strcmp(op->name, "echo") == 0) {
    p->value = strdup(((const echo_args_t *)args)->value);
    if (!p->value) {
      free(p);
      return -1;
    }
  } else {
    p->ms = ((const sleep_args_t *)args)->ms;
  }
  *prepared = p;
  return 0;
}

static void op_free(void *target, void *prepared) {
  (void)target;
  prepared_t *p = prepared;
  free(p->value);
  free(p);
}

static void on_closed(uv_handle_t *h) {
  free(h->data);
}

static void on_timer(uv_timer_t *timer) {
  inflight_t *f = timer->data;
  ed_result_t res = {.err = ED_ERRCLASS_NONE};
  if (f->timed_out) {
    res.err = ED_ERRCLASS_TIMEOUT;
    res.detail = "the request timed out";
  } else if (f->op->value) {
    res.value = f->op->value;
    res.value_len = strlen(f->op->value);
  }
  unlink_inflight(f);
  /* After done, the request is the core's again: do not touch it. */
  f->req->done(f->req, &res);
  uv_close((uv_handle_t *)timer, on_closed);
}

static int submit(void *target, ed_request_t *req) {
  target_t *t = target;
  inflight_t *f = calloc(1, sizeof(*f));
  if (!f)
    return -1;
  f->req = req;
  f->op = req->op;
  uint64_t ms = (uint64_t)(t->delay_ms + f->op->ms);
  if (req->timeout_ms > 0 && ms > (uint64_t)req->timeout_ms) {
    ms = (uint64_t)req->timeout_ms;
    f->timed_out = 1;
  }
  uv_timer_init(host->loop, &f->timer);
  f->timer.data = f;
  f->target = t;
  f->next = t->inflight;
  if (f->next)
    f->next->prev = f;
  t->inflight = f;
  req->driver_data = f;
  uv_timer_start(&f->timer, on_timer, ms, 0);
  return 0;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "example",
    .version = "1.0.0",
    .description = "the smallest working driver: echo a value, sleep",
    .flags = 0,
    .target_opts = target_opts,
    .target_opts_size = sizeof(target_opts_t),
    .ops = ops,
    .init = example_init,
    .target_open = target_open,
    .target_close = target_close,
    .op_prepare = op_prepare,
    .op_free = op_free,
    .submit = submit,
};
