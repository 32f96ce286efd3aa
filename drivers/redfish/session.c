/* session: see session.h. */
#include "session.h"

/* A resource every Redfish service has and guards. */
#define ED__RF_CHECK_PATH "/redfish/v1/Systems"
/* Bytes of a session token at most (services send some 16 to 64; a JSON
 * web token a few hundred). */
#define ED__RF_TOKEN_MAX 4096

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "path.h"
#include "response.h"
#include "xfer.h"

int ed__rf_base64(const unsigned char *in, size_t n, char *out, size_t cap) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if ((n + 2) / 3 * 4 + 1 > cap)
    return -ENOSPC;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < n)
      v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < n)
      v |= in[i + 2];
    out[o++] = tab[(v >> 18) & 63];
    out[o++] = tab[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? tab[v & 63] : '=';
  }
  out[o] = '\0';
  return 0;
}

int ed__rf_json_quote(char *out, size_t cap, size_t *len, const char *s) {
  size_t o = *len;
  if (o + 1 >= cap)
    return -ENOSPC;
  out[o++] = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    size_t n = 1;
    esc[0] = (char)*p;
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\';
      esc[1] = (char)*p;
      n = 2;
    } else if (*p < 0x20) {
      n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *p);
    }
    if (o + n + 2 > cap)
      return -ENOSPC;
    memcpy(out + o, esc, n);
    o += n;
  }
  out[o++] = '"';
  out[o] = '\0';
  *len = o;
  return 0;
}

int ed__rf_session_basic(ed__rf_target_t *t) {
  const char *u = t->user ? t->user : "", *p = t->secret ? t->secret : "";
  size_t ul = strlen(u), pl = strlen(p), n = ul + 1 + pl;
  size_t cap = 32 + (n + 2) / 3 * 4;
  char *pair = malloc(n + 1), *line = malloc(cap);
  int rc = -ENOMEM;
  if (pair && line) {
    memcpy(pair, u, ul);
    pair[ul] = ':';
    memcpy(pair + ul + 1, p, pl + 1);
    memcpy(line, "Authorization: Basic ", 21);
    rc = ed__rf_base64((unsigned char *)pair, n, line + 21, cap - 21);
  }
  ed__rf_wipe_free(pair);
  if (rc < 0) {
    ed__rf_wipe_free(line);
    return rc;
  }
  ed__rf_wipe_free(t->auth_line);
  t->auth_line = line;
  t->auth_gen++;
  return 0;
}

/* The login body {"UserName":..,"Password":..}, malloc()ed (wipe it). */
static char *login_body(const ed__rf_target_t *t) {
  const char *u = t->user ? t->user : "", *p = t->secret ? t->secret : "";
  size_t cap = 40 + 6 * (strlen(u) + strlen(p)), len = 0;
  char *b = malloc(cap);
  if (!b)
    return NULL;
  memcpy(b, "{\"UserName\":", 12);
  len = 12;
  int rc = ed__rf_json_quote(b, cap, &len, u);
  if (rc == 0 && len + 13 < cap) {
    memcpy(b + len, ",\"Password\":", 13);
    len += 12;
    rc = ed__rf_json_quote(b, cap, &len, p);
  }
  if (rc == 0 && len + 2 <= cap) {
    b[len++] = '}';
    b[len] = '\0';
    return b;
  }
  ed__rf_wipe_free(b);
  return NULL;
}

/* The one authentication exchange of a target in progress: its callback is
 * taken back when the exchange ends, and set only once it has started. */
static ed__rf_auth_cb take_auth(ed__rf_target_t *t) {
  ed__rf_auth_cb cb = t->auth_cb;
  t->auth_cb = NULL;
  t->auth_x = NULL;
  return cb;
}

static int begin_auth(ed__rf_target_t *t, ed__rf_xfer_t *x, int rc,
                      ed__rf_auth_cb cb) {
  if (rc < 0 && x)
    ed__rf_xfer_put(x);
  if (rc == 0) {
    t->auth_cb = cb;
    t->auth_x = x;
  }
  return rc;
}

/* Whether the token a login answered with can be sent back as it is: not
 * blank, not over-long, visible ASCII only (a control character, CR or LF
 * above all, would write headers of its own into every request); the
 * line's end and spaces after the token are cut off tok. The reason names
 * the place and the byte, never the token. */
static int token_bad(const ed__rf_xfer_t *x, char *tok, char *detail,
                     size_t cap) {
  size_t n = strlen(tok);
  if (x->token_byte) {
    snprintf(detail, cap,
             "session login: X-Auth-Token holds a control character (0x%02x) "
             "at byte %zu of its line's value: refused",
             (unsigned)(x->token_byte - 1), x->token_at + 1);
    return 1;
  }
  while (n > 0 && (tok[n - 1] == '\r' || tok[n - 1] == ' ' ||
                   tok[n - 1] == '\t')) /* the line's end, spaces */
    tok[--n] = '\0';
  if (n == 0) {
    snprintf(detail, cap,
             "session login: empty or blank X-Auth-Token: refused");
    return 1;
  }
  if (n > ED__RF_TOKEN_MAX) {
    snprintf(detail, cap,
             "session login: X-Auth-Token of %zu bytes, more than %d: refused",
             n, ED__RF_TOKEN_MAX);
    return 1;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char b = (unsigned char)tok[i];
    if (b <= 0x20 || b >= 0x7f) {
      snprintf(detail, cap,
               "session login: X-Auth-Token holds %s (0x%02x) at byte %zu: "
               "refused",
               b < 0x20 || b == 0x7f ? "a control character"
               : b == 0x20           ? "a space"
                                     : "a non-ASCII byte",
               b, i + 1);
      return 1;
    }
  }
  return 0;
}

static void login_done(ed__rf_xfer_t *x, CURLcode rc) {
  ed__rf_target_t *t = x->t;
  ed__rf_auth_cb cb = take_auth(t);
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  char detail[CURL_ERROR_SIZE + 64];
  detail[0] = '\0';
  if (err != ED_ERRCLASS_NONE) {
    snprintf(detail, sizeof(detail), "session login: %s",
             x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  } else if (status < 200 || status > 299) {
    err = ed__rf_status_class(status, 201);
    if (err == ED_ERRCLASS_HTTP_4XX)
      err = ED_ERRCLASS_AUTH;
    snprintf(detail, sizeof(detail), "session login refused: HTTP %ld", status);
  } else {
    char *tok = ed__rf_xfer_header(x, "X-Auth-Token");
    char *loc = ed__rf_xfer_header(x, "Location");
    const char *path = loc ? ed__rf_path_of(loc) : NULL;
    for (const char *q = path; q && *q; q++)
      if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
        path = NULL; /* no such session to delete: a URL holds no such byte */
    if (!tok || !tok[0]) {
      err = ED_ERRCLASS_AUTH;
      snprintf(detail, sizeof(detail), "session login: no X-Auth-Token");
    } else if (token_bad(x, tok, detail, sizeof(detail))) {
      err = ED_ERRCLASS_AUTH; /* never sent: it would break the requests */
    } else {
      char *line = ed__rf_concat("X-Auth-Token: ", tok);
      ed__rf_wipe_free(t->auth_line);
      t->auth_line = line;
      t->auth_gen++;
      free(t->session_path);
      t->session_path = path ? strdup(path) : NULL;
      if (!line)
        err = ED_ERRCLASS_OTHER;
    }
    ed__rf_wipe_free(tok);
    free(loc);
  }
  ed__rf_xfer_put(x);
  cb(t, err, detail[0] ? detail : NULL);
}

int ed__rf_session_login(ed__rf_target_t *t, ed__rf_auth_cb cb) {
  ed__rf_xfer_t *x = ed__rf_xfer_get(t);
  char *body = login_body(t);
  char *url = ed__rf_concat(t->base, ED__RF_LOGIN_PATH);
  int rc = -ENOMEM;
  if (x && body && url) {
    x->aux = body; /* lives as long as the transfer, wiped by put */
    body = NULL;
    rc = ed__rf_xfer_setup(x, "POST", url, x->aux, strlen(x->aux), 0, NULL);
    if (rc == 0)
      rc = ed__rf_xfer_start(x, 0, login_done);
  }
  free(url);
  ed__rf_wipe_free(body);
  return begin_auth(t, x, rc, cb);
}

/* With basic auth nothing is sent at start, so a wrong password would only
 * show in the first requests: ask once for a resource that needs
 * authentication (the Systems collection, present on every service). The
 * question goes over a kept-alive connection (conn.h), the one the first
 * requests then use: through libcurl it would leave a second connection,
 * idle for the whole run, and a curl multi per target. */
static void check_done(ed__rf_xfer_t *x, CURLcode rc) {
  ed__rf_target_t *t = x->t;
  ed__rf_auth_cb cb = take_auth(t);
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  char detail[CURL_ERROR_SIZE + 64] = "";
  if (err != ED_ERRCLASS_NONE) {
    snprintf(detail, sizeof(detail), "credentials check: %s",
             x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  } else if (status == 401 || status == 403) {
    err = ED_ERRCLASS_AUTH;
    snprintf(detail, sizeof(detail), "credentials refused: HTTP %ld on GET %s",
             status, ED__RF_CHECK_PATH);
  }
  if (x->op) {
    ed__rf_op_free(t, x->op);
    x->op = NULL;
  }
  ed__rf_xfer_put(x);
  cb(t, err, detail[0] ? detail : NULL);
}

int ed__rf_session_check_basic(ed__rf_target_t *t, ed__rf_auth_cb cb) {
  ed__rf_xfer_t *x = ed__rf_xfer_get(t);
  int rc = -ENOMEM;
  if (!x)
    return begin_auth(t, x, rc, cb);
  ed__rf_op_t *op = NULL;
  char why[200];
  if (ed__rf_prepare_get(t, ED__RF_CHECK_PATH, 0, &op, why, sizeof(why)) == 0 &&
      ed__rf_conn_eligible(op)) {
    x->op = op;
    rc = ed__rf_conn_send(x, 0, check_done);
  } else {
    if (op)
      ed__rf_op_free(t, op);
    char *url = ed__rf_concat(t->base, ED__RF_CHECK_PATH);
    if (url) {
      x->aux = url; /* lives as long as the transfer */
      rc = ed__rf_xfer_setup(x, "GET", x->aux, NULL, 0, 1, NULL);
      if (rc == 0)
        rc = ed__rf_xfer_start(x, 0, check_done);
    }
  }
  if (rc < 0 && x->op) {
    ed__rf_op_free(t, x->op);
    x->op = NULL;
  }
  return begin_auth(t, x, rc, cb);
}

static void logout_done(ed__rf_xfer_t *x, CURLcode rc) {
  ed__rf_target_t *t = x->t;
  ed__rf_auth_cb cb = take_auth(t);
  long status = ed__rf_xfer_status(x);
  ed_errclass_t err = ed__rf_curl_class(rc, status, x->too_large);
  char detail[CURL_ERROR_SIZE + 64] = "";
  if (err == ED_ERRCLASS_NONE)
    err = ed__rf_status_class(status, 0);
  if (err != ED_ERRCLASS_NONE)
    snprintf(detail, sizeof(detail), "session logout: %s",
             x->errbuf[0] ? x->errbuf : "HTTP error");
  ed__rf_xfer_put(x);
  ed__rf_wipe_free(t->auth_line);
  t->auth_line = NULL;
  t->auth_gen++;
  free(t->session_path);
  t->session_path = NULL;
  cb(t, err, detail[0] ? detail : NULL);
}

int ed__rf_session_logout(ed__rf_target_t *t, ed__rf_auth_cb cb) {
  if (!t->session_path || !t->auth_line) {
    cb(t, ED_ERRCLASS_NONE, NULL);
    return 0;
  }
  ed__rf_xfer_t *x = ed__rf_xfer_get(t);
  char *url = ed__rf_concat(t->base, t->session_path);
  int rc = -ENOMEM;
  if (x && url)
    rc = ed__rf_xfer_setup(x, "DELETE", url, NULL, 0, 1, NULL);
  if (rc == 0)
    rc = ed__rf_xfer_start(x, 0, logout_done);
  free(url); /* curl keeps its own copy of the URL */
  return begin_auth(t, x, rc, cb);
}

static void relogin_done(ed__rf_target_t *t, ed_errclass_t err,
                         const char *detail) {
  ed__rf_xfer_t *x = t->relogin_head;
  t->relogin_head = t->relogin_tail = NULL;
  t->relogging = 0;
  if (err != ED_ERRCLASS_NONE)
    ed__rf_log(ED_LOG_WARN, t, "re-login failed: %s", detail ? detail : "?");
  if (err == ED_ERRCLASS_AUTH)
    ed__rf_session_stop_relogin(t, detail ? detail : "re-login refused");
  while (x) {
    ed__rf_xfer_t *n = x->next;
    x->next = NULL;
    if (x->after_login)
      x->after_login(x, err, detail);
    else if (err == ED_ERRCLASS_NONE)
      ed__rf_send(x);
    else
      ed__rf_finish(x, ED_ERRCLASS_AUTH, 401, NULL, 0,
                    detail ? detail : "re-login failed");
    x = n;
  }
}

void ed__rf_session_stop_relogin(ed__rf_target_t *t, const char *why) {
  if (t->no_relogin)
    return;
  t->no_relogin = 1;
  snprintf(t->no_relogin_why, sizeof(t->no_relogin_why), "%s", why);
  ed__rf_log(ED_LOG_WARN, t,
             "no more logins in this run (%s): each refused request now "
             "fails at once",
             why);
}

void ed__rf_session_on_401(ed__rf_xfer_t *x) {
  ed__rf_target_t *t = x->t;
  x->retried = 1;
  if (t->no_relogin) {
    char why[300];
    snprintf(why, sizeof(why), "HTTP 401; not logging in again in this run: %s",
             t->no_relogin_why);
    if (x->after_login)
      x->after_login(x, ED_ERRCLASS_AUTH, why);
    else
      ed__rf_finish(x, ED_ERRCLASS_AUTH, 401, NULL, 0, why);
    return;
  }
  if (x->sent_gen != t->auth_gen && !t->relogging) {
    /* sent with a token already replaced */
    if (x->after_login)
      x->after_login(x, ED_ERRCLASS_NONE, NULL);
    else
      ed__rf_send(x);
    return;
  }
  ed__rf_queue_push(&t->relogin_head, &t->relogin_tail, x);
  if (t->relogging)
    return;
  t->relogging = 1;
  if (ed__rf_session_login(t, relogin_done) < 0)
    relogin_done(t, ED_ERRCLASS_OTHER, "re-login could not start");
}
