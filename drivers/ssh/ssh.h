/*
 * ssh: the SSH driver's shared types (target, connections, jobs, channels)
 * and the helpers its files call each other with (ed__ssh_ prefix).
 *
 * Threads and ownership (why this shape: see mux.c):
 *  - The loop thread owns the target: its queue, each connection's inbox,
 *    the uv handles and every job's request. It never calls libssh.
 *  - A connection's session and channels belong to its *turn*: a job on
 *    libuv's thread pool, at most one per connection at a time. Between
 *    turns nobody touches the session. uv_queue_work and its after-work
 *    callback hand the connection over and back (both take libuv's pool
 *    lock, which orders the memory), so the fields marked "turn" need no
 *    lock of their own.
 *  - Fields marked "handover" are written by one side before the handover
 *    and read by the other after it.
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
  int64_t connections;
  int64_t max_output;
} ed__ssh_topts_t;

enum { ED_SSH_AUTH_KEY = 1, ED_SSH_AUTH_AGENT, ED_SSH_AUTH_PASSWORD };

typedef struct ed__ssh_target_s ed__ssh_target_t;
typedef struct ed__ssh_conn_s ed__ssh_conn_t;

/* What one command gave. */
typedef struct ed__ssh_run_s {
  ed__ssh_buf_t out, err;
  int exit_status; /* -1: none came (killed by a signal) */
  long remote_pid; /* the login shell's pid (ED_SSH_PID_PREFIX), or -1 */
} ed__ssh_run_t;

/* One command the core asked for, from submit until its request is done.
 * Allocated and freed by the loop thread (mux.c). */
typedef struct ed__ssh_job_s {
  struct ed__ssh_job_s *next;                /* in the one list that holds it */
  struct ed__ssh_job_s *prev_all, *next_all; /* loop: t->jobs */
  ed_request_t *req; /* loop: NULL once cancelled; the turn never reads it */
  int retried;       /* turn: already re-sent once on a new connection */
  /* set at submit, read-only afterwards; owned copies, as the core may
   * free its prepared operation before a turn is done with them */
  char *command;
  char *input; /* upload: the file's content; else NULL */
  size_t input_len;
  ed__ssh_out_t output;
  int expect_exit; /* -1: any */
  const char *op;  /* "check", "run", "upload": static */
  int64_t timeout_ms;
  uint64_t deadline_ns;
  /* handover: the answer, written by a turn. value and detail are
   * malloc'd, freed with the job. */
  ed_result_t res;
} ed__ssh_job_t;

/* A channel of a turn's session: a job's command, or a kill. Turn only. */
typedef struct ed__ssh_chan_s {
  struct ed__ssh_chan_s *next;
  ed__ssh_job_t *job; /* NULL for a kill, and once the job is answered */
  ssh_channel ch;
  int state;     /* ED_SSH_CH_* */
  int winding;   /* past its deadline: answered, closed once its command is */
  int signaled;  /* winding: the KILL signal request is sent */
  int kill_done; /* winding: a kill is queued (or there is none to run) */
  int is_kill;   /* runs kill_cmd for a timed-out command */
  long kill_pid;
  size_t in_off;        /* bytes of the job's input sent */
  uint64_t deadline_ns; /* the command's; when winding, the give-up time */
  char kill_cmd[96];
  ed__ssh_run_t run;
} ed__ssh_chan_t;

enum { ED_SSH_CH_OPENING = 1, ED_SSH_CH_EXEC, ED_SSH_CH_INPUT, ED_SSH_CH_RUN };

/* What a turn does (handover: conn->mode). */
enum {
  ED_SSH_TURN_RUN = 1, /* start the new jobs, move every channel on */
  ED_SSH_TURN_CONNECT, /* target_start: open the session, nothing else */
  ED_SSH_TURN_STOP     /* answer what is left (cancelled), disconnect */
};

/* The outcome of a turn, for the loop (handover). */
typedef struct ed__ssh_report_s {
  int nchans;       /* channels held, the winding ones included */
  int fd;           /* the session's socket, -1: no session */
  int want_write;   /* libssh has output the socket did not take yet */
  uint64_t wake_ns; /* earliest deadline of its channels; 0: none */
  int status;       /* TURN_CONNECT: 0, or -1 with detail */
  char detail[768];
} ed__ssh_report_t;

struct ed__ssh_conn_s {
  ed__ssh_target_t *t;
  uv_work_t work;
  /* loop */
  ed__ssh_job_t *inbox; /* given to this connection, for its next turn */
  ed__ssh_job_t **inbox_tail;
  int ninbox;
  int used;         /* channels taken: the last turn's plus the inbox's */
  int busy;         /* a turn is queued or running: the session is its */
  int stop_wanted;  /* STOP once its last command is done */
  int stop_counted; /* its STOP is one target_stop waits for */
  int stopped;      /* STOP is done: no more turns */
  uv_poll_t *poll;  /* watches fd between turns; NULL: none */
  int poll_fd;
  uint64_t wake_ns; /* the last report's */
  /* handover */
  int mode;
  ed__ssh_job_t *in;    /* to the turn: jobs to start */
  ed__ssh_job_t *done;  /* from the turn: jobs answered */
  ed__ssh_job_t *retry; /* from the turn: jobs to send again, untouched */
  ed__ssh_report_t out;
  /* turn */
  ssh_session session; /* NULL: not connected (yet, or dropped) */
  ssh_event event;
  struct ssh_counter_struct rx; /* packets read: a turn saw news */
  ed__ssh_chan_t *chans;
  ed__ssh_chan_t *kills; /* kills waiting: one runs at a time */
  int kill_running;
};

struct ed__ssh_target_s {
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
  int max_channels; /* per connection */
  int nconns;
  /* auth "key": the passphrase is the core's (valid until close), read by
   * the first connect to import the key, never copied */
  const char *passphrase;
  ssh_key key;    /* imported once; key_mu guards its use */
  char *password; /* auth "password": a copy, wiped at close */

  pthread_mutex_t mu;     /* turns of several connections: pinned, connects,
                             refused */
  pthread_mutex_t key_mu; /* one import or signature with `key` at a time */
  char pinned[128]; /* accept_unknown: fingerprint accepted first, or "" */
  unsigned long connects;
  /* The server refused our credentials once: no connection of this target
   * logs in again for the rest of the run (a BMC or a host that counts
   * failed logins locks the account). The first refusal, or "". */
  char refused[512];

  ed__ssh_conn_t *conns; /* nconns of them */

  /* loop */
  uv_loop_t *loop;
  ed__ssh_job_t *queue; /* waiting for a free channel, in order */
  ed__ssh_job_t **queue_tail;
  ed__ssh_job_t *jobs; /* every job not answered yet */
  uv_timer_t *timer;   /* the earliest deadline the loop watches */
  int refs;            /* open + turns + handles: freed at 0 */
  int closed;
  int stopping;
  int stops_left;
  ed_target_cb cb; /* target_start / target_stop */
  void *cb_arg;
};

/* Log through the core, prefixed with the target's name. Never a secret.
 * Safe from any thread (the core's log is). */
void ed__ssh_log(int level, const ed__ssh_target_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
uint64_t ed__ssh_now_ns(void); /* CLOCK_MONOTONIC */

/* A failure for res: code -1, so that no expect.status takes it for a
 * command's exit status; the detail is malloc'd. */
void ed__ssh_fail(ed_result_t *res, ed_errclass_t cls, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- ssh.c: the driver's free_target, for mux.c ------------------------- */
void ed__ssh_target_free(ed__ssh_target_t *t);

/* ---- conn.c: sessions (turn) -------------------------------------------- */

/* Open, check the host key of and authenticate a new session into c (with
 * blocking calls bounded by connect_timeout), then make it non-blocking.
 * Returns 0, or <0 with *cls and a reason in errbuf. */
int ed__ssh_connect(ed__ssh_target_t *t, ed__ssh_conn_t *c, ed_errclass_t *cls,
                    char *errbuf, size_t errlen);
/* Disconnect and free c's session, if any. Its channels must be gone. */
void ed__ssh_drop(ed__ssh_conn_t *c);
/* c's session is connected and has seen no error. */
int ed__ssh_session_ok(const ed__ssh_conn_t *c);

/* ---- exec.c: a channel's state machine (turn) --------------------------- */

/* A channel for job (NULL when out of memory: then the job is answered). */
ed__ssh_chan_t *ed__ssh_chan_new(ed__ssh_target_t *t, ed__ssh_job_t *job);
/* A channel that kills process group pid, past a command's deadline. */
ed__ssh_chan_t *ed__ssh_kill_new(ed__ssh_target_t *t, long pid);
/* Move c on with non-blocking calls. 1: something happened, 0: waiting,
 * -1: the session failed. A job answered is put on conn->done. */
int ed__ssh_chan_step(ed__ssh_conn_t *conn, ed__ssh_chan_t *c, uint64_t now);
/* c is finished (closed, or given up): ready to be freed. */
int ed__ssh_chan_finished(const ed__ssh_chan_t *c);
/* Free c and its libssh channel (a close is sent if it is still open). */
void ed__ssh_chan_free(ed__ssh_chan_t *c);
/* Answer a job: put it on conn->done. */
void ed__ssh_answer(ed__ssh_conn_t *conn, ed__ssh_job_t *job);

/* ---- turn.c: what a turn does on the pool ------------------------------- */
void ed__ssh_turn(uv_work_t *w);

/* ---- mux.c: the loop's side --------------------------------------------- */
int ed__ssh_mux_init(ed__ssh_target_t *t, uv_loop_t *loop);
int ed__ssh_mux_submit(ed__ssh_target_t *t, ed__ssh_job_t *job);
int ed__ssh_mux_start(ed__ssh_target_t *t, ed_target_cb cb, void *arg);
int ed__ssh_mux_stop(ed__ssh_target_t *t, ed_target_cb cb, void *arg);
/* Cancel what is left, close the handles, free t once the last turn and
 * handle are done. */
void ed__ssh_mux_close(ed__ssh_target_t *t);
/* Free a job and what it owns (its answer included). */
void ed__ssh_job_free(ed__ssh_job_t *job);

/* ssh.c, for collect.c: the driver's submit (-ECANCELED once the target is
 * stopping) and op_free, and a prepared
 * read-only "check" of command (output as the op's "output" argument), or
 * NULL when out of memory. */
int ed__ssh_submit(void *target, ed_request_t *req);
void ed__ssh_op_free(void *target, void *prepared);
void *ed__ssh_prepare_check(void *target, const char *command,
                            const char *output);
/* collect.c: the host's health snapshot (driver.h's collect). */
int ed__ssh_collect(void *target, ed_collect_t *c);

#endif
