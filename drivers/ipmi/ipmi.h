/*
 * ipmi: the driver's internal types shared by its modules (ipmi.c: the
 * descriptor, targets and operations; session.c: the bounded pool of RMCP+
 * sessions; ops.c: the IPMI commands; util.c: pure helpers, unit-tested).
 * Nothing here is exported from the shared object.
 */
#ifndef ED_IPMI_IPMI_H
#define ED_IPMI_IPMI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <freeipmi/freeipmi.h>
#include <jansson.h>

#include "eventdrill/driver.h"

/* Target options, filled by the core from the scenario (strings are the
 * core's, valid until target_close). */
typedef struct {
  char *host;      /* "127.0.0.1:9623": FreeIPMI takes the port here */
  char *privilege; /* "user", "operator", "admin" */
  int64_t cipher;  /* RMCP+ cipher suite id */
  int allow_cipher_0;
  int64_t session_timeout_ms;
  int64_t retransmission_timeout_ms;
  char *workarounds; /* JSON array of FreeIPMI workaround names */
  int64_t max_sessions;
} ed__ipmi_topts_t;

/* Arguments of the operations (each op's table uses some of them). */
typedef struct {
  char *action; /* power */
  char *name;   /* sensors */
  char *type;   /* sensors */
} ed__ipmi_args_t;

enum {
  ED__IPMI_POWER_STATUS,
  ED__IPMI_POWER,
  ED__IPMI_SENSORS,
  ED__IPMI_SEL_COUNT,
  ED__IPMI_SEL_LIST,
  ED__IPMI_SEL_CLEAR,
  ED__IPMI_DEVICE_ID
};

/* A prepared operation, owned by the driver, freed by op_free. */
typedef struct {
  int kind;
  int read_only;
  uint8_t control; /* power: IPMI_CHASSIS_CONTROL_* */
  char *name;      /* sensors: one sensor by name, or NULL */
  char *type;      /* sensors: a sensor type filter, or NULL */
} ed__ipmi_op_t;

/* What went wrong in one operation. */
typedef struct {
  ed_errclass_t err;
  int code;         /* IPMI completion code, or -1 when none */
  int reopen;       /* the session is unusable: close it, open a new one */
  char detail[256]; /* never holds a secret */
} ed__ipmi_err_t;

/* One SDR record kept in memory (read once per target). */
typedef struct {
  uint8_t buf[IPMI_SDR_MAX_RECORD_LENGTH];
  unsigned len;
} ed__ipmi_sdr_rec_t;

typedef struct ed__ipmi_sess_s {
  ipmi_ctx_t ctx; /* NULL until opened */
  int busy;       /* used by one thread */
  /* Get Chassis Status response, created on the first power_status and
   * cleared for each next one: power_status is the read a load puts on a
   * BMC, and FreeIPMI builds an object field by field (owned, freed with
   * the session). */
  fiid_obj_t status_rs;
} ed__ipmi_sess_t;

/* Session settings of a target: its own copies (the password is wiped on
 * close). */
typedef struct {
  char *host;
  char *user;
  char *password;
  uint8_t privilege;
  uint8_t cipher;
  unsigned session_timeout_ms;
  unsigned retransmission_timeout_ms;
  unsigned workaround_flags;
} ed__ipmi_conf_t;

/* A target: a bounded pool of sessions, each used by one thread at a time. */
typedef struct {
  char *name;
  ed__ipmi_conf_t conf;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ed__ipmi_sess_t *sess;
  int nsess;
  unsigned long opens; /* sessions opened so far (for the logs) */
  /* Set (under mu) when the BMC refused the credentials: no session is
   * opened again for the rest of the run, so that one wrong password costs
   * one refused login, not one per request (a BMC locks the account or runs
   * out of sessions after a burst of them). */
  int refused;
  char refusal[256]; /* why, as the first refusal said it */
  /* SDR repository, read on the first "sensors" operation. */
  pthread_mutex_t sdr_mu;
  ed__ipmi_sdr_rec_t *sdr;
  size_t nsdr;
  int sdr_loaded;
} ed__ipmi_target_t;

/* ---- util.c: pure helpers --------------------------------------------- */

/* Each returns 0, or -1 with a reason in err. */
int ed__ipmi_parse_privilege(const char *s, uint8_t *out, char *err,
                             size_t len);
const char *ed__ipmi_privilege_name(uint8_t level);
int ed__ipmi_parse_workarounds(const char *json, unsigned *flags, char *err,
                               size_t len);
int ed__ipmi_check_host(const char *host, char *err, size_t len);
int ed__ipmi_check_cipher(int64_t id, int allow_cipher_0, char *err,
                          size_t len);
int ed__ipmi_check_timeouts(int64_t session_ms, int64_t retrans_ms, char *err,
                            size_t len);
int ed__ipmi_parse_power(const char *s, uint8_t *control, char *err,
                         size_t len);

/* Maps a FreeIPMI ipmi_ctx error number to the SDK's classes; sets
 * e->err, e->reopen and a first detail. privilege names the level asked
 * for (for "insufficient privilege"). */
void ed__ipmi_classify(int ipmi_errnum, const char *privilege,
                       ed__ipmi_err_t *e);
/* Fills e for a command answered with a completion code cc (not 0). */
void ed__ipmi_completion(uint8_t cmd, uint8_t netfn, uint8_t cc,
                         ed__ipmi_err_t *e);

/* Values, as compact JSON text allocated with malloc (the caller frees). */
char *ed__ipmi_json_text(json_t *v); /* steals v */
json_t *ed__ipmi_number(double x);   /* integral values as integers */
const char *ed__ipmi_threshold_state(uint16_t bitmask);
json_t *ed__ipmi_sel_entry(const uint8_t *rec, size_t len);
json_t *ed__ipmi_device_id(unsigned device_id, unsigned revision,
                           unsigned fw_major, unsigned fw_minor,
                           unsigned ipmi_major, unsigned ipmi_minor,
                           unsigned manufacturer, unsigned product);

/* ---- session.c -------------------------------------------------------- */

/* Waits up to wait_ms (0: no bound) for a free session, opens it if it is
 * not open. Returns the session, or NULL with e filled. */
ed__ipmi_sess_t *ed__ipmi_acquire(ed__ipmi_target_t *t, int64_t wait_ms,
                                  ed__ipmi_err_t *e, int *fresh);
/* Gives the session back; closes it first when broken. */
void ed__ipmi_release(ed__ipmi_target_t *t, ed__ipmi_sess_t *s, int broken);
/* Closes every session (logs out) and wipes the password. */
void ed__ipmi_pool_close(ed__ipmi_target_t *t);

/* ---- ops.c ------------------------------------------------------------ */

/* Runs op on an open session, held by the calling thread. Returns 0 and
 * *value (malloc'd JSON text, may stay NULL), or -1 with e filled. */
int ed__ipmi_run(ed__ipmi_target_t *t, ed__ipmi_sess_t *s,
                 const ed__ipmi_op_t *op, char **value, ed__ipmi_err_t *e);

void ed__ipmi_log(int level, const ed__ipmi_target_t *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- ipmi.c, for collect.c -------------------------------------------- */

/* The host's loop (NULL before init). */
uv_loop_t *ed__ipmi_loop(void);
/* The driver's submit_blocking and op_free. */
void ed__ipmi_submit_blocking(void *target, ed_request_t *req,
                              ed_result_t *res);
void ed__ipmi_op_free(void *target, void *prepared);
/* collect.c: the BMC's health snapshot (driver.h's collect). */
int ed__ipmi_collect(void *target, ed_collect_t *c);

#endif
