/*
 * ipmi: chassis power, sensors, SEL and device id over IPMI 2.0 (RMCP+
 * "lanplus") with FreeIPMI's C library. A blocking driver: FreeIPMI's calls
 * block, so the core runs submit_blocking on libuv's thread pool; each
 * target keeps a bounded pool of sessions (session.c). See docs/ipmi.md.
 *
 *   "bmc": { "driver": "ipmi", "host": "127.0.0.1:9623",
 *            "credentials": "env:BMC_CREDS", "workarounds": ["opensesspriv"] }
 *   "op": { "power_status": {} }        "op": { "sensors": "CPU1 Temp" }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi.h"

static const ed_host_t *g_host;

void ed__ipmi_log(int level, const ed__ipmi_target_t *t, const char *fmt, ...) {
  if (!g_host || !g_host->log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  g_host->log(level, t ? t->name : "ipmi", "%s", line);
}

#define TOPT(f) offsetof(ed__ipmi_topts_t, f)
static const ed_option_t target_opts[] = {
    {ED_OPT_STRING, "host", NULL, TOPT(host), ED_OPT_REQUIRED | ED_OPT_ADDRESS,
     "BMC address, with the UDP port after a colon when it is not 623: "
     "\"127.0.0.1\", \"127.0.0.1:9623\" (FreeIPMI's form; no brackets)",
     0, 0},
    {ED_OPT_STRING, "privilege", "\"admin\"", TOPT(privilege), 0,
     "session privilege level: user, operator or admin (power needs "
     "operator)",
     0, 0},
    {ED_OPT_INT, "cipher_suite", "3", TOPT(cipher), 0,
     "RMCP+ cipher suite id; 0 (no authentication) is refused unless "
     "allow_cipher_0",
     0, 255},
    {ED_OPT_BOOL, "allow_cipher_0", "false", TOPT(allow_cipher_0), 0,
     "accept cipher suite 0, which sends commands unauthenticated", 0, 0},
    {ED_OPT_DURATION, "session_timeout", "\"10s\"", TOPT(session_timeout_ms), 0,
     "how long FreeIPMI waits for the BMC before giving up", 100, 3600000},
    {ED_OPT_DURATION, "retransmission_timeout", "\"1s\"",
     TOPT(retransmission_timeout_ms), 0,
     "resend a packet after this long without an answer", 10, 600000},
    {ED_OPT_JSON, "workarounds", "[]", TOPT(workarounds), 0,
     "FreeIPMI IPMI 2.0 workarounds by name, e.g. [\"opensesspriv\"] for "
     "OpenIPMI's ipmi_sim",
     0, 0},
    {ED_OPT_INT, "max_sessions", "2", TOPT(max_sessions), 0,
     "sessions opened at most at once to this BMC (real BMCs allow few)", 1,
     32},
    {0},
};

#define AOPT(f) offsetof(ed__ipmi_args_t, f)
static const ed_option_t power_args[] = {
    {ED_OPT_STRING, "action", NULL, AOPT(action),
     ED_OPT_REQUIRED | ED_OPT_PRIMARY, "on, off, cycle, reset or soft", 0, 0},
    {0},
};
static const ed_option_t sensor_args[] = {
    {ED_OPT_STRING, "name", NULL, AOPT(name), ED_OPT_PRIMARY,
     "one sensor by its SDR name: the value is its reading, a number", 0, 0},
    {ED_OPT_STRING, "type", NULL, AOPT(type), 0,
     "only sensors of this type (\"Temperature\", \"Fan\", ...)", 0, 0},
    {0},
};
static const ed_option_t no_args[] = {{0}};

static const ed_op_desc_t ops[] = {
    {"power_status", 0, "chassis power state: \"on\" or \"off\"", no_args, 0},
    {"power", ED_OP_DESTRUCTIVE,
     "chassis control: on, off, cycle, reset (hard) or soft (ACPI shutdown)",
     power_args, sizeof(ed__ipmi_args_t)},
    {"sensors", 0,
     "SDR sensors with readings, state and thresholds (an array); with a "
     "name, that sensor's reading (a number)",
     sensor_args, sizeof(ed__ipmi_args_t)},
    {"sel_count", 0, "number of entries in the System Event Log", no_args, 0},
    {"sel_list", 0, "System Event Log entries (an array)", no_args, 0},
    {"sel_clear", ED_OP_DESTRUCTIVE, "erase the System Event Log", no_args, 0},
    {"device_id", 0, "BMC device id, firmware and IPMI versions (an object)",
     no_args, 0},
    {0},
};

uv_loop_t *ed__ipmi_loop(void) {
  return g_host ? g_host->loop : NULL;
}

static int ipmi_init(const ed_host_t *host) {
  g_host = host;
  return 0;
}

static void free_target(ed__ipmi_target_t *t) {
  if (t->conf.password) {
    explicit_bzero(t->conf.password, strlen(t->conf.password));
    free(t->conf.password);
  }
  free(t->conf.host);
  free(t->conf.user);
  free(t->name);
  free(t->sess);
  free(t->sdr);
  free(t);
}

/* Checks the options and copies what the sessions need. */
static int configure(ed__ipmi_target_t *t, const ed_target_info_t *info,
                     char *errbuf, size_t errlen) {
  const ed__ipmi_topts_t *o = info->opts;
  ed__ipmi_conf_t *c = &t->conf;
  if (ed__ipmi_check_host(o->host, errbuf, errlen) < 0 ||
      ed__ipmi_parse_privilege(o->privilege, &c->privilege, errbuf, errlen) <
          0 ||
      ed__ipmi_check_cipher(o->cipher, o->allow_cipher_0, errbuf, errlen) < 0 ||
      ed__ipmi_check_timeouts(o->session_timeout_ms,
                              o->retransmission_timeout_ms, errbuf,
                              errlen) < 0 ||
      ed__ipmi_parse_workarounds(o->workarounds, &c->workaround_flags, errbuf,
                                 errlen) < 0)
    return -1;
  c->cipher = (uint8_t)o->cipher;
  c->session_timeout_ms = (unsigned)o->session_timeout_ms;
  c->retransmission_timeout_ms = (unsigned)o->retransmission_timeout_ms;
  c->host = strdup(o->host);
  c->user = strdup(info->user ? info->user : "");
  c->password = info->secret ? strdup(info->secret) : NULL;
  t->name = strdup(info->name ? info->name : "ipmi");
  t->nsess = (int)o->max_sessions;
  t->sess = calloc((size_t)t->nsess, sizeof(*t->sess));
  if (!c->host || !c->user || (info->secret && !c->password) || !t->name ||
      !t->sess) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  return 0;
}

static int target_open(const ed_target_info_t *info, void **target,
                       char *errbuf, size_t errlen) {
  ed__ipmi_target_t *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  if (configure(t, info, errbuf, errlen) < 0) {
    free_target(t);
    return -1;
  }
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cv, NULL);
  pthread_mutex_init(&t->sdr_mu, NULL);
  if (!info->secret)
    ed__ipmi_log(ED_LOG_WARN, t,
                 "no credentials: sessions open with user \"%s\" and an "
                 "empty password",
                 t->conf.user);
  *target = t;
  return 0;
}

/* ---- start: one login before anything is sent ---------------------------
 * The preflight of every run: a session is opened (and kept for the first
 * requests) on the thread pool, so that wrong credentials or a BMC that
 * does not answer stop the run before it starts (exit 4), as with every
 * other driver, instead of failing each request. */
typedef struct {
  uv_work_t work;
  ed__ipmi_target_t *t;
  ed_target_cb cb;
  void *arg;
  int ok;
  ed__ipmi_err_t e;
} start_t;

static void start_work(uv_work_t *w) {
  start_t *st = w->data;
  int fresh = 0;
  memset(&st->e, 0, sizeof(st->e));
  ed__ipmi_sess_t *s = ed__ipmi_acquire(st->t, 0, &st->e, &fresh);
  st->ok = s != NULL;
  if (s)
    ed__ipmi_release(st->t, s, 0);
}

static void start_done(uv_work_t *w, int status) {
  start_t *st = w->data;
  if (status != 0 && st->ok)
    snprintf(st->e.detail, sizeof(st->e.detail), "start cancelled");
  int rc = st->ok && status == 0 ? 0 : -1;
  char detail[300];
  snprintf(detail, sizeof(detail), "%s: %s", ed_errclass_string(st->e.err),
           st->e.detail);
  st->cb(st->arg, rc, rc == 0 ? NULL : detail);
  free(st);
}

static int target_start(void *target, ed_target_cb cb, void *arg) {
  start_t *st = calloc(1, sizeof(*st));
  if (!st)
    return -1;
  st->t = target;
  st->cb = cb;
  st->arg = arg;
  st->work.data = st;
  if (uv_queue_work(g_host->loop, &st->work, start_work, start_done) != 0) {
    free(st);
    return -1;
  }
  return 0;
}

/* Blocking requests run on pool threads that the core waits for before
 * closing; the pool still waits for any session in use, then logs out. */
static void target_close(void *target) {
  ed__ipmi_target_t *t = target;
  ed__ipmi_pool_close(t);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->cv);
  pthread_mutex_destroy(&t->sdr_mu);
  free_target(t);
}

static int op_prepare(void *target, const ed_op_desc_t *desc, const void *args,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target;
  static const char *const kinds[] = {[ED__IPMI_POWER_STATUS] = "power_status",
                                      [ED__IPMI_POWER] = "power",
                                      [ED__IPMI_SENSORS] = "sensors",
                                      [ED__IPMI_SEL_COUNT] = "sel_count",
                                      [ED__IPMI_SEL_LIST] = "sel_list",
                                      [ED__IPMI_SEL_CLEAR] = "sel_clear",
                                      [ED__IPMI_DEVICE_ID] = "device_id"};
  ed__ipmi_op_t *op = calloc(1, sizeof(*op));
  if (!op) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  op->kind = -1;
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if (strcmp(desc->name, kinds[i]) == 0)
      op->kind = (int)i;
  op->read_only = !(desc->flags & ED_OP_DESTRUCTIVE);
  const ed__ipmi_args_t *a = args;
  int rc = 0;
  if (op->kind < 0) {
    snprintf(errbuf, errlen, "unknown operation \"%s\"", desc->name);
    rc = -1;
  } else if (op->kind == ED__IPMI_POWER) {
    rc = ed__ipmi_parse_power(a->action, &op->control, errbuf, errlen);
  } else if (op->kind == ED__IPMI_SENSORS) {
    if ((a->name && !(op->name = strdup(a->name))) ||
        (a->type && !(op->type = strdup(a->type)))) {
      snprintf(errbuf, errlen, "out of memory");
      rc = -1;
    }
  }
  if (rc < 0) {
    free(op->name);
    free(op->type);
    free(op);
    return -1;
  }
  *prepared = op;
  return 0;
}

void ed__ipmi_op_free(void *target, void *prepared) {
  (void)target;
  ed__ipmi_op_t *op = prepared;
  free(op->name);
  free(op->type);
  free(op);
}

void ed__ipmi_submit_blocking(void *target, ed_request_t *req,
                              ed_result_t *res) {
  ed__ipmi_target_t *t = target;
  const ed__ipmi_op_t *op = req->op;
  ed__ipmi_err_t e;
  char *value = NULL;
  int rc = -1;
  /* A reused session may have been dropped by the BMC (idle timeout, BMC
   * restart): a read-only operation is tried once more on a new session.
   * A state-changing one is not sent twice. */
  for (int attempt = 0; attempt < 2; attempt++) {
    memset(&e, 0, sizeof(e));
    e.code = -1; /* no completion code unless the BMC answered one */
    int fresh = 0;
    ed__ipmi_sess_t *s = ed__ipmi_acquire(t, req->timeout_ms, &e, &fresh);
    if (!s)
      break;
    rc = ed__ipmi_run(t, s, op, &value, &e);
    ed__ipmi_release(t, s, rc < 0 && e.reopen);
    if (rc == 0 || !e.reopen || fresh || !op->read_only)
      break;
    ed__ipmi_log(ED_LOG_DEBUG, t, "session lost (%s): trying a new one",
                 e.detail);
  }
  if (rc == 0) {
    res->err = ED_ERRCLASS_NONE;
    res->code = 0;
    res->value = value;
    res->value_len = value ? strlen(value) : 0;
    return;
  }
  free(value);
  if (e.err == ED_ERRCLASS_NONE)
    e.err = ED_ERRCLASS_OTHER;
  res->err = e.err;
  res->code = e.code;
  res->detail = strdup(e.detail);
  if (e.reopen)
    ed__ipmi_log(ED_LOG_WARN, t, "%s", e.detail);
}

/* Verify mode's proof of a state-changing operation (power control, SEL
 * clear), without sending it: the session's privilege is enough for it
 * (both need operator), and a session at that privilege opens and the BMC
 * answers a read of the chassis status. */
static void op_check_blocking(void *target, ed_request_t *req,
                              ed_result_t *res) {
  ed__ipmi_target_t *t = target;
  const ed__ipmi_op_t *op = req->op;
  const char *priv = ed__ipmi_privilege_name(t->conf.privilege);
  if (t->conf.privilege < IPMI_PRIVILEGE_LEVEL_OPERATOR) {
    char why[200];
    snprintf(why, sizeof(why),
             "the session's privilege \"%s\" is below operator, which %s "
             "needs (set \"privilege\": \"operator\" or \"admin\")",
             priv,
             op->kind == ED__IPMI_POWER ? "chassis control" : "a SEL clear");
    *res = (ed_result_t){.err = ED_ERRCLASS_AUTH, .detail = strdup(why)};
    return;
  }
  ed__ipmi_op_t status = {.kind = ED__IPMI_POWER_STATUS, .read_only = 1};
  ed_request_t read = *req;
  read.op = &status;
  ed__ipmi_submit_blocking(target, &read, res);
  if (res->err != ED_ERRCLASS_NONE)
    return;
  free((void *)res->value);
  char what[160];
  snprintf(what, sizeof(what),
           "a session at privilege %s opens and the chassis answers", priv);
  res->value = strdup(what);
  res->value_len = res->value ? strlen(res->value) : 0;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "ipmi",
    .version = "1.0.0",
    .description = "IPMI 2.0 (RMCP+ lanplus) BMCs through FreeIPMI: chassis "
                   "power, sensors, SEL, device id",
    .flags = ED_DRIVER_BLOCKING,
    .target_opts = target_opts,
    .target_opts_size = sizeof(ed__ipmi_topts_t),
    .ops = ops,
    .init = ipmi_init,
    .target_open = target_open,
    .target_start = target_start,
    .target_close = target_close,
    .op_prepare = op_prepare,
    .op_free = ed__ipmi_op_free,
    .submit_blocking = ed__ipmi_submit_blocking,
    .op_check_blocking = op_check_blocking,
    .collect = ed__ipmi_collect,
};
