/*
 * collect_check: what eventdrill-driver-test checks of a driver's health
 * collection (driver.h, ABI version 2's collect), the way the core calls it:
 *   - collect returns 0 and then calls c->done exactly once, on the loop
 *     thread (from inside collect too: the header allows it), or returns <0
 *     without calling it;
 *   - the snapshot is the JSON text of one object with the members driver.h
 *     requires ("reachable"; "error" when it is false) and the listed
 *     members in their types; the target's secret is never in it;
 *   - a collection running when target_stop comes is answered once,
 *     promptly, its unread parts as cancelled gaps; so is one asked of the
 *     target once it is stopped.
 * Every collection belongs to the checker until ed_ccheck_destroy, however
 * the driver behaves: a done called late or twice is recorded, never a use
 * after free. Everything runs on the loop thread.
 */
#ifndef ED_COLLECT_CHECK_H
#define ED_COLLECT_CHECK_H

#include <stdint.h>
#include <uv.h>

#include <eventdrill/driver.h>

/* One report line: status is "ok", "FAIL", "warn" or "skip". */
typedef void (*ed_ccheck_say_cb)(void *arg, const char *status,
                                 const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct ed_ccheck_spec_s {
  const ed_driver_t *drv;
  int max_in_flight;  /* c->max_in_flight */
  int64_t timeout_ms; /* c->timeout_ms, per request */
  int64_t wait_ms;    /* how long a collection may take in all */
  const char *secret; /* must never be in a snapshot; may be NULL */
  int expect_ok;      /* the device must be reachable */
  ed_ccheck_say_cb say;
  void *say_arg;
} ed_ccheck_spec_t;

typedef struct ed_ccheck_s ed_ccheck_t;

/* A checker on `loop` (borrowed); the spec is copied. NULL when out of
 * memory. Free with ed_ccheck_destroy. */
ed_ccheck_t *ed_ccheck_create(uv_loop_t *loop, const ed_ccheck_spec_t *spec);
/* One full collection on a started target, waited for and judged (one
 * line named `what`). */
void ed_ccheck_run(ed_ccheck_t *k, void *target, const char *what);
/* A collection on a started target, then target_stop at once: both must
 * answer once, the collection with its unread parts cancelled; then one
 * more collection on the stopped target, which must answer once without
 * reading (a warning when nothing in it is cancelled). The target is
 * stopped afterwards whatever happened (the caller closes it). */
void ed_ccheck_run_stopped(ed_ccheck_t *k, void *target, const char *what);
/* From now on a done counts as "after target_close". */
void ed_ccheck_mark_closed(ed_ccheck_t *k);
/* Report what happened since the judging (a done called again, or after
 * target_close), then free everything. Call once every target is closed and
 * the loop has run. NULL is ok. */
void ed_ccheck_destroy(ed_ccheck_t *k);

#endif
