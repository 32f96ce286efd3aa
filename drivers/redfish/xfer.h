/*
 * xfer: the pool of transfers of one target. An easy handle is set up with the
 * target's fixed options once, when created, and with an operation's options
 * (method, URL, body, headers) only when it last served something else, so the
 * steady state of a workload sets nothing but the per-request timeout. Handles
 * and buffers are kept for the target's life: no allocation per request.
 */
#ifndef ED_REDFISH_XFER_H
#define ED_REDFISH_XFER_H

#include "redfish.h"

/* Take a transfer from t's pool (creating one when the pool is empty). The
 * pool owns it: give it back with ed__rf_xfer_put. NULL on no memory. */
ed__rf_xfer_t *ed__rf_xfer_get(ed__rf_target_t *t);
void ed__rf_xfer_put(ed__rf_xfer_t *x);

/* Set method ("GET", "POST", "PATCH", "DELETE"), url and body (borrowed: must
 * live until the transfer ends) and the headers: the target's auth line when
 * with_auth, extra (one header line or NULL). Returns 0 or -ENOMEM. */
int ed__rf_xfer_setup(ed__rf_xfer_t *x, const char *method, const char *url,
                      const char *body, size_t body_len, int with_auth,
                      const char *extra);

/* Start the transfer as set up; cb is called once on the loop when it ends.
 * timeout_ms 0 means the target's timeout. Returns 0 or <0 (cb not called). */
int ed__rf_xfer_start(ed__rf_xfer_t *x, int64_t timeout_ms, ed__rf_xfer_cb cb);

/* Ready x for a new request, sent with auth generation gen: no answer yet,
 * cb to call when it ends (both the curl transfer and conn.h use it). */
void ed__rf_xfer_begin(ed__rf_xfer_t *x, ed__rf_xfer_cb cb, unsigned gen);

/* Take a started transfer back without calling its callback (also one
 * carried by a connection of conn.h). */
void ed__rf_xfer_abort(ed__rf_xfer_t *x);

/* The cuv done callback of every target. */
void ed__rf_xfer_on_done(CURL *easy, CURLcode rc, void *priv);

/* Count len bytes of an answer's body against max_body (too_large past it)
 * and keep them when x->keep_body. Returns len, or 0 to stop the answer. */
size_t ed__rf_xfer_take(ed__rf_xfer_t *x, const char *p, size_t len);

/* The options of every easy handle of target t (TLS verification, timeouts,
 * no proxy), so that connections opened for any purpose are alike. */
void ed__rf_easy_fixed(const ed__rf_target_t *t, CURL *e);

/* HTTP status of the last transfer (0 when none). */
long ed__rf_xfer_status(ed__rf_xfer_t *x);

/* Value of response header name of the last transfer as a malloc()ed copy
 * owned by the caller, or NULL. */
char *ed__rf_xfer_header(ed__rf_xfer_t *x, const char *name);

/* Free every transfer of t (none may be in curl any more). */
void ed__rf_xfer_free_all(ed__rf_target_t *t);

/* Overwrite and free a string that may hold a secret. */
void ed__rf_wipe_free(char *s);

#endif
