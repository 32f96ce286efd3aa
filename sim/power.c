#include "power.h"

#include "../core/base/error.h"

#include <string.h>

/* Sequences: each is a list of timed phases ending in a steady state. */
enum {
  SEQ_ON = 0,          /* On */
  SEQ_OFF,             /* Off */
  SEQ_TURN_ON,         /* PoweringOn(on) -> On */
  SEQ_TURN_OFF,        /* PoweringOff(off) -> Off */
  SEQ_CYCLE,           /* Off(dwell) -> PoweringOn(on) -> On */
  SEQ_GRACEFUL_RESTART /* PoweringOff(off) -> Off(dwell) -> PoweringOn(on) */
};

static const char *const reset_names[ED__RESET_COUNT] = {
    [ED__RESET_ON] = "On",
    [ED__RESET_FORCE_ON] = "ForceOn",
    [ED__RESET_FORCE_OFF] = "ForceOff",
    [ED__RESET_GRACEFUL_SHUTDOWN] = "GracefulShutdown",
    [ED__RESET_GRACEFUL_RESTART] = "GracefulRestart",
    [ED__RESET_FORCE_RESTART] = "ForceRestart",
    [ED__RESET_POWER_CYCLE] = "PowerCycle",
    [ED__RESET_FULL_POWER_CYCLE] = "FullPowerCycle",
    [ED__RESET_PUSH_POWER_BUTTON] = "PushPowerButton",
    [ED__RESET_NMI] = "Nmi",
};

void ed__power_init(ed__power_t *p, bool on) {
  p->t0 = 0;
  p->seq = on ? SEQ_ON : SEQ_OFF;
}

static int64_t dwell_ms(const ed__power_timing_t *t) {
  return t->on_ms / 4;
}

ed__pwr_state_t ed__power_state(const ed__power_t *p,
                                const ed__power_timing_t *t, int64_t now_ms) {
  int64_t dt = now_ms - p->t0;
  switch (p->seq) {
  case SEQ_ON:
    return ED__PWR_ON;
  case SEQ_OFF:
    return ED__PWR_OFF;
  case SEQ_TURN_ON:
    return dt < t->on_ms ? ED__PWR_POWERING_ON : ED__PWR_ON;
  case SEQ_TURN_OFF:
    return dt < t->off_ms ? ED__PWR_POWERING_OFF : ED__PWR_OFF;
  case SEQ_CYCLE:
    if (dt < dwell_ms(t))
      return ED__PWR_OFF;
    return dt < dwell_ms(t) + t->on_ms ? ED__PWR_POWERING_ON : ED__PWR_ON;
  case SEQ_GRACEFUL_RESTART:
    if (dt < t->off_ms)
      return ED__PWR_POWERING_OFF;
    if (dt < t->off_ms + dwell_ms(t))
      return ED__PWR_OFF;
    return dt < t->off_ms + dwell_ms(t) + t->on_ms ? ED__PWR_POWERING_ON
                                                   : ED__PWR_ON;
  }
  return ED__PWR_OFF;
}

ed__pwr_state_t ed__power_final_state(const ed__power_t *p) {
  return (p->seq == SEQ_OFF || p->seq == SEQ_TURN_OFF) ? ED__PWR_OFF
                                                       : ED__PWR_ON;
}

const char *ed__power_state_name(ed__pwr_state_t st) {
  switch (st) {
  case ED__PWR_ON:
    return "On";
  case ED__PWR_POWERING_ON:
    return "PoweringOn";
  case ED__PWR_POWERING_OFF:
    return "PoweringOff";
  case ED__PWR_OFF:
    break;
  }
  return "Off";
}

int ed__power_reset_parse(const char *name) {
  for (int i = 0; i < ED__RESET_COUNT; i++)
    if (strcmp(name, reset_names[i]) == 0)
      return i;
  return ED_EINVAL;
}

const char *ed__power_reset_name(ed__reset_t r) {
  return (unsigned)r < ED__RESET_COUNT ? reset_names[r] : "?";
}

static void start(ed__power_t *p, int seq, int64_t now_ms) {
  p->seq = (uint8_t)seq;
  p->t0 = now_ms;
}

void ed__power_reset(ed__power_t *p, const ed__power_timing_t *t, ed__reset_t r,
                     int64_t now_ms) {
  ed__pwr_state_t cur = ed__power_state(p, t, now_ms);
  /* "Going up" covers PoweringOn: asking On again must not restart it. */
  bool up = cur == ED__PWR_ON || cur == ED__PWR_POWERING_ON;
  switch (r) {
  case ED__RESET_ON:
  case ED__RESET_FORCE_ON:
    if (!up)
      start(p, SEQ_TURN_ON, now_ms);
    break;
  case ED__RESET_FORCE_OFF:
    start(p, SEQ_OFF, now_ms);
    break;
  case ED__RESET_GRACEFUL_SHUTDOWN:
    if (up)
      start(p, SEQ_TURN_OFF, now_ms);
    break;
  case ED__RESET_GRACEFUL_RESTART:
    start(p, up ? SEQ_GRACEFUL_RESTART : SEQ_TURN_ON, now_ms);
    break;
  case ED__RESET_FORCE_RESTART:
  case ED__RESET_POWER_CYCLE:
  case ED__RESET_FULL_POWER_CYCLE:
    start(p, SEQ_CYCLE, now_ms);
    break;
  case ED__RESET_PUSH_POWER_BUTTON:
    start(p, up ? SEQ_TURN_OFF : SEQ_TURN_ON, now_ms);
    break;
  case ED__RESET_NMI:
  case ED__RESET_COUNT:
    break; /* an NMI leaves power alone; it is only logged */
  }
}
