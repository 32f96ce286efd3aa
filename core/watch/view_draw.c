/* Drawing the view: summary, devices, alarms, the selected alarm's plan,
 * the message and key lines. Every line is cut to the terminal's width and
 * every section to what is left of its height, so any size draws (a tiny
 * terminal gets a note instead). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "view_internal.h"

#define MAX_ROWS 512

/* ---- helpers ----------------------------------------------------------- */

/* printf at (y, 0), cut to the width; the rest of the line cleared. */
static void line(int y, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line(int y, attr_t attr, const char *fmt, ...) {
  int h, w;
  getmaxyx(stdscr, h, w);
  if (y < 0 || y >= h || w <= 0)
    return;
  char raw[1024], buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof(raw), fmt, ap);
  va_end(ap);
  /* Device text (names, error details, values) is shown, never obeyed. */
  ed_text_escape_terminal(buf, sizeof(buf), raw);
  move(y, 0);
  clrtoeol();
  attron(attr);
  addnstr(buf, w - (y == h - 1 ? 1 : 0)); /* no scroll on the last cell */
  attroff(attr);
}

static attr_t sev_attr(const ed_view_t *v, int sev) {
  if (!v->colors)
    return sev >= ED_ALARM_CRITICAL ? A_BOLD : A_NORMAL;
  return sev >= ED_ALARM_CRITICAL  ? COLOR_PAIR(VP_CRIT) | A_BOLD
         : sev == ED_ALARM_WARNING ? COLOR_PAIR(VP_WARN) | A_BOLD
                                   : A_NORMAL;
}

static void age_text(double s, char *buf, size_t len) {
  if (s < 0)
    snprintf(buf, len, "-");
  else if (s < 60)
    snprintf(buf, len, "%.0fs", s);
  else if (s < 3600)
    snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
  else
    snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

static void ms_text(double ms, char *buf, size_t len) {
  if (ms < 0)
    snprintf(buf, len, "-");
  else if (ms < 10)
    snprintf(buf, len, "%.1f", ms);
  else
    snprintf(buf, len, "%.0f", ms);
}

/* ---- devices ----------------------------------------------------------- */

typedef struct dev_row_s {
  ed_view_device_t d;
  int worst;
} dev_row_t;

static int cmp_dev(const void *a, const void *b) {
  const dev_row_t *x = a, *y = b;
  if (x->worst != y->worst)
    return y->worst - x->worst;
  int xd = x->d.polled && !x->d.reachable, yd = y->d.polled && !y->d.reachable;
  if (xd != yd)
    return yd - xd;
  return strcmp(x->d.name, y->d.name);
}

/* The devices the filter keeps, worst first. */
static size_t devices(ed_view_t *v, dev_row_t *rows, size_t max, int *up,
                      int *down) {
  const ed_view_source_t *s = &v->src;
  const ed_alarm_engine_t *al = s->alarms(s->arg);
  size_t n = 0, total = s->ndevices(s->arg);
  *up = *down = 0;
  for (size_t i = 0; i < total; i++) {
    ed_view_device_t d;
    s->device(s->arg, i, &d);
    *up += d.polled && d.reachable;
    *down += d.polled && !d.reachable;
    if (n == max || !ed_view_filter_match(d.labels, v->filter))
      continue;
    rows[n].d = d;
    rows[n].worst = ed_alarm_device_worst(al, d.name);
    n++;
  }
  qsort(rows, n, sizeof(*rows), cmp_dev);
  return n;
}

/* The labels column gives way first on a narrow terminal. */
static int labels_width(void) {
  int w = getmaxx(stdscr);
  return w >= 130 ? 30 : w >= 100 ? 20 : 12;
}

/* A poll outstanding past the device's interval: the figures on screen are
 * from the poll before it, and said to be. */
static int stale(const ed_view_device_t *d) {
  return d->polled && d->outstanding_s >= 0 &&
         d->outstanding_s * 1000.0 > (double)d->interval_ms;
}

static void device_row(ed_view_t *v, int y, const dev_row_t *r) {
  const ed_view_device_t *d = &r->d;
  char labels[64], p50[16], p99[16], age[16], note[128] = "";
  int lw = labels_width(), old = stale(d);
  ed_view_labels_text(d->labels, labels, sizeof(labels));
  ms_text(d->p50_ms, p50, sizeof(p50));
  ms_text(d->p99_ms, p99, sizeof(p99));
  age_text(d->age_s, age, sizeof(age));
  if (old) {
    snprintf(p50, sizeof(p50), "stale");
    snprintf(p99, sizeof(p99), "stale");
    snprintf(note, sizeof(note),
             "poll outstanding %.1fs (interval %.1fs): figures of the poll "
             "before",
             d->outstanding_s, (double)d->interval_ms / 1000.0);
  } else if (d->stretched)
    snprintf(note, sizeof(note), "interval stretched to %.1fs by the budget",
             (double)d->interval_ms / 1000.0);
  else if (d->polled && !d->reachable && d->error)
    snprintf(note, sizeof(note), "%.90s", d->error);
  const char *reach = !d->polled ? "..." : d->reachable ? "yes" : "NO";
  int sev = r->worst                     ? r->worst
            : d->polled && !d->reachable ? ED_ALARM_WARNING
                                         : ED_ALARM_OK;
  attr_t attr = sev_attr(v, sev);
  if (old && sev == ED_ALARM_OK)
    attr = v->colors ? COLOR_PAIR(VP_DIM) : A_DIM;
  line(y, attr, " %-16.16s %-*.*s %-5s %-11.11s %-9.9s %7s %7s %6s  %s",
       d->name, lw, lw, labels, reach, d->power ? d->power : "-",
       d->health ? d->health : "-", p50, p99, age, note);
}

/* ---- alarms ------------------------------------------------------------ */

static const ed_view_device_t *find_dev(const dev_row_t *rows, size_t n,
                                        const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(rows[i].d.name, name) == 0)
      return &rows[i].d;
  return NULL;
}

static int cmp_alarm(const void *a, const void *b) {
  const ed_alarm_t *x = *(const ed_alarm_t *const *)a;
  const ed_alarm_t *y = *(const ed_alarm_t *const *)b;
  if (x->severity != y->severity)
    return y->severity - x->severity;
  return x->id < y->id ? -1 : x->id > y->id;
}

size_t ed__view_alarms(ed_view_t *v, const ed_alarm_t **out, size_t max) {
  static dev_row_t rows[MAX_ROWS];
  int up, down;
  size_t nd = devices(v, rows, MAX_ROWS, &up, &down);
  const ed_alarm_engine_t *al = v->src.alarms(v->src.arg);
  size_t n = 0;
  for (size_t i = 0; i < ed_alarm_count(al) && n < max; i++) {
    const ed_alarm_t *a = ed_alarm_at(al, i);
    if (find_dev(rows, nd, a->device))
      out[n++] = a;
  }
  qsort(out, n, sizeof(*out), cmp_alarm);
  return n;
}

/* Keep the selection on the same alarm; when it cleared, on the row it
 * was on. */
static size_t fix_selection(ed_view_t *v, const ed_alarm_t **list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (list[i]->id == v->selected) {
      v->sel_index = i;
      return i;
    }
  if (!n) {
    v->selected = 0;
    return 0;
  }
  size_t i = v->sel_index < n ? v->sel_index : n - 1;
  v->selected = list[i]->id;
  v->sel_index = i;
  return i;
}

static void alarm_row(ed_view_t *v, int y, const ed_alarm_t *a, int selected,
                      double now) {
  char age[16];
  age_text(now - a->raised_t, age, sizeof(age));
  attr_t attr = sev_attr(v, a->severity) | (selected ? A_REVERSE : 0);
  line(y, attr, "%s%-8s %4u  %-16.16s %-11s %6s  %-5s %s", selected ? ">" : " ",
       a->severity >= ED_ALARM_CRITICAL ? "CRITICAL" : "WARNING", a->id,
       a->device, ed_alarm_kind_name(a->kind), age, a->acked ? "yes" : "no",
       a->text);
}

/* ---- plan -------------------------------------------------------------- */

static int plan_lines(ed_view_t *v, int y, int last, const ed_alarm_t *a) {
  const json_t *p = a ? v->src.plan(v->src.arg, a->id) : NULL;
  if (!a)
    return y;
  if (!p) {
    line(y++, A_DIM,
         " alarm %u: no emergency-plan entry (none given, or no "
         "fault of the plan stands for it)",
         a->id);
    return y;
  }
  line(y++, A_BOLD, " PLAN %s  for fault %s (alarm %u)%s",
       json_string_value(json_object_get(p, "plan")),
       json_string_value(json_object_get(p, "fault")), a->id,
       json_is_true(json_object_get(p, "running")) ? "  verifying..." : "");
  size_t i, k;
  const json_t *st, *x;
  json_array_foreach(json_object_get(p, "steps"), i, st) {
    if (y > last)
      return y;
    char verify[256] = "";
    size_t at = 0;
    json_array_foreach(json_object_get(st, "verify"), k, x) {
      int n = snprintf(verify + at, sizeof(verify) - at, "%s%s", k ? ", " : "",
                       json_string_value(x));
      if (n < 0 || (size_t)n >= sizeof(verify) - at)
        break;
      at += (size_t)n;
    }
    const char *act = json_string_value(json_object_get(st, "action"));
    line(y++, A_NORMAL, "   %zu. %-22.22s action: %-44.44s verify: %s", i + 1,
         json_string_value(json_object_get(st, "name")), act ? act : "-",
         at ? verify : "-");
  }
  json_array_foreach(json_object_get(p, "results"), i, x) {
    if (y > last)
      return y;
    int ok = json_is_true(json_object_get(x, "ok"));
    line(y++, sev_attr(v, ok ? ED_ALARM_OK : ED_ALARM_CRITICAL),
         "      %-22.22s verify %-20s %-4s %6.1f ms  %s",
         json_string_value(json_object_get(x, "step")),
         json_string_value(json_object_get(x, "check")), ok ? "OK" : "FAIL",
         json_number_value(json_object_get(x, "latency_ms")),
         ok ? "" : json_string_value(json_object_get(x, "reason")));
  }
  return y;
}

/* ---- the selected alarm in full --------------------------------------- */

/* Up to max lines of text from y, wrapped at spaces to the width (a word
 * longer than a line is cut where the line ends); returns the next y. */
static int wrapped(int y, int max, attr_t attr, const char *indent,
                   const char *text) {
  int w = getmaxx(stdscr) - 1 - (int)strlen(indent);
  const char *p = text;
  for (int n = 0; *p && n < max && w > 8; n++) {
    size_t len = strlen(p);
    size_t take = len;
    if (len > (size_t)w) {
      take = (size_t)w;
      while (take > 0 && p[take] != ' ')
        take--;
      if (take == 0)
        take = (size_t)w;
    }
    /* The last line that fits, with more to say. */
    int more = n == max - 1 && len > take && take > 3;
    line(y++, attr, "%s%.*s%s", indent, (int)take - (more ? 3 : 0), p,
         more ? "..." : "");
    p += take;
    while (*p == ' ')
      p++;
  }
  return y;
}

static int detail(ed_view_t *v, int y, int max, const ed_alarm_t *a,
                  double now) {
  if (!a || max < 1)
    return y;
  char age[16];
  age_text(now - a->raised_t, age, sizeof(age));
  line(y++, A_BOLD, " ALARM %u  %s  %s %s%s%s  raised %s ago%s", a->id,
       a->severity >= ED_ALARM_CRITICAL ? "CRITICAL" : "WARNING", a->device,
       ed_alarm_kind_name(a->kind), a->subject[0] ? " " : "", a->subject, age,
       a->acked ? "  acknowledged" : "");
  return wrapped(y, max - 1, sev_attr(v, a->severity), "   ", a->text);
}

/* ---- the whole screen -------------------------------------------------- */

static void summary(ed_view_t *v, int ndev, int up, int down, int hidden) {
  ed_view_summary_t s;
  v->src.summary(v->src.arg, &s);
  int counts[3];
  ed_alarm_counts(v->src.alarms(v->src.arg), counts);
  char filter[192] = "";
  if (v->filter[0])
    snprintf(filter, sizeof(filter), "   filter: %s (hides %d alarm%s)",
             v->filter, hidden, hidden == 1 ? "" : "s");
  attr_t head = v->colors ? COLOR_PAIR(VP_HEAD) | A_BOLD : A_REVERSE;
  if (getmaxx(stdscr) < 130) {
    /* A narrow terminal: what the person on duty needs first, short. */
    line(0, head,
         " eventdrill watch  %s  up %d/%d  alarms: %d critical, %d "
         "warning  %s%s ",
         s.title, up, ndev, counts[2], counts[1],
         s.paused ? "PAUSED" : "polling", filter);
    return;
  }
  /* The filter next to the alarms it hides: the interval and the budget
   * are cut first. */
  line(0, head,
       " eventdrill watch  %s   devices %d: %d up, %d down   alarms: %d "
       "critical, %d warning%s   interval %.1fs  budget %g req/s/device   %s ",
       s.title, ndev, up, down, counts[2], counts[1], filter,
       (double)s.interval_ms / 1000.0, s.budget,
       s.paused ? "PAUSED" : "polling");
}

static int section(int y, const char *title) {
  line(y, A_BOLD | A_UNDERLINE, "%s", title);
  return y + 1;
}

/* The alarms line(s) after the list: none at all, or how many the filter
 * hides (never "no alarm" while some are raised). */
static int alarms_note(ed_view_t *v, int y, size_t shown, int hidden) {
  if (hidden > 0)
    line(y++, shown ? A_DIM : sev_attr(v, ED_ALARM_WARNING),
         "  %s%d alarm%s hidden by the filter (%s)", shown ? "+ " : "", hidden,
         hidden == 1 ? "" : "s", v->filter);
  else if (!shown)
    line(y++, sev_attr(v, ED_ALARM_OK), "  no alarm raised");
  return y;
}

static void keys_line(ed_view_t *v, int h, int paused) {
  if (v->editing == 2) {
    line(h - 1, A_REVERSE, " note for alarm %u (Enter acknowledges): %.*s_",
         v->note_for, (int)v->edit_len, v->edit);
  } else if (v->editing && v->edit_sel) {
    line(h - 1, A_REVERSE,
         " filter: [%.*s]  typing replaces it, Right edits it, Backspace "
         "clears it, Enter keeps it",
         (int)v->edit_len, v->edit);
  } else if (v->editing) {
    line(h - 1, A_REVERSE, " filter (key=value[,key=value], empty: all): %.*s_",
         (int)v->edit_len, v->edit);
  } else {
    line(h - 1, A_REVERSE,
         " up/down select  a acknowledge (A: with a note)  / filter  p %s  "
         "r verify plan  q quit ",
         paused ? "resume" : "pause");
  }
}

void ed__view_draw(ed_view_t *v) {
  static dev_row_t rows[MAX_ROWS];
  static const ed_alarm_t *alarms[MAX_ROWS];
  if (!v->screen)
    return;
  int h, w;
  getmaxyx(stdscr, h, w);
  erase();
  if (h < 12 || w < 60) {
    line(0, A_BOLD,
         "eventdrill watch: terminal too small (%dx%d, needs "
         "60x12)",
         w, h);
    refresh();
    return;
  }
  int up, down;
  size_t total = v->src.ndevices(v->src.arg);
  size_t nd = devices(v, rows, MAX_ROWS, &up, &down);
  size_t na = ed__view_alarms(v, alarms, MAX_ROWS);
  size_t sel = fix_selection(v, alarms, na);
  int hidden = (int)ed_alarm_count(v->src.alarms(v->src.arg)) - (int)na;
  ed_view_summary_t s;
  v->src.summary(v->src.arg, &s);
  summary(v, (int)total, up, down, hidden);
  /* Rows: the plan and the selected alarm get what they need up to a
   * third, devices and alarms share the rest. */
  int body = h - 5, plan_h = body / 3;
  int dev_h = (body - plan_h) / 2 - 2, al_h = body - plan_h - dev_h - 4;
  int lw = labels_width();
  int y = section(2, " DEVICES (worst first)");
  line(y++, A_DIM, " %-16s %-*s %-5s %-11s %-9s %7s %7s %6s  %s", "DEVICE", lw,
       "LABELS", "UP", "POWER", "HEALTH", "p50 ms", "p99 ms", "POLL",
       "(latency over the last minute)");
  for (size_t i = 0; i < nd && (int)i < dev_h; i++)
    device_row(v, y++, &rows[i]);
  if ((int)nd > dev_h)
    line(y++, A_DIM, "  ... %zu more (/ to filter)", nd - (size_t)dev_h);
  y = section(y + 1, " ALARMS (worst first)");
  line(y++, A_DIM, " %-8s %4s  %-16s %-11s %6s  %-5s %s", "SEVERITY", "ID",
       "DEVICE", "KIND", "AGE", "ACKED", "TEXT");
  size_t first = sel >= (size_t)al_h ? sel - (size_t)al_h + 1 : 0;
  for (size_t i = first; i < na && (int)(i - first) < al_h; i++)
    alarm_row(v, y++, alarms[i], alarms[i]->id == v->selected, s.now_t);
  y = alarms_note(v, y, na, hidden);
  const ed_alarm_t *a = na ? alarms[sel] : NULL;
  int room = h - 3 - (y + 1);
  y = detail(v, y + 1, room < 5 ? room : 5, a, s.now_t);
  plan_lines(v, y, h - 3, a);
  line(h - 2, A_NORMAL, " %s", v->message);
  keys_line(v, h, s.paused);
  refresh();
  v->dirty = 0;
  v->drawn_ns = uv_hrtime();
}
