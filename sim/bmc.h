/*
 * bmc: the state of one virtual BMC (the body of ed__service_t) and its
 * lifecycle (ed__service_create/destroy/power_state/footprint of
 * service.h).
 *
 * An untouched BMC is only struct ed__service_s (about 90 bytes): the first
 * system's power and a pointer. Everything else it may change (power of
 * other systems, PATCHed resources, sessions, SEL additions, sensors and
 * clock set by the operator) lives in an ed__bmc_ext_t allocated on the
 * first change.
 */
#ifndef ED_SIM_BMC_H
#define ED_SIM_BMC_H

#include "auth.h"
#include "mockup.h"
#include "overlay.h"
#include "power.h"
#include "sel.h"
#include "sensors.h"
#include "service.h"

typedef struct ed__bmc_ext_s {
  ed__power_t *power; /* systems 1..n-1 (owned; NULL with one system) */
  ed__overlay_t ov;
  ed__sessions_t sessions;
  ed__sel_t sel;
  ed__sensors_t sensors;   /* readings the operator set */
  int64_t clock_offset_ms; /* the BMC's clock minus the true time */
} ed__bmc_ext_t;

struct ed__service_s {
  const ed__mockup_t *m;    /* the shared template (borrowed) */
  ed__service_config_t cfg; /* defaults applied; strings borrowed */
  ed__power_t power0;       /* the first system */
  ed__bmc_ext_t *ext;       /* NULL until the first change (owned) */
};

/* The BMC's changed state, allocated on first use; NULL when out of
 * memory. Owned by s. */
ed__bmc_ext_t *ed__bmc_ext(ed__service_t *s);
ed__power_timing_t ed__bmc_timing(const ed__service_t *s);
/* Power state of system k (index in m->systems) at now_ms. */
ed__pwr_state_t ed__bmc_state(const ed__service_t *s, size_t k, int64_t now_ms);
/* The power state machine of system k, to change it (creates the
 * extension for k > 0); NULL when out of memory. Owned by s. */
ed__power_t *ed__bmc_power(ed__service_t *s, size_t k);
/* Resource res as changed by this BMC (its overlay), else the template's
 * (borrowed). Live properties (power, clock, sensors) are not applied. */
const json_t *ed__bmc_json(const ed__service_t *s, uint32_t res);
/* The BMC's clock: the true time (CLOCK_REALTIME) plus its offset, in ms
 * since the epoch. */
int64_t ed__bmc_wall_ms(const ed__service_t *s);
/* Whether health may differ from the template's: the operator set sensors
 * or something was patched, so rollups are worked out when read. */
bool ed__bmc_health_changed(const ed__service_t *s);

#endif
