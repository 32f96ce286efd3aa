#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "outfile.h"

struct ed_journal_s {
  int fd;
  int failed; /* a write or a sync failed: logged once, nothing more written */
  off_t size; /* bytes of whole lines in the file */
  unsigned long long events;
  char *path;
  ed_journal_fail_cb on_fail;
  void *on_fail_arg;
};

static int wrap(int fd, const char *path, ed_journal_t **out) {
  struct stat st;
  ed_journal_t *j = calloc(1, sizeof(*j));
  char *p = strdup(path);
  if (!j || !p || fstat(fd, &st) != 0) {
    free(j);
    free(p);
    close(fd);
    return ED_ENOMEM;
  }
  j->fd = fd;
  j->path = p;
  j->size = st.st_size;
  *out = j;
  return 0;
}

int ed_journal_open(const char *path, ed_journal_t **out) {
  /* O_EXCL: never through a link planted in its place. */
  int fd = open(path,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC,
                ED_OUTFILE_MODE_JOURNAL);
  if (fd < 0)
    return errno == EEXIST ? ED_EEXISTS : ED_EIO;
  if (fchmod(fd, ED_OUTFILE_MODE_JOURNAL) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return ED_EIO;
  }
  return wrap(fd, path, out);
}

int ed_journal_open_append(const char *path, ed_journal_t **out) {
  int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? ED_ENOTFOUND : ED_EIO;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    /* A hard link: appending would write into some other file too. */
    close(fd);
    errno = EMLINK;
    return ED_EIO;
  }
  return wrap(fd, path, out);
}

void ed_journal_on_fail(ed_journal_t *j, ed_journal_fail_cb cb, void *arg) {
  j->on_fail = cb;
  j->on_fail_arg = arg;
}

/* The first failure: said once, with the file and the system's reason, and
 * passed on so the run stops adding load. */
static void failed(ed_journal_t *j, int err) {
  if (j->failed)
    return;
  j->failed = 1;
  char why[512];
  snprintf(why, sizeof(why), "cannot write %s: %s", j->path, strerror(err));
  ed_error(NULL, "%s", why);
  if (j->on_fail)
    j->on_fail(j->on_fail_arg, why);
  errno = err;
}

int ed_journal_write_raw(ed_journal_t *j, const char *text, size_t len) {
  if (j->failed)
    return ED_EIO;
  struct iovec iov[2] = {{(void *)text, len}, {"\n", 1}};
  size_t want = len + 1, done = 0;
  while (done < want) {
    ssize_t n = writev(j->fd, iov, 2);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      /* A cut line would be the journal's last: take it back, so what
       * was written stays whole lines. */
      if (done > 0 && ftruncate(j->fd, j->size) != 0)
        ed_debug(NULL, "cannot cut %s back: %s", j->path, strerror(errno));
      failed(j, err);
      return ED_EIO;
    }
    done += (size_t)n;
    /* A short write (the disk filling up): go on with the rest, whose
     * write then says why it failed. */
    for (int i = 0; i < 2 && n > 0; i++) {
      size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
      iov[i].iov_base = (char *)iov[i].iov_base + k;
      iov[i].iov_len -= k;
      n -= (ssize_t)k;
    }
  }
  j->size += (off_t)want;
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

static void sec_field(ed_textbuf_t *t, const char *key, int64_t v) {
  ed_textbuf_str(t, key);
  ed_textbuf_int(t, v);
}

int ed_journal_write_sec(ed_journal_t *j, ed_textbuf_t *t,
                         const ed_journal_sec_t *s) {
  const ed_counts_t *c = s->counts;
  ed_textbuf_clear(t);
  ed_textbuf_str(t, "{\"ev\":\"sec\",\"t\":");
  ed_textbuf_json_real(t, (double)(s->sec + 1));
  sec_field(t, ",\"w\":", (int64_t)s->w);
  sec_field(t, ",\"tg\":", (int64_t)s->tg);
  sec_field(t, ",\"ph\":", (int64_t)s->ph);
  sec_field(t, ",\"sec\":", s->sec);
  sec_field(t, ",\"sent\":", (int64_t)c->sent);
  sec_field(t, ",\"completed\":", (int64_t)c->completed);
  sec_field(t, ",\"ok\":", (int64_t)c->ok);
  ed_textbuf_str(t, ",\"errors\":{");
  const char *sep = "\"";
  for (int i = 1; i < ED_ERRCLASS_COUNT; i++) {
    if (!c->errors[i])
      continue;
    ed_textbuf_str(t, sep);
    ed_textbuf_str(t, ed_errclass_name((ed_errclass_t)i));
    ed_textbuf_str(t, "\":");
    ed_textbuf_int(t, (int64_t)c->errors[i]);
    sep = ",\"";
  }
  ed_textbuf_str(t, "}");
  sec_field(t, ",\"late\":", (int64_t)c->late);
  sec_field(t, ",\"dropped\":", (int64_t)c->dropped);
  if (s->lat && s->svc) {
    ed_textbuf_str(t, ",\"lat\":");
    ed_hist_to_jsontext(s->lat, t);
    ed_textbuf_str(t, ",\"svc\":");
    ed_hist_to_jsontext(s->svc, t);
  }
  ed_textbuf_str(t, "}");
  if (!ed_textbuf_ok(t))
    return ED_ENOMEM;
  return ed_journal_write_raw(j, t->text, t->len);
}

int ed_journal_sync(ed_journal_t *j) {
  if (j->failed)
    return ED_EIO;
  if (fdatasync(j->fd) != 0) {
    failed(j, errno);
    return ED_EIO;
  }
  return 0;
}

int ed_journal_failed(const ed_journal_t *j) {
  return j->failed;
}

unsigned long long ed_journal_events(const ed_journal_t *j) {
  return j->events;
}

void ed_journal_close(ed_journal_t *j) {
  if (!j)
    return;
  fdatasync(j->fd);
  close(j->fd);
  free(j->path);
  free(j);
}
