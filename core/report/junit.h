/*
 * junit: JUnit XML of a run's verdict model (core/evidence/verdict.h), so
 * that a CI pipeline can gate a change of an emergency plan on its drill:
 * one test case per judged item, one test suite per kind of item
 * (<scenario>.<kind>); a failed item is a <failure type="<kind>"> with its
 * reason as message and text, an item not run is <skipped>. Each suite
 * carries tests, failures, errors and skipped; the file follows the Jenkins
 * xunit junit-10.xsd (tests/schemas/junit-10.xsd).
 */
#ifndef ED_JUNIT_H
#define ED_JUNIT_H

#include <jansson.h>

/* Write the JUnit XML of summary's "verdict" (summary.json's object) to
 * path. Returns 0 or ED_EIO. */
int ed_junit_write(const json_t *summary, const char *path);

#endif
