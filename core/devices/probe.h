/*
 * probe: one action on one target, outside the scheduler's streams — a
 * check's operation, a fault, an undo, a plan step. It prepares the driver
 * operation from the scenario's op spec (after substituting ${variables}),
 * submits it once with a timeout, and reports the outcome; or it applies a
 * change of the built-in simulator's knobs.
 *
 * Safety lives here: when the probe host is read-only (verify mode), an
 * operation whose descriptor is flagged ED_OP_DESTRUCTIVE, or a simulator
 * change, is refused before it reaches any driver.
 *
 * A target another process owns (a shard of a drill) is reached through
 * the host's `remote`: the probe, its ${variables} substituted here, is
 * sent to the owner, whose own probe host runs it (ed_probe_serve, with
 * the same safety rules) and sends the outcome back.
 */
#ifndef ED_PROBE_H
#define ED_PROBE_H

#include <eventdrill/driver.h>
#include <jansson.h>
#include <stdint.h>

#include "plugin_host.h"
#include "scenario.h"
#include "sim.h"

/* A target as the probes see it (borrowed from the runner). */
typedef struct ed_probe_target_s {
  const ed_target_t *spec;
  const ed_driver_t *drv;
  void *state;   /* the driver's target */
  ed_sim_t *sim; /* built-in simulator, or NULL */
} ed_probe_target_t;

/* What came back. value is a malloc'd copy (or NULL), owned by the
 * outcome; free with ed_probe_outcome_close. */
typedef struct ed_probe_outcome_s {
  ed_errclass_t err;
  int code;
  char *value;
  char *detail;
  double latency_ms;
  int refused;    /* never sent: refused by the safety rules */
  int unprovable; /* ed_probe_check_action: the driver cannot prove it */
} ed_probe_outcome_t;

void ed_probe_outcome_close(ed_probe_outcome_t *o);

typedef void (*ed_probe_cb)(void *arg, const ed_probe_outcome_t *o);

/* The outcome of a probe run by another process ({"err", "code", "value",
 * "detail", "latency_ms", "refused", "unprovable"}, borrowed), or NULL
 * with why none came. */
typedef void (*ed_probe_remote_done)(void *ctx, const json_t *outcome,
                                     const char *why);

typedef struct ed_probe_remote_s {
  void *arg;
  /* Send req (stolen) to the process that owns target; done is called
   * once. 0, or -1 when no other process owns it (req freed, done not
   * called). */
  int (*send)(void *arg, const char *target, json_t *req,
              ed_probe_remote_done done, void *ctx);
  /* The driver of a target another process owns, or NULL. */
  const ed_driver_t *(*driver)(void *arg, const char *target);
} ed_probe_remote_t;

typedef struct ed_probe_host_s {
  uv_loop_t *loop;
  ed_plugin_host_t *ph;
  ed_probe_target_t *targets; /* borrowed, ntargets */
  size_t ntargets;
  int read_only;    /* verify mode: destructive and sim actions refused */
  json_t *vars;     /* ${name} values saved by plan steps (owned) */
  int in_flight;    /* probes not yet completed */
  const char *file; /* scenario file, for messages */
  const ed_probe_remote_t *remote; /* targets of other processes, or NULL */
} ed_probe_host_t;

int ed_probe_host_init(ed_probe_host_t *h, uv_loop_t *loop,
                       ed_plugin_host_t *ph, ed_probe_target_t *targets,
                       size_t ntargets, int read_only, const char *file);
void ed_probe_host_close(ed_probe_host_t *h);
ed_probe_target_t *ed_probe_target(ed_probe_host_t *h, const char *name);

/* Run op on target with a timeout; cb runs once on the loop (possibly
 * before this returns, when the action is refused or fails to start).
 * Returns 0. */
int ed_probe_run_op(ed_probe_host_t *h, const char *target,
                    const ed_opspec_t *op, int64_t timeout_ms, ed_probe_cb cb,
                    void *arg);
/* Run an action (a driver op, or a simulator change); cb as above. */
int ed_probe_run_action(ed_probe_host_t *h, const ed_action_t *a,
                        int64_t timeout_ms, ed_probe_cb cb, void *arg);
/* Prove, without sending it, that action a could run now (the driver's
 * op_check; what verify mode does with a state-changing step): cb gets
 * err ED_ERRCLASS_NONE when it would run, else why not; `unprovable` set
 * (err OTHER) when the driver cannot prove it (a version-1 driver, or one
 * without op_check) or the action is a simulator change. Nothing that
 * changes state is sent. Returns 0, or ED_ENOMEM (cb not called). */
int ed_probe_check_action(ed_probe_host_t *h, const ed_action_t *a,
                          int64_t timeout_ms, ed_probe_cb cb, void *arg);
/* Flags of the action's operation (ED_OP_*), or -1 when unknown. A
 * simulator change counts as destructive. */
int ed_probe_action_flags(ed_probe_host_t *h, const ed_action_t *a);
/* Run a probe another process sent (its `remote` send's req) on a target
 * of this host, as ed_probe_run_op, ed_probe_run_action or
 * ed_probe_check_action would; cb as above. Returns 0, or ED_ENOMEM. */
int ed_probe_serve(ed_probe_host_t *h, const json_t *req, ed_probe_cb cb,
                   void *arg);
/* An outcome as ed_probe_serve's caller sends it back (a new reference). */
json_t *ed_probe_outcome_json(const ed_probe_outcome_t *o);

/* Short text of an action for messages: "reset ForceOff on bmc2". */
void ed_probe_describe(const ed_action_t *a, char *buf, size_t len);

#endif
