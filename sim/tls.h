/*
 * tls: server-side TLS with OpenSSL memory BIOs, so the libuv loop moves the
 * bytes and OpenSSL never touches a socket. The connection feeds ciphertext
 * it read, reads plaintext out, writes plaintext in and drains the
 * ciphertext to send.
 */
#ifndef ED_SIM_TLS_H
#define ED_SIM_TLS_H

#include <stddef.h>

typedef struct ed__tls_ctx_s ed__tls_ctx_t;
typedef struct ed__tls_s ed__tls_t;

/* A server context from PEM files: cert (may hold the chain), key, and an
 * optional ca file of extra chain certificates (NULL = none). Paths are
 * borrowed. On error returns <0 with a message naming the file in errbuf. */
int ed__tls_ctx_create(const char *cert, const char *key, const char *ca,
                       ed__tls_ctx_t **out, char *errbuf, size_t errlen);
void ed__tls_ctx_destroy(ed__tls_ctx_t *ctx);

/* One connection's TLS state on ctx (borrowed; must outlive it). */
int ed__tls_create(ed__tls_ctx_t *ctx, ed__tls_t **out);
void ed__tls_destroy(ed__tls_t *t);

/* Hand over ciphertext read from the socket. 0 or ED_ENOMEM. */
int ed__tls_feed(ed__tls_t *t, const char *data, size_t len);
/* Decrypt into buf: >0 bytes, 0 when more input is needed (the handshake
 * may have produced output to drain), <0 on a fatal error or a close. */
int ed__tls_read(ed__tls_t *t, char *buf, size_t cap);
/* Encrypt len bytes of plaintext. 0 or <0 (ED_EIO). */
int ed__tls_write(ed__tls_t *t, const char *data, size_t len);
/* Ciphertext waiting to be sent, and taking up to cap bytes of it into buf
 * (returns the count). */
size_t ed__tls_pending(ed__tls_t *t);
size_t ed__tls_drain(ed__tls_t *t, char *buf, size_t cap);

#endif
