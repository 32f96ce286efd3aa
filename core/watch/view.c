/* The view's terminal: ncurses on the loop (keys when stdin is readable,
 * SIGWINCH, a redraw tick), and what each key does. */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "error.h"
#include "view_internal.h"

#define TICK_MS 250
#define KEY_ESC 27

/* ---- the pure parts ---------------------------------------------------- */

int ed_view_filter_match(const json_t *labels, const char *filter) {
  const char *p = filter;
  while (p && *p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    if (len) {
      char key[128];
      size_t klen = eq ? (size_t)(eq - p) : len;
      snprintf(key, sizeof(key), "%.*s", (int)klen, p);
      const char *have = json_string_value(json_object_get(labels, key));
      /* "key=value": equal; "key" alone: the label exists. */
      if (!have)
        return 0;
      if (eq && (strlen(have) != len - klen - 1 ||
                 strncmp(have, eq + 1, len - klen - 1) != 0))
        return 0;
    }
    p = end ? end + 1 : NULL;
  }
  return 1;
}

void ed_view_labels_text(const json_t *labels, char *buf, size_t len) {
  size_t at = 0;
  const char *key;
  json_t *v;
  buf[0] = '\0';
  json_object_foreach((json_t *)labels, key, v) {
    int n = snprintf(buf + at, len - at, "%s%s=%s", at ? "," : "", key,
                     json_string_value(v) ? json_string_value(v) : "");
    if (n < 0 || (size_t)n >= len - at)
      break;
    at += (size_t)n;
  }
}

/* ---- keys -------------------------------------------------------------- */

static void select_move(ed_view_t *v, int delta) {
  const ed_alarm_t *list[256];
  size_t n = ed__view_alarms(v, list, 256);
  if (!n)
    return;
  size_t i = v->sel_index < n ? v->sel_index : n - 1;
  for (size_t k = 0; k < n; k++)
    if (list[k]->id == v->selected)
      i = k;
  if (delta < 0 && i > 0)
    i--;
  else if (delta > 0 && i + 1 < n)
    i++;
  v->selected = list[i]->id;
  v->sel_index = i;
}

/* A selected text (the filter as it was when `/` opened it) is replaced
 * by what is typed and erased whole by Backspace; an arrow keeps it to edit
 * it at its end. */
static void edit_text_key(ed_view_t *v, int ch) {
  if (ch == KEY_LEFT || ch == KEY_RIGHT || ch == KEY_END) {
    v->edit_sel = 0;
  } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
    if (v->edit_sel)
      v->edit_len = 0;
    else if (v->edit_len)
      v->edit_len--;
    v->edit_sel = 0;
  } else if (ch >= 32 && ch < 127) {
    if (v->edit_sel)
      v->edit_len = 0;
    v->edit_sel = 0;
    if (v->edit_len + 1 < sizeof(v->edit))
      v->edit[v->edit_len++] = (char)ch;
  }
}

static void edit_key(ed_view_t *v, int ch) {
  if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && v->editing == 2) {
    v->edit[v->edit_len] = '\0';
    v->editing = 0;
    v->src.ack(v->src.arg, v->note_for, v->edit);
  } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
    v->edit[v->edit_len] = '\0';
    snprintf(v->filter, sizeof(v->filter), "%s", v->edit);
    v->editing = 0;
    ed_view_message(v, "%s%s", v->filter[0] ? "filter: " : "filter cleared",
                    v->filter);
  } else if (ch == KEY_ESC) {
    v->editing = 0;
  } else {
    edit_text_key(v, ch);
  }
}

static void on_key(ed_view_t *v, int ch) {
  const ed_view_source_t *s = &v->src;
  if (v->editing) {
    edit_key(v, ch);
    v->dirty = 1;
    return;
  }
  switch (ch) {
  case KEY_UP:
  case 'k':
    select_move(v, -1);
    break;
  case KEY_DOWN:
  case 'j':
    select_move(v, 1);
    break;
  case 'a':
    if (v->selected)
      s->ack(s->arg, v->selected, NULL);
    else
      ed_view_message(v, "no alarm selected");
    break;
  case 'A': /* acknowledge with a note: why, what was done */
    if (v->selected) {
      v->editing = 2;
      v->note_for = v->selected;
      v->edit_len = 0;
      v->edit_sel = 0;
    } else
      ed_view_message(v, "no alarm selected");
    break;
  case '/':
    v->editing = 1;
    v->edit_len = (size_t)snprintf(v->edit, sizeof(v->edit), "%s", v->filter);
    v->edit_sel = v->edit_len > 0;
    break;
  case 'p':
    s->pause(s->arg);
    break;
  case 'r':
    if (v->selected)
      s->verify(s->arg, v->selected);
    else
      ed_view_message(v, "no alarm selected");
    break;
  case 'q':
    s->quit(s->arg); /* destroys v */
    return;
  case KEY_RESIZE:
    break;
  default:
    return;
  }
  v->dirty = 1;
}

/* ---- handles ----------------------------------------------------------- */

static void on_input(uv_poll_t *p, int status, int events) {
  ed_view_t *v = p->data;
  (void)events;
  if (status < 0) {
    uv_poll_stop(p); /* the terminal went away: q or a signal ends us */
    return;
  }
  int ch;
  while (v->screen && (ch = getch()) != ERR) {
    int quit = !v->editing && ch == 'q';
    on_key(v, ch);
    if (quit)
      return; /* v is being destroyed */
  }
  if (v->dirty)
    ed__view_draw(v);
}

/* The new size comes from the terminal itself: libuv took SIGWINCH over
 * from ncurses. */
static void on_winch(uv_signal_t *s, int signum) {
  ed_view_t *v = s->data;
  (void)signum;
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
    resizeterm(ws.ws_row, ws.ws_col);
  clear();
  ed__view_draw(v);
}

static void on_tick(uv_timer_t *t) {
  ed_view_t *v = t->data;
  /* Ages move every second even when nothing else does. */
  if (v->dirty || uv_hrtime() - v->drawn_ns >= 1000000000ull)
    ed__view_draw(v);
}

static void colors(ed_view_t *v) {
  if (!has_colors())
    return;
  start_color();
  use_default_colors();
  init_pair(VP_CRIT, COLOR_RED, -1);
  init_pair(VP_WARN, COLOR_YELLOW, -1);
  init_pair(VP_OK, COLOR_GREEN, -1);
  init_pair(VP_HEAD, COLOR_BLACK, COLOR_CYAN);
  init_pair(VP_DIM, COLOR_BLUE, -1);
  v->colors = 1;
}

int ed_view_create(uv_loop_t *loop, const ed_view_source_t *src,
                   ed_view_t **out) {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    return ED_EIO;
  ed_view_t *v = calloc(1, sizeof(*v));
  if (!v)
    return ED_ENOMEM;
  v->loop = loop;
  v->src = *src;
  setlocale(LC_CTYPE, "");
  v->screen = newterm(NULL, stdout, stdin);
  if (!v->screen) {
    free(v);
    return ED_EIO;
  }
  set_term(v->screen);
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  colors(v);
  uv_poll_init(loop, &v->input, STDIN_FILENO);
  uv_signal_init(loop, &v->winch);
  uv_timer_init(loop, &v->tick);
  v->input.data = v->winch.data = v->tick.data = v;
  v->open = 3;
  uv_poll_start(&v->input, UV_READABLE, on_input);
  uv_signal_start(&v->winch, on_winch, SIGWINCH);
  uv_timer_start(&v->tick, on_tick, TICK_MS, TICK_MS);
  v->dirty = 1;
  ed__view_draw(v);
  *out = v;
  return 0;
}

void ed_view_dirty(ed_view_t *v) {
  if (v)
    v->dirty = 1;
}

void ed_view_message(ed_view_t *v, const char *fmt, ...) {
  if (!v)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->message, sizeof(v->message), fmt, ap);
  va_end(ap);
  v->dirty = 1;
}

static void closed(uv_handle_t *h) {
  ed_view_t *v = h->data;
  if (--v->open == 0)
    free(v);
}

void ed_view_destroy(ed_view_t *v) {
  if (!v)
    return;
  endwin();
  delscreen(v->screen);
  v->screen = NULL;
  uv_close((uv_handle_t *)&v->input, closed);
  uv_close((uv_handle_t *)&v->winch, closed);
  uv_close((uv_handle_t *)&v->tick, closed);
}
