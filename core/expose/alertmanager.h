/*
 * alertmanager: alarms sent to a Prometheus Alertmanager as alerts
 * (POST /api/v2/alerts), so that the duty team's routing, silences and
 * paging see what eventdrill sees.
 *
 * The caller sets each alert's state (firing, or resolved with its end
 * time); the sender posts what changed on the loop, never blocking its
 * caller: one request at a time, retried with a doubling backoff (1 s to
 * 30 s) while Alertmanager cannot be reached, and firing alerts posted again
 * every minute (Alertmanager resolves an alert it has not heard of for its
 * resolve_timeout). A resolved alert is forgotten once Alertmanager has it.
 * At most ED_AM_MAX_ALERTS are kept; beyond, the oldest resolved ones go
 * first, and the drop is counted.
 *
 * URL: http://ADDR:PORT with a numeric address (127.0.0.1, [::1]) or
 * localhost, and an optional path prefix (a route prefix).
 */
#ifndef ED_ALERTMANAGER_H
#define ED_ALERTMANAGER_H

#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#define ED_AM_MAX_ALERTS 4096

typedef struct ed_am_s ed_am_t;

/* What the sender did so far, for the journal and the screen. */
typedef struct ed_am_stats_s {
  unsigned long posts;    /* requests answered 2xx */
  unsigned long failures; /* requests that failed (error or not 2xx) */
  unsigned long dropped;  /* alerts dropped beyond ED_AM_MAX_ALERTS */
  size_t pending;         /* alerts not yet accepted by Alertmanager */
  char last_error[160];   /* "" or the last failure's reason */
} ed_am_stats_t;

/* 0, or -1 with err ("--alertmanager: ...") when url is not usable. */
int ed_am_create(uv_loop_t *loop, const char *url, ed_am_t **out, char *err,
                 size_t errlen);

/* Set alert `key`'s state: labels and annotations (objects of strings,
 * copied), when it started (epoch seconds) and, when resolved, when it
 * ended (0 while firing). The post follows on the loop. */
void ed_am_set(ed_am_t *am, const char *key, const json_t *labels,
               const json_t *annotations, double starts_epoch,
               double ends_epoch);

void ed_am_stats(const ed_am_t *am, ed_am_stats_t *st);

/* Stop: a request in flight is given up to `grace_ms` to finish (so that a
 * last resolve reaches Alertmanager), then everything is closed and freed
 * as the loop closes the handles. NULL is fine. */
void ed_am_stop(ed_am_t *am, unsigned grace_ms);

#endif
