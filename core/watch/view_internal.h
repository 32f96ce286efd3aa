/*
 * What the view's terminal side (view.c: ncurses, keys, handles) shares
 * with its drawing (view_draw.c). Not a public interface.
 */
#ifndef ED_VIEW_INTERNAL_H
#define ED_VIEW_INTERNAL_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "view.h"

/* Colour pairs. */
enum { VP_CRIT = 1, VP_WARN, VP_OK, VP_HEAD, VP_DIM };

struct ed_view_s {
  uv_loop_t *loop;
  ed_view_source_t src;
  SCREEN *screen;
  uv_poll_t input;
  uv_signal_t winch;
  uv_timer_t tick;
  int open; /* handles not yet closed */
  int dirty;
  uint64_t drawn_ns;
  int colors;
  /* the alarm list */
  unsigned selected; /* id of the selected alarm, 0 = none */
  size_t sel_index;  /* its row, to stay near it when it clears */
  /* the label filter and its editing */
  char filter[128];
  int editing;       /* 1: the filter, 2: the note of an acknowledgement */
  unsigned note_for; /* the alarm the note acknowledges */
  char edit[128];
  size_t edit_len;
  int edit_sel; /* the text is selected: typing replaces it */
  char message[256];
};

/* Draw everything now. */
void ed__view_draw(ed_view_t *v);

/* The raised alarms the filter keeps, worst first then oldest first, into
 * out (at most max); returns how many. */
size_t ed__view_alarms(ed_view_t *v, const ed_alarm_t **out, size_t max);

#endif
