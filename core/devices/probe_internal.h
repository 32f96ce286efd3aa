/*
 * The parts of probe.c that probe_remote.c (a probe on a target another
 * process owns, and one another process sends here) shares. Not a public
 * interface.
 */
#ifndef ED_PROBE_INTERNAL_H
#define ED_PROBE_INTERNAL_H

#include "probe.h"

typedef struct probe_s {
  ed_request_t req;
  ed_probe_host_t *host;
  ed_probe_target_t *target;
  const ed_op_desc_t *desc;
  void *args;
  void *prepared;
  ed_probe_outcome_t out;
  ed_probe_cb cb;
  void *arg;
  int verbatim;     /* sent by another process: ${...} substituted there */
  uv_timer_t later; /* the outcome is delivered from a fresh loop turn */
} probe_t;

probe_t *ed__probe_new(ed_probe_host_t *h, ed_probe_cb cb, void *arg);
/* Deliver p's outcome from a fresh loop turn. */
void ed__probe_finish(probe_t *p);
void ed__probe_fail(probe_t *p, ed_errclass_t err, const char *detail,
                    int refused);
/* v with every ${name} replaced by the variable's text (a new reference). */
json_t *ed__probe_substitute(const json_t *v, const json_t *vars);
/* The driver of a target: this host's, or the one its owner runs. */
const ed_driver_t *ed__probe_driver_of(ed_probe_host_t *h, const char *target);

/* ed_probe_run_op, ed_probe_run_action and ed_probe_check_action; verbatim:
 * sent by another process, ${...} already substituted there. */
int ed__probe_run_op(ed_probe_host_t *h, const char *target,
                     const ed_opspec_t *op, int64_t timeout_ms, ed_probe_cb cb,
                     void *arg, int verbatim);
int ed__probe_run_action(ed_probe_host_t *h, const ed_action_t *a,
                         int64_t timeout_ms, ed_probe_cb cb, void *arg,
                         int verbatim);
int ed__probe_check_action(ed_probe_host_t *h, const ed_action_t *a,
                           int64_t timeout_ms, ed_probe_cb cb, void *arg,
                           int verbatim);

/* probe_remote.c: send a probe of kind "op", "action" or "proof" to the
 * process that owns target (h->remote set); cb as for the others. */
int ed__probe_remote(ed_probe_host_t *h, const char *kind, const ed_action_t *a,
                     const char *target, const ed_opspec_t *op,
                     int64_t timeout_ms, ed_probe_cb cb, void *arg);

#endif
