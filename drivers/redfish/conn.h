/*
 * conn: the keep-alive connections that carry a target's GET requests.
 *
 * libcurl opens each connection (CURLOPT_CONNECT_ONLY through the
 * multi-socket API on the loop: TCP, and TLS with the target's certificate
 * verification) and moves its bytes (curl_easy_send / curl_easy_recv, so TLS
 * stays libcurl's); the driver writes the GET itself, once per operation,
 * and reads the answer with http-parser. Why: a libcurl 7.88 transfer costs
 * some 50,000 instructions of set-up, request formatting, header handling
 * and bookkeeping, about nine times what a whole request costs wrk, while a
 * GET on a connection already open needs none of it. Every other exchange
 * (PATCH, POST, actions, logins, discovery, ETag reads) is a full libcurl
 * transfer (xfer.h). The answer ends as a transfer does: x->on_done with a
 * CURLcode, x->status, the body in x->buf when kept, the reason in x->errbuf.
 */
#ifndef ED_REDFISH_CONN_H
#define ED_REDFISH_CONN_H

#include "redfish.h"

/* Whether op's requests go over a connection of this module: a GET (no ETag
 * step) whose URL is resolved and whose path is plain visible ASCII without
 * a fragment. */
int ed__rf_conn_eligible(ed__rf_op_t *op);

/* Send x's GET over a free connection of its target, opening one when none
 * is free; cb is called once, on the loop, when the answer is in or the
 * request failed (timeout_ms 0: the target's timeout, counted from now,
 * connecting included). Returns 0, or <0 when it could not start (cb not
 * called). */
int ed__rf_conn_send(ed__rf_xfer_t *x, int64_t timeout_ms, ed__rf_xfer_cb cb);

/* Take x back from its connection without calling its callback; the
 * connection, its answer unread, is closed. */
void ed__rf_conn_abort(ed__rf_xfer_t *x);

/* Close and free every connection of t and their multis (no request may be
 * on one any more); the loop must run on for the handles to close. */
void ed__rf_conn_free_all(ed__rf_target_t *t);

#endif
