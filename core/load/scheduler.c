#include "scheduler.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "error.h"
#include "profile.h"

/* Requests are sent in batches of at most this many per loop turn, so that a
 * runner that falls behind still reads completions between batches. */
#define BATCH_MAX 512

/* The targets' records of a closed second are flushed this many per loop
 * turn after the sends due (ed_metrics_sweep): a send never waits for more
 * than one slice of them. */
#define SWEEP_SLICE 32

typedef struct stream_s stream_t;

/* A request slot: the ed_request_t a driver sees, plus what the scheduler
 * needs back when it completes. */
typedef struct slot_s {
  ed_request_t req;
  stream_t *stream;
  size_t phase;
  int late;
  struct slot_s *next_free;
} slot_t;

struct stream_s {
  ed_stream_spec_t spec;
  ed_sched_t *sched; /* back pointer, so a completion finds its scheduler */
  ed_profile_t profile;
  int64_t next_ns; /* absolute intended time of the next request */
  size_t next_phase;
  int over; /* profile exhausted (or stopped) */
  size_t last_phase_seen;
  int64_t in_flight;
  slot_t *slots, *free_slots;
  /* Every slot busy while requests fall due: the stream leaves the heap
   * and its due requests wait in the profile itself — no queue, no wake-up
   * per request — until a completion frees a slot. */
  int blocked;
};

/* A stream in the heap with its next send's time beside it: ordering
 * 10,000 streams then reads one array, not 10,000 streams' memory. */
typedef struct heap_entry_s {
  int64_t at; /* the stream's next_ns */
  stream_t *st;
} heap_entry_t;

struct ed_sched_s {
  uv_loop_t *loop;
  int tfd;         /* timerfd armed at the next send, to the nanosecond */
  uv_poll_t tpoll; /* the loop's watch on tfd */
  int tpoll_on;
  uv_idle_t idle;    /* comes straight back when behind schedule */
  uv_timer_t ticker; /* closes each second */
  stream_t *streams;
  size_t nstreams;
  heap_entry_t *heap; /* streams not over, by next_ns */
  size_t heap_len;
  ed_metrics_t *metrics;
  ed_sched_events_t ev;
  size_t nworkloads;
  int64_t *wl_in_flight;
  size_t *wl_phase; /* highest phase announced per workload, +1; 0 = none */
  uint64_t t0;
  int64_t last_sec;
  int stopped, done_sent, idle_on;
  int sweeping; /* closed seconds' records left to flush */
  int closing;
};

/* ---- min-heap of streams by next_ns ----------------------------------- */

static void heap_swap(ed_sched_t *s, size_t a, size_t b) {
  heap_entry_t t = s->heap[a];
  s->heap[a] = s->heap[b];
  s->heap[b] = t;
}

static void heap_down(ed_sched_t *s, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < s->heap_len && s->heap[l].at < s->heap[m].at)
      m = l;
    if (r < s->heap_len && s->heap[r].at < s->heap[m].at)
      m = r;
    if (m == i)
      return;
    heap_swap(s, i, m);
    i = m;
  }
}

static void heap_up(ed_sched_t *s, size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (s->heap[p].at <= s->heap[i].at)
      return;
    heap_swap(s, i, p);
    i = p;
  }
}

static void heap_pop(ed_sched_t *s) {
  s->heap[0] = s->heap[--s->heap_len];
  heap_down(s, 0);
}

/* ---- time helpers ---------------------------------------------------- */

static int64_t sec_of(const ed_sched_t *s, uint64_t abs_ns) {
  return abs_ns <= s->t0 ? 0 : (int64_t)((abs_ns - s->t0) / 1000000000ull);
}

/* Close the seconds that have fully passed. */
static void set_idle(ed_sched_t *s, int on);

/* Close the seconds that have fully passed. Their targets' records are
 * flushed by the pump, a slice per loop turn (the idle handle brings it
 * back while some are left). */
static void tick_to(ed_sched_t *s, uint64_t now) {
  int64_t sec = sec_of(s, now);
  while (s->last_sec < sec) {
    s->last_sec++;
    ed_metrics_tick(s->metrics, s->last_sec);
    s->sweeping = 1;
    if (!s->done_sent)
      set_idle(s, 1);
    if (s->ev.second)
      s->ev.second(s->ev.arg, s->last_sec - 1);
  }
}

/* ---- stream ----------------------------------------------------------- */

static int stream_advance(stream_t *st, uint64_t t0) {
  int64_t t_ns;
  size_t seg;
  if (ed_profile_next(&st->profile, &t_ns, &seg) != 0) {
    st->over = 1;
    return 1;
  }
  st->next_ns = (int64_t)t0 + st->spec.start_ns + t_ns;
  st->next_phase = seg;
  return 0;
}

static void announce_phase(ed_sched_t *s, stream_t *st, size_t phase,
                           int64_t at_ns) {
  size_t w = st->spec.workload;
  if (s->wl_phase[w] > phase)
    return;
  s->wl_phase[w] = phase + 1;
  if (s->ev.phase)
    s->ev.phase(s->ev.arg, w, phase, at_ns - (int64_t)s->t0);
}

/* ---- sending and completing ------------------------------------------ */

static void on_done(ed_request_t *req, const ed_result_t *res);
static void disarm(ed_sched_t *s);
static void schedule_wakeup(ed_sched_t *s, uint64_t now);

static void check_done(ed_sched_t *s) {
  if (s->done_sent || s->heap_len > 0)
    return;
  for (size_t i = 0; i < s->nstreams; i++)
    if (s->streams[i].in_flight > 0 || s->streams[i].blocked)
      return;
  s->done_sent = 1;
  disarm(s);
  set_idle(s, 0);
  uv_timer_stop(&s->ticker);
  if (s->ev.done)
    s->ev.done(s->ev.arg);
}

static void send_one(ed_sched_t *s, stream_t *st, int64_t intended,
                     size_t phase, int late, uint64_t now) {
  slot_t *slot = st->free_slots;
  st->free_slots = slot->next_free;
  slot->phase = phase;
  slot->late = late;
  ed_request_t *req = &slot->req;
  req->op = st->spec.op;
  req->intended_ns = (uint64_t)intended;
  req->sent_ns = now;
  req->timeout_ms = st->spec.timeout_ms;
  req->done = on_done;
  req->core_data = slot;
  req->driver_data = NULL;
  st->in_flight++;
  size_t w = st->spec.workload;
  s->wl_in_flight[w]++;
  int64_t sec = sec_of(s, now);
  ed_metrics_sent(s->metrics, w, st->spec.target, phase, sec,
                  ((int64_t)now - intended) / 1000, late);
  ed_metrics_in_flight(s->metrics, w, sec, s->wl_in_flight[w], (int64_t)phase);
  if (st->spec.submit(st->spec.submit_ctx, req) != 0) {
    ed_result_t res = {.err = ED_ERRCLASS_OTHER,
                       .detail = "the driver could not start the request"};
    on_done(req, &res);
  }
}

static void drop_one(ed_sched_t *s, stream_t *st, size_t phase, uint64_t now) {
  ed_metrics_dropped(s->metrics, st->spec.workload, st->spec.target, phase,
                     sec_of(s, now));
}

static void heap_insert(ed_sched_t *s, stream_t *st) {
  s->heap[s->heap_len++] = (heap_entry_t){st->next_ns, st};
  heap_up(s, s->heap_len - 1);
}

/* The requests of a blocked stream that are due: drop what waited longer
 * than the drop bound, send the rest while slots are free (late: they
 * waited for a slot). The stream rejoins the heap once nothing is due. */
static void pull(ed_sched_t *s, stream_t *st, uint64_t now) {
  while (st->blocked && !st->over && st->next_ns <= (int64_t)now) {
    int too_old = (int64_t)now - st->next_ns > st->spec.drop_after_ns;
    if (!too_old && !st->free_slots)
      return;
    announce_phase(s, st, st->next_phase, st->next_ns);
    if (too_old || s->stopped)
      drop_one(s, st, st->next_phase, now);
    else
      send_one(s, st, st->next_ns, st->next_phase, 1, now);
    stream_advance(st, s->t0);
  }
  if (!st->blocked)
    return;
  st->blocked = 0;
  if (!st->over && !s->stopped) {
    heap_insert(s, st);
    schedule_wakeup(s, now);
  }
}

/* The stream at the top of the heap is due: send its request, drop it if
 * the runner is too late for it, or block the stream behind its cap. */
static void emit(ed_sched_t *s, stream_t *st, uint64_t now) {
  announce_phase(s, st, st->next_phase, st->next_ns);
  /* A runner so far behind that the request would already have timed out
   * drops it: sending it now would measure nothing and stretch the run. */
  if ((int64_t)now - st->next_ns > st->spec.drop_after_ns)
    drop_one(s, st, st->next_phase, now);
  else
    send_one(s, st, st->next_ns, st->next_phase, 0, now);
  if (stream_advance(st, s->t0)) {
    heap_pop(s);
  } else {
    s->heap[0].at = st->next_ns;
    heap_down(s, 0);
  }
}

static void on_done(ed_request_t *req, const ed_result_t *res) {
  slot_t *slot = req->core_data;
  stream_t *st = slot->stream;
  ed_sched_t *s = st->sched;
  uint64_t now = uv_hrtime();
  int64_t lat_us = ((int64_t)now - (int64_t)req->intended_ns) / 1000;
  int64_t svc_us = ((int64_t)now - (int64_t)req->sent_ns) / 1000;
  size_t w = st->spec.workload;
  tick_to(s, now);
  ed_metrics_completed(s->metrics, w, st->spec.target, slot->phase,
                       sec_of(s, now), res->err, lat_us, svc_us);
  if (s->ev.request) {
    ed_sched_record_t rec = {
        .workload = w,
        .target = st->spec.target,
        .phase = slot->phase,
        .intended_ns = (int64_t)req->intended_ns - (int64_t)s->t0,
        .sent_ns = (int64_t)req->sent_ns - (int64_t)s->t0,
        .latency_us = lat_us,
        .service_us = svc_us,
        .late = slot->late,
        .res = res,
    };
    s->ev.request(s->ev.arg, &rec);
  }
  st->in_flight--;
  s->wl_in_flight[w]--;
  slot->next_free = st->free_slots;
  st->free_slots = slot;
  if (st->blocked)
    pull(s, st, now);
  check_done(s);
}

/* ---- the pump --------------------------------------------------------- */

static void on_tfd(uv_poll_t *p, int status, int events);
static void on_idle(uv_idle_t *i);

static void set_idle(ed_sched_t *s, int on) {
  if (on && !s->idle_on)
    uv_idle_start(&s->idle, on_idle);
  else if (!on && s->idle_on)
    uv_idle_stop(&s->idle);
  s->idle_on = on;
}

/* The loop sleeps in epoll until the timerfd fires at the exact intended
 * time of the next send: libuv's own timers count whole milliseconds, and
 * spinning the loop instead would burn a core at any rate. */
static void arm(ed_sched_t *s, int64_t at_ns) {
  struct itimerspec its = {.it_value = {.tv_sec = at_ns / 1000000000,
                                        .tv_nsec = at_ns % 1000000000}};
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
    its.it_value.tv_nsec = 1; /* zero would disarm it */
  timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
  if (!s->tpoll_on) {
    uv_poll_start(&s->tpoll, UV_READABLE, on_tfd);
    s->tpoll_on = 1;
  }
}

static void disarm(ed_sched_t *s) {
  struct itimerspec its = {{0, 0}, {0, 0}};
  timerfd_settime(s->tfd, 0, &its, NULL);
  if (s->tpoll_on) {
    uv_poll_stop(&s->tpoll);
    s->tpoll_on = 0;
  }
}

/* Arrange to be woken for the next due request. uv_hrtime() and the timerfd
 * both run on CLOCK_MONOTONIC. */
static void schedule_wakeup(ed_sched_t *s, uint64_t now) {
  (void)now;
  set_idle(s, s->sweeping && !s->done_sent);
  if (s->heap_len == 0) {
    disarm(s);
    return;
  }
  arm(s, s->heap[0].at);
}

static void pump(ed_sched_t *s) {
  uint64_t now = uv_hrtime();
  tick_to(s, now);
  int n = 0;
  while (s->heap_len > 0 && s->heap[0].at <= (int64_t)now && n < BATCH_MAX) {
    stream_t *st = s->heap[0].st;
    if (!st->free_slots &&
        (int64_t)now - st->next_ns <= st->spec.drop_after_ns) {
      heap_pop(s);
      st->blocked = 1;
      continue;
    }
    emit(s, st, now);
    n++;
    if ((n & 63) == 0)
      now = uv_hrtime();
  }
  if (s->sweeping)
    s->sweeping = ed_metrics_sweep(s->metrics, SWEEP_SLICE);
  if (n == BATCH_MAX && s->heap_len > 0 && s->heap[0].at <= (int64_t)now) {
    set_idle(s, 1); /* behind schedule: come straight back */
  } else {
    schedule_wakeup(s, uv_hrtime());
  }
  check_done(s);
}

static void on_tfd(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  ed_sched_t *s = p->data;
  uint64_t expirations;
  /* One read resets the count: a second would only say EAGAIN, a system
   * call per wake-up for nothing at 10,000 wake-ups a second. EAGAIN here
   * (not expired yet) leaves the pump nothing due. */
  ssize_t n = read(s->tfd, &expirations, sizeof(expirations));
  (void)n;
  pump(s);
}
static void on_idle(uv_idle_t *i) {
  pump(i->data);
}

static void on_ticker(uv_timer_t *t) {
  ed_sched_t *s = t->data;
  uint64_t now = uv_hrtime();
  tick_to(s, now);
  /* A blocked stream whose device never answers still drops its requests
   * on time. */
  for (size_t i = 0; i < s->nstreams; i++)
    if (s->streams[i].blocked)
      pull(s, &s->streams[i], now);
  schedule_wakeup(s, now);
  check_done(s);
}

/* ---- lifecycle -------------------------------------------------------- */

static int stream_init(ed_sched_t *s, stream_t *st,
                       const ed_stream_spec_t *spec) {
  st->spec = *spec;
  st->sched = s;
  if (st->spec.max_in_flight < 1)
    st->spec.max_in_flight = 1;
  ed_profile_init(&st->profile, spec->segs, spec->nsegs, spec->arrival,
                  spec->seed);
  st->slots = calloc((size_t)st->spec.max_in_flight, sizeof(*st->slots));
  if (!st->slots)
    return ED_ENOMEM;
  for (int i = st->spec.max_in_flight - 1; i >= 0; i--) {
    st->slots[i].stream = st;
    st->slots[i].next_free = st->free_slots;
    st->free_slots = &st->slots[i];
  }
  return 0;
}

int ed_sched_create(uv_loop_t *loop, const ed_stream_spec_t *streams,
                    size_t nstreams, size_t nworkloads, ed_metrics_t *metrics,
                    const ed_sched_events_t *events, ed_sched_t **out) {
  ed_sched_t *s = calloc(1, sizeof(*s));
  if (!s)
    return ED_ENOMEM;
  s->loop = loop;
  s->metrics = metrics;
  s->ev = *events;
  s->nworkloads = nworkloads;
  s->nstreams = nstreams;
  s->streams = calloc(nstreams + 1, sizeof(*s->streams));
  s->heap = calloc(nstreams + 1, sizeof(*s->heap));
  s->wl_in_flight = calloc(nworkloads + 1, sizeof(*s->wl_in_flight));
  s->wl_phase = calloc(nworkloads + 1, sizeof(*s->wl_phase));
  if (!s->streams || !s->heap || !s->wl_in_flight || !s->wl_phase)
    goto nomem;
  for (size_t i = 0; i < nstreams; i++)
    if (stream_init(s, &s->streams[i], &streams[i]))
      goto nomem;
  s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (s->tfd < 0)
    goto nomem;
  /* Timer slack would let the kernel fire up to 50 us late. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  uv_poll_init(loop, &s->tpoll, s->tfd);
  uv_idle_init(loop, &s->idle);
  uv_timer_init(loop, &s->ticker);
  s->tpoll.data = s->idle.data = s->ticker.data = s;
  *out = s;
  return 0;
nomem:
  for (size_t i = 0; s->streams && i < nstreams; i++)
    free(s->streams[i].slots);
  free(s->streams);
  free(s->heap);
  free(s->wl_in_flight);
  free(s->wl_phase);
  free(s);
  return ED_ENOMEM;
}

static stream_t *stream_at(const ed_sched_t *s, size_t i) {
  return &s->streams[i];
}

int ed_sched_start(ed_sched_t *s) {
  return ed_sched_start_at(s, uv_hrtime());
}

int ed_sched_start_at(ed_sched_t *s, uint64_t t0) {
  s->t0 = t0;
  s->last_sec = 0;
  for (size_t i = 0; i < s->nstreams; i++) {
    stream_t *st = stream_at(s, i);
    if (stream_advance(st, s->t0) == 0) {
      heap_insert(s, st);
    }
  }
  uint64_t now = uv_hrtime();
  uint64_t late_ms = now > t0 ? (now - t0) / 1000000 : 0;
  uv_timer_start(&s->ticker, on_ticker, late_ms < 1000 ? 1000 - late_ms : 0,
                 1000);
  pump(s);
  return 0;
}

void ed_sched_stop(ed_sched_t *s) {
  if (s->stopped)
    return;
  s->stopped = 1;
  s->heap_len = 0;
  uint64_t now = uv_hrtime();
  /* The seconds passed are closed before the drops below are counted in
   * the current one, so that the journal keeps its seconds in order. */
  tick_to(s, now);
  for (size_t i = 0; i < s->nstreams; i++) {
    stream_t *st = stream_at(s, i);
    /* What was due and waiting for a slot is dropped, not sent. */
    if (st->blocked)
      pull(s, st, now);
    st->blocked = 0;
    st->over = 1;
  }
  schedule_wakeup(s, now);
  check_done(s);
}

uint64_t ed_sched_t0(const ed_sched_t *s) {
  return s->t0;
}

int64_t ed_sched_in_flight(const ed_sched_t *s) {
  int64_t n = 0;
  for (size_t w = 0; w < s->nworkloads; w++)
    n += s->wl_in_flight[w];
  return n;
}

int64_t ed_sched_waiting(const ed_sched_t *s) {
  int64_t n = 0;
  for (size_t i = 0; i < s->nstreams; i++)
    n += stream_at(s, i)->blocked;
  return n;
}

static void on_closed(uv_handle_t *h) {
  ed_sched_t *s = h->data;
  if (--s->closing > 0)
    return;
  for (size_t i = 0; i < s->nstreams; i++) {
    stream_t *st = stream_at(s, i);
    free(st->slots);
  }
  free(s->streams);
  free(s->heap);
  free(s->wl_in_flight);
  free(s->wl_phase);
  close(s->tfd);
  free(s);
}

void ed_sched_destroy(ed_sched_t *s) {
  if (!s)
    return;
  s->closing = 3;
  uv_close((uv_handle_t *)&s->tpoll, on_closed);
  uv_close((uv_handle_t *)&s->idle, on_closed);
  uv_close((uv_handle_t *)&s->ticker, on_closed);
}
