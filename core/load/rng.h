/*
 * rng: a small seeded pseudo-random generator (xoshiro256**, seeded with
 * splitmix64), so that runs with the same --seed draw the same numbers.
 */
#ifndef ED_RNG_H
#define ED_RNG_H

#include <stdint.h>

typedef struct ed_rng_s {
  uint64_t s[4];
} ed_rng_t;

void ed_rng_seed(ed_rng_t *r, uint64_t seed);
uint64_t ed_rng_next(ed_rng_t *r);
/* Uniform in [0, 1). */
double ed_rng_uniform(ed_rng_t *r);
/* Exponential with mean 1. */
double ed_rng_exp(ed_rng_t *r);
/* Standard normal (Box-Muller). */
double ed_rng_normal(ed_rng_t *r);

#endif
