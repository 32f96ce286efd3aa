/*
 * control: the fleet's control channel, an HTTP/1.1 endpoint on a loopback
 * port of its own (never a BMC's): GET /status, and POST /<op> for each
 * command of ed_sim_control (knobs, down, up, sensor, sel, patch, clock),
 * with JSON bodies. It drives the fleet through sim.h only.
 */
#ifndef ED_SIM_CONTROL_H
#define ED_SIM_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "sim.h"

typedef struct ed__control_s ed__control_t;

/* Listen on addr:port (host byte order; port 0 = any free port) and serve
 * commands for sim (borrowed; must outlive the channel). 0 or <0 with
 * errbuf. The channel is freed by ed__control_close. */
int ed__control_start(uv_loop_t *loop, ed_sim_t *sim, uint32_t addr,
                      uint16_t port, ed__control_t **out, char *errbuf,
                      size_t errlen);
/* "http://127.0.0.1:7999" with the bound port (borrowed). */
const char *ed__control_url(const ed__control_t *c);
/* Close the listener and every connection; cb(arg) runs once all are
 * closed, then the channel is freed. */
void ed__control_close(ed__control_t *c, void (*cb)(void *arg), void *arg);

#endif
