/* The command line for the evidence; see cmdline.h. */
#include "cmdline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

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

/* The option as written, without "=value" (for a message). */
static void option_text(char **argv, char *buf, size_t len) {
  const char *arg = optind > 0 ? argv[optind - 1] : NULL;
  if (optopt && optopt != '?' && (!arg || strncmp(arg, "--", 2) != 0)) {
    snprintf(buf, len, "-%c", optopt);
    return;
  }
  snprintf(buf, len, "%s", arg ? arg : "?");
  char *eq = strchr(buf, '=');
  if (eq)
    *eq = '\0';
}

void ed_cmdline_bad_option(const char *command, const char *usage,
                           const struct option *longs, int c, char **argv) {
  char opt[128];
  option_text(argv, opt, sizeof(opt));
  const char *names[64];
  size_t n = 0;
  for (size_t i = 0; longs && longs[i].name && n < 63; i++)
    names[n++] = longs[i].name;
  names[n] = NULL;
  if (c == ':') {
    fprintf(stderr, "eventdrill %s: %s needs a value\n", command, opt);
  } else {
    const char *word = opt + strspn(opt, "-");
    const char *near = *word ? ed_did_you_mean(word, names) : NULL;
    int known = 0;
    for (size_t i = 0; i < n && !known; i++)
      known = strcmp(word, names[i]) == 0;
    if (known) /* a flag given a value, as --json=1 */
      fprintf(stderr, "eventdrill %s: %s takes no value\n", command, opt);
    else if (near)
      fprintf(stderr, "eventdrill %s: unknown option %s (did you mean --%s?)\n",
              command, opt, near);
    else
      fprintf(stderr, "eventdrill %s: unknown option %s\n", command, opt);
  }
  fprintf(stderr, "usage: eventdrill %s %s  (eventdrill %s --help)\n", command,
          usage, command);
}
