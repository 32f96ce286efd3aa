#include "actions.h"

#include "../core/base/error.h"
#include "bmc.h"
#include "reply.h"

#include <string.h>
#include <time.h>

static const char *action_name(int kind) {
  switch (kind) {
  case ED__ACT_SYSTEM_RESET:
    return "ComputerSystem.Reset";
  case ED__ACT_MANAGER_RESET:
    return "Manager.Reset";
  case ED__ACT_CLEAR_SEL:
    return "LogService.ClearLog";
  }
  return "this action";
}

static bool allowed(const json_t *allow, const char *value) {
  size_t i;
  json_t *v;
  json_array_foreach(allow, i, v) {
    const char *s = json_string_value(v);
    if (s != NULL && strcmp(s, value) == 0)
      return true;
  }
  return false;
}

/* The ResetType of the body: NULL with resp filled when the request is to
 * be refused. A missing ResetType is fine when dflt is given. */
static const char *reset_type(const ed__maction_t *a, json_t *body,
                              const char *dflt, ed__sim_response_t *resp,
                              int *rc) {
  json_t *v = json_object_get(body, "ResetType");
  const char *t = v ? json_string_value(v) : dflt;
  const char *act = action_name(a->kind);
  if (v == NULL && t == NULL) {
    *rc = ed__reply_fail(resp, 400, "ActionParameterMissing",
                         "The action %s requires the parameter ResetType to "
                         "be present in the request body.",
                         act);
    return NULL;
  }
  if (t == NULL || (a->allow != NULL && !allowed(a->allow, t))) {
    *rc = ed__reply_fail(resp, 400, "ActionParameterValueNotInList",
                         "The value %s for the parameter ResetType in the "
                         "action %s is not in the list of acceptable values.",
                         t ? t : "(not a string)", act);
    return NULL;
  }
  return t;
}

static int log_event(ed__service_t *s, uint32_t res, int event, int from,
                     int to) {
  if (s->m->sel_entries < 0)
    return 0; /* a mockup with neither manager nor system */
  ed__bmc_ext_t *e = ed__bmc_ext(s);
  /* Stamped by the BMC's own clock, as a real one does. */
  return e ? ed__sel_add(&e->sel, res, event, from, to,
                         (time_t)(ed__bmc_wall_ms(s) / 1000))
           : ED_ENOMEM;
}

static int system_reset(ed__service_t *s, const ed__maction_t *a, json_t *body,
                        int64_t now_ms, ed__sim_response_t *resp) {
  int rc = 0;
  const char *t = reset_type(a, body, NULL, resp, &rc);
  if (t == NULL)
    return rc;
  int r = ed__power_reset_parse(t);
  if (r < 0)
    return ed__reply_fail(resp, 400, "ActionParameterValueNotInList",
                          "The value %s for the parameter ResetType is not "
                          "supported by this simulator.",
                          t);
  size_t k = (size_t)s->m->res[a->res].sys;
  ed__power_t *p = ed__bmc_power(s, k);
  if (p == NULL)
    return ED_ENOMEM;
  ed__power_timing_t tm = ed__bmc_timing(s);
  ed__pwr_state_t before = ed__power_state(p, &tm, now_ms);
  ed__power_reset(p, &tm, (ed__reset_t)r, now_ms);
  if ((rc = log_event(s, a->res, r, before, ed__power_final_state(p))) < 0)
    return rc;
  resp->status = 204;
  return 0;
}

static int manager_reset(ed__service_t *s, const ed__maction_t *a, json_t *body,
                         ed__sim_response_t *resp) {
  int rc = 0;
  if (reset_type(a, body, "GracefulRestart", resp, &rc) == NULL)
    return rc;
  if ((rc = log_event(s, a->res, ED__SEL_BMC_RESET, 0, 0)) < 0)
    return rc;
  resp->status = 204;
  resp->go_down_ms = s->cfg.bmc_reset_ms;
  return 0;
}

int ed__actions_post(ed__service_t *s, const ed__maction_t *a,
                     const ed__sim_request_t *req, int64_t now_ms,
                     ed__sim_response_t *resp) {
  /* An empty body is an empty object: Manager.Reset needs no parameter. */
  json_t *body = req->body_len ? json_loadb(req->body, req->body_len, 0, NULL)
                               : json_object();
  int rc;
  if (!json_is_object(body)) {
    rc = ed__reply_fail(resp, 400, "MalformedJSON",
                        "The request body submitted was malformed JSON and "
                        "could not be parsed by the receiving service.");
  } else if (a->kind == ED__ACT_SYSTEM_RESET) {
    rc = system_reset(s, a, body, now_ms, resp);
  } else if (a->kind == ED__ACT_MANAGER_RESET) {
    rc = manager_reset(s, a, body, resp);
  } else if (a->kind == ED__ACT_CLEAR_SEL) {
    ed__bmc_ext_t *e = ed__bmc_ext(s);
    if (e != NULL)
      ed__sel_clear(&e->sel);
    resp->status = 204;
    rc = e ? 0 : ED_ENOMEM;
  } else {
    rc = ed__reply_fail(resp, 400, "ActionNotSupported",
                        "The action %s is not supported by the resource.",
                        a->target);
  }
  json_decref(body);
  return rc;
}
