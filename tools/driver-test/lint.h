/*
 * lint: what eventdrill-driver-test checks in a driver's tables beyond what
 * the core refuses at load time (the core's checks run first, through the
 * plugin host): duplicate keys and operation names, flags this SDK does not
 * define, secret or address flags where they mean nothing, options without a
 * description.
 */
#ifndef ED_LINT_H
#define ED_LINT_H

#include <stddef.h>

#include <eventdrill/driver.h>

/* Called once per finding; error != 0 fails the driver, else a warning. */
typedef void (*ed_lint_cb)(void *arg, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Check drv's target options and operations; returns the number of errors. */
size_t ed_lint_driver(const ed_driver_t *drv, ed_lint_cb cb, void *arg);

#endif
