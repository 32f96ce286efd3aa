#include "plots.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
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

static void terminal(FILE *f, const char *name, int png) {
  if (png)
    fprintf(f,
            "set terminal pngcairo size 1000,420 font ',10'\n"
            "set output '%s.png'\n",
            name);
  else
    fprintf(f,
            "set terminal svg size 1000,420 dynamic font 'sans,11' "
            "background '#ffffff'\nset output '%s.svg'\n",
            name);
}

/* Phases as shaded bands (of the first workload), faults and plan steps as
 * labelled vertical markers. */
static void markers(FILE *f, const json_t *events) {
  size_t i;
  json_t *e;
  int band = 0;
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
      what = "steady state back", color = "#1e8449";
    if (!what)
      continue;
    static int n = 0;
    n = n % 300 + 1;
    fprintf(f,
            "set arrow %d from %g, graph 0 to %g, graph 1 nohead lc rgb '%s' "
            "dt 2\n",
            n, t, t, color);
    double y = fabs(t - last_t) < 3 ? 0.80 : 0.88;
    last_t = t;
    fprintf(f, "set label %d ", n + 400);
    ed_plot_str(f, what);
    fprintf(f, " at %g, graph %g tc rgb '%s' font ',9'\n", t + 0.2, y, color);
  }
}

/* One script drawing to SVG then PNG. */
static int script(const char *pdir, const char *name, const char *setup,
                  const json_t *events, const char *plot) {
  char file[64];
  snprintf(file, sizeof(file), "%s.gp", name);
  FILE *f = ed_plot_open(pdir, file);
  if (!f)
    return ED_EIO;
  fprintf(f, "# eventdrill: re-run with `gnuplot %s` in this folder\n", file);
  fprintf(f, "set datafile separator whitespace\nset key bottom right\n"
             "set grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n");
  fputs(setup, f);
  if (events)
    markers(f, events);
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

/* Per-second data: one gnuplot index (block) per workload. */
static int write_series(const char *pdir, const ed_rebuild_t *rb) {
  FILE *f = ed_plot_open(pdir, "seconds.dat");
  if (!f)
    return ED_EIO;
  fprintf(f, "# second sent completed errors late dropped p50_ms p99_ms "
             "max_ms err_by_class...\n");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    size_t n;
    const ed_rebuild_second_t *s = ed_rebuild_seconds(rb, w, &n);
    fprintf(f, "# workload %s\n", ed_rebuild_workload_name(rb, w));
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
    fprintf(f, "\n\n");
  }
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
  size_t at = (size_t)snprintf(plot, len, "plot ");
  int block = 0;
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++)
    for (size_t ph = 0; ph < ed_rebuild_nphases(rb, w); ph++) {
      const ed_hist_t *h = ed_rebuild_phase_latency(rb, w, ph);
      if (!h)
        continue;
      fprintf(f, "# %s / %s\n", ed_rebuild_workload_name(rb, w),
              ed_rebuild_phase_name(rb, w, ph));
      for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        fprintf(f, "%.6g %.6g %.3f\n", qs[i], 100.0 / (100.0 - qs[i]),
                ed_hist_percentile(h, qs[i]) / 1000.0);
      fprintf(f, "\n\n");
      int n =
          snprintf(plot + at, at < len ? len - at : 0,
                   "%s'percentiles.dat' index %d using 2:3 with "
                   "linespoints lw 2 title '%s / %s'",
                   block ? ", " : "", block, ed_rebuild_workload_name(rb, w),
                   ed_rebuild_phase_name(rb, w, ph));
      at += n > 0 ? (size_t)n : 0;
      block++;
    }
  if (!block)
    snprintf(plot, len, "plot NaN notitle");
  return fclose(f) == 0 ? 0 : ED_EIO;
}

/* Steps as bars [start, start + duration]; the RTO window of each fault. */
static int write_recovery(const char *pdir, const json_t *summary, int *nrows) {
  FILE *f = ed_plot_open(pdir, "recovery.dat");
  if (!f)
    return ED_EIO;
  fprintf(f, "# row start_s end_s label kind(0 step, 1 rto, 2 rto target)\n");
  const json_t *drill = json_object_get(summary, "drill");
  int row = 0;
  size_t i, j;
  json_t *x, *s;
  json_array_foreach(json_object_get(drill, "plans"), i, x) {
    json_array_foreach(json_object_get(x, "steps"), j, s) {
      double st = json_number_value(json_object_get(s, "start_s"));
      double d = json_number_value(json_object_get(s, "duration_s"));
      fprintf(f, "%d %.3f %.3f \"%s (%d tries)\" 0\n", row++, st, st + d,
              json_string_value(json_object_get(s, "name")),
              (int)json_integer_value(json_object_get(s, "tries")));
    }
  }
  json_array_foreach(json_object_get(drill, "faults"), i, x) {
    json_t *rto = json_object_get(x, "rto_s");
    json_t *tg = json_object_get(x, "rto_target_s");
    double from = json_number_value(json_object_get(x, "injected_s"));
    if (rto)
      fprintf(f, "%d %.3f %.3f \"RTO %s\" 1\n", row++, from,
              from + json_number_value(rto),
              json_string_value(json_object_get(x, "name")));
    if (tg)
      fprintf(f, "%d %.3f %.3f \"RTO target\" 2\n", row++, from,
              from + json_number_value(tg));
  }
  *nrows = row;
  return fclose(f) == 0 ? 0 : ED_EIO;
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
  const json_t *ev = ed_rebuild_events(rb);
  int worst = 0;
  char plot[4096];
  /* latency */
  size_t at = (size_t)snprintf(plot, sizeof(plot), "plot ");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    const char *n = ed_rebuild_workload_name(rb, w);
    int k = snprintf(plot + at, sizeof(plot) - at,
                     "%s'seconds.dat' index %zu using 1:7 with lines lw 2 "
                     "title '%s p50', '' index %zu using 1:8 with lines lw 2 "
                     "title '%s p99', '' index %zu using 1:9 with lines "
                     "title '%s max'",
                     w ? ", " : "", w, n, w, n, w, n);
    at += k > 0 && (size_t)k < sizeof(plot) - at ? (size_t)k : 0;
  }
  rc = script(pdir, "latency",
              "set title 'Latency per second (from the intended send time)'\n"
              "set xlabel 'seconds since run start'\nset ylabel 'ms'\n"
              "set logscale y\n",
              ev, plot);
  worst = rc ? rc : worst;
  if (rc == 0)
    add(plots, "latency", "Latency p50 / p99 / max per second");
  at = (size_t)snprintf(plot, sizeof(plot), "plot ");
  for (size_t w = 0; w < ed_rebuild_nworkloads(rb); w++) {
    const char *n = ed_rebuild_workload_name(rb, w);
    int k = snprintf(plot + at, sizeof(plot) - at,
                     "%s'seconds.dat' index %zu using 1:2 with steps lw 2 "
                     "title '%s sent', '' index %zu using 1:3 with steps "
                     "title '%s completed'",
                     w ? ", " : "", w, n, w, n);
    at += k > 0 && (size_t)k < sizeof(plot) - at ? (size_t)k : 0;
  }
  rc = script(pdir, "rate",
              "set title 'Requests sent vs completed per second'\n"
              "set xlabel 'seconds since run start'\nset ylabel 'requests'\n",
              ev, plot);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "rate", "Requests sent vs completed per second");
  at = (size_t)snprintf(plot, sizeof(plot), "plot NaN notitle");
  for (int e = 1; e < ED_ERRCLASS_COUNT; e++) {
    int k = snprintf(plot + at, sizeof(plot) - at,
                     ", 'seconds.dat' index 0 using 1:%d with steps "
                     "title '%s'",
                     9 + e, ed_errclass_name((ed_errclass_t)e));
    at += k > 0 && (size_t)k < sizeof(plot) - at ? (size_t)k : 0;
  }
  rc = script(pdir, "errors",
              "set title 'Errors per second by class (first workload)'\n"
              "set xlabel 'seconds since run start'\nset ylabel 'errors'\n"
              "set yrange [0:*]\n",
              ev, plot);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "errors", "Errors per second by class");
  rc = write_percentiles(pdir, rb, plot, sizeof(plot));
  if (rc == 0)
    rc = script(pdir, "percentiles",
                "set title 'Latency by percentile, per phase'\n"
                "set logscale xy\nset xlabel 'percentile'\nset ylabel 'ms'\n"
                "set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, "
                "'99.99%%' 10000, '99.999%%' 100000)\n",
                NULL, plot);
  worst = rc && !worst ? rc : worst;
  if (rc == 0)
    add(plots, "percentiles", "Latency percentile distribution per phase");
  int rows = 0;
  rc = write_recovery(pdir, summary, &rows);
  if (rc == 0 && rows > 0) {
    rc = script(pdir, "recovery",
                "set title 'Recovery: plan steps and RTO against target'\n"
                "set xlabel 'seconds since run start'\nset yrange [-1:*]\n"
                "set key bottom right\nunset ytics\n",
                ev,
                "plot 'recovery.dat' using 2:1:2:3:1:1:(column(5)==0?1:"
                "(column(5)==1?2:3)) with boxxyerror fs solid 0.6 lc "
                "variable notitle, '' using 2:1:4 with labels left offset "
                "0,0.9 notitle");
    worst = rc && !worst ? rc : worst;
    if (rc == 0)
      add(plots, "recovery", "Recovery timeline");
  }
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
    fprintf(f, "# run %s: second p50_ms p99_ms\n", r ? label_b : label_a);
    for (size_t i = 0; i < n; i++)
      if (s[i].max_us)
        fprintf(f, "%zu %.3f %.3f\n", i + 1, s[i].p50_us / 1000.0,
                s[i].p99_us / 1000.0);
    fprintf(f, "\n\n");
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
                  NULL, plot);
  if (rc == 0)
    add(plots, "compare-latency", "Latency, A vs B");
  return rc;
}
