/*
 * credentials: resolve a credentials reference into a user and a secret.
 * A scenario never holds a secret, only where to find it:
 *   "env:NAME"    the environment variable NAME holds "user:secret"
 *   "file:PATH"   the first line of PATH holds "user:secret"; the file must
 *                 belong to the user running eventdrill and be readable by
 *                 nobody else (mode 0600 or 0400), like ssh keys.
 */
#ifndef ED_CREDENTIALS_H
#define ED_CREDENTIALS_H

#include <stddef.h>

typedef struct ed_credentials_s {
  char *user;   /* owned */
  char *secret; /* owned; wiped by ed_credentials_close */
} ed_credentials_t;

/* Resolve ref. On error returns <0 and a reason in errbuf that never
 * contains the secret. */
int ed_credentials_resolve(const char *ref, ed_credentials_t *out, char *errbuf,
                           size_t errlen);
/* Read the first line of path (no newline) into buf, len bytes, with the
 * same rules as "file:" references: a regular file, not a link, of the
 * user running eventdrill, that nobody else may read or change. 0, or <0
 * with the reason in errbuf (a first line that does not fit is refused,
 * never cut). The caller wipes buf. */
int ed_credentials_read_line(const char *path, char *buf, size_t len,
                             char *errbuf, size_t errlen);
/* Wipe and free. */
void ed_credentials_close(ed_credentials_t *c);
/* Fill buf with a random password of len-1 characters (for the built-in
 * simulator's accounts). 0 or ED_EIO. */
int ed_credentials_random(char *buf, size_t len);

#endif
