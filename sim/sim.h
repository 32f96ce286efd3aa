/*
 * sim: the device simulator as a library, so that eventdrill can start a
 * fleet inside its own process (targets with a "sim" key) on its own loop,
 * and eventdrill-sim can run one on its own.
 */
#ifndef ED_SIM_H
#define ED_SIM_H

#include <jansson.h>
#include <stddef.h>
#include <uv.h>

typedef struct ed_sim_s ed_sim_t;

/* Create a fleet from a configuration object (the format of
 * `eventdrill-sim --config FILE`, see docs/simulator.md). `origin` names where
 * the config came from for error messages (a file name, or "scenario"). On
 * error returns <0 and a message naming the key in errbuf. Nothing is bound
 * yet. The fleet borrows loop; config is not kept. */
int ed_sim_create(uv_loop_t *loop, const json_t *config, const char *origin,
                  ed_sim_t **out, char *errbuf, size_t errlen);
/* Bind and listen on every BMC's address. 0 or <0 with errbuf. */
int ed_sim_start(ed_sim_t *sim, char *errbuf, size_t errlen);
size_t ed_sim_count(const ed_sim_t *sim);
/* Base URL of BMC i, e.g. "http://127.0.1.1:8000" (borrowed). */
const char *ed_sim_url(const ed_sim_t *sim, size_t i);
/* Apply a control command (the control channel's JSON body) at run time.
 * Returns 0 or <0 with errbuf ("<key>: <why>"). cmd is borrowed. "bmc"
 * names the BMCs: i | [i, ...] | "all" (absent: all). Its "op" says what
 * to do:
 *   "knobs" (the default): {<knobs>...}
 *   "down":   {"for": "10s"} (no "for": until "up"; "bmc" required)
 *   "up":     {} ("bmc" required)
 *   "sensor": {"name": "CPU1 Temp", "value": 88 | "jump": 20, "drift": 0.5}
 *   "sel":    {"severity": "Critical", "message": "...", "clear": true}
 *   "patch":  {"path": "/redfish/v1/Chassis/1/Power",
 *              "pointer": "/PowerSupplies/1/Status/Health", "value": ...}
 *   "clock":  {"offset": "90s" | "-90s"}
 * See docs/simulator.md. The configuration's "changes" holds the same
 * commands, applied by ed_sim_create (down and up by ed_sim_start). */
int ed_sim_control(ed_sim_t *sim, const json_t *cmd, char *errbuf,
                   size_t errlen);
/* Each BMC's url, state, power, in-flight, queued and served counts and
 * knobs, as served by GET /status. New reference (caller decrefs), NULL on
 * ENOMEM. */
json_t *ed_sim_status(ed_sim_t *sim);
/* Base URL of the control channel ("http://127.0.0.1:7999"), or NULL when
 * none is configured or before ed_sim_start (borrowed). */
const char *ed_sim_control_url(const ed_sim_t *sim);
/* Stop listening and close every connection and timer; cb runs once all
 * handles are closed, after which the memory is freed. cb may be NULL. */
void ed_sim_close(ed_sim_t *sim, void (*cb)(void *arg), void *arg);

#endif
