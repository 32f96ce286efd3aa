/*
 * collect: what one device says about its health, read through its driver
 * with read-only operations only (the probe host is read-only, so a
 * state-changing request cannot leave even by mistake).
 *
 * The result is a snapshot: one JSON object in a model common to every
 * driver, which the inspection rules and the watch's alarm rules read.
 *
 *   {
 *     "device": "bmc-01", "driver": "redfish", "labels": {...},
 *     "at": 1795000000.25,          runner's clock when the collection began
 *     "duration_ms": 41.0,
 *     "requests": 12,               requests sent to the device for it
 *     "reachable": true,            false: "error" says why
 *     "error": {"class": "connect", "detail": "..."},
 *     "latency_ms": {"samples": 10, "p50": 2.1, "p99": 3.4, "max": 3.4},
 *     "clock_offset_s": 90.2,       device clock − runner clock, if known
 *     "power": "on" | "off" | "poweringon" | "poweringoff",
 *     "health": [ {"component": "Systems/1", "kind": "system",
 *                  "health": "OK", "rollup": "Warning", "state": "Enabled"} ],
 *     "psus": [ {"name": "PSU1", "health": "OK", "state": "Enabled"} ],
 *     "redundancy": [ {"name": "PSU Redundancy", "health": "OK",
 *                      "state": "Enabled"} ],
 *     "sensors": [ {"name": "CPU1 Temp", "kind": "temperature",
 *                   "reading": 46, "unit": "C",
 *                   "upper_warning": 85, "upper_critical": 90,
 *                   "lower_warning": null, "lower_critical": null,
 *                   "health": "OK"} ],
 *     "log": [ {"severity": "Critical", "created": "2026-...Z",
 *               "age_s": 12.0, "message": "..."} ],
 *     "firmware": {"bmc": "1.2.3", "bios": "..."},
 *     "disks": [ {"mount": "/", "used_pct": 71} ],      SSH hosts
 *     "time_sync": true, "failed_units": ["x.service"], SSH hosts
 *     "gaps": ["Chassis/1/Power: http_4xx 404"]  what could not be read
 *   }
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
  /* Borrowed, or NULL: what one collection learns of a device for the next
   * ones (an empty object at first; the collector fills and updates it).
   * With it, a Redfish device is walked from its service root once; later
   * collections read only the resources found then (systems, thermal,
   * managers, log entries) and only the log entries not seen before: a
   * watch polls with a handful of requests instead of dozens. */
  json_t *memo;
  /* SSH hosts: which commands read the disks, the time sync and the failed
   * units; NULL = the built-in ones. */
  const char *ssh_disks, *ssh_time_sync, *ssh_failed_units;
} ed_collect_opts_t;

/* Defaults: inspect when full, else watch. */
void ed_collect_opts_default(ed_collect_opts_t *o, int full);

/* Called once with a new snapshot, which the callee owns. */
typedef void (*ed_collect_cb)(void *arg, json_t *snapshot);

/* Collect t's snapshot through h (which must be read-only). cb runs on the
 * loop, possibly before this returns (an unknown driver, a target that was
 * never started: the snapshot then says unreachable). Returns 0, or
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
