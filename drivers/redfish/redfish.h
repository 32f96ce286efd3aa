/*
 * redfish: the driver's internal types shared by its modules (redfish.c: the
 * descriptor, targets and operations; xfer.c: pooled transfers; session.c:
 * authentication; resolve.c: run-time discovery of "{first}" paths). Nothing
 * here is exported from the shared object.
 */
#ifndef ED_REDFISH_REDFISH_H
#define ED_REDFISH_REDFISH_H

#include <curl/curl.h>
#include <stdint.h>

#include "curl_uv.h"
#include "eventdrill/driver.h"

#define ED__RF_LOGIN_PATH "/redfish/v1/SessionService/Sessions"

#ifndef ED_VERSION
#define ED_VERSION "0"
#endif
#define ED__RF_USER_AGENT "eventdrill/" ED_VERSION

typedef struct ed__rf_target_s ed__rf_target_t;
typedef struct ed__rf_op_s ed__rf_op_t;
typedef struct ed__rf_xfer_s ed__rf_xfer_t;
typedef struct ed__rf_conn_s ed__rf_conn_t;

/* Which limit stopped an answer (ed__rf_xfer_t.too_large). */
enum {
  ED__RF_TOO_LARGE_BODY = 1, /* its body passed max_body */
  ED__RF_TOO_LARGE_HEAD,     /* its heads passed ED__RF_HEAD_MAX (answer.h) */
  ED__RF_TOO_LARGE_FRAMING   /* on curl's path, the bytes received that are no
                              * body (chunk sizes, extensions, trailers)
                              * passed ED__RF_HEAD_MAX plus the body's size */
};

/* End of a login or logout: ED_ERRCLASS_NONE or the failure and a reason. */
typedef void (*ed__rf_auth_cb)(ed__rf_target_t *t, ed_errclass_t err,
                               const char *detail);

/* Target options, filled by the core from the scenario (strings are the
 * core's, valid until target_close). */
typedef struct {
  char *url;
  char *auth;
  char *ca_file;
  int insecure;
  int64_t timeout_ms;
  int64_t connect_timeout_ms;
  int64_t max_body;
} ed__rf_topts_t;

/* Arguments of every operation (each op's table uses some of them). */
typedef struct {
  char *path;
  char *pointer;
  int64_t expect_status;
  char *body;
  char *if_match;
  char *type;
  char *system;
} ed__rf_args_t;

enum { ED__RF_GET, ED__RF_PATCH, ED__RF_POST, ED__RF_RESET };
enum { ED__RF_AUTH_NONE, ED__RF_AUTH_BASIC, ED__RF_AUTH_SESSION };

/* A prepared operation; owned by its target's list, freed by op_free. */
struct ed__rf_op_s {
  ed__rf_target_t *t;
  ed__rf_op_t *next; /* in t->ops */
  uint64_t serial;   /* unique within the target, from 1 */
  int kind;
  const char *method;
  char *tmpl;    /* path as written, may hold "{first}" */
  char *url;     /* full URL once resolved, else NULL */
  char *pointer; /* JSON pointer to extract, or NULL */
  long expect;
  char *body; /* request body (JSON text) or NULL */
  size_t body_len;
  int etag_auto;  /* if_match "auto": GET the ETag before each PATCH */
  char *if_match; /* fixed "If-Match: ..." header line, or NULL */
  int resolving;
  ed__rf_xfer_t *wait_head, *wait_tail; /* requests waiting for url */
  /* The request as sent over a connection of conn.h (a GET), built on first
   * use and again when the auth line changes; holds it, so wiped. */
  char *wire;
  size_t wire_len;
  unsigned wire_gen; /* t->auth_gen it was built with */
  int conn_path;     /* goes over conn.h: 1 yes, -1 no, 0 not decided yet */
  int want_etag;     /* a proof's GET: the value is the ETag header */
};

/* One pooled transfer: an easy handle, its buffers and what it is doing. */
typedef void (*ed__rf_xfer_cb)(ed__rf_xfer_t *x, CURLcode rc);
struct ed__rf_xfer_s {
  CURL *easy;
  ed__rf_target_t *t;
  ed__cuv_t *cuv;          /* its lane (one of t->lanes), for life */
  ed__rf_xfer_t *next;     /* free list or a wait queue */
  ed__rf_xfer_t *all_next; /* every transfer of the target */
  int busy;                /* taken from the pool */
  int in_curl;             /* added to the multi */
  ed__rf_conn_t *conn;     /* the connection carrying it (conn.h), or NULL */
  long status;             /* HTTP status of the last answer, 0 for none */
  ed_request_t *req;       /* the core's request, NULL for internal ones */
  ed__rf_op_t *op;
  ed__rf_xfer_cb on_done;
  /* After a re-login this transfer waited for (NULL: a core request, which
   * is re-sent or failed as auth). */
  void (*after_login)(ed__rf_xfer_t *x, ed_errclass_t err, const char *detail);
  /* Serial of the op whose options the easy holds, 0 for none. A serial,
   * not the op's address: a freed op's address comes back for a new one. */
  uint64_t setup_for;
  unsigned setup_gen; /* auth generation of those options */
  unsigned sent_gen;  /* auth generation the request went out with */
  int64_t setup_timeout;
  int retried;       /* re-sent once after a re-login */
  int stage;         /* multi-step operations (ETag, then PATCH) */
  int keep_body;     /* store the body (else only count it) */
  int too_large;     /* ED__RF_TOO_LARGE_*: which limit stopped the answer */
  size_t head_bytes; /* header bytes of the answers, interim ones included */
  size_t raw_body;   /* bytes after the heads as received, chunk framing
                      * included (curl's path; conn.c counts its own) */
  unsigned heads;    /* status lines seen (interim answers and the final) */
  int bad_heads;     /* more interim answers than ED__RF_INTERIM_MAX */
  /* The first byte no token may hold in an X-Auth-Token line as received
   * (before curl splits or cuts it), plus one (0: none), and its place. */
  int token_byte;
  size_t token_at;
  struct curl_slist *headers;
  CURLU *uh; /* the parsed URL the easy uses (CURLOPT_CURLU), or NULL */
  char *buf;
  size_t len, cap, seen;
  char *aux; /* per-step data, e.g. the collection being discovered */
  char errbuf[CURL_ERROR_SIZE];
};

struct ed__rf_target_s {
  const char *name;
  const ed__rf_topts_t *opts;
  uv_loop_t *loop;
  char *base;       /* scheme://host:port */
  int tls;          /* https: the TLS options matter */
  int numeric_host; /* the host is an address: nothing to resolve, ever */
  int auth_mode;
  int max_in_flight;
  char *user, *secret; /* copies, wiped on close */
  char *auth_line;     /* "Authorization: ..." or "X-Auth-Token: ...", wiped */
  char *session_path;  /* the session to delete at stop */
  unsigned auth_gen;   /* bumped when auth_line changes */
  uint64_t op_serial;  /* last serial given to a prepared op */
  int relogging;
  /* Set when the service refused a login, or refused a request made with a
   * fresh session: no login is tried again in this run (one refused login
   * per target per run; a BMC locks accounts after a burst of them), and
   * each 401 fails at once with this reason. */
  int no_relogin;
  char no_relogin_why[200];
  ed__rf_auth_cb auth_cb; /* of the login or logout in progress */
  ed__rf_xfer_t *auth_x;  /* its transfer */
  ed__rf_xfer_t *relogin_head, *relogin_tail;
  /* The multis the target's transfers are spread over (lanes, see
   * redfish.c), owned; next_lane deals the next new transfer's. */
  ed__cuv_t **lanes; /* nlanes slots, NULL until first used */
  size_t nlanes, next_lane, lane_cap;
  ed__rf_xfer_t *free_list, *all;
  /* Connections carrying GETs (conn.h), owned, and the multis that open
   * them (the dialers, shared with the other targets: conn.c); requests waiting
   * for one. */
  ed__rf_conn_t *conns, *idle_conns;
  size_t nconns;
  uint64_t idle_sweep_at; /* loop time of the next look for unused ones */
  int pooled;             /* its connections use the shared dialers (conn.c) */
  ed__rf_xfer_t *conn_wait_head, *conn_wait_tail;
  ed__rf_op_t *ops;
  struct {
    char *coll, *member;
  } * firsts; /* discovered "{first}" members */
  size_t nfirsts;
  int stopping; /* target_stop was called: refuse new requests */
  void *memo;   /* collect.c's memo of the resources found (a json_t) */
  ed_target_cb cb;
  void *cb_arg;
};

/* The host given at init (log function); NULL-safe logging through ed__rf_log.
 */
void ed__rf_log(int level, const ed__rf_target_t *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Finish a core request carried by x with this result and give x back to the
 * pool. value may be NULL; detail is a short reason or NULL. */
void ed__rf_finish(ed__rf_xfer_t *x, ed_errclass_t err, int code,
                   const char *value, size_t value_len, const char *detail);

/* Send (or re-send) the request carried by x for its op, whose url is set. */
void ed__rf_send(ed__rf_xfer_t *x);
/* The lane of t a new transfer goes to, made if need be (see redfish.c);
 * NULL when out of memory. */
ed__cuv_t *ed__rf_lane_next(ed__rf_target_t *t);
/* The driver's submit and op_free (redfish.c), for the proofs. */
int ed__rf_submit(void *target, ed_request_t *req);
void ed__rf_op_free(void *target, void *prepared);
/* A GET of path ({first} allowed) prepared on t: its value is the whole
 * body, or, with want_etag, the ETag header the answer carried. Freed with
 * ed__rf_op_free. 0, or <0 with errbuf saying why. */
int ed__rf_prepare_get(ed__rf_target_t *t, const char *path, int want_etag,
                       ed__rf_op_t **out, char *errbuf, size_t errlen);
/* op_check (check.c): proves a reset, PATCH or POST could run, with GETs. */
int ed__rf_op_check(void *target, ed_request_t *req);
/* collect (collect.c): the health snapshot, both generations of resources. */
int ed__rf_collect(void *target, ed_collect_t *c);

/* Push x on a wait queue. */
void ed__rf_queue_push(ed__rf_xfer_t **head, ed__rf_xfer_t **tail,
                       ed__rf_xfer_t *x);

#endif
