/*
 * session: authentication of a target. Basic: a fixed Authorization line.
 * Session: POST /redfish/v1/SessionService/Sessions at start, X-Auth-Token on
 * every request, DELETE of the session at stop, and one re-login shared by all
 * the requests that got a 401 meanwhile, each then re-sent once.
 * The secret is only ever held in buffers wiped before they are freed.
 */
#ifndef ED_REDFISH_SESSION_H
#define ED_REDFISH_SESSION_H

#include "redfish.h"

/* Build t->auth_line for basic auth from t->user / t->secret. 0 or -ENOMEM. */
int ed__rf_session_basic(ed__rf_target_t *t);

/* Create a session; cb once with ED_ERRCLASS_NONE or the failure's class and
 * reason. Returns 0, or <0 when nothing was started (cb not called). */
int ed__rf_session_login(ed__rf_target_t *t, ed__rf_auth_cb cb);
/* Basic auth: check the credentials with one authenticated GET; cb once. */
int ed__rf_session_check_basic(ed__rf_target_t *t, ed__rf_auth_cb cb);

/* Delete the session if there is one; cb once (also when nothing was to be
 * done). Returns 0 or <0 (cb not called). */
int ed__rf_session_logout(ed__rf_target_t *t, ed__rf_auth_cb cb);

/* A request carried by x got a 401 (session auth, not re-sent yet): re-send it
 * after a re-login, or fail it as auth when the re-login fails. */
/* No login again for the rest of the run on t (why: the refusal), said
 * once in the log. */
void ed__rf_session_stop_relogin(ed__rf_target_t *t, const char *why);
void ed__rf_session_on_401(ed__rf_xfer_t *x);

/* JSON string literal of s (with quotes) appended to out[*len..cap). Returns
 * 0 or -ENOSPC. Public for the unit tests. */
int ed__rf_json_quote(char *out, size_t cap, size_t *len, const char *s);

/* Base64 of in[0..n) into out (NUL-terminated). 0 or -ENOSPC. */
int ed__rf_base64(const unsigned char *in, size_t n, char *out, size_t cap);

#endif
