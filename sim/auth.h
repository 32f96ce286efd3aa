/*
 * auth: HTTP Basic credentials and Redfish sessions of one virtual BMC.
 *
 * Secrets (passwords, tokens) are compared in constant time and never
 * leave this module except as the X-Auth-Token of the answer that creates
 * a session. Nothing here logs.
 */
#ifndef ED_SIM_AUTH_H
#define ED_SIM_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ED__SESSION_ID_LEN 16    /* hex characters */
#define ED__SESSION_TOKEN_LEN 32 /* hex characters: 128 random bits */

typedef struct ed__session_s {
  char id[ED__SESSION_ID_LEN + 1];
  char token[ED__SESSION_TOKEN_LEN + 1];
  int64_t last_ms; /* last use, for idle expiry */
} ed__session_t;

/* The live sessions of a BMC; caller-allocated (_init/_close). */
typedef struct ed__sessions_s {
  ed__session_t *v; /* owned */
  size_t n, cap;
} ed__sessions_t;

/* Equal lengths and bytes, in time that depends only on the lengths. */
bool ed__ct_equal(const char *a, size_t alen, const char *b, size_t blen);

/* true when authorization is "Basic <base64 of user:password>" with exactly
 * these credentials (all borrowed). */
bool ed__auth_basic_ok(const char *authorization, const char *user,
                       const char *password);

void ed__sessions_init(ed__sessions_t *ss);
void ed__sessions_close(ed__sessions_t *ss);
/* Forget sessions idle for timeout_ms or more. */
void ed__sessions_expire(ed__sessions_t *ss, int64_t now_ms,
                         int64_t timeout_ms);
/* New session with random id and token (getrandom). *out is borrowed, valid
 * until the next call that changes ss. ED_ERANGE when max are live, ED_EIO
 * if the kernel gives no randomness, ED_ENOMEM. */
int ed__sessions_create(ed__sessions_t *ss, int64_t now_ms, size_t max,
                        ed__session_t **out);
/* The live session with this token, its idle clock restarted; NULL if none
 * (expired ones are dropped first). Every session is compared, in constant
 * time, so timing tells nothing about tokens. */
ed__session_t *ed__sessions_use(ed__sessions_t *ss, const char *token,
                                int64_t now_ms, int64_t timeout_ms);
/* The session with this id (id_len bytes), or NULL. */
ed__session_t *ed__sessions_find(ed__sessions_t *ss, const char *id,
                                 size_t id_len);
/* End the session with this id; ED_ENOTFOUND if none. */
int ed__sessions_delete(ed__sessions_t *ss, const char *id, size_t id_len);
/* Heap bytes owned. */
size_t ed__sessions_footprint(const ed__sessions_t *ss);

#endif
