/*
 * prom_http: a small HTTP/1.1 listener on the run's loop that serves
 * GET /metrics to a scraper (Prometheus, curl). Each answer is a page the
 * owner renders at the moment of the request; OpenMetrics when the request's
 * Accept header asks for it, else the text format.
 *
 * The listener never slows the run: a request is read within a small byte
 * bound and a deadline, a connection is closed after its answer, and past a
 * few connections at once new ones are closed at once.
 *
 * Addresses: "PORT" (on 127.0.0.1), "IPv4:PORT" or "[IPv6]:PORT", numeric
 * only; port 0 picks a free port (ed_prom_http_address tells which).
 */
#ifndef ED_PROM_HTTP_H
#define ED_PROM_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "prom.h"

/* Fill p with the current figures. Called on the loop thread. */
typedef void (*ed_prom_render_cb)(void *arg, ed_prom_t *p);

typedef struct ed_prom_http_s ed_prom_http_t;

/* Listen on addr. 0; -1 when addr is not an address, -2 when it cannot be
 * listened on; with a message in err ("--metrics: ..."). */
int ed_prom_http_start(uv_loop_t *loop, const char *addr,
                       ed_prom_render_cb render, void *arg,
                       ed_prom_http_t **out, char *err, size_t errlen);

/* "127.0.0.1:9464" as bound. Borrowed. */
const char *ed_prom_http_address(const ed_prom_http_t *s);

/* Stop listening, drop open connections; the memory is freed as the loop
 * closes the handles. NULL is fine. The render callback is not called
 * again. */
void ed_prom_http_stop(ed_prom_http_t *s);

/* Pages served so far (for the journal). */
unsigned long ed_prom_http_served(const ed_prom_http_t *s);

#endif
