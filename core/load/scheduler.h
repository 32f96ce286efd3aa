/*
 * scheduler: the open-loop engine. Each stream (one workload on one target)
 * walks its rate profile and hands a request to its driver at each intended
 * send time, whether or not earlier requests came back. Latency is measured
 * from the intended time, so a stalled device cannot hide its slowness.
 *
 * When a stream's in-flight cap is reached, its due requests wait and go out
 * as soon as a slot frees: they are counted `late` (and their latency still
 * runs from their intended time). A request that waited longer than the
 * stream's drop bound is counted `dropped` and never sent. Nothing is shifted
 * silently.
 *
 * Timing: the loop sleeps in epoll until a timerfd fires at the exact
 * intended time of the next request, so sends leave within microseconds of
 * it, without libuv's 1 ms timer granularity and without spinning.
 */
#ifndef ED_SCHEDULER_H
#define ED_SCHEDULER_H

#include <eventdrill/driver.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "metrics.h"
#include "scenario.h"

typedef struct ed_sched_s ed_sched_t;

/* Hands a request to the driver of a target: returns 0, or <0 when it could
 * not start (the scheduler then completes it as an error itself). */
typedef int (*ed_sched_submit_fn)(void *ctx, ed_request_t *req);

typedef struct ed_stream_spec_s {
  size_t workload, target;  /* indices, as in ed_metrics_create */
  const ed_segment_t *segs; /* borrowed; outlives the scheduler */
  size_t nsegs;
  ed_arrival_t arrival;
  uint64_t seed;
  int64_t start_ns; /* offset of the profile from the run start */
  int max_in_flight;
  int64_t timeout_ms;    /* given to each request */
  int64_t drop_after_ns; /* backlog age at which a request is dropped */
  void *op;              /* the driver's prepared operation */
  ed_sched_submit_fn submit;
  void *submit_ctx;
} ed_stream_spec_t;

/* One finished request, for the per-request journal. */
typedef struct ed_sched_record_s {
  size_t workload, target, phase;
  int64_t intended_ns; /* from the run start */
  int64_t sent_ns;     /* from the run start */
  int64_t latency_us, service_us;
  int late;
  const ed_result_t *res;
} ed_sched_record_t;

typedef struct ed_sched_events_s {
  void *arg;
  /* A workload entered phase ph (first of its targets to do so). */
  void (*phase)(void *arg, size_t workload, size_t ph, int64_t t_ns);
  /* A request completed (may be NULL). */
  void (*request)(void *arg, const ed_sched_record_t *rec);
  /* Second sec of the run has closed (metrics ticked). */
  void (*second)(void *arg, int64_t sec);
  /* Every stream is over and nothing is in flight. */
  void (*done)(void *arg);
} ed_sched_events_t;

/* Create a scheduler on loop for the given streams; metrics is borrowed and
 * receives every count. Returns 0 or ED_E*. */
int ed_sched_create(uv_loop_t *loop, const ed_stream_spec_t *streams,
                    size_t nstreams, size_t nworkloads, ed_metrics_t *metrics,
                    const ed_sched_events_t *events, ed_sched_t **out);
/* Start the clock: the run's time 0 is now. */
int ed_sched_start(ed_sched_t *s);
/* Start the clock at t0 (uv_hrtime clock, now or a little before: the
 * instant shards agreed on). Requests due since then go out at once, and
 * their send lag says by how much they were late. */
int ed_sched_start_at(ed_sched_t *s, uint64_t t0);
/* Stop sending (interrupt): no new request goes out; waiting ones are
 * dropped; in-flight ones still complete. done fires when none is left. */
void ed_sched_stop(ed_sched_t *s);
/* Run start on the uv_hrtime() clock. */
uint64_t ed_sched_t0(const ed_sched_t *s);
/* Requests in flight now, over all streams. */
int64_t ed_sched_in_flight(const ed_sched_t *s);
/* Streams whose due requests wait for a free slot now. */
int64_t ed_sched_waiting(const ed_sched_t *s);
/* Close the scheduler's handles; memory is freed once they are closed (run
 * the loop). Only once nothing is in flight (after done). */
void ed_sched_destroy(ed_sched_t *s);

#endif
