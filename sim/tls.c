/* tls: see tls.h. */
#include "tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

struct ed__tls_ctx_s {
  SSL_CTX *ctx;
};

struct ed__tls_s {
  SSL *ssl;
  BIO *rbio; /* ciphertext in (owned by ssl) */
  BIO *wbio; /* ciphertext out (owned by ssl) */
};

/* The last OpenSSL error as text, for a message naming the file. */
static void ossl_reason(char *buf, size_t len) {
  unsigned long e = ERR_get_error();
  if (e == 0)
    snprintf(buf, len, "unknown OpenSSL error");
  else
    ERR_error_string_n(e, buf, len);
  ERR_clear_error();
}

static int load_chain(SSL_CTX *ctx, const char *ca, char *errbuf,
                      size_t errlen) {
  FILE *f = fopen(ca, "r");
  if (!f) {
    snprintf(errbuf, errlen, "tls.ca: cannot open %s", ca);
    return ED_EIO;
  }
  X509 *x;
  int n = 0;
  while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    /* add0 takes x on success. */
    if (!SSL_CTX_add0_chain_cert(ctx, x)) {
      X509_free(x);
      break;
    }
    n++;
  }
  fclose(f);
  ERR_clear_error(); /* the end-of-file "no start line" */
  if (n == 0) {
    snprintf(errbuf, errlen, "tls.ca: no certificate in %s", ca);
    return ED_EPARSE;
  }
  return 0;
}

int ed__tls_ctx_create(const char *cert, const char *key, const char *ca,
                       ed__tls_ctx_t **out, char *errbuf, size_t errlen) {
  char why[256];
  ed__tls_ctx_t *c = calloc(1, sizeof(*c));
  if (!c || !(c->ctx = SSL_CTX_new(TLS_server_method()))) {
    free(c);
    snprintf(errbuf, errlen, "tls: cannot create an OpenSSL context");
    return ED_ENOMEM;
  }
  SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
  int rc = 0;
  if (SSL_CTX_use_certificate_chain_file(c->ctx, cert) != 1) {
    ossl_reason(why, sizeof(why));
    snprintf(errbuf, errlen, "tls.cert: cannot load %s: %s", cert, why);
    rc = ED_EIO;
  } else if (SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM) != 1) {
    ossl_reason(why, sizeof(why));
    snprintf(errbuf, errlen, "tls.key: cannot load %s: %s", key, why);
    rc = ED_EIO;
  } else if (SSL_CTX_check_private_key(c->ctx) != 1) {
    snprintf(errbuf, errlen, "tls.key: %s does not match the certificate %s",
             key, cert);
    rc = ED_EINVAL;
  } else if (ca && *ca) {
    rc = load_chain(c->ctx, ca, errbuf, errlen);
  }
  if (rc < 0) {
    ERR_clear_error();
    ed__tls_ctx_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

void ed__tls_ctx_destroy(ed__tls_ctx_t *ctx) {
  if (!ctx)
    return;
  SSL_CTX_free(ctx->ctx);
  free(ctx);
}

int ed__tls_create(ed__tls_ctx_t *ctx, ed__tls_t **out) {
  ed__tls_t *t = calloc(1, sizeof(*t));
  if (!t)
    return ED_ENOMEM;
  t->ssl = SSL_new(ctx->ctx);
  t->rbio = BIO_new(BIO_s_mem());
  t->wbio = BIO_new(BIO_s_mem());
  if (!t->ssl || !t->rbio || !t->wbio) {
    SSL_free(t->ssl);
    BIO_free(t->rbio);
    BIO_free(t->wbio);
    free(t);
    return ED_ENOMEM;
  }
  /* An empty read BIO means "want more", not end of file. */
  BIO_set_mem_eof_return(t->rbio, -1);
  SSL_set_bio(t->ssl, t->rbio, t->wbio);
  SSL_set_accept_state(t->ssl);
  *out = t;
  return 0;
}

void ed__tls_destroy(ed__tls_t *t) {
  if (!t)
    return;
  SSL_free(t->ssl); /* frees both BIOs */
  free(t);
}

int ed__tls_feed(ed__tls_t *t, const char *data, size_t len) {
  while (len > 0) {
    int chunk = len > 1 << 30 ? 1 << 30 : (int)len;
    int n = BIO_write(t->rbio, data, chunk);
    if (n <= 0)
      return ED_ENOMEM;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

int ed__tls_read(ed__tls_t *t, char *buf, size_t cap) {
  int n = SSL_read(t->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
  if (n > 0)
    return n;
  int e = SSL_get_error(t->ssl, n);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
    return 0;
  ERR_clear_error(); /* a client's bad handshake is not ours to keep */
  return ED_EIO;
}

int ed__tls_write(ed__tls_t *t, const char *data, size_t len) {
  while (len > 0) {
    int chunk = len > 1 << 30 ? 1 << 30 : (int)len;
    int n = SSL_write(t->ssl, data, chunk);
    if (n <= 0) {
      ERR_clear_error();
      return ED_EIO;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

size_t ed__tls_pending(ed__tls_t *t) {
  return BIO_ctrl_pending(t->wbio);
}

size_t ed__tls_drain(ed__tls_t *t, char *buf, size_t cap) {
  int n = BIO_read(t->wbio, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
  return n > 0 ? (size_t)n : 0;
}
