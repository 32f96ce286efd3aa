/* The watch report's plots, drawn by gnuplot like the drills' (plots.h):
 * data (*.dat), re-runnable scripts (*.gp) and images (SVG, PNG) in
 * DIR/plots/.
 *   watch-latency  each device's poll p50 over the duty window, the
 *                  alarms raised as markers
 *   watch-alarms   each alarm as a bar from raised to cleared */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "outfile.h"
#include "plots.h"
#include "watch_internal.h"

/* The same script body drawn twice: SVG for the HTML, PNG for the rest. */
static void both(FILE *f, const char *name, const char *body) {
  fprintf(f,
          "set terminal svg noenhanced size 1000,420 dynamic font 'sans,11' "
          "background '#ffffff'\nset output '%s.svg'\n%sset terminal "
          "pngcairo noenhanced size 1000,420 font ',10'\nset output "
          "'%s.png'\nreplot\n",
          name, body, name);
}

static const char *sev_color(const char *sev) {
  return strcmp(sev ? sev : "", "critical") == 0 ? "#c0392b" : "#d68910";
}

static int latency_plot(const char *pdir, const json_t *m) {
  FILE *d = ed_plot_open(pdir, "watch-latency.dat");
  if (!d)
    return ED_EIO;
  /* An unreachable poll is a NaN row, never a blank line: two blank lines
   * in a row would start a new block and shift every device after it. */
  fprintf(d, "# t_s p50_ms (one block per device, in the order of the "
             "fleet; NaN where it was unreachable)\n");
  const json_t *devs = json_object_get(json_object_get(m, "start"), "devices");
  const json_t *series = json_object_get(m, "series");
  size_t i, k;
  json_t *dv, *pt;
  json_array_foreach(devs, i, dv) {
    fprintf(d, "%s# %s\n", i ? "\n\n" : "",
            json_string_value(json_object_get(dv, "name")));
    int rows = 0;
    json_array_foreach(
        json_object_get(series, json_string_value(json_object_get(dv, "name"))),
        k, pt) {
      double p50 = json_number_value(json_array_get(pt, 1));
      fprintf(d, "%.3f ", json_number_value(json_array_get(pt, 0)));
      if (p50 >= 0)
        fprintf(d, "%.3f\n", p50);
      else
        fprintf(d, "NaN\n"); /* unreachable: a gap in the line */
      rows++;
    }
    if (!rows)
      fprintf(d, "0 NaN\n"); /* keeps the block's index */
  }
  fclose(d);
  FILE *f = ed_plot_open(pdir, "watch-latency.gp");
  if (!f)
    return ED_EIO;
  fprintf(f, "# eventdrill: re-run with `gnuplot watch-latency.gp` in this "
             "folder\nset datafile separator whitespace\nset key outside "
             "right\nset grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n"
             "set xlabel 'seconds since the watch started'\nset ylabel "
             "'p50 of the poll (ms)'\nset yrange [0:*]\n");
  json_t *a;
  int n = 0;
  json_array_foreach(json_object_get(m, "order"), i, a) {
    const json_t *al =
        json_object_get(json_object_get(m, "alarms"), json_string_value(a));
    double t = json_number_value(json_object_get(al, "raised_at_t"));
    const char *c =
        sev_color(json_string_value(json_object_get(al, "severity")));
    if (++n > 200)
      break;
    fprintf(f,
            "set arrow %d from %g, graph 0 to %g, graph 1 nohead lc rgb "
            "'%s' dt 2\nset label %d ",
            n, t, t, c, n + 300);
    char what[160];
    snprintf(what, sizeof(what), "alarm %s: %s %s", json_string_value(a),
             json_string_value(json_object_get(al, "device")),
             json_string_value(json_object_get(al, "kind")));
    ed_plot_str(f, what);
    fprintf(f, " at %g, graph %g tc rgb '%s' font ',8'\n", t + 0.1,
            0.95 - 0.06 * (n % 5), c);
  }
  char body[8192];
  size_t at = (size_t)snprintf(body, sizeof(body), "plot ");
  json_array_foreach(devs, i, dv) {
    char title[128];
    ed_plot_title(title, sizeof(title),
                  json_string_value(json_object_get(dv, "name")));
    int w = snprintf(body + at, sizeof(body) - at,
                     "%s'watch-latency.dat' index %zu using 1:2 with "
                     "linespoints pt 7 ps 0.4 title '%s'",
                     i ? ", \\\n     " : "", i, title);
    if (w < 0 || (size_t)w >= sizeof(body) - at)
      break;
    at += (size_t)w;
  }
  snprintf(body + at, sizeof(body) - at, "\n");
  both(f, "watch-latency", body);
  fclose(f);
  return ed_plots_gnuplot(pdir, "watch-latency.gp");
}

static int alarms_plot(const char *pdir, const json_t *m) {
  FILE *d = ed_plot_open(pdir, "watch-alarms.dat");
  if (!d)
    return ED_EIO;
  fprintf(d, "# row raised_s cleared_s critical(1/0) label\n");
  double end = json_number_value(json_object_get(m, "last_t"));
  size_t i;
  json_t *a;
  int row = 0;
  json_array_foreach(json_object_get(m, "order"), i, a) {
    const json_t *al =
        json_object_get(json_object_get(m, "alarms"), json_string_value(a));
    const json_t *clr = json_object_get(al, "cleared_t");
    fprintf(d, "%d %.3f %.3f %d \"alarm %s: %s %s\"\n", ++row,
            json_number_value(json_object_get(al, "raised_at_t")),
            clr ? json_number_value(clr) : end,
            strcmp(json_string_value(json_object_get(al, "severity")),
                   "critical") == 0,
            json_string_value(a),
            json_string_value(json_object_get(al, "device")),
            json_string_value(json_object_get(al, "kind")));
  }
  if (!row)
    fprintf(d, "0 0 0 0 \"no alarm\"\n");
  fclose(d);
  FILE *f = ed_plot_open(pdir, "watch-alarms.gp");
  if (!f)
    return ED_EIO;
  fprintf(f,
          "# eventdrill: re-run with `gnuplot watch-alarms.gp` in this "
          "folder\nset datafile separator whitespace\nunset key\nset grid "
          "x lc rgb '#dddddd'\nset border lc rgb '#555555'\nset xlabel "
          "'seconds since the watch started (bar: raised to cleared)'\n"
          "set yrange [0.3:%d.7]\nset ytics 1\nset xrange [0:%g]\n",
          row ? row : 1, end > 0 ? end : 1);
  both(f, "watch-alarms",
       "plot 'watch-alarms.dat' using 2:1:($3-$2):(0):($4 > 0 ? 0xc0392b "
       ": 0xd68910) with vectors nohead lw 8 lc rgb variable, \\\n"
       "     '' using 2:($1+0.32):5 with labels left font ',8'\n");
  fclose(f);
  return ed_plots_gnuplot(pdir, "watch-alarms.gp");
}

int ed__watch_plots(const char *dir, const json_t *m, json_t *plots) {
  char pdir[PATH_MAX + 16];
  snprintf(pdir, sizeof(pdir), "%s/plots", dir);
  if (ed_outfile_dir(pdir) != 0)
    return ED_EIO;
  int rc = latency_plot(pdir, m);
  if (rc == 0)
    json_array_append_new(
        plots, json_pack("{s:s,s:s,s:s,s:s}", "name", "watch-latency", "title",
                         "Response time (p50 of each poll) per device, "
                         "alarms raised as markers",
                         "svg", "plots/watch-latency.svg", "png",
                         "plots/watch-latency.png"));
  int rc2 = rc == ED_ENOTFOUND ? rc : alarms_plot(pdir, m);
  if (rc2 == 0)
    json_array_append_new(
        plots,
        json_pack("{s:s,s:s,s:s,s:s}", "name", "watch-alarms", "title",
                  "Alarms from raised to cleared (red: critical)", "svg",
                  "plots/watch-alarms.svg", "png", "plots/watch-alarms.png"));
  return rc ? rc : rc2;
}
