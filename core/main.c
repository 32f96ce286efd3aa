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
#include "run.h"
#include "scenario.h"
#include "watch.h"

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: eventdrill <command> [options]\n"
      "\n"
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
      "                  measures to take (see inspect --help)\n"
      "  watch INVENTORY during the event: the on-duty console, polls\n"
      "                  every device read-only, raises alarms, shows the\n"
      "                  plan entry [--plan SCENARIO] (watch --help)\n"
      "  report DIR      rebuild a run's (or a watch's) summary, plots and\n"
      "                  report from its journal alone [--junit FILE]\n"
      "                  [--no-plots]\n"
      "  compare A B ... runs side by side (two or more: a trend across\n"
      "                  rehearsals), with deltas, each fault's recovery,\n"
      "                  the verdicts and the latency overlaid; Markdown\n"
      "                  and one HTML page [--out DIR]\n"
      "  summary ENGAGEMENT  after the event: the Key Event Support\n"
      "                  Summary Report of an engagement's results\n"
      "                  folders [--out DIR] [--allow-gaps]\n"
      "  recover DIR     run the undos a killed run still owes (shows them\n"
      "                  and asks first; --yes to skip the question)\n"
      "  plugins         list the drivers, their options and operations\n"
      "  version         print the version\n"
      "\n"
      "run options:\n"
      "  --dry-run         print the timeline (phases, rates, expected\n"
      "                    requests) and exit; with run it touches no\n"
      "                    device, with rehearse/verify it first connects\n"
      "                    and logs in to every target (preflight)\n"
      "  --only STEP[,…]   run only these plan steps (others: not run)\n"
      "  --seed N          seed for random arrivals and the simulator\n"
      "  --results DIR     parent folder of the run's results "
      "(default results)\n"
      "  --out DIR         exact results folder to create\n"
      "  --quiet           no progress, no summary table\n"
      "  --json            one JSON object per second on stdout, then\n"
      "                    the summary as JSON\n"
      "  --plain           plain progress lines even on a terminal\n"
      "  --junit FILE      also write JUnit XML: one test case per judged\n"
      "                    item of the verdict, one suite per kind\n"
      "  --no-report       no report.md/report.html and no plots\n"
      "  --grace SECONDS   after Ctrl-C, wait this long for requests in\n"
      "                    flight (default 2)\n"
      "  -v, --verbose     more diagnostics\n"
      "\n"
      "exit status: 0 the verdict passed; 1 the verdict failed (an SLO,\n"
      "a plan step, an RTO, a check); 2 bad usage or invalid scenario;\n"
      "3 aborted by a guardrail, a limit or a signal; 4 preflight\n"
      "failed (driver, target, credentials, I/O)\n"
      "\n"
      "Driver search path: $EVENTDRILL_PLUGIN_PATH, then next to the\n"
      "binary (../lib/eventdrill/drivers), then the install libdir.\n");
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
    O_NO_REPORT
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
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  ed_run_options_t o = {.command = command, .mode = mode};
  /* --only STEP, repeated or comma-separated; NULL-terminated. */
  const char *only[65] = {NULL};
  char *only_buf[64] = {NULL};
  size_t nonly = 0;
  int c, rc;
  while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
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
    case 'v':
      ed_log_set_level(ED_LOG_LVL_DEBUG);
      break;
    case 'h':
      usage(stdout);
      rc = ED_EXIT_OK;
      goto out;
    default:
      rc = ED_EXIT_USAGE;
      goto out;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr,
            "eventdrill: %s needs exactly one scenario file "
            "(see eventdrill --help)\n",
            argv[0]);
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

static int cmd_validate(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "eventdrill: validate needs at least one file\n");
    return ED_EXIT_USAGE;
  }
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
  ed_report_options_t ro = {0};
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--junit") == 0 && i + 1 < argc)
      ro.junit_path = argv[++i];
    else if (strcmp(argv[i], "--no-plots") == 0)
      ro.no_plots = 1;
    else if (argv[i][0] != '-' && !dir)
      dir = argv[i];
    else {
      fprintf(stderr, "eventdrill: report: unexpected argument \"%s\"\n",
              argv[i]);
      return ED_EXIT_USAGE;
    }
  }
  if (!dir) {
    fprintf(stderr, "eventdrill: report needs a results folder\n");
    return ED_EXIT_USAGE;
  }
  if (refuse_shared("report", dir))
    return ED_EXIT_FAILED;
  char html[4096] = "";
  if (ed_watch_is_results(dir)) {
    int wrc = ed_watch_report_write(dir, ro.no_plots, html, sizeof(html));
    if (wrc == 0)
      printf("report: %s\n", html);
    return wrc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
  }
  int rc = ed_report_write(dir, &ro, html, sizeof(html), stderr);
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
  ed_run_options_t o = {.command = command, .progress = ED_PROGRESS_PLAIN};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--yes") == 0)
      o.yes = 1;
    else if (argv[i][0] != '-' && !o.recover)
      o.recover = argv[i];
    else {
      fprintf(stderr, "eventdrill: recover: unexpected argument \"%s\"\n",
              argv[i]);
      return ED_EXIT_USAGE;
    }
  }
  if (!o.recover) {
    fprintf(stderr, "eventdrill: recover needs a results folder\n");
    return ED_EXIT_USAGE;
  }
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
  const char *dirs[26], *out = NULL;
  size_t n = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out = argv[++i];
    else if (argv[i][0] != '-' && n < 26)
      dirs[n++] = argv[i];
    else {
      fprintf(stderr, "eventdrill: compare: unexpected argument \"%s\"\n",
              argv[i]);
      return ED_EXIT_USAGE;
    }
  }
  if (n < 2) {
    fprintf(stderr, "eventdrill: compare needs two results folders or more "
                    "(26 at most)\n");
    return ED_EXIT_USAGE;
  }
  if (refuse_shared("compare", dirs[0]) || refuse_shared("compare", dirs[1]))
    return ED_EXIT_FAILED;
  char def[4096];
  if (!out) {
    snprintf(def, sizeof(def), "%s/compare", dirs[n - 1]);
    out = def;
  }
  int rc = ed_compare_write(dirs, n, out, stdout);
  if (rc == ED_ENOTFOUND || rc == ED_EPARSE) {
    fprintf(stderr, "eventdrill: compare: a folder has no usable "
                    "journal.jsonl\n");
    return ED_EXIT_USAGE;
  }
  if (rc == 0)
    printf("\ncompare: %s/compare.md, %s/compare.html\n", out, out);
  return rc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
}

static int cmd_plugins(int argc, char **argv) {
  int json = argc > 1 && strcmp(argv[1], "--json") == 0;
  ed_plugin_host_t *ph;
  if (ed_plugin_host_create(NULL, &ph) != 0 ||
      ed_plugin_host_default_dirs(ph) != 0)
    return ED_EXIT_FAILED;
  int rc = ed_plugin_host_load_all(ph);
  ed_plugin_host_list(ph, stdout, json);
  ed_plugin_host_destroy(ph);
  return rc == 0 ? ED_EXIT_OK : ED_EXIT_FAILED;
}

int main(int argc, char **argv) {
  /* A peer that resets a connection must give an error on that connection,
   * not kill the run (the built-in simulator and drivers write to sockets). */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return ED_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return ED_EXIT_OK;
  }
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("eventdrill %s\n", ED_VERSION);
    return ED_EXIT_OK;
  }
  if (!strcmp(cmd, "run") || !strcmp(cmd, "rehearse") ||
      !strcmp(cmd, "verify")) {
    char *command = join_args(argc, argv);
    ed_mode_t mode =
        strcmp(cmd, "verify") == 0 ? ED_MODE_VERIFY : ED_MODE_REHEARSE;
    /* `run --dry-run` touches no device; rehearse and verify's dry runs
     * are preflights: they connect and log in. */
    int rc = cmd_run(argc - 1, argv + 1, command, mode, strcmp(cmd, "run"));
    free(command);
    return rc;
  }
  if (!strcmp(cmd, "validate"))
    return cmd_validate(argc - 1, argv + 1);
  if (!strcmp(cmd, "inspect"))
    return ed_inspect_command(argc - 1, argv + 1);
  if (!strcmp(cmd, "plugins"))
    return cmd_plugins(argc - 1, argv + 1);
  if (!strcmp(cmd, "report"))
    return cmd_report(argc - 1, argv + 1);
  if (!strcmp(cmd, "compare"))
    return cmd_compare(argc - 1, argv + 1);
  if (!strcmp(cmd, "watch"))
    return ed_watch_command(argc - 1, argv + 1);
  if (!strcmp(cmd, "summary"))
    return ed_engagement_command(argc - 1, argv + 1);
  if (!strcmp(cmd, "recover")) {
    char *command = join_args(argc, argv);
    int rc = cmd_recover(argc - 1, argv + 1, command);
    free(command);
    return rc;
  }
  fprintf(stderr,
          "eventdrill: unknown command \"%s\" (see eventdrill "
          "--help)\n",
          cmd);
  return ED_EXIT_USAGE;
}
