/*
 * eventdrill-driver-test: checks a driver shared object the way the core
 * will use it, without a scenario, and prints a report.
 *
 *   eventdrill-driver-test [-n N] [-c N] [-t DUR] [--expect-ok] DRIVER.so
 *                          [TARGET.json]
 *
 * 1. loads the file through the core's plugin host (the same descriptor,
 *    callback and option-table checks as `eventdrill`), then lints the
 *    tables (lint.c);
 * 2. with a target file: fills the target's options, resolves its
 *    credentials, opens and starts the target;
 * 3. runs each operation N times on a real loop (batch.c), op_check for the
 *    state-changing ones where the driver offers it, and requires that every
 *    request completes exactly once, on the loop thread, never inside submit,
 *    with a well-formed result that never holds the secret;
 * 4. where the driver offers `collect`: one collection on the target, which
 *    must answer once on the loop thread with a well-formed snapshot
 *    (collect_check.c), and one cut short by target_stop on another;
 * 5. closes a second target with requests in flight: each must complete
 *    (cancelled) before target_close returns;
 * 6. requires that no handle of the driver is left on the loop.
 *
 * Exit status: 0 when every check passed, 1 when one failed, 2 on a usage
 * error.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <eventdrill/driver.h>

#include "batch.h"
#include "collect_check.h"
#include "credentials.h"
#include "diag.h"
#include "duration.h"
#include "error.h"
#include "jsonpos.h"
#include "lint.h"
#include "log.h"
#include "options.h"
#include "plugin_host.h"

#define TARGET_FILE_MAX (1 << 20)
#define START_TIMEOUT_MS 30000
/* A collection may take this long, plus four request timeouts. */
#define COLLECT_WAIT_MS 30000

typedef struct cfg_s {
  const char *driver_file;
  const char *target_file;
  size_t count, concurrency;
  int64_t timeout_ms;
  int expect_ok;
} cfg_t;

/* The target file, parsed. */
typedef struct tfile_s {
  json_t *doc;
  const json_t *options, *operations;
  const char *credentials;
  const char *name;
  int destructive; /* send state-changing operations too */
} tfile_t;

/* An operation prepared on the target. */
typedef struct prep_s {
  const ed_op_desc_t *op;
  void *args;
  void *prepared;
  int ready; /* op_prepare succeeded: op_free is due */
  int ran;   /* requests went through submit */
} prep_t;

typedef struct harness_s {
  cfg_t cfg;
  uv_loop_t loop;
  ed_plugin_host_t *ph;
  const ed_driver_t *drv;
  tfile_t tf;
  ed_jsonpos_t *pos; /* of the target file */
  void *opts;        /* the target's options struct */
  ed_credentials_t creds;
  prep_t *preps;
  size_t nops;
  /* Batches live until every target is closed: a driver may still complete
   * a request the harness gave up waiting for. */
  ed_batch_t *batches[256];
  size_t nbatches;
  ed_ccheck_t *ccheck; /* the collections, kept like the batches */
  size_t failures, warnings;
} harness_t;

/* ---- the report ---------------------------------------------------------- */

static void line(harness_t *h, int ok, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void line(harness_t *h, int ok, const char *what, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("  %-4s %-20s ", ok ? "ok" : "FAIL", what);
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  h->failures += !ok;
}

static void lint_found(void *arg, int error, const char *fmt, ...) {
  harness_t *h = arg;
  va_list ap;
  va_start(ap, fmt);
  printf("  %-4s %-20s ", error ? "FAIL" : "warn", "tables");
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  if (error)
    h->failures++;
  else
    h->warnings++;
}

static void ccheck_say(void *arg, const char *status, const char *what,
                       const char *fmt, ...) {
  harness_t *h = arg;
  va_list ap;
  va_start(ap, fmt);
  printf("  %-4s %-20s ", status, what);
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  h->failures += strcmp(status, "FAIL") == 0;
  h->warnings += strcmp(status, "warn") == 0;
}

/* ---- loading ------------------------------------------------------------- */

/* "dir/name.so" → dir and name, as the core searches a driver by name. */
static int split_file(const char *file, char *dir, size_t dlen, char *stem,
                      size_t slen) {
  const char *slash = strrchr(file, '/');
  const char *base = slash ? slash + 1 : file;
  size_t bl = strlen(base);
  if (bl <= 3 || strcmp(base + bl - 3, ".so") != 0)
    return ED_EINVAL;
  if (!slash)
    snprintf(dir, dlen, ".");
  else if (slash == file)
    snprintf(dir, dlen, "/");
  else
    snprintf(dir, dlen, "%.*s", (int)(slash - file), file);
  snprintf(stem, slen, "%.*s", (int)(bl - 3), base);
  return 0;
}

static int load(harness_t *h) {
  char dir[4096], stem[256];
  if (split_file(h->cfg.driver_file, dir, sizeof(dir), stem, sizeof(stem))) {
    line(h, 0, "load", "%s: a driver file is named <name>.so",
         h->cfg.driver_file);
    return -1;
  }
  struct stat st;
  if (stat(h->cfg.driver_file, &st) != 0) {
    line(h, 0, "load", "%s: %s", h->cfg.driver_file, strerror(errno));
    return -1;
  }
  int rc;
  if (ed_plugin_host_create(&h->loop, &h->ph) != 0 ||
      ed_plugin_host_add_dir(h->ph, dir) != 0) {
    line(h, 0, "load", "out of memory");
    return -1;
  }
  /* The host logs a refusal as eventdrill would; the report says it once. */
  int level = ed_log_level();
  if (level < ED_LOG_LVL_DEBUG)
    ed_log_set_level(ED_LOG_LVL_ERROR - 1);
  rc = ed_plugin_host_find(h->ph, stem, &h->drv);
  ed_log_set_level(level);
  if (rc != 0) {
    line(h, 0, "load", "%s", ed_plugin_host_last_error(h->ph));
    return -1;
  }
  const ed_driver_t *d = h->drv;
  size_t nops = 0, ntopts = 0;
  for (const ed_op_desc_t *op = d->ops; op->name; op++)
    nops++;
  for (const ed_option_t *o = d->target_opts; o && o->key; o++)
    ntopts++;
  line(h, 1, "load",
       "driver \"%s\" %s, ABI version %u, %s, %zu target option%s, %zu "
       "operation%s, %s",
       d->name, d->version, (unsigned)d->abi_version,
       d->flags & ED_DRIVER_BLOCKING ? "blocking" : "non-blocking", ntopts,
       ntopts == 1 ? "" : "s", nops, nops == 1 ? "" : "s",
       ed_plugin_can_check(d) ? "proves steps (op_check)"
                              : "cannot prove steps (no op_check)");
  h->nops = nops;
  if (ed_lint_driver(d, lint_found, h) == 0)
    line(h, 1, "tables", "option tables and operations are consistent");
  return 0;
}

/* ---- the target file ----------------------------------------------------- */

static const char *const tfile_keys[] = {
    "name", "options", "credentials", "operations", "destructive", NULL};

static int is_string(const json_t *v) {
  return json_is_string(v);
}
static int is_object(const json_t *v) {
  return json_is_object(v);
}
static int is_bool(const json_t *v) {
  return json_is_boolean(v);
}

static void check_tfile_keys(ed_diag_t *diag, const json_t *doc) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)doc, key, v) {
    int known = 0;
    for (const char *const *k = tfile_keys; *k; k++)
      known |= strcmp(*k, key) == 0;
    const char *best = known ? NULL : ed_did_you_mean(key, tfile_keys);
    if (!known)
      ed_diag_add_key(diag, key, "unknown key%s%s%s",
                      best ? " (did you mean \"" : "", best ? best : "",
                      best ? "\"?)" : "");
  }
  static const struct {
    const char *key;
    int (*is)(const json_t *);
    const char *want;
  } types[] = {
      {"name", is_string, "a string"},
      {"options", is_object, "an object"},
      {"credentials", is_string, "a string (\"env:NAME\" or \"file:PATH\")"},
      {"operations", is_object, "an object"},
      {"destructive", is_bool, "true or false"}};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    v = json_object_get(doc, types[i].key);
    if (v && !types[i].is(v))
      ed_diag_add(diag, types[i].key, "expected %s, got %s", types[i].want,
                  ed_diag_json_kind(v));
  }
}

/* The operations' arguments, and unknown operations: a misspelt one would
 * silently not run. */
static void check_tfile_ops(harness_t *h, ed_diag_t *diag) {
  const char *key;
  json_t *v;
  const char *names[65];
  size_t n = 0;
  for (const ed_op_desc_t *op = h->drv->ops; op->name && n < 64; op++)
    names[n++] = op->name;
  names[n] = NULL;
  json_object_foreach((json_t *)h->tf.operations, key, v) {
    char path[300];
    const ed_op_desc_t *op = ed_plugin_host_op(h->drv, key);
    snprintf(path, sizeof(path), "operations.%s", key);
    if (op) {
      ed_options_fill_op(op, v, NULL, path, diag); /* validate only */
      continue;
    }
    const char *best = ed_did_you_mean(key, names);
    ed_diag_add_key(diag, path, "driver \"%s\" has no operation \"%s\"%s%s%s",
                    h->drv->name, key, best ? " (did you mean \"" : "",
                    best ? best : "", best ? "\"?)" : "");
  }
}

/* Parse the target file and fill the target's options; every problem is
 * printed with the file, line:column and path. */
static int read_tfile(harness_t *h, ed_diag_t *diag) {
  char *text = NULL;
  size_t len = 0;
  ed_jsonpos_t *pos = NULL;
  diag->file = h->cfg.target_file;
  if (ed_diag_read_file(diag, h->cfg.target_file, TARGET_FILE_MAX, &text,
                        &len) != 0)
    return ED_EIO;
  ed_jsonpos_scan(text, len, &pos, NULL, NULL);
  diag->pos = pos;
  h->tf.doc = ed_diag_parse_json(diag, text, len);
  free(text);
  if (h->tf.doc && !json_is_object(h->tf.doc))
    ed_diag_add(diag, "", "expected an object, got %s",
                ed_diag_json_kind(h->tf.doc));
  else if (h->tf.doc)
    check_tfile_keys(diag, h->tf.doc);
  if (json_is_object(h->tf.doc)) {
    /* Wrong types were reported above: such a member counts as absent, so
     * the rest of the file is still checked. */
    const json_t *opts = json_object_get(h->tf.doc, "options");
    const json_t *ops = json_object_get(h->tf.doc, "operations");
    h->tf.options = json_is_object(opts) ? opts : NULL;
    h->tf.operations = json_is_object(ops) ? ops : NULL;
    h->tf.credentials =
        json_string_value(json_object_get(h->tf.doc, "credentials"));
    h->tf.name = json_string_value(json_object_get(h->tf.doc, "name"));
    h->tf.destructive = json_is_true(json_object_get(h->tf.doc, "destructive"));
    check_tfile_ops(h, diag);
    h->opts = calloc(1, h->drv->target_opts_size + 1);
    if (h->opts)
      ed_options_fill(h->drv->target_opts, h->tf.options, h->opts, "options",
                      diag, NULL);
  }
  /* Kept for the operations' arguments, checked later. */
  diag->pos = NULL;
  h->pos = pos;
  return diag->count ? ED_EINVAL : 0;
}

/* ---- the target ---------------------------------------------------------- */

typedef struct start_s {
  unsigned calls;
  int status;
  char detail[256];
} start_t;

static void on_target_cb(void *arg, int status, const char *detail) {
  start_t *s = arg;
  s->calls++;
  s->status = status;
  snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
}

static void on_guard(uv_timer_t *t) {
  *(int *)t->data = 1;
}

/* Call target_start or target_stop (fn) and wait for its callback: once,
 * synchronously or later. */
static int start_or_stop(harness_t *h, void *target, const char *what,
                         int (*fn)(void *, ed_target_cb, void *)) {
  start_t s = {0};
  int rc = fn(target, on_target_cb, &s);
  if (rc != 0) {
    if (s.calls)
      line(h, 0, what, "returned %d and called its callback as well", rc);
    else
      line(h, 1, what,
           "returned %d: the core counts the target as %s without a callback",
           rc, fn == h->drv->target_start ? "not started" : "stopped");
    return rc;
  }
  int expired = 0;
  uv_timer_t guard;
  uv_timer_init(&h->loop, &guard);
  guard.data = &expired;
  uv_timer_start(&guard, on_guard, START_TIMEOUT_MS, 0);
  while (s.calls == 0 && !expired)
    uv_run(&h->loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(&h->loop, UV_RUN_NOWAIT);
  if (s.calls == 0)
    line(h, 0, what, "its callback was not called within %d s",
         START_TIMEOUT_MS / 1000);
  else if (s.calls > 1)
    line(h, 0, what, "its callback was called %u times", s.calls);
  else if (s.status != 0)
    line(h, 0, what, "failed: status %d: %s", s.status,
         s.detail[0] ? s.detail : "(no detail)");
  else
    line(h, 1, what, "callback called once, status 0");
  return s.calls == 1 && s.status == 0 ? 0 : -1;
}

static int open_target(harness_t *h, void **target) {
  ed_target_info_t info = {.name = h->tf.name ? h->tf.name : "t1",
                           .user = h->creds.user,
                           .secret = h->creds.secret,
                           .opts = h->opts,
                           .max_in_flight = (int)h->cfg.concurrency};
  char errbuf[512] = "";
  *target = NULL;
  int rc = h->drv->target_open(&info, target, errbuf, sizeof(errbuf));
  if (rc != 0) {
    line(h, 0, "target_open", "returned %d: %s", rc,
         errbuf[0] ? errbuf : "(no reason in errbuf)");
    return -1;
  }
  return 0;
}

/* ---- operations ---------------------------------------------------------- */

/* Fill p->args from the file's argument of the operation, or from none.
 * Returns <0 when the operation needs one the file does not give (or gives
 * wrong: then printed). */
static int fill_args(harness_t *h, prep_t *p, int *listed) {
  const json_t *arg = json_object_get(h->tf.operations, p->op->name);
  char path[300];
  ed_diag_t diag;
  *listed = arg != NULL;
  snprintf(path, sizeof(path), "operations.%s", p->op->name);
  p->args = calloc(1, p->op->args_size + 1);
  if (!p->args)
    return ED_ENOMEM;
  ed_diag_init(&diag);
  diag.file = h->cfg.target_file;
  diag.pos = h->pos;
  int rc = ed_options_fill_op(p->op, arg, p->args, path, &diag);
  if (rc != 0 && *listed)
    ed_diag_print(&diag, stdout);
  ed_diag_close(&diag);
  return rc;
}

static int prepare(harness_t *h, void *target, prep_t *p, char *what) {
  char errbuf[512] = "";
  int rc = h->drv->op_prepare(target, p->op, p->args, &p->prepared, errbuf,
                              sizeof(errbuf));
  if (rc != 0) {
    line(h, 0, what, "op_prepare returned %d: %s", rc,
         errbuf[0] ? errbuf : "(no reason in errbuf)");
    p->prepared = NULL;
    return -1;
  }
  p->ready = 1;
  return 0;
}

static void classes_text(const ed_batch_stats_t *st, char *buf, size_t len) {
  size_t n = 0;
  buf[0] = '\0';
  for (int c = 0; c < ED_ERRCLASS_COUNT && n < len; c++)
    if (st->by_class[c])
      n += (size_t)snprintf(buf + n, len - n, "%s%zu %s", n ? ", " : "",
                            st->by_class[c],
                            ed_errclass_string((ed_errclass_t)c));
}

/* One report line for a batch; returns 0 when it passed. */
static int judge(harness_t *h, const char *what, const ed_batch_stats_t *st,
                 int expect_ok) {
  char classes[256];
  classes_text(st, classes, sizeof(classes));
  int bad = st->twice || st->refused_done || st->inside || st->wrong_thread ||
            st->after_close || st->bad_result || st->secret || st->missing;
  if (bad) {
    line(h, 0, what, "%s (%zu sent, %zu completed, %zu never)",
         st->first_problem, st->sent, st->completed, st->missing);
    return -1;
  }
  if (st->sent == 0) {
    line(h, 0, what,
         "no request started: submit returned < 0 for all %zu (the core "
         "records each as an \"other\" error)",
         st->refused);
    return -1;
  }
  if (st->refused)
    printf("  %-4s %-20s %zu submit%s returned < 0 (the core records each as "
           "an \"other\" error)\n",
           "warn", what, st->refused, st->refused == 1 ? "" : "s");
  if (st->no_detail) {
    printf("  %-4s %-20s %zu failure%s without a detail\n", "warn", what,
           st->no_detail, st->no_detail == 1 ? "" : "s");
    h->warnings++;
  }
  h->warnings += st->refused != 0;
  if (expect_ok &&
      (st->by_class[ED_ERRCLASS_NONE] != st->sent || st->refused)) {
    line(h, 0, what, "--expect-ok: %zu of %zu requests failed: %s",
         st->sent + st->refused - st->by_class[ED_ERRCLASS_NONE],
         st->sent + st->refused, classes);
    return -1;
  }
  line(h, 1, what,
       "%zu requests, each completed once: %s; p50 %.1f ms, max %.1f ms%s%s%s",
       st->sent, classes[0] ? classes : "none", st->p50_ms, st->max_ms,
       st->sample[0] ? " (" : "", st->sample, st->sample[0] ? ")" : "");
  return 0;
}

static void keep(harness_t *h, ed_batch_t *b) {
  if (h->nbatches < sizeof(h->batches) / sizeof(h->batches[0]))
    h->batches[h->nbatches++] = b;
  else
    ed_batch_destroy(b); /* only a driver of over 100 operations */
}

/* Run req->op N times through submit (check = 0) or op_check (1). */
static int run_batch(harness_t *h, void *target, const prep_t *p, int check,
                     size_t *started) {
  char what[96];
  snprintf(what, sizeof(what), "%s %s", check ? "op_check" : "op", p->op->name);
  ed_batch_spec_t spec = {.ph = h->ph,
                          .drv = h->drv,
                          .target = target,
                          .prepared = p->prepared,
                          .check = check,
                          .count = h->cfg.count,
                          .concurrency = h->cfg.concurrency,
                          .timeout_ms = h->cfg.timeout_ms,
                          .grace_ms = 10000,
                          .secret = h->creds.secret};
  ed_batch_t *b;
  if (ed_batch_create(&h->loop, &spec, &b) != 0)
    return ED_ENOMEM;
  ed_batch_run(b);
  ed_batch_stats_t st;
  ed_batch_stats(b, &st);
  /* A request still in flight (the batch gave up on it) must not outlive
   * its memory: the batch is freed once the target is closed. */
  keep(h, b);
  *started = st.sent;
  return judge(h, what, &st, h->cfg.expect_ok);
}

/* What to do with one operation, told in the report when it is not run. */
static void run_op(harness_t *h, void *target, prep_t *p) {
  int listed;
  char what[96];
  int destructive = (p->op->flags & ED_OP_DESTRUCTIVE) != 0;
  int check = destructive && ed_plugin_can_check(h->drv);
  snprintf(what, sizeof(what), "op %s", p->op->name);
  if (fill_args(h, p, &listed) != 0) {
    if (listed)
      line(h, 0, what, "its argument in %s is not valid (printed above)",
           h->cfg.target_file);
    else
      printf("  %-4s %-20s not run: it needs an argument (give one under "
             "\"operations\" in the target file)\n",
             "skip", what);
    return;
  }
  if (destructive && !h->tf.destructive && !check) {
    printf(
        "  %-4s %-20s not run: it changes the device's state (\"destructive\""
        ": true in the target file sends it)\n",
        "skip", what);
    return;
  }
  if (prepare(h, target, p, what) != 0)
    return;
  size_t started = 0;
  if (!destructive || h->tf.destructive) {
    run_batch(h, target, p, 0, &started);
    p->ran = started > 0;
  } else
    printf("  %-4s %-20s not sent: it changes the device's state; op_check "
           "below proves it instead\n",
           "skip", what);
  if (check)
    run_batch(h, target, p, 1, &started);
}

static void free_op(harness_t *h, void *target, prep_t *p) {
  if (p->ready)
    h->drv->op_free(target, p->prepared);
  if (p->args)
    ed_options_free(p->op->args, p->args);
  free(p->args);
  *p = (prep_t){.op = p->op, .ran = p->ran};
}

/* ---- health collection ----------------------------------------------------
 */

/* The checker, created on first use; 0 when there is one. */
static int ccheck(harness_t *h) {
  if (h->ccheck)
    return 0;
  ed_ccheck_spec_t spec = {.drv = h->drv,
                           .max_in_flight = (int)h->cfg.concurrency,
                           .timeout_ms = h->cfg.timeout_ms,
                           .wait_ms = COLLECT_WAIT_MS + 4 * h->cfg.timeout_ms,
                           .secret = h->creds.secret,
                           .expect_ok = h->cfg.expect_ok,
                           .say = ccheck_say,
                           .say_arg = h};
  h->ccheck = ed_ccheck_create(&h->loop, &spec);
  if (!h->ccheck)
    line(h, 0, "collect", "out of memory");
  return h->ccheck ? 0 : -1;
}

/* One collection on the started target, where the driver offers it. */
static void collect_check(harness_t *h, void *target) {
  if (!ed_plugin_can_collect(h->drv)) {
    printf("  %-4s %-20s not offered: the driver has no health collection "
           "(inspect reports its devices unread, watch does not monitor "
           "them)\n",
           "skip", "collect");
    return;
  }
  if (ccheck(h) == 0)
    ed_ccheck_run(h->ccheck, target, "collect");
}

/* A collection cut short by target_stop, on a target of its own. */
static void collect_stop_check(harness_t *h) {
  const char *what = "collect + stop";
  if (!ed_plugin_can_collect(h->drv) || ccheck(h) != 0)
    return;
  void *target;
  if (open_target(h, &target) != 0)
    return;
  if (!h->drv->target_start ||
      start_or_stop(h, target, "target_start (3)", h->drv->target_start) == 0)
    ed_ccheck_run_stopped(h->ccheck, target, what);
  h->drv->target_close(target);
}

static void run_ops(harness_t *h, void *target) {
  h->preps = calloc(h->nops + 1, sizeof(*h->preps));
  if (!h->preps)
    return;
  for (size_t i = 0; i < h->nops; i++) {
    h->preps[i].op = &h->drv->ops[i];
    run_op(h, target, &h->preps[i]);
  }
  collect_check(h, target);
}

/* ---- closing with requests in flight ------------------------------------- */

/* The core's order when a run is interrupted: free the operations, then
 * close the target without running the loop in between. Each request in
 * flight must complete before target_close returns. */
static void cancel_check(harness_t *h) {
  const char *what = "close in flight";
  prep_t *used = NULL;
  for (size_t i = 0; i < h->nops && !used; i++)
    if (!(h->drv->ops[i].flags & ED_OP_DESTRUCTIVE) && h->preps &&
        h->preps[i].ran)
      used = &h->preps[i];
  if (h->drv->flags & ED_DRIVER_BLOCKING) {
    printf("  %-4s %-20s not checked: a blocking driver's requests run on the "
           "pool, where target_close cannot complete them\n",
           "skip", what);
    return;
  }
  if (!used) {
    printf("  %-4s %-20s not checked: no request of a read-only operation "
           "started\n",
           "skip", what);
    return;
  }
  void *target;
  if (open_target(h, &target) != 0)
    return;
  if (h->drv->target_start &&
      start_or_stop(h, target, "target_start (2)", h->drv->target_start) != 0) {
    h->drv->target_close(target);
    return;
  }
  prep_t p = {.op = used->op};
  int listed;
  if (fill_args(h, &p, &listed) != 0 || prepare(h, target, &p, "op (2)") != 0) {
    free_op(h, target, &p);
    h->drv->target_close(target);
    return;
  }
  ed_batch_spec_t spec = {.ph = h->ph,
                          .drv = h->drv,
                          .target = target,
                          .prepared = p.prepared,
                          .count = h->cfg.concurrency,
                          .concurrency = h->cfg.concurrency,
                          .timeout_ms = h->cfg.timeout_ms,
                          .grace_ms = 10000,
                          .secret = h->creds.secret};
  ed_batch_t *b;
  if (ed_batch_create(&h->loop, &spec, &b) != 0) {
    free_op(h, target, &p);
    h->drv->target_close(target);
    return;
  }
  keep(h, b);
  ed_batch_submit_now(b);
  free_op(h, target, &p);
  h->drv->target_close(target);
  ed_batch_mark_closed(b);
  ed_batch_stats_t st;
  ed_batch_stats(b, &st);
  if (st.missing)
    line(h, 0, what,
         "%zu of %zu requests in flight were not completed before "
         "target_close returned (complete them as cancelled)",
         st.missing, st.sent);
  else
    judge(h, what, &st, 0);
}

/* ---- the end ------------------------------------------------------------- */

static void walk_cb(uv_handle_t *handle, void *arg) {
  char *buf = arg;
  size_t n = strlen(buf);
  if (!uv_is_closing(handle) && n < 200)
    snprintf(buf + n, 256 - n, "%s%s%s", n ? ", " : "",
             uv_handle_type_name(uv_handle_get_type(handle)),
             uv_is_active(handle) ? " (active)" : "");
}

/* Run the loop until nothing but unreferenced handles is left, at most
 * `ms`: a driver's handle that stays active would keep eventdrill from
 * exiting. */
static void run_until_idle(harness_t *h, uint64_t ms) {
  int expired = 0;
  uv_timer_t guard;
  uv_timer_init(&h->loop, &guard);
  guard.data = &expired;
  uv_timer_start(&guard, on_guard, ms, 0);
  uv_unref((uv_handle_t *)&guard);
  while (!expired && uv_run(&h->loop, UV_RUN_ONCE) != 0)
    ;
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(&h->loop, UV_RUN_NOWAIT);
}

static void drain(harness_t *h) {
  run_until_idle(h, 10000);
  for (size_t i = 0; i < h->nbatches; i++) {
    ed_batch_stats_t st;
    ed_batch_stats(h->batches[i], &st);
    if (st.after_close)
      line(h, 0, "after close",
           "%zu request%s completed after target_close "
           "returned: %s",
           st.after_close, st.after_close == 1 ? "" : "s", st.first_problem);
    ed_batch_destroy(h->batches[i]);
  }
  h->nbatches = 0;
  ed_ccheck_destroy(h->ccheck);
  h->ccheck = NULL;
  uv_run(&h->loop, UV_RUN_NOWAIT);
  char handles[256] = "";
  uv_walk(&h->loop, walk_cb, handles);
  if (handles[0])
    line(h, 0, "handles",
         "left on the loop after target_close: %s (close them in "
         "target_close)",
         handles);
  else
    line(h, 1, "handles", "every handle closed after target_close");
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *out) {
  fprintf(out,
          "usage: eventdrill-driver-test [options] DRIVER.so [TARGET.json]\n"
          "\n"
          "Checks an eventdrill driver the way eventdrill uses it and prints "
          "a report.\n"
          "Without TARGET.json only the descriptor and the tables are "
          "checked.\n"
          "\n"
          "  -n, --requests N     requests per operation (default 20)\n"
          "  -c, --concurrency N  at most N in flight; the target's "
          "max_in_flight (default 4)\n"
          "  -t, --timeout DUR    each request's timeout (default 5s)\n"
          "      --expect-ok      fail when a request does not succeed\n"
          "  -v, --verbose        the driver's debug lines too\n"
          "  -h, --help\n"
          "\n"
          "TARGET.json: { \"name\": \"t1\", \"options\": {target options},\n"
          "  \"credentials\": \"env:NAME\" | \"file:PATH\",\n"
          "  \"operations\": { \"<op>\": <argument>, ... },\n"
          "  \"destructive\": false }\n"
          "Operations without an argument in the file run with none when "
          "they need none.\n"
          "State-changing operations are proven with op_check, and sent only "
          "with\n"
          "\"destructive\": true. A driver's health collection (collect) is "
          "checked where\n"
          "it offers it.\n");
}

static int parse_count(const char *opt, const char *text, size_t max,
                       size_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || *end || v < 1 || (unsigned long long)v > max) {
    fprintf(stderr,
            "eventdrill-driver-test: %s: \"%s\" is not a number from 1 to "
            "%zu\n",
            opt, text, max);
    return -1;
  }
  *out = (size_t)v;
  return 0;
}

static int parse_args(int argc, char **argv, cfg_t *cfg) {
  static const struct option longs[] = {
      {"requests", required_argument, NULL, 'n'},
      {"concurrency", required_argument, NULL, 'c'},
      {"timeout", required_argument, NULL, 't'},
      {"expect-ok", no_argument, NULL, 'k'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  *cfg = (cfg_t){.count = 20, .concurrency = 4, .timeout_ms = 5000};
  int c;
  char err[200];
  while ((c = getopt_long(argc, argv, "n:c:t:vh", longs, NULL)) != -1) {
    switch (c) {
    case 'n':
      if (parse_count("--requests", optarg, 100000, &cfg->count) < 0)
        return 2;
      break;
    case 'c':
      if (parse_count("--concurrency", optarg, 1000, &cfg->concurrency) < 0)
        return 2;
      break;
    case 't':
      err[0] = '\0';
      if (ed_duration_parse(optarg, &cfg->timeout_ms, err, sizeof(err)) < 0 ||
          cfg->timeout_ms <= 0) {
        fprintf(stderr, "eventdrill-driver-test: --timeout \"%s\": %s\n",
                optarg,
                cfg->timeout_ms <= 0 && !err[0] ? "must be more than 0" : err);
        return 2;
      }
      break;
    case 'k':
      cfg->expect_ok = 1;
      break;
    case 'v':
      ed_log_set_level(ED_LOG_LVL_DEBUG);
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return 2;
    }
  }
  if (argc - optind < 1 || argc - optind > 2) {
    usage(stderr);
    return 2;
  }
  cfg->driver_file = argv[optind];
  cfg->target_file = argc - optind == 2 ? argv[optind + 1] : NULL;
  return 0;
}

/* Steps 2 to 4, on the target of the file. */
static void exercise(harness_t *h) {
  ed_diag_t diag;
  ed_diag_init(&diag);
  int rc = read_tfile(h, &diag);
  if (rc != 0) {
    ed_diag_print(&diag, stdout);
    line(h, 0, "target file", "%s is not valid (printed above)",
         h->cfg.target_file);
  }
  ed_diag_close(&diag);
  char errbuf[512] = "";
  if (rc == 0 && h->tf.credentials &&
      ed_credentials_resolve(h->tf.credentials, &h->creds, errbuf,
                             sizeof(errbuf)) != 0) {
    line(h, 0, "credentials", "%s: %s", h->cfg.target_file, errbuf);
    rc = -1;
  }
  void *target;
  if (rc != 0 || open_target(h, &target) != 0)
    return;
  line(h, 1, "target_open", "target \"%s\" opened",
       h->tf.name ? h->tf.name : "t1");
  int started =
      !h->drv->target_start ||
      start_or_stop(h, target, "target_start", h->drv->target_start) == 0;
  if (started)
    run_ops(h, target);
  /* The core's order at the end of a run: stop, free the operations, close. */
  if (started && h->drv->target_stop)
    start_or_stop(h, target, "target_stop", h->drv->target_stop);
  for (size_t i = 0; h->preps && i < h->nops; i++)
    free_op(h, target, &h->preps[i]);
  h->drv->target_close(target);
  for (size_t i = 0; i < h->nbatches; i++)
    ed_batch_mark_closed(h->batches[i]);
  if (started)
    collect_stop_check(h);
  if (h->ccheck)
    ed_ccheck_mark_closed(h->ccheck);
  if (started)
    cancel_check(h);
  free(h->preps);
  h->preps = NULL;
}

int main(int argc, char **argv) {
  harness_t h = {0};
  int rc = parse_args(argc, argv, &h.cfg);
  if (rc != 0)
    return rc;
  if (uv_loop_init(&h.loop) != 0)
    return 1;
  printf("eventdrill-driver-test %s: %s\n", ED_VERSION, h.cfg.driver_file);
  if (load(&h) == 0 && h.cfg.target_file)
    exercise(&h);
  else if (h.drv)
    printf("  %-4s %-20s no target file: no request sent\n", "skip", "target");
  if (h.drv)
    drain(&h);
  if (h.opts && h.drv)
    ed_options_free(h.drv->target_opts, h.opts);
  free(h.opts);
  ed_plugin_host_destroy(h.ph);
  ed_credentials_close(&h.creds);
  json_decref(h.tf.doc);
  ed_jsonpos_destroy(h.pos);
  uv_run(&h.loop, UV_RUN_NOWAIT);
  if (uv_loop_close(&h.loop) != 0)
    line(&h, 0, "loop", "the loop could not be closed: handles are left");
  printf("%s: %zu failure%s, %zu warning%s\n", h.failures ? "FAIL" : "PASS",
         h.failures, h.failures == 1 ? "" : "s", h.warnings,
         h.warnings == 1 ? "" : "s");
  return h.failures ? 1 : 0;
}
