#include "probe_internal.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "error.h"
#include "log.h"
#include "options.h"

void ed_probe_outcome_close(ed_probe_outcome_t *o) {
  free(o->value);
  free(o->detail);
  o->value = o->detail = NULL;
}

int ed_probe_host_init(ed_probe_host_t *h, uv_loop_t *loop,
                       ed_plugin_host_t *ph, ed_probe_target_t *targets,
                       size_t ntargets, int read_only, const char *file) {
  memset(h, 0, sizeof(*h));
  h->loop = loop;
  h->ph = ph;
  h->targets = targets;
  h->ntargets = ntargets;
  h->read_only = read_only;
  h->file = file;
  h->vars = json_object();
  return h->vars ? 0 : ED_ENOMEM;
}

void ed_probe_host_close(ed_probe_host_t *h) {
  json_decref(h->vars);
  h->vars = NULL;
}

ed_probe_target_t *ed_probe_target(ed_probe_host_t *h, const char *name) {
  for (size_t i = 0; i < h->ntargets; i++)
    if (strcmp(h->targets[i].spec->name, name) == 0)
      return &h->targets[i];
  return NULL;
}

static void on_closed(uv_handle_t *handle) {
  probe_t *p = handle->data;
  ed_probe_outcome_close(&p->out);
  free(p);
}

/* Deliver the outcome, then free what the probe prepared. The probe counts
 * as in flight until its prepared operation is freed: the callback may end
 * the drill, and the runner closes the targets (whose driver state op_free
 * uses) only once no probe is in flight. */
static void deliver(uv_timer_t *t) {
  probe_t *p = t->data;
  p->cb(p->arg, &p->out);
  if (p->prepared)
    p->target->drv->op_free(p->target->state, p->prepared);
  if (p->desc)
    ed_options_free(p->desc->args, p->args);
  free(p->args);
  p->host->in_flight--;
  uv_close((uv_handle_t *)&p->later, on_closed);
}

void ed__probe_finish(probe_t *p) {
  uv_timer_start(&p->later, deliver, 0, 0);
}

void ed__probe_fail(probe_t *p, ed_errclass_t err, const char *detail,
                    int refused) {
  p->out.err = err;
  p->out.detail = strdup(detail);
  p->out.refused = refused;
  ed__probe_finish(p);
}

probe_t *ed__probe_new(ed_probe_host_t *h, ed_probe_cb cb, void *arg) {
  probe_t *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->host = h;
  p->cb = cb;
  p->arg = arg;
  uv_timer_init(h->loop, &p->later);
  p->later.data = p;
  h->in_flight++;
  return p;
}

static void on_done(ed_request_t *req, const ed_result_t *res) {
  probe_t *p = req->core_data;
  p->out.err = res->err;
  p->out.code = res->code;
  p->out.latency_ms = (double)(uv_hrtime() - req->sent_ns) / 1e6;
  if (res->value)
    p->out.value = strndup(res->value, res->value_len);
  if (res->detail)
    p->out.detail = strdup(res->detail);
  ed__probe_finish(p);
}

/* ${name} in a string is replaced with the variable's text. */
json_t *ed__probe_substitute(const json_t *v, const json_t *vars) {
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    if (!strstr(s, "${"))
      return json_deep_copy(v);
    char out[4096];
    size_t n = 0;
    while (*s && n < sizeof(out) - 1) {
      const char *end;
      if (s[0] == '$' && s[1] == '{' && (end = strchr(s + 2, '}'))) {
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(end - s - 2), s + 2);
        json_t *val = json_object_get(vars, name);
        const char *text = json_is_string(val) ? json_string_value(val) : "";
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", text);
        if (n >= sizeof(out))
          n = sizeof(out) - 1;
        s = end + 1;
        continue;
      }
      out[n++] = *s++;
    }
    out[n] = '\0';
    return json_string(out);
  }
  if (json_is_object(v)) {
    json_t *o = json_object();
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
        json_object_set_new(o, k, ed__probe_substitute(x, vars));
    return o;
  }
  if (json_is_array(v)) {
    json_t *a = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
        json_array_append_new(a, ed__probe_substitute(x, vars));
    return a;
  }
  return v ? json_deep_copy(v) : NULL;
}

static int prepare(probe_t *p, const ed_opspec_t *op, char *errbuf,
                   size_t errlen) {
  ed_probe_target_t *t = p->target;
  json_t *arg = p->verbatim ? json_incref(op->arg)
                            : ed__probe_substitute(op->arg, p->host->vars);
  p->args = calloc(1, p->desc->args_size + 1);
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = p->args ? ed_options_fill_op(p->desc, arg, p->args, op->path, &diag)
                   : ED_ENOMEM;
  if (rc != 0 && diag.count)
    snprintf(errbuf, errlen, "%s: %s", diag.entries[0].path,
             diag.entries[0].message);
  ed_diag_close(&diag);
  json_decref(arg);
  if (rc != 0)
    return rc;
  rc = t->drv->op_prepare(t->state, p->desc, p->args, &p->prepared, errbuf,
                          errlen);
  if (rc != 0)
    p->prepared = NULL;
  return rc;
}

/* The target and the operation's descriptor of p; 0, or -1 after failing
 * p with the reason. */
static int find_op(probe_t *p, const char *target, const char *name) {
  p->target = ed_probe_target(p->host, target);
  if (!p->target) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, "no such target", 0);
    return -1;
  }
  p->desc = ed_plugin_host_op(p->target->drv, name);
  if (!p->desc) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, "the driver has no such operation", 0);
    return -1;
  }
  return 0;
}

static void start_request(probe_t *p, int64_t timeout_ms) {
  p->req.op = p->prepared;
  p->req.intended_ns = p->req.sent_ns = uv_hrtime();
  p->req.timeout_ms = timeout_ms;
  p->req.done = on_done;
  p->req.core_data = p;
}

int ed__probe_check_action(ed_probe_host_t *h, const ed_action_t *a,
                           int64_t timeout_ms, ed_probe_cb cb, void *arg,
                           int verbatim) {
  if (!verbatim && h->remote && !ed_probe_target(h, a->target))
    return ed__probe_remote(h, "proof", a, a->target, &a->op, timeout_ms, cb,
                            arg);
  probe_t *p = ed__probe_new(h, cb, arg);
  if (!p)
    return ED_ENOMEM;
  p->verbatim = verbatim;
  char errbuf[512];
  if (a->sim) {
    p->out.unprovable = 1;
    ed__probe_fail(p, ED_ERRCLASS_OTHER,
                   "a change of the built-in simulator: nothing to prove", 0);
    return 0;
  }
  if (find_op(p, a->target, a->op.name) != 0)
    return 0;
  if (!ed_plugin_can_check(p->target->drv)) {
    snprintf(errbuf, sizeof(errbuf),
             "driver %s (ABI version %u) cannot prove an operation without "
             "running it",
             p->target->drv->name, (unsigned)p->target->drv->abi_version);
    p->out.unprovable = 1;
    ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 0);
    return 0;
  }
  if (prepare(p, &a->op, errbuf, sizeof(errbuf)) != 0) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 0);
    return 0;
  }
  start_request(p, timeout_ms);
  if (ed_plugin_check(h->ph, p->target->drv, p->target->state, &p->req) != 0)
    ed__probe_fail(p, ED_ERRCLASS_OTHER, "the driver could not start the proof",
                   0);
  return 0;
}

int ed_probe_check_action(ed_probe_host_t *h, const ed_action_t *a,
                          int64_t timeout_ms, ed_probe_cb cb, void *arg) {
  return ed__probe_check_action(h, a, timeout_ms, cb, arg, 0);
}

int ed__probe_run_op(ed_probe_host_t *h, const char *target,
                     const ed_opspec_t *op, int64_t timeout_ms, ed_probe_cb cb,
                     void *arg, int verbatim) {
  if (!verbatim && h->remote && !ed_probe_target(h, target))
    return ed__probe_remote(h, "op", NULL, target, op, timeout_ms, cb, arg);
  probe_t *p = ed__probe_new(h, cb, arg);
  if (!p)
    return ED_ENOMEM;
  p->verbatim = verbatim;
  char errbuf[512];
  if (find_op(p, target, op->name) != 0)
    return 0;
  /* The rule verify mode rests on: what the driver says changes state is
   * never sent, whatever the scenario says. */
  if (h->read_only && (p->desc->flags & ED_OP_DESTRUCTIVE)) {
    snprintf(errbuf, sizeof(errbuf),
             "refused in verify mode: operation \"%s\" of driver %s changes "
             "device state",
             op->name, p->target->drv->name);
    ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 1);
    return 0;
  }
  if (prepare(p, op, errbuf, sizeof(errbuf)) != 0) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 0);
    return 0;
  }
  start_request(p, timeout_ms);
  if (ed_plugin_submit(h->ph, p->target->drv, p->target->state, &p->req) != 0)
    ed__probe_fail(p, ED_ERRCLASS_OTHER,
                   "the driver could not start the request", 0);
  return 0;
}

int ed_probe_run_op(ed_probe_host_t *h, const char *target,
                    const ed_opspec_t *op, int64_t timeout_ms, ed_probe_cb cb,
                    void *arg) {
  return ed__probe_run_op(h, target, op, timeout_ms, cb, arg, 0);
}

/* {"down": "10s"} / {"up": true} / knobs → a control command of BMC 0. */
static json_t *sim_command(const json_t *sim) {
  json_t *cmd = json_deep_copy(sim);
  json_t *down = json_object_get(cmd, "down");
  if (down) {
    json_t *c = json_pack("{s:s,s:i,s:O}", "op", "down", "bmc", 0, "for", down);
    json_decref(cmd);
    return c;
  }
  if (json_object_get(cmd, "up")) {
    json_decref(cmd);
    return json_pack("{s:s,s:i}", "op", "up", "bmc", 0);
  }
  json_object_set_new(cmd, "op", json_string("knobs"));
  json_object_set_new(cmd, "bmc", json_integer(0));
  return cmd;
}

static int run_sim(ed_probe_host_t *h, const ed_action_t *a, ed_probe_cb cb,
                   void *arg) {
  probe_t *p = ed__probe_new(h, cb, arg);
  if (!p)
    return ED_ENOMEM;
  p->target = ed_probe_target(h, a->target);
  if (h->read_only) {
    ed__probe_fail(
        p, ED_ERRCLASS_OTHER,
        "refused in verify mode: a simulator fault changes device state", 1);
    return 0;
  }
  if (!p->target || !p->target->sim) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER,
                   "the target is not a built-in simulator", 0);
    return 0;
  }
  char errbuf[512] = "";
  json_t *cmd = sim_command(a->sim);
  int rc = ed_sim_control(p->target->sim, cmd, errbuf, sizeof(errbuf));
  json_decref(cmd);
  if (rc != 0) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 0);
    return 0;
  }
  /* A clear undoes every simulator fault, an outage ("down") included:
   * knobs alone would leave the BMC refusing connections. */
  if (json_is_true(json_object_get(a->sim, "clear"))) {
    json_t *up = json_pack("{s:s,s:i}", "op", "up", "bmc", 0);
    rc = ed_sim_control(p->target->sim, up, errbuf, sizeof(errbuf));
    json_decref(up);
    if (rc != 0) {
      ed__probe_fail(p, ED_ERRCLASS_OTHER, errbuf, 0);
      return 0;
    }
  }
  p->out.err = ED_ERRCLASS_NONE;
  ed__probe_finish(p);
  return 0;
}

int ed__probe_run_action(ed_probe_host_t *h, const ed_action_t *a,
                         int64_t timeout_ms, ed_probe_cb cb, void *arg,
                         int verbatim) {
  if (!verbatim && h->remote && !ed_probe_target(h, a->target))
    return ed__probe_remote(h, "action", a, a->target, &a->op, timeout_ms, cb,
                            arg);
  if (a->sim)
    return run_sim(h, a, cb, arg);
  return ed__probe_run_op(h, a->target, &a->op, timeout_ms, cb, arg, verbatim);
}

int ed_probe_run_action(ed_probe_host_t *h, const ed_action_t *a,
                        int64_t timeout_ms, ed_probe_cb cb, void *arg) {
  return ed__probe_run_action(h, a, timeout_ms, cb, arg, 0);
}

/* The driver of a target: this host's, or the one its owner runs. */
const ed_driver_t *ed__probe_driver_of(ed_probe_host_t *h, const char *target) {
  ed_probe_target_t *t = ed_probe_target(h, target);
  if (t)
    return t->drv;
  return h->remote && h->remote->driver
             ? h->remote->driver(h->remote->arg, target)
             : NULL;
}

int ed_probe_action_flags(ed_probe_host_t *h, const ed_action_t *a) {
  if (a->sim)
    return ED_OP_DESTRUCTIVE;
  const ed_driver_t *drv = ed__probe_driver_of(h, a->target);
  const ed_op_desc_t *d = drv ? ed_plugin_host_op(drv, a->op.name) : NULL;
  return d ? (int)d->flags : -1;
}

void ed_probe_describe(const ed_action_t *a, char *buf, size_t len) {
  json_t *what = a->sim ? a->sim : a->op.arg;
  char *text = what ? json_dumps(what, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  snprintf(buf, len, "%s %s on %s", a->sim ? "sim" : a->op.name,
           text ? text : "", a->target);
  free(text);
}
