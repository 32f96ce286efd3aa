/*
 * live: a resource as one virtual BMC shows it at a given instant. Most
 * answers are the shared template's text (or the BMC's changed copy) as
 * is; a few properties are worked out when read, so that no timer runs and
 * an idle BMC costs nothing:
 *   - a system's PowerState (the power state machine);
 *   - a manager's DateTime, from the true clock plus the BMC's offset;
 *   - the readings and Status.Health of the sensors the operator set
 *     (drifting ones move with time) in Thermal and Power resources;
 *   - Status.HealthRollup of chassis and systems, the worst of their own
 *     rollup and of what their Thermal and Power hold, once the BMC's
 *     health may differ from the template's (ed__bmc_health_changed).
 */
#ifndef ED_SIM_LIVE_H
#define ED_SIM_LIVE_H

#include "mockup.h"
#include "service.h"

/* The text of a resource as served: borrowed from the template or overlay
 * when nothing differs, else built (owned, freed by ed__live_repr_free). */
typedef struct ed__repr_s {
  const char *text;
  size_t len;
  const char *etag;
  char *owned;
  char etag_buf[ED__ETAG_LEN];
} ed__repr_t;

/* Fill out with resource r as BMC s shows it at now_ms (monotonic ms).
 * 0 or ED_ENOMEM. Free with ed__live_repr_free (also after an error). */
int ed__live_repr(const ed__service_t *s, const ed__mres_t *r, int64_t now_ms,
                  ed__repr_t *out);
void ed__live_repr_free(ed__repr_t *rp);

/* The resource linked from obj[key] ({"@odata.id": ...}), or NULL. */
const ed__mres_t *ed__live_link(const ed__mockup_t *m, const json_t *obj,
                                const char *key);
/* The sensors a chassis holds: its links "Thermal" and "Power". */
extern const char *const ed__live_sensor_links[2];
/* Which sensor array (ed__sensor_array_t) property key is in the resource
 * reached by a chassis' link ("Thermal", "Power"); -1 when none. */
int ed__live_sensor_array(const char *link, const char *key);

#endif
