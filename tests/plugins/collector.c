/*
 * A test driver for the collect capability (tests/unit/collect_abi.c). Its
 * "device" is in the driver: a read is answered by a libuv timer after
 * `delay`, its value the read's number. The target option "mode" picks how
 * collect answers:
 *   "queue"  reads `reads` values through <eventdrill/snapshot.h> (power
 *            from the first, one sensor per read) and writes the most reads
 *            it ever had in flight in "max_in_flight_seen";
 *   "sync"   calls done before collect returns;
 *   "bad"    answers a text that is not JSON;
 *   "fail"   returns <0 (done never called);
 * and, breaking the collect contract for eventdrill-driver-test
 * (tests/integration/sdk_driver_test.sh):
 *   "twice"    calls done twice (a second time from a later loop turn);
 *   "never"    never calls done;
 *   "shapeless" answers a JSON object without "reachable".
 * target_stop cancels a queued collection: the reads in flight answer
 * "cancelled" at once and the ones not sent yet are refused (-ECANCELED),
 * so that the snapshot lists them as cancelled gaps.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eventdrill/driver.h>
#include <eventdrill/snapshot.h>

typedef struct topts_s {
  char *mode;
  int64_t reads;
  int64_t delay_ms;
} topts_t;

static const ed_option_t target_opts[] = {
    {ED_OPT_STRING, "mode", "\"queue\"", offsetof(topts_t, mode), 0,
     "queue, sync, bad, fail, twice, never or shapeless", 0, 0},
    {ED_OPT_INT, "reads", "5", offsetof(topts_t, reads), 0,
     "reads of a queued collection", 0, 100},
    {ED_OPT_DURATION, "delay", "\"2ms\"", offsetof(topts_t, delay_ms), 0,
     "how long a read takes", 0, 10000},
    {0, NULL, NULL, 0, 0, NULL, 0, 0}};

static const ed_option_t no_args[] = {{0, NULL, NULL, 0, 0, NULL, 0, 0}};

static const ed_op_desc_t ops[] = {
    {"noop", 0, "answers true after delay", no_args, 0}, {0, 0, NULL, NULL, 0}};

static const ed_host_t *g_host;

typedef struct read_s read_t;

typedef struct target_s {
  const topts_t *o;
  int in_flight, max_seen;
  int stopping;     /* target_stop came: no read is sent any more */
  read_t *reads;    /* in flight */
  uv_timer_t again; /* "twice": the second done */
  ed_collect_t *pending;
} target_t;

/* One read in flight: its timer and its number. */
struct read_s {
  uv_timer_t timer;
  target_t *t;
  ed_request_t *req;
  int n;
  read_t *next;
};

static int init(const ed_host_t *host) {
  g_host = host;
  return 0;
}

static int target_open(const ed_target_info_t *info, void **target,
                       char *errbuf, size_t errlen) {
  target_t *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  t->o = info->opts;
  *target = t;
  return 0;
}

static int op_prepare(void *target, const ed_op_desc_t *op, const void *args,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target, (void)op, (void)args, (void)errbuf, (void)errlen;
  *prepared = NULL;
  return 0;
}

static void op_free(void *target, void *prepared) {
  (void)target;
  free(prepared);
}

static void read_closed(uv_handle_t *h) {
  free(h->data);
}

static void unlink_read(read_t *r) {
  for (read_t **p = &r->t->reads; *p; p = &(*p)->next)
    if (*p == r) {
      *p = r->next;
      return;
    }
}

static void finish(read_t *r, const ed_result_t *res) {
  r->t->in_flight--;
  unlink_read(r);
  uv_close((uv_handle_t *)&r->timer, read_closed);
  r->req->done(r->req, res);
}

static void answer(uv_timer_t *timer) {
  read_t *r = timer->data;
  char value[32];
  if (r->n < 0)
    snprintf(value, sizeof(value), "true");
  else
    snprintf(value, sizeof(value), "%d", r->n);
  ed_result_t res = {.value = value, .value_len = strlen(value)};
  finish(r, &res);
}

static void free_target(uv_handle_t *h) {
  free(h->data);
}

static void cancel_reads(target_t *t) {
  while (t->reads) {
    ed_result_t res = {.err = ED_ERRCLASS_CANCELLED,
                       .detail = "the target is stopping"};
    uv_timer_stop(&t->reads->timer);
    finish(t->reads, &res);
  }
}

static void target_close(void *target) {
  target_t *t = target;
  cancel_reads(t);
  /* The timer of "twice" is closed here, the target freed when it is. */
  if (uv_is_active((uv_handle_t *)&t->again) || t->again.data)
    uv_close((uv_handle_t *)&t->again, free_target);
  else
    free(t);
}

/* Stopping cancels what is in flight; collect answers with what it has. */
static int target_stop(void *target, ed_target_cb cb, void *arg) {
  target_t *t = target;
  t->stopping = 1;
  cancel_reads(t);
  cb(arg, 0, NULL);
  return 0;
}

/* The "device": a prepared op is the read's number (an int). */
static int submit(void *target, ed_request_t *req) {
  target_t *t = target;
  if (t->stopping)
    return -ECANCELED;
  read_t *r = calloc(1, sizeof(*r));
  if (!r)
    return -1;
  r->next = t->reads;
  t->reads = r;
  r->t = t;
  r->req = req;
  r->n = req->op ? *(const int *)req->op : -1; /* -1: the op noop */
  uv_timer_init(g_host->loop, &r->timer);
  r->timer.data = r;
  uv_timer_start(&r->timer, answer, (uint64_t)t->o->delay_ms, 0);
  if (++t->in_flight > t->max_seen)
    t->max_seen = t->in_flight;
  return 0;
}

static void got(ed_snap_job_t *j, const ed_snap_answer_t *a, void *ctx) {
  (void)ctx;
  json_t *v = ed_snap_value(a);
  if (!json_is_integer(v)) {
    ed_snap_gap(j, "value", a);
    json_decref(v);
    return;
  }
  ed_snap_sample(j, a);
  if (json_integer_value(v) == 0)
    json_object_set_new(j->snap, "power", json_string("on"));
  char name[32];
  snprintf(name, sizeof(name), "r%lld", (long long)json_integer_value(v));
  ed_snap_append(
      j, "sensors",
      json_pack("{s:s,s:s,s:O}", "name", name, "kind", "other", "reading", v));
  json_decref(v);
}

static void last_words(ed_snap_job_t *j) {
  target_t *t = j->target;
  json_object_set_new(j->snap, "max_in_flight_seen", json_integer(t->max_seen));
}

static const ed_snap_part_t required[] = {
    {"power", "power"}, {"sensors", "sensors"}, {NULL, NULL}};

static const char ok_snap[] = "{\"reachable\": true, \"power\": \"on\"}";

static void done_again(uv_timer_t *timer) {
  target_t *t = timer->data;
  t->pending->done(t->pending, ok_snap, sizeof(ok_snap) - 1);
}

static int collect(void *target, ed_collect_t *c) {
  target_t *t = target;
  const char *mode = t->o->mode;
  if (strcmp(mode, "fail") == 0)
    return -1;
  if (strcmp(mode, "never") == 0)
    return 0;
  if (strcmp(mode, "shapeless") == 0) {
    static const char snap[] = "{\"power\": \"on\"}";
    c->done(c, snap, sizeof(snap) - 1);
    return 0;
  }
  if (strcmp(mode, "twice") == 0) {
    c->done(c, ok_snap, sizeof(ok_snap) - 1);
    if (!t->again.data) {
      uv_timer_init(g_host->loop, &t->again);
      t->again.data = t;
    }
    t->pending = c;
    uv_timer_start(&t->again, done_again, 1, 0);
    return 0;
  }
  if (strcmp(mode, "sync") == 0) {
    c->done(c, ok_snap, sizeof(ok_snap) - 1);
    return 0;
  }
  if (strcmp(mode, "bad") == 0) {
    c->done(c, "not json {", 10);
    return 0;
  }
  ed_snap_job_t *j = ed_snap_begin(t, c, submit, op_free);
  if (!j)
    return -1;
  t->max_seen = 0;
  j->required = required;
  j->last_words = last_words;
  for (int i = 0; i < (int)t->o->reads; i++) {
    int *n = malloc(sizeof(*n));
    if (n)
      *n = i;
    ed_snap_read(j, "value", n, got, NULL, NULL);
  }
  ed_snap_go(j);
  return 0;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "collector",
    .version = "1.0",
    .description = "a test driver whose collect answers in one chosen way",
    .target_opts = target_opts,
    .target_opts_size = sizeof(topts_t),
    .ops = ops,
    .init = init,
    .target_open = target_open,
    .target_stop = target_stop,
    .target_close = target_close,
    .op_prepare = op_prepare,
    .op_free = op_free,
    .submit = submit,
    .collect = collect,
};
