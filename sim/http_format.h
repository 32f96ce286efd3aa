/*
 * http_format: growable buffers and the formatting of an HTTP/1.1 answer
 * (status line, Date, OData-Version, Content-Length, Connection, the
 * service's headers, body), apart from the connection handling of http.c.
 */
#ifndef ED_SIM_HTTP_FORMAT_H
#define ED_SIM_HTTP_FORMAT_H

#include <stddef.h>

#include "service.h"

/* A growable byte buffer; p is owned by whoever holds the struct and freed
 * with ed__buf_free. Reused across requests to avoid allocations. */
typedef struct ed__buf_s {
  char *p;
  size_t len, cap;
} ed__buf_t;

/* Make room for extra more bytes. 0 or ED_ENOMEM. */
int ed__buf_reserve(ed__buf_t *b, size_t extra);
int ed__buf_append(ed__buf_t *b, const char *p, size_t n);
int ed__buf_printf(ed__buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ed__buf_free(ed__buf_t *b);

/* Replace b's content with the answer resp (borrowed). head: answer to a
 * HEAD request (Content-Length of the body, no body). keep_alive chooses
 * the Connection header. 0 or ED_ENOMEM. */
int ed__http_format(ed__buf_t *b, const ed__sim_response_t *resp, int head,
                    int keep_alive);

#endif
