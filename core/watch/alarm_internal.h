/*
 * What the alarm engine (alarm.c) shares with the snapshot judge
 * (alarm_eval.c). Not a public interface.
 */
#ifndef ED_ALARM_INTERNAL_H
#define ED_ALARM_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "alarm.h"

/* One condition a snapshot shows: a would-be alarm. */
typedef struct ed__alarm_cond_s {
  int kind;
  int level; /* ED_ALARM_WARNING or ED_ALARM_CRITICAL */
  char subject[160];
  char text[320];
} ed__alarm_cond_t;

/* The conditions of one snapshot, and the kinds it could judge at all. */
typedef struct ed__alarm_conds_s {
  ed__alarm_cond_t *v;
  size_t n, cap;
  unsigned observed; /* bit (1u << kind) per kind the snapshot read */
  int nomem;
} ed__alarm_conds_t;

/* A condition seen but not yet raised (hold or polls not reached). */
typedef struct ed__alarm_pending_s {
  int kind;
  char *subject;
  double first_t;
  int polls;
  int seen; /* seen in the snapshot being judged */
} ed__alarm_pending_t;

/* What the engine remembers of one device between snapshots. */
typedef struct ed__alarm_dev_s {
  char *name;
  int judged;          /* a reachable snapshot was judged */
  int was_on;          /* power seen "on" at least once */
  json_t *health_base; /* component -> best rank seen (integer) */
  json_t *psu_base;    /* PSU name -> best rank seen */
  json_t *log_seen;    /* log entry key -> true, of the last snapshot */
  ed__alarm_pending_t *pend;
  size_t npend, cappend;
} ed__alarm_dev_t;

/* Judge snap for dev: fills out (reset first by the caller) and updates
 * dev's memory (baselines, log entries seen, power). */
void ed__alarm_eval(const ed_alarm_rules_t *rules, double start_epoch,
                    ed__alarm_dev_t *dev, const json_t *snap,
                    ed__alarm_conds_t *out);

/* 0 OK (or unknown), 1 Warning, 2 Critical. */
int ed__alarm_rank(const char *health);

#endif
