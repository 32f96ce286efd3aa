/* alertmanager: alerts posted to Alertmanager's API (alertmanager.h). */
#include "alertmanager.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 30000u
/* Firing alerts are posted again this often. */
#define RESEND_MS 60000u
/* One request's whole deadline. */
#define REQUEST_MS 5000u
/* The answer's status line is all we read. */
#define ANSWER_MAX 4096

typedef struct alert_s {
  char *key;
  json_t *labels, *annotations;
  double starts, ends;  /* epoch seconds; ends 0 while firing */
  unsigned version;     /* bumped by each ed_am_set */
  unsigned posted;      /* the version in the request in flight, or 0 */
  unsigned accepted;    /* the last version Alertmanager took */
  uint64_t accepted_ms; /* loop time it took it */
} alert_t;

typedef struct post_s {
  ed_am_t *am;
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  uv_timer_t deadline;
  char head[768];
  char *body;
  char answer[ANSWER_MAX + 1];
  size_t answer_len;
  int handles;
  int done;
} post_t;

struct ed_am_s {
  uv_loop_t *loop;
  struct sockaddr_storage addr;
  char host[128]; /* Host header */
  char path[256];
  alert_t *alerts;
  size_t n, cap;
  uv_timer_t timer;
  int timer_open;
  post_t *post; /* in flight, or NULL */
  unsigned backoff_ms;
  int stopping;
  ed_am_stats_t st;
};

/* ---- URL ------------------------------------------------------------- */

static int parse_url(ed_am_t *am, const char *url, char *err, size_t errlen) {
  if (strncmp(url, "http://", 7) != 0) {
    snprintf(err, errlen,
             "--alertmanager: \"%s\": only http://ADDR:PORT is supported", url);
    return -1;
  }
  const char *h = url + 7, *end = h + strcspn(h, "/");
  char hostport[128];
  if ((size_t)(end - h) >= sizeof(hostport) || end == h) {
    snprintf(err, errlen, "--alertmanager: \"%s\": no address", url);
    return -1;
  }
  memcpy(hostport, h, (size_t)(end - h));
  hostport[end - h] = '\0';
  snprintf(am->host, sizeof(am->host), "%s", hostport);
  snprintf(am->path, sizeof(am->path), "%s/api/v2/alerts",
           strcmp(end, "/") == 0 ? "" : end);
  if (am->path[0] == '/' && am->path[1] == '/')
    memmove(am->path, am->path + 1, strlen(am->path));
  char *colon = strrchr(hostport, ':');
  char *close = strrchr(hostport, ']');
  long port = 80;
  if (colon && (!close || colon > close)) {
    char *e;
    port = strtol(colon + 1, &e, 10);
    if (*e || port < 1 || port > 65535) {
      snprintf(err, errlen, "--alertmanager: \"%s\": bad port", url);
      return -1;
    }
    *colon = '\0';
  }
  char *ip = hostport;
  if (ip[0] == '[' && close) {
    ip++;
    *strrchr(ip, ']') = '\0';
  }
  if (strcmp(ip, "localhost") == 0)
    ip = "127.0.0.1";
  if (uv_ip4_addr(ip, (int)port, (struct sockaddr_in *)&am->addr) != 0 &&
      uv_ip6_addr(ip, (int)port, (struct sockaddr_in6 *)&am->addr) != 0) {
    snprintf(err, errlen,
             "--alertmanager: \"%s\": \"%s\" is not a numeric address "
             "(127.0.0.1, [::1]) or localhost",
             url, ip);
    return -1;
  }
  return 0;
}

/* ---- alerts ------------------------------------------------------------ */

static uint64_t now_ms(const ed_am_t *am) {
  return uv_now(am->loop);
}

static void rfc3339(double epoch, char *buf, size_t len) {
  time_t s = (time_t)floor(epoch);
  struct tm tm;
  gmtime_r(&s, &tm);
  unsigned ms = (unsigned)((epoch - floor(epoch)) * 1000.0) % 1000u;
  char base[24];
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, len, "%.19s.%03uZ", base, ms);
}

static json_t *alert_json(const alert_t *a) {
  char starts[40], ends[40];
  rfc3339(a->starts, starts, sizeof(starts));
  json_t *o = json_pack("{s:O,s:O,s:s}", "labels", a->labels, "annotations",
                        a->annotations, "startsAt", starts);
  if (o && a->ends > 0) {
    rfc3339(a->ends, ends, sizeof(ends));
    json_object_set_new(o, "endsAt", json_string(ends));
  }
  return o;
}

static alert_t *find(ed_am_t *am, const char *key) {
  for (size_t i = 0; i < am->n; i++)
    if (strcmp(am->alerts[i].key, key) == 0)
      return &am->alerts[i];
  return NULL;
}

static void alert_free(alert_t *a) {
  free(a->key);
  json_decref(a->labels);
  json_decref(a->annotations);
}

static void remove_at(ed_am_t *am, size_t i) {
  alert_free(&am->alerts[i]);
  am->alerts[i] = am->alerts[--am->n];
}

/* Room for one more: the oldest resolved alert goes first, then the
 * oldest. Never one in the request in flight. */
static void make_room(ed_am_t *am) {
  size_t victim = SIZE_MAX;
  for (size_t i = 0; i < am->n; i++) {
    const alert_t *a = &am->alerts[i];
    if (a->posted)
      continue;
    if (victim == SIZE_MAX || (a->ends > 0) > (am->alerts[victim].ends > 0) ||
        ((a->ends > 0) == (am->alerts[victim].ends > 0) &&
         a->starts < am->alerts[victim].starts))
      victim = i;
  }
  if (victim != SIZE_MAX) {
    remove_at(am, victim);
    am->st.dropped++;
  }
}

static alert_t *add(ed_am_t *am, const char *key) {
  if (am->n >= ED_AM_MAX_ALERTS)
    make_room(am);
  if (am->n >= ED_AM_MAX_ALERTS)
    return NULL;
  if (am->n == am->cap) {
    size_t cap = am->cap ? am->cap * 2 : 16;
    alert_t *x = realloc(am->alerts, cap * sizeof(*x));
    if (!x)
      return NULL;
    am->alerts = x;
    am->cap = cap;
  }
  alert_t *a = &am->alerts[am->n];
  memset(a, 0, sizeof(*a));
  a->key = strdup(key);
  if (!a->key)
    return NULL;
  am->n++;
  return a;
}

/* ---- posting ----------------------------------------------------------- */

static void schedule(ed_am_t *am, uint64_t delay_ms);

static int wanted(const ed_am_t *am, const alert_t *a) {
  return a->accepted != a->version ||
         (a->ends == 0 && now_ms(am) - a->accepted_ms >= RESEND_MS);
}

static void post_closed(uv_handle_t *h) {
  post_t *p = h->data;
  if (--p->handles > 0)
    return;
  free(p->body);
  free(p);
}

static void post_close(post_t *p) {
  uv_close((uv_handle_t *)&p->tcp, post_closed);
  uv_close((uv_handle_t *)&p->deadline, post_closed);
}

static void timer_closed(uv_handle_t *h) {
  ed_am_t *am = h->data;
  am->timer_open = 0;
  for (size_t i = 0; i < am->n; i++)
    alert_free(&am->alerts[i]);
  free(am->alerts);
  free(am);
}

/* The request ended: ok (2xx) or why not. */
static void post_end(post_t *p, int ok, const char *why) {
  if (p->done)
    return;
  p->done = 1;
  ed_am_t *am = p->am;
  am->post = NULL;
  for (size_t i = am->n; i-- > 0;) {
    alert_t *a = &am->alerts[i];
    if (ok && a->posted) {
      a->accepted = a->posted;
      a->accepted_ms = now_ms(am);
    }
    a->posted = 0;
    if (ok && a->accepted == a->version && a->ends > 0)
      remove_at(am, i); /* resolved, and Alertmanager knows */
  }
  if (ok) {
    am->st.posts++;
    am->backoff_ms = 0;
  } else {
    am->st.failures++;
    snprintf(am->st.last_error, sizeof(am->st.last_error), "%s", why);
    am->backoff_ms = am->backoff_ms ? am->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (am->backoff_ms > BACKOFF_MAX_MS)
      am->backoff_ms = BACKOFF_MAX_MS;
  }
  post_close(p);
  if (am->stopping) {
    uv_close((uv_handle_t *)&am->timer, timer_closed);
    return;
  }
  schedule(am, ok ? 0 : am->backoff_ms);
}

static void on_deadline(uv_timer_t *t) {
  post_end(t->data, 0, "no answer within 5 s");
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  post_t *p = h->data;
  buf->base = p->answer + p->answer_len;
  buf->len = ANSWER_MAX - p->answer_len;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  post_t *p = s->data;
  if (n > 0) {
    p->answer_len += (size_t)n;
    p->answer[p->answer_len] = '\0';
  }
  if (n >= 0 && !strstr(p->answer, "\r\n") && p->answer_len < ANSWER_MAX)
    return; /* the status line is not whole yet */
  int code = 0;
  if (sscanf(p->answer, "HTTP/%*d.%*d %d", &code) == 1 && code / 100 == 2) {
    post_end(p, 1, "");
    return;
  }
  char why[160];
  if (code)
    snprintf(why, sizeof(why), "Alertmanager answered HTTP %d", code);
  else
    snprintf(why, sizeof(why), "%s",
             n < 0 ? uv_strerror((int)n) : "not an HTTP answer");
  post_end(p, 0, why);
}

static void on_written(uv_write_t *w, int status) {
  post_t *p = w->data;
  if (status != 0) {
    post_end(p, 0, uv_strerror(status));
    return;
  }
  if (uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read) != 0)
    post_end(p, 0, "cannot read the answer");
}

static void on_connected(uv_connect_t *c, int status) {
  post_t *p = c->data;
  if (p->done)
    return;
  if (status != 0) {
    post_end(p, 0, uv_strerror(status));
    return;
  }
  uv_buf_t bufs[2] = {uv_buf_init(p->head, (unsigned)strlen(p->head)),
                      uv_buf_init(p->body, (unsigned)strlen(p->body))};
  p->write.data = p;
  if (uv_write(&p->write, (uv_stream_t *)&p->tcp, bufs, 2, on_written) != 0)
    post_end(p, 0, "cannot write the request");
}

/* The body of the next request: every alert that changed or is due again;
 * NULL when there is none. Marks them as posted. */
static char *next_body(ed_am_t *am) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < am->n; i++) {
    alert_t *a = &am->alerts[i];
    if (!wanted(am, a))
      continue;
    json_t *o = alert_json(a);
    if (o && json_array_append_new(arr, o) == 0)
      a->posted = a->version;
  }
  char *body = json_array_size(arr) ? json_dumps(arr, JSON_COMPACT) : NULL;
  json_decref(arr);
  if (!body)
    for (size_t i = 0; i < am->n; i++)
      am->alerts[i].posted = 0;
  return body;
}

static void start_post(ed_am_t *am) {
  if (am->post || am->stopping)
    return;
  char *body = next_body(am);
  if (!body) {
    schedule(am, RESEND_MS);
    return;
  }
  post_t *p = calloc(1, sizeof(*p));
  if (!p) {
    free(body);
    schedule(am, BACKOFF_MIN_MS);
    return;
  }
  p->am = am;
  p->body = body;
  snprintf(p->head, sizeof(p->head),
           "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: eventdrill\r\n"
           "Content-Type: application/json\r\nContent-Length: %zu\r\n"
           "Connection: close\r\n\r\n",
           am->path, am->host, strlen(body));
  p->tcp.data = p->deadline.data = p->connect.data = p;
  uv_tcp_init(am->loop, &p->tcp);
  uv_timer_init(am->loop, &p->deadline);
  p->handles = 2;
  am->post = p;
  uv_timer_start(&p->deadline, on_deadline, REQUEST_MS, 0);
  if (uv_tcp_connect(&p->connect, &p->tcp, (const struct sockaddr *)&am->addr,
                     on_connected) != 0)
    post_end(p, 0, "cannot connect");
}

static void on_timer(uv_timer_t *t) {
  start_post(t->data);
}

static void schedule(ed_am_t *am, uint64_t delay_ms) {
  if (!am->stopping && !am->post)
    uv_timer_start(&am->timer, on_timer, delay_ms, 0);
}

/* ---- the interface ------------------------------------------------------ */

int ed_am_create(uv_loop_t *loop, const char *url, ed_am_t **out, char *err,
                 size_t errlen) {
  ed_am_t *am = calloc(1, sizeof(*am));
  if (!am) {
    snprintf(err, errlen, "--alertmanager: out of memory");
    return -1;
  }
  am->loop = loop;
  if (parse_url(am, url, err, errlen) != 0) {
    free(am);
    return -1;
  }
  uv_timer_init(loop, &am->timer);
  am->timer.data = am;
  am->timer_open = 1;
  *out = am;
  return 0;
}

void ed_am_set(ed_am_t *am, const char *key, const json_t *labels,
               const json_t *annotations, double starts_epoch,
               double ends_epoch) {
  if (!am || am->stopping)
    return;
  alert_t *a = find(am, key);
  if (!a && !(a = add(am, key)))
    return;
  json_t *l = json_deep_copy(labels), *an = json_deep_copy(annotations);
  json_decref(a->labels);
  json_decref(a->annotations);
  a->labels = l ? l : json_object();
  a->annotations = an ? an : json_object();
  a->starts = starts_epoch;
  a->ends = ends_epoch;
  a->version++;
  /* Batch what changes in this loop turn, then post. */
  if (!am->post && am->backoff_ms == 0)
    uv_timer_start(&am->timer, on_timer, 0, 0);
}

void ed_am_stats(const ed_am_t *am, ed_am_stats_t *st) {
  *st = am->st;
  st->pending = 0;
  for (size_t i = 0; i < am->n; i++)
    st->pending += am->alerts[i].accepted != am->alerts[i].version;
}

static void on_grace_over(uv_timer_t *t) {
  ed_am_t *am = t->data;
  if (am->post)
    post_end(am->post, 0, "stopped"); /* closes the timer too */
  else
    uv_close((uv_handle_t *)&am->timer, timer_closed);
}

void ed_am_stop(ed_am_t *am, unsigned grace_ms) {
  if (!am || am->stopping)
    return;
  /* What changed since the last post gets one try, within the grace. */
  if (!am->post && am->backoff_ms == 0)
    start_post(am);
  am->stopping = 1;
  if (am->post) {
    uv_timer_start(&am->timer, on_grace_over, grace_ms, 0);
    return;
  }
  uv_timer_stop(&am->timer);
  uv_close((uv_handle_t *)&am->timer, timer_closed);
}
