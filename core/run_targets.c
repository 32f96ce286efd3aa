/* Targets at run time: the built-in simulator, credentials, drivers'
 * options, and each target's open / start / stop / close. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "error.h"
#include "log.h"
#include "options.h"
#include "run_internal.h"

/* The account of a built-in simulator: a fresh password each run, known only
 * to this process. */
#define SIM_USER "eventdrill"

/* Start one built-in simulated BMC for target t on an ephemeral loopback
 * port, with the knobs of the target's "sim" object. */
static int start_sim(ed__runner_t *r, ed__rtarget_t *t) {
  char password[33];
  char errbuf[512];
  if (ed_credentials_random(password, sizeof(password)) != 0) {
    ed_error(t->spec->name, "cannot draw a random password");
    return ED_EIO;
  }
  json_t *cfg = json_deep_copy(t->spec->sim->config);
  json_object_set_new(cfg, "bmcs", json_integer(1));
  json_object_set_new(cfg, "listen",
                      json_pack("{s:s,s:s,s:i}", "mode", "ports", "address",
                                "127.0.0.1", "port", 0));
  json_object_set_new(cfg, "user", json_string(SIM_USER));
  json_object_set_new(cfg, "password", json_string(password));
  if (r->sc->has_seed && !json_object_get(cfg, "seed"))
    json_object_set_new(cfg, "seed", json_integer((json_int_t)r->sc->seed));
  char origin[512];
  snprintf(origin, sizeof(origin), "%s: %s.sim", r->sc->file, t->spec->path);
  int rc =
      ed_sim_create(&r->loop, cfg, origin, &t->sim, errbuf, sizeof(errbuf));
  json_object_set_new(cfg, "password", json_string(""));
  json_decref(cfg);
  if (rc == 0)
    rc = ed_sim_start(t->sim, errbuf, sizeof(errbuf));
  if (rc != 0) {
    ed_error(t->spec->name, "the built-in simulator did not start: %s", errbuf);
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

/* The driver options of t: the scenario's, plus the simulator's URL. */
static int fill_opts(ed__rtarget_t *t, const char *file) {
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
  if (rc != 0)
    ed_diag_print(&diag, stderr);
  ed_diag_close(&diag);
  json_decref(obj);
  return rc;
}

/* Requests a target may have in flight: the sum of its workloads' caps. */
static int target_cap(const ed_scenario_t *s, const ed_target_t *t) {
  int cap = 0;
  for (size_t w = 0; w < s->nworkloads; w++)
    for (size_t i = 0; i < s->workloads[w].ntargets; i++)
      if (strcmp(s->workloads[w].targets[i], t->name) == 0)
        cap += ed_workload_cap(&s->workloads[w], t);
  return cap > 0 ? cap : 1;
}

/* A "file:" reference is relative to the scenario's folder, so a scenario
 * and its credentials file can move together. */
static int resolve_credentials(const ed_scenario_t *s, const ed_target_t *t,
                               ed_credentials_t *out, char *errbuf,
                               size_t errlen) {
  const char *ref = t->credentials;
  char buf[PATH_MAX + 8];
  const char *slash = strrchr(s->file, '/');
  if (strncmp(ref, "file:", 5) == 0 && ref[5] != '/' && slash) {
    int n = snprintf(buf, sizeof(buf), "file:%.*s/%s", (int)(slash - s->file),
                     s->file, ref + 5);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
      snprintf(errbuf, errlen, "credentials path too long");
      return ED_ERANGE;
    }
    ref = buf;
  }
  return ed_credentials_resolve(ref, out, errbuf, errlen);
}

static json_t *describe_target(const ed__rtarget_t *t) {
  json_t *o = json_pack("{s:s,s:s,s:b,s:b}", "name", t->spec->name, "driver",
                        t->spec->driver, "simulated", t->sim != NULL,
                        "rehearsal", t->spec->rehearsal);
  json_t *url = json_object_get(t->spec->opts, "url");
  if (t->url)
    json_object_set_new(o, "url", json_string(t->url));
  else if (json_is_string(url))
    json_object_set(o, "url", url);
  /* Weakened verification is part of the evidence: the report shows it. */
  static const char *const weakened[] = {"insecure", "accept_unknown_host_key",
                                         "allow_cipher_0"};
  for (size_t i = 0; i < sizeof(weakened) / sizeof(weakened[0]); i++)
    if (json_is_true(json_object_get(t->spec->opts, weakened[i])))
      json_object_set_new(o, weakened[i], json_true());
  if (t->spec->credentials)
    json_object_set_new(o, "credentials", json_string(t->spec->credentials));
  return o;
}

static int open_target(ed__runner_t *r, ed__rtarget_t *t) {
  char errbuf[512] = "";
  int rc = ed_plugin_host_find(r->ph, t->spec->driver, &t->drv);
  if (rc != 0) {
    ed_error(t->spec->name, "driver \"%s\": %s", t->spec->driver,
             ed_plugin_host_last_error(r->ph));
    return rc;
  }
  if (t->spec->sim)
    rc = start_sim(r, t);
  else if (t->spec->credentials) {
    rc = resolve_credentials(r->sc, t->spec, &t->creds, errbuf, sizeof(errbuf));
    if (rc != 0)
      ed_error(t->spec->name, "credentials: %s", errbuf);
  }
  if (rc == 0)
    rc = fill_opts(t, r->sc->file);
  if (rc != 0)
    return rc;
  ed_target_info_t info = {
      .name = t->spec->name,
      .user = t->creds.user,
      .secret = t->creds.secret,
      .opts = t->opts,
      .max_in_flight = target_cap(r->sc, t->spec),
  };
  rc = t->drv->target_open(&info, &t->state, errbuf, sizeof(errbuf));
  if (rc != 0) {
    ed_error(t->spec->name, "driver %s could not open the target: %s",
             t->drv->name, errbuf[0] ? errbuf : "no reason given");
    t->state = NULL;
    return ED_EPLUGIN;
  }
  return 0;
}

int ed__run_open_targets(ed__runner_t *r) {
  r->targets = calloc(r->sc->ntargets + 1, sizeof(*r->targets));
  r->target_desc = json_array();
  if (!r->targets || !r->target_desc)
    return ED_ENOMEM;
  for (size_t i = 0; i < r->sc->ntargets; i++) {
    ed__rtarget_t *t = &r->targets[i];
    t->spec = &r->sc->targets[i];
    t->runner = r;
    int rc = open_target(r, t);
    if (rc != 0)
      return rc;
    json_array_append_new(r->target_desc, describe_target(t));
  }
  return 0;
}

/* ---- start / stop: asynchronous, counted in r->pending ---------------- */

static void (*on_all_started)(ed__runner_t *);
static void (*on_all_stopped)(ed__runner_t *);

static void started_cb(void *arg, int status, const char *detail) {
  ed__rtarget_t *t = arg;
  ed__runner_t *r = t->runner;
  if (status == 0) {
    t->started = 1;
  } else {
    r->start_failed = 1;
    ed_error(t->spec->name, "could not start: %s",
             detail ? detail : "no reason given");
    ed__run_journal_event(r, "error",
                          json_pack("{s:s,s:s}", "target", t->spec->name,
                                    "message",
                                    detail ? detail : "target start failed"));
  }
  if (--r->pending == 0)
    on_all_started(r);
}

void ed__run_start_targets(ed__runner_t *r,
                           void (*all_started)(ed__runner_t *)) {
  on_all_started = all_started;
  r->pending = 1; /* held until every start is issued */
  for (size_t i = 0; i < r->sc->ntargets; i++) {
    ed__rtarget_t *t = &r->targets[i];
    if (!t->drv->target_start) {
      t->started = 1;
      continue;
    }
    r->pending++;
    if (t->drv->target_start(t->state, started_cb, t) != 0)
      started_cb(t, ED_EPLUGIN, "the driver refused to start the target");
  }
  if (--r->pending == 0)
    on_all_started(r);
}

static void stopped_cb(void *arg, int status, const char *detail) {
  ed__rtarget_t *t = arg;
  ed__runner_t *r = t->runner;
  if (status != 0)
    ed_warn(t->spec->name, "did not stop cleanly: %s",
            detail ? detail : "no reason given");
  if (--r->pending == 0)
    on_all_stopped(r);
}

void ed__run_stop_targets(ed__runner_t *r,
                          void (*all_stopped)(ed__runner_t *)) {
  on_all_stopped = all_stopped;
  r->pending = 1;
  for (size_t i = 0; i < r->sc->ntargets; i++) {
    ed__rtarget_t *t = &r->targets[i];
    if (!t->started || !t->drv->target_stop || t->stopping)
      continue;
    t->stopping = 1;
    r->pending++;
    if (t->drv->target_stop(t->state, stopped_cb, t) != 0)
      stopped_cb(t, 0, NULL);
  }
  if (--r->pending == 0)
    on_all_stopped(r);
}

/* ---- operations -------------------------------------------------------- */

static ed__rtarget_t *find_rtarget(ed__runner_t *r, const char *name) {
  for (size_t i = 0; i < r->sc->ntargets; i++)
    if (strcmp(r->targets[i].spec->name, name) == 0)
      return &r->targets[i];
  return NULL;
}

static int prepare_stream(ed__runner_t *r, const ed_workload_t *w,
                          ed__rstream_t *st) {
  char errbuf[512] = "";
  const ed_driver_t *drv = st->target->drv;
  st->op = ed_plugin_host_op(drv, w->op.name);
  if (!st->op) {
    ed_error(w->name, "driver %s has no operation \"%s\"", drv->name,
             w->op.name);
    return ED_EINVAL;
  }
  if ((st->op->flags & ED_OP_DESTRUCTIVE) && !st->target->spec->rehearsal) {
    ed_error(w->name,
             "operation \"%s\" changes device state and target %s is not a "
             "rehearsal target (\"rehearsal\": true): refused",
             w->op.name, st->target->spec->name);
    return ED_EPERM;
  }
  st->args = calloc(1, st->op->args_size + 1);
  if (!st->args)
    return ED_ENOMEM;
  ed_diag_t diag;
  ed_diag_init(&diag);
  diag.file = r->sc->file;
  char path[256];
  snprintf(path, sizeof(path), "%s.%s", w->op.path, w->op.name);
  int rc = ed_options_fill_op(st->op, w->op.arg, st->args, path, &diag);
  if (rc != 0)
    ed_diag_print(&diag, stderr);
  ed_diag_close(&diag);
  if (rc != 0)
    return rc;
  rc = drv->op_prepare(st->target->state, st->op, st->args, &st->prepared,
                       errbuf, sizeof(errbuf));
  if (rc != 0) {
    ed_error(w->name, "target %s: cannot prepare \"%s\": %s",
             st->target->spec->name, w->op.name, errbuf);
    st->prepared = NULL;
    return ED_EPLUGIN;
  }
  return 0;
}

int ed__run_prepare_streams(ed__runner_t *r) {
  size_t n = 0;
  for (size_t w = 0; w < r->sc->nworkloads; w++)
    n += r->sc->workloads[w].ntargets;
  r->streams = calloc(n + 1, sizeof(*r->streams));
  if (!r->streams)
    return ED_ENOMEM;
  for (size_t w = 0; w < r->sc->nworkloads; w++) {
    const ed_workload_t *wl = &r->sc->workloads[w];
    for (size_t i = 0; i < wl->ntargets; i++) {
      ed__rstream_t *st = &r->streams[r->nstreams++];
      st->target = find_rtarget(r, wl->targets[i]);
      int rc = prepare_stream(r, wl, st);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

int ed__run_submit(void *ctx, ed_request_t *req) {
  ed__rstream_t *st = ctx;
  ed__runner_t *r = st->target->runner;
  return ed_plugin_submit(r->ph, st->target->drv, st->target->state, req);
}

/* ---- close ------------------------------------------------------------- */

void ed__run_close_targets(ed__runner_t *r) {
  for (size_t i = 0; i < r->nstreams; i++) {
    ed__rstream_t *st = &r->streams[i];
    if (st->prepared)
      st->target->drv->op_free(st->target->state, st->prepared);
    if (st->op)
      ed_options_free(st->op->args, st->args);
    free(st->args);
  }
  free(r->streams);
  r->streams = NULL;
  for (size_t i = 0; r->targets && i < r->sc->ntargets; i++) {
    ed__rtarget_t *t = &r->targets[i];
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
  free(r->targets);
  r->targets = NULL;
}
