/*
 * plots: the run's figures drawn by gnuplot, run as a child process on
 * generated scripts. Everything lives in RESULTS/plots/: the data files
 * (*.dat), the scripts (*.gp, each re-runnable with `cd plots && gnuplot
 * NAME.gp`) and the images (NAME.svg, NAME.png):
 *   latency     p50/p99/max per second, phases shaded, faults and plan steps
 *   rate        requests sent vs completed per second
 *   errors      errors per second by class
 *   percentiles the latency percentile distribution of each phase (log)
 *   recovery    the plan steps as bars, each RTO against its target
 */
#ifndef ED_PLOTS_H
#define ED_PLOTS_H

#include <jansson.h>
#include <stdio.h>

#include "rebuild.h"

/* Write the data files and scripts for the run in dir, then run gnuplot on
 * each. summary is the run's summary (for the drill: faults, plans, RTOs).
 * Appends to `plots` (a JSON array) one {"name", "title", "svg", "png"}
 * (paths relative to dir) per image drawn. Returns 0, ED_ENOTFOUND when
 * gnuplot is not installed (data and scripts are still written), ED_EIO. */
int ed_plots_write(const char *dir, const ed_rebuild_t *rb,
                   const json_t *summary, json_t *plots);

/* Overlay the latency (p99 per second) of two runs: dir_out/plots/
 * compare-latency.{dat,gp,svg,png}. label_a/b name the runs. Same returns. */
int ed_plots_compare(const char *dir_out, const ed_rebuild_t *a,
                     const char *label_a, const ed_rebuild_t *b,
                     const char *label_b, json_t *plots);

/* Run gnuplot on script (a file name) inside folder cwd. 0, ED_ENOTFOUND
 * when gnuplot cannot be run, ED_EIO when it failed. */
int ed_plots_gnuplot(const char *cwd, const char *script);

/* Open pdir/name for writing (a data file or a script); NULL on error. */
FILE *ed_plot_open(const char *pdir, const char *name);
/* Write s as a gnuplot single-quoted string, without what could end it. */
void ed_plot_str(FILE *f, const char *s);
/* Copy s into dst (len bytes, always terminated) for use inside a gnuplot
 * single-quoted string: without what could end it. */
void ed_plot_title(char *dst, size_t len, const char *s);

#endif
