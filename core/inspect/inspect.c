/* `eventdrill inspect`: the flow — load, open the fleet, collect a few
 * devices at a time, judge, write the evidence; see inspect.h. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "error.h"
#include "fleet.h"
#include "inspect.h"
#include "inventory.h"
#include "log.h"
#include "plugin_host.h"
#include "probe.h"
#include "report.h"
#include "resultsdir.h"
#include "rules.h"
#include "term.h"
#include "textsafe.h"

enum { EXIT_OK = 0, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_FAILED };

typedef struct insp_s {
  ed_inspect_options_t o;
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  ed_scenario_t *inv;
  ed_rules_t *rules;
  ed_target_t *devices; /* the selected devices (shallow copies) */
  size_t ndevices;
  ed_fleet_t fleet;
  int fleet_ready;
  ed_probe_host_t probes;
  ed_probe_target_t *ptargets;
  int probes_ready;
  json_t **snaps;    /* by device index */
  json_t *described; /* the devices as the evidence shows them */
  size_t next, active, done;
  uv_signal_t sigint, sigterm;
  uv_timer_t settle; /* waits for the probes before the targets stop */
  int interrupted;
  int stopping;
  double t0;
  char started[32];
  char dir[PATH_MAX];
} insp_t;

/* ---- loading ----------------------------------------------------------- */

static int load(insp_t *x) {
  ed_scenario_drivers_t drivers;
  ed_fleet_scenario_drivers(x->ph, &drivers);
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = ed_rules_create(x->o.rules_file, &diag, &x->rules);
  int rc2 = ed_inventory_load(x->o.inventory, &drivers, &diag, &x->inv);
  if (rc || rc2) {
    ed_diag_print(&diag, stderr);
    fprintf(stderr, "inspect: %zu error%s\n", diag.count,
            diag.count == 1 ? "" : "s");
  }
  ed_diag_close(&diag);
  return rc ? rc : rc2;
}

static int select_devices(insp_t *x) {
  x->devices = calloc(x->inv->ntargets + 1, sizeof(*x->devices));
  if (!x->devices)
    return ED_ENOMEM;
  for (size_t i = 0; i < x->inv->ntargets; i++)
    if (!x->o.labels || ed_inventory_match(&x->inv->targets[i], x->o.labels))
      x->devices[x->ndevices++] = x->inv->targets[i];
  if (x->ndevices == 0) {
    char text[256], why[768];
    ed_inventory_selector_text(x->o.labels, text, sizeof(text));
    ed_inventory_selector_why(x->inv, x->o.labels, why, sizeof(why));
    fprintf(stderr, "inspect: %s: --label %s: %s\n", x->o.inventory, text, why);
    return ED_ENOTFOUND;
  }
  x->snaps = calloc(x->ndevices, sizeof(*x->snaps));
  return x->snaps ? 0 : ED_ENOMEM;
}

/* ---- collecting -------------------------------------------------------- */

static void launch(insp_t *x);
static void finish(insp_t *x);

/* s escaped for the terminal into buf: what a device sent is shown, never
 * obeyed (textsafe.h). */
static const char *tty(char *buf, size_t len, const char *s) {
  ed_text_escape_terminal(buf, len, s);
  return buf;
}

static void progress(const insp_t *x, const json_t *s) {
  if (x->o.quiet)
    return;
  char dev[256], why[1024], line[1400];
  tty(dev, sizeof(dev), json_string_value(json_object_get(s, "device")));
  if (json_is_true(json_object_get(s, "reachable")))
    snprintf(line, sizeof(line), "[%zu/%zu] %s: read (%lld requests, %.0f ms)",
             x->done, x->ndevices, dev,
             (long long)json_integer_value(json_object_get(s, "requests")),
             json_number_value(json_object_get(s, "duration_ms")));
  else if (json_is_string(json_object_get(s, "unread")))
    snprintf(
        line, sizeof(line), "[%zu/%zu] %s: not read: %s", x->done, x->ndevices,
        dev,
        tty(why, sizeof(why), json_string_value(json_object_get(s, "unread"))));
  else
    snprintf(line, sizeof(line), "[%zu/%zu] %s: unreachable: %s", x->done,
             x->ndevices, dev,
             tty(why, sizeof(why),
                 json_string_value(
                     json_object_get(json_object_get(s, "error"), "detail"))));
  ed_term_write_line(stderr, line, 4);
}

typedef struct slot_s {
  insp_t *x;
  size_t index;
} slot_t;

static void collected(void *arg, json_t *snap) {
  slot_t *slot = arg;
  insp_t *x = slot->x;
  x->snaps[slot->index] = snap;
  free(slot);
  x->active--;
  x->done++;
  progress(x, snap);
  launch(x);
}

static void launch(insp_t *x) {
  ed_collect_opts_t co;
  ed_collect_opts_default(&co, 1);
  co.latency_samples = x->o.samples;
  while (!x->interrupted && x->next < x->ndevices &&
         x->active < (size_t)x->o.concurrency) {
    slot_t *slot = malloc(sizeof(*slot));
    if (!slot)
      break;
    *slot = (slot_t){x, x->next++};
    x->active++;
    if (ed_collect_device(&x->probes, &x->fleet.targets[slot->index], &co,
                          collected, slot) != 0) {
      free(slot);
      x->active--;
      x->interrupted = 1;
    }
  }
  if (x->active == 0 && (x->interrupted || x->done == x->ndevices))
    finish(x);
}

static void started(ed_fleet_t *f, void *arg) {
  insp_t *x = arg;
  for (size_t i = 0; i < f->ntargets; i++)
    json_array_append_new(x->described, ed_fleet_describe(&f->targets[i]));
  x->ptargets = calloc(f->ntargets + 1, sizeof(*x->ptargets));
  if (!x->ptargets) {
    x->interrupted = 1;
    finish(x);
    return;
  }
  for (size_t i = 0; i < f->ntargets; i++)
    x->ptargets[i] = (ed_probe_target_t){.spec = f->targets[i].spec,
                                         .drv = f->targets[i].drv,
                                         .state = f->targets[i].state,
                                         .sim = f->targets[i].sim};
  /* Read-only: a destructive operation is refused before any driver. */
  if (ed_probe_host_init(&x->probes, &x->loop, x->ph, x->ptargets, f->ntargets,
                         1, x->o.inventory) != 0) {
    x->interrupted = 1;
    finish(x);
    return;
  }
  x->probes_ready = 1;
  launch(x);
}

/* ---- ending ------------------------------------------------------------ */

static void stopped(ed_fleet_t *f, void *arg) {
  insp_t *x = arg;
  (void)f;
  if (x->probes_ready)
    ed_probe_host_close(&x->probes);
  x->probes_ready = 0;
  ed_fleet_close(&x->fleet);
  x->fleet_ready = 0;
  uv_close((uv_handle_t *)&x->sigint, NULL);
  uv_close((uv_handle_t *)&x->sigterm, NULL);
  uv_close((uv_handle_t *)&x->settle, NULL);
}

/* The last collection ends inside a probe's callback, and the probe frees
 * its prepared operation (the driver's target state) after it returns:
 * stop the targets once no probe is out. */
static void on_settle(uv_timer_t *t) {
  insp_t *x = t->data;
  if (x->probes_ready && x->probes.in_flight > 0)
    return;
  uv_timer_stop(t);
  ed_fleet_stop(&x->fleet, stopped, x);
}

static void finish(insp_t *x) {
  if (x->stopping)
    return;
  x->stopping = 1;
  uv_timer_start(&x->settle, on_settle, 0, 10);
}

static void on_signal(uv_signal_t *s, int signum) {
  insp_t *x = s->data;
  (void)signum;
  if (x->interrupted)
    return;
  x->interrupted = 1;
  fprintf(stderr, "inspect: interrupted: finishing the devices being read\n");
  if (x->active == 0)
    finish(x);
}

/* ---- evidence ---------------------------------------------------------- */

static json_t *counts_of(const json_t *findings) {
  json_int_t n[ED_SEV_COUNT] = {0};
  json_t *f;
  size_t i;
  json_array_foreach((json_t *)findings, i, f) {
    int s =
        ed_severity_parse(json_string_value(json_object_get(f, "severity")));
    if (s >= 0)
      n[s]++;
  }
  json_t *o = json_object();
  for (int s = ED_SEV_COUNT - 1; s >= 0; s--)
    json_object_set_new(o, ed_severity_name((ed_severity_t)s),
                        json_integer(n[s]));
  return o;
}

static json_t *inspection(insp_t *x, json_t *snaps, json_t *findings) {
  json_t *devices = json_incref(x->described);
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:b,s:o,s:o,s:o,s:O,s:o}", "inventory",
      x->inv->name, "file", x->o.inventory, "inventory_sha256", x->inv->sha256,
      "started", x->started, "duration_s", ed_collect_now() - x->t0, "version",
      ED_VERSION, "command", x->o.command ? x->o.command : "inspect",
      "interrupted", x->interrupted || x->done < x->ndevices, "devices",
      devices, "rules", ed_rules_describe(x->rules), "counts",
      counts_of(findings), "findings", findings, "snapshots", snaps);
  if (x->o.labels)
    json_object_set(o, "labels", x->o.labels);
  return o;
}

static int write_json(const char *dir, const char *name, const json_t *v) {
  char *text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
  if (!text)
    return ED_ENOMEM;
  size_t len = strlen(text);
  text[len] = '\n';
  int rc = ed_results_write(dir, name, text, len + 1);
  free(text);
  return rc;
}

static void print_findings(const json_t *findings, FILE *out) {
  json_t *f;
  size_t i;
  if (json_array_size(findings) == 0)
    fprintf(out, "no finding: every rule passed on every device\n");
  json_array_foreach((json_t *)findings, i, f) {
    char dev[256], title[512], detail[2048], line[3000];
    snprintf(
        line, sizeof(line), "%-8s  %-16s  %s: %s",
        json_string_value(json_object_get(f, "severity")),
        tty(dev, sizeof(dev), json_string_value(json_object_get(f, "device"))),
        tty(title, sizeof(title),
            json_string_value(json_object_get(f, "title"))),
        tty(detail, sizeof(detail),
            json_string_value(json_object_get(f, "detail"))));
    /* Wrapped under the text column: a finding is read whole. */
    ed_term_write_line(out, line, 28);
  }
}

/* The last line a person reads: the verdict, coloured on a terminal that
 * takes colour (the words say the same without it). */
static void print_verdict(const json_t *doc_in, FILE *out) {
  char text[256];
  int ready = ed_inspect_verdict(doc_in, text, sizeof(text));
  fprintf(out, "%s%sVerdict: %s%s\n", ed_term_sgr(out, ED_SGR_BOLD),
          ed_term_sgr(out, ready ? ED_SGR_GREEN : ED_SGR_RED), text,
          ed_term_sgr(out, ED_SGR_RESET));
}

static int write_evidence(insp_t *x) {
  json_t *snaps = json_array();
  for (size_t i = 0; i < x->ndevices; i++)
    if (x->snaps[i])
      json_array_append(snaps, x->snaps[i]);
  json_t *findings = ed_rules_evaluate(x->rules, snaps);
  json_t *doc_in = inspection(x, snaps, findings);
  json_t *doc = ed_inspect_report_doc(doc_in);
  int rc = write_json(x->dir, "inspection.json", doc_in);
  if (rc == 0)
    rc = ed_report_render(doc, x->dir, "inspection");
  if (rc != 0)
    fprintf(stderr, "inspect: cannot write the evidence in %s: %s\n", x->dir,
            ed_strerror(rc));
  if (x->o.json) {
    /* Typed as every --json output of eventdrill; the file stays as is. */
    json_t *typed = json_copy(doc_in);
    json_object_set_new(typed, "type", json_string("inspection"));
    json_dumpf(typed, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', stdout);
    json_decref(typed);
  } else if (!x->o.quiet) {
    print_findings(findings, stdout);
  }
  json_t *counts = json_object_get(doc_in, "counts");
  json_int_t serious = 0;
  for (int s = ED_SEV_WARNING; s < ED_SEV_COUNT; s++)
    serious += json_integer_value(
        json_object_get(counts, ed_severity_name((ed_severity_t)s)));
  if (!x->o.json)
    fprintf(x->o.quiet ? stderr : stdout,
            "%zu device%s, %zu finding%s; report: %s/inspection.html\n",
            x->ndevices, x->ndevices == 1 ? "" : "s", json_array_size(findings),
            json_array_size(findings) == 1 ? "" : "s", x->dir);
  if (!x->o.json)
    print_verdict(doc_in, stdout);
  json_decref(doc);
  json_decref(doc_in);
  json_decref(findings);
  if (rc != 0)
    return EXIT_FAILED;
  if (x->interrupted)
    return EXIT_INTERRUPTED;
  return serious ? EXIT_FINDINGS : EXIT_OK;
}

/* ---- the command ------------------------------------------------------- */

static int open_fleet(insp_t *x) {
  int *caps = calloc(x->ndevices + 1, sizeof(int));
  if (!caps)
    return ED_ENOMEM;
  for (size_t i = 0; i < x->ndevices; i++)
    caps[i] = 2;
  int rc = ed_fleet_init(&x->fleet, &x->loop, x->ph, x->o.inventory, x->devices,
                         x->ndevices, caps);
  free(caps);
  if (rc != 0)
    return rc;
  x->fleet_ready = 1;
  /* A device that cannot be opened is a finding: carry on. */
  ed_fleet_open(&x->fleet, 1);
  return 0;
}

static void iso_now(char *buf, size_t len) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int run(insp_t *x) {
  int rc = select_devices(x);
  if (rc != 0)
    return rc == ED_ENOMEM ? EXIT_FAILED : EXIT_USAGE;
  char name[160];
  snprintf(name, sizeof(name), "inspect-%s", x->inv->name);
  rc = ed_results_dir(x->o.results_root, x->o.out_dir, name, x->dir,
                      sizeof(x->dir));
  if (rc != 0) {
    fprintf(stderr, "inspect: cannot create the results folder %s: %s\n",
            x->dir, ed_strerror(rc));
    return EXIT_FAILED;
  }
  if (open_fleet(x) != 0)
    return EXIT_FAILED;
  uv_signal_init(&x->loop, &x->sigint);
  uv_signal_init(&x->loop, &x->sigterm);
  uv_timer_init(&x->loop, &x->settle);
  x->sigint.data = x->sigterm.data = x->settle.data = x;
  uv_signal_start(&x->sigint, on_signal, SIGINT);
  uv_signal_start(&x->sigterm, on_signal, SIGTERM);
  if (!x->o.quiet)
    fprintf(stderr, "inspect: %zu device%s of %s, read-only, %d at a time\n",
            x->ndevices, x->ndevices == 1 ? "" : "s", x->inv->name,
            x->o.concurrency);
  ed_fleet_start(&x->fleet, started, x);
  uv_run(&x->loop, UV_RUN_DEFAULT);
  return write_evidence(x);
}

int ed_inspect(const ed_inspect_options_t *o) {
  insp_t *x = calloc(1, sizeof(*x));
  if (!x || uv_loop_init(&x->loop) != 0) {
    free(x);
    return EXIT_FAILED;
  }
  x->o = *o;
  if (x->o.concurrency <= 0)
    x->o.concurrency = 8;
  if (x->o.samples < 0)
    x->o.samples = 0;
  x->t0 = ed_collect_now();
  x->described = json_array();
  iso_now(x->started, sizeof(x->started));
  int code = EXIT_FAILED;
  if (ed_plugin_host_create(&x->loop, &x->ph) != 0 ||
      ed_plugin_host_default_dirs(x->ph) != 0)
    goto out;
  if (load(x) != 0) {
    code = EXIT_USAGE;
    goto out;
  }
  code = run(x);
out:
  if (x->fleet_ready)
    ed_fleet_close(&x->fleet);
  uv_run(&x->loop, UV_RUN_DEFAULT);
  for (size_t i = 0; x->snaps && i < x->ndevices; i++)
    json_decref(x->snaps[i]);
  free(x->snaps);
  json_decref(x->described);
  free(x->ptargets);
  free(x->devices);
  ed_rules_destroy(x->rules);
  ed_scenario_destroy(x->inv);
  ed_plugin_host_destroy(x->ph);
  uv_loop_close(&x->loop);
  free(x);
  return code;
}
