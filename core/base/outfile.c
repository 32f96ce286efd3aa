/* Output files written safely; see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* Log "cannot write PATH: reason" and keep errno for the caller. */
static void fail(const char *what, const char *path, int err) {
  ed_error(NULL, "cannot %s %s: %s", what, path, strerror(err));
  errno = err;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0) {
      errno = EIO;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int ed_outfile_sync(int fd, const char *path) {
  if (fdatasync(fd) == 0)
    return 0;
  fail("write", path, errno);
  return -1;
}

/* ---- replace by rename ------------------------------------------------- */

typedef struct {
  int fd;
  int err; /* first write error, 0 if none */
  char *path;
  char *tmp;
} outfile_t;

static ssize_t cookie_write(void *c, const char *buf, size_t len) {
  outfile_t *o = c;
  if (o->err) {
    errno = o->err;
    return 0;
  }
  if (write_all(o->fd, buf, len) != 0) {
    o->err = errno;
    return 0; /* fopencookie: 0 is the error return */
  }
  return (ssize_t)len;
}

/* The folder of path, synced so that the rename is on disk too. Best
 * effort: not every file system can sync a folder. */
static void sync_dir_of(const char *path) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, sizeof(dir), ".");
  else if (slash == path)
    snprintf(dir, sizeof(dir), "/");
  else
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

static int cookie_close(void *c) {
  outfile_t *o = c;
  int err = o->err;
  if (!err && fsync(o->fd) != 0)
    err = errno;
  if (close(o->fd) != 0 && !err)
    err = errno;
  if (!err && rename(o->tmp, o->path) != 0)
    err = errno;
  if (err) {
    unlink(o->tmp);
    fail("write", o->path, err);
  } else {
    sync_dir_of(o->path);
  }
  free(o->path);
  free(o->tmp);
  free(o);
  errno = err;
  return err ? -1 : 0;
}

/* dir/.name.XXXXXX beside path: a dot file, so that a reader listing the
 * folder while it is written does not take it for an output. */
static char *temp_name(const char *path) {
  const char *slash = strrchr(path, '/');
  int dlen = slash ? (int)(slash - path + 1) : 0;
  const char *base = slash ? slash + 1 : path;
  size_t len = strlen(path) + 16;
  char *t = malloc(len);
  if (t)
    snprintf(t, len, "%.*s.%s.XXXXXX", dlen, path, base);
  return t;
}

FILE *ed_outfile_open(const char *path, mode_t mode) {
  outfile_t *o = calloc(1, sizeof(*o));
  if (o) {
    o->path = strdup(path);
    o->tmp = temp_name(path);
  }
  if (!o || !o->path || !o->tmp) {
    if (o) {
      free(o->path);
      free(o->tmp);
      free(o);
    }
    fail("write", path, ENOMEM);
    return NULL;
  }
  /* mkostemp creates with O_EXCL and mode 0600; the mode asked is set
   * after, so the umask plays no part. */
  o->fd = mkostemp(o->tmp, O_CLOEXEC);
  if (o->fd < 0 || fchmod(o->fd, mode) != 0) {
    int err = errno;
    if (o->fd >= 0) {
      close(o->fd);
      unlink(o->tmp);
    }
    fail("write", path, err);
    free(o->path);
    free(o->tmp);
    free(o);
    return NULL;
  }
  cookie_io_functions_t io = {.write = cookie_write, .close = cookie_close};
  FILE *f = fopencookie(o, "w", io);
  if (!f) {
    close(o->fd);
    unlink(o->tmp);
    fail("write", path, ENOMEM);
    free(o->path);
    free(o->tmp);
    free(o);
  }
  return f;
}

/* ---- create, append, folders --------------------------------------------- */

int ed_outfile_create(const char *path, const void *data, size_t len,
                      mode_t mode) {
  int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    fail("create", path, errno);
    return -1;
  }
  int err = 0;
  if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 ||
      fdatasync(fd) != 0)
    err = errno;
  if (close(fd) != 0 && !err)
    err = errno;
  if (err) {
    unlink(path); /* ours: created above */
    fail("write", path, err);
    return -1;
  }
  return 0;
}

int ed_outfile_append(const char *path, mode_t mode) {
  for (int tries = 0; tries < 2; tries++) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                  mode);
    if (fd < 0 && errno != ELOOP) {
      fail("open", path, errno);
      return -1;
    }
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_nlink == 1 && st.st_uid == geteuid()) {
      if (fchmod(fd, mode) == 0)
        return fd;
    }
    /* A symlink, a hard link to some other file, or not ours: it is
     * replaced, never written through. */
    if (fd >= 0)
      close(fd);
    if (unlink(path) != 0) {
      fail("replace", path, errno);
      return -1;
    }
  }
  fail("open", path, EEXIST);
  return -1;
}

int ed_outfile_dir(const char *path) {
  for (int tries = 0; tries < 2; tries++) {
    if (mkdir(path, 0755) == 0)
      return 0;
    if (errno != EEXIST) {
      fail("create the folder", path, errno);
      return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
      fail("create the folder", path, errno);
      return -1;
    }
    if (S_ISDIR(st.st_mode))
      return 0;
    if (!S_ISLNK(st.st_mode)) {
      fail("create the folder", path, ENOTDIR);
      return -1;
    }
    if (unlink(path) != 0) { /* the link, not what it points to */
      fail("replace the link", path, errno);
      return -1;
    }
  }
  fail("create the folder", path, EEXIST);
  return -1;
}

int ed_outfile_dir_private(const char *dir, char *why, size_t len) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    int err = errno;
    snprintf(why, len, "%s", strerror(err));
    errno = err;
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(why, len, "not a folder");
    errno = ENOTDIR;
    return -1;
  }
  mode_t w = st.st_mode & (S_IWGRP | S_IWOTH);
  if (w) {
    snprintf(why, len,
             "writable by %s (mode %04o): anyone who can write there could "
             "plant links or files in it; `chmod go-w` it first",
             w == (S_IWGRP | S_IWOTH) ? "group and others"
             : w == S_IWGRP           ? "its group"
                                      : "others",
             (unsigned)(st.st_mode & 07777));
    errno = EPERM;
    return -1;
  }
  return 0;
}
