/*
 * log: diagnostic lines on stderr, "eventdrill: <level>: [who] message".
 * Never pass a secret to these functions.
 */
#ifndef ED_LOG_H
#define ED_LOG_H

#include <stdarg.h>

enum {
  ED_LOG_LVL_ERROR = 0,
  ED_LOG_LVL_WARN,
  ED_LOG_LVL_INFO,
  ED_LOG_LVL_DEBUG
};

/* Lines above this level are not printed. Default: ED_LOG_LVL_INFO. */
void ed_log_set_level(int level);
int ed_log_level(void);
/* Print one line. who may be NULL (no bracketed part). */
void ed_log(int level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ed_vlog(int level, const char *who, const char *fmt, va_list ap);

#define ed_error(who, ...) ed_log(ED_LOG_LVL_ERROR, who, __VA_ARGS__)
#define ed_warn(who, ...) ed_log(ED_LOG_LVL_WARN, who, __VA_ARGS__)
#define ed_info(who, ...) ed_log(ED_LOG_LVL_INFO, who, __VA_ARGS__)
#define ed_debug(who, ...) ed_log(ED_LOG_LVL_DEBUG, who, __VA_ARGS__)

#endif
