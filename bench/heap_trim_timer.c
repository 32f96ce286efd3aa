/* An LD_PRELOAD shim for bench/targets_memory.sh: times every malloc_trim of
 * the process it is loaded into, and writes their count, total and worst time
 * (ms) to the file named by ED_TRIM_LOG at exit: eventdrill hands its free heap
 * pages back every 10 s on its loop thread, and a long walk there would
 * show as send lag. With ED_TRIM_SKIP=1 the trims are skipped (timed as
 * 0), to compare a run without them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long calls;
static double total_ms, worst_ms;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int malloc_trim(size_t pad) {
  static int (*real)(size_t);
  if (!real)
    *(void **)&real = dlsym(RTLD_NEXT, "malloc_trim");
  const char *skip = getenv("ED_TRIM_SKIP");
  double t0 = now_ms();
  int rc = skip && *skip == '1' ? 0 : real(pad);
  double ms = now_ms() - t0;
  calls++;
  total_ms += ms;
  if (ms > worst_ms)
    worst_ms = ms;
  return rc;
}

__attribute__((destructor)) static void report(void) {
  /* a process that never trimmed (the time(1) around eventdrill, which
   * loads this too) leaves the file to the one that did */
  const char *path = getenv("ED_TRIM_LOG");
  FILE *f = path && calls ? fopen(path, "w") : NULL;
  if (!f)
    return;
  fprintf(f, "%lu %.3f %.3f\n", calls, total_ms, worst_ms);
  fclose(f);
}
