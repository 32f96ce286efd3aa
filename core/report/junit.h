/*
 * junit: JUnit XML of a run's summary, so that a CI pipeline can gate a
 * change of an emergency plan on its drill: one test case per SLO check,
 * per RTO target (each fault with a plan) and per plan step.
 */
#ifndef ED_JUNIT_H
#define ED_JUNIT_H

#include <jansson.h>

/* Write the JUnit XML of summary (summary.json's object) to path. Returns 0
 * or ED_EIO. */
int ed_junit_write(const json_t *summary, const char *path);

#endif
