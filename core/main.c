/* eventdrill: the command line. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "diag.h"
#include "engagement.h"
#include "error.h"
#include "fleet.h"
#include "log.h"
#include "outfile.h"
#include "plugin_host.h"
#include "cmdline.h"
#include "inspect.h"
#include "inventory.h"
#include "report.h"
#include "term.h"
#include "run.h"
#include "merge.h"
#include "scenario.h"
#include "shard.h"
#include "verdict.h"
#include "watch.h"

/* The commands, as the global help lists them. */
static const char commands_text[] =
    "commands:\n"
    "  run FILE        run the drill a scenario describes (as rehearse)\n"
    "  rehearse FILE   before the event: workloads, faults and plans,\n"
    "                  faults only on targets marked \"rehearsal\"\n"
    "  verify FILE     during the event: no load, no fault, nothing\n"
    "                  that changes state; every check once and each\n"
    "                  plan's verifications, read-only\n"
    "  validate FILE…  check scenario and inventory files; touches no\n"
    "                  device\n"
    "  inspect INVENTORY  before the event: read-only health check of\n"
    "                  every device, findings ranked by risk with the\n"
    "                  measures to take\n"
    "  watch INVENTORY during the event: the on-duty console, polls\n"
    "                  every device read-only, raises alarms, shows the\n"
    "                  plan entry\n"
    "  report DIR      rebuild a run's (or a watch's) summary, plots and\n"
    "                  report from its journal alone\n"
    "  compare A B ... runs side by side (two or more: a trend across\n"
    "                  rehearsals), with deltas, each fault's recovery,\n"
    "                  the verdicts and the latency overlaid\n"
    "  summary ENGAGEMENT  after the event: the Key Event Support\n"
    "                  Summary Report of an engagement's results folders\n"
    "  merge DIR… --out DIR  one results folder from the folders of a\n"
    "                  drill's shards (--shard I/N), figures merged\n"
    "                  exactly, one timeline, one verdict\n"
    "  recover DIR     run the undos a killed run still owes\n"
    "  plugins         list the drivers, their options and operations\n"
    "  version         print the version\n";

static const char exit_text[] =
    "exit status: 0 the verdict passed; 1 the verdict failed (an SLO,\n"
    "a plan step, an RTO, a check); 2 bad usage or invalid scenario;\n"
    "3 aborted by a guardrail, a limit or a signal; 4 preflight\n"
    "failed (driver, target, credentials, I/O)\n";

static void usage(FILE *out) {
  fprintf(out,
          "usage: eventdrill <command> [options]\n"
          "\n%s\n"
          "Each command has its own help: eventdrill <command> --help.\n"
          "\n"
          "options of every command:\n"
          "  --color auto|always|never  colour on a terminal (auto; the\n"
          "                    NO_COLOR environment variable turns auto off)\n"
          "\n%s\n"
          "Driver search path: $EVENTDRILL_PLUGIN_PATH, then next to the\n"
          "binary (../lib/eventdrill/drivers), then the install libdir.\n",
          commands_text, exit_text);
}

static const char run_usage[] = "FILE [options]";

static void run_help(FILE *out, const char *cmd) {
  static const char *const about[] = {
      "run the drill a scenario describes: its workloads, checks, faults\n"
      "and emergency plans (the same as rehearse)",
      "before the event: workloads, faults and plans; faults and\n"
      "state-changing steps only on targets marked \"rehearsal\"",
      "during the event: no load, no fault, nothing that changes state;\n"
      "every check once, and each plan's state-changing steps proven\n"
      "(\"would run\" / \"cannot run\") without sending them"};
  int which = strcmp(cmd, "verify") == 0     ? 2
              : strcmp(cmd, "rehearse") == 0 ? 1
                                             : 0;
  fprintf(out,
          "usage: eventdrill %s %s\n\n%s.\n\n"
          "options:\n"
          "  --dry-run         print the timeline (phases, rates, expected\n"
          "                    requests) and exit; with run it touches no\n"
          "                    device, with rehearse/verify it first connects\n"
          "                    and logs in to every target (preflight)\n"
          "  --only STEP[,…]   run only these plan steps (others: not run)\n"
          "  --seed N          seed for random arrivals and the simulator\n"
          "  --results DIR     parent folder of the run's results "
          "(default results)\n"
          "  --out DIR         exact results folder to create\n"
          "  --quiet           no progress and no table: one verdict line\n"
          "  --json            one JSON object per second on stdout, then\n"
          "                    the summary as JSON (each with a \"type\")\n"
          "  --plain           plain progress lines even on a terminal\n"
          "  --junit FILE      also write JUnit XML: one test case per judged\n"
          "                    item of the verdict, one suite per kind\n"
          "  --no-report       no report.md/report.html and no plots\n"
          "  --metrics ADDR:PORT  serve the live figures to Prometheus at\n"
          "                    http://ADDR:PORT/metrics (a bare PORT: on\n"
          "                    127.0.0.1); see docs/metrics.md\n"
          "  --shard I/N       run only shard I of N (0 <= I < N): the\n"
          "                    targets this shard owns, their load, checks,\n"
          "                    faults and plans; merge the shards' folders\n"
          "                    with `eventdrill merge` (docs/distributed.md)\n"
          "  --shard-by LABEL  with --shard: targets with the same value of\n"
          "                    LABEL share a shard (default: a hash of the\n"
          "                    target's name)\n"
          "  --coordinator ADDR:PORT  with --shard: shard 0 listens there,\n"
          "                    the others connect; all start at one instant\n"
          "                    and stop together (a bare PORT: 127.0.0.1)\n"
          "  --token-file FILE the shards' shared secret (owner-only file;\n"
          "                    else EVENTDRILL_SHARD_TOKEN), 16+ characters\n"
          "  --barrier-timeout SECONDS  how long shards wait for each other\n"
          "                    at the start (default 300)\n"
          "  --grace SECONDS   after Ctrl-C, wait this long for requests in\n"
          "                    flight (default 2)\n"
          "  --color WHEN      auto, always or never\n"
          "  -v, --verbose     more diagnostics\n"
          "\n%s",
          cmd, run_usage, about[which], exit_text);
}

/* After a run that wrote its results: the report and JUnit from them (the
 * run, then the report: the run never calls the report), and where they
 * are. A report that cannot be written, or whose figures differ from the
 * run's, turns a pass into a failure. */
static int report_run(const ed_run_options_t *o, const char *dir, int code) {
  char html[4096] = "";
  if (!o->no_report || o->junit) {
    ed_report_options_t ro = {.no_plots = o->no_report, .junit_path = o->junit};
    if (ed_report_write(dir, &ro, html, sizeof(html), stderr) != 0 &&
        code == ED_EXIT_OK)
      code = ED_EXIT_FAILED;
  }
  if (o->progress != ED_PROGRESS_QUIET && o->progress != ED_PROGRESS_JSON) {
    fprintf(stderr,
            "\nresults: %s/ (summary.json, timeseries.csv, journal.jsonl)\n",
            dir);
    if (html[0] && !o->no_report)
      fprintf(stderr, "report:  %s\n", html);
  }
  return code;
}

/* The command line as one string, for the journal. */
static char *join_args(int argc, char **argv) {
  return ed_cmdline_join(argv[0], argc - 1, argv + 1, NULL);
}

static int parse_u64(const char *text, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-')
    return -1;
  *out = v;
  return 0;
}

static int cmd_run(int argc, char **argv, const char *command, ed_mode_t mode,
                   int preflight) {
  enum {
    O_DRY = 1,
    O_SEED,
    O_RESULTS,
    O_OUT,
    O_QUIET,
    O_JSON,
    O_PLAIN,
    O_GRACE,
    O_ONLY,
    O_JUNIT,
    O_NO_REPORT,
    O_METRICS,
    O_SHARD,
    O_SHARD_BY,
    O_COORDINATOR,
    O_TOKEN_FILE,
    O_BARRIER
  };
  static const struct option longopts[] = {
      {"dry-run", no_argument, NULL, O_DRY},
      {"seed", required_argument, NULL, O_SEED},
      {"results", required_argument, NULL, O_RESULTS},
      {"out", required_argument, NULL, O_OUT},
      {"quiet", no_argument, NULL, O_QUIET},
      {"json", no_argument, NULL, O_JSON},
      {"plain", no_argument, NULL, O_PLAIN},
      {"grace", required_argument, NULL, O_GRACE},
      {"only", required_argument, NULL, O_ONLY},
      {"junit", required_argument, NULL, O_JUNIT},
      {"no-report", no_argument, NULL, O_NO_REPORT},
      {"metrics", required_argument, NULL, O_METRICS},
      {"shard", required_argument, NULL, O_SHARD},
      {"shard-by", required_argument, NULL, O_SHARD_BY},
      {"coordinator", required_argument, NULL, O_COORDINATOR},
      {"token-file", required_argument, NULL, O_TOKEN_FILE},
      {"barrier-timeout", required_argument, NULL, O_BARRIER},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  ed_run_options_t o = {.command = command, .mode = mode};
  /* --only STEP, repeated or comma-separated; NULL-terminated. */
  const char *only[65] = {NULL};
  char *only_buf[64] = {NULL};
  size_t nonly = 0;
  int c, rc;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
    switch (c) {
    case O_DRY:
      o.dry_run = 1;
      break;
    case O_SEED:
      if (parse_u64(optarg, &o.seed) != 0) {
        fprintf(stderr,
                "eventdrill: --seed: \"%s\" is not a non-negative "
                "integer\n",
                optarg);
        return ED_EXIT_USAGE;
      }
      o.has_seed = 1;
      break;
    case O_RESULTS:
      o.results_root = optarg;
      break;
    case O_OUT:
      o.results_dir = optarg;
      break;
    case O_QUIET:
      o.progress = ED_PROGRESS_QUIET;
      break;
    case O_JSON:
      o.progress = ED_PROGRESS_JSON;
      break;
    case O_PLAIN:
      o.progress = ED_PROGRESS_PLAIN;
      break;
    case O_GRACE: {
      char *end;
      o.grace_s = strtod(optarg, &end);
      if (*end || end == optarg || o.grace_s < 0 || o.grace_s > 3600) {
        fprintf(stderr,
                "eventdrill: --grace: \"%s\" is not a number of "
                "seconds in 0..3600\n",
                optarg);
        return ED_EXIT_USAGE;
      }
      break;
    }
    case O_ONLY:
      if (nonly == 64) {
        fprintf(stderr, "eventdrill: --only: at most 64 steps\n");
        rc = ED_EXIT_USAGE;
        goto out;
      }
      only_buf[nonly] = strdup(optarg);
      for (char *save = NULL, *tok = strtok_r(only_buf[nonly], ",", &save);
           tok && nonly < 64; tok = strtok_r(NULL, ",", &save))
        only[nonly++] = tok;
      break;
    case O_JUNIT:
      o.junit = optarg;
      break;
    case O_NO_REPORT:
      o.no_report = 1;
      break;
    case O_METRICS:
      o.metrics = optarg;
      break;
    case O_SHARD: {
      char err[256];
      if (ed_shard_parse(optarg, &o.shard_index, &o.shard_count, err,
                         sizeof(err)) != 0) {
        fprintf(stderr, "eventdrill %s: %s\n", argv[0], err);
        rc = ED_EXIT_USAGE;
        goto out;
      }
      break;
    }
    case O_SHARD_BY:
      if (!optarg[0]) {
        fprintf(stderr, "eventdrill %s: --shard-by: needs a label name\n",
                argv[0]);
        rc = ED_EXIT_USAGE;
        goto out;
      }
      o.shard_by = optarg;
      break;
    case O_COORDINATOR:
      o.coordinator = optarg;
      break;
    case O_TOKEN_FILE:
      o.token_file = optarg;
      break;
    case O_BARRIER: {
      char *end;
      o.barrier_wait_s = strtod(optarg, &end);
      if (*end || end == optarg || !(o.barrier_wait_s >= 1) ||
          o.barrier_wait_s > 86400) {
        fprintf(stderr,
                "eventdrill %s: --barrier-timeout: \"%s\" is not a number "
                "of seconds in 1..86400\n",
                argv[0], optarg);
        rc = ED_EXIT_USAGE;
        goto out;
      }
      break;
    }
    case 'v':
      ed_log_set_level(ED_LOG_LVL_DEBUG);
      break;
    case 'h':
      run_help(stdout, argv[0]);
      rc = ED_EXIT_OK;
      goto out;
    default:
      ed_cmdline_bad_option(argv[0], run_usage, longopts, c, argv);
      rc = ED_EXIT_USAGE;
      goto out;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr,
            "eventdrill %s: needs exactly one scenario file\n"
            "usage: eventdrill %s %s  (eventdrill %s --help)\n",
            argv[0], argv[0], run_usage, argv[0]);
    rc = ED_EXIT_USAGE;
    goto out;
  }
  if (o.shard_by && !o.shard_count) {
    fprintf(stderr, "eventdrill %s: --shard-by needs --shard I/N\n", argv[0]);
    rc = ED_EXIT_USAGE;
    goto out;
  }
  if ((o.coordinator || o.token_file || o.barrier_wait_s) && !o.shard_count) {
    fprintf(stderr, "eventdrill %s: --%s needs --shard I/N\n", argv[0],
            o.coordinator  ? "coordinator"
            : o.token_file ? "token-file"
                           : "barrier-timeout");
    rc = ED_EXIT_USAGE;
    goto out;
  }
  if ((o.token_file || o.barrier_wait_s) && !o.coordinator) {
    fprintf(stderr, "eventdrill %s: --%s needs --coordinator ADDR:PORT\n",
            argv[0], o.token_file ? "token-file" : "barrier-timeout");
    rc = ED_EXIT_USAGE;
    goto out;
  }
  o.file = argv[optind];
  o.only = nonly ? only : NULL;
  o.preflight = preflight && o.dry_run;
  char dir[4096] = "";
  rc = ed_run(&o, dir, sizeof(dir));
  if (dir[0])
    rc = report_run(&o, dir, rc);
out:
  for (size_t i = 0; i < 64; i++)
    free(only_buf[i]);
  return rc;
}

/* run, rehearse, verify: argv from "eventdrill" on. */
static int cmd_run_mode(int argc, char **argv, ed_mode_t mode, int preflight) {
  char *command = join_args(argc, argv);
  /* `run --dry-run` touches no device; rehearse and verify's dry runs
   * are preflights: they connect and log in. */
  int rc = cmd_run(argc - 1, argv + 1, command, mode, preflight);
  free(command);
  return rc;
}

/* An inventory has "devices" and no "workloads" or "checks"; anything else
 * (including a file that does not parse) is read as a scenario. */
static int is_inventory(const char *file) {
  json_t *root = json_load_file(file, 0, NULL);
  int yes = json_is_object(root) && json_object_get(root, "devices") &&
            !json_object_get(root, "workloads") &&
            !json_object_get(root, "checks");
  json_decref(root);
  return yes;
}

/* The help of a command without options of its own beyond --help. */
typedef struct simple_help_s {
  const char *usage; /* after "eventdrill NAME " */
  const char *text;  /* what it does, its options */
} simple_help_t;

static const simple_help_t validate_help = {
    "FILE...",
    "Check scenario and inventory files: every key, value and reference,\n"
    "with file:line:column and a suggestion for each error. Touches no\n"
    "device. Exit 0 when every file is valid, 2 otherwise.\n"};
static const simple_help_t report_help = {
    "DIR [--junit FILE] [--no-plots]",
    "Rebuild a run's (or a watch's) summary, plots and report from its\n"
    "journal alone, and check them against summary.json.\n\n"
    "options:\n"
    "  --junit FILE   also write JUnit XML, one test case per judged item\n"
    "  --no-plots     no gnuplot figures\n"};
static const simple_help_t compare_help = {
    "A B [C ...] [--out DIR]",
    "Runs side by side (two to 26: a trend across rehearsals): deltas,\n"
    "each fault's recovery, the verdicts and the latency overlaid, in\n"
    "compare.md and one compare.html.\n\n"
    "options:\n"
    "  --out DIR      where to write (default: B/compare, the last run)\n"};
static const simple_help_t recover_help = {
    "DIR [--yes]",
    "Run the undos a killed run still owes, as its journal records them:\n"
    "shows them and asks first.\n\n"
    "options:\n"
    "  --yes          do not ask\n"};
static const simple_help_t merge_help = {
    "DIR... --out DIR [--allow-missing] [--no-report]",
    "Merge the results folders of the shards of one drill (each run with\n"
    "--shard I/N) into one results folder: every shard's events on one\n"
    "clock (their recorded start times), histograms merged bucket by\n"
    "bucket, the verdict judged on the merged figures, a per-shard\n"
    "breakdown in the summary and the report. The folders must come from\n"
    "the same scenario (SHA-256), seed, mode and N, each shard once.\n"
    "Exit: the merged verdict's (0 passed, 1 failed, 3 when a shard did\n"
    "not finish); 2 when the folders do not make one drill; 4 on I/O\n"
    "errors. See docs/distributed.md.\n\n"
    "options:\n"
    "  --out DIR        the merged folder to create (required)\n"
    "  --allow-missing  merge without the shards not given (the verdict\n"
    "                   then fails on each one missing)\n"
    "  --no-report      no report.md/report.html and no plots\n"};
static const simple_help_t plugins_help = {
    "[--json]", "List the drivers found, their options and operations.\n\n"
                "options:\n"
                "  --json         as JSON\n"};

static void simple_help_print(const char *cmd, const simple_help_t *h) {
  printf("usage: eventdrill %s %s\n\n%s", cmd, h->usage, h->text);
}

/* The next option of a simple command (getopt_long): its code, -1 at the
 * end, or -2 when the command ends here with *rc (its help printed, or a
 * wrong option said). Call with optind = 1 first. */
static int simple_next(int argc, char **argv, const struct option *longs,
                       const simple_help_t *h, int *rc) {
  opterr = 0;
  int c = getopt_long(argc, argv, ":h", longs, NULL);
  if (c == 'h') {
    simple_help_print(argv[0], h);
    *rc = ED_EXIT_OK;
    return -2;
  }
  if (c == '?' || c == ':') {
    ed_cmdline_bad_option(argv[0], h->usage, longs, c, argv);
    *rc = ED_EXIT_USAGE;
    return -2;
  }
  return c;
}

/* A command's positional arguments were wrong: what, and its usage. */
static int simple_usage_error(const char *cmd, const simple_help_t *h,
                              const char *what) {
  fprintf(
      stderr,
      "eventdrill %s: %s\nusage: eventdrill %s %s  (eventdrill %s --help)\n",
      cmd, what, cmd, h->usage, cmd);
  return ED_EXIT_USAGE;
}

static int cmd_validate(int argc, char **argv) {
  static const struct option longs[] = {{"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  int c, rc = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &validate_help, &rc)) >= 0)
    ;
  if (c == -2)
    return rc;
  argv += optind - 1;
  argc -= optind - 1;
  if (argc < 2)
    return simple_usage_error("validate", &validate_help,
                              "needs at least one file");
  ed_plugin_host_t *ph;
  if (ed_plugin_host_create(NULL, &ph) != 0 ||
      ed_plugin_host_default_dirs(ph) != 0)
    return ED_EXIT_FAILED;
  ed_scenario_drivers_t drivers;
  ed_fleet_scenario_drivers(ph, &drivers);
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    ed_diag_t diag;
    ed_diag_init(&diag);
    ed_scenario_t *s = NULL;
    int inventory = is_inventory(argv[i]);
    int rc = inventory ? ed_inventory_load(argv[i], &drivers, &diag, &s)
                       : ed_scenario_load(argv[i], &drivers, &diag, &s);
    if (rc == 0 && inventory) {
      printf("%s: ok (inventory %s: %zu device%s)\n", argv[i], s->name,
             s->ntargets, s->ntargets == 1 ? "" : "s");
      ed_scenario_destroy(s);
    } else if (rc == 0) {
      printf("%s: ok (%s: %zu target%s, %zu workload%s)\n", argv[i], s->name,
             s->ntargets, s->ntargets == 1 ? "" : "s", s->nworkloads,
             s->nworkloads == 1 ? "" : "s");
      ed_scenario_destroy(s);
    } else {
      ed_diag_print(&diag, stderr);
      fprintf(stderr, "%s: %zu error%s\n", argv[i], diag.count,
              diag.count == 1 ? "" : "s");
      bad = 1;
    }
    ed_diag_close(&diag);
  }
  ed_plugin_host_destroy(ph);
  return bad ? ED_EXIT_USAGE : ED_EXIT_OK;
}

/* A results folder that others can write to (group or others have write
 * permission, sticky bit or not) is refused: whoever can write there can
 * plant a link where an output goes, or edit the journal recover trusts. */
static int refuse_shared(const char *cmd, const char *dir) {
  char why[256];
  if (ed_outfile_dir_private(dir, why, sizeof(why)) == 0)
    return 0;
  if (errno == ENOENT || errno == ENOTDIR)
    return 0; /* not a results folder: said as before, by what reads it */
  fprintf(stderr, "eventdrill: %s: refusing the results folder %s: %s\n", cmd,
          dir, why);
  return 1;
}

/* eventdrill report DIR [--junit FILE] [--no-plots]: the evidence of a run
 * rebuilt from its journal alone. */
static int cmd_report(int argc, char **argv) {
  static const struct option longs[] = {{"junit", required_argument, NULL, 'j'},
                                        {"no-plots", no_argument, NULL, 'n'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  ed_report_options_t ro = {0};
  int c, rc = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &report_help, &rc)) >= 0) {
    if (c == 'j')
      ro.junit_path = optarg;
    else if (c == 'n')
      ro.no_plots = 1;
  }
  if (c == -2)
    return rc;
  if (optind != argc - 1)
    return simple_usage_error("report", &report_help,
                              "needs exactly one results folder");
  const char *dir = argv[optind];
  if (refuse_shared("report", dir))
    return ED_EXIT_FAILED;
  char html[4096] = "";
  if (ed_watch_is_results(dir)) {
    int wrc = ed_watch_report_write(dir, ro.no_plots, html, sizeof(html));
    if (wrc == 0)
      printf("report: %s\n", html);
    return wrc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
  }
  rc = ed_report_write(dir, &ro, html, sizeof(html), stderr);
  if (rc == ED_ENOTFOUND || rc == ED_EPARSE) {
    fprintf(stderr, "eventdrill: %s: no usable journal.jsonl\n", dir);
    return ED_EXIT_USAGE;
  }
  if (html[0])
    printf("report: %s\n", html);
  if (rc == ED_ESTATE) {
    fprintf(stderr, "eventdrill: the figures rebuilt from the journal "
                    "differ from summary.json (listed above)\n");
    return ED_EXIT_SLO;
  }
  return rc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
}

/* The scenario copy a run kept in its results folder ("scenario-*"). */
static int find_scenario_copy(const char *dir, char *buf, size_t len) {
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  struct dirent *e;
  int found = -1;
  while ((e = readdir(d)) && found != 0)
    if (strncmp(e->d_name, "scenario-", 9) == 0)
      found = snprintf(buf, len, "%s/%s", dir, e->d_name) < (int)len ? 0 : -1;
  closedir(d);
  return found;
}

/* eventdrill recover DIR [--yes] */
static int cmd_recover(int argc, char **argv, const char *command) {
  static const struct option longs[] = {{"yes", no_argument, NULL, 'y'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  ed_run_options_t o = {.command = command, .progress = ED_PROGRESS_PLAIN};
  int c, rc = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &recover_help, &rc)) >= 0)
    o.yes |= c == 'y';
  if (c == -2)
    return rc;
  if (optind != argc - 1)
    return simple_usage_error("recover", &recover_help,
                              "needs exactly one results folder");
  o.recover = argv[optind];
  if (refuse_shared("recover", o.recover))
    return ED_EXIT_FAILED;
  char file[4096];
  if (find_scenario_copy(o.recover, file, sizeof(file)) != 0) {
    fprintf(stderr, "eventdrill: %s: no scenario copy (scenario-*) in it\n",
            o.recover);
    return ED_EXIT_USAGE;
  }
  o.file = file;
  return ed_run(&o, NULL, 0);
}

/* eventdrill compare A B [C ...] [--out DIR] */
static int cmd_compare(int argc, char **argv) {
  static const struct option longs[] = {{"out", required_argument, NULL, 'o'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  const char *dirs[26], *out = NULL;
  int c, rc = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &compare_help, &rc)) >= 0)
    if (c == 'o')
      out = optarg;
  if (c == -2)
    return rc;
  size_t n = (size_t)(argc - optind);
  if (n < 2 || n > 26)
    return simple_usage_error("compare", &compare_help,
                              "needs two results folders or more (26 at "
                              "most)");
  for (size_t i = 0; i < n; i++)
    dirs[i] = argv[optind + (int)i];
  if (refuse_shared("compare", dirs[0]) || refuse_shared("compare", dirs[1]))
    return ED_EXIT_FAILED;
  char def[4096];
  if (!out) {
    snprintf(def, sizeof(def), "%s/compare", dirs[n - 1]);
    out = def;
  }
  rc = ed_compare_write(dirs, n, out, stdout);
  if (rc == ED_ENOTFOUND || rc == ED_EPARSE) {
    fprintf(stderr, "eventdrill: compare: a folder has no usable "
                    "journal.jsonl\n");
    return ED_EXIT_USAGE;
  }
  if (rc == 0)
    printf("\ncompare: %s/compare.md, %s/compare.html\n", out, out);
  return rc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
}

/* eventdrill merge DIR... --out DIR [--allow-missing] [--no-report] */
static int cmd_merge(int argc, char **argv, const char *command) {
  static const struct option longs[] = {
      {"out", required_argument, NULL, 'o'},
      {"allow-missing", no_argument, NULL, 'a'},
      {"no-report", no_argument, NULL, 'n'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  ed_merge_options_t mo = {.command = command};
  int c, rc = 0, no_report = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &merge_help, &rc)) >= 0) {
    if (c == 'o')
      mo.out = optarg;
    else if (c == 'a')
      mo.allow_missing = 1;
    else if (c == 'n')
      no_report = 1;
  }
  if (c == -2)
    return rc;
  if (!mo.out)
    return simple_usage_error("merge", &merge_help, "needs --out DIR");
  if (optind >= argc)
    return simple_usage_error("merge", &merge_help,
                              "needs the shards' results folders");
  mo.dirs = (const char *const *)(argv + optind);
  mo.ndirs = (size_t)(argc - optind);
  for (size_t i = 0; i < mo.ndirs; i++)
    if (refuse_shared("merge", mo.dirs[i]))
      return ED_EXIT_FAILED;
  char err[1024] = "";
  rc = ed_merge(&mo, err, sizeof(err));
  if (rc != 0) {
    fprintf(stderr, "eventdrill merge: %s\n", err[0] ? err : ed_strerror(rc));
    return rc == ED_EIO || rc == ED_ENOMEM ? ED_EXIT_FAILED : ED_EXIT_USAGE;
  }
  char html[4096] = "";
  ed_report_options_t ro = {.no_plots = no_report};
  if (!no_report && ed_report_write(mo.out, &ro, html, sizeof(html), stderr))
    return ED_EXIT_FAILED;
  /* the summary merge just wrote, rebuilt from the merged journal */
  char path[4200];
  snprintf(path, sizeof(path), "%s/summary.json", mo.out);
  json_t *summary = json_load_file(path, 0, NULL);
  if (!summary) {
    fprintf(stderr, "eventdrill merge: cannot read %s\n", path);
    return ED_EXIT_FAILED;
  }
  const json_t *verdict = json_object_get(summary, "verdict");
  ed_verdict_print(verdict, stdout);
  printf("\nmerged: %s/ (summary.json, journal.jsonl)\n", mo.out);
  if (html[0])
    printf("report: %s\n", html);
  rc = ed_verdict_exit(verdict);
  json_decref(summary);
  return rc;
}

static int cmd_plugins(int argc, char **argv) {
  static const struct option longs[] = {{"json", no_argument, NULL, 'j'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  int c, rc = 0, json = 0;
  optind = 1;
  while ((c = simple_next(argc, argv, longs, &plugins_help, &rc)) >= 0)
    json |= c == 'j';
  if (c == -2)
    return rc;
  if (optind != argc)
    return simple_usage_error("plugins", &plugins_help, "takes no argument");
  ed_plugin_host_t *ph;
  if (ed_plugin_host_create(NULL, &ph) != 0 ||
      ed_plugin_host_default_dirs(ph) != 0)
    return ED_EXIT_FAILED;
  rc = ed_plugin_host_load_all(ph);
  ed_plugin_host_list(ph, stdout, json);
  ed_plugin_host_destroy(ph);
  return rc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
}

static int run_run(int argc, char **argv) {
  return cmd_run_mode(argc, argv, ED_MODE_REHEARSE, 0);
}
static int run_rehearse(int argc, char **argv) {
  return cmd_run_mode(argc, argv, ED_MODE_REHEARSE, 1);
}
static int run_verify(int argc, char **argv) {
  return cmd_run_mode(argc, argv, ED_MODE_VERIFY, 1);
}
static int run_recover(int argc, char **argv) {
  char *command = join_args(argc, argv);
  int rc = cmd_recover(argc - 1, argv + 1, command);
  free(command);
  return rc;
}
static int run_merge(int argc, char **argv) {
  char *command = join_args(argc, argv);
  int rc = cmd_merge(argc - 1, argv + 1, command);
  free(command);
  return rc;
}
static int run_version(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("eventdrill %s\n", ED_VERSION);
  return ED_EXIT_OK;
}

/* argv[1] is the command; each gets argv from it on. */
typedef struct command_s {
  const char *name;
  int (*run)(int argc, char **argv); /* argc, argv from "eventdrill" on */
} command_t;

static int skip_one(int (*fn)(int, char **), int argc, char **argv) {
  return fn(argc - 1, argv + 1);
}
static int run_validate(int argc, char **argv) {
  return skip_one(cmd_validate, argc, argv);
}
static int run_inspect(int argc, char **argv) {
  return skip_one(ed_inspect_command, argc, argv);
}
static int run_watch(int argc, char **argv) {
  return skip_one(ed_watch_command, argc, argv);
}
static int run_report(int argc, char **argv) {
  return skip_one(cmd_report, argc, argv);
}
static int run_compare(int argc, char **argv) {
  return skip_one(cmd_compare, argc, argv);
}
static int run_summary(int argc, char **argv) {
  return skip_one(ed_engagement_command, argc, argv);
}
static int run_plugins(int argc, char **argv) {
  return skip_one(cmd_plugins, argc, argv);
}

static const command_t commands[] = {
    {"run", run_run},         {"rehearse", run_rehearse},
    {"verify", run_verify},   {"validate", run_validate},
    {"inspect", run_inspect}, {"watch", run_watch},
    {"report", run_report},   {"compare", run_compare},
    {"summary", run_summary}, {"merge", run_merge},
    {"recover", run_recover}, {"plugins", run_plugins},
    {"version", run_version}, {NULL, NULL}};

static int unknown_command(const char *cmd) {
  const char *names[sizeof(commands) / sizeof(commands[0])];
  size_t n = 0;
  for (; commands[n].name; n++)
    names[n] = commands[n].name;
  names[n] = NULL;
  const char *near = ed_did_you_mean(cmd, names);
  if (near)
    fprintf(stderr, "eventdrill: unknown command \"%s\" (did you mean %s?)\n",
            cmd, near);
  else
    fprintf(stderr, "eventdrill: unknown command \"%s\"\n", cmd);
  fprintf(stderr,
          "usage: eventdrill <command> [options]  (eventdrill --help)\n");
  return ED_EXIT_USAGE;
}

int main(int argc, char **argv) {
  /* A peer that resets a connection must give an error on that connection,
   * not kill the run (the built-in simulator and drivers write to sockets). */
  signal(SIGPIPE, SIG_IGN);
  if (ed_term_take_color_option(&argc, argv) != 0)
    return ED_EXIT_USAGE;
  if (argc < 2) {
    usage(stderr);
    return ED_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return ED_EXIT_OK;
  }
  if (!strcmp(cmd, "--version"))
    return run_version(argc, argv);
  for (const command_t *c = commands; c->name; c++)
    if (strcmp(cmd, c->name) == 0)
      return c->run(argc, argv);
  return unknown_command(cmd);
}
