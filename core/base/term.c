/* term: width and colour of the terminal (term.h). */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static ed_color_mode_t color_mode = ED_COLOR_AUTO;
/* ed_term_stand_in: text for `stand_for` is being composed in `stand_in`. */
static FILE *stand_in, *stand_for;

void ed_term_stand_in(FILE *buffer, FILE *terminal) {
  stand_in = buffer;
  stand_for = terminal;
}

/* The stream whose terminal f writes to. */
static FILE *real(FILE *f) {
  return f && f == stand_in ? stand_for : f;
}

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
  return isatty(fileno(real(f)));
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
  f = real(f);
  if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) != 0)
    return 0;
  return ws.ws_col;
}

/* Length of the escape sequence (CSI ... final byte) at s, or 0. */
static size_t escape_len(const char *s, size_t n) {
  if (n < 2 || s[0] != '\033' || s[1] != '[')
    return 0;
  size_t i = 2;
  while (i < n && !(s[i] >= 0x40 && s[i] <= 0x7E))
    i++;
  return i < n ? i + 1 : 0;
}

/* Bytes of s[0..n) that fit in `cols` columns: a character (not a byte) per
 * column, an escape sequence none. */
static size_t fit_bytes(const char *s, size_t n, size_t cols) {
  size_t i = 0, c = 0;
  while (i < n) {
    size_t e = escape_len(s + i, n - i);
    if (e) {
      i += e;
      continue;
    }
    if (c == cols)
      break;
    c++;
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
      i++;
  }
  return i;
}

static size_t columns_of(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n;) {
    size_t e = escape_len(s + i, n - i);
    if (e) {
      i += e;
      continue;
    }
    c += ((unsigned char)s[i] & 0xC0) != 0x80;
    i++;
  }
  return c;
}

/* One line (without its newline) broken to `room` columns, continuation
 * lines indented by `indent`. */
static void write_line(FILE *f, const char *p, size_t n, size_t room,
                       size_t indent) {
  size_t first = 1;
  if (indent + 10 > room)
    indent = 0;
  while (n > 0) {
    size_t avail = first ? room : room - indent;
    if (columns_of(p, n) <= avail) {
      fprintf(f, "%*s%.*s\n", first ? 0 : (int)indent, "", (int)n, p);
      return;
    }
    size_t cut = fit_bytes(p, n, avail), at = cut;
    while (at > 0 && p[at] != ' ')
      at--;
    if (at == 0)
      at = cut; /* one word wider than the line */
    fprintf(f, "%*s%.*s\n", first ? 0 : (int)indent, "", (int)at, p);
    p += at;
    n -= at;
    while (n > 0 && *p == ' ') {
      p++;
      n--;
    }
    first = 0;
  }
}

void ed_term_write_wrapped(FILE *f, const char *text) {
  int width = ed_term_width(f);
  if (width < 20) {
    fputs(text, f);
    return;
  }
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (n == 0)
      fputc('\n', f);
    else
      write_line(f, p, n, (size_t)width - 1, strspn(p, " ") + 2);
    if (!nl)
      break;
    p = nl + 1;
  }
}

void ed_term_write_line(FILE *f, const char *line, int indent) {
  int width = ed_term_width(f);
  size_t n = strlen(line);
  if (width < 20 || indent < 0) {
    fprintf(f, "%s\n", line);
    return;
  }
  if (n == 0)
    fputc('\n', f);
  else
    write_line(f, line, n, (size_t)width - 1, (size_t)indent);
}
