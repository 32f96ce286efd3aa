/*
 * ssh: the SSH driver. Runs commands on hosts through libssh: "check" (a
 * read-only command, for checks and verify mode), "run" (a state-changing
 * one) and "upload" (a small file, e.g. a fault script).
 *
 * Several commands share one connection, each on its own channel, up to
 * max_channels per connection and `connections` connections per host.
 * libssh is only ever called on libuv's pool, by one turn per connection
 * at a time; the loop only watches the sockets and the deadlines (mux.c
 * says why). libssh 0.10 has no non-blocking connect, known_hosts reading,
 * agent talk or signing: those blocking steps run in a turn too, never on
 * the loop, and are bounded by connect_timeout.
 */
#include "ssh.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ed_host_t *g_host;

void ed__ssh_log(int level, const ed__ssh_target_t *t, const char *fmt, ...) {
  char line[768];
  va_list ap;
  if (!g_host || !g_host->log)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  g_host->log(level, t ? t->name : "ssh", "%s", line);
}

/* ---- options ---------------------------------------------------------- */

#define TOPT(f) offsetof(ed__ssh_topts_t, f)
static const ed_option_t target_opts[] = {
    {ED_OPT_STRING, "host", "\"127.0.0.1\"", TOPT(host), ED_OPT_ADDRESS,
     "address or name of the host", 0, 0},
    {ED_OPT_INT, "port", "22", TOPT(port), 0, "SSH port", 1, 65535},
    {ED_OPT_STRING, "user", NULL, TOPT(user), 0,
     "login name (default: the credentials' user, else the local user)", 0, 0},
    {ED_OPT_STRING, "auth", "\"key\"", TOPT(auth), 0,
     "\"key\" (key_file; passphrase = the credentials' secret), \"agent\" "
     "(SSH_AUTH_SOCK) or \"password\" (the credentials' secret)",
     0, 0},
    {ED_OPT_STRING, "key_file", NULL, TOPT(key_file), 0,
     "private key file, for auth \"key\"", 0, 0},
    {ED_OPT_STRING, "known_hosts", NULL, TOPT(known_hosts), 0,
     "known_hosts file that alone decides which host keys are trusted "
     "(default: ~/.ssh/known_hosts and the system's)",
     0, 0},
    {ED_OPT_BOOL, "accept_unknown_host_key", "false",
     TOPT(accept_unknown_host_key), 0,
     "accept a host key the known_hosts file does not have (warned; pinned "
     "for the run). A changed key is refused anyway",
     0, 0},
    {ED_OPT_DURATION, "connect_timeout", "\"10s\"", TOPT(connect_timeout_ms), 0,
     "connection, key exchange and authentication timeout", 1, 600000},
    {ED_OPT_DURATION, "timeout", "\"30s\"", TOPT(timeout_ms), 0,
     "a command's timeout when neither the operation nor the request has one",
     1, 86400000},
    {ED_OPT_INT, "max_channels", "4", TOPT(max_channels), 0,
     "commands at once on one connection, each on its own channel; keep it "
     "below sshd's MaxSessions (10 by default): a timed-out command's kill "
     "takes one more",
     1, 64},
    {ED_OPT_INT, "connections", "1", TOPT(connections), 0,
     "connections kept open to this host (commands at once: connections x "
     "max_channels)",
     1, 16},
    {ED_OPT_INT, "max_output", "65536", TOPT(max_output), 0,
     "bytes of stdout and of stderr kept per command (more: truncated)", 0,
     (int64_t)64 << 20},
    {0, NULL, NULL, 0, 0, NULL, 0, 0}};

typedef struct cmd_args_s {
  char *command;
  int64_t timeout_ms;
  char *output;
  int64_t expect_exit;
} cmd_args_t;

typedef struct upload_args_s {
  char *path;
  char *content;
  char *mode;
  int64_t timeout_ms;
} upload_args_t;

#define CMD_ARGS(expect_default, expect_text)                                  \
  {ED_OPT_STRING,                                                              \
   "command",                                                                  \
   NULL,                                                                       \
   offsetof(cmd_args_t, command),                                              \
   ED_OPT_REQUIRED | ED_OPT_PRIMARY,                                           \
   "the command, run by the login shell of the user",                          \
   0,                                                                          \
   0},                                                                         \
      {ED_OPT_DURATION,                                                        \
       "timeout",                                                              \
       NULL,                                                                   \
       offsetof(cmd_args_t, timeout_ms),                                       \
       0,                                                                      \
       "past it the command is killed (default: the request's, else the "      \
       "target's)",                                                            \
       0,                                                                      \
       86400000},                                                              \
      {ED_OPT_STRING,                                                          \
       "output",                                                               \
       "\"stdout\"",                                                           \
       offsetof(cmd_args_t, output),                                           \
       0,                                                                      \
       "the value: \"stdout\" or \"stderr\" (a string, trailing newlines "     \
       "cut), \"number\" (stdout as a number) or \"json\" "                    \
       "({exit, stdout, stderr, truncated})",                                  \
       0,                                                                      \
       0},                                                                     \
      {ED_OPT_INT,                                                             \
       "expect_exit",                                                          \
       expect_default,                                                         \
       offsetof(cmd_args_t, expect_exit),                                      \
       0,                                                                      \
       expect_text,                                                            \
       -1,                                                                     \
       255},                                                                   \
  {                                                                            \
    0, NULL, NULL, 0, 0, NULL, 0, 0                                            \
  }

static const ed_option_t check_args[] = {
    CMD_ARGS("-1", "exit status that counts as success; -1 (default): any, "
                   "the check's expect.status decides")};
static const ed_option_t run_args[] = {
    CMD_ARGS("0", "exit status that counts as success (default 0); -1: any")};

static const ed_option_t upload_args[] = {
    {ED_OPT_STRING, "path", NULL, offsetof(upload_args_t, path),
     ED_OPT_REQUIRED, "where the file goes on the host", 0, 0},
    {ED_OPT_STRING, "content", NULL, offsetof(upload_args_t, content),
     ED_OPT_REQUIRED, "the file's text (small: a fault script)", 0, 0},
    {ED_OPT_STRING, "mode", "\"0644\"", offsetof(upload_args_t, mode), 0,
     "file mode, in octal (\"0755\" for a script)", 0, 0},
    {ED_OPT_DURATION, "timeout", NULL, offsetof(upload_args_t, timeout_ms), 0,
     "upload timeout (default: the request's, else the target's)", 0, 86400000},
    {0, NULL, NULL, 0, 0, NULL, 0, 0}};

static const ed_op_desc_t ops[] = {
    {"check", 0,
     "run a READ-ONLY command (checks, verify mode); code = exit status",
     check_args, sizeof(cmd_args_t)},
    {"run", ED_OP_DESTRUCTIVE,
     "run a command that changes the host's state; code = exit status",
     run_args, sizeof(cmd_args_t)},
    {"upload", ED_OP_DESTRUCTIVE, "write a small file on the host", upload_args,
     sizeof(upload_args_t)},
    {0, 0, NULL, NULL, 0}};

/* ---- targets ---------------------------------------------------------- */

static int ssh_drv_init(const ed_host_t *host) {
  g_host = host;
  return ssh_init() == SSH_OK ? 0 : -1;
}

static void ssh_drv_fini(void) {
  ssh_finalize();
}

/* The target's memory, once no turn or handle uses it (mux.c). Sessions
 * are dropped by the turns before; this one only frees. */
void ed__ssh_target_free(ed__ssh_target_t *t) {
  if (!t)
    return;
  for (int i = 0; t->conns && i < t->nconns; i++)
    ed__ssh_drop(&t->conns[i]); /* none left after a STOP turn */
  free(t->conns);
  if (t->key)
    ssh_key_free(t->key);
  if (t->password) {
    explicit_bzero(t->password, strlen(t->password));
    free(t->password);
  }
  free(t->name);
  free(t->host);
  free(t->user);
  free(t->key_file);
  free(t->known_hosts);
  pthread_mutex_destroy(&t->mu);
  pthread_mutex_destroy(&t->key_mu);
  free(t);
}

static char *dup_or_null(const char *s, int *bad) {
  char *d = s ? strdup(s) : NULL;
  if (s && !d)
    *bad = 1;
  return d;
}

/* Everything of open that is not I/O: copy and check the options. */
static int setup(ed__ssh_target_t *t, const ed_target_info_t *info,
                 char *errbuf, size_t errlen) {
  const ed__ssh_topts_t *o = info->opts;
  int bad = 0;
  if (!o->host || !o->host[0]) {
    snprintf(errbuf, errlen, "\"host\" is empty");
    return -1;
  }
  const char *auth = o->auth ? o->auth : "key";
  if (strcmp(auth, "key") == 0)
    t->auth = ED_SSH_AUTH_KEY;
  else if (strcmp(auth, "agent") == 0)
    t->auth = ED_SSH_AUTH_AGENT;
  else if (strcmp(auth, "password") == 0)
    t->auth = ED_SSH_AUTH_PASSWORD;
  else {
    snprintf(errbuf, errlen,
             "\"auth\": \"%s\" is not one of \"key\", \"agent\", "
             "\"password\"",
             auth);
    return -1;
  }
  if (t->auth == ED_SSH_AUTH_KEY && !o->key_file) {
    snprintf(errbuf, errlen, "auth \"key\" needs \"key_file\"");
    return -1;
  }
  if (t->auth != ED_SSH_AUTH_KEY && o->key_file) {
    snprintf(errbuf, errlen, "\"key_file\" is only for auth \"key\"");
    return -1;
  }
  if (t->auth == ED_SSH_AUTH_PASSWORD && !(info->secret && info->secret[0])) {
    snprintf(errbuf, errlen,
             "auth \"password\" needs \"credentials\" (user:password)");
    return -1;
  }
  if (t->auth == ED_SSH_AUTH_AGENT && !getenv("SSH_AUTH_SOCK")) {
    snprintf(errbuf, errlen, "auth \"agent\" but SSH_AUTH_SOCK is not set");
    return -1;
  }
  t->name = dup_or_null(info->name ? info->name : "ssh", &bad);
  t->host = dup_or_null(o->host, &bad);
  t->port = (int)o->port;
  t->user = dup_or_null(o->user ? o->user : info->user, &bad);
  t->key_file = dup_or_null(o->key_file, &bad);
  t->known_hosts = dup_or_null(o->known_hosts, &bad);
  t->accept_unknown = o->accept_unknown_host_key;
  t->connect_timeout_ms = o->connect_timeout_ms;
  t->timeout_ms = o->timeout_ms;
  t->max_output = (size_t)o->max_output;
  t->max_channels = (int)o->max_channels;
  t->nconns = (int)o->connections;
  t->conns = calloc((size_t)t->nconns, sizeof(*t->conns));
  if (t->auth == ED_SSH_AUTH_PASSWORD)
    t->password = dup_or_null(info->secret, &bad);
  else if (t->auth == ED_SSH_AUTH_KEY)
    t->passphrase = info->secret; /* the core's, until target_close */
  if (bad || !t->conns) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  return 0;
}

static int target_open(const ed_target_info_t *info, void **target,
                       char *errbuf, size_t errlen) {
  ed__ssh_target_t *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  pthread_mutex_init(&t->mu, NULL);
  pthread_mutex_init(&t->key_mu, NULL);
  if (setup(t, info, errbuf, errlen) != 0) {
    ed__ssh_target_free(t);
    return -1;
  }
  if (!g_host || !g_host->loop || ed__ssh_mux_init(t, g_host->loop) != 0) {
    snprintf(errbuf, errlen, "no event loop to run on");
    ed__ssh_target_free(t);
    return -1;
  }
  if (t->accept_unknown)
    ed__ssh_log(ED_LOG_WARN, t,
                "accept_unknown_host_key is on: an unknown host key of "
                "[%s]:%d will be accepted without verification",
                t->host, t->port);
  *target = t;
  return 0;
}

/* Start: one connection (and the private key read), so that an unreachable
 * host, a refused host key, an unreadable key or refused credentials stop
 * the drill before it starts. */
static int target_start(void *target, ed_target_cb cb, void *arg) {
  return ed__ssh_mux_start(target, cb, arg);
}

static int target_stop(void *target, ed_target_cb cb, void *arg) {
  return ed__ssh_mux_stop(target, cb, arg);
}

/* Requests still out are answered "cancelled" here; sessions are closed on
 * the pool, and the memory freed when the last turn is back. */
static void target_close(void *target) {
  ed__ssh_mux_close(target);
}

/* ---- operations ------------------------------------------------------- */

typedef struct prepared_s {
  char *command; /* owned */
  char *input;   /* upload: the content, owned; else NULL */
  size_t input_len;
  int64_t timeout_ms; /* 0: the request's, else the target's */
  ed__ssh_out_t output;
  int expect_exit; /* -1: any */
  const char *op;  /* "check", "run", "upload" */
  char *subject;   /* the command as written (run), the path (upload) */
} prepared_t;

static char *upload_command(const upload_args_t *a, unsigned mode) {
  char *q = ed__ssh_shell_quote(a->path);
  if (!q)
    return NULL;
  /* umask first: the file never exists with looser rights than asked. The
   * prefix is an argument, not part of the format: it holds a %d. */
  const char *fmt = "%sumask 077 && cat > %s && chmod %04o %s";
  size_t n = strlen(ED_SSH_PID_PREFIX) + strlen(fmt) + 2 * strlen(q) + 8;
  char *c = malloc(n);
  if (c)
    snprintf(c, n, fmt, ED_SSH_PID_PREFIX, q, mode, q);
  free(q);
  return c;
}

static int op_prepare(void *target, const ed_op_desc_t *op, const void *args,
                      void **prepared, char *errbuf, size_t errlen) {
  (void)target;
  prepared_t *p = calloc(1, sizeof(*p));
  if (!p) {
    snprintf(errbuf, errlen, "out of memory");
    return -1;
  }
  p->op = op->name;
  if (strcmp(op->name, "upload") == 0) {
    const upload_args_t *a = args;
    unsigned mode;
    if (ed__ssh_parse_mode(a->mode, &mode) != 0) {
      snprintf(errbuf, errlen, "\"mode\": \"%s\" is not an octal file mode",
               a->mode ? a->mode : "");
      free(p);
      return -1;
    }
    if (!a->path[0]) {
      snprintf(errbuf, errlen, "\"path\" is empty");
      free(p);
      return -1;
    }
    p->command = upload_command(a, mode);
    p->subject = strdup(a->path);
    p->input = strdup(a->content);
    p->input_len = strlen(a->content);
    p->timeout_ms = a->timeout_ms;
    p->output = ED_SSH_OUT_NONE;
    p->expect_exit = 0;
    if (!p->command || !p->input || !p->subject) {
      free(p->command);
      free(p->input);
      free(p->subject);
      free(p);
      snprintf(errbuf, errlen, "out of memory");
      return -1;
    }
  } else {
    const cmd_args_t *a = args;
    int mode = ed__ssh_output_mode(a->output);
    if (mode < 0) {
      snprintf(errbuf, errlen,
               "\"output\": \"%s\" is not one of \"stdout\", \"stderr\", "
               "\"number\", \"json\"",
               a->output);
      free(p);
      return -1;
    }
    if (!a->command[0]) {
      snprintf(errbuf, errlen, "\"command\" is empty");
      free(p);
      return -1;
    }
    size_t n = strlen(ED_SSH_PID_PREFIX) + strlen(a->command) + 1;
    p->command = malloc(n);
    if (p->command)
      snprintf(p->command, n, "%s%s", ED_SSH_PID_PREFIX, a->command);
    p->timeout_ms = a->timeout_ms;
    p->output = (ed__ssh_out_t)mode;
    p->expect_exit = (int)a->expect_exit;
    p->subject = strdup(a->command);
    if (!p->command || !p->subject) {
      free(p->command);
      free(p->subject);
      free(p);
      snprintf(errbuf, errlen, "out of memory");
      return -1;
    }
  }
  *prepared = p;
  return 0;
}

static void op_free(void *target, void *prepared) {
  (void)target;
  prepared_t *p = prepared;
  free(p->command);
  free(p->input);
  free(p->subject);
  free(p);
}

/* The job of a request: copies of the prepared operation (the core frees
 * it when the run ends, maybe before the command's turn is over). */
static ed__ssh_job_t *job_new(const ed__ssh_target_t *t, const prepared_t *p,
                              ed_request_t *req) {
  ed__ssh_job_t *job = calloc(1, sizeof(*job));
  if (!job)
    return NULL;
  job->req = req;
  job->command = strdup(p->command);
  if (p->input)
    job->input = malloc(p->input_len + 1);
  if (!job->command || (p->input && !job->input)) {
    ed__ssh_job_free(job);
    return NULL;
  }
  if (p->input)
    memcpy(job->input, p->input, p->input_len + 1);
  job->input_len = p->input_len;
  job->output = p->output;
  job->expect_exit = p->expect_exit;
  job->op = p->op;
  int64_t ms = p->timeout_ms;
  if (ms <= 0 || (req->timeout_ms > 0 && req->timeout_ms < ms))
    ms = req->timeout_ms;
  if (ms <= 0)
    ms = t->timeout_ms;
  job->timeout_ms = ms;
  job->deadline_ns = ed__ssh_now_ns() + (uint64_t)ms * 1000000u;
  return job;
}

/* A job for req, running p's command, handed to the connections. */
static int submit_job(ed__ssh_target_t *t, const prepared_t *p,
                      ed_request_t *req) {
  ed__ssh_job_t *job = job_new(t, p, req);
  if (!job)
    return -1;
  if (ed__ssh_mux_submit(t, job) != 0) {
    ed__ssh_job_free(job);
    return -1;
  }
  return 0;
}

static int ssh_submit(void *target, ed_request_t *req) {
  return submit_job(target, req->op, req);
}

int ed__ssh_submit(void *target, ed_request_t *req) {
  const ed__ssh_target_t *t = target;
  if (t->stopping)
    return -ECANCELED; /* a stopped target's collection ends here */
  return ssh_submit(target, req);
}

void ed__ssh_op_free(void *target, void *prepared) {
  op_free(target, prepared);
}

void *ed__ssh_prepare_check(void *target, const char *command,
                            const char *output) {
  cmd_args_t a = {
      .command = (char *)command, .output = (char *)output, .expect_exit = -1};
  void *p = NULL;
  char err[200];
  return op_prepare(target, &ops[0], &a, &p, err, sizeof(err)) == 0 ? p : NULL;
}

/* Verify mode's proof of a "run" or an "upload": a read-only command
 * (ed__ssh_proof_command) on the same connections, whose failure says why
 * the operation could not run. */
static int ssh_op_check(void *target, ed_request_t *req) {
  const prepared_t *p = req->op;
  char *proof = ed__ssh_proof_command(p->op, p->subject);
  if (!proof)
    return -1;
  size_t n = strlen(ED_SSH_PID_PREFIX) + strlen(proof) + 1;
  prepared_t q = {.command = malloc(n),
                  .timeout_ms = p->timeout_ms,
                  .output = ED_SSH_OUT_NONE,
                  .expect_exit = 0,
                  .op = "check"};
  if (q.command)
    snprintf(q.command, n, "%s%s", ED_SSH_PID_PREFIX, proof);
  free(proof);
  if (!q.command)
    return -1;
  int rc = submit_job(target, &q, req);
  free(q.command);
  return rc;
}

ED_DRIVER_EXPORT const ed_driver_t eventdrill_driver = {
    .abi_version = ED_DRIVER_ABI_VERSION,
    .build_signature = ED_DRIVER_SIGNATURE,
    .name = "ssh",
    .version = "1.0.0",
    .description = "commands on hosts over SSH (libssh): check, run, upload",
    .flags = 0, /* libssh runs in turns on the pool: see mux.c */
    .target_opts = target_opts,
    .target_opts_size = sizeof(ed__ssh_topts_t),
    .ops = ops,
    .init = ssh_drv_init,
    .fini = ssh_drv_fini,
    .target_open = target_open,
    .target_start = target_start,
    .target_stop = target_stop,
    .target_close = target_close,
    .op_prepare = op_prepare,
    .op_free = op_free,
    .submit = ssh_submit,
    .op_check = ssh_op_check,
    .collect = ed__ssh_collect,
};
