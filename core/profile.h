/*
 * profile: arrival-rate profiles. Turns a workload's segments (constant,
 * ramp, step, spike) into the intended send times of its requests.
 *
 * The n-th request of a target is due at the time t where the expected count
 * Lambda(t) = integral of rate(0..t) reaches c_n, with c_n = n (uniform
 * arrivals, evenly spaced at the instantaneous rate) or c_n = c_{n-1} + E,
 * E ~ Exp(1) drawn from a seeded generator (Poisson arrivals). Times are
 * computed from the start of the profile, never accumulated from the previous
 * send, so they do not drift.
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
} ed_profile_t;

/* Prepare iteration. segs must outlive the profile. */
void ed_profile_init(ed_profile_t *p, const ed_segment_t *segs, size_t nsegs,
                     ed_arrival_t arrival, uint64_t seed);
/* Next intended send time, in ns from the profile's start, and the index of
 * the segment (phase) it falls in. Returns 0, or 1 when the profile is over. */
int ed_profile_next(ed_profile_t *p, int64_t *t_ns, size_t *seg);

/* Instantaneous rate (req/s) of a segment at ms from its start. */
double ed_segment_rate_at(const ed_segment_t *s, double t_ms);
/* Expected number of requests of a segment (its integral). */
double ed_segment_expected(const ed_segment_t *s);
/* Peak rate of a segment. */
double ed_segment_peak(const ed_segment_t *s);

#endif
