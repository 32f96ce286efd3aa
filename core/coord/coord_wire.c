/* One connection of the channel: length-framed JSON messages, read into a
 * bounded buffer (a frame larger than the bound is a protocol error: a
 * peer that has not proved the token can never make this side allocate
 * more than a small message; one that has, no more than an answer),
 * written with a bounded backlog. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coord_internal.h"

double ed__coord_wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

ed__link_t *ed__link_new(ed_coord_t *c) {
  ed__link_t *l = calloc(1, sizeof(*l));
  if (!l)
    return NULL;
  l->c = c;
  l->shard = -1;
  l->cap = 4 + ED__COORD_MAX_MSG;
  l->buf = malloc(l->cap);
  if (!l->buf) {
    free(l);
    return NULL;
  }
  l->tcp.data = l;
  return l;
}

static void on_closed(uv_handle_t *h) {
  ed__link_t *l = h->data;
  ed__coord_on_closed(l);
}

void ed__link_close(ed__link_t *l) {
  if (l->closing)
    return;
  l->closing = 1;
  uv_close((uv_handle_t *)&l->tcp, on_closed);
}

static void gone(ed__link_t *l, const char *why) {
  if (l->closing)
    return;
  ed__coord_on_gone(l, why);
  ed__link_close(l);
}

typedef struct {
  uv_write_t req;
  ed__link_t *link;
  uv_buf_t buf;
} wreq_t;

static void on_written(uv_write_t *req, int status) {
  wreq_t *w = (wreq_t *)req;
  ed__link_t *l = w->link;
  free(w->buf.base);
  free(w);
  if (status != 0 && status != UV_ECANCELED) {
    gone(l, uv_strerror(status));
    return;
  }
  if (l->close_after && !l->closing &&
      uv_stream_get_write_queue_size((uv_stream_t *)&l->tcp) == 0)
    ed__link_close(l);
}

/* The largest frame body this link carries either way. */
static size_t max_frame(const ed__link_t *l) {
  return l->authed ? ED__COORD_MAX_ANSWER + ED__COORD_MAX_MSG
                   : ED__COORD_MAX_MSG;
}

int ed__link_send(ed__link_t *l, json_t *msg) {
  char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
  json_decref(msg);
  if (!text || l->closing)
    goto fail;
  size_t n = strlen(text);
  if (n > max_frame(l) || uv_stream_get_write_queue_size(
                              (uv_stream_t *)&l->tcp) > ED__COORD_MAX_BACKLOG) {
    free(text);
    gone(l, "the peer does not read what is sent to it");
    return -1;
  }
  wreq_t *w = malloc(sizeof(*w));
  char *frame = malloc(4 + n);
  if (!w || !frame) {
    free(w);
    free(frame);
    goto fail;
  }
  frame[0] = (char)(n >> 24);
  frame[1] = (char)(n >> 16);
  frame[2] = (char)(n >> 8);
  frame[3] = (char)n;
  memcpy(frame + 4, text, n);
  free(text);
  w->link = l;
  w->buf = uv_buf_init(frame, (unsigned)(4 + n));
  int rc = uv_write(&w->req, (uv_stream_t *)&l->tcp, &w->buf, 1, on_written);
  if (rc != 0) {
    free(frame);
    free(w);
    gone(l, uv_strerror(rc));
    return -1;
  }
  return 0;
fail:
  free(text);
  return -1;
}

void ed__link_close_after_writes(ed__link_t *l) {
  l->close_after = 1;
  if (!l->closing &&
      uv_stream_get_write_queue_size((uv_stream_t *)&l->tcp) == 0)
    ed__link_close(l);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  ed__link_t *l = h->data;
  (void)hint;
  *buf = uv_buf_init((char *)l->buf + l->len, (unsigned)(l->cap - l->len));
}

/* One frame's body: a JSON object with a string "type". 0, or -1 when it
 * is not one (the peer does not speak this protocol). */
static int deliver(ed__link_t *l, const unsigned char *body, size_t n) {
  json_t *msg = json_loadb((const char *)body, n, JSON_REJECT_DUPLICATES, NULL);
  const char *type = json_string_value(json_object_get(msg, "type"));
  if (!type) {
    json_decref(msg);
    return -1;
  }
  ed__coord_on_message(l, type, msg);
  json_decref(msg);
  return 0;
}

static uint32_t frame_len(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* Room for a frame of `need` bytes (its header read, its body announced
 * within bounds): the buffer grows once, to that size. */
static int grow(ed__link_t *l, size_t need) {
  if (need <= l->cap)
    return 0;
  unsigned char *b = realloc(l->buf, need);
  if (!b)
    return -1;
  l->buf = b;
  l->cap = need;
  return 0;
}

/* Deliver every whole frame in the buffer; keep the rest. */
static void drain(ed__link_t *l) {
  size_t at = 0;
  while (!l->closing && l->len - at >= 4) {
    uint32_t n = frame_len(l->buf + at);
    if (n == 0 || n > max_frame(l)) {
      gone(l, "a message out of bounds: not this protocol");
      return;
    }
    if (l->len - at < 4 + (size_t)n) {
      if (grow(l, 4 + (size_t)n) != 0)
        gone(l, "out of memory for a message");
      break;
    }
    if (deliver(l, l->buf + at + 4, n) != 0) {
      gone(l, "a message that is not a JSON object with a type");
      return;
    }
    at += 4 + (size_t)n;
  }
  if (l->closing)
    return;
  memmove(l->buf, l->buf + at, l->len - at);
  l->len -= at;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  ed__link_t *l = s->data;
  (void)buf;
  if (nread < 0) {
    gone(l,
         nread == UV_EOF ? "its connection closed" : uv_strerror((int)nread));
    return;
  }
  if (nread == 0)
    return;
  l->heard = uv_now(s->loop);
  l->len += (size_t)nread;
  drain(l);
}

int ed__link_start(ed__link_t *l) {
  l->heard = l->born = uv_now(l->tcp.loop);
  uv_tcp_nodelay(&l->tcp, 1);
  return uv_read_start((uv_stream_t *)&l->tcp, on_alloc, on_read);
}
