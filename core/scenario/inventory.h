/*
 * inventory: a fleet file listing devices — each with its driver, address,
 * credentials reference and labels (site, rack, role, …) — in the same form
 * as a scenario's targets. `inspect` and `watch` read one; a scenario may
 * include one ("inventory": "fleet.json") and pick devices by label.
 *
 * An inventory loads into an ed_scenario_t that holds only its name,
 * description and devices (as targets), so everything that runs targets
 * runs devices too.
 */
#ifndef ED_INVENTORY_H
#define ED_INVENTORY_H

#include <jansson.h>

#include "diag.h"
#include "scenario.h"

/* Load and validate the inventory `file` (errors name the file, line:column
 * and the JSON path, all at once). On success *out is new (free with
 * ed_scenario_destroy). Returns 0, ED_EPARSE, ED_EIO or ED_ENOMEM. */
int ed_inventory_load(const char *file, const ed_scenario_drivers_t *drivers,
                      ed_diag_t *diag, ed_scenario_t **out);

/* 1 when every label of `selector` (an object of strings) has the same value
 * in t's labels. */
int ed_inventory_match(const ed_target_t *t, const json_t *selector);

/* Why no device of `inv` matches `selector` (an object of strings), into
 * buf: a label no device has, or a value no device has for that label, with
 * the one meant when it is close ("no device has a label \"rloe\"; did you
 * mean \"role\"?") or the ones there are; else that no device has them all
 * together. */
void ed_inventory_selector_why(const ed_scenario_t *inv, const json_t *selector,
                               char *buf, size_t len);

/* "role=db, site=hall-a" of a selector, for messages. */
void ed_inventory_selector_text(const json_t *selector, char *buf, size_t len);

#endif
