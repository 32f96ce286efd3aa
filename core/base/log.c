#include "log.h"

#include <stdio.h>

static int log_level = ED_LOG_LVL_INFO;

void ed_log_set_level(int level) {
  log_level = level;
}
int ed_log_level(void) {
  return log_level;
}

static const char *level_name(int level) {
  switch (level) {
  case ED_LOG_LVL_ERROR:
    return "error";
  case ED_LOG_LVL_WARN:
    return "warning";
  case ED_LOG_LVL_INFO:
    return "info";
  default:
    return "debug";
  }
}

void ed_vlog(int level, const char *who, const char *fmt, va_list ap) {
  if (level > log_level)
    return;
  /* One buffer and one write, so that lines of concurrent threads do not
   * interleave. */
  char line[2048];
  int n;
  if (who)
    n = snprintf(line, sizeof(line), "eventdrill: %s: [%s] ", level_name(level),
                 who);
  else
    n = snprintf(line, sizeof(line), "eventdrill: %s: ", level_name(level));
  if (n < 0)
    return;
  if ((size_t)n < sizeof(line))
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
  fprintf(stderr, "%s\n", line);
}

void ed_log(int level, const char *who, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ed_vlog(level, who, fmt, ap);
  va_end(ap);
}
