#include "error.h"

const char *ed_strerror(int err) {
  switch (err) {
  case ED_OK:
    return "success";
#define ED__ERR_MSG(name, code, msg)                                           \
  case ED_E##name:                                                             \
    return msg;
    ED_ERRNO_MAP(ED__ERR_MSG)
#undef ED__ERR_MSG
  }
  return "unknown error";
}

const char *ed_errname(int err) {
  switch (err) {
  case ED_OK:
    return "ED_OK";
#define ED__ERR_NAME(name, code, msg)                                          \
  case ED_E##name:                                                             \
    return "ED_E" #name;
    ED_ERRNO_MAP(ED__ERR_NAME)
#undef ED__ERR_NAME
  }
  return "ED_E?";
}
