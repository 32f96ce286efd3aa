/*
 * profile: arrival-rate profiles. Turns a workload's segments (constant,
 * ramp, step, spike) into the intended send times of its requests.
 *
 * The n-th request (n = 1, 2, ...) of a target is due at the time t where
 * the expected count Lambda(t) = integral of rate(0..t) reaches c_n, with
 * c_n = n - 0.5 (uniform arrivals: each request sits in the middle of its unit
 * of count, so a constant 100 req/s for 10 s gives exactly 1000 requests at
 * 5 ms, 15 ms, ... 9995 ms, and a profile holds round(integral) requests) or
 * c_n = c_{n-1} + E, c_0 = 0, E ~ Exp(1) drawn from a seeded generator
 * (Poisson arrivals: the same seed gives the same times). Lambda runs on
 * across segments, so there is no gap or double at a boundary; the profile is
 * over when c_n reaches the total integral. A zero-rate stretch holds no
 * request but its time passes. Times are computed from the start of the
 * profile, never accumulated from the previous send, so they do not drift.
 *
 * Segment shapes (D = duration):
 *   constant  rate `from` over [0, D).
 *   ramp      rate from + (to - from) * t / D.
 *   step      `steps` + 1 levels of equal length D / (steps + 1); level k
 *             (k = 0..steps) has rate from + (to - from) * k / steps, so it
 *             starts at `from` and climbs `steps` equal steps to `to`.
 *   spike     rate `to` over [at, at + width) (clipped to [0, D)), `from`
 *             elsewhere.
 */
#ifndef ED_PROFILE_H
#define ED_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "scenario.h"

typedef struct ed_profile_s {
  const ed_segment_t *segs; /* borrowed */
  size_t nsegs;
  ed_arrival_t arrival;
  ed_rng_t rng;
  size_t seg;           /* current segment */
  int64_t seg_start_ns; /* start of the current segment */
  double seg_count;     /* expected count reached at the segment's start */
  double next_count;    /* c_n of the next request */
  uint64_t emitted;
  /* Caches of the current segment, so that a step of many levels costs O(1)
   * per request: its expected count, its current constant piece (step
   * level / spike part) and the count reached at that piece's start. */
  double seg_expected;
  int piece;
  double piece_count;
} ed_profile_t;

/* Prepare iteration. segs must outlive the profile. */
void ed_profile_init(ed_profile_t *p, const ed_segment_t *segs, size_t nsegs,
                     ed_arrival_t arrival, uint64_t seed);
/* Next intended send time, in ns from the profile's start, and the index of
 * the segment (phase) it falls in. Returns 0, or 1 when the profile is over. */
int ed_profile_next(ed_profile_t *p, int64_t *t_ns, size_t *seg);

/* Instantaneous rate (req/s) of a segment at ms from its start (at or past
 * the end: the rate of its last instant). */
double ed_segment_rate_at(const ed_segment_t *s, double t_ms);
/* Expected number of requests of a segment (its integral). */
double ed_segment_expected(const ed_segment_t *s);
/* "constant", "ramp", "step" or "spike" (static). */
const char *ed_segment_kind_name(ed_seg_kind_t k);
/* Peak rate of a segment. */
double ed_segment_peak(const ed_segment_t *s);

#endif
