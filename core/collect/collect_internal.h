/*
 * What collect.c (the engine: a queue of read-only requests per device and
 * the snapshot) shares with the per-driver gatherers:
 *
 *   collect_redfish.c  service root → systems, chassis, managers, logs
 *   collect_ipmi.c     power status, device ID, sensors, SEL
 *   collect_ssh.c      disks, time sync, failed units, clock
 *
 * Not a public interface.
 */
#ifndef ED_COLLECT_INTERNAL_H
#define ED_COLLECT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "collect.h"

typedef struct ed__cjob_s ed__cjob_t;

/* Called with the outcome of one request; ctx as given to ed__cjob_get. */
typedef void (*ed__cjob_cb)(ed__cjob_t *j, const ed_probe_outcome_t *o,
                            void *ctx);

/* A part of a device's state that the inspection must have read before it
 * can call the device ready: `part` names it in the report, `key` is the
 * snapshot member that holds it (an array that must not be empty, or any
 * other value that must be there). */
typedef struct ed__cpart_s {
  const char *part;
  const char *key;
} ed__cpart_t;

struct ed__cjob_s {
  ed_probe_host_t *h;
  const ed_fleet_target_t *t;
  ed_collect_opts_t o;
  json_t *snap; /* being filled */
  struct ed__cfetch_s *head, *tail;
  int in_flight;
  int requests;
  double *lat; /* latency samples (ms) */
  size_t nlat, caplat;
  double t0; /* ed_collect_now() at the start */
  ed_collect_cb cb;
  void *arg;
  void *driver; /* the gatherer's own state, freed by driver_free */
  void (*driver_free)(void *driver); /* also called at the end: last words */
  int replay;                        /* walking what o.memo remembers */
  const ed__cpart_t *required;       /* set by the gatherer; NULL-ended */
};

/* Queue a read-only operation { name: arg } (arg: a new reference, taken).
 * `what` names it in gaps ("Chassis/1/Power"). ctx is passed to cb; when
 * ctx_free is not NULL it frees ctx after cb. */
void ed__cjob_op(ed__cjob_t *j, const char *what, const char *name, json_t *arg,
                 ed__cjob_cb cb, void *ctx, void (*ctx_free)(void *));
/* Count the outcome's latency in latency_ms. */
void ed__cjob_sample(ed__cjob_t *j, const ed_probe_outcome_t *o);
/* Note in the snapshot's "gaps" that `what` could not be read. */
void ed__cjob_gap(ed__cjob_t *j, const char *what, const ed_probe_outcome_t *o);
/* The first request failed: the device is unreachable, with o's reason. */
void ed__cjob_unreachable(ed__cjob_t *j, const ed_probe_outcome_t *o);
/* Append obj (taken) to the snapshot's array `key`, created if needed. */
void ed__cjob_append(ed__cjob_t *j, const char *key, json_t *obj);
/* The outcome's value parsed as JSON (new reference) or NULL. */
json_t *ed__cjob_value(const ed_probe_outcome_t *o);
/* Keep only the newest `keep` entries of the snapshot's "log", newest
 * first, by "created". */
void ed__cjob_trim_log(ed__cjob_t *j);

/* ISO 8601 date and time ("2026-11-26T20:41:07+00:00", "…Z", fractions
 * allowed) to seconds since the epoch; <0 when it is not one. */
double ed__iso_to_epoch(const char *s);
/* Seconds since the epoch to "2026-11-26T20:41:07Z". */
void ed__epoch_to_iso(double t, char *buf, size_t len);

/* The gatherers: queue their first requests. */
void ed__collect_redfish(ed__cjob_t *j);
void ed__collect_ipmi(ed__cjob_t *j);
void ed__collect_ssh(ed__cjob_t *j);

#endif
