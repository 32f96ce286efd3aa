/*
 * A driver that loads fine and then breaks the request contract in one
 * precise way, chosen by a compile definition, for eventdrill-driver-test
 * (tests/integration/sdk_driver_test.sh):
 *   MB_TWICE       completes every request twice
 *   MB_INSIDE      completes a request from inside submit
 *   MB_NEVER       never completes a request, not even on target_close
 *   MB_NO_CANCEL   completes requests, but not those in flight at close
 *   MB_NOT_JSON    completes with a value that is not JSON text
 *   MB_LEAK        leaves a timer running after target_close
 *   MB_START_TWICE target_start calls its callback twice
 *   MB_SCRIBBLE    writes over the request's core_data, which is the core's
 * With none of them it is a correct driver: op "ping" completes after
 * 1 ms with the value true.
 */
#include <stdlib.h>
#include <string.h>

#include <eventdrill/driver.h>

#ifndef MB_NAME
#error "MB_NAME must be defined"
#endif

typedef struct call_s call_t;

typedef struct target_s {
  call_t *calls; /* in flight */
  uv_timer_t leak;
  struct target_s *next_kept;
} target_t;

struct call_s {
  uv_timer_t timer;
  ed_request_t *req;
  target_t *t;
  call_t *next;
};

static const ed_op_desc_t ops[] = {
    {"ping", 0, "complete after 1 ms with true", NULL, 0},
    {0},
};

static const ed_host_t *host;

static int mb_init(const ed_host_t *h) {
  host = h;
  return 0;
}

static int mb_open(const ed_target_info_t *info, void **target, char *errbuf,
                   size_t errlen) {
  (void)info, (void)errbuf, (void)errlen;
  target_t *t = calloc(1, sizeof(*t));
  *target = t;
  return t ? 0 : -1;
}

static void on_closed(uv_handle_t *h) {
  free(h->data);
}

static void unlink_call(call_t *c) {
  for (call_t **p = &c->t->calls; *p; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      return;
    }
}

static void complete(call_t *c, ed_errclass_t err) {
  ed_result_t res = {.err = err, .value = "true", .value_len = 4};
#ifdef MB_NOT_JSON
  res.value = "yes";
  res.value_len = 3;
#endif
  if (err != ED_ERRCLASS_NONE) {
    res.value = NULL;
    res.detail = "the target was closed";
  }
  unlink_call(c);
#ifdef MB_SCRIBBLE
  c->req->core_data = c;
#endif
  c->req->done(c->req, &res);
#ifdef MB_TWICE
  c->req->done(c->req, &res);
#endif
  uv_close((uv_handle_t *)&c->timer, on_closed);
}

/* What a broken target_close left behind, freed when the driver is
 * unloaded so that the harness's own leak checks stay meaningful. */
static target_t *kept;

static void free_kept(uv_handle_t *h) {
  free(h->data);
}

static void mb_fini(void) {
  while (kept) {
    target_t *t = kept;
    kept = t->next_kept;
    if (uv_is_active((uv_handle_t *)&t->leak))
      uv_close((uv_handle_t *)&t->leak, free_kept);
    else
      free(t);
  }
}

static void on_timer(uv_timer_t *timer) {
  complete(timer->data, ED_ERRCLASS_NONE);
}

static void on_leak(uv_timer_t *timer) {
  (void)timer;
}

static void mb_close(void *target) {
  target_t *t = target;
#ifndef MB_NO_CANCEL
  while (t->calls)
    complete(t->calls, ED_ERRCLASS_CANCELLED);
#endif
#if defined(MB_LEAK)
  uv_timer_init(host->loop, &t->leak);
  uv_timer_start(&t->leak, on_leak, 60000, 60000);
  t->leak.data = t;
  t->next_kept = kept; /* its timer stays on the loop until fini */
  kept = t;
#elif defined(MB_NO_CANCEL)
  (void)on_leak;
  t->next_kept = kept; /* the calls still in flight use it; freed by fini */
  kept = t;
#else
  (void)on_leak;
  free(t);
#endif
}

static void start_cb_twice(void *target, ed_target_cb cb, void *arg) {
  (void)target;
  cb(arg, 0, NULL);
#ifdef MB_START_TWICE
  cb(arg, 0, NULL);
#endif
}

static int mb_start(void *target, ed_target_cb cb, void *arg) {
  start_cb_twice(target, cb, arg); /* synchronously: the core allows it */
  return 0;
}

static int mb_prepare(void *target, const ed_op_desc_t *op, const void *a,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target, (void)op, (void)a, (void)errbuf, (void)errlen;
  *prepared = NULL;
  return 0;
}

static void mb_free(void *target, void *prepared) {
  (void)target, (void)prepared;
}

static int mb_submit(void *target, ed_request_t *req) {
  call_t *c = calloc(1, sizeof(*c));
  if (!c)
    return -1;
  c->req = req;
  c->t = target;
  c->next = c->t->calls;
  c->t->calls = c;
  uv_timer_init(host->loop, &c->timer);
  c->timer.data = c;
#if defined(MB_INSIDE)
  (void)on_timer;
  complete(c, ED_ERRCLASS_NONE);
#elif defined(MB_NEVER)
  (void)on_timer;
  unlink_call(c);
  uv_close((uv_handle_t *)&c->timer, on_closed);
#else
  uv_timer_start(&c->timer, on_timer, 1, 0);
#endif
  return 0;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = MB_NAME,
    .version = "1.0",
    .description = "a driver that breaks the request contract on purpose",
    .ops = ops,
    .init = mb_init,
    .fini = mb_fini,
    .target_open = mb_open,
    .target_start = mb_start,
    .target_close = mb_close,
    .op_prepare = mb_prepare,
    .op_free = mb_free,
    .submit = mb_submit,
};
