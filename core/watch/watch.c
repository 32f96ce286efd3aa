/* `eventdrill watch`: the command line, setting up, and the clean end. The
 * polls are in watch_poll.c, the events in watch_events.c. */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "error.h"
#include "inventory.h"
#include "log.h"
#include "outfile.h"
#include "cmdline.h"
#include "resultsdir.h"
#include "watch_internal.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_FAILED = 4 };

double ed__watch_now(const ed__watch_t *w) {
  return w->t0_ns ? (double)(uv_hrtime() - w->t0_ns) / 1e9 : 0;
}

static void usage(FILE *out) {
  fputs("usage: eventdrill watch INVENTORY [options]\n"
        "\n"
        "The on-duty console: polls every device read-only, raises alarms,\n"
        "shows them live (or as JSON lines when stdout is not a terminal).\n"
        "\n"
        "  --plan SCENARIO   show the emergency-plan entry of each alarm that\n"
        "                    matches a fault of SCENARIO; `r` runs its\n"
        "                    read-only verifications\n"
        "  --interval D      poll interval per device (default 5s; ±10 %\n"
        "                    jitter)\n"
        "  --budget N        requests/s per device at most (default 2): a\n"
        "                    poll that needs more stretches the interval\n"
        "  --duration D      stop after D (default: until q or Ctrl-C)\n"
        "  --rules FILE      tune the alarm rules (docs/watch.md)\n"
        "  --hook CMD        run CMD (sh -c) on each alarm event, the event\n"
        "                    as JSON on its stdin\n"
        "  --json            alarm events as JSON lines even on a terminal\n"
        "  --operator NAME   who is on duty: journaled with each\n"
        "                    acknowledgement (default: the login name)\n"
        "  --label K=V       watch only devices with this label (repeat)\n"
        "  --out DIR         exact results folder to create\n"
        "  --results DIR     parent of the results folder (default results)\n"
        "  --seed N          seed of the jitter\n"
        "  --no-report       no report.md/report.html at the end\n"
        "  --metrics ADDR:PORT  serve every device's figures to Prometheus\n"
        "                    at http://ADDR:PORT/metrics (docs/metrics.md)\n"
        "  --alertmanager URL  post each alarm to Alertmanager\n"
        "                    (http://127.0.0.1:9093), resolved when it clears\n"
        "\n"
        "keys: up/down select an alarm, a acknowledge (A: with a note),\n"
        "/ filter by label\n"
        "(role=db), p pause/resume polling, r verify the plan, q quit\n",
        out);
}

/* ---- options ----------------------------------------------------------- */

static int parse_duration(const char *flag, const char *text, int64_t min_ms,
                          int64_t *out) {
  char err[256];
  if (ed_duration_parse(text, out, err, sizeof(err)) != 0) {
    fprintf(stderr, "eventdrill: watch: %s \"%s\": %s\n", flag, text, err);
    return -1;
  }
  if (*out < min_ms) {
    fprintf(stderr, "eventdrill: watch: %s: at least %lld ms\n", flag,
            (long long)min_ms);
    return -1;
  }
  return 0;
}

static int parse_label(ed__watch_opts_t *o, const char *text) {
  const char *eq = strchr(text, '=');
  if (!eq || eq == text || !eq[1]) {
    fprintf(stderr,
            "eventdrill: watch: --label \"%s\": expected KEY=VALUE "
            "(role=db)\n",
            text);
    return -1;
  }
  char key[128];
  snprintf(key, sizeof(key), "%.*s", (int)(eq - text), text);
  if (!o->labels)
    o->labels = json_object();
  json_object_set_new(o->labels, key, json_string(eq + 1));
  return 0;
}

static int parse_opts(ed__watch_opts_t *o, int argc, char **argv) {
  enum {
    O_PLAN = 1,
    O_INTERVAL,
    O_BUDGET,
    O_DURATION,
    O_OUT,
    O_RESULTS,
    O_RULES,
    O_HOOK,
    O_JSON,
    O_LABEL,
    O_SEED,
    O_NO_REPORT,
    O_METRICS,
    O_ALERTMANAGER,
    O_OPERATOR
  };
  static const struct option longopts[] = {
      {"plan", required_argument, NULL, O_PLAN},
      {"interval", required_argument, NULL, O_INTERVAL},
      {"budget", required_argument, NULL, O_BUDGET},
      {"duration", required_argument, NULL, O_DURATION},
      {"out", required_argument, NULL, O_OUT},
      {"results", required_argument, NULL, O_RESULTS},
      {"rules", required_argument, NULL, O_RULES},
      {"hook", required_argument, NULL, O_HOOK},
      {"json", no_argument, NULL, O_JSON},
      {"label", required_argument, NULL, O_LABEL},
      {"seed", required_argument, NULL, O_SEED},
      {"no-report", no_argument, NULL, O_NO_REPORT},
      {"metrics", required_argument, NULL, O_METRICS},
      {"alertmanager", required_argument, NULL, O_ALERTMANAGER},
      {"operator", required_argument, NULL, O_OPERATOR},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  o->interval_ms = 5000;
  o->budget = 2;
  optind = 1;
  int c;
  char *end;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case O_PLAN:
      o->plan = optarg;
      break;
    case O_INTERVAL:
      if (parse_duration("--interval", optarg, 100, &o->interval_ms) != 0)
        return EXIT_USAGE;
      break;
    case O_BUDGET:
      errno = 0;
      o->budget = strtod(optarg, &end);
      if (errno || end == optarg || *end || !(o->budget > 0) ||
          o->budget > 1000) {
        fprintf(stderr,
                "eventdrill: watch: --budget \"%s\": expected requests/s "
                "per device in (0, 1000]\n",
                optarg);
        return EXIT_USAGE;
      }
      break;
    case O_DURATION:
      if (parse_duration("--duration", optarg, 1, &o->duration_ms) != 0)
        return EXIT_USAGE;
      break;
    case O_OUT:
      o->out_dir = optarg;
      break;
    case O_RESULTS:
      o->results_root = optarg;
      break;
    case O_RULES:
      o->rules = optarg;
      break;
    case O_HOOK:
      o->hook = optarg;
      break;
    case O_JSON:
      o->json = 1;
      break;
    case O_LABEL:
      if (parse_label(o, optarg) != 0)
        return EXIT_USAGE;
      break;
    case O_SEED:
      errno = 0;
      o->seed = strtoull(optarg, &end, 10);
      if (errno || end == optarg || *end || optarg[0] == '-') {
        fprintf(stderr,
                "eventdrill: watch: --seed \"%s\": not a "
                "non-negative integer\n",
                optarg);
        return EXIT_USAGE;
      }
      o->has_seed = 1;
      break;
    case O_NO_REPORT:
      o->no_report = 1;
      break;
    case O_METRICS:
      o->metrics = optarg;
      break;
    case O_ALERTMANAGER:
      o->alertmanager = optarg;
      break;
    case O_OPERATOR:
      o->operator_name = optarg;
      break;
    case 'h':
      usage(stdout);
      return -1;
    default:
      ed_cmdline_bad_option("watch", "INVENTORY [options]", longopts, c, argv);
      return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "eventdrill: watch needs exactly one inventory file "
                    "(eventdrill watch --help)\n");
    return EXIT_USAGE;
  }
  if (o->out_dir && o->results_root) {
    fprintf(stderr, "eventdrill: watch: --out and --results: give one\n");
    return EXIT_USAGE;
  }
  o->inventory = argv[optind];
  return 0;
}

/* ---- files ------------------------------------------------------------- */

static int load_files(ed__watch_t *w) {
  ed_scenario_drivers_t drivers;
  ed_fleet_scenario_drivers(w->ph, &drivers);
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = ed_inventory_load(w->o.inventory, &drivers, &diag, &w->inv);
  if (rc == 0 && w->o.plan)
    rc = ed_scenario_load(w->o.plan, &drivers, &diag, &w->plan);
  ed_alarm_rules_default(&w->rules);
  if (rc == 0 && w->o.rules)
    rc = ed_alarm_rules_load(&w->rules, w->o.rules, &diag);
  if (rc != 0) {
    ed_diag_print(&diag, stderr);
    fprintf(stderr, "eventdrill: watch: %zu error%s\n", diag.count,
            diag.count == 1 ? "" : "s");
  }
  ed_diag_close(&diag);
  return rc;
}

/* results/<UTC>-watch-<inventory name>/, or the folder named. */
static int make_dir(ed__watch_t *w) {
  char name[160];
  snprintf(name, sizeof(name), "watch-%s", w->inv->name);
  return ed_results_dir(w->o.results_root, w->o.out_dir, name, w->dir,
                        sizeof(w->dir));
}

static int open_journal(ed__watch_t *w) {
  int rc = make_dir(w);
  char path[PATH_MAX + 32];
  if (rc == 0) {
    snprintf(path, sizeof(path), "%s/journal.jsonl", w->dir);
    rc = ed_journal_open(path, &w->journal);
  }
  if (rc != 0)
    ed_error(NULL, "cannot create the watch's journal in %s: %s", w->dir,
             strerror(errno));
  return rc;
}

/* ---- devices ----------------------------------------------------------- */

/* The inventory's devices the --label selector keeps, as a new array of
 * shallow copies (the inventory owns their members). */
static ed_target_t *select_devices(ed__watch_t *w, size_t *n) {
  ed_target_t *sel = calloc(w->inv->ntargets + 1, sizeof(*sel));
  *n = 0;
  for (size_t i = 0; sel && i < w->inv->ntargets; i++)
    if (!w->o.labels || ed_inventory_match(&w->inv->targets[i], w->o.labels))
      sel[(*n)++] = w->inv->targets[i];
  return sel;
}

static int open_devices(ed__watch_t *w) {
  size_t n;
  w->selected = select_devices(w, &n);
  if (!w->selected)
    return ED_ENOMEM;
  if (n == 0) {
    char sel[256], why[768];
    ed_inventory_selector_text(w->o.labels, sel, sizeof(sel));
    ed_inventory_selector_why(w->inv, w->o.labels, why, sizeof(why));
    fprintf(stderr, "eventdrill: watch: %s: --label %s: %s\n", w->o.inventory,
            sel, why);
    return ED_ENOTFOUND;
  }
  int rc = ed_fleet_init(&w->fleet, &w->loop, w->ph, w->inv->file, w->selected,
                         n, NULL);
  if (rc != 0)
    return rc;
  w->fleet_ready = 1;
  w->fleet.has_seed = w->o.has_seed;
  w->fleet.seed = w->o.seed;
  /* An unreachable device is a state to watch, not a reason to stop. */
  ed_fleet_open(&w->fleet, 1);
  w->ptargets = calloc(n + 1, sizeof(*w->ptargets));
  w->devs = calloc(n + 1, sizeof(*w->devs));
  if (!w->ptargets || !w->devs)
    return ED_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    ed_fleet_target_t *t = &w->fleet.targets[i];
    w->ptargets[i] = (ed_probe_target_t){
        .spec = t->spec, .drv = t->drv, .state = t->state, .sim = t->sim};
    w->devs[i] = (ed__wdev_t){
        .w = w, .ft = t, .last_t = -1, .interval_ms = w->o.interval_ms};
  }
  w->ndevs = n;
  /* Read-only: a state-changing request cannot leave, even by mistake. */
  rc = ed_probe_host_init(&w->probes, &w->loop, w->ph, w->ptargets, n, 1,
                          w->inv->file);
  w->probes_ready = rc == 0;
  return rc;
}

/* ---- start ------------------------------------------------------------- */

static void iso(double epoch, char *buf, size_t len) {
  time_t s = (time_t)epoch;
  struct tm tm;
  gmtime_r(&s, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *devices_json(const ed__watch_t *w) {
  json_t *a = json_array();
  for (size_t i = 0; i < w->ndevs; i++) {
    const ed_fleet_target_t *t = w->devs[i].ft;
    json_t *d = t->opened ? ed_fleet_describe(t)
                          : json_pack("{s:s,s:s}", "name", t->spec->name,
                                      "driver", t->spec->driver);
    if (!t->opened && t->spec->labels)
      json_object_set(d, "labels", t->spec->labels);
    if (t->error[0])
      json_object_set_new(d, "error", json_string(t->error));
    json_array_append_new(a, d);
  }
  return a;
}

/* Who acknowledges: --operator, else the login name (an acknowledgement
 * must say who saw the alarm). */
const char *ed__watch_operator(const ed__watch_t *w) {
  if (w->o.operator_name && w->o.operator_name[0])
    return w->o.operator_name;
  const char *name = getenv("LOGNAME");
  if (!name || !name[0])
    name = getenv("USER");
  if (!name || !name[0]) {
    struct passwd *pw = getpwuid(getuid());
    name = pw ? pw->pw_name : NULL;
  }
  return name && name[0] ? name : "unknown";
}

static void journal_start(ed__watch_t *w) {
  char started[32];
  iso(w->start_epoch, started, sizeof(started));
  json_t *plan = json_null();
  if (w->plan)
    plan = json_pack("{s:s,s:s,s:s,s:i,s:i}", "file", w->plan->file, "name",
                     w->plan->name, "sha256", w->plan->sha256, "faults",
                     (int)w->plan->nfaults, "plans", (int)w->plan->nplans);
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:f,s:o,s:I,s:f,s:I,s:o,s:o,s:s,s:b,s:s,s:s}",
      "inventory", w->inv->name, "file", w->inv->file, "version", ED_VERSION,
      "started", started, "epoch", w->start_epoch, "devices", devices_json(w),
      "interval_ms", (json_int_t)w->o.interval_ms, "budget", w->o.budget,
      "duration_ms", (json_int_t)w->o.duration_ms, "rules",
      ed_alarm_rules_json(&w->rules), "plan", plan, "mode",
      w->view ? "view" : "json", "hook", w->o.hook != NULL, "command",
      w->o.command ? w->o.command : "", "results", w->dir);
  if (w->inv->description)
    json_object_set_new(o, "description", json_string(w->inv->description));
  if (w->o.labels)
    json_object_set(o, "label_filter", w->o.labels);
  if (w->o.has_seed)
    json_object_set_new(o, "seed", json_integer((json_int_t)w->o.seed));
  json_object_set_new(o, "operator", json_string(ed__watch_operator(w)));
  ed__watch_journal(w, "watch_start", o);
  ed_journal_sync(w->journal);
}

/* While the view owns the terminal, anything written on stderr (ours, a
 * driver's, a hook's) would tear the screen: it goes to watch.log. */
static void stderr_to_log(ed__watch_t *w) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof(path), "%s/watch.log", w->dir);
  int fd = ed_outfile_append(path, ED_OUTFILE_MODE);
  if (fd < 0)
    return;
  fflush(stderr);
  w->saved_stderr = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
}

static void stderr_back(ed__watch_t *w) {
  if (w->saved_stderr < 0)
    return;
  fflush(stderr);
  dup2(w->saved_stderr, STDERR_FILENO);
  close(w->saved_stderr);
  w->saved_stderr = -1;
}

static void on_duration(uv_timer_t *t) {
  ed__watch_stop(t->data, "duration");
}

static void on_signal(uv_signal_t *s, int signum) {
  ed__watch_stop(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void fleet_started(ed_fleet_t *f, void *arg) {
  (void)f;
  ed__watch_t *w = arg;
  w->started = 1;
  for (size_t i = 0; i < w->ndevs; i++)
    if (w->devs[i].ft->opened && !w->devs[i].ft->started)
      ed__watch_journal(w, "device_error",
                        json_pack("{s:s,s:s}", "device",
                                  w->devs[i].ft->spec->name, "error",
                                  w->devs[i].ft->error));
  if (w->stopping) {
    ed__watch_stop(w, NULL);
    return;
  }
  ed__watch_poll_start(w);
  if (w->o.duration_ms)
    uv_timer_start(&w->duration, on_duration, (uint64_t)w->o.duration_ms, 0);
}

static int start(ed__watch_t *w) {
  int tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
  if (tty && !w->o.json) {
    ed_view_source_t src;
    ed__watch_view_source(w, &src);
    stderr_to_log(w);
    if (ed_view_create(&w->loop, &src, &w->view) != 0) {
      stderr_back(w);
      ed_warn(NULL, "cannot draw the view on this terminal: JSON lines "
                    "instead");
      w->view = NULL;
    }
  }
  w->json_lines = w->view == NULL;
  journal_start(w);
  uv_signal_start(&w->sigint, on_signal, SIGINT);
  uv_signal_start(&w->sigterm, on_signal, SIGTERM);
  ed_fleet_start(&w->fleet, fleet_started, w);
  return 0;
}

/* ---- the end ----------------------------------------------------------- */

static void handle_closed(uv_handle_t *h) {
  ed__watch_t *w = h->data;
  w->handles_open--;
}

static void close_handle(uv_handle_t *h) {
  if (!uv_is_closing(h))
    uv_close(h, handle_closed);
}

static void fleet_stopped(ed_fleet_t *f, void *arg) {
  (void)f;
  ed__watch_t *w = arg;
  ed__watch_poll_close(w);
  ed__watch_export_stop(w);
  close_handle((uv_handle_t *)&w->sigint);
  close_handle((uv_handle_t *)&w->sigterm);
  close_handle((uv_handle_t *)&w->duration);
  close_handle((uv_handle_t *)&w->wait);
  /* The devices go now, not at teardown: an in-process simulator listens
   * until it is closed, and the loop would wait for it forever. */
  if (w->probes_ready)
    ed_probe_host_close(&w->probes);
  w->probes_ready = 0;
  if (w->fleet_ready)
    ed_fleet_close(&w->fleet);
  w->fleet_ready = 0;
  w->stopped = 1;
}

static json_t *end_json(ed__watch_t *w) {
  int counts[3];
  ed_alarm_counts(w->alarms, counts);
  json_t *active = json_array();
  for (size_t i = 0; i < ed_alarm_count(w->alarms); i++)
    json_array_append_new(active, json_integer(ed_alarm_at(w->alarms, i)->id));
  return json_pack("{s:s,s:I,s:I,s:o,s:I,s:I}", "reason", w->end_reason,
                   "polls", (json_int_t)w->polls, "alarms_raised",
                   (json_int_t)ed_alarm_total(w->alarms), "active", active,
                   "hooks", (json_int_t)w->hooks_started, "hooks_dropped",
                   (json_int_t)w->hooks_dropped);
}

/* Wait until nothing is in flight: polls, verifications, hooks (killed
 * after 5 s), then journal the end and stop the devices. */
static void on_wait(uv_timer_t *t) {
  ed__watch_t *w = t->data;
  if (w->hooks_running && ++w->wait_rounds == 100)
    ed__watch_hooks_kill(w);
  if (ed__watch_poll_busy(w) || w->probes.in_flight || w->verifying ||
      w->hooks_running)
    return;
  uv_timer_stop(t);
  ed__watch_journal(w, "watch_end", end_json(w));
  ed_journal_sync(w->journal);
  ed_fleet_stop(&w->fleet, fleet_stopped, w);
}

void ed__watch_stop(ed__watch_t *w, const char *reason) {
  if (reason && !w->end_reason)
    w->end_reason = reason;
  w->stopping = 1;
  if (w->stop_begun || !w->started)
    return; /* still starting: fleet_started comes back here */
  w->stop_begun = 1;
  ed__watch_poll_stop(w);
  uv_timer_stop(&w->duration);
  if (w->view) {
    ed_view_destroy(w->view);
    w->view = NULL;
    stderr_back(w);
  }
  uv_timer_start(&w->wait, on_wait, 0, 50);
}

/* ---- the command ------------------------------------------------------- */

static void init_handles(ed__watch_t *w) {
  uv_signal_init(&w->loop, &w->sigint);
  uv_signal_init(&w->loop, &w->sigterm);
  uv_timer_init(&w->loop, &w->duration);
  uv_timer_init(&w->loop, &w->wait);
  w->sigint.data = w->sigterm.data = w->duration.data = w->wait.data = w;
  w->handles_open = 4;
}

static int setup(ed__watch_t *w) {
  if (ed_plugin_host_create(&w->loop, &w->ph) != 0 ||
      ed_plugin_host_default_dirs(w->ph) != 0)
    return EXIT_FAILED;
  if (load_files(w) != 0)
    return EXIT_USAGE;
  int rc = open_devices(w);
  if (rc == ED_ENOTFOUND)
    return EXIT_USAGE;
  if (rc != 0 || open_journal(w) != 0)
    return EXIT_FAILED;
  w->start_epoch = ed_collect_now();
  w->t0_ns = uv_hrtime();
  ed_rng_seed(&w->rng, w->o.has_seed ? w->o.seed : (uint64_t)w->t0_ns);
  ed_collect_opts_default(&w->copts, 0);
  w->verify = json_object();
  if (ed_alarm_engine_create(&w->rules, w->start_epoch, ed__watch_on_alarm, w,
                             &w->alarms) != 0 ||
      !w->verify)
    return EXIT_FAILED;
  return ed__watch_export_start(w);
}

static void teardown(ed__watch_t *w) {
  if (w->probes_ready)
    ed_probe_host_close(&w->probes);
  if (w->fleet_ready)
    ed_fleet_close(&w->fleet);
  /* Built-in simulators and drivers may still be closing handles. */
  uv_run(&w->loop, UV_RUN_DEFAULT);
  for (size_t i = 0; i < w->ndevs; i++) {
    json_decref(w->devs[i].last);
  }
  free(w->devs);
  free(w->ptargets);
  free(w->selected);
  ed_alarm_engine_destroy(w->alarms);
  json_decref(w->verify);
  if (w->journal)
    ed_journal_close(w->journal);
  if (uv_loop_close(&w->loop) != 0)
    ed_warn(NULL, "watch: the loop still had handles at exit");
  ed_plugin_host_destroy(w->ph);
  ed_scenario_destroy(w->plan);
  ed_scenario_destroy(w->inv);
  json_decref(w->o.labels);
  free(w->o.command);
}

/* What the watch says at its end (the journal is closed by then). On
 * stderr when stdout carries JSON lines. */
static void print_end(const char *dir, const char *end, const char *figures,
                      int json, int report) {
  FILE *out = json ? stderr : stdout;
  fprintf(out,
          "eventdrill: watch ended (%s): %s\nresults: %s/ "
          "(journal.jsonl)\n",
          end, figures, dir);
  if (!report)
    return;
  char html[PATH_MAX + 32] = "";
  if (ed_watch_report_write(dir, 0, html, sizeof(html)) == 0)
    fprintf(out, "report: %s\n", html);
  else
    fprintf(out, "eventdrill: watch: could not write the report in %s\n", dir);
}

int ed_watch_command(int argc, char **argv) {
  ed__watch_t *w = calloc(1, sizeof(*w));
  if (!w)
    return EXIT_FAILED;
  w->saved_stderr = -1;
  /* Before getopt reorders argv. The hook's command is left out of the
   * journal: it may hold a token the user would not want written down. */
  static const char *const hidden[] = {"--hook", NULL};
  char *command = ed_cmdline_join("eventdrill", argc, argv, hidden);
  int rc = parse_opts(&w->o, argc, argv);
  if (rc != 0) {
    json_decref(w->o.labels);
    free(command);
    free(w);
    return rc < 0 ? EXIT_OK : rc;
  }
  w->o.command = command;
  uv_loop_init(&w->loop);
  init_handles(w);
  rc = setup(w);
  if (rc == EXIT_OK) {
    start(w);
    uv_run(&w->loop, UV_RUN_DEFAULT);
  } else {
    ed__watch_export_stop(w);
    close_handle((uv_handle_t *)&w->sigint);
    close_handle((uv_handle_t *)&w->sigterm);
    close_handle((uv_handle_t *)&w->duration);
    close_handle((uv_handle_t *)&w->wait);
  }
  int ended = w->stopped;
  char figures[256] = "", dir[PATH_MAX], end[16];
  snprintf(dir, sizeof(dir), "%s", w->dir);
  snprintf(end, sizeof(end), "%s", w->end_reason ? w->end_reason : "?");
  if (ended)
    snprintf(figures, sizeof(figures),
             "%lu polls, %u alarm%s raised, %zu still raised", w->polls,
             ed_alarm_total(w->alarms),
             ed_alarm_total(w->alarms) == 1 ? "" : "s",
             ed_alarm_count(w->alarms));
  int json = w->o.json || !isatty(STDOUT_FILENO), report = !w->o.no_report;
  teardown(w);
  free(w);
  if (ended)
    print_end(dir, end, figures, json, report);
  return ended || rc != EXIT_OK ? rc : EXIT_FAILED;
}
