#include "progress.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

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
    size_t n;
    const ed_second_t *secs = ed_metrics_seconds(p->metrics, w, &n);
    if ((size_t)sec >= n)
      continue;
    const ed_second_t *x = &secs[sec];
    ed_counts_add(&v->counts, &x->counts);
    if (x->p50_us > v->p50_us)
      v->p50_us = x->p50_us;
    if (x->p99_us > v->p99_us)
      v->p99_us = x->p99_us;
    if (x->phase >= 0 && (size_t)x->phase < s->workloads[w].nsegs && w == 0)
      v->phase = s->workloads[w].segs[x->phase].name;
  }
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
    fprintf(p->out,
            "{\"second\":%lld,\"phase\":\"%s\",\"sent\":%llu,\"completed\":"
            "%llu,\"errors\":%llu,\"late\":%llu,\"dropped\":%llu,\"p50_ms\":"
            "%.3f,\"p99_ms\":%.3f,\"in_flight\":%lld}\n",
            (long long)sec, v.phase, (unsigned long long)v.counts.sent,
            (unsigned long long)v.counts.completed, (unsigned long long)errors,
            (unsigned long long)v.counts.late,
            (unsigned long long)v.counts.dropped, v.p50_us / 1000.0,
            v.p99_us / 1000.0, (long long)in_flight);
    fflush(p->out);
    return;
  }
  if (p->mode == ED_PROGRESS_PLAIN && el % PLAIN_EVERY_S != 0)
    return;
  char line[256];
  snprintf(line, sizeof(line),
           "%-12.12s %02lld:%02lld/%02lld:%02lld  sent %6llu/s  done "
           "%6llu/s  p50 %7.2f ms  p99 %8.2f ms  err %llu  in-flight %lld%s",
           v.phase, (long long)(el / 60), (long long)(el % 60),
           (long long)(p->total_s / 60), (long long)(p->total_s % 60),
           (unsigned long long)v.counts.sent,
           (unsigned long long)v.counts.completed, v.p50_us / 1000.0,
           v.p99_us / 1000.0, (unsigned long long)errors, (long long)in_flight,
           waiting ? "  WAITING FOR SLOTS" : "");
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
