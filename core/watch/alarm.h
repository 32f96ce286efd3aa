/*
 * alarm: the on-duty console's alarm rules, as pure logic. Device snapshots
 * (core/collect/collect.h) go in, one at a time and in order; alarm events
 * (raise, update, clear, ack) come out through a callback. No I/O and no
 * clock of its own: the caller says what time it is, so a sequence of
 * hand-made snapshots replays the same way every time (tests/unit/alarm.c).
 *
 * The rules (one per kind, tunable with a JSON rules file, see
 * docs/watch.md):
 *   unreachable  the device did not answer, for `polls` polls and `hold`
 *   slow         response time p50 over `p50_ms`, for `hold`
 *   power        power went from on to off (a device seen off from the start
 *                is not an alarm)
 *   health       a component's own health is not OK, from the first poll
 *                on: a device Critical from the start raises at once
 *                (rollups too with "rollup": a rollup repeats what its
 *                parts say, and they have their own alarms)
 *   psu          the same for a power supply
 *   sensor       a reading at or over (at or under, for lower thresholds)
 *                its warning or critical threshold, for `hold`
 *   log          a new log entry of `min_severity` or worse: created after
 *                the watch started, and not seen before
 *
 * An alarm is identified by its device, kind and subject (the sensor, the
 * component, the PSU, the log entry; "" for a device-wide kind). While its
 * condition holds it stays raised; its severity can change in place (a
 * sensor going from its warning band to its critical one: "update"), which
 * takes an acknowledgement back. It clears when a poll shows the condition
 * gone; a poll that could not read the kind (device unreachable, member
 * missing) leaves it as it is. A log alarm clears when it is acknowledged.
 */
#ifndef ED_ALARM_H
#define ED_ALARM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum {
  ED_ALARM_UNREACHABLE = 0,
  ED_ALARM_SLOW,
  ED_ALARM_POWER,
  ED_ALARM_HEALTH,
  ED_ALARM_SENSOR,
  ED_ALARM_LOG,
  ED_ALARM_PSU,
  ED_ALARM_KINDS
} ed_alarm_kind_t;

/* Severities; 0 is "ok" (used for levels, never for an alarm). */
enum { ED_ALARM_OK = 0, ED_ALARM_WARNING = 1, ED_ALARM_CRITICAL = 2 };

/* "unreachable", "slow", …; NULL out of range. */
const char *ed_alarm_kind_name(int kind);
/* Kind of a name, or -1. */
int ed_alarm_kind_parse(const char *name);
/* "ok", "warning", "critical". */
const char *ed_alarm_sev_name(int sev);

/* ---- rules ------------------------------------------------------------- */

typedef struct ed_alarm_rule_s {
  int enabled;
  int64_t hold_ms; /* the condition must have held this long */
  int polls;       /* and been seen on this many polls in a row (>= 1) */
  int severity;    /* unreachable, slow, power: the alarm's severity */
  int min_level;   /* health, psu, sensor, log: lowest level that raises */
  double p50_ms;   /* slow: the response time bound */
  int rollup;      /* health: rollups count too (default: own health) */
} ed_alarm_rule_t;

typedef struct ed_alarm_rules_s {
  ed_alarm_rule_t r[ED_ALARM_KINDS];
} ed_alarm_rules_t;

/* The built-in table (docs/watch.md lists it). */
void ed_alarm_rules_default(ed_alarm_rules_t *rules);

/* Apply the rules file `file` over *rules. Every error goes to diag with the
 * file, line:column and JSON path ("sensor.hold"); on error *rules is left
 * untouched. Returns 0, ED_EPARSE, ED_EIO or ED_ENOMEM. */
int ed_alarm_rules_load(ed_alarm_rules_t *rules, const char *file,
                        ed_diag_t *diag);
/* The same from a text in memory; `name` stands for the file in messages. */
int ed_alarm_rules_parse(ed_alarm_rules_t *rules, const char *name,
                         const char *text, size_t len, ed_diag_t *diag);

/* The table as JSON, in the rules file's format (new reference). */
json_t *ed_alarm_rules_json(const ed_alarm_rules_t *rules);

/* ---- alarms ------------------------------------------------------------ */

typedef struct ed_alarm_s {
  unsigned id; /* 1, 2, … in the order raised */
  char *device;
  int kind;
  int severity;
  char *subject;   /* "CPU1 Temp", "Systems/1", … or "" */
  char *text;      /* what is wrong, for a person; never a secret */
  double raised_t; /* caller's time when raised */
  int acked;
  double acked_t;
  double cleared_t; /* set when cleared (in the clear event) */
} ed_alarm_t;

typedef enum {
  ED_ALARM_EV_RAISE = 1,
  ED_ALARM_EV_UPDATE, /* severity or text changed while raised */
  ED_ALARM_EV_CLEAR,
  ED_ALARM_EV_ACK
} ed_alarm_ev_t;

/* "alarm_raise", "alarm_update", "alarm_clear", "alarm_ack". */
const char *ed_alarm_ev_name(ed_alarm_ev_t ev);

/* An event on alarm a (borrowed: valid during the call; after a clear
 * event the alarm is gone). */
typedef void (*ed_alarm_event_cb)(void *arg, ed_alarm_ev_t ev,
                                  const ed_alarm_t *a);

typedef struct ed_alarm_engine_s ed_alarm_engine_t;

/* A new engine with a copy of rules. start_epoch is when the watch started
 * (seconds since the epoch, the clock of the snapshots' "at"): log entries
 * created before it are not new. Returns 0 or ED_ENOMEM. Free with
 * ed_alarm_engine_destroy. */
int ed_alarm_engine_create(const ed_alarm_rules_t *rules, double start_epoch,
                           ed_alarm_event_cb cb, void *arg,
                           ed_alarm_engine_t **out);
void ed_alarm_engine_destroy(ed_alarm_engine_t *e);

/* Judge one snapshot (borrowed) of the device it names ("device"), taken
 * at time t (the caller's clock, seconds; never going back). Events go to
 * the callback before this returns. Returns 0, ED_EINVAL (no "device"),
 * ED_ENOMEM. */
int ed_alarm_feed(ed_alarm_engine_t *e, const json_t *snapshot, double t);

/* Acknowledge alarm id at time t: an ack event, and for a log alarm the
 * clear event. Returns 0, ED_ENOTFOUND (no such raised alarm), ED_ESTATE
 * (already acknowledged). */
int ed_alarm_ack(ed_alarm_engine_t *e, unsigned id, double t);

/* The raised alarms, in the order raised (borrowed; valid until the next
 * feed or ack). */
size_t ed_alarm_count(const ed_alarm_engine_t *e);
const ed_alarm_t *ed_alarm_at(const ed_alarm_engine_t *e, size_t i);
const ed_alarm_t *ed_alarm_find(const ed_alarm_engine_t *e, unsigned id);
/* Worst severity raised on device (ED_ALARM_OK when none). */
int ed_alarm_device_worst(const ed_alarm_engine_t *e, const char *device);
/* Raised alarms by severity: counts[ED_ALARM_WARNING], [ED_ALARM_CRITICAL]. */
void ed_alarm_counts(const ed_alarm_engine_t *e, int counts[3]);
/* Alarms raised since creation. */
unsigned ed_alarm_total(const ed_alarm_engine_t *e);

/* The alarm as JSON for the journal, JSON lines and hooks (new
 * reference): id, device, kind, severity, subject, text, raised_t,
 * acked, and for a clear duration_s. */
json_t *ed_alarm_json(const ed_alarm_t *a, ed_alarm_ev_t ev);

#endif
