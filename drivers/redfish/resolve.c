/* resolve: see resolve.h. */
#include "resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "response.h"
#include "session.h"
#include "xfer.h"

#define MEMBER_PTR "/Members/0/@odata.id"
#define RESET_PTR "/Actions/#ComputerSystem.Reset/target"
/* The URI the Redfish specification gives the action when a service does not
 * advertise its target. */
#define RESET_DEFAULT "/Actions/ComputerSystem.Reset"

enum { FETCH_MEMBER = 1, FETCH_ACTION };

static const char *cache_get(const ed__rf_target_t *t, const char *coll) {
  for (size_t i = 0; i < t->nfirsts; i++)
    if (strcmp(t->firsts[i].coll, coll) == 0)
      return t->firsts[i].member;
  return NULL;
}

static int cache_put(ed__rf_target_t *t, const char *coll, const char *member) {
  void *v = realloc(t->firsts, (t->nfirsts + 1) * sizeof(*t->firsts));
  if (!v)
    return -ENOMEM;
  t->firsts = v;
  char *c = strdup(coll), *m = strdup(member);
  if (!c || !m) {
    free(c);
    free(m);
    return -ENOMEM;
  }
  t->firsts[t->nfirsts].coll = c;
  t->firsts[t->nfirsts].member = m;
  t->nfirsts++;
  return 0;
}

void ed__rf_resolve_clear(ed__rf_target_t *t) {
  for (size_t i = 0; i < t->nfirsts; i++) {
    free(t->firsts[i].coll);
    free(t->firsts[i].member);
  }
  free(t->firsts);
  t->firsts = NULL;
  t->nfirsts = 0;
}

static void fail_waiting(ed__rf_op_t *op, ed_errclass_t err, int code,
                         const char *detail) {
  ed__rf_xfer_t *x = op->wait_head;
  op->wait_head = op->wait_tail = NULL;
  op->resolving = 0;
  while (x) {
    ed__rf_xfer_t *n = x->next;
    x->next = NULL;
    ed__rf_finish(x, err, code, NULL, 0, detail);
    x = n;
  }
}

static void resolved(ed__rf_op_t *op, const char *path) {
  op->url = ed__rf_concat(op->t->base, path);
  if (!op->url) {
    fail_waiting(op, ED_ERRCLASS_OTHER, 0, "out of memory");
    return;
  }
  ed__rf_xfer_t *x = op->wait_head;
  op->wait_head = op->wait_tail = NULL;
  op->resolving = 0;
  while (x) {
    ed__rf_xfer_t *n = x->next;
    x->next = NULL;
    ed__rf_send(x);
    x = n;
  }
}

static void fetch_done(ed__rf_xfer_t *x, CURLcode rc);

/* A discovery GET that got a 401 waited for a re-login: ask again. */
static void fetch_again(ed__rf_xfer_t *x, ed_errclass_t err,
                        const char *detail) {
  ed__rf_op_t *op = x->op;
  char *url =
      err == ED_ERRCLASS_NONE ? ed__rf_concat(op->t->base, x->aux) : NULL;
  int rc = url ? ed__rf_xfer_setup(x, "GET", url, NULL, 0, 1, NULL) : -1;
  free(url);
  if (rc == 0)
    rc = ed__rf_xfer_start(x, 0, fetch_done); /* x->retried stays set */
  if (rc == 0)
    return;
  ed__rf_xfer_put(x);
  fail_waiting(op, ED_ERRCLASS_AUTH, 401, detail ? detail : "re-login failed");
}

static void fetch(ed__rf_op_t *op, const char *path, int what) {
  ed__rf_xfer_t *x = ed__rf_xfer_get(op->t);
  char *url = ed__rf_concat(op->t->base, path);
  int rc = -ENOMEM;
  if (x && url) {
    x->op = op;
    x->stage = what;
    x->keep_body = 1;
    x->aux = strdup(path);
    rc = x->aux ? ed__rf_xfer_setup(x, "GET", url, NULL, 0, 1, NULL) : -ENOMEM;
    if (rc == 0)
      rc = ed__rf_xfer_start(x, 0, fetch_done);
  }
  free(url);
  if (rc < 0) {
    if (x)
      ed__rf_xfer_put(x);
    fail_waiting(op, ED_ERRCLASS_OTHER, 0, "discovery could not start");
  }
}

/* Walk the template as far as the cache allows; fetch what is missing. */
static void step(ed__rf_op_t *op) {
  char coll[1024];
  const char *rest;
  char *cur = strdup(op->tmpl);
  int r;
  while (cur && (r = ed__rf_path_first(cur, coll, sizeof(coll), &rest)) > 0) {
    const char *m = cache_get(op->t, coll);
    if (!m) {
      free(cur);
      fetch(op, coll, FETCH_MEMBER);
      return;
    }
    char *next = ed__rf_concat(m, rest);
    free(cur);
    cur = next;
  }
  if (!cur) {
    fail_waiting(op, ED_ERRCLASS_OTHER, 0, "out of memory");
  } else if (r < 0) {
    fail_waiting(op, ED_ERRCLASS_OTHER, 0, "bad {first} in path");
  } else if (op->kind == ED__RF_RESET) {
    fetch(op, cur, FETCH_ACTION);
  } else {
    resolved(op, cur);
  }
  free(cur);
}

static void fetch_done(ed__rf_xfer_t *x, CURLcode rc) {
  ed__rf_op_t *op = x->op;
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  char detail[CURL_ERROR_SIZE + 128], why[CURL_ERROR_SIZE];
  char *found = NULL;
  if (err == ED_ERRCLASS_NONE && status == 401 && !x->retried &&
      op->t->auth_mode == ED__RF_AUTH_SESSION) {
    x->after_login = fetch_again;
    ed__rf_session_on_401(x);
    return;
  }
  why[0] = '\0';
  if (err != ED_ERRCLASS_NONE)
    snprintf(why, sizeof(why), "%s",
             x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  else if ((err = ed__rf_status_class(status, 0)) != ED_ERRCLASS_NONE)
    snprintf(why, sizeof(why), "HTTP %ld", status);
  else
    err = ed__rf_extract_string(
        x->buf, x->len, x->stage == FETCH_MEMBER ? MEMBER_PTR : RESET_PTR,
        &found, why, sizeof(why));
  if (err != ED_ERRCLASS_NONE && x->stage == FETCH_ACTION &&
      err == ED_ERRCLASS_BAD_JSON && x->len > 0) {
    /* A system without an advertised action target: use the standard URI. */
    found = ed__rf_concat(x->aux, RESET_DEFAULT);
    err = found ? ED_ERRCLASS_NONE : ED_ERRCLASS_OTHER;
  }
  const char *path = found ? ed__rf_path_of(found) : NULL;
  if (err == ED_ERRCLASS_NONE && !path) {
    err = ED_ERRCLASS_BAD_JSON;
    snprintf(why, sizeof(why), "not a path: %.100s", found);
  }
  snprintf(detail, sizeof(detail), "discovering %s: %s", x->aux, why);
  int stage = x->stage;
  char *coll = x->aux;
  x->aux = NULL;
  ed__rf_xfer_put(x);
  if (err != ED_ERRCLASS_NONE)
    fail_waiting(op, err, (int)status, detail);
  else if (stage == FETCH_ACTION)
    resolved(op, path);
  else if (cache_put(op->t, coll, path) < 0)
    fail_waiting(op, ED_ERRCLASS_OTHER, 0, "out of memory");
  else
    step(op);
  free(found);
  free(coll);
}

void ed__rf_resolve(ed__rf_xfer_t *x) {
  ed__rf_op_t *op = x->op;
  ed__rf_queue_push(&op->wait_head, &op->wait_tail, x);
  if (!op->resolving) {
    op->resolving = 1;
    step(op);
  }
}
