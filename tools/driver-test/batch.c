#include "batch.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* One request and what became of it. */
typedef struct slot_s {
  ed_request_t req; /* first: done finds its slot from the request */
  ed_batch_t *batch;
  int submitted; /* submit returned 0 */
  int refused;   /* submit returned < 0 */
  unsigned dones;
  uint64_t start_ns, end_ns;
} slot_t;

struct ed_batch_s {
  ed_batch_spec_t spec;
  uv_loop_t *loop;
  uv_timer_t watch; /* checks deadlines and submits more */
  pthread_t loop_thread;
  slot_t *slots;
  size_t next;      /* next slot to submit */
  size_t in_flight; /* submitted, not yet completed */
  int in_submit;    /* inside the driver's submit */
  int closed;       /* target_close has returned */
  int stop;         /* a request is past its deadline: stop waiting */
  size_t inside, wrong_thread, after_close, bad_result, secret, no_detail;
  size_t by_class[ED_ERRCLASS_COUNT];
  char first_problem[512];
  char sample[160];
  int sample_is_error;
};

static void problem(ed_batch_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(ed_batch_t *b, const char *fmt, ...) {
  if (b->first_problem[0])
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->first_problem, sizeof(b->first_problem), fmt, ap);
  va_end(ap);
}

int ed_batch_create(uv_loop_t *loop, const ed_batch_spec_t *spec,
                    ed_batch_t **out) {
  ed_batch_t *b = calloc(1, sizeof(*b));
  if (!b)
    return ED_ENOMEM;
  b->slots = calloc(spec->count + 1, sizeof(*b->slots));
  if (!b->slots) {
    free(b);
    return ED_ENOMEM;
  }
  b->spec = *spec;
  b->loop = loop;
  b->loop_thread = pthread_self();
  uv_timer_init(loop, &b->watch);
  b->watch.data = b;
  *out = b;
  return 0;
}

/* A value must be JSON text: the core parses it for checks and evidence. */
static int valid_value(const ed_result_t *res) {
  if (!res->value)
    return 1;
  json_error_t err;
  json_t *v = json_loadb(res->value, res->value_len, JSON_DECODE_ANY, &err);
  json_decref(v);
  return v != NULL;
}

static int has_secret(const ed_batch_t *b, const char *text, size_t len) {
  const char *s = b->spec.secret;
  size_t sl = s ? strlen(s) : 0;
  if (!text || sl == 0 || len < sl)
    return 0;
  return memmem(text, len, s, sl) != NULL;
}

static void check_result(ed_batch_t *b, size_t i, const ed_result_t *res) {
  if ((unsigned)res->err >= ED_ERRCLASS_COUNT) {
    b->bad_result++;
    problem(b, "request %zu: error class %d is not an ED_ERRCLASS_*", i,
            (int)res->err);
    return;
  }
  b->by_class[res->err]++;
  /* op_check's value is text, shown after "would run: ". */
  if (!b->spec.check && !valid_value(res)) {
    b->bad_result++;
    problem(b, "request %zu: the value is not JSON text: \"%.*s\"", i,
            (int)(res->value_len > 60 ? 60 : res->value_len), res->value);
  }
  if (has_secret(b, res->value, res->value_len) ||
      has_secret(b, res->detail, res->detail ? strlen(res->detail) : 0)) {
    b->secret++;
    problem(b, "request %zu: the target's secret is in the result", i);
  }
  if (res->err != ED_ERRCLASS_NONE && (!res->detail || !res->detail[0]))
    b->no_detail++;
  /* What the report quotes: the first failure's reason, else what the
   * first op_check proved. */
  int quote = res->err != ED_ERRCLASS_NONE ? res->detail != NULL
                                           : b->spec.check && res->value;
  if (quote && (!b->sample[0] || (res->err && !b->sample_is_error))) {
    const char *text = res->err ? res->detail : res->value;
    size_t len = res->err ? strlen(text) : res->value_len;
    snprintf(b->sample, sizeof(b->sample), "%s: %.*s",
             res->err ? ed_errclass_string(res->err) : "would run",
             (int)(len > 120 ? 120 : len), text);
    b->sample_is_error = res->err != ED_ERRCLASS_NONE;
  }
}

static void on_done(ed_request_t *req, const ed_result_t *res) {
  slot_t *s = (slot_t *)req;
  ed_batch_t *b = s->batch;
  size_t i = (size_t)(s - b->slots);
  if (!pthread_equal(pthread_self(), b->loop_thread)) {
    /* Nothing else is safe to touch from another thread. */
    __atomic_add_fetch(&b->wrong_thread, 1, __ATOMIC_SEQ_CST);
    return;
  }
  s->dones++;
  if (req->core_data != s || req->op != b->spec.prepared ||
      req->done != on_done) {
    b->bad_result++;
    problem(b,
            "request %zu: the driver changed the request's op, done or "
            "core_data (they are the core's)",
            i);
  }
  if (s->dones > 1) {
    problem(b, "request %zu: done called %u times", i, s->dones);
    return;
  }
  if (s->refused) {
    problem(b, "request %zu: submit returned < 0 and done was called too", i);
    return;
  }
  s->end_ns = uv_hrtime();
  b->in_flight--;
  if (b->in_submit) {
    b->inside++;
    problem(b,
            "request %zu: done called from inside submit (complete it "
            "from a later loop callback)",
            i);
  }
  if (b->closed) {
    b->after_close++;
    problem(b, "request %zu: done called after target_close returned", i);
  }
  check_result(b, i, res);
}

static void submit_one(ed_batch_t *b) {
  slot_t *s = &b->slots[b->next++];
  s->batch = b;
  s->req = (ed_request_t){.op = b->spec.prepared,
                          .timeout_ms = b->spec.timeout_ms,
                          .done = on_done,
                          .core_data = s};
  /* As the core submits from a timer: the loop's time is fresh, so a
   * driver's timers started now measure from now. */
  uv_update_time(b->loop);
  s->start_ns = s->req.intended_ns = s->req.sent_ns = uv_hrtime();
  b->in_flight++;
  b->in_submit = 1;
  int rc =
      b->spec.check
          ? ed_plugin_check(b->spec.ph, b->spec.drv, b->spec.target, &s->req)
          : ed_plugin_submit(b->spec.ph, b->spec.drv, b->spec.target, &s->req);
  b->in_submit = 0;
  if (rc == 0) {
    s->submitted = 1;
    return;
  }
  /* Refused: done must not come; undo what a done inside counted. */
  if (s->dones) {
    problem(b, "request %zu: submit returned %d after calling done",
            b->next - 1, rc);
  } else {
    b->in_flight--;
  }
  s->refused = 1;
}

static void fill(ed_batch_t *b) {
  while (!b->stop && b->next < b->spec.count &&
         b->in_flight < b->spec.concurrency)
    submit_one(b);
}

static int overdue(const ed_batch_t *b, uint64_t now) {
  uint64_t limit = (uint64_t)(b->spec.timeout_ms + b->spec.grace_ms) * 1000000;
  for (size_t i = 0; i < b->next; i++) {
    const slot_t *s = &b->slots[i];
    if (s->submitted && s->dones == 0 && now - s->start_ns > limit)
      return 1;
  }
  return 0;
}

/* Every 20 ms: more requests while slots are free (never from inside done:
 * that would re-enter the driver from its own callback), and the end. */
static void on_watch(uv_timer_t *t) {
  ed_batch_t *b = t->data;
  fill(b);
  if (overdue(b, uv_hrtime())) {
    b->stop = 1;
    problem(b,
            "a request did not complete within its timeout (%lld ms) "
            "and %lld ms more",
            (long long)b->spec.timeout_ms, (long long)b->spec.grace_ms);
  }
  if (b->stop || (b->next == b->spec.count && b->in_flight == 0))
    uv_timer_stop(t);
}

int ed_batch_run(ed_batch_t *b) {
  fill(b);
  uv_timer_start(&b->watch, on_watch, 20, 20);
  /* The watch timer keeps the loop alive until the batch is over, even when
   * a driver's own handles are unreferenced. */
  while (uv_is_active((uv_handle_t *)&b->watch))
    uv_run(b->loop, UV_RUN_ONCE);
  return 0;
}

int ed_batch_submit_now(ed_batch_t *b) {
  fill(b);
  return 0;
}

void ed_batch_mark_closed(ed_batch_t *b) {
  b->closed = 1;
}

static int by_ns(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void latencies(const ed_batch_t *b, ed_batch_stats_t *st) {
  uint64_t *v = calloc(b->next + 1, sizeof(*v));
  size_t n = 0;
  for (size_t i = 0; v && i < b->next; i++)
    if (b->slots[i].submitted && b->slots[i].end_ns)
      v[n++] = b->slots[i].end_ns - b->slots[i].start_ns;
  if (n) {
    qsort(v, n, sizeof(*v), by_ns);
    st->p50_ms = (double)v[(n - 1) / 2] / 1e6;
    st->max_ms = (double)v[n - 1] / 1e6;
  }
  free(v);
}

void ed_batch_stats(const ed_batch_t *b, ed_batch_stats_t *st) {
  *st = (ed_batch_stats_t){0};
  for (size_t i = 0; i < b->next; i++) {
    const slot_t *s = &b->slots[i];
    st->sent += s->submitted;
    st->refused += s->refused;
    st->completed += s->submitted && s->dones > 0;
    st->twice += s->dones > 1;
    st->refused_done += s->refused && s->dones > 0;
    st->missing += s->submitted && s->dones == 0;
  }
  st->inside = b->inside;
  st->wrong_thread = __atomic_load_n(&b->wrong_thread, __ATOMIC_SEQ_CST);
  st->after_close = b->after_close;
  st->bad_result = b->bad_result;
  st->secret = b->secret;
  st->no_detail = b->no_detail;
  memcpy(st->by_class, b->by_class, sizeof(st->by_class));
  memcpy(st->first_problem, b->first_problem, sizeof(st->first_problem));
  memcpy(st->sample, b->sample, sizeof(st->sample));
  if (st->wrong_thread && !st->first_problem[0])
    snprintf(st->first_problem, sizeof(st->first_problem),
             "done called off the loop thread");
  latencies(b, st);
}

static void on_closed(uv_handle_t *h) {
  ed_batch_t *b = h->data;
  free(b->slots);
  free(b);
}

void ed_batch_destroy(ed_batch_t *b) {
  if (b)
    uv_close((uv_handle_t *)&b->watch, on_closed);
}
