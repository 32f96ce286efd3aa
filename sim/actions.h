/*
 * actions: what a POST to an action target does on one virtual BMC:
 * ComputerSystem.Reset (power transitions + a SEL entry), Manager.Reset
 * (the transport takes the BMC down), LogService.ClearLog on the SEL.
 */
#ifndef ED_SIM_ACTIONS_H
#define ED_SIM_ACTIONS_H

#include "mockup.h"
#include "service.h"

/* Run action a (borrowed from s's template) for req at now_ms and fill
 * resp (caller frees it). Returns 0 or ED_ENOMEM. */
int ed__actions_post(ed__service_t *s, const ed__maction_t *a,
                     const ed__sim_request_t *req, int64_t now_ms,
                     ed__sim_response_t *resp);

#endif
