/*
 * profile: intended send times from rate segments.
 *
 * Constant, step and spike segments are piecewise constant: they are cut into
 * pieces (start, length, rate) and Lambda is inverted piece by piece. A ramp
 * is inverted in closed form. Work is done in seconds as doubles and turned
 * into integer nanoseconds only at the end, against the segment's exact start.
 */
#include "profile.h"

#include <math.h>

typedef struct piece_s {
  double t0;   /* start, s from the segment's start */
  double len;  /* s */
  double rate; /* req/s */
} piece_t;

static double seconds(const ed_segment_t *s) {
  return (double)s->duration_ms / 1000.0;
}

static int npieces(const ed_segment_t *s) {
  switch (s->kind) {
  case ED_SEG_STEP:
    return s->steps >= 1 ? s->steps + 1 : 1;
  case ED_SEG_SPIKE:
    return 3;
  default:
    return 1;
  }
}

/* Spike window clipped to the segment, in ms (whole ms keep the lengths
 * exact: a 100 ms window at 100 req/s holds 10.0, not 9.999...). */
static void spike_window(const ed_segment_t *s, int64_t *a, int64_t *b) {
  int64_t d = s->duration_ms;
  int64_t at = s->at_ms < 0 ? 0 : s->at_ms;
  int64_t w = s->width_ms < 0 ? 0 : s->width_ms;
  *a = at < d ? at : d;
  *b = w < d - *a ? *a + w : d;
}

/* Piece i of a piecewise-constant segment (not a ramp). Step: steps + 1
 * levels of equal length, level k at from + (to - from) * k / steps.
 * Bounds are computed in ms, then turned into s. */
static piece_t piece(const ed_segment_t *s, int i) {
  double d = (double)s->duration_ms;
  double t0 = 0.0, t1 = d, rate = s->from;
  if (s->kind == ED_SEG_STEP && s->steps >= 1) {
    int n = s->steps + 1;
    t0 = d * i / n;
    t1 = d * (i + 1) / n;
    rate = s->from + (s->to - s->from) * i / s->steps;
  } else if (s->kind == ED_SEG_SPIKE) {
    int64_t a, b;
    spike_window(s, &a, &b);
    int64_t starts[4] = {0, a, b, s->duration_ms};
    t0 = (double)starts[i];
    t1 = (double)starts[i + 1];
    rate = i == 1 ? s->to : s->from;
  }
  piece_t p = {t0 / 1000.0, (t1 - t0) / 1000.0, rate};
  return p;
}

double ed_segment_rate_at(const ed_segment_t *s, double t_ms) {
  double t = t_ms / 1000.0, d = seconds(s);
  if (s->kind == ED_SEG_RAMP)
    return d > 0 ? s->from + (s->to - s->from) * fmin(fmax(t / d, 0), 1)
                 : s->from;
  int n = npieces(s);
  for (int i = 0; i < n; i++) {
    piece_t p = piece(s, i);
    if (t < p.t0 + p.len && p.len > 0)
      return p.rate;
  }
  /* At or past the end: the last level holds. */
  return piece(s, n - 1).rate;
}

double ed_segment_expected(const ed_segment_t *s) {
  if (s->kind == ED_SEG_RAMP)
    return (s->from + s->to) / 2.0 * seconds(s);
  double sum = 0.0;
  for (int i = 0, n = npieces(s); i < n; i++) {
    piece_t p = piece(s, i);
    sum += p.rate * p.len;
  }
  return sum;
}

double ed_segment_peak(const ed_segment_t *s) {
  switch (s->kind) {
  case ED_SEG_RAMP:
  case ED_SEG_STEP:
    return fmax(s->from, s->to);
  case ED_SEG_SPIKE: {
    int64_t a, b;
    spike_window(s, &a, &b);
    return b > a ? fmax(s->from, s->to) : s->from;
  }
  default:
    return s->from;
  }
}

/* Time t (s) where a ramp's count a*t + k*t^2/2 reaches x: the root of the
 * quadratic written as 2x / (a + sqrt(a^2 + 2kx)), which does not cancel
 * when k is small and holds for k == 0 and for falling ramps. */
static double ramp_inverse(const ed_segment_t *s, double x) {
  double d = seconds(s);
  double a = s->from, k = (s->to - s->from) / d;
  double disc = fmax(a * a + 2.0 * k * x, 0.0);
  double den = a + sqrt(disc);
  return den > 0 ? 2.0 * x / den : 0.0;
}

/* Time t (s) where a piecewise-constant segment's count reaches x, for
 * 0 <= x < expected. x only grows, so the search resumes at the piece of the
 * previous call (*piece, whose start is at count *at). Zero-rate pieces are
 * passed over. The counts add up in the order ed_segment_expected uses, so
 * the two agree to the bit. */
static double pieces_inverse(const ed_segment_t *s, double x, int *piece_i,
                             double *at) {
  for (int n = npieces(s); *piece_i < n; ++*piece_i) {
    piece_t p = piece(s, *piece_i);
    double c = p.rate * p.len;
    if (p.rate > 0 && x < *at + c)
      return p.t0 + (x - *at) / p.rate;
    *at += c;
  }
  /* Unreachable for x < expected; the end of the segment otherwise. */
  return seconds(s);
}

static double segment_inverse(ed_profile_t *p, const ed_segment_t *s,
                              double x) {
  x = fmax(x, 0.0);
  return s->kind == ED_SEG_RAMP
             ? ramp_inverse(s, x)
             : pieces_inverse(s, x, &p->piece, &p->piece_count);
}

/* Make segment p->seg (if any) the current one. */
static void enter_segment(ed_profile_t *p) {
  p->piece = 0;
  p->piece_count = 0.0;
  p->seg_expected =
      p->seg < p->nsegs ? ed_segment_expected(&p->segs[p->seg]) : 0.0;
}

static void advance_count(ed_profile_t *p) {
  p->next_count += p->arrival == ED_ARRIVAL_POISSON ? ed_rng_exp(&p->rng) : 1.0;
}

void ed_profile_init(ed_profile_t *p, const ed_segment_t *segs, size_t nsegs,
                     ed_arrival_t arrival, uint64_t seed) {
  p->segs = segs;
  p->nsegs = nsegs;
  p->arrival = arrival;
  ed_rng_seed(&p->rng, seed);
  p->seg = 0;
  p->seg_start_ns = 0;
  p->seg_count = 0.0;
  p->emitted = 0;
  enter_segment(p);
  /* Uniform: c_n = n - 0.5, the middle of each request's unit of count. */
  p->next_count = arrival == ED_ARRIVAL_POISSON ? 0.0 : -0.5;
  advance_count(p);
}

/* Nanoseconds from the segment's start for t seconds, kept inside it so that
 * a time never lands in the next segment by rounding. */
static int64_t to_ns(const ed_segment_t *s, double t) {
  int64_t end = s->duration_ms * 1000000;
  double ns = nearbyint(t * 1e9);
  if (!(ns >= 0))
    return 0;
  return ns < (double)end ? (int64_t)ns : end - 1;
}

int ed_profile_next(ed_profile_t *p, int64_t *t_ns, size_t *seg) {
  while (p->seg < p->nsegs) {
    const ed_segment_t *s = &p->segs[p->seg];
    if (p->next_count < p->seg_count + p->seg_expected) {
      double t = segment_inverse(p, s, p->next_count - p->seg_count);
      *t_ns = p->seg_start_ns + to_ns(s, t);
      *seg = p->seg;
      p->emitted++;
      advance_count(p);
      return 0;
    }
    p->seg_count += p->seg_expected;
    p->seg_start_ns += s->duration_ms * 1000000;
    p->seg++;
    enter_segment(p);
  }
  return 1;
}

const char *ed_segment_kind_name(ed_seg_kind_t k) {
  switch (k) {
  case ED_SEG_CONSTANT:
    return "constant";
  case ED_SEG_RAMP:
    return "ramp";
  case ED_SEG_STEP:
    return "step";
  case ED_SEG_SPIKE:
    return "spike";
  }
  return "?";
}
