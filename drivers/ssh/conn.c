/*
 * conn: opening and dropping a connection's session, in its turn (on the
 * pool: ssh_connect, the key exchange, reading known_hosts and signing are
 * blocking calls, bounded by connect_timeout). Once authenticated, the
 * session is made non-blocking: its channels are then moved on by the
 * turn's non-blocking calls (turn.c, exec.c).
 *
 * Host keys are checked strictly: a key the known_hosts file does not have
 * is refused unless the target says accept_unknown_host_key, and a changed
 * key is always refused. An unknown key accepted at the first connection is
 * pinned for the rest of the run: a reconnection showing another one is
 * refused too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ssh.h"

uint64_t ed__ssh_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ed__ssh_drop(ed__ssh_conn_t *c) {
  if (c->event) {
    if (c->session)
      ssh_event_remove_session(c->event, c->session);
    ssh_event_free(c->event);
    c->event = NULL;
  }
  if (!c->session)
    return;
  if (ssh_is_connected(c->session))
    ssh_disconnect(c->session);
  ssh_free(c->session);
  c->session = NULL;
}

int ed__ssh_session_ok(const ed__ssh_conn_t *c) {
  return c->session && ssh_is_connected(c->session) &&
         !(ssh_get_status(c->session) & (SSH_CLOSED | SSH_CLOSED_ERROR));
}

/* "Connection refused", "Timeout connecting to …": the class of a failed
 * ssh_connect from libssh's message. */
static ed_errclass_t connect_class(const char *msg) {
  if (strstr(msg, "imeout") || strstr(msg, "timed out"))
    return ED_ERRCLASS_TIMEOUT;
  if (strstr(msg, "onnect") || strstr(msg, "resolve") ||
      strstr(msg, "unreachable") || strstr(msg, "Socket"))
    return ED_ERRCLASS_CONNECT;
  return ED_ERRCLASS_PROTOCOL;
}

static int set_options(ed__ssh_target_t *t, ssh_session s) {
  int no = 0, yes = 1;
  long sec = (long)(t->connect_timeout_ms / 1000);
  long usec = (long)(t->connect_timeout_ms % 1000) * 1000;
  unsigned port = (unsigned)t->port;
  int rc = 0;
  rc |= ssh_options_set(s, SSH_OPTIONS_HOST, t->host);
  rc |= ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  /* hermetic: no ~/.ssh/config, no /etc/ssh/ssh_config */
  rc |= ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
  rc |= ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  rc |= ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
  /* commands are small request/reply exchanges: without it, Nagle holds a
   * packet (a channel's CLOSE after its EOF, the next channel's OPEN)
   * until the server's delayed ACK, 40 ms later */
  rc |= ssh_options_set(s, SSH_OPTIONS_NODELAY, &yes);
  if (t->user)
    rc |= ssh_options_set(s, SSH_OPTIONS_USER, t->user);
  if (t->known_hosts) {
    /* the named file alone decides, not the system-wide one */
    rc |= ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, t->known_hosts);
    rc |= ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  }
  return rc == 0 ? 0 : -1;
}

/* The server's key type and SHA256 fingerprint ("SHA256:…"). */
static int server_key(ssh_session s, char *type, size_t tlen, char *fp,
                      size_t flen) {
  ssh_key key = NULL;
  unsigned char *hash = NULL;
  size_t hlen = 0;
  if (ssh_get_server_publickey(s, &key) != SSH_OK)
    return -1;
  int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen);
  const char *tn = ssh_key_type_to_char(ssh_key_type(key));
  snprintf(type, tlen, "%s", tn ? tn : "unknown-type");
  ssh_key_free(key);
  if (rc != 0)
    return -1;
  char *f = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
  ssh_clean_pubkey_hash(&hash);
  if (!f)
    return -1;
  snprintf(fp, flen, "%s", f);
  ssh_string_free_char(f);
  return 0;
}

static int check_host_key(ed__ssh_target_t *t, ssh_session s, char *errbuf,
                          size_t errlen) {
  char type[32], fp[128];
  if (server_key(s, type, sizeof(type), fp, sizeof(fp)) != 0) {
    snprintf(errbuf, errlen, "[%s]:%d: cannot read the server's host key: %s",
             t->host, t->port, ssh_get_error(s));
    return -1;
  }
  enum ssh_known_hosts_e known = ssh_session_is_known_server(s);
  switch (known) {
  case SSH_KNOWN_HOSTS_OK:
    return 0;
  case SSH_KNOWN_HOSTS_CHANGED:
  case SSH_KNOWN_HOSTS_OTHER:
    ed__ssh_hostkey_message(errbuf, errlen,
                            known == SSH_KNOWN_HOSTS_CHANGED
                                ? ED_SSH_HK_CHANGED
                                : ED_SSH_HK_OTHER_TYPE,
                            t->host, t->port, type, fp, t->known_hosts);
    return -1;
  case SSH_KNOWN_HOSTS_UNKNOWN:
  case SSH_KNOWN_HOSTS_NOT_FOUND:
    break;
  default:
    snprintf(errbuf, errlen, "[%s]:%d: cannot check the host key (%s %s): %s",
             t->host, t->port, type, fp, ssh_get_error(s));
    return -1;
  }
  if (!t->accept_unknown) {
    ed__ssh_hostkey_message(errbuf, errlen, ED_SSH_HK_UNKNOWN, t->host, t->port,
                            type, fp, t->known_hosts);
    return -1;
  }
  int first = 0, same = 1;
  pthread_mutex_lock(&t->mu);
  if (!t->pinned[0]) {
    snprintf(t->pinned, sizeof(t->pinned), "%s", fp);
    first = 1;
  } else {
    same = strcmp(t->pinned, fp) == 0;
  }
  pthread_mutex_unlock(&t->mu);
  if (!same) {
    ed__ssh_hostkey_message(errbuf, errlen, ED_SSH_HK_PIN_CHANGED, t->host,
                            t->port, type, fp, t->known_hosts);
    return -1;
  }
  if (first)
    ed__ssh_log(ED_LOG_WARN, t,
                "accept_unknown_host_key: accepted the unknown host key of "
                "[%s]:%d, %s %s, without verification (pinned for this run)",
                t->host, t->port, type, fp);
  return 0;
}

static const char *auth_name(int auth) {
  return auth == ED_SSH_AUTH_KEY     ? "key"
         : auth == ED_SSH_AUTH_AGENT ? "agent"
                                     : "password";
}

/* The private key, imported by the first connection (here, on the pool,
 * as a passphrase-protected key costs a key derivation); with key_mu held.
 * The passphrase is the core's and is never copied. */
static int import_key(ed__ssh_target_t *t, char *errbuf, size_t errlen) {
  const char *pass = t->passphrase && t->passphrase[0] ? t->passphrase : NULL;
  if (t->key)
    return 0;
  if (ssh_pki_import_privkey_file(t->key_file, pass, NULL, NULL, &t->key) ==
      SSH_OK)
    return 0;
  t->key = NULL;
  snprintf(errbuf, errlen,
           "cannot read the private key %s (missing, not a private key, or "
           "%s)",
           t->key_file,
           pass ? "a wrong passphrase in the credentials"
                : "protected by a passphrase: give it as the credentials' "
                  "secret");
  return -1;
}

/* 0; -2 when the server refused the credentials; -1 for anything else (a
 * key that cannot be read, a connection lost). */
static int authenticate(ed__ssh_target_t *t, ssh_session s, char *errbuf,
                        size_t errlen) {
  int rc;
  switch (t->auth) {
  case ED_SSH_AUTH_KEY:
    pthread_mutex_lock(&t->key_mu);
    if (import_key(t, errbuf, errlen) != 0) {
      pthread_mutex_unlock(&t->key_mu);
      return -1;
    }
    rc = ssh_userauth_publickey(s, NULL, t->key);
    pthread_mutex_unlock(&t->key_mu);
    break;
  case ED_SSH_AUTH_AGENT:
    rc = ssh_userauth_agent(s, NULL);
    break;
  default:
    rc = ssh_userauth_password(s, NULL, t->password);
    break;
  }
  if (rc == SSH_AUTH_SUCCESS)
    return 0;
  char user[128] = "";
  if (t->user)
    snprintf(user, sizeof(user), "%s@", t->user);
  if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL) {
    snprintf(errbuf, errlen, "%s[%s]:%d refused %s authentication%s%s%s", user,
             t->host, t->port, auth_name(t->auth),
             t->auth == ED_SSH_AUTH_KEY ? " with " : "",
             t->auth == ED_SSH_AUTH_KEY ? t->key_file : "",
             rc == SSH_AUTH_PARTIAL ? " (more methods required)" : "");
    return -2; /* the server said no: remembered */
  }
  snprintf(errbuf, errlen, "%s[%s]:%d: %s authentication failed: %s", user,
           t->host, t->port, auth_name(t->auth), ssh_get_error(s));
  return -1;
}

/* The authenticated session, made non-blocking: from now on only turns
 * move it on, polling it through an ssh_event. */
static int go_nonblocking(ed__ssh_conn_t *c, ssh_session s) {
  ssh_set_blocking(s, 0);
  c->event = ssh_event_new();
  if (!c->event || ssh_event_add_session(c->event, s) != SSH_OK) {
    if (c->event)
      ssh_event_free(c->event);
    c->event = NULL;
    return -1;
  }
  memset(&c->rx, 0, sizeof(c->rx));
  ssh_set_counters(s, NULL, &c->rx);
  return 0;
}

/* A refusal already seen: said again without a new login. 1 when so. */
static int refused_before(ed__ssh_target_t *t, char *errbuf, size_t errlen) {
  pthread_mutex_lock(&t->mu);
  int yes = t->refused[0] != 0;
  if (yes)
    snprintf(errbuf, errlen, "%s (refused once: no new login this run)",
             t->refused);
  pthread_mutex_unlock(&t->mu);
  return yes;
}

static void remember_refusal(ed__ssh_target_t *t, const char *why) {
  pthread_mutex_lock(&t->mu);
  if (!t->refused[0])
    snprintf(t->refused, sizeof(t->refused), "%s", why);
  pthread_mutex_unlock(&t->mu);
}

int ed__ssh_connect(ed__ssh_target_t *t, ed__ssh_conn_t *c, ed_errclass_t *cls,
                    char *errbuf, size_t errlen) {
  ed__ssh_drop(c);
  if (refused_before(t, errbuf, errlen)) {
    *cls = ED_ERRCLASS_AUTH;
    return -1;
  }
  ssh_session s = ssh_new();
  if (!s || set_options(t, s) != 0) {
    snprintf(errbuf, errlen, "cannot set up an SSH session for [%s]:%d",
             t->host, t->port);
    *cls = ED_ERRCLASS_OTHER;
    ssh_free(s);
    return -1;
  }
  if (ssh_connect(s) != SSH_OK) {
    const char *m = ssh_get_error(s);
    *cls = connect_class(m);
    snprintf(errbuf, errlen, "[%s]:%d: %s", t->host, t->port, m);
    ssh_free(s);
    return -1;
  }
  /* tls: the peer's identity could not be verified, as for a certificate */
  *cls = ED_ERRCLASS_TLS;
  int rc = check_host_key(t, s, errbuf, errlen);
  if (rc == 0) {
    *cls = ED_ERRCLASS_AUTH;
    rc = authenticate(t, s, errbuf, errlen);
    if (rc == -2)
      remember_refusal(t, errbuf);
  }
  if (rc == 0 && go_nonblocking(c, s) != 0) {
    *cls = ED_ERRCLASS_OTHER;
    snprintf(errbuf, errlen, "[%s]:%d: out of memory", t->host, t->port);
    rc = -1;
  }
  if (rc != 0) {
    ssh_disconnect(s);
    ssh_free(s);
    return -1;
  }
  c->session = s;
  pthread_mutex_lock(&t->mu);
  t->connects++;
  pthread_mutex_unlock(&t->mu);
  return 0;
}
