/* The command line of `eventdrill inspect`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "inspect.h"

static void usage(FILE *out) {
  fputs("usage: eventdrill inspect INVENTORY [options]\n"
        "\n"
        "Reads every device of the inventory with read-only requests and\n"
        "writes the Device Health Check Report: findings ranked by risk,\n"
        "each with the measure to take before the event.\n"
        "\n"
        "  --rules FILE       tune the built-in rules or add some\n"
        "  --label KEY=VALUE  only devices with this label (repeatable)\n"
        "  --concurrency N    devices read at once (default 8)\n"
        "  --samples N        timed reads per device for its response time\n"
        "                     (default 10)\n"
        "  --results DIR      parent folder of the results (default results)\n"
        "  --out DIR          exact results folder\n"
        "  --json             print inspection.json on stdout\n"
        "  --quiet            no progress and no findings on the terminal\n"
        "\n"
        "exit status: 0 no finding above notice; 1 findings of warning or\n"
        "worse; 2 bad usage or invalid files; 3 interrupted; 4 failed\n",
        out);
}

static int add_label(json_t *labels, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) {
    fprintf(stderr, "inspect: --label wants KEY=VALUE, got \"%s\"\n", arg);
    return -1;
  }
  char key[128];
  snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
  json_object_set_new(labels, key, json_string(eq + 1));
  return 0;
}

static int parse_count(const char *opt, const char *arg, int min, int *out) {
  char *end;
  long v = strtol(arg, &end, 10);
  if (*arg == '\0' || *end || v < min || v > 10000) {
    fprintf(stderr, "inspect: %s wants a whole number from %d to 10000\n", opt,
            min);
    return -1;
  }
  *out = (int)v;
  return 0;
}

int ed_inspect_command(int argc, char **argv) {
  enum {
    O_RULES = 256,
    O_LABEL,
    O_CONC,
    O_SAMPLES,
    O_RESULTS,
    O_OUT,
    O_JSON,
    O_QUIET
  };
  static const struct option longs[] = {
      {"rules", required_argument, NULL, O_RULES},
      {"label", required_argument, NULL, O_LABEL},
      {"concurrency", required_argument, NULL, O_CONC},
      {"samples", required_argument, NULL, O_SAMPLES},
      {"results", required_argument, NULL, O_RESULTS},
      {"out", required_argument, NULL, O_OUT},
      {"json", no_argument, NULL, O_JSON},
      {"quiet", no_argument, NULL, O_QUIET},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  ed_inspect_options_t o = {.concurrency = 8, .samples = 10};
  json_t *labels = json_object();
  /* Before getopt, which reorders argv. */
  char *command = ed_cmdline_join("eventdrill", argc, argv, NULL);
  int c, bad = 0;
  optind = 1;
  while (!bad && (c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    switch (c) {
    case O_RULES:
      o.rules_file = optarg;
      break;
    case O_LABEL:
      bad = add_label(labels, optarg) != 0;
      break;
    case O_CONC:
      bad = parse_count("--concurrency", optarg, 1, &o.concurrency) != 0;
      break;
    case O_SAMPLES:
      bad = parse_count("--samples", optarg, 0, &o.samples) != 0;
      break;
    case O_RESULTS:
      o.results_root = optarg;
      break;
    case O_OUT:
      o.out_dir = optarg;
      break;
    case O_JSON:
      o.json = 1;
      break;
    case O_QUIET:
      o.quiet = 1;
      break;
    case 'h':
      usage(stdout);
      json_decref(labels);
      free(command);
      return 0;
    default:
      bad = 1;
    }
  }
  if (!bad && optind + 1 != argc) {
    fprintf(stderr, "inspect: needs exactly one inventory file\n");
    bad = 1;
  }
  if (bad) {
    usage(stderr);
    json_decref(labels);
    free(command);
    return 2;
  }
  o.inventory = argv[optind];
  o.labels = json_object_size(labels) ? labels : NULL;
  o.command = command;
  int rc = ed_inspect(&o);
  free(command);
  json_decref(labels);
  return rc;
}
