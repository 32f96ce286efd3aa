#include "progress.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "term.h"

/* Without a TTY, a line every this many seconds keeps logs short. */
#define PLAIN_EVERY_S 5

void ed_progress_init(ed_progress_t *p, ed_progress_mode_t mode,
                      const ed_scenario_t *s, const ed_metrics_t *m) {
  memset(p, 0, sizeof(*p));
  p->mode = mode;
  p->out = mode == ED_PROGRESS_JSON ? stdout : stderr;
  p->tty = isatty(fileno(stderr));
  if (mode == ED_PROGRESS_AUTO && !p->tty)
    p->mode = ED_PROGRESS_PLAIN;
  p->scenario = s;
  p->metrics = m;
  p->total_s = (ed_scenario_length_ms(s) + 999) / 1000;
}

typedef struct second_view_s {
  ed_counts_t counts;
  double target_rate;
  int64_t p50_us, p99_us;
  const char *phase;
} second_view_t;

/* Sum the workloads' figures of second sec. The worst p50/p99 is shown: it
 * is the one a person on duty has to know about. */
static void view_of(const ed_progress_t *p, int64_t sec, second_view_t *v) {
  memset(v, 0, sizeof(*v));
  v->phase = "-";
  const ed_scenario_t *s = p->scenario;
  for (size_t w = 0; w < s->nworkloads; w++) {
    ed_second_t second;
    if (sec < 0 || ed_metrics_second(p->metrics, w, (size_t)sec, &second))
      continue;
    const ed_second_t *x = &second;
    ed_counts_add(&v->counts, &x->counts);
    if (x->p50_us > v->p50_us)
      v->p50_us = x->p50_us;
    if (x->p99_us > v->p99_us)
      v->p99_us = x->p99_us;
    if (x->phase >= 0 && (size_t)x->phase < s->workloads[w].nsegs && w == 0)
      v->phase = s->workloads[w].segs[x->phase].name;
  }
}

/* One JSON object per second, "type": "second" (the summary that ends the
 * run is "type": "summary"). */
static void print_json(ed_progress_t *p, int64_t sec, const second_view_t *v,
                       uint64_t errors, int64_t in_flight) {
  json_t *o = json_pack(
      "{s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I}", "type", "second",
      "second", (json_int_t)sec, "phase", v->phase, "sent",
      (json_int_t)v->counts.sent, "completed", (json_int_t)v->counts.completed,
      "errors", (json_int_t)errors, "late", (json_int_t)v->counts.late,
      "dropped", (json_int_t)v->counts.dropped, "p50_ms", v->p50_us / 1000.0,
      "p99_ms", v->p99_us / 1000.0, "in_flight", (json_int_t)in_flight);
  if (o) {
    json_dumpf(o, p->out,
               JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', p->out);
    json_decref(o);
  }
  fflush(p->out);
}

/* The live line's fields, in the order shown; `keep` ranks what stays when
 * the terminal is narrow (1 = last to go). */
typedef struct field_s {
  char text[64];
  int keep;
} field_t;

static void format_line(const ed_progress_t *p, const second_view_t *v,
                        int64_t el, uint64_t errors, int64_t in_flight,
                        int64_t waiting, int width, char *line, size_t len) {
  field_t f[9];
  size_t n = 0;
  snprintf(f[n].text, sizeof(f[n].text), "%-12.12s", v->phase);
  f[n++].keep = 4;
  snprintf(f[n].text, sizeof(f[n].text), "%02lld:%02lld/%02lld:%02lld",
           (long long)(el / 60), (long long)(el % 60),
           (long long)(p->total_s / 60), (long long)(p->total_s % 60));
  f[n++].keep = 1;
  snprintf(f[n].text, sizeof(f[n].text), "sent %6llu/s",
           (unsigned long long)v->counts.sent);
  f[n++].keep = 3;
  snprintf(f[n].text, sizeof(f[n].text), "done %6llu/s",
           (unsigned long long)v->counts.completed);
  f[n++].keep = 6;
  snprintf(f[n].text, sizeof(f[n].text), "p50 %7.2f ms", v->p50_us / 1000.0);
  f[n++].keep = 7;
  snprintf(f[n].text, sizeof(f[n].text), "p99 %8.2f ms", v->p99_us / 1000.0);
  f[n++].keep = 2;
  snprintf(f[n].text, sizeof(f[n].text), "err %llu",
           (unsigned long long)errors);
  f[n++].keep = 2;
  snprintf(f[n].text, sizeof(f[n].text), "in-flight %lld",
           (long long)in_flight);
  f[n++].keep = 8;
  if (waiting) {
    snprintf(f[n].text, sizeof(f[n].text), "WAITING FOR SLOTS");
    f[n++].keep = 1;
  }
  /* Drop the least important fields until the line fits (a terminal's
   * last column is left free: writing there wraps on some). */
  for (int drop = 9; width > 0 && drop > 1; drop--) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
      if (f[i].keep > 0)
        total += strlen(f[i].text) + (total ? 2 : 0);
    if ((int)total < width)
      break;
    for (size_t i = 0; i < n; i++)
      if (f[i].keep == drop)
        f[i].keep = 0;
  }
  size_t at = 0;
  line[0] = '\0';
  for (size_t i = 0; i < n && at < len; i++)
    if (f[i].keep > 0)
      at += (size_t)snprintf(line + at, len - at, "%s%s", at ? "  " : "",
                             f[i].text);
  if (width > 1 && strlen(line) >= (size_t)width)
    line[width - 1] = '\0'; /* narrower than the essentials: cut */
}

void ed_progress_second(ed_progress_t *p, int64_t sec, int64_t in_flight,
                        int64_t waiting) {
  if (p->mode == ED_PROGRESS_QUIET)
    return;
  second_view_t v;
  view_of(p, sec, &v);
  uint64_t errors = ed_counts_errors(&v.counts);
  int64_t el = sec + 1;
  if (p->mode == ED_PROGRESS_JSON) {
    print_json(p, sec, &v, errors, in_flight);
    return;
  }
  if (p->mode == ED_PROGRESS_PLAIN && el % PLAIN_EVERY_S != 0)
    return;
  char line[512];
  /* On a terminal the line never wraps: it is redrawn in place, and a
   * wrapped line leaves its tail behind at each redraw. */
  int width = p->mode == ED_PROGRESS_AUTO ? ed_term_width(p->out) : 0;
  format_line(p, &v, el, errors, in_flight, waiting, width, line, sizeof(line));
  if (p->mode == ED_PROGRESS_AUTO) {
    fprintf(p->out, "\r\033[K%s", line);
    p->line_open = 1;
  } else {
    fprintf(p->out, "%s\n", line);
  }
  fflush(p->out);
}

void ed_progress_message(ed_progress_t *p, const char *fmt, ...) {
  if (p->mode == ED_PROGRESS_QUIET || p->mode == ED_PROGRESS_JSON)
    return;
  if (p->line_open) {
    fputs("\r\033[K", p->out);
    p->line_open = 0;
  }
  va_list ap;
  va_start(ap, fmt);
  vfprintf(p->out, fmt, ap);
  va_end(ap);
  fputc('\n', p->out);
  fflush(p->out);
}

void ed_progress_close(ed_progress_t *p) {
  if (p->line_open) {
    fputc('\n', p->out);
    p->line_open = 0;
  }
}
