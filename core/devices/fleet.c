/* Targets at run time: the built-in simulator, credentials, drivers'
 * options, and each target's open / start / stop / close. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "diag.h"
#include "error.h"
#include "fleet.h"
#include "log.h"
#include "options.h"

/* The account of a built-in simulator: a fresh password each run, known only
 * to this process. */
#define SIM_USER "eventdrill"

int ed_fleet_init(ed_fleet_t *f, uv_loop_t *loop, ed_plugin_host_t *ph,
                  const char *file, const ed_target_t *targets, size_t n,
                  const int *caps) {
  memset(f, 0, sizeof(*f));
  f->loop = loop;
  f->ph = ph;
  f->file = file;
  f->targets = calloc(n + 1, sizeof(*f->targets));
  if (!f->targets)
    return ED_ENOMEM;
  f->ntargets = n;
  for (size_t i = 0; i < n; i++) {
    f->targets[i].spec = &targets[i];
    f->targets[i].fleet = f;
    f->targets[i].max_in_flight = caps && caps[i] > 0 ? caps[i] : 1;
  }
  return 0;
}

static void set_error(ed_fleet_target_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(ed_fleet_target_t *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->error, sizeof(t->error), fmt, ap);
  va_end(ap);
}

/* The simulator configuration of the one BMC behind a target: its "sim"
 * object on an ephemeral loopback port, with these credentials. New
 * reference, NULL on no memory. */
static json_t *sim_config(const json_t *sim, const char *password) {
  json_t *cfg = json_deep_copy(sim);
  if (!cfg || json_object_set_new(cfg, "bmcs", json_integer(1)) ||
      json_object_set_new(cfg, "listen",
                          json_pack("{s:s,s:s,s:i}", "mode", "ports", "address",
                                    "127.0.0.1", "port", 0)) ||
      json_object_set_new(cfg, "user", json_string(SIM_USER)) ||
      json_object_set_new(cfg, "password", json_string(password))) {
    json_decref(cfg);
    return NULL;
  }
  return cfg;
}

static void check_sim(void *ctx, const json_t *sim, const char *path,
                      ed_diag_t *diag) {
  (void)ctx;
  char errbuf[1024] = "";
  json_t *cfg = sim_config(sim, "unused");
  uv_loop_t loop;
  if (!cfg || uv_loop_init(&loop) != 0) {
    json_decref(cfg);
    ed_diag_add(diag, path, "out of memory while checking the simulator");
    return;
  }
  ed_sim_t *s = NULL;
  int rc = ed_sim_create(&loop, cfg, "sim", &s, errbuf, sizeof(errbuf));
  if (rc == 0)
    ed_sim_close(s, NULL, NULL);
  uv_run(&loop, UV_RUN_DEFAULT); /* lets the closed handles go */
  uv_loop_close(&loop);
  json_decref(cfg);
  if (rc == 0)
    return;
  /* "sim: knobs.latency: expected ...": the key goes after the object's
   * path, so that the error points at it. */
  const char *msg = strncmp(errbuf, "sim: ", 5) == 0 ? errbuf + 5 : errbuf;
  const char *sep = strstr(msg, ": ");
  char where[1024];
  if (sep && !memchr(msg, ' ', (size_t)(sep - msg))) {
    snprintf(where, sizeof(where), "%s.%.*s", path, (int)(sep - msg), msg);
    ed_diag_add(diag, where, "%s", sep + 2);
  } else {
    ed_diag_add(diag, path, "%s", msg);
  }
}

void ed_fleet_scenario_drivers(ed_plugin_host_t *ph,
                               ed_scenario_drivers_t *out) {
  ed_plugin_host_scenario_drivers(ph, out);
  out->check_sim = check_sim;
}

/* Start one built-in simulated BMC for t on an ephemeral loopback port,
 * with the knobs of the target's "sim" object. */
static int start_sim(ed_fleet_t *f, ed_fleet_target_t *t) {
  char password[33];
  char errbuf[512];
  if (ed_credentials_random(password, sizeof(password)) != 0) {
    set_error(t, "cannot draw a random password");
    return ED_EIO;
  }
  json_t *cfg = sim_config(t->spec->sim->config, password);
  if (!cfg) {
    explicit_bzero(password, sizeof(password));
    return ED_ENOMEM;
  }
  if (f->has_seed && !json_object_get(cfg, "seed"))
    json_object_set_new(cfg, "seed", json_integer((json_int_t)f->seed));
  char origin[512];
  snprintf(origin, sizeof(origin), "%s: %s.sim", f->file, t->spec->path);
  int rc = ed_sim_create(f->loop, cfg, origin, &t->sim, errbuf, sizeof(errbuf));
  json_object_set_new(cfg, "password", json_string(""));
  json_decref(cfg);
  if (rc == 0)
    rc = ed_sim_start(t->sim, errbuf, sizeof(errbuf));
  if (rc != 0) {
    set_error(t, "the built-in simulator did not start: %s", errbuf);
    explicit_bzero(password, sizeof(password));
    return rc;
  }
  t->url = strdup(ed_sim_url(t->sim, 0));
  t->creds.user = strdup(SIM_USER);
  t->creds.secret = strdup(password);
  explicit_bzero(password, sizeof(password));
  if (!t->url || !t->creds.user || !t->creds.secret)
    return ED_ENOMEM;
  return 0;
}

/* The driver options of t: the file's, plus the simulator's URL. */
static int fill_opts(ed_fleet_target_t *t, const char *file) {
  json_t *obj = json_deep_copy(t->spec->opts);
  if (!obj)
    obj = json_object();
  if (t->url)
    json_object_set_new(obj, "url", json_string(t->url));
  t->opts = calloc(1, t->drv->target_opts_size + 1);
  ed_diag_t diag;
  ed_diag_init(&diag);
  diag.file = file;
  int rc = t->opts ? ed_options_fill(t->drv->target_opts, obj, t->opts,
                                     t->spec->path, &diag, NULL)
                   : ED_ENOMEM;
  if (rc != 0) {
    ed_diag_print(&diag, stderr);
    set_error(t, "invalid driver options (printed above)");
  }
  ed_diag_close(&diag);
  json_decref(obj);
  return rc;
}

/* A "file:" reference is relative to the folder of the file that names it,
 * so a scenario or an inventory and its credentials can move together. */
static int resolve_credentials(const char *file, ed_fleet_target_t *t) {
  const char *ref = t->spec->credentials;
  char buf[PATH_MAX + 8];
  char errbuf[512] = "";
  const char *slash = strrchr(file, '/');
  if (strncmp(ref, "file:", 5) == 0 && ref[5] != '/' && slash) {
    int n = snprintf(buf, sizeof(buf), "file:%.*s/%s", (int)(slash - file),
                     file, ref + 5);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
      set_error(t, "credentials: path too long");
      return ED_ERANGE;
    }
    ref = buf;
  }
  int rc = ed_credentials_resolve(ref, &t->creds, errbuf, sizeof(errbuf));
  if (rc != 0)
    set_error(t, "credentials: %s", errbuf);
  return rc;
}

/* The value of the target option the driver flags ED_OPT_ADDRESS (the
 * simulator's URL for a simulated target), or NULL: what reports and
 * inspections show as the target's address, whatever its driver. */
static const char *address_of(const ed_fleet_target_t *t) {
  if (t->url)
    return t->url;
  const ed_option_t *o =
      t->drv ? ed_options_address(t->drv->target_opts) : NULL;
  if (!o)
    return NULL;
  if (t->opts) {
    const char *v;
    memcpy(&v, (const char *)t->opts + o->offset, sizeof(v));
    return v;
  }
  return json_string_value(json_object_get(t->spec->opts, o->key));
}

json_t *ed_fleet_describe(const ed_fleet_target_t *t) {
  json_t *o = json_pack("{s:s,s:s,s:b,s:b}", "name", t->spec->name, "driver",
                        t->spec->driver, "simulated", t->sim != NULL,
                        "rehearsal", t->spec->rehearsal);
  json_t *url = json_object_get(t->spec->opts, "url");
  json_t *host = json_object_get(t->spec->opts, "host");
  if (t->url)
    json_object_set_new(o, "url", json_string(t->url));
  else if (json_is_string(url))
    json_object_set(o, "url", url);
  else if (json_is_string(host))
    json_object_set(o, "host", host);
  const char *address = address_of(t);
  if (address)
    json_object_set_new(o, "address", json_string(address));
  json_t *auth = json_object_get(t->spec->opts, "auth");
  if (json_is_string(auth))
    json_object_set(o, "auth", auth);
  /* Weakened verification is part of the evidence: the report shows it. */
  static const char *const weakened[] = {"insecure", "accept_unknown_host_key",
                                         "allow_cipher_0"};
  for (size_t i = 0; i < sizeof(weakened) / sizeof(weakened[0]); i++)
    if (json_is_true(json_object_get(t->spec->opts, weakened[i])))
      json_object_set_new(o, weakened[i], json_true());
  if (t->spec->credentials)
    json_object_set_new(o, "credentials", json_string(t->spec->credentials));
  if (t->spec->labels)
    json_object_set(o, "labels", t->spec->labels);
  return o;
}

static int open_target(ed_fleet_t *f, ed_fleet_target_t *t) {
  char errbuf[512] = "";
  int rc = ed_plugin_host_find(f->ph, t->spec->driver, &t->drv);
  if (rc != 0) {
    set_error(t, "driver \"%s\": %s", t->spec->driver,
              ed_plugin_host_last_error(f->ph));
    t->drv = NULL;
    return rc;
  }
  if (t->spec->sim)
    rc = start_sim(f, t);
  else if (t->spec->credentials)
    rc = resolve_credentials(t->spec->file ? t->spec->file : f->file, t);
  if (rc == 0)
    rc = fill_opts(t, f->file);
  if (rc != 0)
    return rc;
  ed_target_info_t info = {
      .name = t->spec->name,
      .user = t->creds.user,
      .secret = t->creds.secret,
      .opts = t->opts,
      .max_in_flight = t->max_in_flight,
  };
  rc = t->drv->target_open(&info, &t->state, errbuf, sizeof(errbuf));
  if (rc != 0) {
    set_error(t, "driver %s could not open the target: %s", t->drv->name,
              errbuf[0] ? errbuf : "no reason given");
    t->state = NULL;
    return ED_EPLUGIN;
  }
  t->opened = 1;
  return 0;
}

/* Descriptors the process keeps beside its targets': the standard
 * streams, libuv's own, the journal and the other results, files read. */
#define FDS_RESERVED 64
/* A target holds its connection at least, and a share of its driver's
 * handles (a curl multi, with its socket pair, opens 8 connections): a
 * quarter of a descriptor per target. A target served by the built-in
 * simulator holds the simulator's listening socket and its end of the
 * connection too. */
#define FDS_TARGET 1
#define FDS_SIM 2

/* Open files the fleet needs: at the least (one connection per target) and
 * with every target at its cap of requests in flight (one connection each). */
static void fds_need(const ed_fleet_t *f, unsigned long long *least,
                     unsigned long long *most) {
  *least = *most = FDS_RESERVED + (f->ntargets + 3) / 4;
  for (size_t i = 0; i < f->ntargets; i++) {
    const ed_fleet_target_t *t = &f->targets[i];
    int sim = t->spec->sim != NULL;
    unsigned long long extra = t->max_in_flight > 1 ? t->max_in_flight - 1 : 0;
    *least += FDS_TARGET + (sim ? FDS_SIM : 0);
    *most += FDS_TARGET + (sim ? FDS_SIM : 0) + extra * (sim ? 2 : 1);
  }
}

/* Raise the open-files limit to what the system allows (the hard limit, as
 * load tools do), then compare it with what the fleet needs: a fleet that
 * cannot even hold one connection per target is refused here, with the
 * figures, rather than failing target after target once the run is on; one
 * that fits only below its caps is said so. */
static int fds_check(ed_fleet_t *f, int keep_going) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
      getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY)
    return 0;
  unsigned long long least, most, have = rl.rlim_cur;
  fds_need(f, &least, &most);
  if (least > have) {
    ed_log(keep_going ? ED_LOG_LVL_WARN : ED_LOG_LVL_ERROR, f->file,
           "%zu targets need at least %llu open files (a connection each "
           "and the drivers' and simulators' own, %d for the process); the "
           "limit here is %llu, the system's hard limit: raise it (ulimit "
           "-Hn, limits.conf) or split the targets over several runs",
           f->ntargets, least, FDS_RESERVED, have);
    return keep_going ? 0 : ED_ERANGE;
  }
  if (most > have)
    ed_warn(f->file,
            "%zu targets at their caps of requests in flight need about %llu "
            "open files and the limit here is %llu: past some %llu "
            "connections at once, new ones will fail (too many open files)",
            f->ntargets, most, have, have - FDS_RESERVED);
  return 0;
}

int ed_fleet_open(ed_fleet_t *f, int keep_going) {
  int rc0 = fds_check(f, keep_going);
  if (rc0 != 0)
    return rc0;
  int first = 0;
  for (size_t i = 0; i < f->ntargets; i++) {
    int rc = open_target(f, &f->targets[i]);
    if (rc == 0)
      continue;
    if (!first)
      first = rc;
    if (!keep_going)
      break;
  }
  return first;
}

/* ---- start / stop: asynchronous, counted in f->pending ---------------- */

static void release(ed_fleet_t *f) {
  if (--f->pending == 0 && f->done) {
    ed_fleet_cb done = f->done;
    f->done = NULL;
    done(f, f->done_arg);
  }
}

/* What a driver's target_start said, kept in t. */
static void note_start(ed_fleet_target_t *t, int status, const char *detail) {
  if (status == 0) {
    t->started = 1;
    t->error[0] = '\0';
  } else {
    set_error(t, "could not start: %s", detail ? detail : "no reason given");
  }
}

static void started_cb(void *arg, int status, const char *detail) {
  ed_fleet_target_t *t = arg;
  note_start(t, status, detail);
  release(t->fleet);
}

void ed_fleet_start(ed_fleet_t *f, ed_fleet_cb done, void *arg) {
  f->done = done;
  f->done_arg = arg;
  f->pending = 1; /* held until every start is issued */
  for (size_t i = 0; i < f->ntargets; i++) {
    ed_fleet_target_t *t = &f->targets[i];
    if (!t->opened)
      continue;
    if (!t->drv->target_start) {
      t->started = 1;
      continue;
    }
    f->pending++;
    if (t->drv->target_start(t->state, started_cb, t) != 0)
      started_cb(t, ED_EPLUGIN, "the driver refused to start the target");
  }
  release(f);
}

static void stopped_cb(void *arg, int status, const char *detail) {
  ed_fleet_target_t *t = arg;
  if (status != 0)
    fprintf(stderr, "warning: %s: did not stop cleanly: %s\n", t->spec->name,
            detail ? detail : "no reason given");
  release(t->fleet);
}

void ed_fleet_stop(ed_fleet_t *f, ed_fleet_cb done, void *arg) {
  f->done = done;
  f->done_arg = arg;
  f->pending = 1;
  for (size_t i = 0; i < f->ntargets; i++) {
    ed_fleet_target_t *t = &f->targets[i];
    if (!t->started || !t->drv->target_stop || t->stopping)
      continue;
    t->stopping = 1;
    f->pending++;
    if (t->drv->target_stop(t->state, stopped_cb, t) != 0)
      stopped_cb(t, 0, NULL);
  }
  release(f);
}

static void restarted_cb(void *arg, int status, const char *detail) {
  ed_fleet_target_t *t = arg;
  note_start(t, status, detail);
  t->restart_cb(t, t->restart_arg);
}

void ed_fleet_restart(ed_fleet_target_t *t, ed_fleet_target_cb cb, void *arg) {
  t->restart_cb = cb;
  t->restart_arg = arg;
  if (!t->drv->target_start) {
    restarted_cb(t, 0, NULL);
    return;
  }
  if (t->drv->target_start(t->state, restarted_cb, t) != 0)
    restarted_cb(t, ED_EPLUGIN, "the driver refused to start the target");
}

/* ---- lookup, submit, close -------------------------------------------- */

ed_fleet_target_t *ed_fleet_find(ed_fleet_t *f, const char *name) {
  for (size_t i = 0; i < f->ntargets; i++)
    if (strcmp(f->targets[i].spec->name, name) == 0)
      return &f->targets[i];
  return NULL;
}

int ed_fleet_submit(ed_fleet_target_t *t, ed_request_t *req) {
  return ed_plugin_submit(t->fleet->ph, t->drv, t->state, req);
}

void ed_fleet_close(ed_fleet_t *f) {
  for (size_t i = 0; f->targets && i < f->ntargets; i++) {
    ed_fleet_target_t *t = &f->targets[i];
    if (t->state)
      t->drv->target_close(t->state);
    if (t->opts)
      ed_options_free(t->drv->target_opts, t->opts);
    free(t->opts);
    ed_credentials_close(&t->creds);
    if (t->sim)
      ed_sim_close(t->sim, NULL, NULL);
    free(t->url);
  }
  free(f->targets);
  f->targets = NULL;
  f->ntargets = 0;
}
