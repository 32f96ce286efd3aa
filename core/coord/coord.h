/*
 * coord: the channel between the shards of one drill (`--coordinator
 * ADDR:PORT`). Shard 0 is the coordinator: it listens there, and every
 * other shard connects to it. Over the channel the shards
 *
 *   - prove they hold the same token (HMAC-SHA256 of a fresh nonce each
 *     way: the token itself never crosses the wire) and run the same drill;
 *   - have their clock's offset from the coordinator's measured (NTP-style
 *     exchanges, the one of least round trip kept);
 *   - meet at a start barrier: each says it is ready, and all start at one
 *     instant the coordinator picks, on each shard's own clock;
 *   - stop together: a shard that aborts, or that disappears (its
 *     connection closes, or nothing is heard from it for a while), aborts
 *     the drill everywhere;
 *   - run probes for each other: a shard asks the shard that owns a target
 *     to run a check, an action or a proof on it, and gets the outcome
 *     back (through the coordinator); the shards stay until every shard
 *     has said it will ask nothing more.
 *
 * Messages are JSON objects, each framed by its length (4 bytes, big
 * endian) and bounded in size; a peer that breaks the framing is dropped.
 * Everything happens on the caller's loop, never blocking it.
 */
#ifndef ED_COORD_H
#define ED_COORD_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

typedef struct ed_coord_s ed_coord_t;

/* Who asked for a probe: where its answer goes. */
typedef struct ed_coord_caller_s {
  unsigned shard;
  long long id;
} ed_coord_caller_t;

/* The answer to a call (borrowed), or NULL with why when none will come
 * (the drill stopped, the shard is not connected). */
typedef void (*ed_coord_answer_cb)(void *arg, const json_t *answer,
                                   const char *why);

typedef struct ed_coord_config_s {
  const char *address; /* HOST:PORT, [V6]:PORT, or PORT (127.0.0.1) */
  unsigned shard;      /* this process's shard... */
  unsigned count;      /* ...of count (≥ 2) */
  const char *token;   /* the shared secret (≥ 16 bytes), never sent */
  const char *drill;   /* what makes the shards one drill: compared as is */
  uint64_t wait_ms;    /* how long the barrier waits for every shard */
  uint64_t silence_ms; /* a peer not heard from for this long is gone */
} ed_coord_config_t;

typedef struct ed_coord_events_s {
  void *arg;
  /* Every shard is ready: start the load at t0 (this process's uv_hrtime
   * clock; a little in the future when called). */
  void (*start)(void *arg, uint64_t t0);
  /* The drill stops everywhere: another shard aborted or disappeared, or
   * the coordinator cannot be reached. why names the shard and reason. */
  void (*abort)(void *arg, const char *why);
  /* Something for the journal (a shard joined, was ready, ended, was
   * lost; the barrier): obj is stolen. May be NULL. */
  void (*event)(void *arg, const char *ev, json_t *obj);
  /* Another shard asks this one to run req (borrowed) on one of its
   * targets: answer with ed_coord_answer(c, from, ...), now or later. May
   * be NULL: every call is then answered with a refusal. */
  void (*serve)(void *arg, const json_t *req, ed_coord_caller_t from);
  /* Every shard has drained (ed_coord_drained), or the drill stopped:
   * nothing more will be asked of this one. May be NULL. */
  void (*released)(void *arg);
} ed_coord_events_t;

/* Parse the address and the token, listen (shard 0) or start connecting
 * (the others). 0, or -1 with the reason in err (a bad address or token:
 * the user's; a port that cannot be bound). */
int ed_coord_open(uv_loop_t *loop, const ed_coord_config_t *cfg,
                  const ed_coord_events_t *ev, ed_coord_t **out, char *err,
                  size_t errlen);

/* This shard is ready to start (its targets started, its steady state
 * met). The start event follows once every shard is. */
void ed_coord_ready(ed_coord_t *c);

/* This shard aborts (a guardrail, a signal, its journal...): every other
 * shard is told why. No start event comes after it. */
void ed_coord_abort(ed_coord_t *c, const char *why);

/* This shard's drill has ended. A shard says so and closes; the
 * coordinator waits until every shard has ended or is lost, then closes.
 * closed(arg) is called once the channel's handles are closed (run the
 * loop); c is freed then. */
void ed_coord_finish(ed_coord_t *c, void (*closed)(void *), void *arg);

/* Ask shard `to` to run req (stolen); cb is called once, with the answer
 * or why none will come (possibly before this returns). */
void ed_coord_call(ed_coord_t *c, unsigned to, json_t *req,
                   ed_coord_answer_cb cb, void *arg);

/* Answer a call served here (answer stolen). An answer larger than the
 * channel carries (1 MiB) reaches the caller as a failure saying so. */
void ed_coord_answer(ed_coord_t *c, ed_coord_caller_t to, json_t *answer);

/* This shard will ask nothing more of the others (its drill has ended).
 * The released event follows once every shard has said so, or at once
 * when the drill has stopped. */
void ed_coord_drained(ed_coord_t *c);

/* This shard's clock minus the coordinator's, in seconds (CLOCK_REALTIME),
 * and the round trip of the exchange it was measured on; 0 for the
 * coordinator itself. -1 before the measure. */
int ed_coord_offset(const ed_coord_t *c, double *offset_s, double *rtt_s);

/* The shards as the coordinator saw them: [{shard, offset_s, rtt_s,
 * ready, ended, lost}], a new reference; NULL on a shard other than 0. */
json_t *ed_coord_shards(const ed_coord_t *c);

#endif
