#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "log.h"

struct ed_journal_s {
  int fd;
  int failed; /* a write failed: logged once */
  unsigned long long events;
};

int ed_journal_open(const char *path, ed_journal_t **out) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return errno == EEXIST ? ED_EEXISTS : ED_EIO;
  ed_journal_t *j = calloc(1, sizeof(*j));
  if (!j) {
    close(fd);
    return ED_ENOMEM;
  }
  j->fd = fd;
  *out = j;
  return 0;
}

int ed_journal_open_append(const char *path, ed_journal_t **out) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? ED_ENOTFOUND : ED_EIO;
  ed_journal_t *j = calloc(1, sizeof(*j));
  if (!j) {
    close(fd);
    return ED_ENOMEM;
  }
  j->fd = fd;
  *out = j;
  return 0;
}

int ed_journal_write_raw(ed_journal_t *j, const char *text, size_t len) {
  struct iovec iov[2] = {{(void *)text, len}, {"\n", 1}};
  size_t want = len + 1;
  ssize_t n;
  do {
    n = writev(j->fd, iov, 2);
  } while (n < 0 && errno == EINTR);
  if (n != (ssize_t)want) {
    if (!j->failed)
      ed_error("journal", "cannot write the journal: %s",
               n < 0 ? strerror(errno) : "short write");
    j->failed = 1;
    return ED_EIO;
  }
  j->events++;
  return 0;
}

int ed_journal_write(ed_journal_t *j, const char *ev, double t, json_t *obj) {
  json_t *e = json_object();
  if (!e)
    return ED_ENOMEM;
  /* "ev" and "t" first, so a person reading the file sees them first. */
  json_object_set_new(e, "ev", json_string(ev));
  json_object_set_new(e, "t", json_real(t));
  if (obj)
    json_object_update(e, obj);
  char *text = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                 JSON_REAL_PRECISION(17));
  json_decref(e);
  if (!text)
    return ED_ENOMEM;
  int rc = ed_journal_write_raw(j, text, strlen(text));
  free(text);
  return rc;
}

int ed_journal_sync(ed_journal_t *j) {
  return fdatasync(j->fd) == 0 ? 0 : ED_EIO;
}

unsigned long long ed_journal_events(const ed_journal_t *j) {
  return j->events;
}

void ed_journal_close(ed_journal_t *j) {
  if (!j)
    return;
  fdatasync(j->fd);
  close(j->fd);
  free(j);
}
