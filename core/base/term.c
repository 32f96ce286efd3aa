/* term: width and colour of the terminal (term.h). */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static ed_color_mode_t color_mode = ED_COLOR_AUTO;

int ed_term_color_parse(const char *text, ed_color_mode_t *out) {
  static const char *const names[] = {"auto", "always", "never"};
  for (int i = 0; i < 3; i++)
    if (text && strcmp(text, names[i]) == 0) {
      *out = (ed_color_mode_t)i;
      return 0;
    }
  return -1;
}

void ed_term_set_color(ed_color_mode_t mode) {
  color_mode = mode;
}

static int set_from(const char *value) {
  ed_color_mode_t m;
  if (ed_term_color_parse(value, &m) != 0) {
    fprintf(stderr,
            "eventdrill: --color: \"%s\" is not one of auto, always, "
            "never\n",
            value ? value : "");
    return -1;
  }
  ed_term_set_color(m);
  return 0;
}

int ed_term_take_color_option(int *argc, char **argv) {
  int out = 0, n = *argc;
  for (int i = 0; i < n; i++) {
    if (strcmp(argv[i], "--") == 0) {
      while (i < n)
        argv[out++] = argv[i++];
      break;
    }
    if (strncmp(argv[i], "--color=", 8) == 0) {
      if (set_from(argv[i] + 8) != 0)
        return -1;
    } else if (strcmp(argv[i], "--color") == 0) {
      if (set_from(i + 1 < n ? argv[i + 1] : NULL) != 0)
        return -1;
      i++;
    } else {
      argv[out++] = argv[i];
    }
  }
  argv[out] = NULL;
  *argc = out;
  return 0;
}

int ed_term_colors(FILE *f) {
  if (color_mode != ED_COLOR_AUTO)
    return color_mode == ED_COLOR_ALWAYS;
  const char *no = getenv("NO_COLOR");
  if (no && *no)
    return 0;
  const char *term = getenv("TERM");
  if (term && strcmp(term, "dumb") == 0)
    return 0;
  return isatty(fileno(f));
}

const char *ed_term_sgr(FILE *f, ed_sgr_t what) {
  static const char *const seq[] = {"\033[0m",  "\033[1m",  "\033[1;31m",
                                    "\033[32m", "\033[33m", "\033[2m"};
  if ((unsigned)what >= sizeof(seq) / sizeof(seq[0]) || !ed_term_colors(f))
    return "";
  return seq[what];
}

int ed_term_width(FILE *f) {
  struct winsize ws;
  if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) != 0)
    return 0;
  return ws.ws_col;
}
