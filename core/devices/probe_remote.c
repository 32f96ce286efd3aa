/* probe: a probe on a target another process owns (a shard of a drill),
 * and one another process sends here (probe.h). The request carries the
 * operation's name and its argument with ${variables} substituted by the
 * sender; the outcome goes back as JSON, its error class by name. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "probe_internal.h"

json_t *ed_probe_outcome_json(const ed_probe_outcome_t *o) {
  return json_pack("{s:s,s:i,s:s?,s:s?,s:f,s:b,s:b}", "err",
                   ed_errclass_string(o->err), "code", o->code, "value",
                   o->value, "detail", o->detail, "latency_ms", o->latency_ms,
                   "refused", o->refused, "unprovable", o->unprovable);
}

static char *string_of(const json_t *o, const char *key) {
  const char *v = json_string_value(json_object_get(o, key));
  return v ? strdup(v) : NULL;
}

static ed_errclass_t errclass_of(const char *name) {
  for (int e = 0; name && e < ED_ERRCLASS_COUNT; e++)
    if (strcmp(ed_errclass_string((ed_errclass_t)e), name) == 0)
      return (ed_errclass_t)e;
  return ED_ERRCLASS_OTHER;
}

static void on_remote(void *ctx, const json_t *outcome, const char *why) {
  probe_t *p = ctx;
  if (!outcome) {
    char detail[512];
    snprintf(detail, sizeof(detail), "not run by the shard that owns it: %s",
             why ? why : "no reason given");
    ed__probe_fail(p, ED_ERRCLASS_OTHER, detail, 0);
    return;
  }
  p->out.err = errclass_of(json_string_value(json_object_get(outcome, "err")));
  p->out.code = (int)json_integer_value(json_object_get(outcome, "code"));
  p->out.value = string_of(outcome, "value");
  p->out.detail = string_of(outcome, "detail");
  p->out.latency_ms = json_number_value(json_object_get(outcome, "latency_ms"));
  p->out.refused = json_is_true(json_object_get(outcome, "refused"));
  p->out.unprovable = json_is_true(json_object_get(outcome, "unprovable"));
  ed__probe_finish(p);
}

/* The rule verify mode rests on, applied here too before anything is
 * sent: the owner applies it again. */
static int refused_here(ed_probe_host_t *h, const char *kind,
                        const ed_action_t *a, const char *target,
                        const ed_opspec_t *op, char *buf, size_t len) {
  if (!h->read_only || strcmp(kind, "proof") == 0)
    return 0;
  if (a && a->sim) {
    snprintf(buf, len,
             "refused in verify mode: a simulator fault changes device state");
    return 1;
  }
  const ed_driver_t *drv = ed__probe_driver_of(h, target);
  const ed_op_desc_t *d = drv ? ed_plugin_host_op(drv, op->name) : NULL;
  if (!d || !(d->flags & ED_OP_DESTRUCTIVE))
    return 0;
  snprintf(buf, len,
           "refused in verify mode: operation \"%s\" of driver %s changes "
           "device state",
           op->name, drv->name);
  return 1;
}

int ed__probe_remote(ed_probe_host_t *h, const char *kind, const ed_action_t *a,
                     const char *target, const ed_opspec_t *op,
                     int64_t timeout_ms, ed_probe_cb cb, void *arg) {
  probe_t *p = ed__probe_new(h, cb, arg);
  if (!p)
    return ED_ENOMEM;
  char why[512];
  if (refused_here(h, kind, a, target, op, why, sizeof(why))) {
    ed__probe_fail(p, ED_ERRCLASS_OTHER, why, 1);
    return 0;
  }
  json_t *req = json_pack("{s:s,s:s,s:I}", "probe", kind, "target", target,
                          "timeout_ms", (json_int_t)timeout_ms);
  if (a && a->sim) {
    json_object_set(req, "sim", a->sim);
  } else {
    json_object_set_new(req, "op", json_string(op->name));
    json_object_set_new(req, "arg", ed__probe_substitute(op->arg, h->vars));
    json_object_set_new(req, "path", json_string(op->path ? op->path : ""));
  }
  if (h->remote->send(h->remote->arg, target, req, on_remote, p) != 0)
    ed__probe_fail(p, ED_ERRCLASS_OTHER, "no such target", 0);
  return 0;
}

int ed_probe_serve(ed_probe_host_t *h, const json_t *req, ed_probe_cb cb,
                   void *arg) {
  const char *kind = json_string_value(json_object_get(req, "probe"));
  json_int_t timeout_ms =
      json_integer_value(json_object_get(req, "timeout_ms"));
  ed_action_t a = {
      .target = (char *)json_string_value(json_object_get(req, "target")),
      .op = {.name = (char *)json_string_value(json_object_get(req, "op")),
             .arg = json_object_get(req, "arg"),
             .path = (char *)json_string_value(json_object_get(req, "path"))},
      .sim = json_object_get(req, "sim"),
  };
  if (!a.target || !ed_probe_target(h, a.target) || !kind ||
      (!a.sim && !a.op.name) || timeout_ms < 0 || timeout_ms > 3600000) {
    probe_t *p = ed__probe_new(h, cb, arg);
    if (!p)
      return ED_ENOMEM;
    ed__probe_fail(p, ED_ERRCLASS_OTHER,
                   a.target && !ed_probe_target(h, a.target)
                       ? "the target is not one of this shard's"
                       : "a probe this shard does not understand",
                   0);
    return 0;
  }
  if (strcmp(kind, "proof") == 0)
    return ed__probe_check_action(h, &a, timeout_ms, cb, arg, 1);
  if (strcmp(kind, "action") == 0)
    return ed__probe_run_action(h, &a, timeout_ms, cb, arg, 1);
  return ed__probe_run_op(h, a.target, &a.op, timeout_ms, cb, arg, 1);
}
