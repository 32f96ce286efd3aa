/*
 * power: the power state machine of one virtual system, computed lazily.
 *
 * A reset only records which sequence started and when; the state at any
 * later instant is derived from (sequence, start, now), so an idle system
 * needs no timer and 16 bytes.
 */
#ifndef ED_SIM_POWER_H
#define ED_SIM_POWER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  ED__PWR_OFF = 0,
  ED__PWR_ON,
  ED__PWR_POWERING_ON,
  ED__PWR_POWERING_OFF
} ed__pwr_state_t;

/* Reset types of ComputerSystem.Reset that the simulator understands. */
typedef enum {
  ED__RESET_ON = 0,
  ED__RESET_FORCE_ON,
  ED__RESET_FORCE_OFF,
  ED__RESET_GRACEFUL_SHUTDOWN,
  ED__RESET_GRACEFUL_RESTART,
  ED__RESET_FORCE_RESTART,
  ED__RESET_POWER_CYCLE,
  ED__RESET_FULL_POWER_CYCLE,
  ED__RESET_PUSH_POWER_BUTTON,
  ED__RESET_NMI,
  ED__RESET_COUNT
} ed__reset_t;

/* Delays of the transitions (ms, > 0). A restart or power cycle stays Off
 * for on_ms / 4 before PoweringOn, like a real power supply's hold-off. */
typedef struct ed__power_timing_s {
  int64_t on_ms;
  int64_t off_ms;
} ed__power_timing_t;

/* Caller-allocated; no _close needed (owns nothing). */
typedef struct ed__power_s {
  int64_t t0;  /* when the current sequence started */
  uint8_t seq; /* private: which sequence */
} ed__power_t;

/* Start in a steady state: On when on is true, else Off. */
void ed__power_init(ed__power_t *p, bool on);
ed__pwr_state_t ed__power_state(const ed__power_t *p,
                                const ed__power_timing_t *t, int64_t now_ms);
/* Redfish name of a state ("On", "PoweringOff", ...): a static string. */
const char *ed__power_state_name(ed__pwr_state_t st);
/* The state a sequence ends in once all its delays have elapsed. */
ed__pwr_state_t ed__power_final_state(const ed__power_t *p);

/* Reset type from its Redfish name; <0 (ED_EINVAL) if unknown. */
int ed__power_reset_parse(const char *name);
const char *ed__power_reset_name(ed__reset_t r);
/* Apply a reset at now_ms: the state machine continues from whatever state
 * the system is in at that instant. */
void ed__power_reset(ed__power_t *p, const ed__power_timing_t *t, ed__reset_t r,
                     int64_t now_ms);

#endif
