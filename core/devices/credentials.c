#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* A plain memset before free may be optimised away. */
static void wipe(char *p) {
  if (!p)
    return;
  explicit_bzero(p, strlen(p));
}

static int split_user_secret(const char *text, size_t len,
                             ed_credentials_t *out) {
  const char *colon = memchr(text, ':', len);
  if (!colon || colon == text || colon + 1 == text + len)
    return ED_EINVAL;
  out->user = strndup(text, (size_t)(colon - text));
  out->secret = strndup(colon + 1, len - (size_t)(colon - text) - 1);
  if (!out->user || !out->secret) {
    ed_credentials_close(out);
    return ED_ENOMEM;
  }
  return 0;
}

static int from_env(const char *name, ed_credentials_t *out, char *errbuf,
                    size_t errlen) {
  const char *v = getenv(name);
  if (!v) {
    snprintf(errbuf, errlen, "environment variable %s is not set", name);
    return ED_ENOTFOUND;
  }
  if (split_user_secret(v, strlen(v), out) != 0) {
    snprintf(errbuf, errlen,
             "environment variable %s must hold \"user:secret\"", name);
    return ED_EINVAL;
  }
  return 0;
}

/* Refuse a file others could read or replace: the secret would not be one. */
static int check_file_mode(int fd, const char *path, char *errbuf,
                           size_t errlen) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    return ED_EIO;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(errbuf, errlen, "%s: not a regular file", path);
    return ED_EPERM;
  }
  if (st.st_uid != geteuid()) {
    snprintf(errbuf, errlen,
             "%s: refused: owned by uid %u, not by the user running "
             "eventdrill (uid %u)",
             path, (unsigned)st.st_uid, (unsigned)geteuid());
    return ED_EPERM;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    snprintf(errbuf, errlen,
             "%s: refused: mode %04o lets others read or change it; "
             "run chmod 600 %s",
             path, (unsigned)(st.st_mode & 07777), path);
    return ED_EPERM;
  }
  return 0;
}

int ed_credentials_read_line(const char *path, char *buf, size_t len,
                             char *errbuf, size_t errlen) {
  buf[0] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    return ED_EIO;
  }
  int rc = check_file_mode(fd, path, errbuf, errlen);
  ssize_t n = 0;
  if (rc == 0 && (n = read(fd, buf, len - 1)) < 0) {
    snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    rc = ED_EIO;
  }
  close(fd);
  if (rc != 0)
    return rc;
  size_t end = 0;
  while (end < (size_t)n && buf[end] != '\n' && buf[end] != '\r')
    end++;
  if (end == len - 1) {
    explicit_bzero(buf, len);
    snprintf(errbuf, errlen, "%s: its first line is longer than %zu bytes",
             path, len - 2);
    return ED_EINVAL;
  }
  buf[end] = '\0';
  return 0;
}

static int from_file(const char *path, ed_credentials_t *out, char *errbuf,
                     size_t errlen) {
  char buf[1024];
  int rc = ed_credentials_read_line(path, buf, sizeof(buf), errbuf, errlen);
  if (rc == 0 && split_user_secret(buf, strlen(buf), out) != 0) {
    snprintf(errbuf, errlen, "%s: the first line must be \"user:secret\"",
             path);
    rc = ED_EINVAL;
  }
  explicit_bzero(buf, sizeof(buf));
  return rc;
}

int ed_credentials_resolve(const char *ref, ed_credentials_t *out, char *errbuf,
                           size_t errlen) {
  memset(out, 0, sizeof(*out));
  if (strncmp(ref, "env:", 4) == 0 && ref[4])
    return from_env(ref + 4, out, errbuf, errlen);
  if (strncmp(ref, "file:", 5) == 0 && ref[5])
    return from_file(ref + 5, out, errbuf, errlen);
  snprintf(errbuf, errlen,
           "credentials reference must be \"env:NAME\" or \"file:PATH\"");
  return ED_EINVAL;
}

void ed_credentials_close(ed_credentials_t *c) {
  wipe(c->secret);
  free(c->user);
  free(c->secret);
  c->user = c->secret = NULL;
}

int ed_credentials_random(char *buf, size_t len) {
  static const char alphabet[] =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  if (len == 0)
    return ED_EINVAL;
  unsigned char raw[128];
  size_t n = len - 1 < sizeof(raw) ? len - 1 : sizeof(raw);
  if (getrandom(raw, n, 0) != (ssize_t)n)
    return ED_EIO;
  for (size_t i = 0; i < n; i++)
    buf[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
  buf[n] = '\0';
  explicit_bzero(raw, sizeof(raw));
  return 0;
}
