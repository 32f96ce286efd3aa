/*
 * ipmi session: a bounded pool of IPMI 2.0 (RMCP+) sessions per target.
 * Each session is used by one pool thread at a time (mutex + condition
 * variable), kept open across operations, and closed after a failure that
 * leaves it unusable, to be opened again by the next operation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipmi.h"

static int open_session(ed__ipmi_target_t *t, ed__ipmi_sess_t *s,
                        ed__ipmi_err_t *e) {
  const ed__ipmi_conf_t *c = &t->conf;
  ipmi_ctx_t ctx = ipmi_ctx_create();
  if (!ctx) {
    e->err = ED_ERRCLASS_OTHER;
    e->reopen = 1;
    snprintf(e->detail, sizeof(e->detail), "out of memory");
    return -1;
  }
  if (ipmi_ctx_open_outofband_2_0(
          ctx, c->host, c->user, c->password, NULL, 0, c->privilege, c->cipher,
          c->session_timeout_ms, c->retransmission_timeout_ms,
          c->workaround_flags, IPMI_FLAGS_DEFAULT) < 0) {
    int n = ipmi_ctx_errnum(ctx);
    ed__ipmi_classify(n, ed__ipmi_privilege_name(c->privilege), e);
    e->reopen = 1;
    /* FreeIPMI's message names the host at most, never the password. */
    size_t used = strlen(e->detail);
    snprintf(e->detail + used, sizeof(e->detail) - used,
             " (session open to %s as \"%s\", cipher suite %u: %s)", c->host,
             c->user ? c->user : "", c->cipher, ipmi_ctx_strerror(n));
    ipmi_ctx_destroy(ctx);
    return -1;
  }
  s->ctx = ctx;
  return 0;
}

static void close_session(ed__ipmi_sess_t *s) {
  if (s->status_rs) {
    fiid_obj_destroy(s->status_rs);
    s->status_rs = NULL;
  }
  if (!s->ctx)
    return;
  ipmi_ctx_close(s->ctx); /* sends Close Session */
  ipmi_ctx_destroy(s->ctx);
  s->ctx = NULL;
}

/* The CLOCK_REALTIME time wait_ms from now (pthread_cond_timedwait's). */
static struct timespec deadline_in(int64_t wait_ms) {
  struct timespec d;
  clock_gettime(CLOCK_REALTIME, &d);
  d.tv_sec += wait_ms / 1000;
  d.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (d.tv_nsec >= 1000000000L) {
    d.tv_sec++;
    d.tv_nsec -= 1000000000L;
  }
  return d;
}

static void remember_refusal(ed__ipmi_target_t *t, const ed__ipmi_err_t *e) {
  pthread_mutex_lock(&t->mu);
  if (!t->refused) {
    t->refused = 1;
    snprintf(t->refusal, sizeof(t->refusal), "%s", e->detail);
  }
  pthread_mutex_unlock(&t->mu);
}

ed__ipmi_sess_t *ed__ipmi_acquire(ed__ipmi_target_t *t, int64_t wait_ms,
                                  ed__ipmi_err_t *e, int *fresh) {
  struct timespec deadline = {0, 0};
  int have_deadline = 0; /* the clock is read only when all are busy */
  ed__ipmi_sess_t *s = NULL;
  pthread_mutex_lock(&t->mu);
  for (;;) {
    /* An open idle session first: reuse beats a new login. */
    for (int i = 0; i < t->nsess && !s; i++)
      if (!t->sess[i].busy && t->sess[i].ctx)
        s = &t->sess[i];
    for (int i = 0; i < t->nsess && !s; i++)
      if (!t->sess[i].busy)
        s = &t->sess[i];
    if (s)
      break;
    if (wait_ms > 0 && !have_deadline) {
      deadline = deadline_in(wait_ms);
      have_deadline = 1;
    }
    int rc = wait_ms > 0 ? pthread_cond_timedwait(&t->cv, &t->mu, &deadline)
                         : pthread_cond_wait(&t->cv, &t->mu);
    if (rc == ETIMEDOUT) {
      pthread_mutex_unlock(&t->mu);
      e->err = ED_ERRCLASS_TIMEOUT;
      e->reopen = 0;
      snprintf(e->detail, sizeof(e->detail),
               "all %d sessions to the BMC stayed busy for %lld ms "
               "(max_sessions)",
               t->nsess, (long long)wait_ms);
      return NULL;
    }
  }
  if (t->refused && s->ctx == NULL) {
    pthread_mutex_unlock(&t->mu);
    e->err = ED_ERRCLASS_AUTH;
    e->reopen = 0;
    snprintf(e->detail, sizeof(e->detail),
             "%.150s; not tried again in this run (a BMC locks accounts "
             "after repeated refusals)",
             t->refusal);
    return NULL;
  }
  s->busy = 1;
  int need_open = s->ctx == NULL;
  if (need_open)
    t->opens++;
  unsigned long nth = t->opens;
  pthread_mutex_unlock(&t->mu);
  *fresh = need_open;
  if (need_open) {
    if (open_session(t, s, e) < 0) {
      if (e->err == ED_ERRCLASS_AUTH)
        remember_refusal(t, e);
      ed__ipmi_release(t, s, 1);
      return NULL;
    }
    ed__ipmi_log(ED_LOG_DEBUG, t, "session %d opened (%lu so far)",
                 (int)(s - t->sess), nth);
  }
  return s;
}

void ed__ipmi_release(ed__ipmi_target_t *t, ed__ipmi_sess_t *s, int broken) {
  if (broken)
    close_session(s);
  pthread_mutex_lock(&t->mu);
  s->busy = 0;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

void ed__ipmi_pool_close(ed__ipmi_target_t *t) {
  pthread_mutex_lock(&t->mu);
  for (int i = 0; i < t->nsess; i++)
    while (t->sess[i].busy) /* the core waits for its pool work; be sure */
      pthread_cond_wait(&t->cv, &t->mu);
  pthread_mutex_unlock(&t->mu);
  for (int i = 0; i < t->nsess; i++)
    close_session(&t->sess[i]);
  if (t->conf.password) {
    explicit_bzero(t->conf.password, strlen(t->conf.password));
    free(t->conf.password);
    t->conf.password = NULL;
  }
}
