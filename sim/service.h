/*
 * service: the Redfish behaviour of one virtual BMC, independent of sockets.
 *
 * The transport (http.c, tls.c, fleet.c) parses a request and hands it to
 * ed__service_handle(); the service answers synchronously from the shared
 * mockup template plus the BMC's own changed state. Time-dependent state
 * (power transitions, sessions) is computed from `now_ms`, so an idle BMC
 * costs no timer and no memory beyond what it changed.
 *
 * Fault knobs (latency, errors, capacity, hangs, down) are the transport's:
 * the service never sleeps.
 */
#ifndef ED_SIM_SERVICE_H
#define ED_SIM_SERVICE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed mockup tree shared by every BMC of a fleet (read-only once
 * loaded). */
typedef struct ed__mockup_s ed__mockup_t;

/* Load a mockup: "default" (the project's own, compiled in) or a directory
 * in DMTF's layout (<dir>/index.json is the ServiceRoot, served at
 * /redfish/v1; <dir>/Systems/1/index.json at /redfish/v1/Systems/1; both the
 * short form and a tree that starts with redfish/v1/ are accepted). On error
 * returns <0 and a message naming the file in errbuf. */
int ed__mockup_load(const char *name_or_dir, ed__mockup_t **out, char *errbuf,
                    size_t errlen);
void ed__mockup_destroy(ed__mockup_t *m);
size_t ed__mockup_resource_count(const ed__mockup_t *m);

/* Behaviour settings of a BMC (from the simulator config). A negative power
 * delay means its default (0 is instant); bmc_reset_ms and
 * session_timeout_ms <= 0 mean theirs. */
typedef struct ed__service_config_s {
  const char *user;     /* the account that may log in (borrowed) */
  const char *password; /* its password (borrowed) */
  int64_t power_on_ms;  /* PoweringOn -> On; default 2000 */
  int64_t power_off_ms; /* PoweringOff -> Off (graceful); default 2000;
                           ForceOff is immediate */
  int64_t bmc_reset_ms; /* Manager.Reset: how long the BMC is down; 5000 */
  int64_t session_timeout_ms; /* idle session expiry; default 1800000 */
} ed__service_config_t;

typedef struct ed__service_s ed__service_t;

/* Create one BMC's service on a shared template (borrowed; must outlive the
 * service). cfg is copied. */
int ed__service_create(const ed__mockup_t *m, const ed__service_config_t *cfg,
                       ed__service_t **out);
void ed__service_destroy(ed__service_t *s);

/* One HTTP request, as parsed by the transport (all borrowed). Header values
 * are NULL when absent. */
typedef struct ed__sim_request_s {
  const char *method; /* "GET", "HEAD", "POST", "PATCH", "PUT", "DELETE" */
  const char *path;   /* path without query, percent-decoded */
  const char *authorization; /* Authorization header */
  const char *auth_token;    /* X-Auth-Token header */
  const char *if_match;      /* If-Match header */
  const char *if_none_match; /* If-None-Match header */
  const char *content_type;
  const char *body;
  size_t body_len;
} ed__sim_request_t;

/* The answer. The transport adds Content-Length, Content-Type
 * (application/json; charset=utf-8 when body is set), OData-Version: 4.0,
 * Connection, Date. Free with ed__sim_response_free. */
typedef struct ed__sim_response_s {
  int status;
  char *body; /* malloc'd JSON text, or NULL (e.g. 204) */
  size_t body_len;
  char *location;     /* Location header, or NULL */
  char *auth_token;   /* X-Auth-Token header, or NULL (a secret: never log) */
  char *etag;         /* ETag header, or NULL */
  char *allow;        /* Allow header (405), or NULL */
  int retry_after_s;  /* Retry-After header when > 0 */
  int64_t go_down_ms; /* > 0: after sending this answer, the BMC stops
                         answering (connections refused) for this long, then
                         comes back with its state (Manager.Reset) */
} ed__sim_response_t;

/* Answer req at time now_ms (monotonic ms). Always fills resp (errors are
 * Redfish error bodies); returns 0, or ED_ENOMEM (then resp is a bare 500).
 * resp need not be initialised; the caller frees it with
 * ed__sim_response_free. HEAD is answered like GET, body included, so the
 * transport can send its Content-Length and drop the body. A 304 (matching
 * If-None-Match) has an ETag and no body. Manager.Reset keeps sessions,
 * overlay, power and SEL: "state preserved". */
int ed__service_handle(ed__service_t *s, const ed__sim_request_t *req,
                       int64_t now_ms, ed__sim_response_t *resp);
void ed__sim_response_free(ed__sim_response_t *resp);

/* Build a Redfish error answer: status, a message id such as
 * "Base.1.8.GeneralError", and a human message (never a secret). Used by the
 * transport for fault-injected errors and 503s too. resp is overwritten
 * without being freed (pass a fresh or freed one). 0 or ED_ENOMEM. */
int ed__sim_error_response(ed__sim_response_t *resp, int status,
                           const char *message_id, const char *message);

/* Current power state of the service's first system ("On", "Off",
 * "PoweringOn", "PoweringOff") at now_ms, for the control channel and
 * tests. Borrowed static string. */
const char *ed__service_power_state(ed__service_t *s, int64_t now_ms);

/* Approximate heap bytes this service owns beyond the shared template (its
 * changed state), for the memory figures. */
size_t ed__service_footprint(const ed__service_t *s);

#endif
