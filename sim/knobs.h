/*
 * knobs: the fault knobs of a virtual BMC (latency, errors, resets, hangs,
 * capacity), their JSON form, the seeded decisions drawn from them, and the
 * FIFO worker gate that makes a BMC with `capacity` workers queue a surge.
 *
 * Pure logic: no sockets, no timers, so the unit tests can drive it.
 */
#ifndef ED_SIM_KNOBS_H
#define ED_SIM_KNOBS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum {
  ED__LAT_NONE = 0,
  ED__LAT_FIXED,     /* a = delay */
  ED__LAT_UNIFORM,   /* a = min, b = max */
  ED__LAT_LOGNORMAL, /* a = median, b = p99 */
};

/* One BMC's knobs. Small and flat: a fleet holds one per BMC. */
typedef struct ed__knobs_s {
  uint8_t lat_kind;      /* ED__LAT_* */
  uint16_t error_status; /* status of injected errors; default 503 */
  uint32_t lat_a_ms;
  uint32_t lat_b_ms;
  uint32_t capacity; /* concurrent workers; 0 = unlimited */
  float error_rate;  /* probability of answering error_status */
  float reset_rate;  /* probability of resetting the connection */
  float hang_rate;   /* probability of never answering (1 = all) */
} ed__knobs_t;

/* Which fields a patch sets (a run-time update changes only those). */
enum {
  ED__KNOB_LATENCY = 1 << 0,
  ED__KNOB_ERROR_RATE = 1 << 1,
  ED__KNOB_ERROR_STATUS = 1 << 2,
  ED__KNOB_RESET_RATE = 1 << 3,
  ED__KNOB_HANG_RATE = 1 << 4,
  ED__KNOB_CAPACITY = 1 << 5,
  ED__KNOB_CLEAR = 1 << 6, /* reset every knob to its default first */
};

typedef struct ed__knobs_patch_s {
  unsigned mask; /* ED__KNOB_* */
  ed__knobs_t v; /* values of the fields in mask */
} ed__knobs_patch_t;

/* All knobs off (no latency, no faults, unlimited capacity). */
void ed__knobs_default(ed__knobs_t *k);
void ed__knobs_apply(ed__knobs_t *k, const ed__knobs_patch_t *p);

/* Is `key` one of the knob keys ("latency", "error_rate", "error_status",
 * "reset_rate", "hang_rate", "hang", "capacity", "clear")? */
int ed__knobs_is_key(const char *key);

/* Read the knob keys of obj into a patch; keys that are not knobs are
 * ignored (the caller checks for unknown keys). On error returns ED_EINVAL
 * and writes "<where>.<key>: <why>" into errbuf. */
int ed__knobs_parse(const json_t *obj, const char *where,
                    ed__knobs_patch_t *out, char *errbuf, size_t errlen);

/* The knobs as JSON (new reference, caller decrefs; NULL on ENOMEM). */
json_t *ed__knobs_to_json(const ed__knobs_t *k);

/* A duration: integer milliseconds, or a string "250ms", "2s", "1.5s",
 * "1m", "1h". 0 or ED_EINVAL. */
int ed__duration_parse(const json_t *v, int64_t *ms);
int ed__duration_parse_str(const char *s, int64_t *ms);

/* A small seeded generator (splitmix64): one 8-byte state per BMC keeps each
 * BMC's draws reproducible whatever the interleaving of the fleet. */
uint64_t ed__rand_next(uint64_t *state);
double ed__rand_uniform(uint64_t *state); /* [0, 1) */
double ed__rand_normal(uint64_t *state);

enum {
  ED__ACT_ANSWER = 0, /* let the service answer */
  ED__ACT_ERROR,      /* answer decision.status */
  ED__ACT_RESET,      /* reset the connection */
  ED__ACT_HANG,       /* never answer */
};

typedef struct ed__decision_s {
  int action;        /* ED__ACT_* */
  int status;        /* for ED__ACT_ERROR */
  uint32_t delay_ms; /* service time before acting (occupies a worker) */
} ed__decision_t;

/* Draw the fate of one request. */
void ed__knobs_decide(const ed__knobs_t *k, uint64_t *rng, ed__decision_t *d);
/* Draw one latency (ms) from the knobs' distribution. */
uint32_t ed__knobs_latency(const ed__knobs_t *k, uint64_t *rng);

/* The worker gate: `capacity` workers, FIFO waiters. A waiter is embedded in
 * the caller's request (intrusive, no allocation). */
typedef struct ed__waiter_s {
  struct ed__waiter_s *prev, *next;
  int queued; /* 1 while in the FIFO */
} ed__waiter_t;

typedef struct ed__gate_s {
  ed__waiter_t *head, *tail;
  uint32_t busy;   /* workers in use */
  uint32_t queued; /* waiters in the FIFO */
} ed__gate_t;

/* Take a worker: returns 1 if w got one now, 0 if w was queued. capacity 0
 * means unlimited (always 1). */
int ed__gate_enter(ed__gate_t *g, uint32_t capacity, ed__waiter_t *w);
/* Give a worker back. Returns the waiter that now holds it (removed from the
 * FIFO), or NULL. */
ed__waiter_t *ed__gate_leave(ed__gate_t *g, uint32_t capacity);
/* Admit the next waiter if a worker is free (after the capacity grew).
 * Returns it (now holding a worker), or NULL. */
ed__waiter_t *ed__gate_admit(ed__gate_t *g, uint32_t capacity);
/* Remove a queued waiter (its connection went away). */
void ed__gate_cancel(ed__gate_t *g, ed__waiter_t *w);

#endif
