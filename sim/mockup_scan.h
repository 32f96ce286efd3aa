/*
 * mockup_scan: after a mockup is loaded, find what the behaviour needs:
 * which resources are systems, chassis, managers; the first system and
 * manager; the Sessions collection; the SEL (adding one to the template
 * when the mockup has none, linked from the first manager); every action
 * target and what it does.
 */
#ifndef ED_SIM_MOCKUP_SCAN_H
#define ED_SIM_MOCKUP_SCAN_H

#include "mockup.h"

/* Fills m's behaviour fields; may add resources (a virtual SEL) and change
 * template JSON, so it runs before texts are serialised. 0 or <0. */
int ed__mockup_scan(ed__mockup_t *m);

#endif
