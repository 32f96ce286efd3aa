/* http_format: see http_format.h. */
#include "http_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

/* ---- buffers ---- */

int ed__buf_reserve(ed__buf_t *b, size_t extra) {
  if (b->cap - b->len >= extra)
    return 0;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap - b->len < extra)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p)
    return ED_ENOMEM;
  b->p = p;
  b->cap = cap;
  return 0;
}

int ed__buf_append(ed__buf_t *b, const char *p, size_t n) {
  if (ed__buf_reserve(b, n) < 0)
    return ED_ENOMEM;
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

void ed__buf_free(ed__buf_t *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

int ed__buf_printf(ed__buf_t *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
      return ED_EINVAL;
    if ((size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return 0;
    }
    if (ed__buf_reserve(b, (size_t)n + 1) < 0)
      return ED_ENOMEM;
  }
}

static const char *reason(int st) {
  switch (st) {
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 304:
    return "Not Modified";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 409:
    return "Conflict";
  case 412:
    return "Precondition Failed";
  case 413:
    return "Content Too Large";
  case 415:
    return "Unsupported Media Type";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return st < 300 ? "OK" : st < 500 ? "Client Error" : "Server Error";
  }
}

/* "Date: ...\r\n", formatted once a second per thread. */
static const char *date_header(void) {
  static _Thread_local time_t last;
  static _Thread_local char line[64];
  time_t now = time(NULL);
  if (now != last) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(line, sizeof(line), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    last = now;
  }
  return line;
}

int ed__http_format(ed__buf_t *b, const ed__sim_response_t *resp, int head,
                    int keep_alive) {
  size_t body = resp->body ? resp->body_len : 0;
  b->len = 0;
  if (ed__buf_reserve(b, 512 + (head ? 0 : body)) < 0)
    return ED_ENOMEM;
  int rc = ed__buf_printf(b,
                          "HTTP/1.1 %d %s\r\n%sOData-Version: 4.0\r\n"
                          "Content-Length: %zu\r\nConnection: %s\r\n",
                          resp->status, reason(resp->status), date_header(),
                          body, keep_alive ? "keep-alive" : "close");
  if (rc == 0 && resp->body)
    rc = ed__buf_printf(b, "Content-Type: application/json; charset=utf-8\r\n");
  if (rc == 0 && resp->location)
    rc = ed__buf_printf(b, "Location: %s\r\n", resp->location);
  if (rc == 0 && resp->auth_token)
    rc = ed__buf_printf(b, "X-Auth-Token: %s\r\n", resp->auth_token);
  if (rc == 0 && resp->etag)
    rc = ed__buf_printf(b, "ETag: %s\r\n", resp->etag);
  if (rc == 0 && resp->allow)
    rc = ed__buf_printf(b, "Allow: %s\r\n", resp->allow);
  if (rc == 0 && resp->retry_after_s > 0)
    rc = ed__buf_printf(b, "Retry-After: %d\r\n", resp->retry_after_s);
  if (rc == 0)
    rc = ed__buf_append(b, "\r\n", 2);
  if (rc == 0 && body && !head)
    rc = ed__buf_append(b, resp->body, body);
  return rc;
}
