/*
 * timeline: what a scenario will do, printed without touching any device
 * (`eventdrill run FILE --dry-run`): targets, then for each workload its
 * phases with their start, profile, rates and expected request counts.
 */
#ifndef ED_TIMELINE_H
#define ED_TIMELINE_H

#include <stdio.h>

#include "scenario.h"

void ed_timeline_print(const ed_scenario_t *s, FILE *out);
/* A segment's profile in words, e.g. "ramp 20 -> 200 req/s". */
void ed_timeline_describe(const ed_segment_t *seg, char *buf, size_t len);

#endif
