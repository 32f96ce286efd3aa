/*
 * collect: what one device says about its health, read by its driver (ABI
 * version 2's collect, plugins/eventdrill/driver.h) with read-only requests
 * only. The core asks, times the answer and stamps it; the protocol
 * knowledge lives in each driver (drivers/<name>/collect.c).
 *
 * The result is a snapshot: one JSON object in the model driver.h describes,
 * common to every driver, which the inspection rules and the watch's alarm
 * rules read. The core sets, over what the driver wrote:
 *
 *   "device": "bmc-01", "driver": "redfish", "labels": {...},
 *   "at": 1795000000.25,          runner's clock when the collection began
 *   "duration_ms": 41.0,          until the driver answered
 *
 * and on its own, without the driver:
 *   - a target that was never started: "reachable": false, "error" says why;
 *   - a driver without collect (version 1, or none offered): "reachable"
 *     false, "monitored": false and "unread": "driver x has no health
 *     collection" (inspect: a critical unread finding, never ready; watch:
 *     not monitored);
 *   - an answer that is not a JSON object: "reachable" false, error class
 *     "protocol".
 *
 * Health values keep Redfish's words: "OK", "Warning", "Critical".
 * Members absent from a snapshot were not read (or the device has none).
 */
#ifndef ED_COLLECT_H
#define ED_COLLECT_H

#include <jansson.h>
#include <stdint.h>

#include "fleet.h"
#include "probe.h"

/* What to read. */
typedef struct ed_collect_opts_s {
  int full;            /* 0: health, power, PSUs, sensors, log (watch);
                        * 1: also firmware, clock, disks… (inspect) */
  int latency_samples; /* extra reads timed for latency_ms; 0 = none */
  int log_entries;     /* newest log entries read per log, 0 = none */
  int max_in_flight;   /* requests at once on the device, >= 1 */
  int64_t timeout_ms;  /* per request */
  /* The driver may keep what one collection learns of the device for the
   * next ones (ED_COLLECT_MEMO): with it, a Redfish device is walked from its
   * service root once and later polls read only the resources found then and
   * the log entries not seen before: a watch polls with a handful of
   * requests instead of dozens. */
  int memo;
} ed_collect_opts_t;

/* Defaults: inspect when full, else watch. */
void ed_collect_opts_default(ed_collect_opts_t *o, int full);

/* Called once with a new snapshot, which the callee owns. */
typedef void (*ed_collect_cb)(void *arg, json_t *snapshot);

/* Collect t's snapshot through its driver. cb runs on the loop, possibly
 * before this returns (a driver without collect, a target that was never
 * started). While it runs, h->in_flight counts it, so that whoever waits for
 * the probes before stopping the targets waits for it too. Returns 0, or
 * ED_ENOMEM (cb not called). */
int ed_collect_device(ed_probe_host_t *h, const ed_fleet_target_t *t,
                      const ed_collect_opts_t *o, ed_collect_cb cb, void *arg);

/* Seconds since the epoch on the runner's clock. */
double ed_collect_now(void);

/* Worst of two health words ("OK" < "Warning" < "Critical"); NULL and
 * unknown words count as "OK". */
const char *ed_health_worst(const char *a, const char *b);
/* 0 OK, 1 Warning, 2 Critical. */
int ed_health_rank(const char *health);

#endif
