/*
 * answer: the reader of one HTTP/1.1 answer to a GET on a kept-alive
 * connection (conn.h), http-parser underneath, with the limits a device
 * cannot talk past whatever it sends:
 * - interim answers ("100 Continue", "102 Processing"...) are skipped, at
 *   most ED__RF_INTERIM_MAX of them;
 * - the bytes that are not body (every status line and header, interim
 *   answers included, chunk sizes, chunk extensions, trailers) stay under
 *   ED__RF_HEAD_MAX plus the body's own size (chunk framing grows with it);
 * - the body goes to a callback that counts it against max_body.
 * No I/O and no state outside the struct: unit-tested and fuzzed alone.
 */
#ifndef ED_REDFISH_ANSWER_H
#define ED_REDFISH_ANSWER_H

#include <http_parser.h>
#include <stddef.h>

/* Interim answers skipped at most before the final one. */
#define ED__RF_INTERIM_MAX 16
/* Bytes of an answer that are not its body, at most (past the body's size). */
#define ED__RF_HEAD_MAX (256u * 1024u)

/* Takes len bytes of body; returns len, or anything else to stop the answer
 * (ED__RF_ANSWER_BODY). */
typedef size_t (*ed__rf_body_cb)(void *arg, const char *p, size_t len);

/* Why an answer is bad (0: it is not, yet). */
enum {
  ED__RF_ANSWER_OK = 0,
  ED__RF_ANSWER_PARSE,   /* not HTTP: http-parser's reason */
  ED__RF_ANSWER_HEAD,    /* more than ED__RF_HEAD_MAX bytes that are no body */
  ED__RF_ANSWER_INTERIM, /* more than ED__RF_INTERIM_MAX interim answers */
  ED__RF_ANSWER_BODY,    /* the body callback refused it */
  ED__RF_ANSWER_SWITCH   /* "101 Switching Protocols", never asked for */
};

typedef struct {
  http_parser hp;
  ed__rf_body_cb body;
  void *arg;
  long status;       /* of the answer being read, 0 before its status line */
  size_t fed;        /* bytes given to the parser */
  size_t body_bytes; /* of them, body taken */
  unsigned interims; /* interim answers skipped */
  int interim;       /* the answer being read is one */
  int done;          /* the final answer is complete */
  int reuse;         /* and the connection may carry another */
  int err;           /* ED__RF_ANSWER_* */
} ed__rf_answer_t;

/* Ready a for a new answer; body(arg, ...) receives its body. */
void ed__rf_answer_init(ed__rf_answer_t *a, ed__rf_body_cb body, void *arg);

/* Read n bytes of the answer (n 0: the connection ended, which ends a body
 * that runs to the close). Returns the bytes used: after the end of the
 * answer (a->done) the rest is no part of it. After a->err nothing more is
 * read. */
size_t ed__rf_answer_feed(ed__rf_answer_t *a, const char *p, size_t n);

/* What a->err means, for a request's error detail, in buf. */
const char *ed__rf_answer_why(const ed__rf_answer_t *a, char *buf, size_t cap);

#endif
