/*
 * batch: runs one operation of a driver N times on a real loop, at most
 * `concurrency` requests in flight, and records how each request came back:
 * how many times done was called, from which thread, whether inside submit,
 * after target_close, and whether its result is well formed.
 *
 * The requests belong to the batch until ed_batch_destroy, however the
 * driver behaves: a request completed twice or late is recorded, never a
 * use after free.
 *
 * Threads: everything here runs on the loop thread, except the thread check
 * done itself makes.
 */
#ifndef ED_BATCH_H
#define ED_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include <eventdrill/driver.h>

#include "plugin_host.h"

typedef struct ed_batch_s ed_batch_t;

/* What the batch found; counts over its requests. */
typedef struct ed_batch_stats_s {
  size_t sent;         /* submit returned 0 */
  size_t refused;      /* submit returned < 0 (the core records "other") */
  size_t completed;    /* done called at least once */
  size_t twice;        /* done called more than once */
  size_t refused_done; /* done called although submit returned < 0 */
  size_t inside;       /* done called from inside submit */
  size_t wrong_thread; /* done called off the loop thread */
  size_t after_close;  /* done called after target_close returned */
  size_t bad_result;   /* error class out of range, value not JSON text */
  size_t secret;       /* the target's secret in a value or a detail */
  size_t no_detail;    /* a failure without a detail (a warning) */
  size_t missing;      /* never completed */
  size_t by_class[ED_ERRCLASS_COUNT];
  double p50_ms, max_ms; /* of the completed requests */
  char first_problem[512];
  char sample[160]; /* "timeout: <detail>", or "would run: <op_check value>" */
} ed_batch_stats_t;

typedef struct ed_batch_spec_s {
  ed_plugin_host_t *ph;
  const ed_driver_t *drv;
  void *target;
  void *prepared;     /* req->op */
  int check;          /* op_check instead of submit */
  size_t count;       /* requests in all */
  size_t concurrency; /* at most this many in flight */
  int64_t timeout_ms; /* req->timeout_ms */
  int64_t grace_ms;   /* how long past its timeout a request may take */
  const char *secret; /* must never come back in a result; may be NULL */
} ed_batch_spec_t;

/* Create a batch on `loop` (borrowed). The spec is copied (its pointers are
 * borrowed). Free with ed_batch_destroy. */
int ed_batch_create(uv_loop_t *loop, const ed_batch_spec_t *spec,
                    ed_batch_t **out);
/* Submit the requests and run the loop until each has completed, or one is
 * past its timeout and the grace. Returns 0 or <0 (the loop failed). */
int ed_batch_run(ed_batch_t *b);
/* Submit min(count, concurrency) requests without running the loop: they
 * are in flight when the caller closes the target. */
int ed_batch_submit_now(ed_batch_t *b);
/* From now on a completion counts as "after target_close". */
void ed_batch_mark_closed(ed_batch_t *b);
/* Fill *st from what happened so far. */
void ed_batch_stats(const ed_batch_t *b, ed_batch_stats_t *st);
/* Closes the batch's own handles (run the loop to finish closing) and frees
 * it; the requests' memory too, so only once the driver is done with them
 * (after target_close). NULL is ok. */
void ed_batch_destroy(ed_batch_t *b);

#endif
