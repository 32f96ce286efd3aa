/*
 * Fuzz target: the scenario loader (core/scenario*.c, core/base/jsonpos.c).
 * The input is written to a memfd and loaded through /proc/self/fd/N, so the
 * loader runs unchanged, reading included. A fake driver table (redfish,
 * ipmi, ssh; get is read-only, reset/post/patch destructive) lets the
 * loader's driver lookups, did-you-mean and destructive checks run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "eventdrill/driver.h"
#include "scenario.h"

static const char *const names[] = {"redfish", "ipmi", "ssh", NULL};

static int lookup(void *ctx, const char *driver) {
  (void)ctx;
  for (size_t i = 0; names[i]; i++)
    if (strcmp(names[i], driver) == 0)
      return 0;
  return -1;
}

static const char *const *list(void *ctx) {
  (void)ctx;
  return names;
}

static int op_flags(void *ctx, const char *driver, const char *op) {
  (void)ctx;
  if (lookup(NULL, driver) < 0)
    return -1;
  if (strcmp(op, "get") == 0 || strcmp(op, "sensors") == 0 ||
      strcmp(op, "power_status") == 0 || strcmp(op, "exec") == 0)
    return 0;
  if (strcmp(op, "reset") == 0 || strcmp(op, "post") == 0 ||
      strcmp(op, "patch") == 0 || strcmp(op, "power") == 0)
    return (int)ED_OP_DESTRUCTIVE;
  return -1;
}

static const ed_scenario_drivers_t drivers = {
    .ctx = NULL, .lookup = lookup, .names = list, .op_flags = op_flags};

static int fd = -1;
static FILE *devnull;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fd < 0) {
    fd = memfd_create("scenario.json", 0);
    devnull = fopen("/dev/null", "w");
    if (fd < 0 || !devnull)
      return 0;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  }
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
    return 0;
  ed_diag_t diag;
  ed_diag_init(&diag);
  ed_scenario_t *s = NULL;
  int rc = ed_scenario_load(path, &drivers, &diag, &s);
  ed_diag_print(&diag, devnull);
  if (rc == 0 && s) {
    (void)ed_scenario_length_ms(s);
    for (size_t i = 0; i < s->nworkloads; i++) {
      const ed_workload_t *w = &s->workloads[i];
      (void)ed_workload_peak_rate(w);
      for (size_t t = 0; t < w->ntargets; t++) {
        const ed_target_t *tg = ed_scenario_target(s, w->targets[t]);
        if (tg)
          (void)ed_workload_cap(w, tg);
      }
    }
    for (size_t i = 0; i < s->nplans; i++)
      (void)ed_scenario_plan(s, s->plans[i].name);
    for (size_t i = 0; i < s->nchecks; i++)
      (void)ed_scenario_check(s, s->checks[i].name);
  }
  ed_scenario_destroy(s);
  ed_diag_close(&diag);
  return 0;
}
