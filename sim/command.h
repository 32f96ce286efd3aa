/*
 * command: one control command, {"op": ..., "bmc": ..., ...}, as the
 * control channel, ed_sim_control and the configuration's "changes" give
 * it: checked key by key, then applied. The fleet (sim.c) applies knobs,
 * down and up itself (they are the transport's); the others change a BMC's
 * service through ops.h.
 *
 * Errors name the key: "<where>.<key>: <why>" ("changes[2].pointer: ...")
 * or, with where "", "<key>: <why>".
 */
#ifndef ED_SIM_COMMAND_H
#define ED_SIM_COMMAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knobs.h"
#include "ops.h"
#include "service.h"

typedef enum {
  ED__OP_KNOBS = 0, /* the default when "op" is absent */
  ED__OP_DOWN,
  ED__OP_UP,
  ED__OP_SENSOR,
  ED__OP_SEL,
  ED__OP_PATCH,
  ED__OP_CLOCK,
} ed__op_t;

/* A parsed command. Strings and JSON values are borrowed from the command
 * object, which must outlive it. */
typedef struct ed__command_s {
  int op;            /* ed__op_t */
  const json_t *bmc; /* the "bmc" selector, NULL when absent */
  ed__knobs_patch_t knobs;
  int64_t ms; /* down: "for" (0 = until up); clock: "offset" */
  ed__sensor_cmd_t sensor;
  bool sel_clear;
  int sel_severity;        /* ed__health_t */
  const char *sel_message; /* NULL: none */
  const char *path, *pointer;
  const json_t *value;
} ed__command_t;

/* "knobs", "down", ...; "?" for an unknown op. */
const char *ed__command_op_name(int op);

/* Check cmd (an object; borrowed) and fill out. where prefixes the keys
 * named in errors ("" at run time, "changes[2]" in a configuration). 0, or
 * ED_EINVAL with the message in errbuf. */
int ed__command_parse(const json_t *cmd, const char *where, ed__command_t *out,
                      char *errbuf, size_t errlen);

/* Apply a sensor, sel, patch or clock command to one BMC's service at
 * now_ms (monotonic ms). 0, or <0 with the message (keys prefixed with
 * where) in errbuf. */
int ed__command_apply(const ed__command_t *c, ed__service_t *s, int64_t now_ms,
                      const char *where, char *errbuf, size_t errlen);

#endif
