/*
 * fleet: the devices of a run, an inspection or a watch at run time. For each
 * target it starts the built-in simulator when the target asks for one,
 * resolves its credentials, fills the driver's options, and opens, starts,
 * stops and closes it through its driver.
 *
 * A target that cannot be opened or started keeps the reason in `error`:
 * a drill refuses to go on, an inspection reports it as a finding.
 */
#ifndef ED_FLEET_H
#define ED_FLEET_H

#include <eventdrill/driver.h>
#include <jansson.h>
#include <uv.h>

#include "credentials.h"
#include "plugin_host.h"
#include "scenario.h"
#include "sim.h"

struct ed_fleet_s;

/* One target at run time. */
typedef struct ed_fleet_target_s {
  const ed_target_t *spec;
  const ed_driver_t *drv;
  void *opts;  /* driver's option struct (drv->target_opts_size) */
  void *state; /* driver's target state, from target_open */
  ed_credentials_t creds;
  ed_sim_t *sim; /* built-in simulator serving it, or NULL */
  char *url;     /* the simulator's URL when sim */
  int max_in_flight;
  int opened;  /* target_open succeeded */
  int started; /* target_start succeeded */
  int stopping;
  char error[512]; /* why it could not be opened or started, or "" */
  void (*restart_cb)(struct ed_fleet_target_s *t, void *arg);
  void *restart_arg;
  struct ed_fleet_s *fleet;
} ed_fleet_target_t;

typedef void (*ed_fleet_cb)(struct ed_fleet_s *f, void *arg);

typedef struct ed_fleet_s {
  uv_loop_t *loop;
  ed_plugin_host_t *ph;
  const char *file; /* scenario or inventory: messages, credentials paths */
  int has_seed;     /* seed for the built-in simulators' knobs */
  uint64_t seed;
  ed_fleet_target_t *targets;
  size_t ntargets;
  int pending; /* asynchronous starts or stops not yet back */
  ed_fleet_cb done;
  void *done_arg;
} ed_fleet_t;

/* Set up f for targets[0..n) (borrowed; they must outlive f). caps[i] is
 * the in-flight cap given to target i's driver (NULL: 1 each). No I/O. */
int ed_fleet_init(ed_fleet_t *f, uv_loop_t *loop, ed_plugin_host_t *ph,
                  const char *file, const ed_target_t *targets, size_t n,
                  const int *caps);

/* Open every target. A target that fails gets its `error` set (opened stays
 * 0); with keep_going the others are still opened, else it stops at the
 * first failure. Returns 0 when all opened, else the first error. */
int ed_fleet_open(ed_fleet_t *f, int keep_going);

/* Start the opened targets (log in, …); done runs once when all are back.
 * A target whose start failed has `error` set and started == 0. */
void ed_fleet_start(ed_fleet_t *f, ed_fleet_cb done, void *arg);

/* Stop the started targets; done runs once when all are back. */
void ed_fleet_stop(ed_fleet_t *f, ed_fleet_cb done, void *arg);

/* Close every opened target and free f's state. Handles may still be
 * closing: run the loop afterwards until it is empty. */
void ed_fleet_close(ed_fleet_t *f);

/* Start again an opened target whose start failed (a device that was down
 * or refused the login): cb runs once, on the loop, possibly before this
 * returns; t->started and t->error then tell how it went. */
typedef void (*ed_fleet_target_cb)(ed_fleet_target_t *t, void *arg);
void ed_fleet_restart(ed_fleet_target_t *t, ed_fleet_target_cb cb, void *arg);

ed_fleet_target_t *ed_fleet_find(ed_fleet_t *f, const char *name);

/* The target as results describe it: name, driver, "address" (the value
 * of the target option its driver flags ED_OPT_ADDRESS, or the simulator's
 * URL), URL, whether it is simulated or weakened (insecure, …), its
 * credentials reference; never a secret. A new reference. */
json_t *ed_fleet_describe(const ed_fleet_target_t *t);

/* Submit a request to target t through the plugin host. */
int ed_fleet_submit(ed_fleet_target_t *t, ed_request_t *req);

/* What the scenario loader asks of the run-time side: the drivers of ph
 * (ed_plugin_host_scenario_drivers) and the built-in simulator, whose
 * settings in a target's "sim" object are checked by building it on a
 * private loop, binding nothing, so that a bad knob, mockup or "changes"
 * entry is an error of the file, with its place, before anything starts. */
void ed_fleet_scenario_drivers(ed_plugin_host_t *ph,
                               ed_scenario_drivers_t *out);

#endif
