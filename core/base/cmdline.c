/* The command line for the evidence; see cmdline.h. */
#include "cmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the name of the hidden option arg starts with as
 * "--opt=", or 0. */
static size_t hidden_eq(const char *arg, const char *const *hidden) {
  for (size_t i = 0; hidden && hidden[i]; i++) {
    size_t n = strlen(hidden[i]);
    if (strncmp(arg, hidden[i], n) == 0 && arg[n] == '=')
      return n;
  }
  return 0;
}

static int is_hidden(const char *arg, const char *const *hidden) {
  for (size_t i = 0; hidden && hidden[i]; i++)
    if (strcmp(arg, hidden[i]) == 0)
      return 1;
  return 0;
}

char *ed_cmdline_join(const char *prog, int argc, char **argv,
                      const char *const *hidden) {
  size_t len = strlen(prog) + 1;
  for (int i = 0; i < argc; i++)
    len += strlen(argv[i]) + 8;
  char *s = malloc(len);
  if (!s)
    return NULL;
  size_t at = (size_t)snprintf(s, len, "%s", prog);
  for (int i = 0; i < argc; i++) {
    size_t eq = hidden_eq(argv[i], hidden);
    if (i > 0 && is_hidden(argv[i - 1], hidden))
      at += (size_t)snprintf(s + at, len - at, " CMD");
    else if (eq)
      at += (size_t)snprintf(s + at, len - at, " %.*s=CMD", (int)eq, argv[i]);
    else
      at += (size_t)snprintf(s + at, len - at, " %s", argv[i]);
  }
  return s;
}
