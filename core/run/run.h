/*
 * run: one drill run, `eventdrill run FILE`: load and validate the scenario,
 * start the built-in simulator for targets that ask for it, open and start
 * every target through its driver, replay the workloads with the scheduler,
 * and write the results folder (journal.jsonl as it happens, then
 * summary.json, timeseries.csv and a copy of the scenario). The report is
 * not its business: main.c writes it from the results, after the run.
 */
#ifndef ED_RUN_H
#define ED_RUN_H

#include <stdint.h>

#include "drill.h"
#include "progress.h"

/* Exit statuses of `eventdrill run`. */
enum {
  ED_EXIT_OK = 0,
  ED_EXIT_SLO = 1,         /* ran to the end, the verdict failed */
  ED_EXIT_USAGE = 2,       /* bad command line or invalid scenario */
  ED_EXIT_INTERRUPTED = 3, /* aborted: SIGINT/SIGTERM, guardrail, limit */
  ED_EXIT_FAILED = 4       /* preflight failed: driver, target, I/O */
};

typedef struct ed_run_options_s {
  const char *file;         /* scenario file */
  const char *results_root; /* default "results" */
  const char *results_dir;  /* exact folder to create, overrides root */
  int dry_run;
  int preflight; /* with dry_run: start the targets (connect, log in) */
  ed_progress_mode_t progress;
  int has_seed;
  uint64_t seed;
  double grace_s;          /* wait for in-flight requests after an interrupt */
  const char *command;     /* the command line, for the journal and summary */
  ed_mode_t mode;          /* rehearse (also `run`) or verify */
  const char *junit;       /* --junit FILE, or NULL */
  const char *recover;     /* `recover DIR`: run the undos DIR still owes */
  int yes;                 /* recover without asking */
  int no_report;           /* --no-report: no report.md/html, no plots */
  const char *const *only; /* --only: plan steps to run, NULL-ended */
  const char *metrics;     /* --metrics ADDR:PORT, or NULL */
  unsigned shard_index;    /* --shard I/N: I */
  unsigned shard_count;    /* --shard I/N: N; 0 = not sharded */
  const char *shard_by;    /* --shard-by LABEL, or NULL: name hash */
  const char *coordinator; /* --coordinator ADDR:PORT, or NULL */
  const char *token_file;  /* --token-file FILE (else the environment) */
  double barrier_wait_s;   /* --barrier-timeout: 0 = the default */
} ed_run_options_t;

/* Run and return an exit status (ED_EXIT_*). Prints its own messages.
 * When the run wrote its results (summary.json), their folder is written to
 * dir (len bytes, may be NULL), else dir is left as it is: the caller then
 * writes the report (core/report/report.h), which reads them back. */
int ed_run(const ed_run_options_t *opts, char *dir, size_t len);

#endif
