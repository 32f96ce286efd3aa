/*
 * eventdrill-sim: run a fleet of virtual Redfish BMCs on loopback until
 * SIGINT or SIGTERM. Flags override the keys of --config FILE.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim.h"

#define EXIT_CONFIG 2

static const char usage[] =
    "usage: eventdrill-sim [options]\n"
    "Run a fleet of virtual Redfish BMCs on loopback addresses.\n"
    "\n"
    "  --config FILE        JSON configuration (see docs/simulator.md);\n"
    "                       the flags below override its keys\n"
    "  --bmcs N             number of BMCs (default 1)\n"
    "  --mode M             addresses: 127.0.1.1, 127.0.1.2, ... on one port\n"
    "                       ports: consecutive ports of one address\n"
    "  --address A          first address (default 127.0.1.1; loopback only)\n"
    "  --port P             port, or first port in ports mode (default 8000)\n"
    "  --mockup M           \"default\" or a DMTF mockup directory\n"
    "  --tls-cert FILE      serve HTTPS with this PEM certificate (chain)\n"
    "  --tls-key FILE       and this PEM private key\n"
    "  --tls-ca FILE        extra chain certificates to send (optional)\n"
    "  --user NAME          account name (default admin)\n"
    "  --password-env VAR   read the password from environment variable VAR\n"
    "                       (never give a password on the command line)\n"
    "  --control A:P        control channel, e.g. 127.0.0.1:7999 (port 0:\n"
    "                       any free port; the start line tells which)\n"
    "  --access-log         JSON lines on stderr, one per request\n"
    "  --seed N             seed of the fault knobs' randomness (default 0)\n"
    "  --help               this text\n"
    "\n"
    "Prints one line when serving; stops cleanly on SIGINT or SIGTERM.\n"
    "Exit status: 0 after a clean stop, 1 when it cannot serve, 2 on a bad\n"
    "configuration or flag.\n";

enum {
  OPT_BMCS = 256,
  OPT_MODE,
  OPT_ADDRESS,
  OPT_PORT,
  OPT_MOCKUP,
  OPT_CONFIG,
  OPT_CERT,
  OPT_KEY,
  OPT_CA,
  OPT_USER,
  OPT_PWENV,
  OPT_PASSWORD,
  OPT_CONTROL,
  OPT_ACCESS_LOG,
  OPT_SEED,
  OPT_HELP,
};

static const struct option options[] = {
    {"bmcs", required_argument, NULL, OPT_BMCS},
    {"mode", required_argument, NULL, OPT_MODE},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"port", required_argument, NULL, OPT_PORT},
    {"mockup", required_argument, NULL, OPT_MOCKUP},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"tls-ca", required_argument, NULL, OPT_CA},
    {"user", required_argument, NULL, OPT_USER},
    {"password-env", required_argument, NULL, OPT_PWENV},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"access-log", no_argument, NULL, OPT_ACCESS_LOG},
    {"seed", required_argument, NULL, OPT_SEED},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct run_s {
  uv_loop_t loop;
  uv_signal_t sigint, sigterm;
  ed_sim_t *sim;
} run_t;

static int bad_flag(const char *flag, const char *why) {
  fprintf(stderr, "eventdrill-sim: --%s: %s\n", flag, why);
  return EXIT_CONFIG;
}

static int number(const char *s, long long max, json_t **out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || errno || v < 0 || v > max)
    return -1;
  *out = json_integer(v);
  return 0;
}

/* The object at key of cfg, created when absent. */
static json_t *sub(json_t *cfg, const char *key) {
  json_t *o = json_object_get(cfg, key);
  if (!json_is_object(o)) {
    o = json_object();
    json_object_set_new(cfg, key, o);
  }
  return o;
}

static int load_file(const char *path, json_t **cfg) {
  json_error_t e;
  json_t *j = json_load_file(path, 0, &e);
  if (!j) {
    fprintf(stderr, "eventdrill-sim: %s: line %d, column %d: %s\n", path,
            e.line, e.column, e.text);
    return EXIT_CONFIG;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    fprintf(stderr, "eventdrill-sim: %s: expected a JSON object\n", path);
    return EXIT_CONFIG;
  }
  json_decref(*cfg);
  *cfg = j;
  return 0;
}

/* Apply one flag to cfg. 0, or an exit status. */
static int flag(json_t *cfg, int opt, const char *arg) {
  json_t *v = NULL;
  switch (opt) {
  case OPT_BMCS:
    if (number(arg, 100000, &v) < 0)
      return bad_flag("bmcs", "expected a count");
    json_object_set_new(cfg, "bmcs", v);
    return 0;
  case OPT_PORT:
    if (number(arg, 65535, &v) < 0)
      return bad_flag("port", "expected a port number");
    json_object_set_new(sub(cfg, "listen"), "port", v);
    return 0;
  case OPT_SEED:
    if (number(arg, INT64_MAX, &v) < 0)
      return bad_flag("seed", "expected a non-negative integer");
    json_object_set_new(cfg, "seed", v);
    return 0;
  case OPT_MODE:
    json_object_set_new(sub(cfg, "listen"), "mode", json_string(arg));
    return 0;
  case OPT_ADDRESS:
    json_object_set_new(sub(cfg, "listen"), "address", json_string(arg));
    return 0;
  case OPT_MOCKUP:
    json_object_set_new(cfg, "mockup", json_string(arg));
    return 0;
  case OPT_CERT:
    json_object_set_new(sub(cfg, "tls"), "cert", json_string(arg));
    return 0;
  case OPT_KEY:
    json_object_set_new(sub(cfg, "tls"), "key", json_string(arg));
    return 0;
  case OPT_CA:
    json_object_set_new(sub(cfg, "tls"), "ca", json_string(arg));
    return 0;
  case OPT_USER:
    json_object_set_new(cfg, "user", json_string(arg));
    return 0;
  case OPT_PWENV:
    json_object_del(cfg, "password");
    json_object_set_new(cfg, "password_env", json_string(arg));
    return 0;
  case OPT_PASSWORD:
    return bad_flag("password", "refused: a password on the command line "
                                "is visible to every user; use "
                                "--password-env VAR");
  case OPT_CONTROL:
    json_object_set_new(cfg, "control", json_string(arg));
    return 0;
  case OPT_ACCESS_LOG:
    json_object_set_new(cfg, "access_log", json_true());
    return 0;
  }
  return EXIT_CONFIG;
}

static int parse_args(int argc, char **argv, json_t **cfg, const char **origin,
                      int *help) {
  int opt;
  /* --config first, so that the other flags override its keys. */
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    if (opt == OPT_CONFIG) {
      int rc = load_file(optarg, cfg);
      if (rc)
        return rc;
      *origin = optarg;
    }
  }
  optind = 1;
  opterr = 1;
  while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    if (opt == 'h' || opt == OPT_HELP) {
      *help = 1;
      return 0;
    }
    if (opt == '?')
      return EXIT_CONFIG;
    if (opt == OPT_CONFIG)
      continue;
    int rc = flag(*cfg, opt, optarg);
    if (rc)
      return rc;
  }
  if (optind < argc) {
    fprintf(stderr, "eventdrill-sim: unexpected argument '%s'\n", argv[optind]);
    return EXIT_CONFIG;
  }
  return 0;
}

static void on_sim_closed(void *arg) {
  run_t *r = arg;
  r->sim = NULL;
}

static void on_signal(uv_signal_t *s, int signum) {
  run_t *r = s->data;
  (void)signum;
  uv_close((uv_handle_t *)&r->sigint, NULL);
  uv_close((uv_handle_t *)&r->sigterm, NULL);
  if (r->sim)
    ed_sim_close(r->sim, on_sim_closed, r);
}

static void print_ready(ed_sim_t *sim) {
  size_t n = ed_sim_count(sim);
  const char *ctl = ed_sim_control_url(sim);
  printf("eventdrill-sim: %zu BMC%s serving %s%s%s%s%s\n", n, n == 1 ? "" : "s",
         ed_sim_url(sim, 0), n > 1 ? " ... " : "",
         n > 1 ? ed_sim_url(sim, n - 1) : "", ctl ? ", control " : "",
         ctl ? ctl : "");
  fflush(stdout);
}

static int serve(json_t *cfg, const char *origin) {
  run_t r;
  char err[1024];
  memset(&r, 0, sizeof(r));
  uv_loop_init(&r.loop);
  int rc = ed_sim_create(&r.loop, cfg, origin, &r.sim, err, sizeof(err));
  if (rc < 0) {
    fprintf(stderr, "eventdrill-sim: %s\n", err);
    uv_loop_close(&r.loop);
    return EXIT_CONFIG;
  }
  int status = 0;
  if (ed_sim_start(r.sim, err, sizeof(err)) < 0) {
    fprintf(stderr, "eventdrill-sim: %s\n", err);
    ed_sim_close(r.sim, on_sim_closed, &r);
    status = 1;
  } else {
    uv_signal_init(&r.loop, &r.sigint);
    uv_signal_init(&r.loop, &r.sigterm);
    r.sigint.data = r.sigterm.data = &r;
    uv_signal_start(&r.sigint, on_signal, SIGINT);
    uv_signal_start(&r.sigterm, on_signal, SIGTERM);
    print_ready(r.sim);
  }
  uv_run(&r.loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&r.loop) != 0) {
    fprintf(stderr, "eventdrill-sim: handles left open at exit\n");
    status = 1;
  }
  return status;
}

int main(int argc, char **argv) {
  /* A peer that resets must not kill the fleet in the middle of a write. */
  signal(SIGPIPE, SIG_IGN);
  json_t *cfg = json_object();
  const char *origin = "command line";
  int help = 0;
  int rc = parse_args(argc, argv, &cfg, &origin, &help);
  if (rc == 0 && help) {
    fputs(usage, stdout);
  } else if (rc == 0) {
    rc = serve(cfg, origin);
  } else if (rc == EXIT_CONFIG) {
    fprintf(stderr, "(eventdrill-sim --help lists the flags)\n");
  }
  json_decref(cfg);
  return rc;
}
