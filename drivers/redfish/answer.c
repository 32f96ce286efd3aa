/* answer: see answer.h. */
#include "answer.h"

#include <stdio.h>

static int on_message_begin(http_parser *hp) {
  ed__rf_answer_t *a = hp->data;
  a->status = 0;
  return 0;
}

static int on_status(http_parser *hp, const char *at, size_t len) {
  ed__rf_answer_t *a = hp->data;
  (void)at;
  (void)len;
  a->status = hp->status_code; /* known from here on, e.g. for a reset */
  return 0;
}

static int on_headers_complete(http_parser *hp) {
  ed__rf_answer_t *a = hp->data;
  a->status = hp->status_code;
  if (hp->status_code == 101) { /* what follows would be no HTTP */
    a->err = ED__RF_ANSWER_SWITCH;
    return -1;
  }
  a->interim =
      hp->status_code >= 100 && hp->status_code < 200 && hp->status_code != 101;
  if (a->interim && ++a->interims > ED__RF_INTERIM_MAX) {
    a->err = ED__RF_ANSWER_INTERIM;
    return -1;
  }
  return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len) {
  ed__rf_answer_t *a = hp->data;
  if (a->body(a->arg, at, len) != len) {
    a->err = ED__RF_ANSWER_BODY;
    return -1;
  }
  a->body_bytes += len;
  return 0;
}

static int on_message_complete(http_parser *hp) {
  ed__rf_answer_t *a = hp->data;
  if (a->interim) { /* "100 Continue" and the like: the answer follows */
    a->interim = 0;
    a->status = 0;
    return 0;
  }
  a->done = 1;
  a->reuse = http_should_keep_alive(hp);
  http_parser_pause(hp, 1); /* what follows is no answer of ours */
  return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_status = on_status,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void ed__rf_answer_init(ed__rf_answer_t *a, ed__rf_body_cb body, void *arg) {
  http_parser_init(&a->hp, HTTP_RESPONSE);
  a->hp.data = a;
  a->body = body;
  a->arg = arg;
  a->status = 0;
  a->fed = 0;
  a->body_bytes = 0;
  a->interims = 0;
  a->interim = 0;
  a->done = 0;
  a->reuse = 1;
  a->err = ED__RF_ANSWER_OK;
}

size_t ed__rf_answer_feed(ed__rf_answer_t *a, const char *p, size_t n) {
  if (a->done || a->err)
    return 0;
  size_t used = http_parser_execute(&a->hp, &settings, p, n);
  a->fed += used;
  if (a->done)
    return used;
  if (!a->err && HTTP_PARSER_ERRNO(&a->hp) != HPE_OK)
    a->err = ED__RF_ANSWER_PARSE;
  /* Checked once per read (at most one read's worth past the limit): what
   * is not body can only grow as fast as the body does. */
  if (!a->err && a->fed - a->body_bytes > ED__RF_HEAD_MAX + a->body_bytes)
    a->err = ED__RF_ANSWER_HEAD;
  return used;
}

const char *ed__rf_answer_why(const ed__rf_answer_t *a, char *buf, size_t cap) {
  switch (a->err) {
  case ED__RF_ANSWER_PARSE:
    snprintf(buf, cap, "invalid HTTP answer: %s",
             http_errno_description(HTTP_PARSER_ERRNO(&a->hp)));
    break;
  case ED__RF_ANSWER_HEAD:
    snprintf(buf, cap,
             "answer with more than %u bytes of status lines, headers and "
             "framing (%u interim answers)",
             ED__RF_HEAD_MAX, a->interims);
    break;
  case ED__RF_ANSWER_INTERIM:
    snprintf(buf, cap, "more than %d interim (1xx) answers before the answer",
             ED__RF_INTERIM_MAX);
    break;
  case ED__RF_ANSWER_BODY:
    snprintf(buf, cap, "answer body refused after %zu bytes", a->body_bytes);
    break;
  case ED__RF_ANSWER_SWITCH:
    snprintf(buf, cap,
             "101 Switching Protocols to a GET that asked for no "
             "upgrade");
    break;
  default:
    snprintf(buf, cap, "no error");
    break;
  }
  return buf;
}
