/*
 * ssh: the SSH driver's shared types (target, connection pool) and the
 * helpers its files call each other with (ed__ssh_ prefix).
 */
#ifndef ED_SSH_SSH_H
#define ED_SSH_SSH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <eventdrill/driver.h>
#include <libssh/libssh.h>

#include "output.h"

/* Filled by the core from the target's keys. Strings belong to the core. */
typedef struct ed__ssh_topts_s {
  char *host;
  int64_t port;
  char *user;
  char *auth;
  char *key_file;
  char *known_hosts;
  int accept_unknown_host_key;
  int64_t connect_timeout_ms;
  int64_t timeout_ms;
  int64_t max_channels;
  int64_t max_output;
} ed__ssh_topts_t;

enum { ED_SSH_AUTH_KEY = 1, ED_SSH_AUTH_AGENT, ED_SSH_AUTH_PASSWORD };

/* One pooled connection. `busy` is set while one thread uses it; only that
 * thread touches `session` then. */
typedef struct ed__ssh_conn_s {
  ssh_session session; /* NULL: not connected (yet, or dropped) */
  int busy;
} ed__ssh_conn_t;

typedef struct ed__ssh_target_s {
  char *name;
  char *host;
  int port;
  char *user; /* NULL: libssh's default, the local user */
  int auth;   /* ED_SSH_AUTH_* */
  char *key_file;
  char *known_hosts; /* NULL: libssh's default files */
  int accept_unknown;
  int64_t connect_timeout_ms;
  int64_t timeout_ms; /* a command's default timeout */
  size_t max_output;
  int max_channels;
  ssh_key key;    /* auth "key": imported once at open */
  char *password; /* auth "password": a copy, wiped at close */

  pthread_mutex_t mu;     /* guards conns[].busy, pinned, counters */
  pthread_cond_t cv;      /* a connection became free */
  pthread_mutex_t key_mu; /* one signature with `key` at a time */
  ed__ssh_conn_t *conns;  /* max_channels of them */
  char pinned[128]; /* accept_unknown: fingerprint accepted first, or "" */
  unsigned long connects;

  /* target_start / target_stop, on the pool */
  uv_work_t work;
  ed_target_cb cb;
  void *cb_arg;
  int work_status;
  char work_detail[768];
} ed__ssh_target_t;

/* Log through the core, prefixed with the target's name. Never a secret. */
void ed__ssh_log(int level, const ed__ssh_target_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- conn.c: connections ------------------------------------------------ */

/* Open, check the host key of and authenticate a new session into c.
 * Returns 0, or <0 with *cls and a reason in errbuf. Blocking. */
int ed__ssh_connect(ed__ssh_target_t *t, ed__ssh_conn_t *c, ed_errclass_t *cls,
                    char *errbuf, size_t errlen);
/* Disconnect and free c's session, if any. */
void ed__ssh_drop(ed__ssh_conn_t *c);
/* Take a free connection (connected or not), waiting until deadline_ns
 * (CLOCK_MONOTONIC; 0 = forever). NULL when none freed up in time. */
ed__ssh_conn_t *ed__ssh_acquire(ed__ssh_target_t *t, uint64_t deadline_ns);
void ed__ssh_release(ed__ssh_target_t *t, ed__ssh_conn_t *c);
uint64_t ed__ssh_now_ns(void);

/* ---- exec.c: one command on a channel ----------------------------------- */

enum {
  ED_SSH_EXEC_OK = 0,       /* the command ran; exit status known */
  ED_SSH_EXEC_NOCHAN = -1,  /* no channel: the command never started */
  ED_SSH_EXEC_BROKEN = -2,  /* the session failed under the command */
  ED_SSH_EXEC_TIMEOUT = -3, /* past the deadline: killed */
  ED_SSH_EXEC_NOMEM = -4
};

typedef struct ed__ssh_run_s {
  ed__ssh_buf_t out, err;
  int exit_status; /* -1: none came (killed by a signal) */
  long remote_pid; /* the login shell's pid (ED_SSH_PID_PREFIX), or -1 */
} ed__ssh_run_t;

/* Run command on s, writing `in` (in_len bytes, may be 0) to its stdin,
 * until it exits or deadline_ns passes (then it is sent SIGKILL and its
 * channel closed). command starts with ED_SSH_PID_PREFIX: the pid line is
 * taken out of stderr into run->remote_pid. Returns ED_SSH_EXEC_*; a reason
 * in errbuf. */
int ed__ssh_exec(ssh_session s, const char *command, const char *in,
                 size_t in_len, uint64_t deadline_ns, ed__ssh_run_t *run,
                 char *errbuf, size_t errlen);

/* A command past its deadline: kill process group pid on c's session with
 * another channel (sshd refuses "signal" requests for root logins); drops
 * the session when that fails. */
void ed__ssh_kill_remote(ed__ssh_target_t *t, ed__ssh_conn_t *c, long pid);

/* A command past its deadline: kill process group pid on c's session with
 * another channel (sshd refuses "signal" requests for root logins); drops
 * the session when that fails. */
void ed__ssh_kill_remote(ed__ssh_target_t *t, ed__ssh_conn_t *c, long pid);

#endif
