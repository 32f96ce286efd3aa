/*
 * sel: the System Event Log entries one virtual BMC adds to its mockup's
 * SEL (power events, BMC resets, and entries the operator writes through
 * the control channel). The mockup's own entries stay shared in the
 * template; only additions are per BMC, as a few bytes each (plus the
 * operator's message): the JSON is built when an entry is read.
 */
#ifndef ED_SIM_SEL_H
#define ED_SIM_SEL_H

#include "mockup.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define ED__SEL_MAX 1000      /* like MaxNumberOfRecords; oldest dropped */
#define ED__SEL_BMC_RESET 255 /* event code of a Manager.Reset */
#define ED__SEL_OPERATOR 254  /* event code of an operator's entry */

typedef struct ed__sel_entry_s {
  int64_t created; /* wall-clock seconds of the BMC's clock */
  char *message;   /* the operator's text (owned), NULL for events */
  uint32_t id;
  uint32_t res;     /* resource the event is about (system or manager) */
  uint8_t event;    /* ed__reset_t, ED__SEL_BMC_RESET or ED__SEL_OPERATOR */
  uint8_t from, to; /* ed__pwr_state_t before, and where it is heading */
  uint8_t severity; /* ed__health_t: OK, Warning, Critical */
} ed__sel_entry_t;

/* Caller-allocated (_init/_close). */
typedef struct ed__sel_s {
  ed__sel_entry_t *v; /* owned, oldest first */
  size_t n, cap;
  uint32_t next_id;
  bool cleared; /* ClearLog hid the mockup's own entries */
} ed__sel_t;

void ed__sel_init(ed__sel_t *sel, const ed__mockup_t *m);
void ed__sel_close(ed__sel_t *sel);
/* Log an event at wall-clock time now_s. 0 or ED_ENOMEM. */
int ed__sel_add(ed__sel_t *sel, uint32_t res, int event, int from, int to,
                time_t now_s);
/* Log the operator's entry: severity (ed__health_t, not NONE) and message
 * (copied), at wall-clock time now_s. 0 or ED_ENOMEM. */
int ed__sel_add_message(ed__sel_t *sel, int severity, const char *message,
                        time_t now_s);
/* LogService.ClearLog. */
void ed__sel_clear(ed__sel_t *sel);
/* The Entries collection as this BMC sees it (template members, unless
 * cleared, then its own). sel may be NULL (nothing added). New reference. */
json_t *ed__sel_collection(const ed__sel_t *sel, const ed__mockup_t *m);
/* One of this BMC's own entries by its URI id (id_len bytes), or NULL. New
 * reference. */
json_t *ed__sel_entry(const ed__sel_t *sel, const ed__mockup_t *m,
                      const char *id, size_t id_len);
size_t ed__sel_footprint(const ed__sel_t *sel);

#endif
