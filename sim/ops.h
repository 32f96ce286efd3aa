/*
 * ops: the operator's hand on one virtual BMC, behind the control
 * channel's "sensor", "sel", "patch" and "clock" commands. The operator is
 * not a client: no authentication, no ETag precondition, no schema. Every
 * change lives in the BMC's own state (bmc.h), so the fleet's other BMCs
 * and its shared template are untouched.
 *
 * Errors return ED_EINVAL (or ED_ENOMEM) with "<key>: <why>" in errbuf,
 * key being the command's key at fault ("name", "path", "pointer").
 */
#ifndef ED_SIM_OPS_H
#define ED_SIM_OPS_H

#include "service.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "sensor": set a reading (value), add to it (jump) and/or make it move by
 * drift per second from now on (0 stops it). Without drift, a sensor that
 * drifts keeps drifting from its new reading. */
typedef struct ed__sensor_cmd_s {
  const char *name; /* the sensor's Name (borrowed) */
  bool has_value, has_jump, has_drift;
  double value, jump, drift;
} ed__sensor_cmd_t;

/* Apply c at now_ms (monotonic ms) to every sensor named c->name among the
 * Thermal Temperatures[] and Fans[] and the Power Voltages[] of every
 * chassis. */
int ed__ops_sensor(ed__service_t *s, const ed__sensor_cmd_t *c, int64_t now_ms,
                   char *errbuf, size_t errlen);

/* "sel": empty the SEL when clear (like LogService.ClearLog), then append
 * an entry with severity (ed__health_t) and message (borrowed) when
 * message is not NULL, stamped by the BMC's clock. */
int ed__ops_sel(ed__service_t *s, bool clear, int severity, const char *message,
                char *errbuf, size_t errlen);

/* "patch": set the property at pointer (RFC 6901) of the resource at path
 * to value (copied). Its ETag changes with its text. Resources built live
 * (the Sessions and SEL Entries collections) are refused. */
int ed__ops_patch(ed__service_t *s, const char *path, const char *pointer,
                  const json_t *value, char *errbuf, size_t errlen);

/* "clock": the BMC's clock runs offset_ms ahead of the true time (behind
 * when negative); 0 puts it right. Returns 0 or ED_ENOMEM. */
int ed__ops_clock(ed__service_t *s, int64_t offset_ms);

#endif
