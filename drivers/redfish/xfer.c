/* xfer: see xfer.h. */
#include "xfer.h"

#include "answer.h"
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A buffer that grew past this for one large answer is not kept. */
#define KEEP_BUF_MAX (1u << 20)

void ed__rf_wipe_free(char *s) {
  if (s) {
    explicit_bzero(s, strlen(s));
    free(s);
  }
}

static void wipe_headers(struct curl_slist *h) {
  for (struct curl_slist *p = h; p; p = p->next)
    explicit_bzero(p->data, strlen(p->data));
  curl_slist_free_all(h);
}

size_t ed__rf_xfer_take(ed__rf_xfer_t *x, const char *p, size_t len) {
  if (x->seen + len > (size_t)x->t->opts->max_body) {
    x->too_large = ED__RF_TOO_LARGE_BODY;
    return 0; /* curl stops with CURLE_WRITE_ERROR */
  }
  x->seen += len;
  if (!x->keep_body)
    return len; /* nobody looks at it: count only */
  if (x->len + len + 1 > x->cap) {
    size_t cap = x->cap ? x->cap : 4096;
    while (cap < x->len + len + 1)
      cap *= 2;
    char *b = realloc(x->buf, cap);
    if (!b)
      return 0;
    x->buf = b;
    x->cap = cap;
  }
  memcpy(x->buf + x->len, p, len);
  x->len += len;
  x->buf[x->len] = '\0';
  return len;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud) {
  return ed__rf_xfer_take(ud, p, size * n);
}

/* The value of a raw X-Auth-Token line: a NUL, a lone CR or another control
 * byte in it is noted (curl's header API would cut the value there or split
 * it in two, hiding what the device sent). */
static void token_scan(ed__rf_xfer_t *x, const char *v, size_t n) {
  if (n > 0 && v[n - 1] == '\n')
    n--;
  if (n > 0 && v[n - 1] == '\r')
    n--;
  for (size_t i = 0; i < n && !x->token_byte; i++) {
    unsigned char b = (unsigned char)v[i];
    if ((b < 0x20 && b != '\t') || b == 0x7f) {
      x->token_byte = b + 1;
      x->token_at = i;
    }
  }
}

/* Every header line curl reads, those of interim answers too (libcurl puts
 * no bound on how many "100 Continue" a server may send): the same limits
 * as answer.h. Returning less than given stops the transfer. */
static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  ed__rf_xfer_t *x = ud;
  size_t len = size * n;
  x->head_bytes += len;
  if (len >= 5 && memcmp(p, "HTTP/", 5) == 0 &&
      ++x->heads > ED__RF_INTERIM_MAX + 1) {
    x->bad_heads = 1;
    return 0;
  }
  if (x->head_bytes > ED__RF_HEAD_MAX) {
    x->too_large = ED__RF_TOO_LARGE_HEAD;
    return 0;
  }
  if (len > 13 && strncasecmp(p, "X-Auth-Token:", 13) == 0)
    token_scan(x, p + 13, len - 13);
  return len;
}

/* libcurl puts no bound on a chunk's extensions, nor on its trailers'
 * count before their end: a device sending "10;ext=eeee..." forever would
 * hold the transfer to its deadline, read at full speed. Its debug hook is
 * the one place that sees the bytes as received, chunk framing included
 * (CURLINFO_DATA_IN comes before the chunks are decoded); the progress hook,
 * called after each read, cuts the transfer once the bytes that are no body
 * pass the bound answer.h sets for the own reader. */
static int on_debug(CURL *e, curl_infotype type, char *p, size_t n, void *ud) {
  (void)e;
  (void)p;
  if (type == CURLINFO_DATA_IN)
    ((ed__rf_xfer_t *)ud)->raw_body += n;
  return 0;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow) {
  ed__rf_xfer_t *x = ud;
  (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  if (x->too_large || x->bad_heads)
    return 1; /* stopped already, for the reason given then */
  size_t framing = x->raw_body > x->seen ? x->raw_body - x->seen : 0;
  if (x->head_bytes + framing <= ED__RF_HEAD_MAX + x->seen)
    return 0;
  x->too_large = ED__RF_TOO_LARGE_FRAMING;
  return 1; /* curl stops with CURLE_ABORTED_BY_CALLBACK */
}

void ed__rf_easy_fixed(const ed__rf_target_t *t, CURL *e) {
  const ed__rf_topts_t *o = t->opts;
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  /* No CURLOPT_USERAGENT: the User-Agent line is in the header list (see
   * ed__rf_xfer_setup), which curl copies into the request as it is; the
   * option would make curl format the line twice per request. */
  /* Numeric loopback/BMC addresses, never a proxy: "" also spares curl the
   * *_proxy environment look-ups it would do on every request, and "*" as
   * the no-proxy list the no_proxy/NO_PROXY look-ups and matching. */
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
  if (o->ca_file && o->ca_file[0])
    curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
  if (!t->tls) {
    /* Plain HTTP: curl copies the CA locations into every new connection's
     * TLS settings (also when it re-uses a cached one), for nothing here. */
    curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
    curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, NULL);
    curl_easy_setopt(e, CURLOPT_PROXY_CAPATH, NULL);
  }
  /* An address resolves to itself: cache it for good, which also spares
   * curl a sweep of its DNS cache at the end of every transfer. A name is
   * resolved again as usual (a BMC's record may change during a drill). */
  if (t->numeric_host)
    curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
}

/* Options that never change for this transfer. */
static void setup_fixed(ed__rf_xfer_t *x) {
  CURL *e = x->easy;
  ed__rf_easy_fixed(x->t, e);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  /* The debug hook only runs with VERBOSE; it writes nothing anywhere. */
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, x);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  ed__cuv_setup_easy(x->cuv, e);
  x->setup_timeout = -1;
}

ed__rf_xfer_t *ed__rf_xfer_get(ed__rf_target_t *t) {
  ed__rf_xfer_t *x = t->free_list;
  if (x) {
    t->free_list = x->next;
  } else {
    x = calloc(1, sizeof(*x));
    if (!x)
      return NULL;
    x->t = t;
    x->all_next = t->all;
    t->all = x;
  }
  x->next = NULL;
  x->busy = 1;
  x->req = NULL;
  x->op = NULL;
  x->retried = 0;
  x->after_login = NULL;
  x->stage = 0;
  x->keep_body = 0;
  return x;
}

void ed__rf_xfer_put(ed__rf_xfer_t *x) {
  ed__rf_target_t *t = x->t;
  if (x->cap > KEEP_BUF_MAX) {
    free(x->buf);
    x->buf = NULL;
    x->cap = 0;
  }
  ed__rf_wipe_free(x->aux); /* may be a login body */
  x->aux = NULL;
  x->len = 0;
  x->busy = 0;
  x->req = NULL;
  x->next = t->free_list;
  t->free_list = x;
}

static int add_header(struct curl_slist **h, const char *line) {
  struct curl_slist *n = curl_slist_append(*h, line);
  if (!n)
    return -ENOMEM;
  *h = n;
  return 0;
}

/* x's curl handle, made for its first libcurl transfer: a request that goes
 * over a kept-alive connection (conn.h) needs none, and a handle is some
 * kilobytes, a lane a curl multi (a target polled with GETs alone has
 * neither). */
static int easy_make(ed__rf_xfer_t *x) {
  if (!(x->cuv = ed__rf_lane_next(x->t)))
    return -ENOMEM;
  if (!(x->easy = curl_easy_init()))
    return -ENOMEM;
  setup_fixed(x);
  return 0;
}

int ed__rf_xfer_setup(ed__rf_xfer_t *x, const char *method, const char *url,
                      const char *body, size_t body_len, int with_auth,
                      const char *extra) {
  if (!x->easy && easy_make(x) < 0)
    return -ENOMEM;
  CURL *e = x->easy;
  struct curl_slist *h = NULL;
  int rc = add_header(&h, "User-Agent: " ED__RF_USER_AGENT);
  if (rc == 0)
    rc = add_header(&h, "Accept: application/json");
  if (rc == 0 && with_auth && x->t->auth_line)
    rc = add_header(&h, x->t->auth_line);
  if (rc == 0 && body)
    rc = add_header(&h, "Content-Type: application/json");
  if (rc == 0 && body) /* no 100-continue round trip */
    rc = add_header(&h, "Expect:");
  if (rc == 0 && extra)
    rc = add_header(&h, extra);
  if (rc < 0) {
    wipe_headers(h);
    return rc;
  }
  /* The URL goes in parsed (CURLOPT_CURLU): with CURLOPT_URL curl parses
   * the string again on every transfer; with a CURLU it only copies the
   * parsed handle. One that curl cannot parse goes in as a string, so that
   * the transfer fails as before, with curl's own error. */
  if (!x->uh && !(x->uh = curl_url())) {
    wipe_headers(h);
    return -ENOMEM;
  }
  curl_easy_setopt(e, CURLOPT_URL, NULL); /* forget the previous URL */
  if (curl_url_set(x->uh, CURLUPART_URL, url,
                   CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) ==
      CURLUE_OK) {
    curl_easy_setopt(e, CURLOPT_CURLU, x->uh);
  } else {
    curl_easy_setopt(e, CURLOPT_CURLU, NULL);
    curl_easy_setopt(e, CURLOPT_URL, url);
  }
  if (body) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                   strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0
                       ? NULL
                       : method);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  wipe_headers(x->headers);
  x->headers = h;
  x->setup_for = 0;
  x->setup_gen = x->t->auth_gen;
  return 0;
}

void ed__rf_xfer_begin(ed__rf_xfer_t *x, ed__rf_xfer_cb cb, unsigned gen) {
  x->on_done = cb;
  x->sent_gen = gen;
  x->status = 0;
  x->len = 0;
  x->seen = 0;
  x->too_large = 0;
  x->head_bytes = 0;
  x->raw_body = 0;
  x->heads = 0;
  x->bad_heads = 0;
  x->token_byte = 0;
  x->errbuf[0] = '\0';
}

int ed__rf_xfer_start(ed__rf_xfer_t *x, int64_t timeout_ms, ed__rf_xfer_cb cb) {
  if (timeout_ms <= 0)
    timeout_ms = x->t->opts->timeout_ms;
  if (timeout_ms != x->setup_timeout) {
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    x->setup_timeout = timeout_ms;
  }
  ed__rf_xfer_begin(x, cb, x->setup_gen);
  if (ed__cuv_add(x->cuv, x->easy) < 0)
    return -EIO;
  x->in_curl = 1;
  return 0;
}

void ed__rf_xfer_abort(ed__rf_xfer_t *x) {
  if (x->conn)
    ed__rf_conn_abort(x);
  if (x->in_curl) {
    ed__cuv_remove(x->cuv, x->easy);
    x->in_curl = 0;
  }
}

void ed__rf_xfer_on_done(CURL *easy, CURLcode rc, void *priv) {
  ed__rf_xfer_t *x = priv;
  x->in_curl = 0;
  x->status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->status);
  /* curl's own words for a header callback that stopped are "Failed
   * writing header": say which limit it was. */
  if (x->bad_heads) {
    rc = CURLE_WEIRD_SERVER_REPLY;
    snprintf(x->errbuf, sizeof(x->errbuf),
             "more than %d interim (1xx) answers before the answer",
             ED__RF_INTERIM_MAX);
  } else if (x->too_large == ED__RF_TOO_LARGE_HEAD) {
    snprintf(x->errbuf, sizeof(x->errbuf),
             "answer with more than %u bytes of status lines and headers "
             "(%u status lines)",
             ED__RF_HEAD_MAX, x->heads);
  } else if (x->too_large == ED__RF_TOO_LARGE_FRAMING) {
    rc = CURLE_WRITE_ERROR;
    snprintf(x->errbuf, sizeof(x->errbuf),
             "answer with %zu bytes that are no body (status lines, headers, "
             "chunk sizes, extensions and trailers) for %zu bytes of body: "
             "more than %u past the body's size",
             x->head_bytes + (x->raw_body - x->seen), x->seen, ED__RF_HEAD_MAX);
  }
  x->on_done(x, rc);
}

long ed__rf_xfer_status(ed__rf_xfer_t *x) {
  return x->status;
}

char *ed__rf_xfer_header(ed__rf_xfer_t *x, const char *name) {
  struct curl_header *h;
  if (!x->easy ||
      curl_easy_header(x->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
    return NULL;
  return strdup(h->value);
}

void ed__rf_xfer_free_all(ed__rf_target_t *t) {
  ed__rf_xfer_t *x = t->all;
  while (x) {
    ed__rf_xfer_t *n = x->all_next;
    curl_easy_cleanup(x->easy);
    curl_url_cleanup(x->uh); /* after the easy, which may point to it */
    wipe_headers(x->headers);
    if (x->buf)
      explicit_bzero(x->buf, x->cap); /* may hold a session answer */
    free(x->buf);
    ed__rf_wipe_free(x->aux);
    free(x);
    x = n;
  }
  t->all = NULL;
  t->free_list = NULL;
}
