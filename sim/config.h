/*
 * config: the simulator's JSON configuration (docs/simulator.md), checked
 * key by key. Errors name the origin (a file name) and the key path:
 * "fleet.json: listen.mode: expected \"addresses\" or \"ports\"".
 */
#ifndef ED_SIM_CONFIG_H
#define ED_SIM_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "knobs.h"
#include "service.h"

enum { ED__LISTEN_ADDRESSES = 0, ED__LISTEN_PORTS = 1 };

/* Knobs for one BMC from "per_bmc", applied over the fleet's knobs. */
typedef struct ed__bmc_knobs_s {
  size_t index;
  ed__knobs_patch_t patch;
} ed__bmc_knobs_t;

typedef struct ed__sim_config_s {
  size_t bmcs;
  int mode;         /* ED__LISTEN_* */
  uint32_t address; /* first address, host byte order, in 127.0.0.0/8 */
  uint16_t port;
  char *tls_cert, *tls_key, *tls_ca; /* owned; NULL = plain HTTP */
  char *mockup;                      /* owned: "default" or a directory */
  char *user, *password;             /* owned */
  ed__service_config_t svc;          /* user/password point at the above */
  ed__knobs_t knobs;                 /* fleet-wide */
  ed__bmc_knobs_t *per_bmc;          /* owned array of n_per_bmc */
  size_t n_per_bmc;
  uint64_t seed;
  int has_control;
  uint32_t control_addr; /* host byte order */
  uint16_t control_port; /* 0 = any free port */
  int access_log;
  json_t *changes; /* control commands applied at start (owned), or NULL */
  char *origin;    /* where the configuration came from (owned) */
} ed__sim_config_t;

/* Fill cfg (caller-allocated) from json. On error returns ED_EINVAL (or
 * ED_ENOMEM) with "<origin>: <key>: <why>" in errbuf; cfg is then already
 * closed. "changes" is only checked to be an array here: its commands are
 * checked as the fleet applies them (sim.c), against its BMCs. */
int ed__config_parse(ed__sim_config_t *cfg, const json_t *json,
                     const char *origin, char *errbuf, size_t errlen);
/* Free what cfg owns (the password is wiped first). */
void ed__config_close(ed__sim_config_t *cfg);

/* Address and port of BMC i (host byte order). */
void ed__config_bmc_addr(const ed__sim_config_t *cfg, size_t i, uint32_t *addr,
                         uint16_t *port);

/* Parse "127.0.0.1:7999" (loopback only). 0 or ED_EINVAL. */
int ed__config_hostport(const char *s, uint32_t *addr, uint16_t *port);

#endif
