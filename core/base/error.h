/*
 * error: the core's error codes. A failable function returns 0 or a negative
 * ED_E* code; ed_strerror() gives its message.
 */
#ifndef ED_ERROR_H
#define ED_ERROR_H

#define ED_ERRNO_MAP(X)                                                        \
  X(NOMEM, -1, "out of memory")                                                \
  X(INVAL, -2, "invalid argument")                                             \
  X(IO, -3, "input/output error")                                              \
  X(PARSE, -4, "parse error")                                                  \
  X(NOTFOUND, -5, "not found")                                                 \
  X(EXISTS, -6, "already exists")                                              \
  X(ABI, -7, "incompatible plugin ABI")                                        \
  X(PLUGIN, -8, "plugin failed")                                               \
  X(PERM, -9, "permission refused")                                            \
  X(UNSUPPORTED, -10, "not supported")                                         \
  X(INTERRUPTED, -11, "interrupted")                                           \
  X(RANGE, -12, "value out of range")                                          \
  X(STATE, -13, "invalid state")

typedef enum {
  ED_OK = 0,
#define ED__ERR_ENUM(name, code, msg) ED_E##name = (code),
  ED_ERRNO_MAP(ED__ERR_ENUM)
#undef ED__ERR_ENUM
} ed_err_t;

/* Message of an ED_E* code; a static string. */
const char *ed_strerror(int err);
/* Name of an ED_E* code ("ED_ENOMEM"); a static string. */
const char *ed_errname(int err);

#endif
