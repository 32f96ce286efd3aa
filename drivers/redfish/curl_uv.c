/*
 * curl_uv: see curl_uv.h.
 *
 * Why the watchers outlive a transfer: with keep-alive, curl tells us
 * CURL_POLL_REMOVE each time a transfer on a connection ends and asks again
 * for CURL_POLL_IN when the next transfer re-uses it. Stopping and starting an
 * epoll registration each time costs two epoll_ctl calls per request (the cost
 * that made a naive libuv client 25% slower than plain libcurl). So on REMOVE
 * we leave the watcher armed but unreferenced ("idle"); if the idle socket
 * becomes readable (the server closed it) we stop it then. When curl wants the
 * same events again nothing has to change in the kernel.
 */
#include "curl_uv.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct sock_s {
  uv_poll_t poll;
  ed__cuv_t *cuv;
  curl_socket_t fd;
  int events; /* UV_* events the poll is started with, 0 = stopped */
  int wanted; /* UV_* events curl asked for, 0 = idle */
  /* Until confirmed (see curl_uv.h), in cuv->unconfirmed, with the
   * identity of the socket to recognise it by. */
  int confirmed;
  struct sock_s *unc_next;
  dev_t dev;
  ino_t ino;
  /* Set when the socket was adopted (ed__cuv_adopt): its owner's. */
  ed__cuv_io_cb io;
  ed__cuv_closed_cb closed;
  void *arg;
} sock_t;

struct ed__cuv_s {
  uv_loop_t *loop;
  CURLM *multi;
  ed__cuv_done_cb done;
  int flags;
  uv_timer_t timer;
  uint64_t due; /* loop time the timer is armed for, when it is active */
  /* The multi's sockets by descriptor: an open-addressing table of nsocks
   * slots (a power of two, NULL when empty), at most half full. Sized by
   * the sockets this multi holds, not by the highest descriptor number in
   * the process, which with thousands of targets made every multi's table
   * as long as the whole process's. */
  sock_t **socks;
  size_t nsocks, nused;
  sock_t *unconfirmed; /* sockets curl may close without telling */
  int open_handles;    /* uv handles not yet closed: free when it drops to 0 */
  int closing;
};

static void release(ed__cuv_t *cuv) {
  if (--cuv->open_handles == 0) {
    free(cuv->socks);
    free(cuv);
  }
}

static void on_handle_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  ed__cuv_t *cuv = s ? s->cuv : NULL;
  if (s) {
    free(s);
  } else {
    cuv = (ed__cuv_t *)((char *)h - offsetof(ed__cuv_t, timer));
  }
  release(cuv);
}

static void sock_forget(ed__cuv_t *cuv, curl_socket_t fd);
static sock_t *sock_get(ed__cuv_t *cuv, curl_socket_t fd, int create);

static void confirm(ed__cuv_t *cuv, sock_t *s) {
  if (s->confirmed)
    return;
  for (sock_t **p = &cuv->unconfirmed; *p; p = &(*p)->unc_next) {
    if (*p == s) {
      *p = s->unc_next;
      break;
    }
  }
  s->confirmed = 1;
}

/* The socket of s is gone (or about to be): forget it, stop its watcher
 * (before the number can come back) and tell its owner. */
static void retire(ed__cuv_t *cuv, sock_t *s) {
  confirm(cuv, s);
  sock_forget(cuv, s->fd);
  if (s->closed)
    s->closed(s->arg);
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

/* After a call into the multi: retire the watchers of unconfirmed sockets
 * curl closed without a word. */
static void sweep(ed__cuv_t *cuv) {
  sock_t *s = cuv->unconfirmed;
  while (s) {
    sock_t *next = s->unc_next;
    struct stat st;
    if (fstat(s->fd, &st) != 0 || st.st_ino != s->ino || st.st_dev != s->dev)
      retire(cuv, s);
    s = next;
  }
}

/* Hand every finished transfer to the done callback. */
static void drain_done(ed__cuv_t *cuv) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(cuv->multi, &left)) != NULL) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result;
    void *priv = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&priv);
    if (!(cuv->flags & ED__CUV_KEEP_DONE))
      curl_multi_remove_handle(cuv->multi, easy);
    cuv->done(easy, rc, priv);
  }
}

static void on_poll(uv_poll_t *p, int status, int events) {
  sock_t *s = p->data;
  ed__cuv_t *cuv = s->cuv;
  int running;
  if (s->io) {
    s->io(s->arg, status, events);
    return;
  }
  if (s->wanted == 0) {
    /* An idle keep-alive socket woke up: the peer closed it or sent junk.
     * curl will notice when it tries to re-use it; stop the level-triggered
     * noise now. */
    uv_poll_stop(p);
    s->events = 0;
    return;
  }
  int flags = 0;
  /* On a socket error (a reset mid-answer) let curl read and write: its own
   * recv then sees ECONNRESET and says so, where CURL_CSELECT_ERR would only
   * give "select/poll returned error". */
  if (status < 0)
    flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_socket_t fd = s->fd;
  curl_multi_socket_action(cuv->multi, fd, flags, &running);
  sweep(cuv);
  /* Still there and read from: curl's connection owns it (s may be retired,
   * not yet freed: compare, do not read it). */
  if ((events & UV_READABLE) && status == 0 && sock_get(cuv, fd, 0) == s)
    confirm(cuv, s);
  drain_done(cuv);
}

static void on_timer(uv_timer_t *t) {
  ed__cuv_t *cuv = t->data;
  int running;
  curl_multi_socket_action(cuv->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  sweep(cuv);
  drain_done(cuv);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
  ed__cuv_t *cuv = userp;
  (void)multi;
  if (cuv->closing)
    return 0;
  if (timeout_ms < 0) {
    uv_timer_stop(&cuv->timer); /* nothing to wait for: let the loop end */
    return 0;
  }
  /* curl moves its deadline at nearly every request (the next transfer's
   * timeout). A later one than the deadline armed is left for later: waking
   * early costs curl one look, after which it asks again; re-arming each
   * time costs a timer heap removal and insertion. */
  uint64_t due = uv_now(cuv->loop) + (uint64_t)timeout_ms;
  if (uv_is_active((uv_handle_t *)&cuv->timer) && cuv->due <= due)
    return 0;
  cuv->due = due;
  uv_timer_start(&cuv->timer, on_timer, (uint64_t)timeout_ms, 0);
  return 0;
}

/* The slot of fd in the table: where it is, or the empty one where it
 * goes. */
static size_t sock_slot(const ed__cuv_t *cuv, curl_socket_t fd) {
  size_t mask = cuv->nsocks - 1;
  size_t i = ((size_t)fd * 0x9E3779B97F4A7C15u) & mask;
  while (cuv->socks[i] && cuv->socks[i]->fd != fd)
    i = (i + 1) & mask;
  return i;
}

static int sock_grow(ed__cuv_t *cuv) {
  size_t n = cuv->nsocks ? cuv->nsocks * 2 : 8;
  sock_t **old = cuv->socks;
  size_t oldn = cuv->nsocks;
  cuv->socks = calloc(n, sizeof(*cuv->socks));
  if (!cuv->socks) {
    cuv->socks = old;
    return -1;
  }
  cuv->nsocks = n;
  for (size_t i = 0; i < oldn; i++)
    if (old[i])
      cuv->socks[sock_slot(cuv, old[i]->fd)] = old[i];
  free(old);
  return 0;
}

/* Take fd out of the table; the entries after it in its run move back, so
 * that every look-up still finds its entry without markers. */
static void sock_forget(ed__cuv_t *cuv, curl_socket_t fd) {
  if (!cuv->nsocks)
    return;
  size_t mask = cuv->nsocks - 1, i = sock_slot(cuv, fd);
  if (!cuv->socks[i])
    return;
  cuv->socks[i] = NULL;
  cuv->nused--;
  for (size_t j = (i + 1) & mask; cuv->socks[j]; j = (j + 1) & mask) {
    sock_t *moved = cuv->socks[j];
    cuv->socks[j] = NULL;
    cuv->socks[sock_slot(cuv, moved->fd)] = moved;
  }
}

static sock_t *sock_get(ed__cuv_t *cuv, curl_socket_t fd, int create) {
  if (fd < 0)
    return NULL;
  sock_t *s = cuv->nsocks ? cuv->socks[sock_slot(cuv, fd)] : NULL;
  if (s || !create)
    return s;
  if ((cuv->nused + 1) * 2 > cuv->nsocks && sock_grow(cuv) != 0)
    return NULL;
  s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  if (uv_poll_init_socket(cuv->loop, &s->poll, fd) != 0) {
    free(s);
    return NULL;
  }
  s->poll.data = s;
  s->cuv = cuv;
  s->fd = fd;
  struct stat st;
  if (fstat(fd, &st) == 0) {
    s->dev = st.st_dev;
    s->ino = st.st_ino;
  }
  s->unc_next = cuv->unconfirmed;
  cuv->unconfirmed = s;
  cuv->open_handles++;
  cuv->socks[sock_slot(cuv, fd)] = s;
  cuv->nused++;
  return s;
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
                          void *socketp) {
  ed__cuv_t *cuv = userp;
  (void)easy;
  (void)socketp;
  sock_t *s = sock_get(cuv, fd, what != CURL_POLL_REMOVE);
  if (!s)
    return what == CURL_POLL_REMOVE ? 0 : -1;
  if (s->io)
    return 0; /* adopted: its owner polls it, curl is done with it */
  uv_handle_t *h = (uv_handle_t *)&s->poll;
  if (what == CURL_POLL_REMOVE) {
    s->wanted = 0;
    if (uv_has_ref(h))
      uv_unref(h); /* idle: must not keep the loop alive */
    return 0;
  }
  int ev = 0;
  if (what & CURL_POLL_IN)
    ev |= UV_READABLE;
  if (what & CURL_POLL_OUT)
    ev |= UV_WRITABLE;
  if (!uv_has_ref(h))
    uv_ref(h);
  s->wanted = ev;
  if (s->events != ev) {
    if (uv_poll_start(&s->poll, ev, on_poll) != 0)
      return -1;
    s->events = ev;
  }
  return 0;
}

/* curl closes a socket: retire its watcher first, so that epoll forgets the
 * descriptor before the number can be handed out again. */
static int on_close_socket(void *clientp, curl_socket_t fd) {
  ed__cuv_t *cuv = clientp;
  sock_t *s = sock_get(cuv, fd, 0);
  if (s)
    retire(cuv, s);
  return close(fd);
}

/* curl opens a socket: a watcher still holding its number belongs to one
 * curl closed without a word in this very call (see curl_uv.h). */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
                                    struct curl_sockaddr *a) {
  ed__cuv_t *cuv = clientp;
  (void)purpose;
  curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  sock_t *s = fd >= 0 ? sock_get(cuv, fd, 0) : NULL;
  if (s)
    retire(cuv, s);
  return fd;
}

int ed__cuv_create(uv_loop_t *loop, long max_conns, int flags,
                   ed__cuv_done_cb done, ed__cuv_t **out) {
  ed__cuv_t *cuv = calloc(1, sizeof(*cuv));
  if (!cuv)
    return -ENOMEM;
  cuv->loop = loop;
  cuv->done = done;
  cuv->flags = flags;
  cuv->multi = curl_multi_init();
  if (!cuv->multi) {
    free(cuv);
    return -ENOMEM;
  }
  uv_timer_init(loop, &cuv->timer);
  cuv->timer.data = cuv;
  cuv->open_handles = 1;
  curl_multi_setopt(cuv->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  curl_multi_setopt(cuv->multi, CURLMOPT_SOCKETDATA, cuv);
  curl_multi_setopt(cuv->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(cuv->multi, CURLMOPT_TIMERDATA, cuv);
  curl_multi_setopt(cuv->multi, CURLMOPT_MAXCONNECTS, max_conns);
  curl_multi_setopt(cuv->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_conns);
  curl_multi_setopt(cuv->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
  *out = cuv;
  return 0;
}

void ed__cuv_setup_easy(ed__cuv_t *cuv, CURL *easy) {
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, cuv);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, cuv);
}

int ed__cuv_add(ed__cuv_t *cuv, CURL *easy) {
  assert(!cuv->closing);
  CURLMcode rc = curl_multi_add_handle(cuv->multi, easy);
  sweep(cuv);
  return rc == CURLM_OK ? 0 : -EIO;
}

void ed__cuv_remove(ed__cuv_t *cuv, CURL *easy) {
  curl_multi_remove_handle(cuv->multi, easy);
  if (!cuv->closing)
    sweep(cuv);
}

int ed__cuv_adopt(ed__cuv_t *cuv, curl_socket_t fd, ed__cuv_io_cb io,
                  ed__cuv_closed_cb closed, void *arg) {
  sock_t *s = sock_get(cuv, fd, 0);
  if (!s)
    return -ENOENT;
  s->io = io;
  s->closed = closed;
  s->arg = arg;
  s->wanted = 0;
  confirm(cuv, s); /* connected: curl closes it through the hook */
  return ed__cuv_watch(cuv, fd, 0, 0);
}

int ed__cuv_watch(ed__cuv_t *cuv, curl_socket_t fd, int events, int busy) {
  sock_t *s = sock_get(cuv, fd, 0);
  if (!s)
    return -ENOENT;
  uv_handle_t *h = (uv_handle_t *)&s->poll;
  if (s->events != events) {
    int rc = events ? uv_poll_start(&s->poll, events, on_poll)
                    : uv_poll_stop(&s->poll);
    if (rc != 0)
      return rc;
    s->events = events;
  }
  if (busy && !uv_has_ref(h))
    uv_ref(h);
  else if (!busy && uv_has_ref(h))
    uv_unref(h);
  return 0;
}

void ed__cuv_destroy(ed__cuv_t *cuv) {
  if (!cuv)
    return;
  cuv->closing = 1;
  uv_timer_stop(&cuv->timer);
  /* Closes the cached connections, so on_close_socket retires their
   * watchers; any watcher left is one curl never closed. */
  curl_multi_cleanup(cuv->multi);
  cuv->multi = NULL;
  for (size_t i = 0; i < cuv->nsocks; i++) {
    if (cuv->socks[i]) {
      uv_close((uv_handle_t *)&cuv->socks[i]->poll, on_handle_closed);
      cuv->socks[i] = NULL;
    }
  }
  cuv->nused = 0;
  cuv->unconfirmed = NULL; /* their watchers are closing with the rest */
  cuv->timer.data = NULL;
  uv_close((uv_handle_t *)&cuv->timer, on_handle_closed);
}
