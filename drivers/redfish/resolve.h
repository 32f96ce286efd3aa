/*
 * resolve: turn an operation's path template into its URL at run time, once
 * per operation: each "{first}" becomes the first member of the collection
 * before it (GET once per target, cached in the target), and a reset's URL is
 * the target of the system's #ComputerSystem.Reset action. Requests that come
 * meanwhile wait in the operation's queue and are sent when the URL is known,
 * or fail with the discovery's error class.
 */
#ifndef ED_REDFISH_RESOLVE_H
#define ED_REDFISH_RESOLVE_H

#include "redfish.h"

/* Queue x (carrying a request of x->op, whose url is NULL) and start the
 * discovery unless it is already running. */
void ed__rf_resolve(ed__rf_xfer_t *x);

/* Forget the discovered members of t (frees the cache). */
void ed__rf_resolve_clear(ed__rf_target_t *t);

#endif
