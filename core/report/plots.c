#include "plots.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "outfile.h"

#define EXIT_NO_GNUPLOT 127

/* Move what gnuplot drew in tmp into dir: a rename replaces a link planted
 * under an image's name instead of writing through it. */
static int move_out(const char *tmp, const char *dir) {
  DIR *d = opendir(tmp);
  if (!d)
    return ED_EIO;
  int rc = 0;
  struct dirent *e;
  char from[PATH_MAX + 300], to[PATH_MAX + 300];
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(from, sizeof(from), "%s/%s", tmp, e->d_name);
    snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
    /* Its mode whatever the umask (the folder is ours alone). */
    if (chmod(from, ED_OUTFILE_MODE) != 0 || rename(from, to) != 0) {
      ed_error(NULL, "cannot write %s: %s", to, strerror(errno));
      unlink(from);
      rc = ED_EIO;
    }
  }
  closedir(d);
  rmdir(tmp);
  return rc;
}

/* gnuplot opens its outputs as they are named, following links: it draws
 * in a private folder of its own inside cwd (mode 0700), finding the
 * script and the data in cwd through its loadpath, and the images are
 * renamed into cwd after. */
int ed_plots_gnuplot(const char *cwd, const char *script) {
  char tmp[PATH_MAX + 32], run_script[PATH_MAX + 8];
  snprintf(tmp, sizeof(tmp), "%s/.gnuplot.XXXXXX", cwd);
  snprintf(run_script, sizeof(run_script), "../%s", script);
  if (!mkdtemp(tmp)) {
    ed_error(NULL, "cannot create a folder in %s: %s", cwd, strerror(errno));
    return ED_EIO;
  }
  pid_t pid = fork();
  if (pid < 0) {
    rmdir(tmp);
    return ED_EIO;
  }
  if (pid == 0) {
    if (chdir(tmp) != 0)
      _exit(EXIT_NO_GNUPLOT - 1);
    umask(022);
    /* gnuplot's warnings (an empty range...) go to a log beside the plots,
     * not into the middle of the run's output. */
    int log = ed_outfile_append("../gnuplot.log", ED_OUTFILE_MODE);
    if (log >= 0) {
      dup2(log, STDERR_FILENO);
      close(log);
    }
    char *const argv[] = {"gnuplot", "-e", "set loadpath '..'", run_script,
                          NULL};
    execvp("gnuplot", argv);
    _exit(EXIT_NO_GNUPLOT);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      move_out(tmp, cwd);
      return ED_EIO;
    }
  int moved = move_out(tmp, cwd);
  if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NO_GNUPLOT)
    return ED_ENOTFOUND;
  if (moved != 0)
    return moved;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ED_EIO;
}

FILE *ed_plot_open(const char *pdir, const char *name) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", pdir, name);
  return ed_outfile_open(path, ED_OUTFILE_MODE);
}

void ed_plot_str(FILE *f, const char *s) {
  fputc('\'', f);
  for (; s && *s; s++)
    if (*s != '\'' && *s != '\n' && *s != '\\')
      fputc(*s, f);
  fputc('\'', f);
}

void ed_plot_title(char *dst, size_t len, const char *s) {
  size_t n = 0;
  for (; s && *s && n + 1 < len; s++)
    if (*s != '\'' && *s != '\n' && *s != '\\')
      dst[n++] = *s;
  if (len)
    dst[n] = '\0';
}

static void terminal(FILE *f, const char *name, int png) {
  if (png)
    fprintf(f,
            "set terminal pngcairo noenhanced size 1000,420 font ',10'\n"
            "set output '%s.png'\n",
            name);
  else
    fprintf(f,
            "set terminal svg noenhanced size 1000,420 dynamic font 'sans,11' "
            "background '#ffffff'\nset output '%s.svg'\n",
            name);
}

/* Where a plan's RTO is measured from ("fault", "detection", "plan_start"),
 * as the scenario copy in the results folder declares it; "fault" when the
 * copy cannot be read (the scenario's own default). */
static const char *rto_from(const json_t *plans, const char *plan) {
  const char *f = json_string_value(
      json_object_get(json_object_get(plans, plan ? plan : ""), "rto_from"));
  return f ? f : "fault";
}

/* The moment the steady state came back: the RTO's origin (the fault's
 * injection, its detection or the plan's first step, from the journal)
 * plus the measured RTO. The rto event itself is written later, when the
 * plan's step ends, so its own time is not that moment. */
static double rto_moment(const json_t *events, const json_t *rto,
                         const json_t *plans) {
  const char *fault = json_string_value(json_object_get(rto, "fault"));
  const char *plan = json_string_value(json_object_get(rto, "plan"));
  const char *from = rto_from(plans, plan);
  double origin = -1;
  int after_fault = 0;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *ev = json_string_value(json_object_get(e, "ev"));
    double t = json_number_value(json_object_get(e, "t"));
    const char *ef = json_string_value(json_object_get(e, "fault"));
    const char *ep = json_string_value(json_object_get(e, "plan"));
    if (!ev)
      continue;
    if (strcmp(ev, "fault_start") == 0 && ef && fault &&
        strcmp(ef, fault) == 0) {
      after_fault = 1;
      if (origin < 0)
        origin = t; /* also the fallback of the other two */
    } else if (after_fault && strcmp(from, "detection") == 0 &&
               strcmp(ev, "detected") == 0 && ef && fault &&
               strcmp(ef, fault) == 0) {
      return t + json_number_value(json_object_get(rto, "rto_s"));
    } else if (after_fault && strcmp(from, "plan_start") == 0 &&
               strcmp(ev, "step_start") == 0 && ep && plan &&
               strcmp(ep, plan) == 0) {
      return t + json_number_value(json_object_get(rto, "rto_s"));
    }
  }
  if (origin < 0)
    return json_number_value(json_object_get(rto, "t"));
  return origin + json_number_value(json_object_get(rto, "rto_s"));
}

/* The plans of the scenario copy beside the journal (NULL if none). */
static json_t *scenario_plans(const char *dir) {
  char pattern[PATH_MAX];
  snprintf(pattern, sizeof(pattern), "%s/scenario-*.json", dir);
  glob_t g;
  json_t *plans = NULL;
  if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
    json_t *sc = json_load_file(g.gl_pathv[0], 0, NULL);
    plans = json_incref(json_object_get(sc, "plans"));
    json_decref(sc);
  }
  globfree(&g);
  return plans;
}

/* Phases as shaded bands (of the first workload), faults and plan steps as
 * labelled vertical markers; "steady state back" at the measured moment. */
static void markers(FILE *f, const json_t *events, const json_t *plans) {
  size_t i;
  json_t *e;
  int band = 0, level = 0;
  double last_t = -1;
  json_array_foreach(events, i, e) {
    const char *ev = json_string_value(json_object_get(e, "ev"));
    double t = json_number_value(json_object_get(e, "t"));
    if (strcmp(ev, "run_start") == 0) {
      const json_t *ph = json_object_get(
          json_array_get(json_object_get(e, "workloads"), 0), "phases");
      size_t k;
      json_t *p;
      json_array_foreach(ph, k, p) {
        double s = json_number_value(json_object_get(p, "start_s"));
        double d = json_number_value(json_object_get(p, "duration_s"));
        fprintf(f,
                "set object %d rect from %g, graph 0 to %g, graph 1 behind "
                "fc rgb '%s' fs solid 0.5 noborder\n",
                ++band, s, s + d, k % 2 ? "#eef2f7" : "#f7f7f7");
        fprintf(f, "set label %d ", band + 100);
        ed_plot_str(f, json_string_value(json_object_get(p, "name")));
        fprintf(f, " at %g, graph 0.97 font ',9' tc rgb '#666666'\n", s + 0.3);
      }
      continue;
    }
    const char *what = NULL, *color = NULL;
    if (strcmp(ev, "fault_start") == 0)
      what = json_string_value(json_object_get(e, "fault")), color = "#c0392b";
    else if (strcmp(ev, "step_start") == 0)
      what = json_string_value(json_object_get(e, "step")), color = "#2471a3";
    else if (strcmp(ev, "guardrail") == 0)
      what = json_string_value(json_object_get(e, "guardrail")),
      color = "#d35400";
    else if (strcmp(ev, "rto") == 0)
      what = "steady state back", color = "#1e8449",
      t = rto_moment(events, e, plans);
    if (!what)
      continue;
    static int n = 0;
    n = n % 300 + 1;
    fprintf(f,
            "set arrow %d from %g, graph 0 to %g, graph 1 nohead lc rgb '%s' "
            "dt 2\n",
            n, t, t, color);
    /* markers close in time step down, so their labels do not overlap */
    level = fabs(t - last_t) < 3 ? (level + 1) % 4 : 0;
    double y = 0.88 - 0.07 * level;
    last_t = t;
    fprintf(f, "set label %d ", n + 400);
    ed_plot_str(f, what);
    fprintf(f, " at %g, graph %g tc rgb '%s' font ',9'\n", t + 0.2, y, color);
  }
}

/* One script drawing to SVG then PNG. Text is drawn as written
 * (noenhanced terminals): `http_4xx` is not a subscript. A NaN in the data
 * is an undefined point: the line breaks there, and the block stays one. */
static int script(const char *pdir, const char *name, const char *setup,
                  const json_t *events, const json_t *plans, const char *plot) {
  char file[64];
  snprintf(file, sizeof(file), "%s.gp", name);
  FILE *f = ed_plot_open(pdir, file);
  if (!f)
    return ED_EIO;
  fprintf(f, "# eventdrill: re-run with `gnuplot %s` in this folder\n", file);
  fprintf(f, "set datafile separator whitespace\nset key outside right top\n"
             "set grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n");
  fputs(setup, f);
  if (events)
    markers(f, events, plans);
  for (int png = 0; png < 2; png++) {
    terminal(f, name, png);
    fprintf(f, "%s\n", plot);
  }
  int rc = fclose(f) == 0 ? 0 : ED_EIO;
  if (rc == 0)
    rc = ed_plots_gnuplot(pdir, file);
  return rc;
}

static void add(json_t *plots, const char *name, const char *title) {
  char svg[80], png[80];
  snprintf(svg, sizeof(svg), "plots/%s.svg", name);
  snprintf(png, sizeof(png), "plots/%s.png", name);
  json_array_append_new(plots,
                        json_pack("{s:s,s:s,s:s,s:s}", "name", name, "title",
                                  title, "svg", svg, "png", png));
}

/* Append to a plot command being built in buf (at *at, of len bytes). */
static void cat(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t len, size_t *at, const char *fmt, ...) {
  if (*at >= len)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *at, len - *at, fmt, ap);
  va_end(ap);
  *at = n < 0 ? len : *at + (size_t)n;
}

/* Per-second data: one gnuplot index (block) per workload, whatever it
 * holds: a workload without a second still gets its block (one undefined
 * row), so the blocks after it keep their index. */
static int write_series(const char *pdir, const ed_rebuild_t *rb) {
  FILE *f = ed_plot_open(pdir, "seconds.dat");
  if (!f)
    return ED_EIO;
  fprintf(f, "# second sent completed errors late dropped p50_ms p99_ms "
             "max_ms err_by_class...\n");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    size_t n;
    const ed_rebuild_second_t *s = ed_rebuild_seconds(rb, w, &n);
    fprintf(f, "%s# workload %s\n", w ? "\n\n" : "",
            ed_rebuild_workload_name(rb, w));
    for (size_t i = 0; i < n; i++) {
      const ed_counts_t *k = &s[i].counts;
      fprintf(f, "%zu %llu %llu %llu %llu %llu", i + 1,
              (unsigned long long)k->sent, (unsigned long long)k->completed,
              (unsigned long long)ed_counts_errors(k),
              (unsigned long long)k->late, (unsigned long long)k->dropped);
      if (s[i].max_us)
        fprintf(f, " %.3f %.3f %.3f", s[i].p50_us / 1000.0,
                s[i].p99_us / 1000.0, s[i].max_us / 1000.0);
      else
        fprintf(f, " NaN NaN NaN");
      for (int e = 1; e < ED_ERRCLASS_COUNT; e++)
        fprintf(f, " %llu", (unsigned long long)k->errors[e]);
      fputc('\n', f);
    }
    if (n == 0) {
      fprintf(f, "0");
      for (int c = 2; c < 9 + ED_ERRCLASS_COUNT; c++)
        fprintf(f, " NaN");
      fputc('\n', f);
    }
  }
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : ED_EIO;
}

/* HdrHistogram-style: x = 1/(1-q), the value at quantile q. */
static int write_percentiles(const char *pdir, const ed_rebuild_t *rb,
                             char *plot, size_t len) {
  FILE *f = ed_plot_open(pdir, "percentiles.dat");
  if (!f)
    return ED_EIO;
  static const double qs[] = {0,  25,   50,   75,    90,    95,
                              99, 99.5, 99.9, 99.95, 99.99, 99.999};
  size_t at = 0;
  cat(plot, len, &at, "plot ");
  int block = 0;
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++)
    for (size_t ph = 0; ph < ed_rebuild_nphases(rb, w); ph++) {
      const ed_hist_t *h = ed_rebuild_phase_latency(rb, w, ph);
      if (!h)
        continue;
      fprintf(f, "%s# %s / %s\n", block ? "\n\n" : "",
              ed_rebuild_workload_name(rb, w),
              ed_rebuild_phase_name(rb, w, ph));
      for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        fprintf(f, "%.6g %.6g %.3f\n", qs[i], 100.0 / (100.0 - qs[i]),
                ed_hist_percentile(h, qs[i]) / 1000.0);
      char wn[128], pn[128];
      ed_plot_title(wn, sizeof(wn), ed_rebuild_workload_name(rb, w));
      ed_plot_title(pn, sizeof(pn), ed_rebuild_phase_name(rb, w, ph));
      cat(plot, len, &at,
          "%s'percentiles.dat' index %d using 2:3 with linespoints lw 2 "
          "title '%s / %s'",
          block ? ", " : "", block, wn, pn);
      block++;
    }
  if (!block)
    snprintf(plot, len, "plot NaN notitle");
  return fclose(f) == 0 ? 0 : ED_EIO;
}

/* The latency SLO targets (p50_ms, p99_ms...) as horizontal lines: drawn
 * as constant series, so the y range takes them in and the key names
 * them. One line per distinct target, whatever the number of workloads. */
static void slo_lines(const json_t *summary, char *plot, size_t len,
                      size_t *at) {
  size_t i, j;
  json_t *c, *d;
  const json_t *checks =
      json_object_get(json_object_get(summary, "slo"), "checks");
  json_array_foreach(checks, i, c) {
    const char *slo = json_string_value(json_object_get(c, "slo"));
    size_t n = slo ? strlen(slo) : 0;
    if (n < 4 || strcmp(slo + n - 3, "_ms") != 0)
      continue;
    double target = json_number_value(json_object_get(c, "target"));
    int seen = 0;
    json_array_foreach(checks, j, d) {
      if (j >= i)
        break;
      seen |= json_equal(json_object_get(d, "slo"), json_object_get(c, "slo"));
    }
    if (seen || target <= 0)
      continue;
    cat(plot, len, at,
        ", %g with lines dt 3 lw 2 lc rgb '#8e44ad' title 'SLO %.*s "
        "target %g ms'",
        target, (int)(n - 3), slo, target);
  }
}

static int latency(const char *pdir, const ed_rebuild_t *rb,
                   const json_t *summary, const json_t *plans) {
  char plot[8192];
  size_t at = 0;
  cat(plot, sizeof(plot), &at, "plot ");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    char n[128];
    ed_plot_title(n, sizeof(n), ed_rebuild_workload_name(rb, w));
    cat(plot, sizeof(plot), &at,
        "%s'seconds.dat' index %zu using 1:7 with lines lw 2 title '%s p50', "
        "'' index %zu using 1:8 with lines lw 2 title '%s p99', '' index "
        "%zu using 1:9 with lines title '%s max'",
        w ? ", " : "", w, n, w, n, w, n);
  }
  slo_lines(summary, plot, sizeof(plot), &at);
  return script(
      pdir, "latency",
      "set title 'Latency per second (from the intended send "
      "time)'\nset xlabel 'seconds since run start'\nset xrange [0:*]\n"
      "set ylabel 'ms'\nset logscale y\n",
      ed_rebuild_events(rb), plans, plot);
}

static int rate(const char *pdir, const ed_rebuild_t *rb, const json_t *plans) {
  char plot[8192];
  size_t at = 0;
  cat(plot, sizeof(plot), &at, "plot ");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    char n[128];
    ed_plot_title(n, sizeof(n), ed_rebuild_workload_name(rb, w));
    cat(plot, sizeof(plot), &at,
        "%s'seconds.dat' index %zu using 1:2 with steps lw 2 title '%s "
        "sent', '' index %zu using 1:3 with steps title '%s completed'",
        w ? ", " : "", w, n, w, n);
  }
  return script(pdir, "rate",
                "set title 'Requests sent vs completed per second'\n"
                "set xlabel 'seconds since run start'\nset xrange [0:*]\n"
                "set ylabel 'requests'\n",
                ed_rebuild_events(rb), plans, plot);
}

/* One colour per error class, so a class keeps its colour from plot to
 * plot; workloads differ by dash type. */
static const char *const class_colors[] = {
    "#000000", "#c0392b", "#d68910", "#8e44ad", "#2471a3",
    "#16a085", "#e84393", "#7f8c8d", "#d35400", "#2c3e50",
    "#27ae60", "#6c3483", "#b7950b", "#1abc9c", "#34495e"};

/* Only the classes that occurred, each with its colour; when nothing
 * failed, the total (all zero) and a note saying so. */
static int errors(const char *pdir, const ed_rebuild_t *rb,
                  const json_t *plans) {
  char plot[8192];
  size_t at = 0;
  size_t nw = ed_rebuild_nworkloads(rb);
  cat(plot, sizeof(plot), &at, "plot ");
  int series = 0;
  for (size_t w = 0; w < nw; w++) {
    size_t n;
    const ed_rebuild_second_t *s = ed_rebuild_seconds(rb, w, &n);
    char wn[128];
    ed_plot_title(wn, sizeof(wn), ed_rebuild_workload_name(rb, w));
    for (int e = 1; e < ED_ERRCLASS_COUNT; e++) {
      uint64_t total = 0;
      for (size_t i = 0; i < n; i++)
        total += s[i].counts.errors[e];
      if (!total)
        continue;
      cat(plot, sizeof(plot), &at,
          "%s'seconds.dat' index %zu using 1:%d with steps lw 2 dt %zu "
          "lc rgb '%s' title '%s%s%s (%llu)'",
          series++ ? ", " : "", w, 9 + e, w % 5 + 1,
          class_colors[e % (sizeof(class_colors) / sizeof(class_colors[0]))],
          nw > 1 ? wn : "", nw > 1 ? ": " : "",
          ed_errclass_name((ed_errclass_t)e), (unsigned long long)total);
    }
  }
  const char *none = "";
  if (!series) {
    cat(plot, sizeof(plot), &at,
        "'seconds.dat' index 0 using 1:4 with steps lw 2 lc rgb '#1e8449' "
        "title 'errors: none'");
    none = "set label 1 'no errors in this run' at graph 0.5, graph 0.5 "
           "center font ',14' tc rgb '#1e8449'\nset yrange [0:1]\n";
  }
  char setup[512];
  snprintf(setup, sizeof(setup),
           "set title 'Errors per second by class'\n"
           "set xlabel 'seconds since run start'\nset xrange [0:*]\n"
           "set ylabel 'errors'\n"
           "set yrange [0:*]\n%s",
           none);
  return script(pdir, "errors", setup, ed_rebuild_events(rb), plans, plot);
}

#define RGB_PASSED 0x2471a3
#define RGB_FAILED 0xc0392b
#define RGB_OTHER 0x95a5a6
#define RGB_RTO_MET 0x1e8449
#define RGB_RTO_OVER 0xd35400
#define RGB_TARGET 0xbdc3c7

typedef struct {
  FILE *dat; /* recovery.dat */
  FILE *gp;  /* the lines and labels of recovery.gp */
  int rows;  /* bars written */
  char ytics[8192];
  size_t at;
  double xmin, xmax;
} recovery_t;

/* A bar [from, to] with its label on the y axis and, at its right end,
 * its length, or `note` instead when given. */
static void bar(recovery_t *r, double from, double to, unsigned rgb,
                const char *label, const char *note) {
  char t[256];
  ed_plot_title(t, sizeof(t), label);
  fprintf(r->dat, "%d %.3f %.3f %u \"", r->rows, from, to, rgb);
  if (note)
    fputs(note, r->dat);
  else
    fprintf(r->dat, "%.1f s", to - from);
  fputs("\"\n", r->dat);
  cat(r->ytics, sizeof(r->ytics), &r->at, "%s'%s' %d", r->rows ? ", " : "", t,
      r->rows);
  r->rows++;
  r->xmin = from < r->xmin ? from : r->xmin;
  r->xmax = to > r->xmax ? to : r->xmax;
}

/* Where each fault's RTO starts, read from the summary. */
static double fault_origin(const json_t *summary, const json_t *fault,
                           const json_t *plans) {
  double inj = json_number_value(json_object_get(fault, "injected_s"));
  const char *from =
      rto_from(plans, json_string_value(json_object_get(fault, "plan")));
  if (strcmp(from, "detection") == 0 && json_object_get(fault, "detected_s"))
    return json_number_value(json_object_get(fault, "detected_s"));
  if (strcmp(from, "plan_start") == 0) {
    size_t i;
    json_t *p;
    json_array_foreach(
        json_object_get(json_object_get(summary, "drill"), "plans"), i, p) {
      if (json_equal(json_object_get(p, "fault"),
                     json_object_get(fault, "name")))
        return json_number_value(json_object_get(
            json_array_get(json_object_get(p, "steps"), 0), "start_s"));
    }
  }
  return inj;
}

/* A vertical line at x with its label inside the frame, on the side of
 * the line that has room. */
static void vline(recovery_t *r, int id, double x, const char *color,
                  const char *label, double y) {
  int right = x > (r->xmin + r->xmax) / 2;
  fprintf(r->gp,
          "set arrow %d from %g, graph 0 to %g, graph 1 nohead lw 2 lc rgb "
          "'%s' dt 2\nset label %d ",
          id, x, x, color, id);
  ed_plot_str(r->gp, label);
  fprintf(r->gp, " at %g, graph %g %s offset %d,0 tc rgb '%s' front boxed\n", x,
          y, right ? "right" : "left", right ? -1 : 1, color);
}

/* Steps as bars (red when they failed), each fault's RTO (green within
 * its target, orange over it, red when not recovered) and target. */
static int recovery(const char *pdir, const json_t *summary,
                    const json_t *plans, int *drawn) {
  recovery_t r = {.xmin = 1e300, .xmax = -1e300};
  *drawn = 0;
  r.dat = ed_plot_open(pdir, "recovery.dat");
  r.gp = ed_plot_open(pdir, "recovery.gp");
  if (!r.dat || !r.gp) {
    if (r.dat)
      fclose(r.dat);
    if (r.gp)
      fclose(r.gp);
    return ED_EIO;
  }
  fprintf(r.dat, "# row start_s end_s rgb note (labels: the y tics of "
                 "recovery.gp)\n");
  const json_t *drill = json_object_get(summary, "drill");
  double end = json_number_value(json_object_get(summary, "elapsed_s"));
  size_t i, j;
  json_t *x, *s;
  json_array_foreach(json_object_get(drill, "plans"), i, x) {
    json_array_foreach(json_object_get(x, "steps"), j, s) {
      const char *out = json_string_value(json_object_get(s, "outcome"));
      double st = json_number_value(json_object_get(s, "start_s"));
      double d = json_number_value(json_object_get(s, "duration_s"));
      int tries = (int)json_integer_value(json_object_get(s, "tries"));
      char label[256];
      snprintf(label, sizeof(label), "%s: %s (%d %s)%s",
               json_string_value(json_object_get(x, "name")),
               json_string_value(json_object_get(s, "name")), tries,
               tries == 1 ? "try" : "tries",
               out && strcmp(out, "failed") == 0 ? " FAILED" : "");
      bar(&r, st, st + d,
          !out                         ? RGB_OTHER
          : strcmp(out, "passed") == 0 ? RGB_PASSED
          : strcmp(out, "failed") == 0 ? RGB_FAILED
                                       : RGB_OTHER,
          label, NULL);
    }
  }
  int id = 0;
  json_array_foreach(json_object_get(drill, "faults"), i, x) {
    if (!json_object_get(x, "injected_s"))
      continue;
    const char *name = json_string_value(json_object_get(x, "name"));
    json_t *rto = json_object_get(x, "rto_s");
    json_t *tg = json_object_get(x, "rto_target_s");
    double from = fault_origin(summary, x, plans);
    char label[256];
    if (rto) {
      double back = from + json_number_value(rto);
      snprintf(label, sizeof(label), "%s: RTO %.1f s", name,
               json_number_value(rto));
      bar(&r, from, back,
          json_is_false(json_object_get(x, "rto_met")) ? RGB_RTO_OVER
                                                       : RGB_RTO_MET,
          label, NULL);
    } else if (json_object_get(x, "plan")) {
      snprintf(label, sizeof(label), "%s: not recovered", name);
      bar(&r, from, end > from ? end : from, RGB_FAILED, label,
          "not recovered");
    }
    if (tg) {
      snprintf(label, sizeof(label), "%s: RTO target %.1f s", name,
               json_number_value(tg));
      bar(&r, from, from + json_number_value(tg), RGB_TARGET, label, NULL);
    }
  }
  /* the lines need the final x range: a second pass */
  double pad = (r.xmax - r.xmin) * 0.04 + 0.2;
  r.xmax += (r.xmax - r.xmin) * 0.06; /* room for the notes at the right */
  r.xmin -= pad;
  r.xmax += pad;
  json_array_foreach(json_object_get(drill, "faults"), i, x) {
    json_t *tg = json_object_get(x, "rto_target_s");
    json_t *rto = json_object_get(x, "rto_s");
    if (!json_object_get(x, "injected_s"))
      continue;
    double from = fault_origin(summary, x, plans);
    char label[256];
    if (tg) {
      snprintf(label, sizeof(label), "RTO target (%s)",
               json_string_value(json_object_get(x, "name")));
      vline(&r, ++id, from + json_number_value(tg), "#7f8c8d", label, 0.03);
    }
    if (rto)
      vline(&r, ++id, from + json_number_value(rto), "#1e8449",
            "steady state back", 0.14);
  }
  int rc = fclose(r.dat) == 0 ? 0 : ED_EIO;
  if (r.rows == 0 || rc) {
    fclose(r.gp);
    char gp[PATH_MAX + 16];
    snprintf(gp, sizeof(gp), "%s/recovery.gp", pdir);
    unlink(gp); /* nothing to draw: no script that draws nothing */
    return rc;
  }
  fprintf(r.gp,
          "set title 'Recovery: plan steps and RTO against target'\n"
          "set xlabel 'seconds since run start'\nunset key\n"
          "set yrange [%d.5:-0.5]\nset xrange [%g:%g]\nset ytics nomirror "
          "(%s)\nset grid x\nset style textbox opaque noborder\n",
          r.rows - 1, r.xmin, r.xmax, r.ytics);
  double minw = (r.xmax - r.xmin) * 0.004;
  for (int png = 0; png < 2; png++) {
    terminal(r.gp, "recovery", png);
    /* an instant step (a check already green) still shows as a sliver */
    fprintf(r.gp,
            "plot 'recovery.dat' using 2:1:2:($3 > $2 + %g ? $3 : $2 + "
            "%g):($1-0.35):($1+0.35):4 with boxxyerror fs solid 0.85 lc rgb "
            "variable notitle, '' using 3:1:5 "
            "with labels left offset 0.5,0 notitle\n",
            minw, minw);
  }
  rc = fclose(r.gp) == 0 ? 0 : ED_EIO;
  if (rc == 0)
    rc = ed_plots_gnuplot(pdir, "recovery.gp");
  *drawn = rc == 0;
  return rc;
}

int ed_plots_write(const char *dir, const ed_rebuild_t *rb,
                   const json_t *summary, json_t *plots) {
  char pdir[PATH_MAX];
  snprintf(pdir, sizeof(pdir), "%s/plots", dir);
  if (ed_outfile_dir(pdir) != 0)
    return ED_EIO;
  int rc = write_series(pdir, rb);
  if (rc)
    return rc;
  json_t *plans = scenario_plans(dir);
  int worst = 0;
  rc = latency(pdir, rb, summary, plans);
  worst = rc ? rc : worst;
  if (rc == 0)
    add(plots, "latency", "Latency p50 / p99 / max per second");
  rc = rate(pdir, rb, plans);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "rate", "Requests sent vs completed per second");
  rc = errors(pdir, rb, plans);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "errors", "Errors per second by class");
  char plot[8192];
  rc = write_percentiles(pdir, rb, plot, sizeof(plot));
  if (rc == 0)
    rc = script(pdir, "percentiles",
                "set title 'Latency by percentile, per phase'\n"
                "set logscale xy\nset xlabel 'percentile'\nset ylabel 'ms'\n"
                "set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' "
                "1000, '99.99%%' 10000, '99.999%%' 100000)\n",
                NULL, NULL, plot);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "percentiles", "Latency percentile distribution per phase");
  int drawn = 0;
  rc = recovery(pdir, summary, plans, &drawn);
  worst = rc && !worst ? rc : worst;
  if (drawn)
    add(plots, "recovery", "Recovery timeline");
  json_decref(plans);
  return worst;
}

int ed_plots_compare(const char *dir_out, const ed_rebuild_t *a,
                     const char *label_a, const ed_rebuild_t *b,
                     const char *label_b, json_t *plots) {
  char pdir[PATH_MAX];
  snprintf(pdir, sizeof(pdir), "%s/plots", dir_out);
  if (mkdir(dir_out, 0755) != 0 && errno != EEXIST)
    return ED_EIO;
  if (ed_outfile_dir(pdir) != 0)
    return ED_EIO;
  FILE *f = ed_plot_open(pdir, "compare-latency.dat");
  if (!f)
    return ED_EIO;
  const ed_rebuild_t *runs[2] = {a, b};
  for (int r = 0; r < 2; r++) {
    size_t n;
    const ed_rebuild_second_t *s = ed_rebuild_seconds(runs[r], 0, &n);
    /* a second without answers is a gap (NaN), and a run without any
     * still has its block: run B is always index 1 */
    fprintf(f, "%s# run %s: second p50_ms p99_ms\n", r ? "\n\n" : "",
            r ? label_b : label_a);
    for (size_t i = 0; i < n; i++)
      if (s[i].max_us)
        fprintf(f, "%zu %.3f %.3f\n", i + 1, s[i].p50_us / 1000.0,
                s[i].p99_us / 1000.0);
      else
        fprintf(f, "%zu NaN NaN\n", i + 1);
    if (n == 0)
      fprintf(f, "0 NaN NaN\n");
  }
  if (fclose(f) != 0)
    return ED_EIO;
  char plot[1024];
  snprintf(plot, sizeof(plot),
           "plot 'compare-latency.dat' index 0 using 1:3 with lines lw 2 "
           "title 'A p99', '' index 1 using 1:3 with lines lw 2 title 'B "
           "p99', '' index 0 using 1:2 with lines dt 2 title 'A p50', '' "
           "index 1 using 1:2 with lines dt 2 title 'B p50'");
  int rc = script(pdir, "compare-latency",
                  "set title 'Latency per second, run A vs run B (first "
                  "workload)'\nset xlabel 'seconds since run start'\n"
                  "set ylabel 'ms'\nset logscale y\n",
                  NULL, NULL, plot);
  if (rc == 0)
    add(plots, "compare-latency", "Latency, A vs B");
  return rc;
}
